"""Prepared documents on disk, for runs that must see every document before deciding.

Keep policies other than "first in input order" (longest, a field, drop-all) cannot decide a document
when it arrives. Holding the corpus in memory until the end would limit a run to what fits in RAM, so
batch mode writes each prepared document (cleaned text, record, digest, signature) to a temporary file,
decides in policy order reading them back, and writes the output in input order in a second pass. What
stays in memory is a few numbers per document.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from array import array
from collections.abc import Iterator
from typing import Any


class Spill:
    """An append-only file of pickled items, readable back by position in any order."""

    def __init__(self, directory: str | None = None) -> None:
        self._fh = tempfile.TemporaryFile(dir=directory)
        self._ends = array("q")
        self._size = 0

    def __len__(self) -> int:
        return len(self._ends)

    def append(self, item: Any) -> int:
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        self._fh.write(data)
        self._size += len(data)
        self._ends.append(self._size)
        return len(self._ends) - 1

    def get(self, i: int) -> Any:
        start = self._ends[i - 1] if i else 0
        return pickle.loads(os.pread(self._fh.fileno(), self._ends[i] - start, start))

    def flush(self) -> None:
        self._fh.flush()

    def __iter__(self) -> Iterator[Any]:
        """Every item in the order it was appended, read sequentially."""
        self._fh.flush()
        self._fh.seek(0)
        start = 0
        for end in self._ends:
            yield pickle.loads(self._fh.read(end - start))
            start = end
        self._fh.seek(0, os.SEEK_END)

    @property
    def nbytes(self) -> int:
        return self._size

    def close(self) -> None:
        self._fh.close()
