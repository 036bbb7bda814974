"""The order of decisions: in input order as documents arrive (stream mode), or in the keep policy's order
once every document is spilled to disk (batch mode), with ``--drop-all`` applied at the end; and the
account of every outcome.

Both modes give every item's outcome exactly once, in input order, so the writers never see the policy.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from dedupe.decide import keep, reasons
from dedupe.decide.decider import Decider, Outcome
from dedupe.document import Account, Prepared, Removal
from dedupe.io.spill import Spill
from dedupe.options import DEFAULT_EXECUTION, Execution, Options


def decided(
    prepared_batches: Iterable[list[Prepared | Removal]],
    opts: Options,
    account: Account,
    decider: Decider | None = None,
    execution: Execution = DEFAULT_EXECUTION,
) -> Iterator[Outcome]:
    """The sequential half of a run: every prepared batch decided, in input order or the keep policy's.
    Every item of a batch is counted as read here, once, whichever way the batches were prepared."""
    decider = decider or Decider(opts, account, temp_dir=execution.temp_dir)
    prepared_batches = _counted(prepared_batches, account)
    if execution.streaming(opts):
        for batch in prepared_batches:
            yield from _decide_in_order(batch, decider, account)
    else:
        yield from _decide_by_policy(prepared_batches, decider, opts, account, execution)
    if opts.near:
        index = decider.index
        account.near_stage(
            candidates=index.candidates_checked, exact_checks=index.exact_checks, bands=index.bands, rows=index.rows
        )


def _counted(batches: Iterable[list[Prepared | Removal]], account: Account) -> Iterator[list[Prepared | Removal]]:
    for batch in batches:
        account.read += len(batch)
        yield batch


def account_for(p: Prepared | Removal, outcome: Outcome, account: Account) -> None:
    """Count one item's outcome (``p``: the item as prepared)."""
    removal = outcome if isinstance(outcome, Removal) else None
    chars_out = 0 if removal is not None else len(outcome.text)
    if isinstance(p, Prepared):
        account.add(removal, chars_out=chars_out, chars_in=p.stats.get("chars_in", 0), edits=p.doc.edits)
    else:
        account.add(removal, chars_out=chars_out)


def _decide_in_order(batch: list[Prepared | Removal], decider: Decider, account: Account) -> Iterator[Outcome]:
    ready = [p for p in batch if isinstance(p, Prepared)]
    decisions = iter(decider.decide(ready))
    for p in batch:
        outcome = next(decisions) if isinstance(p, Prepared) else p
        account_for(p, outcome, account)
        yield outcome


def _spill_all(
    prepared_batches: Iterable[list[Prepared | Removal]], opts: Options, spill: Spill
) -> tuple[array, list[int]]:
    """Every prepared item into ``spill``; returns where each prepared document lies in it (input order)
    and the order of those documents by the keep policy's rank key."""
    positions = array("q")
    keys: list[bytes] = []
    for batch in prepared_batches:
        for p in batch:
            pos = spill.append(p)
            if isinstance(p, Prepared):
                positions.append(pos)
                keys.append(keep.rank_key(keep.policy_value(p.doc.text, p.doc.record, opts.keep, opts.keep_by)))
    spill.flush()
    return positions, keep.policy_order(keys)


def _decide_by_policy(
    prepared_batches: Iterable[list[Prepared | Removal]],
    decider: Decider,
    opts: Options,
    account: Account,
    execution: Execution,
) -> Iterator[Outcome]:
    """Batch mode: spill every prepared document, decide them in the keep policy's order (so the one a
    policy prefers is kept and the others are removed as its duplicates), then read them back and give the
    outcomes in input order.

    Memory holds a few numbers per document (spill offsets, the rank key, where each decision went), not
    the corpus: the decisions themselves are spilled too.
    """
    items, decisions = Spill(execution.temp_dir), Spill(execution.temp_dir)
    try:
        positions, ranked = _spill_all(prepared_batches, opts, items)
        account.count("batch", "spilled_bytes", items.nbytes)
        removal_at = np.full(len(items), -1, dtype=np.int64)  # spill position -> its Removal's
        drop = _DropAll(decider, len(items)) if opts.drop_all else None
        step = execution.batch_size
        for start in range(0, len(ranked), step):
            chunk_pos = [positions[j] for j in ranked[start : start + step]]
            chunk = [items.get(pos) for pos in chunk_pos]
            for pos, outcome in zip(chunk_pos, decider.decide(chunk), strict=True):
                if isinstance(outcome, Removal):
                    removal_at[pos] = decisions.append(outcome)
                if drop is not None:
                    drop.note(pos, outcome)
        decisions.flush()
        in_cluster = drop.in_cluster() if drop is not None else None
        for pos, p in enumerate(items):
            outcome: Outcome
            if isinstance(p, Removal):
                outcome = p
            elif removal_at[pos] >= 0:
                outcome = decisions.get(int(removal_at[pos]))
            elif in_cluster is not None and in_cluster(pos, p.doc.id):
                outcome = reasons.dropped(p.doc.id, source=p.doc.source)
            else:
                outcome = p.doc
            account_for(p, outcome, account)
            yield outcome
    finally:
        items.close()
        decisions.close()


class _DropAll:
    """Which kept documents --drop-all removes: every kept member of a cluster (see dedupe.decide.clusters),
    that is every kept document whose family some removed document names. Families are only final once
    every document is decided, so this notes each decision (a few bytes a document) and answers afterwards."""

    def __init__(self, decider: Decider, size: int) -> None:
        self.decider = decider
        self.kept_at = np.full(size, -1, dtype=np.int64)  # spill position -> the kept document's index number
        self.named = array("q")  # index numbers of kept documents that removals name
        self.named_ids: set[str] = set()  # kept documents outside the near index that removals name
        self.indexed = len(decider.index)

    def note(self, pos: int, outcome: Outcome) -> None:
        if isinstance(outcome, Removal):
            if outcome.duplicate_of is None:
                return
            if outcome.kept_index >= 0:
                self.named.append(outcome.kept_index)
            else:
                self.named_ids.add(outcome.duplicate_of)
        elif len(self.decider.index) > self.indexed:  # a kept document with a signature joins the index
            self.indexed = len(self.decider.index)
            self.kept_at[pos] = self.indexed - 1

    def in_cluster(self) -> Callable[[int, str], bool]:
        roots = self.decider.index.families.roots()
        named_roots = np.zeros(len(roots), dtype=bool)
        named_roots[roots[np.frombuffer(self.named, dtype=np.int64)]] = True

        def test(pos: int, doc_id: str) -> bool:
            k = int(self.kept_at[pos])
            return doc_id in self.named_ids or (k >= 0 and bool(named_roots[roots[k]]))

        return test
