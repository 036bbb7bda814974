"""The one-pass near-duplicate index: the documents kept so far, and a check of each new one against them.

A new document is compared only with kept documents it shares an LSH band with (candidates), and it is a
duplicate only when its similarity to one of them reaches the threshold. So one lucky band never removes
a document, and a document is only ever removed as a duplicate of a *kept* document it is itself similar
to: no chaining A~B~C where A and C have little in common.

How similarity is decided (``verify``):

- ``none``: the MinHash estimate alone (share of equal signature values).
- ``auto`` (default): the estimate decides when it is clearly above or below the threshold (more than
  ``margin`` away); in between, the exact Jaccard similarity of the two shingle sets decides. The
  estimate from 128 permutations has a standard deviation of about 0.035 near 0.8, so without this half
  of the pairs right at the threshold would be missed.
- ``exact``: the exact Jaccard decides for every candidate the estimate puts within ``margin`` below
  the threshold or anywhere above it, and is what the removal log reports.

Memory per kept document, at 128 permutations and 16 bands: 4 bits per signature value (64 bytes: the
estimate only needs to tell equal from unequal, and the chance that two different values agree in their
low 4 bits, 1/16, is corrected for), 8 bytes per band (a 32-bit key and the document's number, in sorted
arrays searched with numpy), the id, and 4 bytes for its family (below). Exact checks read the kept
documents' shingle sets (sorted 32-bit shingle hashes, computed by the workers that prepare documents)
back from a temporary file.

Families (the clusters a run reports): a removed document names ONE kept document it duplicates, but it
may pass the check against several kept documents, which are then too far from each other for either to
remove the other. They belong together all the same: syndicated copies of one story, each edited
differently, form such a family. So every other kept candidate a removed document passes joins the family
of the one it names (a union-find over kept documents; a candidate already in that family is not checked
again). Families never change what is kept or removed; they only group documents for reports.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dedupe.near import verify as rule
from dedupe.near.lsh import band_keys
from dedupe.near.shingles import shingle_hashes, shingle_hashes_many


@dataclass(frozen=True)
class Match:
    label: str  # the kept document's id
    similarity: float  # exact Jaccard when it was computed, else the estimate
    exact: bool = False
    index: int = -1  # the kept document's number in the index


class Families:
    """Union-find over kept documents (their index numbers). The root of a family is its earliest kept
    document, so a family's name does not depend on the order in which its parts were joined."""

    def __init__(self, parent: np.ndarray | None = None) -> None:
        self.parent = array("i", [] if parent is None else parent.tolist())
        self.joins = array("i")  # every union that joined two families, as (a, b) pairs: resuming replays them

    def __len__(self) -> int:
        return len(self.parent)

    def add(self, count: int = 1) -> None:
        """Add ``count`` kept documents, each a family of its own."""
        self.parent.extend(range(len(self.parent), len(self.parent) + count))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving keeps later finds short
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
            self.joins.extend((a, b))

    def roots(self) -> np.ndarray:
        """The root of every kept document at once (pointer jumping until nothing moves)."""
        roots = np.frombuffer(self.parent, dtype=np.int32).astype(np.int64)
        while True:
            jumped = roots[roots]
            if np.array_equal(jumped, roots):
                return roots
            roots = jumped


class _Growable:
    """A 2-D numpy array that grows by doubling; rows are appended."""

    def __init__(self, width: int, dtype: type) -> None:
        self.data = np.empty((1024, width), dtype=dtype)
        self.n = 0

    def extend(self, rows: np.ndarray) -> None:
        while self.n + len(rows) > len(self.data):
            self.data = np.concatenate([self.data, np.empty_like(self.data)])
        self.data[self.n : self.n + len(rows)] = rows
        self.n += len(rows)

    @property
    def nbytes(self) -> int:
        return self.n * self.data.shape[1] * self.data.itemsize


class ShingleStore:
    """Kept documents' shingle sets (sorted unique uint32 hashes), read back only for exact checks: a saved
    file (read-only) plus an unlinked temporary file for the documents added in this run. New sets wait in
    memory until one is read back or the batch ends, so a batch costs one write, not one per document."""

    def __init__(self, directory: str | None = None, base: Path | None = None) -> None:
        self._fh = tempfile.TemporaryFile(dir=directory)
        self._ends = array("q")
        self._base = open(base, "rb") if base is not None else None  # noqa: SIM115 - held for the run
        self._base_size = base.stat().st_size if base is not None else 0
        self._size = self._base_size
        self._waiting: list[bytes] = []
        self._unflushed = False  # written to the temporary file since it was last flushed

    def extend(self, sets: list[np.ndarray]) -> None:
        for shingles in sets:
            data = np.ascontiguousarray(shingles, dtype="<u4").tobytes()
            self._waiting.append(data)
            self._size += len(data)
            self._ends.append(self._size)

    def write_waiting(self) -> None:
        if self._waiting:
            self._fh.write(b"".join(self._waiting))
            self._waiting.clear()
            self._unflushed = True

    def get(self, idx: int) -> np.ndarray:
        start = self._ends[idx - 1] if idx else 0
        length = self._ends[idx] - start
        if start < self._base_size:
            assert self._base is not None
            data = os.pread(self._base.fileno(), length, start)
        else:
            self.write_waiting()
            if self._unflushed:
                self._fh.flush()
                self._unflushed = False
            data = os.pread(self._fh.fileno(), length, start - self._base_size)
        return np.frombuffer(data, dtype="<u4")

    def extend_ends(self, ends: np.ndarray) -> None:
        self._ends.extend(int(e) for e in ends)

    def save(self, path: Path) -> np.ndarray:
        """Write every shingle set (saved and new) to ``path``; returns the end offsets."""
        self.write_waiting()
        self._fh.flush()
        with open(path, "wb") as out:
            if self._base is not None:
                self._base.seek(0)
                shutil.copyfileobj(self._base, out)
            self._fh.seek(0)
            shutil.copyfileobj(self._fh, out)
            self._fh.seek(0, os.SEEK_END)
        return np.frombuffer(self._ends, dtype=np.int64).copy()

    def close(self) -> None:
        self._fh.close()
        if self._base is not None:
            self._base.close()


class BatchQuery:
    """One batch in the index: its band keys and 4-bit signatures, each document's candidates among the
    documents kept before the batch began (``found``), whether it shares a band key with an earlier document
    of the same batch (``has_earlier``; which ones: :meth:`earlier`), and the index numbers of the batch's
    documents kept so far (``added``: position in the batch -> number)."""

    def __init__(
        self, keys: np.ndarray, nibbles: np.ndarray, found: list[np.ndarray], order: np.ndarray, queries: np.ndarray
    ) -> None:
        self.keys = keys
        self.nibbles = nibbles
        self.found = found
        self.added: dict[int, int] = {}
        self.filed = 0  # how many of ``added`` are in the index's band tables
        # ``queries``: the batch's keys sorted stably (``order``: their flat positions), so within a run of
        # equal keys the documents come in batch order; ``_same[p]``: sorted position p has p - 1's key
        self._bands = keys.shape[1]
        self._order = order
        self._same = np.zeros(len(queries), dtype=bool)
        np.equal(queries[1:], queries[:-1], out=self._same[1:])
        has = np.zeros(len(keys), dtype=bool)
        has[order[self._same] // self._bands] = True
        self.has_earlier: list[bool] = has.tolist()
        self._rank: np.ndarray | None = None  # sorted position of each flat position, made when first needed

    def earlier(self, i: int) -> set[int]:
        """The earlier documents of the batch that share a band key with document ``i``. Found when a
        document asks (only documents with ``has_earlier`` do), so a batch that is never matched, such as a
        restored index's, costs nothing here however many of its documents share keys."""
        if self._rank is None:
            self._rank = np.empty(len(self._order), dtype=np.int64)
            self._rank[self._order] = np.arange(len(self._order))
        same, order, bands = self._same, self._order, self._bands
        out: set[int] = set()
        for p in self._rank[i * bands : (i + 1) * bands].tolist():
            while same[p]:  # walk back through the run of this key: earlier documents of the batch
                p -= 1
                out.add(int(order[p]) // bands)
        out.discard(i)  # a document whose two bands share a key
        return out


class NearDuplicateIndex:
    """Band tables, 4-bit signatures and ids of the kept documents, grown as documents are kept."""

    def __init__(
        self,
        num_perm: int = 128,
        threshold: float = 0.8,
        bands: int | None = None,
        rows: int | None = None,
        *,
        verify: str = "auto",
        margin: float = rule.MARGIN,
        exact_similarity: Callable[[np.ndarray, np.ndarray], float] | None = None,
        temp_dir: str | None = None,
        pending_limit: int = 1 << 16,
        shingles_base: Path | None = None,
    ) -> None:
        rule.check_verify(verify)
        bands, rows = rule.banding(num_perm, threshold, bands, rows)
        self.num_perm, self.threshold, self.bands, self.rows = num_perm, threshold, bands, rows
        self.verify, self.margin = verify, margin
        self.exact_similarity = exact_similarity or jaccard_of_sets
        self._nib = _Growable((num_perm + 1) // 2, np.uint8)
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # sorted (key, document number) arrays
        # entries not yet in a run: in the order they were added (what a run is built from), and sorted
        # (what lookups search)
        self._pending_keys = array("I")
        self._pending_idx = array("I")
        self._pending_sorted = (np.empty(0, np.uint32), np.empty(0, np.uint32))
        self._open: BatchQuery | None = None  # the batch whose kept documents are not all filed yet
        self._pending_limit = pending_limit
        self._label_bytes = bytearray()
        self._label_ends = array("q")
        self._shingles = ShingleStore(temp_dir, shingles_base) if verify != "none" else None
        self._families = Families()
        self._kept = 0  # documents in the index, the open batch's unfiled ones included
        self._unfiled: list[tuple[int, str, np.ndarray | None]] = []  # (position, id, shingles) of the open batch
        self.candidates_checked = 0
        self.exact_checks = 0
        self.family_checks = 0

    def __len__(self) -> int:
        return self._kept

    @property
    def families(self) -> Families:
        self._file_kept()
        return self._families

    def label(self, idx: int) -> str:
        filed = len(self._label_ends)
        if idx >= filed:  # kept in the open batch and not filed yet
            return self._unfiled[idx - filed][1]
        start = self._label_ends[idx - 1] if idx else 0
        return self._label_bytes[start : self._label_ends[idx]].decode("utf-8", "surrogatepass")

    def begin(self, signatures: np.ndarray) -> BatchQuery:
        """Start a batch: compute its band keys, look them all up in the sorted tables at once, and find
        which documents of the batch share a key with an earlier one (only those can be candidates of each
        other). A document with neither is decided without a lookup of its own."""
        self._file_open_batch()
        keys = (band_keys(signatures, self.bands, self.rows) >> np.uint64(32)).astype(np.uint32)
        per_doc: list[list[np.ndarray]] = [[] for _ in range(len(keys))]
        flat = keys.ravel()
        order = np.argsort(flat, kind="stable")  # sorted queries walk each table once, front to back
        queries = flat[order]
        for run_keys, run_idx in [*self._runs, self._pending_sorted]:
            if not len(run_keys):
                continue
            lo = np.searchsorted(run_keys, queries, "left")
            present = np.flatnonzero(run_keys[np.minimum(lo, len(run_keys) - 1)] == queries)
            if not len(present):
                continue
            hi = np.searchsorted(run_keys, queries[present], "right")
            for h, start, stop in zip(order[present].tolist(), lo[present].tolist(), hi.tolist(), strict=True):
                per_doc[h // self.bands].append(run_idx[start:stop])
        empty = np.empty(0, dtype=np.uint32)
        found = [np.concatenate(parts) if parts else empty for parts in per_doc]
        query = BatchQuery(keys, rule.nibbles(signatures), found, order, queries)
        self._open = query
        return query

    def match(self, query: BatchQuery, i: int, signature: np.ndarray, shingles: np.ndarray | None) -> Match | None:
        """The most similar kept document that passes the check, or None.

        Candidates are tried most similar first by estimate (ties: the earliest kept document). When one
        passes, the rest are still tried against the check, except those already in its family, and each
        that passes joins the family (see the module doc); the decision is the first one's alone.
        """
        found, has_earlier = query.found[i], query.has_earlier[i]
        if not len(found) and not has_earlier:
            return None
        cands = set(found.tolist())
        if has_earlier:  # candidates kept earlier in this batch (they may not be filed yet)
            cands.update(query.added[j] for j in query.earlier(i) if j in query.added)
            self._file_kept()
        if not cands:
            return None
        idx = np.fromiter(sorted(cands), dtype=np.int64, count=len(cands))
        self.candidates_checked += len(idx)
        est = rule.estimate(self._nib.data[idx], query.nibbles[i], self.num_perm)
        best: Match | None = None
        for j in rule.candidate_order(est).tolist():
            e = float(est[j])
            if not rule.worth_checking(e, self.threshold, self.margin):
                break
            k = int(idx[j])
            if best is not None and self._families.find(k) == self._families.find(best.index):
                continue
            passed = self._check(e, k, shingles, deciding=best is None)
            if passed is None:
                continue
            if best is None:
                best = Match(self.label(k), passed[0], passed[1], k)
            else:
                self._families.union(best.index, k)
        return best

    def _check(self, e: float, k: int, shingles: np.ndarray | None, *, deciding: bool) -> tuple[float, bool] | None:
        """(similarity, exactly computed) when kept document ``k`` passes the check at estimate ``e``, else
        None. ``deciding``: the check decides the document (counted in ``exact_checks``), rather than only
        its family (``family_checks``)."""

        def exact() -> float:
            assert self._shingles is not None and shingles is not None, "exact checks need shingle sets"
            if deciding:
                self.exact_checks += 1
            else:
                self.family_checks += 1
            return self.exact_similarity(shingles, self._shingles.get(k))

        return rule.check(e, self.threshold, self.verify, exact, self.margin)

    def add(self, query: BatchQuery, i: int, label: str, signature: np.ndarray, shingles: np.ndarray | None) -> None:
        """Keep document ``i`` of the open batch: it is a candidate for the rest of this batch at once
        (through ``query.earlier``) and for later batches once the batch is filed. Its signature, id and
        shingle set are filed for the whole batch at once (:meth:`_file_kept`), when a candidate check,
        a label or the next batch needs them."""
        assert query is self._open, "documents are added to the batch begun last"
        if self._shingles is not None:
            assert shingles is not None, "this index keeps shingle sets for exact checks"
        query.added[i] = self._kept
        self._kept += 1
        self._unfiled.append((i, label, shingles))

    def _file_kept(self) -> None:
        """File the open batch's kept documents that are not filed yet: 4-bit signatures, ids, shingle sets
        and families, in the order they were kept."""
        if not self._unfiled:
            return
        unfiled, self._unfiled = self._unfiled, []
        assert self._open is not None
        self._families.add(len(unfiled))
        self._nib.extend(self._open.nibbles[[i for i, _, _ in unfiled]])
        ends = self._label_ends
        for _, label, _ in unfiled:
            self._label_bytes += label.encode("utf-8", "surrogatepass")
            ends.append(len(self._label_bytes))
        if self._shingles is not None:
            self._shingles.extend([shingles for _, _, shingles in unfiled])  # type: ignore[misc]

    def _file_open_batch(self) -> None:
        """Put the band keys of the open batch's kept documents into the pending entries (in the order
        they were kept, band by band) and into the sorted view lookups search; or, when that makes the
        pending entries reach their limit, merge them all into a run (a restored index's documents, one
        batch, go there at once, never through the sorted view)."""
        self._file_kept()
        query = self._open
        if query is None or query.filed == len(query.added):
            return
        items = list(query.added.items())[query.filed :]
        query.filed = len(query.added)
        positions = np.fromiter((i for i, _ in items), dtype=np.int64, count=len(items))
        numbers = np.fromiter((n for _, n in items), dtype=np.uint32, count=len(items))
        keys = np.ascontiguousarray(query.keys[positions].ravel())
        idx = np.repeat(numbers, self.bands)
        self._pending_keys.frombytes(keys.tobytes())
        self._pending_idx.frombytes(idx.tobytes())
        if self._shingles is not None:
            self._shingles.write_waiting()
        if len(self._pending_keys) >= self._pending_limit:
            self._merge()
            return
        order = np.argsort(keys, kind="stable")
        keys, idx = keys[order], idx[order]
        old_keys, old_idx = self._pending_sorted
        at = np.searchsorted(old_keys, keys, "right")
        self._pending_sorted = (np.insert(old_keys, at, keys), np.insert(old_idx, at, idx))

    def _merge(self) -> None:
        """Turn the pending entries into a sorted run, then merge runs of similar size (a binary counter),
        so every entry is copied O(log n) times in all and a lookup searches O(log n) runs. (The open batch's
        kept documents are filed first by the callers.)"""
        keys = np.frombuffer(self._pending_keys, dtype=np.uint32)
        idx = np.frombuffer(self._pending_idx, dtype=np.uint32)
        order = np.argsort(keys, kind="stable")
        self._runs.append((keys[order], idx[order]))
        self._pending_keys = array("I")
        self._pending_idx = array("I")
        self._pending_sorted = (np.empty(0, np.uint32), np.empty(0, np.uint32))
        while len(self._runs) >= 2 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (k1, i1), (k2, i2) = self._runs.pop(-2), self._runs.pop()
            keys, idx = np.concatenate([k1, k2]), np.concatenate([i1, i2])
            order = np.argsort(keys, kind="stable")  # two sorted runs: timsort merges them in linear time
            self._runs.append((keys[order], idx[order]))

    def save(self, folder: Path) -> None:
        """Write the kept documents (band table, 4-bit signatures, ids, shingle sets) as files in ``folder``."""
        self._file_open_batch()
        if self._pending_keys:
            self._merge()
        if len(self._runs) > 1:
            keys = np.concatenate([k for k, _ in self._runs])
            idx = np.concatenate([i for _, i in self._runs])
            order = np.argsort(keys, kind="stable")
            self._runs = [(keys[order], idx[order])]
        keys, idx = self._runs[0] if self._runs else (np.empty(0, np.uint32), np.empty(0, np.uint32))
        np.save(folder / "band_keys.npy", keys)
        np.save(folder / "band_docs.npy", idx)
        np.save(folder / "nibbles.npy", self._nib.data[: self._nib.n])
        (folder / "ids.bin").write_bytes(bytes(self._label_bytes))
        np.save(folder / "id_ends.npy", np.frombuffer(self._label_ends, dtype=np.int64))
        np.save(folder / "families.npy", self.families.roots())
        if self._shingles is not None:
            np.save(folder / "shingle_ends.npy", self._shingles.save(folder / "shingles.bin"))

    @classmethod
    def load(cls, folder: Path, **options) -> NearDuplicateIndex:
        """An index holding the documents saved in ``folder``; ``options`` as for the constructor."""
        index = cls(**options, shingles_base=folder / "shingles.bin")
        keys, idx = np.load(folder / "band_keys.npy"), np.load(folder / "band_docs.npy")
        if len(keys):
            index._runs = [(keys, idx)]
        nibbles = np.load(folder / "nibbles.npy")
        if nibbles.shape[1] != index._nib.data.shape[1]:
            raise ValueError(f"saved signatures have {nibbles.shape[1] * 2} values, not {index.num_perm}")
        index._nib.data = np.concatenate([nibbles, np.empty((max(1024, len(nibbles)), nibbles.shape[1]), np.uint8)])
        index._nib.n = len(nibbles)
        index._label_bytes = bytearray((folder / "ids.bin").read_bytes())
        index._label_ends = array("q", np.load(folder / "id_ends.npy").tolist())
        families = folder / "families.npy"  # absent in indexes saved before families existed: all apart
        index._families = Families(np.load(families) if families.is_file() else np.arange(len(index._label_ends)))
        index._kept = len(index._label_ends)
        if index._shingles is not None:
            index._shingles.extend_ends(np.load(folder / "shingle_ends.npy"))
        return index

    def memory_bytes(self) -> int:
        """Bytes held for the kept documents (tables, signatures, ids, pending entries)."""
        self._file_kept()
        arrays = sum(k.nbytes + i.nbytes for k, i in self._runs) + self._nib.nbytes
        ids = len(self._label_bytes) + self._label_ends.itemsize * len(self._label_ends)
        ids += self.families.parent.itemsize * len(self._families)
        pending = len(self._pending_keys) * 8 + sum(a.nbytes for a in self._pending_sorted)
        return arrays + ids + pending

    def close(self) -> None:
        if self._shingles is not None:
            self._shingles.close()


def shingle_set(text: str, *, ngram: int = 5, mode: str = "word") -> np.ndarray:
    """A text's shingles as sorted unique 32-bit hashes: what exact checks compare."""
    return _sorted_unique(shingle_hashes(text, ngram=ngram, mode=mode))


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values. ``np.unique`` in numpy 2.3+ takes a hash-table path for integers that is
    several times slower than sorting here."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def shingle_sets(texts: list[str], *, ngram: int = 5, mode: str = "word") -> list[np.ndarray]:
    """:func:`shingle_set` for a batch, with one sort for all of them instead of one per document (a small
    small sort costs more than hashing the document)."""
    parts = shingle_hashes_many(texts, ngram=ngram, mode=mode)
    lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    owner = np.repeat(np.arange(len(parts), dtype=np.uint64), lengths)
    keys = _sorted_unique(
        (owner << np.uint64(32)) | np.concatenate(parts or [np.empty(0, np.uint32)]).astype(np.uint64)
    )
    bounds = np.searchsorted(keys >> np.uint64(32), np.arange(len(parts) + 1, dtype=np.uint64))
    values = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return [values[bounds[i] : bounds[i + 1]] for i in range(len(parts))]


def jaccard_of_sets(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique hash arrays (two empty sets are identical)."""
    if not len(a) and not len(b):
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def exact_jaccard(a: str, b: str, *, ngram: int = 5, mode: str = "word") -> float:
    """Exact Jaccard similarity of two texts' shingle sets, compared by their 32-bit shingle hashes.

    Two different shingles of one pair of documents share a hash with odds of about 1 in 10^4 for 3 KB
    documents, so this equals the Jaccard of the shingles themselves to the fourth decimal."""
    return jaccard_of_sets(shingle_set(a, ngram=ngram, mode=mode), shingle_set(b, ngram=ngram, mode=mode))
