"""Parquet in and out (the ``parquet`` extra: pyarrow), streamed a row group at a time.

Every column of a kept row survives to the output with its type: rows are read as Python values and
written back with the input's schema, only the text column replaced by the cleaned text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dedupe.document import Document, Removal

PARQUET_SUFFIXES = (".parquet", ".pq")


def is_parquet_path(path: str) -> bool:
    return path.lower().endswith(PARQUET_SUFFIXES)


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as err:  # pragma: no cover - depends on the extra being installed
        raise RuntimeError("Parquet needs the 'parquet' extra: pip install 'dedupe[parquet]'") from err
    return pa, pq


def read_parquet(
    path: str, *, name: str, text_field: str = "text", id_field: str = "id"
) -> Iterator[Document | Removal]:
    """A Document per row, a rejection per row whose text is missing or not a string."""
    _, pq = _pyarrow()
    source = pq.ParquetFile(path)
    if text_field not in source.schema_arrow.names:
        raise ValueError(f"{path} has no column {text_field!r} (columns: {', '.join(source.schema_arrow.names)})")
    row = 0
    for batch in source.iter_batches(batch_size=4096):
        for record in batch.to_pylist():
            row += 1
            value = record.get(id_field)
            doc_id = f"{name}:{row}" if value is None or isinstance(value, (dict, list)) else str(value)
            text = record.get(text_field)
            if not isinstance(text, str):
                kind = "missing" if text is None else f"{type(text).__name__}, not a string"
                yield Removal(doc_id, "read", f"row {row}: {text_field!r} is {kind}", rejected=True)
                continue
            yield Document(doc_id, text, record=record, order=row - 1)


def parquet_schema(path: str):
    _, pq = _pyarrow()
    return pq.ParquetFile(path).schema_arrow


class ParquetWriter:
    """Kept rows into row groups of ``rows_per_group`` rows, with the input's schema when it had one."""

    def __init__(
        self,
        path: str,
        *,
        schema: Any = None,
        text_field: str = "text",
        id_field: str = "id",
        rows_per_group: int = 8192,
    ) -> None:
        pa, pq = _pyarrow()
        self._pa, self._pq = pa, pq
        self.path = path
        self.schema = schema if schema is not None else pa.schema([(id_field, pa.string()), (text_field, pa.string())])
        self.text_field, self.id_field = text_field, id_field
        self.rows_per_group = rows_per_group
        self._rows: list[dict[str, Any]] = []
        self._writer = pq.ParquetWriter(path, self.schema)

    def write(self, doc: Document) -> None:
        if doc.record is not None:
            row = dict(doc.record)
            row[self.text_field] = doc.text
        else:
            row = {self.id_field: doc.id, self.text_field: doc.text}
        self._rows.append(row)
        if len(self._rows) >= self.rows_per_group:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()
