"""Site boilerplate across a corpus: lines that many different documents share (navigation, cookie notices,
"Share this article", bylines, footers), removed from every document, with one rule that keeps the
content of copied articles.

The rule
    A *line* is compared on the key the repeat repair uses (:func:`dedupe.cleaning.repeats.keys.keyed`:
    case, spacing, quote and dash style do not matter); blank lines are never boilerplate.  A line is
    **shared** when at least ``min_docs`` different documents contain it, where exact copies (documents
    whose cleaned text is the same) count once.  A multi-line paragraph that many documents share is
    shared line by line, so lines cover paragraphs too.  Shared lines are removed from a document, unless
    they make up *more than half* of it (in key characters over its non-blank lines): such a document
    is mostly text that other documents have too, a syndicated or re-scraped copy of an article rather
    than a page with a template around its own text, and it is **kept whole**.  The near-duplicate step
    then removes the copies as duplicates of the kept one, which keeps its whole text.

Why the half
    Line counts alone cannot tell a template from a copied article: a site's navigation shared by six
    pages and an article shared by six sites both give lines in six documents whose other lines differ.
    What differs is which part is the page's own: a page with a template has more text of its own than
    template; a copy, even re-scraped with an updated paragraph or edited in places, is mostly shared
    text.  Known cost: a page whose template is larger than its own text keeps its template (as without
    ``--boilerplate``), because it cannot be told from a copy by its lines.  Keeping it whole never
    deletes content; removing the shared article from every copy would.

Memory
    Counting holds 12 bytes per distinct line (a 64-bit hash and a 32-bit count in sorted arrays;
    :class:`LineCounts`); while new lines are merged in, about 32 bytes per distinct line at the peak of a
    merge of a large table (``benchmarks/bench_boilerplate.py``), and one number per distinct document
    (exact copies are counted once).  Only the lines found in ``min_docs`` or more documents are kept for
    the second pass (:class:`Boilerplate`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from dedupe.cleaning.repeats.keys import keyed

DEFAULT_MIN_DOCS = 5
TOP_LINES = 20  # the most common boilerplate lines a report lists
_MERGE_AT = 1 << 18  # new hashes held before they are merged into the sorted table


def line_hashes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """``(hashes, lengths)``, one per line of ``text.split("\\n")``: a 64-bit hash of the line's key (0 for a
    blank line) and the key's length in characters."""
    keys = keyed(text)[1]
    hashes = np.zeros(len(keys), dtype=np.uint64)
    lengths = np.zeros(len(keys), dtype=np.int64)
    for i, key in enumerate(keys):
        if key:
            h = int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
            hashes[i] = h or 1
            lengths[i] = len(key)
    return hashes, lengths


def distinct_lines(text: str) -> np.ndarray:
    """The sorted distinct hashes of a text's non-blank lines: what one document adds to the counts."""
    hashes = line_hashes(text)[0]
    return np.unique(hashes[hashes != 0])


class LineCounts:
    """How many documents contain each distinct line: sorted hashes and counts, with new hashes held in a
    list until they outgrow the table and merged then (so adding costs O(log n) per hash overall)."""

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._counts = np.empty(0, dtype=np.uint32)
        self._pending: list[np.ndarray] = []
        self._pending_size = 0

    def add(self, hashes: np.ndarray) -> None:
        """Count each hash once more: the distinct lines of one document, or of several concatenated."""
        if len(hashes):
            self._pending.append(np.asarray(hashes, dtype=np.uint64))
            self._pending_size += len(hashes)
            if self._pending_size >= max(_MERGE_AT, len(self._keys) // 4):
                self._merge()

    def add_counts(self, keys: np.ndarray, counts: np.ndarray) -> None:
        """Add another table's counts (``keys`` distinct; the Spark engine counts per line in bulk)."""
        self._merge()
        order = np.argsort(keys, kind="stable")
        self._insert(keys.astype(np.uint64)[order], counts.astype(np.uint32)[order])

    def _merge(self) -> None:
        """Sort the held hashes, count each once per occurrence, and merge them into the table in place of
        a concatenate-and-sort of everything, so a merge needs about twice the table, not five times."""
        if not self._pending:
            return
        new = np.concatenate(self._pending)
        self._pending, self._pending_size = [], 0
        new.sort()
        starts = np.flatnonzero(np.concatenate(([True], new[1:] != new[:-1])))
        counts = np.diff(np.append(starts, len(new))).astype(np.uint32)
        self._insert(new[starts], counts)

    def _insert(self, keys: np.ndarray, counts: np.ndarray) -> None:
        """Merge sorted distinct ``keys`` with their ``counts`` into the table."""
        pos = np.searchsorted(self._keys, keys)
        hit = pos < len(self._keys)
        hit[hit] = self._keys[pos[hit]] == keys[hit]
        self._counts[pos[hit]] += counts[hit]
        miss = ~hit
        self._keys = np.insert(self._keys, pos[miss], keys[miss])
        self._counts = np.insert(self._counts, pos[miss], counts[miss])

    @property
    def distinct(self) -> int:
        self._merge()
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        return self._keys.nbytes + self._counts.nbytes + sum(p.nbytes for p in self._pending)

    def boilerplate(self, min_docs: int = DEFAULT_MIN_DOCS) -> Boilerplate:
        """The lines found in at least ``min_docs`` documents."""
        self._merge()
        shared = self._counts >= min_docs
        return Boilerplate(self._keys[shared], self._counts[shared], min_docs, len(self._keys))


class Stripped(NamedTuple):
    """A document's text after boilerplate removal, and what went."""

    text: str
    lines: int  # lines removed
    kept_whole: bool  # it had shared lines, but they were most of it


@dataclass(frozen=True)
class Boilerplate:
    """The shared lines of a corpus (sorted hashes and their document counts) and the rule applied with
    them.  Small (only shared lines), picklable, the same in both engines."""

    keys: np.ndarray
    counts: np.ndarray
    min_docs: int
    distinct: int = 0  # distinct lines counted, shared or not

    @classmethod
    def none(cls, min_docs: int = DEFAULT_MIN_DOCS) -> Boilerplate:
        """No shared lines (a corpus of fewer than ``min_docs`` documents has none)."""
        return cls(np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.uint32), min_docs)

    def documents(self, hashes: np.ndarray) -> np.ndarray:
        """How many documents contain each line (0 for a line that is not shared, and for blank lines)."""
        if not len(self.keys):
            return np.zeros(len(hashes), dtype=np.int64)
        pos = np.searchsorted(self.keys, hashes).clip(max=len(self.keys) - 1)
        found = self.keys[pos] == hashes
        return np.where(found & (hashes != 0), self.counts[pos].astype(np.int64), 0)

    def strip(self, text: str) -> Stripped:
        """``text`` without its shared lines, or whole when they are more than half of it (module docstring)."""
        if not len(self.keys):
            return Stripped(text, 0, False)
        hashes, lengths = line_hashes(text)
        shared = self.documents(hashes) > 0
        if not shared.any():
            return Stripped(text, 0, False)
        if int(lengths[shared].sum()) > int(lengths[~shared].sum()):
            return Stripped(text, 0, True)
        return Stripped(without_lines(text, shared.tolist()), int(shared.sum()), False)

    def shared_in(self, text: str) -> list[tuple[int, str, int]]:
        """``(line number from 1, line, documents)`` of each shared line of ``text``: what explain shows."""
        counts = self.documents(line_hashes(text)[0]).tolist()
        return [(i + 1, line.strip(), n) for i, (line, n) in enumerate(zip(text.split("\n"), counts, strict=True)) if n]

    def top(self, n: int = TOP_LINES) -> list[tuple[int, int]]:
        """The ``n`` lines most documents share, as ``(hash, documents)``; ties by hash, so both engines
        list the same lines."""
        order = np.lexsort((self.keys, -self.counts.astype(np.int64)))[:n]
        return [(int(self.keys[i]), int(self.counts[i])) for i in order]


def first_lines(text: str, wanted: Iterable[int]) -> dict[int, str]:
    """The first line of ``text`` (stripped) with each wanted hash: what a report shows for a shared line."""
    want = set(wanted)
    found: dict[int, str] = {}
    if not want:
        return found
    hashes = line_hashes(text)[0]
    for line, h in zip(text.split("\n"), hashes.tolist(), strict=True):
        if h in want and h not in found:
            found[h] = line.strip()
    return found


def without_lines(text: str, remove: Sequence[bool]) -> str:
    """``text`` without the lines marked in ``remove`` (one flag per line of ``text.split("\\n")``).

    A removed line takes its line break with it.  A paragraph (a run of non-blank lines) whose lines are
    all removed takes the blank lines after it too, or, when it was the last, the blank lines before it,
    so no hole is left; the final line break stays as it was.
    """
    lines = text.split("\n")
    final_break = len(lines) > 1 and lines[-1] == "" and not remove[-1]
    if final_break:
        lines, remove = lines[:-1], remove[:-1]
    parts: list[tuple[bool, list[str]]] = []  # (is a paragraph, its lines that stay)
    for line, gone in zip(lines, remove, strict=True):
        is_para = bool(line.strip())
        if not parts or parts[-1][0] != is_para:
            parts.append((is_para, []))
        if not gone:
            parts[-1][1].append(line)
    out: list[tuple[bool, list[str]]] = []
    skip_gap = False
    for i, (is_para, kept) in enumerate(parts):
        if is_para and not kept:  # a paragraph removed whole: drop the gap after it, or else the one before
            if i + 1 < len(parts):
                skip_gap = True
            elif out and not out[-1][0]:
                out.pop()
            continue
        if not is_para and skip_gap:
            skip_gap = False
            continue
        skip_gap = False
        out.append((is_para, kept))
    result = "\n".join(line for _, block in out for line in block)
    return result + "\n" if final_break and any(block for _, block in out) else result
