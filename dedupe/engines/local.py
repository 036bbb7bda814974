"""The local engine: a run's documents prepared in batches (in worker processes with ``jobs`` > 1) and
decided in one process, in input order or the keep policy's.

    read -> [normalise -> repair repeats -> exact key -> MinHash signature]  -> exact + near decision -> write
             \\______________ prepare_batch: pure, per batch, parallel ______/    \\__ decide: one pass, in order __/

``prepare_batch`` is a pure function of a batch of documents, so it runs in worker processes without
changing any result. The decision is sequential: each document is checked against the documents kept so
far, so the output is the same for every ``jobs`` and every run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import Any

from dedupe.decide.decider import Decider, Outcome
from dedupe.decide.ids import IdCounter, rename_document, unique_ids
from dedupe.decide.policy import decided
from dedupe.document import Account, Document, Prepared, Removal
from dedupe.engines.parallel import ordered_map
from dedupe.engines.transport import PackedBatch, prepare_lines, prepare_packed, unpacked
from dedupe.io.jsonl import LineChunk
from dedupe.options import DEFAULT_EXECUTION, Execution, Options
from dedupe.prepare import Item, prepare_batch, warm_up


def run_documents(
    items: Iterable[Item],
    opts: Options,
    account: Account,
    *,
    decider: Decider | None = None,
    assign_ids: bool = True,
    execution: Execution = DEFAULT_EXECUTION,
) -> Iterator[Outcome]:
    """Every input item comes out exactly once: as a kept Document or as a Removal, in input order.

    Pass a ``decider`` to continue de-duplicating against what an earlier call kept; ``assign_ids=False``
    when the items already went through :func:`unique_ids`.
    """
    batches = _batched(unique_ids(items) if assign_ids else items, execution.batch_size)
    if execution.jobs > 1:
        prepared_batches = _prepared_in_workers(batches, opts, execution.jobs)
    else:
        prepared_batches = ordered_map(prepare_batch, batches, extra=(opts,), warm=lambda: warm_up(opts))
    yield from decided(prepared_batches, opts, account, decider, execution)


def run_lines(
    chunks: Iterable[LineChunk],
    opts: Options,
    account: Account,
    *,
    decider: Decider | None = None,
    execution: Execution = DEFAULT_EXECUTION,
) -> Iterator[Outcome]:
    """:func:`run_documents` for a JSON Lines input given as raw lines: parsing runs with the rest of
    prepare_batch, in the workers with ``jobs`` > 1, so the parent only reads lines, decides and writes.
    Documents get their input order and unique ids here, in order, as read_jsonl and unique_ids would
    have given them, so the outcomes are the same as run_documents gives for the parsed input.
    """
    ids = IdCounter()
    read = 0  # documents read so far: the next one's Document.order

    def placed(results: Iterable[tuple[PackedBatch, list[int]]]) -> Iterator[list[Prepared | Removal]]:
        nonlocal read
        for packed, rejected in results:
            batch = unpacked(packed)
            read = _place(batch, set(rejected), ids, read)
            yield batch

    extra = (opts, execution.streaming(opts))
    results = ordered_map(prepare_lines, chunks, jobs=execution.jobs, extra=extra, warm=lambda: warm_up(opts))
    yield from decided(placed(results), opts, account, decider, execution)


def _place(batch: list[Prepared | Removal], rejected: set[int], ids: IdCounter, read: int) -> int:
    """Give the documents of a batch parsed elsewhere their order and unique ids (a Removal that
    preparing made of a document is renamed too); returns the number of documents read after it."""
    for pos, p in enumerate(batch):
        if pos in rejected:
            continue
        if isinstance(p, Prepared):
            p.doc.order = read
            rename_document(p.doc, ids)
        else:
            new_id = ids.rename(p.id)
            if new_id is not None:
                batch[pos] = replace(p, id=new_id)
        read += 1
    return read


def _prepared_in_workers(batches: Iterable[list[Item]], opts: Options, jobs: int) -> Iterator[list[Prepared | Removal]]:
    """prepare_batch in worker processes. The records (every other field of a JSON Lines line, including its
    original text) stay here and are put back on the way out: workers need only the text, and pickling every
    record both ways would load this process, which also decides and writes."""
    kept_records: deque[list[dict[str, Any] | None]] = deque()

    def stripped(batches: Iterable[list[Item]]) -> Iterator[list[Item]]:
        for batch in batches:
            records: list[dict[str, Any] | None] = []
            for item in batch:  # prepare_batch gives one output per item, in order
                records.append(item.record if isinstance(item, Document) else None)
                if isinstance(item, Document):
                    item.record = None
            kept_records.append(records)
            yield batch

    packed_batches = ordered_map(
        prepare_packed, stripped(batches), jobs=jobs, extra=(opts,), warm=lambda: warm_up(opts)
    )
    for packed in packed_batches:
        prepared = unpacked(packed)
        for p, record in zip(prepared, kept_records.popleft(), strict=True):
            if isinstance(p, Prepared):
                p.doc.record = record
        yield prepared


def _batched(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    it = iter(items)
    while True:
        batch = list(islice(it, size))
        if not batch:
            return
        yield batch


def process(
    items: Iterable[Item],
    opts: Options,
    *,
    on_kept: Callable[[Document], None],
    on_removed: Callable[[Removal], None],
    account: Account | None = None,
    decider: Decider | None = None,
    execution: Execution = DEFAULT_EXECUTION,
) -> Account:
    """Run the pipeline and hand every outcome to a callback; returns the balanced account."""
    account = account or Account()
    for outcome in run_documents(items, opts, account, decider=decider, execution=execution):
        if isinstance(outcome, Removal):
            on_removed(outcome)
        else:
            on_kept(outcome)
    return account
