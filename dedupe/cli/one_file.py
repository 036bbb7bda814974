"""``dedupe clean`` and ``dedupe explain``: what cleaning does to one file, to try its options on.

They apply the same repairs as a run, with the same options, so what they show is what a run would do.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dedupe.cleaning import normalize as normalize_mod
from dedupe.cleaning import repeats as repeats_mod
from dedupe.cleaning.boilerplate import Boilerplate
from dedupe.cleaning.repetition import over_limits, repetition_stats
from dedupe.cli.group import fail, main
from dedupe.cli.options import MIN_DOCS_OPTION, cleaning, cleaning_options
from dedupe.compiled import kernels_for
from dedupe.engines.local import batched, shared_lines
from dedupe.io import InputError, InputFormat
from dedupe.io.decode import DEFAULT_ENCODING_POLICY, ENCODING_POLICIES, decode
from dedupe.options import Options

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
        with kernels_for(len(text), notice=True):  # one small file: the pure-Python paths
            text = repeats_mod.remove_repeats(text)
    click.echo(text, nl=not text.endswith("\n"))


def _shared_lines(corpus: str, min_docs: int, encoding_errors: str, kw: dict) -> Boilerplate:
    """The shared lines of CORPUS, counted as ``dedupe run --boilerplate`` counts them, with the same
    cleaning options (a folder or JSON Lines file with a "text" field)."""
    repairs = cleaning(kw)
    opts = Options(
        normalize=repairs.normalize,
        skip_rules=repairs.skip_rules,
        straight_quotes=repairs.straight_quotes,
        unicode_form=repairs.unicode_form,
        repeats=repairs.repeats,
        boilerplate=True,
        boilerplate_min_docs=min_docs,
    )
    fmt = InputFormat(encoding_errors=encoding_errors)
    try:
        size = fmt.open(corpus).size
    except InputError as err:
        fail(f"--boilerplate-from: {err}", 2)
    with kernels_for(size, notice=True):  # a small corpus takes the pure-Python paths
        return shared_lines(lambda: batched(fmt.open(corpus).documents, 256), opts, samples=False).table


def _boilerplate_lines(table: Boilerplate, text: str, corpus: str | None) -> tuple[list[str], str | None, str]:
    """What the boilerplate rule does to FILE's cleaned text: the lines it removes, as explain lists
    changes, or the note that FILE is kept whole although it has shared lines; and the text after it."""
    shared = table.shared_in(text)
    if not shared:
        return [], None, text
    stripped = table.strip(text)
    if stripped.kept_whole:
        numbers = ", ".join(str(n) for n, _, _ in shared)
        return (
            [],
            (
                f"line(s) {numbers} are in {table.min_docs} or more documents of {corpus}, but they are most of the "
                "document, so it is kept whole (a copy of shared text, not a page with a template around it)"
            ),
            text,
        )
    removed = [f"boilerplate line {n}: {_short(line)!r} is in {docs} documents of {corpus}" for n, line, docs in shared]
    return removed, None, stripped.text


def _short(line: str, limit: int = 70) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


@main.command()
@click.argument("path", metavar="FILE")
@cleaning_options
@_encoding_option
@click.option(
    "--boilerplate-from",
    "corpus",
    metavar="CORPUS",
    default=None,
    help="Also show which lines 'dedupe run CORPUS --boilerplate' would remove from FILE as boilerplate "
    "(CORPUS: a folder or a JSON Lines file, read with the cleaning options given here).",
)
@MIN_DOCS_OPTION
def explain(path: str, encoding_errors: str, corpus: str | None, boilerplate_min_docs: int, **kw) -> None:
    """List every change cleaning makes to FILE, with the rule that made it."""
    repairs = cleaning(kw)
    table = _shared_lines(corpus, boilerplate_min_docs, encoding_errors, kw) if corpus is not None else None
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
        with kernels_for(len(text), notice=True):  # one small file: the pure-Python paths
            repaired = repeats_mod.repair(text)
        lines.extend(f"repeats   {repeats_mod.format_removed(text, block)}" for block in repaired.removed)
        text = repaired.text
    kept_whole = None
    if table is not None:
        removed, kept_whole, text = _boilerplate_lines(table, text, corpus)
        lines.extend(removed)
    if not lines:
        click.echo(f"{path}: no changes")
    else:
        click.echo(f"{path}: {len(lines)} change(s)")
        for line in lines:
            click.echo(f"  {line}")
    if kept_whole:
        click.echo(f"{path}: boilerplate: {kept_whole}")
    before = over_limits(repetition_stats(original))
    after = over_limits(repetition_stats(text))
    verdict = "within the Gopher repetition limits" if not after else "over the Gopher limits: " + ", ".join(after)
    click.echo(f"{path}: after cleaning, {verdict}" + (f" (before repair: {', '.join(before)})" if before else ""))
