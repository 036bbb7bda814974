"""The one-pass near-duplicate index: kept documents so far, and a check of each new one against them.

Each new document is compared only with the kept documents it shares an LSH band with, and it is a
duplicate only when its estimated Jaccard similarity to one of them (the share of equal signature
values) reaches the threshold. So one lucky band never removes a document, and a document is only ever
removed as a duplicate of a *kept* document it is itself similar to: no chaining A~B~C where A and C
have little in common.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dedupe.near.lsh import band_keys, optimal_bands


@dataclass(frozen=True)
class Match:
    label: str  # the kept document's id
    similarity: float  # estimated Jaccard similarity


class NearDuplicateIndex:
    """Band tables plus the kept documents' signatures, grown as documents are kept."""

    def __init__(
        self, num_perm: int = 128, threshold: float = 0.8, bands: int | None = None, rows: int | None = None
    ) -> None:
        if bands is None or rows is None:
            auto_bands, auto_rows = optimal_bands(threshold, num_perm)
            bands = bands or auto_bands
            rows = rows or min(auto_rows, num_perm // bands)
        if bands * rows > num_perm:
            raise ValueError(f"{bands} bands x {rows} rows needs more than {num_perm} permutations")
        self.num_perm, self.threshold, self.bands, self.rows = num_perm, threshold, bands, rows
        self.tables: list[dict[int, int | list[int]]] = [{} for _ in range(bands)]
        self.labels: list[str] = []
        self._sigs = np.empty((1024, num_perm), dtype=np.uint32)
        self.candidates_checked = 0

    def __len__(self) -> int:
        return len(self.labels)

    def keys(self, signatures: np.ndarray) -> np.ndarray:
        return band_keys(signatures, self.bands, self.rows)

    def match(self, signature: np.ndarray, keys: np.ndarray) -> Match | None:
        """The most similar kept document at or above the threshold, or None."""
        found: set[int] = set()
        for table, key in zip(self.tables, keys.tolist()):
            hit = table.get(key)
            if hit is None:
                continue
            if isinstance(hit, int):
                found.add(hit)
            else:
                found.update(hit)
        if not found:
            return None
        cands = np.fromiter(found, dtype=np.int64, count=len(found))
        cands.sort()  # ties go to the earliest kept document, whatever the set order
        self.candidates_checked += len(cands)
        sims = (self._sigs[cands] == signature).mean(axis=1)
        best = int(np.argmax(sims))
        if sims[best] < self.threshold:
            return None
        return Match(self.labels[int(cands[best])], float(sims[best]))

    def add(self, label: str, signature: np.ndarray, keys: np.ndarray) -> None:
        idx = len(self.labels)
        if idx == len(self._sigs):
            self._sigs = np.concatenate([self._sigs, np.empty_like(self._sigs)])
        self._sigs[idx] = signature
        self.labels.append(label)
        for table, key in zip(self.tables, keys.tolist()):
            hit = table.get(key)
            if hit is None:
                table[key] = idx
            elif isinstance(hit, int):
                table[key] = [hit, idx]
            else:
                hit.append(idx)
