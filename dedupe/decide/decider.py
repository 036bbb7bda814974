"""The sequential decision, one document at a time in the order given: an exact duplicate of a kept
document (same digest), else a near duplicate of the best passing kept candidate (the LSH index), else kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from dedupe.decide import reasons
from dedupe.document import Account, Document, Prepared, Removal
from dedupe.near.index import NearDuplicateIndex, shingle_set
from dedupe.near.minhash import EMPTY, signatures
from dedupe.options import Options
from dedupe.prepare import digest

Outcome = Document | Removal


class Decider:
    """The sequential part: exact duplicates by digest, then near duplicates by the LSH index."""

    def __init__(
        self,
        opts: Options,
        account: Account,
        *,
        index: NearDuplicateIndex | None = None,
        seen: dict[bytes, int | str] | None = None,
        temp_dir: str | None = None,
    ) -> None:
        self.opts = opts
        self.account = account
        # digest -> the kept document: its number in the near index, or its id when it is not in the index
        # (no signature, or no near stage); numbers save memory and give exact duplicates a family too
        self.seen: dict[bytes, int | str] = {} if seen is None else seen
        self.index = index or NearDuplicateIndex(**index_options(opts, temp_dir))

    def kept_named(self, value: int | str) -> tuple[str, int]:
        """(id, index number or -1) of the kept document a ``seen`` value names."""
        return (value, -1) if isinstance(value, str) else (self.index.label(value), value)

    def restore(self, kept: list[tuple[str, str]]) -> None:
        """Remember documents an earlier, interrupted run kept: (id, cleaned text) pairs in their order."""
        texts = [text for _, text in kept]
        digests = [digest(text) for text in texts]
        if self.opts.near:
            sigs = signatures(
                texts, num_perm=self.opts.num_perm, ngram=self.opts.ngram, seed=self.opts.seed, mode=self.opts.shingle
            )
            query = self.index.begin(sigs)
        for i, (doc_id, text) in enumerate(kept):
            value: int | str = doc_id
            if self.opts.near and sigs[i][0] != EMPTY:
                shingles = None
                if self.opts.verify != "none":
                    shingles = shingle_set(text, ngram=self.opts.ngram, mode=self.opts.shingle)
                value = len(self.index)
                self.index.add(query, i, doc_id, sigs[i], shingles)
            if self.opts.exact:
                self.seen.setdefault(digests[i], value)

    def decide(self, prepared: list[Prepared]) -> Iterator[Outcome]:
        """Decide a batch in the given order (the keep policy's order). The band lookups for the whole batch
        happen at once (``index.begin``); a document with no candidate then costs a few dictionary steps."""
        if not prepared:
            return
        exact, seen, index = self.opts.exact, self.seen, self.index
        query = None
        if self.opts.near and prepared[0].signature is not None:
            signatures = np.stack([p.signature for p in prepared])
            query = index.begin(signatures)
            signed = (signatures[:, 0] != EMPTY).tolist()
        for i, p in enumerate(prepared):
            doc = p.doc
            if exact:
                hit = seen.get(p.digest)
                if hit is not None:
                    first, number = self.kept_named(hit)
                    yield reasons.exact_duplicate(doc.id, first, source=doc.source, kept_index=number)
                    continue
            value: int | str = doc.id
            if query is not None and signed[i]:
                match = index.match(query, i, p.signature, p.shingles)
                if match is not None:
                    yield reasons.near_duplicate(
                        doc.id, match.label, match.similarity, match.exact, source=doc.source, kept_index=match.index
                    )
                    continue
                value = len(index)
                index.add(query, i, doc.id, p.signature, p.shingles)
            if exact:
                seen[p.digest] = value
            yield doc


def index_options(opts: Options, temp_dir: str | None = None) -> dict[str, Any]:
    """The NearDuplicateIndex settings a run's options imply (``temp_dir``: where exact checks keep the
    kept documents' shingle sets)."""
    return {
        "num_perm": opts.num_perm,
        "threshold": opts.threshold,
        "bands": opts.bands,
        "rows": opts.rows,
        "verify": opts.verify,
        "temp_dir": temp_dir,
    }
