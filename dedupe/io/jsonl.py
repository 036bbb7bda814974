"""JSON Lines in and out (plain, gzip, zstd), keeping every field of every kept record.

A corpus of millions of records always has a few bad lines; each becomes a rejection that names the
line and what was wrong with it, and the run goes on.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from dedupe.document import Document, Removal
from dedupe.io.decode import DEFAULT_ENCODING_POLICY, decode, note_decoding

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".json.gz", ".ndjson", ".jsonl.zstd")


def is_jsonl_path(path: str) -> bool:
    return path.lower().endswith(JSONL_SUFFIXES) or path.lower().endswith(".json")


def compression_of(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".gz"):
        return "gzip"
    if lower.endswith((".zst", ".zstd")):
        return "zstd"
    return None


def open_binary(path: str, mode: str = "rb", *, like: str | None = None) -> IO[bytes]:
    """Open a path (or ``-`` for stdin/stdout) for binary I/O, compressed as the suffix of ``like``
    (default: of ``path`` itself) says; ``like`` lets a temporary file be written as its final name asks."""
    if path == "-":
        return sys.stdin.buffer if "r" in mode else sys.stdout.buffer
    compression = compression_of(like or path)
    if compression == "gzip":
        return gzip.open(path, mode)  # type: ignore[return-value]
    if compression == "zstd":
        try:
            import zstandard
        except ImportError as err:  # pragma: no cover - depends on the extra being installed
            raise RuntimeError("reading or writing .zst needs the 'zstd' extra: pip install 'dedupe[zstd]'") from err
        if "r" in mode:
            # the decompression reader has no readline; buffering gives the line iteration we need
            return io.BufferedReader(zstandard.open(path, "rb"))  # type: ignore[arg-type]
        return zstandard.open(path, "wb")  # type: ignore[return-value]
    return open(path, mode)


def read_jsonl(
    stream: IO[bytes],
    *,
    name: str,
    text_field: str = "text",
    id_field: str = "id",
    encoding_errors: str = DEFAULT_ENCODING_POLICY,
) -> Iterator[Document | Removal]:
    """Yield a Document per good record and a rejection per bad one; blank lines are not records."""
    yield from _parsed(stream, 1, 0, name, text_field, id_field, encoding_errors)


def _parsed(
    lines: Iterable[bytes], first_lineno: int, order: int, name: str, text_field: str, id_field: str, errors: str
) -> Iterator[Document | Removal]:
    """:func:`parse_line` over consecutive lines; documents are numbered from ``order`` on."""
    for lineno, raw in enumerate(lines, first_lineno):
        item = parse_line(
            raw, lineno, name=name, order=order, text_field=text_field, id_field=id_field, encoding_errors=errors
        )
        if item is None:
            continue
        if isinstance(item, Document):
            order += 1
        yield item


def parse_line(
    raw: bytes,
    lineno: int,
    *,
    name: str,
    order: int,
    text_field: str = "text",
    id_field: str = "id",
    encoding_errors: str = DEFAULT_ENCODING_POLICY,
) -> Document | Removal | None:
    """One JSON Lines line: a Document, a rejection that names the line and the fault, or None when blank.

    A record without an id gets ``NAME:LINE`` so every rejection and removal can be traced to its line.
    The Spark engine reads lines with this same function.
    """
    if not raw.strip():
        return None
    fallback_id = f"{name}:{lineno}"
    decoded = decode(raw, encoding_errors)
    if decoded.text is None:
        return Removal(fallback_id, "read", f"line {lineno}: {decoded.reason}", rejected=True)
    try:
        record = json.loads(decoded.text)
    except json.JSONDecodeError as err:
        return Removal(fallback_id, "read", f"line {lineno}: malformed JSON ({err.msg})", rejected=True)
    if not isinstance(record, dict):
        kind = type(record).__name__
        return Removal(fallback_id, "read", f"line {lineno}: not a JSON object ({kind})", rejected=True)
    doc_id = _record_id(record, id_field, fallback_id)
    text = record.get(text_field)
    if text is None:
        return Removal(doc_id, "read", f"line {lineno}: no {text_field!r} field", rejected=True)
    if not isinstance(text, str):
        reason = f"line {lineno}: {text_field!r} is {type(text).__name__}, not a string"
        return Removal(doc_id, "read", reason, rejected=True)
    return note_decoding(Document(doc_id, text, record=record, order=order), decoded.note)


@dataclass(frozen=True)
class LineChunk:
    """Consecutive lines of a JSON Lines input, not parsed yet, with what parsing them needs.

    Parsing JSON is a good share of the single process that reads, decides and writes; with several jobs
    the lines travel to the worker processes as bytes and are parsed there (:func:`parse_chunk`).
    """

    lines: list[bytes]
    first_lineno: int
    name: str
    text_field: str = "text"
    id_field: str = "id"
    encoding_errors: str = DEFAULT_ENCODING_POLICY


def read_line_chunks(
    stream: IO[bytes],
    *,
    name: str,
    size: int,
    text_field: str = "text",
    id_field: str = "id",
    encoding_errors: str = DEFAULT_ENCODING_POLICY,
) -> Iterator[LineChunk]:
    """The input as chunks of ``size`` raw lines (blank ones too, so line numbers stay those of the file)."""
    lineno = 1
    while True:
        lines = list(islice(stream, size))
        if not lines:
            return
        yield LineChunk(lines, lineno, name, text_field, id_field, encoding_errors)
        lineno += len(lines)


def parse_chunk(chunk: LineChunk, order: int = 0) -> list[Document | Removal]:
    """What :func:`read_jsonl` gives for these lines when ``order`` documents came before them."""
    c = chunk
    return list(_parsed(c.lines, c.first_lineno, order, c.name, c.text_field, c.id_field, c.encoding_errors))


def _record_id(record: dict[str, Any], id_field: str, fallback: str) -> str:
    value = record.get(id_field)
    if value is None or isinstance(value, (dict, list)):
        return fallback
    return str(value)


class JsonlWriter:
    """Writes kept documents as JSON Lines: the input record with its text replaced, or ``id`` + text."""

    def __init__(self, stream: IO[bytes], *, text_field: str = "text", id_field: str = "id") -> None:
        self.raw = stream
        self.fh = io.TextIOWrapper(stream, encoding="utf-8", newline="\n", write_through=False)
        self.text_field = text_field
        self.id_field = id_field

    def write(self, doc: Document) -> None:
        line = doc.line
        if line is None:
            line = output_line(doc, text_field=self.text_field, id_field=self.id_field)
        self.fh.write(line)

    def close(self) -> None:
        self.fh.flush()
        if self.raw is sys.stdout.buffer:
            self.fh.detach()
            return
        self.fh.close()


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # what json.dumps(..., ensure_ascii=False) makes per call


def output_line(doc: Document, *, text_field: str = "text", id_field: str = "id") -> str:
    """A kept document's JSON Lines line: its input record with the cleaned text in place (every other
    field as it came), or ``id`` and text for a document that had no record. Renaming a duplicate id does
    not change the record, so a worker can write the line before the parent numbers the ids."""
    if doc.record is not None:
        record = dict(doc.record)
        record[text_field] = doc.text
    else:
        record = {id_field: doc.id, text_field: doc.text}
    return _ENCODER.encode(record) + "\n"
