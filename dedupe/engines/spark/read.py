"""Reading an input into the Spark engine's base DataFrame: the same per-item logic as :mod:`dedupe.io`,
one line or one file at a time, so every document gets the id, text and rejection the local reader gives."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dedupe.document import Document, Removal
from dedupe.engines.spark import columns as c
from dedupe.io import DEFAULT_FORMAT, InputFormat
from dedupe.io.decode import DEFAULT_ENCODING_POLICY
from dedupe.io.jsonl import compression_of, open_binary, parse_line
from dedupe.io.textfiles import document_from_bytes, list_files

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession


def parse_jsonl_line(
    raw: bytes,
    lineno: int,
    *,
    name: str,
    text_field: str = "text",
    id_field: str = "id",
    encoding_errors: str = DEFAULT_ENCODING_POLICY,
) -> Document | Removal | None:
    """One line as :func:`dedupe.io.jsonl.read_jsonl` reads it (``raw`` with its newline); None for a blank
    line. ``order`` is the line number, which sorts the same as the local reader's count."""
    return parse_line(
        raw, lineno, name=name, order=lineno, text_field=text_field, id_field=id_field, encoding_errors=encoding_errors
    )


def text_file_item(
    data: bytes, rel: str, order: int, encoding_errors: str = DEFAULT_ENCODING_POLICY
) -> Document | Removal:
    """One file's bytes as :func:`dedupe.io.textfiles.read_text_file` reads them."""
    return document_from_bytes(data, doc_id=rel, source=rel, order=order, encoding_errors=encoding_errors)


def base_row(item: Document | Removal, order: int, record: str | None) -> dict[str, Any]:
    """The base row of one item read (``record``: the JSON Lines record as JSON)."""
    row: dict[str, Any] = dict.fromkeys(c.names(c.BASE_SCHEMA))
    row.update({c.ORDER: order, c.ID: item.id, c.SOURCE: item.source, c.RECORD: record})
    if isinstance(item, Removal):
        row[c.READ_ERROR] = item.reason
    else:
        row[c.TEXT] = item.text
        row[c.READ_EDIT] = next(iter(item.edits), None)
    return row


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=c.names(c.BASE_SCHEMA))


def _jsonl_frames(frames: Iterator[pd.DataFrame], *, name: str, last: int, ends_nl: bool, bom: bool, **kw: Any):
    for pdf in frames:
        rows = []
        for raw, lineno in zip(pdf["raw"], pdf["lineno"], strict=True):
            raw = bytes(raw)
            if bom and lineno == 1:
                raw = b"\xef\xbb\xbf" + raw  # Spark's line reader drops a leading byte-order mark
            if lineno != last or ends_nl:
                raw += b"\n"
            item = parse_jsonl_line(raw, int(lineno), name=name, **kw)
            if item is not None:
                record = None if isinstance(item, Removal) else json.dumps(item.record, ensure_ascii=False)
                rows.append(base_row(item, int(lineno), record))
        yield _frame(rows)


def _file_frames(frames: Iterator[pd.DataFrame], *, encoding_errors: str):
    for pdf in frames:
        rows = [
            base_row(text_file_item(bytes(data), rel, int(order), encoding_errors), int(order), None)
            for data, rel, order in zip(pdf["content"], pdf["rel"], pdf["order"], strict=True)
        ]
        yield _frame(rows)


def _file_edges(path: str) -> tuple[bool, bool]:
    """(starts with a byte-order mark, ends with a newline) of a local, possibly compressed, file."""
    if compression_of(path) is None:
        with open(path, "rb") as fh:
            head = fh.read(3)
            fh.seek(max(0, os.fstat(fh.fileno()).st_size - 1))
            return head == b"\xef\xbb\xbf", fh.read(1) == b"\n"
    with open_binary(path) as fh:
        head = fh.read(3)
        last = head[-1:]
        while chunk := fh.read(1 << 20):
            last = chunk[-1:]
    return head == b"\xef\xbb\xbf", last == b"\n"


def read(spark: SparkSession, path: str, form: str, fmt: InputFormat = DEFAULT_FORMAT) -> DataFrame:
    """The input as the base DataFrame of the decision: one row per item, in ``dd_order`` order, read as
    ``fmt`` says (the same :class:`~dedupe.io.InputFormat` the local readers take).

    JSON Lines: line numbers come from the partition id and the row's place in its partition (the lines
    before each partition are added up on the driver from one count per partition), so the order is the
    file's. Folders: the files the local reader lists, numbered in sorted relative-path order, read by the
    ``binaryFile`` source.
    """
    if form == "jsonl":
        kw = {"text_field": fmt.text_field, "id_field": fmt.id_field, "encoding_errors": fmt.encoding_errors}
        return _read_jsonl(spark, path, **kw)
    root = Path(path)
    if form == "folder":
        files = [(i, f.relative_to(root).as_posix(), str(f)) for i, f in enumerate(list_files(root, fmt.pattern))]
    else:
        files = [(0, root.name, str(root))]
    if not files:
        return spark.createDataFrame([], c.BASE_SCHEMA)
    files = [(o, r, os.path.abspath(f)) for o, r, f in files]
    names = spark.createDataFrame([(o, r, "file:" + f) for o, r, f in files], "order long, rel string, path string")
    content = spark.read.format("binaryFile").load([f for _, _, f in files]).select("path", "content")
    fn = partial(_file_frames, encoding_errors=fmt.encoding_errors)
    return content.join(names, "path").select("content", "rel", "order").mapInPandas(fn, c.BASE_SCHEMA)


def _read_jsonl(spark: SparkSession, path: str, **kw: Any) -> DataFrame:
    from pyspark.sql import functions as F

    lines = spark.read.option("lineSep", "\n").text(path)
    lines = lines.select(
        F.col("value").cast("binary").alias("raw"),
        F.spark_partition_id().alias("p"),
        F.monotonically_increasing_id().alias("m"),
    )
    offsets, total = _partition_offsets(lines)
    table = spark.createDataFrame(offsets, "p int, off long")
    numbered = lines.join(F.broadcast(table), "p").select(
        "raw", (F.col("off") + F.col("m") - F.shiftleft(F.col("p").cast("long"), 33) + 1).alias("lineno")
    )
    bom, ends_nl = _file_edges(path)
    fn = partial(_jsonl_frames, name=Path(path).name, last=total, ends_nl=ends_nl, bom=bom, **kw)
    return numbered.mapInPandas(fn, c.BASE_SCHEMA)


def _partition_offsets(lines: DataFrame) -> tuple[list[tuple[int, int]], int]:
    """(partition id, lines in the partitions before it) for every partition of ``lines`` that has lines, and
    the number of lines. One count per partition reaches the driver, which adds them up: a running sum in
    Spark is a window without ``partitionBy``, which Spark runs in a single partition (and warns about)."""
    sizes = sorted((int(r["p"]), int(r["count"])) for r in lines.groupBy("p").count().collect())
    offsets, before = [], 0
    for p, n in sizes:
        offsets.append((p, before))
        before += n
    return offsets, before
