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
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

import numpy as np

from dedupe.cleaning.boilerplate import TOP_LINES, Boilerplate, LineCounts, first_lines
from dedupe.decide.decider import Decider, Outcome
from dedupe.decide.ids import IdCounter, rename_document, unique_ids
from dedupe.decide.policy import decided
from dedupe.document import Account, Document, Prepared, Removal
from dedupe.engines.parallel import ordered_map
from dedupe.engines.transport import PackedBatch, count_chunk, prepare_lines, prepare_packed, unpacked
from dedupe.io.jsonl import LineChunk, parse_chunk
from dedupe.io.spill import Spill
from dedupe.options import DEFAULT_EXECUTION, Execution, Options
from dedupe.prepare import Item, cleaned_texts, line_batch, prepare_batch, warm_up


def run_documents(
    items: Iterable[Item],
    opts: Options,
    account: Account,
    *,
    decider: Decider | None = None,
    assign_ids: bool = True,
    execution: Execution = DEFAULT_EXECUTION,
    boilerplate: Boilerplate | None = None,
) -> Iterator[Outcome]:
    """Every input item comes out exactly once: as a kept Document or as a Removal, in input order.

    Pass a ``decider`` to continue de-duplicating against what an earlier call kept; ``assign_ids=False``
    when the items already went through :func:`unique_ids`. With ``opts.boilerplate`` and no
    ``boilerplate`` (the corpus's shared lines, :func:`shared_lines`) given, the items are counted on their
    way into a temporary file and read back from there.
    """
    batches: Iterable[list[Item]] = batched(unique_ids(items) if assign_ids else items, execution.batch_size)
    spill = None
    if opts.boilerplate and boilerplate is None:
        spill = Spill(execution.temp_dir)
        boilerplate = shared_lines(lambda: _spilled(batches, spill), opts, execution, samples=False).table
        batches = iter(spill)
    try:
        if execution.jobs > 1:
            prepared_batches = _prepared_in_workers(batches, opts, execution.jobs, boilerplate)
        else:
            prepared_batches = ordered_map(
                prepare_batch, batches, extra=(opts, True, boilerplate), warm=lambda: warm_up(opts)
            )
        yield from decided(prepared_batches, opts, account, decider, execution)
    finally:
        if spill is not None:
            spill.close()


def run_lines(
    chunks: Iterable[LineChunk],
    opts: Options,
    account: Account,
    *,
    decider: Decider | None = None,
    execution: Execution = DEFAULT_EXECUTION,
    boilerplate: Boilerplate | None = None,
    write_lines: bool = False,
) -> Iterator[Outcome]:
    """:func:`run_documents` for a JSON Lines input given as raw lines: parsing runs with the rest of
    prepare_batch, in the workers with ``jobs`` > 1, so the parent only reads lines, decides and writes.
    ``write_lines`` (for a JSON Lines output in stream mode): the workers also write each document's output
    line (``Document.line``), and the documents come without their records.
    Documents get their input order and unique ids here, in order, as read_jsonl and unique_ids would
    have given them, so the outcomes are the same as run_documents gives for the parsed input.
    ``boilerplate`` must be given with ``opts.boilerplate`` (:func:`shared_lines` with ``lines=True``).
    """
    ids = IdCounter()
    read = 0  # documents read so far: the next one's Document.order

    def placed(results: Iterable[tuple[PackedBatch, list[int]]]) -> Iterator[list[Prepared | Removal]]:
        nonlocal read
        for packed, rejected in results:
            batch = unpacked(packed)
            read = _place(batch, set(rejected), ids, read)
            yield batch

    extra = (opts, execution.streaming(opts), boilerplate, write_lines)
    results = ordered_map(prepare_lines, chunks, jobs=execution.jobs, extra=extra, warm=lambda: warm_up(opts))
    yield from decided(placed(results), opts, account, decider, execution)


@dataclass
class SharedLines:
    """The first pass of ``--boilerplate``: the corpus's shared lines, and how the most common ones read."""

    table: Boilerplate
    samples: dict[int, str] = field(default_factory=dict)  # hash -> the line as its first document has it

    def report(self) -> dict[str, Any]:
        """The report's ``boilerplate`` section: the rule's setting, how many distinct lines were counted and
        found shared, and the most common shared lines (``{"line": text, "documents": n}``)."""
        top = [{"line": self.samples.get(h, ""), "documents": n} for h, n in self.table.top()]
        return {
            "min_docs": self.table.min_docs,
            "lines_counted": self.table.distinct,
            "lines_shared": len(self.table.keys),
            "top": top,
        }


def shared_lines(
    read: Callable[[], Iterable[Any]],
    opts: Options,
    execution: Execution = DEFAULT_EXECUTION,
    *,
    lines: bool = False,
    samples: bool = True,
    on_batch: Callable[[int, int], None] | None = None,
) -> SharedLines:
    """Count the lines of a corpus (``read()`` gives its batches of items, or with ``lines`` its JSON Lines
    chunks, afresh at each call) in ``execution.jobs`` processes; exact copies count once. With
    ``samples``, the corpus is read again from the start, in this process, until the first document
    holding each of the most common shared lines is found (usually within the first few batches).
    ``on_batch(items, chars)`` follows the first pass (a progress line)."""
    fn = count_chunk if lines else line_batch
    counts = LineCounts()
    seen: set[int] = set()
    for batch in ordered_map(fn, read(), jobs=execution.jobs, extra=(opts,), warm=lambda: warm_up(opts)):
        if on_batch is not None:
            on_batch(batch.items, batch.chars)
        new = []
        for i, family in enumerate(batch.families.tolist()):
            if family not in seen:
                seen.add(family)
                new.append(batch.lines[batch.bounds[i] : batch.bounds[i + 1]])
        if new:
            counts.add(np.concatenate(new))
    table = counts.boilerplate(opts.boilerplate_min_docs)
    found: dict[int, str] = {}
    wanted = {h for h, _ in table.top(TOP_LINES)} if samples else set()
    if wanted:
        for batch in read():
            items = parse_chunk(batch) if lines else batch
            for text in cleaned_texts(items, opts):
                if text is not None:
                    found.update(first_lines(text, wanted - found.keys()))
            if len(found) == len(wanted):
                break
    return SharedLines(table, found)


def _spilled(batches: Iterable[list[Item]], spill: Spill) -> Iterator[list[Item]]:
    """The batches, each also written to ``spill`` before anything can change its documents."""
    for batch in batches:
        spill.append(batch)
        yield batch


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


def _prepared_in_workers(
    batches: Iterable[list[Item]], opts: Options, jobs: int, boilerplate: Boilerplate | None
) -> Iterator[list[Prepared | Removal]]:
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
        prepare_packed, stripped(batches), jobs=jobs, extra=(opts, boilerplate), warm=lambda: warm_up(opts)
    )
    for packed in packed_batches:
        prepared = unpacked(packed)
        for p, record in zip(prepared, kept_records.popleft(), strict=True):
            if isinstance(p, Prepared):
                p.doc.record = record
        yield prepared


def batched(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
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
