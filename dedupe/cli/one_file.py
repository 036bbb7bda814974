"""``dedupe clean`` and ``dedupe explain``: what cleaning does to one file, to try its options on.

They apply the same repairs as a run, with the same options, so what they show is what a run would do.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dedupe.cleaning import normalize as normalize_mod
from dedupe.cleaning import repeats as repeats_mod
from dedupe.cleaning.repetition import over_limits, repetition_stats
from dedupe.cli.group import fail, main
from dedupe.cli.options import cleaning, cleaning_options
from dedupe.io.decode import decode


def _read_one(path: str) -> str:
    """One file's text for clean/explain, decoded as a run would; a clear error when it cannot be."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as err:
        fail(f"cannot read {path}: {err.strerror or err}", 2)
    decoded = decode(data)
    if decoded.text is None:
        fail(f"{path}: {decoded.reason}")
    return decoded.text


@main.command()
@click.argument("path", metavar="FILE")
@cleaning_options
def clean(path: str, **kw) -> None:
    """Print FILE's cleaned text (normalised, repeated blocks removed). FILE may be - for stdin."""
    repairs = cleaning(kw)
    text = _read_one(path)
    if repairs.normalize:
        text = normalize_mod.clean(text, **repairs.normalize_kwargs())
    if repairs.repeats:
        text = repeats_mod.remove_repeats(text)
    click.echo(text, nl=not text.endswith("\n"))


@main.command()
@click.argument("path", metavar="FILE")
@cleaning_options
def explain(path: str, **kw) -> None:
    """List every change cleaning makes to FILE, with the rule that made it."""
    repairs = cleaning(kw)
    text = _read_one(path)
    lines: list[str] = []
    if repairs.normalize:
        result = normalize_mod.normalize(text, explain=True, **repairs.normalize_kwargs())
        lines.extend(normalize_mod.format_change(change) for change in result.changes)
        text = result.text
    original = text
    if repairs.repeats:
        repaired = repeats_mod.repair(text)
        lines.extend(f"repeats   {repeats_mod.format_removed(text, block)}" for block in repaired.removed)
        text = repaired.text
    if not lines:
        click.echo(f"{path}: no changes")
    else:
        click.echo(f"{path}: {len(lines)} change(s)")
        for line in lines:
            click.echo(f"  {line}")
    before = over_limits(repetition_stats(original))
    after = over_limits(repetition_stats(text))
    verdict = "within the Gopher repetition limits" if not after else "over the Gopher limits: " + ", ".join(after)
    click.echo(f"{path}: after cleaning, {verdict}" + (f" (before repair: {', '.join(before)})" if before else ""))
