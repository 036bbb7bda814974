"""Reports for people choosing a threshold or checking a run: candidate pairs and duplicate clusters.

Both prepare the corpus exactly as a run does (normalise, repair, sign) and keep the prepared documents
in memory, so they are meant for a sample or a corpus of moderate size, not for the full crawl.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from dedupe.decide.clusters import family_key, kept_by_family
from dedupe.decide.decider import Decider
from dedupe.document import Account, Document, Prepared, Removal
from dedupe.engines.local import run_documents
from dedupe.near.index import exact_jaccard
from dedupe.near.lsh import band_keys, recall_bands
from dedupe.options import DEFAULT_EXECUTION, Execution, Options
from dedupe.prepare import prepare_batch


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    estimated: float  # share of equal MinHash values (full 32-bit signatures)
    exact: float  # exact Jaccard of the shingle sets

    def to_json(self) -> dict:
        return {"a": self.a, "b": self.b, "estimated": round(self.estimated, 4), "exact": round(self.exact, 4)}


def prepare_all(
    items: Iterable[Document | Removal], opts: Options, batch_size: int = DEFAULT_EXECUTION.batch_size
) -> list[Prepared]:
    """Every document that survives reading and cleaning, prepared as a run would prepare it."""
    out: list[Prepared] = []
    batch: list[Document | Removal] = []
    for item in items:
        batch.append(item)
        if len(batch) == batch_size:
            out.extend(p for p in prepare_batch(batch, opts) if isinstance(p, Prepared))
            batch = []
    if batch:
        out.extend(p for p in prepare_batch(batch, opts) if isinstance(p, Prepared))
    return out


def candidate_pairs(docs: list[Prepared], opts: Options, minimum: float) -> Iterator[Pair]:
    """Pairs that share an LSH band tuned for ``minimum`` and reach it by estimate or exactly.

    Bands come from ``minimum`` (not the run's threshold) so that pairs down to it are found; each pair is
    reported once, most similar first.
    """
    if len(docs) < 2:
        return
    sigs = np.stack([p.signature for p in docs])
    bands, rows = recall_bands(minimum, opts.num_perm)
    keys = band_keys(sigs, bands, rows)
    buckets: dict[int, list[int]] = defaultdict(list)
    for i, row in enumerate(keys.tolist()):
        for key in row:
            buckets[key].append(i)
    seen: set[tuple[int, int]] = set()
    pairs: list[Pair] = []
    for members in buckets.values():
        for i, j in combinations(members, 2):
            if (i, j) in seen:
                continue
            seen.add((i, j))
            est = float((sigs[i] == sigs[j]).mean())
            exact = exact_jaccard(docs[i].doc.text, docs[j].doc.text, ngram=opts.ngram, mode=opts.shingle)
            if max(est, exact) >= minimum:
                pairs.append(Pair(docs[i].doc.id, docs[j].doc.id, est, exact))
    pairs.sort(key=lambda p: (-p.exact, -p.estimated, p.a, p.b))
    yield from pairs


def clusters(
    items: Iterable[Document | Removal], opts: Options, execution: Execution = DEFAULT_EXECUTION
) -> Iterator[dict]:
    """Each cluster of a run with the similarity of every pair of its members, largest first.

    A cluster is what ``dedupe run --clusters`` writes (see :mod:`dedupe.decide.clusters`): a family of kept
    documents joined by removed documents similar to more than one of them, and every document removed
    as a duplicate of one of them. ``kept`` is its earliest kept document, ``also_kept`` the others."""
    account = Account()
    texts: dict[str, str] = {}
    sigs: dict[str, np.ndarray] = {}

    prepared = prepare_all(items, opts, execution.batch_size)
    for p in prepared:
        texts[p.doc.id] = p.doc.text
        sigs[p.doc.id] = p.signature
    decider = Decider(opts, account, temp_dir=execution.temp_dir)
    duplicates: list[Removal] = []
    # the documents are already cleaned; cleaning again changes nothing (it is idempotent)
    for outcome in run_documents([p.doc for p in prepared], opts, account, decider=decider, execution=execution):
        if isinstance(outcome, Removal) and outcome.duplicate_of is not None:
            duplicates.append(outcome)
    # families are final only now: a later removal can join two families that earlier ones named apart
    roots = decider.index.families.roots()
    removed: dict[tuple[int, str], list[Removal]] = defaultdict(list)
    for r in duplicates:
        removed[family_key(r.kept_index, str(r.duplicate_of), roots)].append(r)
    members_of = kept_by_family(roots)
    groups = []
    for (root, kept_id), members in removed.items():
        kept = [decider.index.label(k) for k in members_of(root)] if root >= 0 else [kept_id]
        groups.append((kept, members))
    groups.sort(key=lambda g: (-len(g[0]) - len(g[1]), g[0][0]))
    for kept, members in groups:
        ids = kept + [r.id for r in members]
        pairs = [
            Pair(
                a,
                b,
                float((sigs[a] == sigs[b]).mean()),
                exact_jaccard(texts[a], texts[b], ngram=opts.ngram, mode=opts.shingle),
            ).to_json()
            for a, b in combinations(ids, 2)
        ]
        yield {
            "kept": kept[0],
            "also_kept": kept[1:],
            "size": len(ids),
            "members": [
                {"id": r.id, "step": r.step, "duplicate_of": r.duplicate_of, "similarity": r.similarity}
                for r in members
            ],
            "pairs": pairs,
        }
