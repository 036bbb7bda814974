"""Readers and writers: the run's input and output, in the form the user gave.

``open_input`` works out what INPUT is (a folder of text files, one text file, JSON Lines, or ``-`` for
JSON Lines on stdin) and ``open_output`` writes the same form back unless the output name asks for
JSON Lines. Outputs go to a temporary name and are renamed into place only when the run completes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from dedupe.compiled import SMALL_INPUT
from dedupe.document import Document, Removal
from dedupe.io import atomic
from dedupe.io.decode import DEFAULT_ENCODING_POLICY
from dedupe.io.jsonl import JsonlWriter, LineChunk, is_jsonl_path, open_binary, read_jsonl, read_line_chunks
from dedupe.io.parquet import ParquetWriter, is_parquet_path, parquet_schema, read_parquet
from dedupe.io.textfiles import FolderWriter, TextFileWriter, is_within, read_folder, read_text_file

__all__ = ["DEFAULT_FORMAT", "InputError", "InputFormat", "Sink", "Source", "open_input", "open_output"]


class InputError(Exception):
    """The input cannot be read at all (missing, not a file or folder): a one-line message for the user."""


@dataclass
class Source:
    form: str  # "folder" | "text" | "jsonl" | "parquet"
    path: str
    documents: Iterator[Document | Removal]
    size: int | None = None  # bytes, when known (for progress and throughput)
    schema: Any = None  # a Parquet input's schema, so a Parquet output keeps every column's type
    # JSON Lines only: the same input as raw lines, N at a time, for parsing in worker processes
    # (read either this or ``documents``, not both)
    lines: Callable[[int], Iterator[LineChunk]] | None = None


@dataclass(frozen=True)
class InputFormat:
    """How an input is read: which JSON Lines fields, what to do with bytes that are not UTF-8, which files
    of a folder. Every reader of a run's input (both engines, the HTML page's second pass) takes this."""

    text_field: str = "text"
    id_field: str = "id"
    encoding_errors: str = DEFAULT_ENCODING_POLICY
    pattern: str = "**/*"

    def open(self, path: str) -> Source:
        return open_input(
            path,
            text_field=self.text_field,
            id_field=self.id_field,
            encoding_errors=self.encoding_errors,
            pattern=self.pattern,
        )


DEFAULT_FORMAT = InputFormat()


class Writer(Protocol):
    def write(self, doc: Document) -> None: ...
    def close(self) -> None: ...


def open_input(
    path: str,
    *,
    text_field: str = "text",
    id_field: str = "id",
    encoding_errors: str = DEFAULT_ENCODING_POLICY,
    pattern: str = "**/*",
) -> Source:
    if path == "-":
        stdin, size = _stdin()
        docs = read_jsonl(
            stdin, name="stdin", text_field=text_field, id_field=id_field, encoding_errors=encoding_errors
        )
        lines = _jsonl_chunks(path, "stdin", text_field, id_field, encoding_errors, stdin)
        return Source("jsonl", path, docs, size, lines=lines)
    p = Path(path)
    if not p.exists():
        raise InputError(f"input not found: {path}")
    if p.is_dir():
        try:
            size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
        except OSError:
            size = None
        return Source("folder", path, read_folder(p, pattern=pattern, encoding_errors=encoding_errors), size)
    if not p.is_file():
        raise InputError(f"input is neither a file nor a folder: {path}")
    try:
        with open(p, "rb"):
            pass
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from err
    size = p.stat().st_size
    if is_jsonl_path(path):
        docs = _jsonl_docs(path, text_field, id_field, encoding_errors)
        chunks = _jsonl_chunks(path, p.name, text_field, id_field, encoding_errors)
        return Source("jsonl", path, docs, size, lines=chunks)
    if is_parquet_path(path):
        try:
            schema = parquet_schema(path)
        except Exception as err:  # pyarrow raises several types for a file that is not Parquet
            raise InputError(f"cannot read {path} as Parquet: {err}") from err
        if text_field not in schema.names:
            raise InputError(f"{path} has no column {text_field!r} (columns: {', '.join(schema.names)})")
        docs = read_parquet(path, name=p.name, text_field=text_field, id_field=id_field)
        return Source("parquet", path, docs, size, schema)
    doc = read_text_file(p, doc_id=p.name, source=p.name, encoding_errors=encoding_errors)
    return Source("text", path, iter([doc]), size)


def _jsonl_docs(path: str, text_field: str, id_field: str, encoding_errors: str) -> Iterator[Document | Removal]:
    with open_binary(path) as fh:
        yield from read_jsonl(
            fh, name=Path(path).name, text_field=text_field, id_field=id_field, encoding_errors=encoding_errors
        )


def _jsonl_chunks(
    path: str, name: str, text_field: str, id_field: str, encoding_errors: str, stdin: IO[bytes] | None = None
) -> Callable[[int], Iterator[LineChunk]]:
    """The input's raw lines, opened only when read; standard input (``stdin``: as :func:`_stdin` gives it) is
    read but left open, as read_jsonl does."""

    def chunks(size: int) -> Iterator[LineChunk]:
        fh = stdin if stdin is not None else open_binary(path)
        try:
            yield from read_line_chunks(
                fh, name=name, size=size, text_field=text_field, id_field=id_field, encoding_errors=encoding_errors
            )
        finally:
            if path != "-":
                fh.close()

    return chunks


def _stdin() -> tuple[IO[bytes], int | None]:
    """Standard input, and its size if it ends within ``SMALL_INPUT`` bytes: that much is read ahead (a run
    reads a batch of documents before it starts anyway), so that a small input piped in takes the
    pure-Python paths as a small file does (:func:`dedupe.compiled.kernels_for`); the rest streams as it
    comes."""
    stdin = open_binary("-")
    head = stdin.read(SMALL_INPUT + 1)
    if len(head) <= SMALL_INPUT:
        return io.BytesIO(head), len(head)
    return io.BufferedReader(_Prefixed(head, stdin)), None


class _Prefixed(io.RawIOBase):
    """``head``, then the rest of ``stream``: a stream that was read ahead, as if it had not been."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self.head = memoryview(head)
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        return self.stream.readinto(buffer)  # type: ignore[attr-defined]


def output_form(output: str, input_form: str) -> str:
    """The output keeps the input's form, unless its name asks for JSON Lines (or it is stdout) or Parquet."""
    if output == "-" or is_jsonl_path(output):
        return "jsonl"
    if is_parquet_path(output):
        return "parquet"
    return input_form


class Sink:
    """The run's document output: written under a temporary name, committed or discarded at the end."""

    def __init__(
        self,
        output: str,
        form: str,
        *,
        text_field: str = "text",
        id_field: str = "id",
        resume_bytes: int | None = None,
        schema: Any = None,
    ) -> None:
        self.output = output
        self.form = form
        self.final = None if output == "-" else Path(output)
        self.tmp = None if self.final is None else atomic.partial_path(self.final)
        if self.tmp is not None and resume_bytes is None:
            atomic.discard(self.tmp)
        if self.tmp is not None:
            self.tmp.parent.mkdir(parents=True, exist_ok=True)
        target = "-" if self.tmp is None else str(self.tmp)
        self.writer: Writer
        if form == "folder":
            assert self.tmp is not None, "a folder output needs a path"
            self.writer = FolderWriter(self.tmp)
        elif form == "text":
            assert self.tmp is not None, "a text output needs a path"
            self.writer = TextFileWriter(self.tmp)
        elif form == "parquet":
            assert self.tmp is not None, "a Parquet output needs a path"
            self.writer = ParquetWriter(str(self.tmp), schema=schema, text_field=text_field, id_field=id_field)
        elif resume_bytes is not None:
            # a resumed run appends to the partial file after what the last checkpoint had written
            stream = open(target, "r+b")
            stream.truncate(resume_bytes)
            stream.seek(resume_bytes)
            self.writer = JsonlWriter(stream, text_field=text_field, id_field=id_field)
        else:
            # the suffix of the final name picks the compression of the temporary file
            stream = open_binary(target, "wb", like=output)
            self.writer = JsonlWriter(stream, text_field=text_field, id_field=id_field)

    def write(self, doc: Document) -> None:
        self.writer.write(doc)

    def flush(self) -> int:
        """Push written documents to disk; the byte size of a JSON Lines output so far (else 0)."""
        if isinstance(self.writer, JsonlWriter):
            self.writer.fh.flush()
            self.writer.raw.flush()
            return self.writer.raw.tell()
        return 0

    def commit(self) -> None:
        self.writer.close()
        if self.tmp is not None and self.final is not None:
            atomic.commit(self.tmp, self.final)

    def abort(self) -> None:
        try:
            self.writer.close()
        finally:
            if self.tmp is not None:
                atomic.discard(self.tmp)


def open_output(
    output: str,
    input_form: str,
    *,
    input_path: str | None = None,
    overwrite: bool = False,
    text_field: str = "text",
    id_field: str = "id",
    resume_bytes: int | None = None,
    schema: Any = None,
) -> Sink:
    """The run's output; ``resume_bytes`` continues a killed run's partial output from that size."""
    form = output_form(output, input_form)
    if resume_bytes is not None:
        return Sink(output, form, text_field=text_field, id_field=id_field, resume_bytes=resume_bytes)
    if form == "parquet" and output == "-":
        raise atomic.OutputExists("Parquet cannot be written to stdout; give a file name")
    if output != "-":
        final = Path(output)
        if input_path not in (None, "-") and Path(input_path).is_dir() and is_within(final, Path(input_path)):
            raise atomic.OutputExists(f"output {output} is inside the input folder {input_path}; choose another")
        if (
            input_path not in (None, "-")
            and Path(input_path).exists()
            and final.exists()
            and final.resolve() == Path(input_path).resolve()
        ):
            raise atomic.OutputExists(f"output {output} is the input; choose another")
        atomic.check_writable(final, overwrite=overwrite)
    return Sink(output, form, text_field=text_field, id_field=id_field, schema=schema)
