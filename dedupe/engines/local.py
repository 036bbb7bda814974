"""The whole flow of a run, readable in one screen.

    read -> [normalise -> repair repeats -> exact key -> MinHash signature]  -> exact + near decision -> write
             \\______________ prepare_batch: pure, per batch, parallel ______/    \\__ decide: one pass, in order __/

``prepare_batch`` is a pure function of a batch of documents, so it runs in worker processes (``jobs``)
without changing any result. The decision is sequential and in input order: each document is checked
against the documents kept so far, so the output is the same for every ``jobs`` and every run.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from itertools import islice
from typing import Any

import numpy as np

from dedupe.clean import normalize as normalize_mod
from dedupe.clean import repeats as repeats_mod
from dedupe.clean.repetition import GOPHER_LIMITS, over_limits, repetition_stats
from dedupe.compiled import without_scipy_blas
from dedupe.document import Account, Document, Removal
from dedupe.engines.parallel import ordered_map
from dedupe.io.jsonl import LineChunk, parse_chunk
from dedupe.io.spill import Spill
from dedupe.near.index import VERIFY_MODES, NearDuplicateIndex, shingle_set, shingle_sets
from dedupe.near.minhash import EMPTY, signatures

KEEP_POLICIES = ("first", "longest")
MODES = ("auto", "stream", "batch")


@dataclass(frozen=True)
class Options:
    """Everything that decides a run's result; the report records it so a run can be reproduced."""

    threshold: float = 0.8
    ngram: int = 5
    num_perm: int = 128
    seed: int = 1
    bands: int | None = None
    rows: int | None = None
    shingle: str = "word"
    verify: str = "auto"
    keep: str = "first"
    keep_by: str | None = None
    drop_all: bool = False
    mode: str = "auto"
    temp_dir: str | None = None
    normalize: bool = True
    skip_rules: tuple[str, ...] = ()
    straight_quotes: bool = False
    unicode_form: str = "NFC"
    repeats: bool = True
    repetition_filter: bool = False
    max_repetition: tuple[tuple[str, float], ...] = ()
    exact: bool = True
    near: bool = True
    jobs: int = 1
    batch_size: int = 256

    def __post_init__(self) -> None:
        if self.verify not in VERIFY_MODES:
            raise ValueError(f"verify must be one of {', '.join(VERIFY_MODES)}, got {self.verify!r}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.mode == "stream" and (self.keep != "first" or self.keep_by is not None or self.drop_all):
            raise ValueError("stream mode keeps the first document only; other keep policies need batch mode")
        if self.keep not in KEEP_POLICIES:
            raise ValueError(f"keep must be one of {', '.join(KEEP_POLICIES)}, got {self.keep!r}")
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {self.threshold}")
        bad_stats = {name for name, _ in self.max_repetition} - set(GOPHER_LIMITS)
        if bad_stats:
            raise ValueError(
                f"unknown repetition statistic(s) {sorted(bad_stats)}; they are {', '.join(GOPHER_LIMITS)}"
            )
        unknown = set(self.skip_rules) - set(normalize_mod.RULES)
        if unknown:
            raise ValueError(f"unknown rule(s) {sorted(unknown)}; rules are {', '.join(normalize_mod.RULES)}")

    @property
    def streaming(self) -> bool:
        """Keep-first without drop-all decides each document as it arrives (stream mode); other policies
        must see every document first (batch mode). ``mode`` forces one; stream is refused where it can't."""
        if self.mode == "auto":
            return self.keep == "first" and self.keep_by is None and not self.drop_all
        return self.mode == "stream"

    @property
    def repetition_limits(self) -> dict[str, float] | None:
        """The Gopher limits a document must stay within after repair, or None when the filter is off."""
        if not (self.repetition_filter or self.max_repetition):
            return None
        return {**GOPHER_LIMITS, **dict(self.max_repetition)}

    def to_json(self) -> dict:
        out = asdict(self)
        out["skip_rules"] = list(self.skip_rules)
        out["max_repetition"] = [list(pair) for pair in self.max_repetition]
        return out


@dataclass
class Prepared:
    """A document after the in-place stages, with what the decision needs."""

    doc: Document
    digest: bytes
    signature: np.ndarray | None = None
    shingles: np.ndarray | None = None  # sorted unique shingle hashes, for exact checks
    stats: dict[str, int] = field(default_factory=dict)


Item = Document | Removal
Outcome = Document | Removal
DocFields = tuple[str, str, str | None, dict[str, Any] | None, int, dict[str, int], dict[str, int]]


@dataclass
class PackedBatch:
    """A prepared batch as a handful of flat objects, for the trip back from a worker process.

    Pickled as it is, a batch is ~256 ``Prepared``, each a dataclass around a Document with its Counter,
    a digest and two small numpy arrays; unpickling that was the largest single cost of the parent with
    several jobs. Packed, it is one tuple per document, one digest string, one array of signatures and
    one of all the shingle sets end to end.
    """

    size: int  # outputs in the batch, Prepared and Removal
    removals: dict[int, Removal]  # position in the batch -> the Removal there
    docs: list[DocFields]  # id, text, source, record, order, edits, stats of each Prepared, in order
    digests: bytes  # 16 bytes per document
    signatures: np.ndarray | None  # row i: document i's signature
    shingles: np.ndarray | None  # the shingle sets, one after another
    bounds: np.ndarray | None  # document i's set is shingles[bounds[i]:bounds[i + 1]]


def _packed(batch: list[Prepared | Removal]) -> PackedBatch:
    ready = [p for p in batch if isinstance(p, Prepared)]
    removals = {i: p for i, p in enumerate(batch) if isinstance(p, Removal)}
    docs = [(p.doc.id, p.doc.text, p.doc.source, p.doc.record, p.doc.order, dict(p.doc.edits), p.stats) for p in ready]
    digests = b"".join(p.digest for p in ready)
    sigs = _stacked([p.signature for p in ready])
    sets = [p.shingles for p in ready]
    shingles, bounds = None, None
    if _all_present(sets):
        bounds = np.zeros(len(sets) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in sets], out=bounds[1:])
        shingles = np.concatenate(sets)
    return PackedBatch(len(batch), removals, docs, digests, sigs, shingles, bounds)


def _stacked(signatures: list[np.ndarray | None]) -> np.ndarray | None:
    return np.stack(signatures) if _all_present(signatures) else None


def _all_present(arrays: Sequence[np.ndarray | None]) -> bool:
    """True when every document has the array, False when none has (or there are none); prepare_batch
    gives them to all the documents of a batch or to none."""
    present = sum(a is not None for a in arrays)
    if present not in (0, len(arrays)):
        raise ValueError("some documents of a batch have signatures or shingle sets and some have not")
    return present > 0


def _unpacked(packed: PackedBatch) -> list[Prepared | Removal]:
    """The batch again; signatures and shingle sets are views into the packed arrays."""
    out: list[Prepared | Removal] = []
    bounds = packed.bounds.tolist() if packed.bounds is not None else None
    j = 0
    for pos in range(packed.size):
        removal = packed.removals.get(pos)
        if removal is not None:
            out.append(removal)
            continue
        doc_id, text, source, record, order, edits, stats = packed.docs[j]
        doc = Document(doc_id, text, source, record, order, Counter(edits))
        p = Prepared(doc, packed.digests[16 * j : 16 * j + 16], stats=stats)
        if packed.signatures is not None:
            p.signature = packed.signatures[j]
        if packed.shingles is not None and bounds is not None:
            p.shingles = packed.shingles[bounds[j] : bounds[j + 1]]
        out.append(p)
        j += 1
    return out


def prepare_batch(items: list[Item], opts: Options, with_shingles: bool = True) -> list[Prepared | Removal]:
    """Normalise, repair and sign one batch; rejections from reading pass through in place.

    Shingle sets for exact checks (``verify`` auto or exact) are computed here too, in the worker, so the
    sequential decision only compares sorted arrays.
    """
    normalised = [item if isinstance(item, Removal) else _normalised(item, opts) for item in items]
    texts = [text for _, text, _ in (n for n in normalised if not isinstance(n, Removal))]
    # repeat repair takes the whole batch at once: its compiled checks cost less per call that way
    repaired = repeats_mod.repair_many(texts) if opts.repeats else [None] * len(texts)
    fixes = iter(repaired)
    out: list[Prepared | Removal] = [
        n if isinstance(n, Removal) else _finished(*n, next(fixes), opts) for n in normalised
    ]
    ready = [p for p in out if isinstance(p, Prepared)]
    if opts.near and ready:
        sigs = signatures(
            [p.doc.text for p in ready], num_perm=opts.num_perm, ngram=opts.ngram, seed=opts.seed, mode=opts.shingle
        )
        for p, sig in zip(ready, sigs, strict=True):
            p.signature = sig
        if with_shingles and opts.verify != "none":
            sets = shingle_sets([p.doc.text for p in ready], ngram=opts.ngram, mode=opts.shingle)
            for p, shingles in zip(ready, sets, strict=True):
                p.shingles = shingles
    return out


def _prepare_packed(items: list[Item], opts: Options) -> PackedBatch:
    """prepare_batch in a worker process, packed for the way back."""
    return _packed(prepare_batch(items, opts))


def _prepare_lines(chunk: LineChunk, opts: Options) -> tuple[PackedBatch, list[int]]:
    """Parse raw JSON Lines lines and prepare them, in a worker process; also the positions of the lines
    that were rejected when read (unique ids count only the others).

    In stream mode a record comes back without its text (the value is None, left in its place so the key
    order, and so the output line, stay the same): the writers put the cleaned text there anyway, and the
    original text would double what travels back. Batch mode ranks by record fields and spills records
    (the report counts the bytes), so there they come back whole.
    """
    items = parse_chunk(chunk)
    rejected = [i for i, item in enumerate(items) if isinstance(item, Removal)]
    if opts.streaming:
        for item in items:
            if isinstance(item, Document) and item.record is not None:
                item.record[chunk.text_field] = None
    return _packed(prepare_batch(items, opts)), rejected


def _warm_up(opts: Options) -> None:
    """Prepare two small made-up documents (ASCII, and wider characters), so that numba's compiled kernels
    are loaded here, once, before the workers are forked, not in every worker (with two cores, start-up
    that only one can do is a good share of what two processes can gain); and loaded without SciPy."""
    text = "The warm-up sentence has a few ordinary words in it. " * 30
    docs = [Document("warm-up", text), Document("warm-up", text + "\u2014 caf\u00e9 \u201cquoted\u201d")]
    with without_scipy_blas():
        prepare_batch(docs, opts)


def _normalised(doc: Document, opts: Options) -> tuple[Document, str, dict[str, int]] | Removal:
    """The first in-place stage: (document, normalised text, stats), or the rejection of an empty one."""
    if not doc.text.strip():
        return Removal(doc.id, "read", "empty document", rejected=True, source=doc.source)
    text = doc.text
    stats: dict[str, int] = {"chars_in": len(text)}
    if opts.normalize:
        result = normalize_mod.normalize(
            text, skip=opts.skip_rules, straight_quotes=opts.straight_quotes, form=opts.unicode_form
        )
        text = result.text
        for change in result.changes:
            doc.edits[f"normalize:{change.rule}"] += change.count
    return doc, text, stats


def _finished(
    doc: Document, text: str, stats: dict[str, int], repaired: repeats_mod.Repaired | None, opts: Options
) -> Prepared | Removal:
    """The rest of the in-place stages, given the normalised text's repair (None: repeats are off)."""
    if repaired is not None and repaired.removed:
        doc.edits["repeats:blocks"] += len(repaired.removed)
        doc.edits["repeats:chars"] += len(text) - len(repaired.text)
        text = repaired.text
    if not text.strip():
        return Removal(doc.id, "normalize", "no text left after cleaning", rejected=True, source=doc.source)
    limits = opts.repetition_limits
    if limits is not None:
        reasons = over_limits(repetition_stats(text), limits)
        if reasons:
            reason = "too repetitive even after repair: " + ", ".join(reasons)
            return Removal(doc.id, "repeats", reason, source=doc.source)
    doc.text = text
    return Prepared(doc, _digest(text), stats=stats)


def _digest(text: str) -> bytes:
    """The exact-duplicate key: a 128-bit hash of the cleaned text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class Decider:
    """The sequential part: exact duplicates by digest, then near duplicates by the LSH index."""

    def __init__(
        self,
        opts: Options,
        account: Account,
        *,
        index: NearDuplicateIndex | None = None,
        seen: dict[bytes, str] | None = None,
    ) -> None:
        self.opts = opts
        self.account = account
        # digest -> the kept document: its number in the near index, or its id when it is not in the index
        # (no signature, or no near stage); numbers save memory and give exact duplicates a family too
        self.seen: dict[bytes, int | str] = {} if seen is None else seen
        self.index = index or NearDuplicateIndex(**index_options(opts))

    def _first(self, value: int | str) -> tuple[str, int]:
        """(id, index number or -1) of the kept document a ``seen`` value names."""
        return (value, -1) if isinstance(value, str) else (self.index.label(value), value)

    def restore(self, kept: list[tuple[str, str]]) -> None:
        """Remember documents an earlier, interrupted run kept: (id, cleaned text) pairs in their order."""
        texts = [text for _, text in kept]
        digests = [_digest(text) for text in texts]
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
        """Decide a batch in the given order (the keep policy's order)."""
        if not prepared:
            return
        query = None
        if self.opts.near:
            query = self.index.begin(np.stack([p.signature for p in prepared]))
        for i, p in enumerate(prepared):
            doc = p.doc
            if self.opts.exact:
                seen = self.seen.get(p.digest)
                if seen is not None:
                    first, number = self._first(seen)
                    yield Removal(
                        doc.id,
                        "exact",
                        f"exact duplicate of {first}",
                        duplicate_of=first,
                        similarity=1.0,
                        source=doc.source,
                        kept_index=number,
                    )
                    continue
            value: int | str = doc.id
            if query is not None and p.signature is not None and p.signature[0] != EMPTY:
                match = self.index.match(query, i, p.signature, p.shingles)
                if match is not None:
                    how = "exact Jaccard" if match.exact else "estimated Jaccard"
                    reason = f"near-duplicate of {match.label}, {how} {match.similarity:.2f}"
                    yield Removal(
                        doc.id,
                        "near",
                        reason,
                        duplicate_of=match.label,
                        similarity=match.similarity,
                        source=doc.source,
                        kept_index=match.index,
                    )
                    continue
                value = len(self.index)
                self.index.add(query, i, doc.id, p.signature, p.shingles)
            if self.opts.exact:
                self.seen[p.digest] = value
            yield doc


def index_options(opts: Options) -> dict[str, Any]:
    """The NearDuplicateIndex settings a run's options imply."""
    return {
        "num_perm": opts.num_perm,
        "threshold": opts.threshold,
        "bands": opts.bands,
        "rows": opts.rows,
        "verify": opts.verify,
        "temp_dir": opts.temp_dir,
    }


def run_documents(
    items: Iterable[Item],
    opts: Options,
    account: Account,
    *,
    decider: Decider | None = None,
    assign_ids: bool = True,
) -> Iterator[Outcome]:
    """Every input item comes out exactly once: as a kept Document or as a Removal, in input order.

    Pass a ``decider`` to continue de-duplicating against what an earlier call kept; ``assign_ids=False``
    when the items already went through :func:`unique_ids`.
    """
    batches = _batched(unique_ids(items) if assign_ids else items, opts.batch_size, account)
    if opts.jobs > 1:
        prepared_batches = _prepared_in_workers(batches, opts)
    else:
        prepared_batches = ordered_map(prepare_batch, batches, extra=(opts,), warm=lambda: _warm_up(opts))
    yield from _decided(prepared_batches, opts, account, decider)


def run_lines(
    chunks: Iterable[LineChunk], opts: Options, account: Account, *, decider: Decider | None = None
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
            batch = _unpacked(packed)
            read = _place(batch, set(rejected), ids, read)
            account.read += len(batch)
            yield batch

    results = ordered_map(_prepare_lines, chunks, jobs=opts.jobs, extra=(opts,), warm=lambda: _warm_up(opts))
    yield from _decided(placed(results), opts, account, decider)


def _place(batch: list[Prepared | Removal], rejected: set[int], ids: IdCounter, read: int) -> int:
    """Give the documents of a batch parsed elsewhere their order and unique ids (a Removal that
    preparing made of a document is renamed too); returns the number of documents read after it."""
    for pos, p in enumerate(batch):
        if pos in rejected:
            continue
        if isinstance(p, Prepared):
            p.doc.order = read
            new_id = ids.rename(p.doc.id)
            if new_id is not None:
                p.doc.id = new_id
                p.doc.edits["read:duplicate_ids"] += 1
        else:
            new_id = ids.rename(p.id)
            if new_id is not None:
                batch[pos] = replace(p, id=new_id)
        read += 1
    return read


def _decided(
    prepared_batches: Iterable[list[Prepared | Removal]], opts: Options, account: Account, decider: Decider | None
) -> Iterator[Outcome]:
    """The sequential half of a run: every prepared batch decided, in input order or the keep policy's."""
    decider = decider or Decider(opts, account)
    if opts.streaming:
        for batch in prepared_batches:
            yield from _decide_in_order(batch, decider, account)
    else:
        yield from _decide_by_policy(prepared_batches, decider, opts, account)
    if opts.near:
        near = account.stages.setdefault("near", Counter())
        near["candidates_checked"] = decider.index.candidates_checked
        near["exact_checks"] = decider.index.exact_checks
        near["bands"] = decider.index.bands
        near["rows"] = decider.index.rows


def _prepared_in_workers(batches: Iterable[list[Item]], opts: Options) -> Iterator[list[Prepared | Removal]]:
    """prepare_batch in worker processes. The records (every other field of a JSON Lines line, including its
    original text) stay here and are put back on the way out: workers need only the text, and pickling a
    record both ways was a good share of the parent's work."""
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
        _prepare_packed, stripped(batches), jobs=opts.jobs, extra=(opts,), warm=lambda: _warm_up(opts)
    )
    for packed in packed_batches:
        prepared = _unpacked(packed)
        for p, record in zip(prepared, kept_records.popleft(), strict=True):
            if isinstance(p, Prepared):
                p.doc.record = record
        yield prepared


def _decide_by_policy(
    prepared_batches: Iterable[list[Prepared | Removal]], decider: Decider, opts: Options, account: Account
) -> Iterator[Outcome]:
    """Batch mode: spill every prepared document to disk, decide them in the keep policy's order (so the
    one a policy prefers is kept and the others are removed as its duplicates), then read them back and
    give the outcomes in input order.

    Memory holds a few numbers per document (spill offsets, the policy key, where each decision went),
    not the corpus: the decisions themselves are spilled too.
    """
    spill, decisions = Spill(opts.temp_dir), Spill(opts.temp_dir)
    try:
        positions = array("q")  # spill position of each prepared document, in input order
        keys: list[Any] = []
        for batch in prepared_batches:
            for p in batch:
                pos = spill.append(p)
                if isinstance(p, Prepared):
                    positions.append(pos)
                    keys.append(_policy_key(p, opts))
        spill.flush()
        account.count("batch", "spilled_bytes", spill.nbytes)
        removal_at = np.full(len(spill), -1, dtype=np.int64)  # spill position -> its Removal in `decisions`
        ranked = policy_order(keys, opts)
        del keys
        drop = _DropAll(decider, len(spill)) if opts.drop_all else None
        for start in range(0, len(ranked), opts.batch_size):
            chunk_pos = [positions[j] for j in ranked[start : start + opts.batch_size]]
            chunk = [spill.get(pos) for pos in chunk_pos]
            for pos, outcome in zip(chunk_pos, decider.decide(chunk), strict=True):
                if isinstance(outcome, Removal):
                    removal_at[pos] = decisions.append(outcome)
                if drop is not None:
                    drop.note(pos, outcome)
        decisions.flush()
        in_cluster = drop.in_cluster() if drop is not None else None
        for pos, p in enumerate(spill):
            outcome: Outcome
            if isinstance(p, Removal):
                outcome = p
            elif removal_at[pos] >= 0:
                outcome = decisions.get(int(removal_at[pos]))
            elif in_cluster is not None and in_cluster(pos, p.doc.id):
                reason = "in a cluster of duplicates, and --drop-all removes every member of a cluster"
                outcome = Removal(p.doc.id, "drop-all", reason, source=p.doc.source)
            else:
                outcome = p.doc
            _account_for(p, outcome, account)
            yield outcome
    finally:
        spill.close()
        decisions.close()


class _DropAll:
    """Which kept documents --drop-all removes: every kept member of a cluster (see dedupe.decide.clusters), that
    is every kept document whose family some removed document names. Families are only final once every
    document is decided, so this notes each decision (a few bytes a document) and answers afterwards."""

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


def _policy_key(p: Prepared, opts: Options) -> Any:
    if opts.keep_by is not None:
        return _sort_value(p.doc, opts.keep_by)
    if opts.keep == "longest":
        return len(p.doc.text)
    return None


def policy_order(keys: list[Any], opts: Options) -> Sequence[int]:
    """Positions (into input order) in the order documents claim their place: a group's preferred one first.

    ``first``: input order. ``longest``: longest cleaned text first. ``keep_by``: highest value of that
    record field first (numbers numerically, strings as text, so ISO dates put the newest first);
    records without the field come last. Ties always go to input order (the sorts are stable).
    """
    if opts.keep_by is not None:
        with_value = [i for i, key in enumerate(keys) if key is not None]
        without = [i for i, key in enumerate(keys) if key is None]
        with_value.sort(key=keys.__getitem__, reverse=True)  # reverse keeps ties in input order
        return with_value + without
    if opts.keep == "longest":
        return np.argsort(-np.asarray(keys, dtype=np.int64), kind="stable")
    return range(len(keys))


def _sort_value(doc: Document, field: str) -> tuple[int, float | str] | None:
    value = None if doc.record is None else doc.record.get(field)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return (0, float(value))
    if isinstance(value, str):
        return (1, value)
    return None


def _decide_in_order(batch: list[Prepared | Removal], decider: Decider, account: Account) -> Iterator[Outcome]:
    ready = [p for p in batch if isinstance(p, Prepared)]
    decisions = iter(decider.decide(ready))
    for p in batch:
        outcome = next(decisions) if isinstance(p, Prepared) else p
        _account_for(p, outcome, account)
        yield outcome


def _account_for(p: Prepared | Removal, outcome: Outcome, account: Account) -> None:
    if isinstance(outcome, Removal):
        account.add_removal(outcome)
    else:
        account.kept += 1
        account.chars_out += len(outcome.text)
    if isinstance(p, Prepared):
        account.chars_in += p.stats.get("chars_in", 0)
        doc = p.doc
        rules = {key.split(":", 1)[0] for key in doc.edits}
        for stage in rules:
            account.count(stage, "documents_changed")
        for key, n in doc.edits.items():
            stage, _, what = key.partition(":")
            account.count(stage, what.strip(), n)


def unique_ids(items: Iterable[Item]) -> Iterator[Item]:
    """Give a document whose id was already seen the id ``ID#2`` (``#3`` ...), so that every line of the
    removal log and every ``duplicate_of`` names one document. The record itself is written unchanged.

    Remembers an 8-byte hash per id (about 70 bytes a document); a hash collision between two different
    ids would only add a needless ``#2``.
    """
    ids = IdCounter()
    for item in items:
        if isinstance(item, Document):
            new_id = ids.rename(item.id)
            if new_id is not None:
                item.id = new_id
                item.edits["read:duplicate_ids"] += 1
        yield item


class IdCounter:
    """How many documents had each id so far, as an 8-byte hash per id (see :func:`unique_ids`)."""

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}

    def rename(self, doc_id: str) -> str | None:
        """Count one more document with this id; the id it gets instead (``ID#n``), or None for the first."""
        digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        key = int.from_bytes(digest, "little")
        count = self.seen.get(key, 0) + 1
        self.seen[key] = count
        return f"{doc_id}#{count}" if count > 1 else None


def _batched(items: Iterable[Item], size: int, account: Account) -> Iterator[list[Item]]:
    it = iter(items)
    while True:
        batch = list(islice(it, size))
        if not batch:
            return
        account.read += len(batch)
        yield batch


def process(
    items: Iterable[Item],
    opts: Options,
    *,
    on_kept: Callable[[Document], None],
    on_removed: Callable[[Removal], None],
    account: Account | None = None,
    decider: Decider | None = None,
) -> Account:
    """Run the pipeline and hand every outcome to a callback; returns the balanced account."""
    account = account or Account()
    for outcome in run_documents(items, opts, account, decider=decider):
        if isinstance(outcome, Removal):
            on_removed(outcome)
        else:
            on_kept(outcome)
    return account
