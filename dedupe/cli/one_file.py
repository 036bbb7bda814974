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
from dedupe.io.decode import DEFAULT_ENCODING_POLICY, ENCODING_POLICIES, decode

# The run's --encoding-errors, so that clean and explain read a file as a run with the same setting would.
_encoding_option = click.option(
    "--encoding-errors",
    type=click.Choice(ENCODING_POLICIES),
    default=DEFAULT_ENCODING_POLICY,
    show_default=True,
    help="FILE not UTF-8: as for 'dedupe run' (detect: cp1252 or Latin-1 text is decoded, the rest rejected).",
)


def _read_one(path: str, encoding_errors: str) -> tuple[str, str | None]:
    """One file's text for clean/explain, decoded as a run would, and what decoding had to do (None when
    nothing); a clear error when it cannot be decoded."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as err:
        fail(f"cannot read {path}: {err.strerror or err}", 2)
    decoded = decode(data, encoding_errors)
    if decoded.text is None:
        fail(f"{path}: {decoded.reason}")
    return decoded.text, decoded.note


def _decoding_line(path: str, note: str) -> str:
    """The decision as explain states it: ``FILE: not UTF-8 (invalid UTF-8 at byte 3); decoded as cp1252``.

    A run counts it as a ``read`` edit; cleaning never sees it, so explain says it apart from the changes."""
    where, _, what = note.rpartition(": ")
    return f"{path}: not UTF-8 ({where}); {what}" if where else f"{path}: {what}"


@main.command()
@click.argument("path", metavar="FILE")
@cleaning_options
@_encoding_option
def clean(path: str, encoding_errors: str, **kw) -> None:
    """Print FILE's cleaned text (normalised, repeated blocks removed). FILE may be - for stdin."""
    repairs = cleaning(kw)
    text, _ = _read_one(path, encoding_errors)
    if repairs.normalize:
        text = normalize_mod.clean(text, **repairs.normalize_kwargs())
    if repairs.repeats:
        text = repeats_mod.remove_repeats(text)
    click.echo(text, nl=not text.endswith("\n"))


@main.command()
@click.argument("path", metavar="FILE")
@cleaning_options
@_encoding_option
def explain(path: str, encoding_errors: str, **kw) -> None:
    """List every change cleaning makes to FILE, with the rule that made it."""
    repairs = cleaning(kw)
    text, note = _read_one(path, encoding_errors)
    if note:
        click.echo(_decoding_line(path, note))
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
