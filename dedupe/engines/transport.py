"""A prepared batch on its way back from a worker process, packed into a handful of flat objects."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dedupe.cleaning.boilerplate import Boilerplate
from dedupe.document import Document, Prepared, Removal, empty_counter
from dedupe.io.jsonl import LineChunk, output_line, parse_chunk
from dedupe.options import Options
from dedupe.prepare import Item, LineBatch, line_batch, prepare_batch

DocFields = tuple[str, str, str | None, dict[str, Any] | None, int, dict[str, int], dict[str, int], str | None]


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
    docs: list[DocFields]  # id, text, source, record, order, edits, stats, output line of each Prepared, in order
    digests: bytes  # 16 bytes per document
    signatures: np.ndarray | None  # row i: document i's signature
    shingles: np.ndarray | None  # the shingle sets, one after another
    bounds: np.ndarray | None  # document i's set is shingles[bounds[i]:bounds[i + 1]]


def packed(batch: list[Prepared | Removal]) -> PackedBatch:
    ready = [p for p in batch if isinstance(p, Prepared)]
    removals = {i: p for i, p in enumerate(batch) if isinstance(p, Removal)}
    docs = [
        (p.doc.id, p.doc.text, p.doc.source, p.doc.record, p.doc.order, dict(p.doc.edits), p.stats, p.doc.line)
        for p in ready
    ]
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


def unpacked(packed: PackedBatch) -> list[Prepared | Removal]:
    """The batch again; signatures and shingle sets are views into the packed arrays."""
    out: list[Prepared | Removal] = []
    bounds = packed.bounds.tolist() if packed.bounds is not None else None
    j = 0
    for pos in range(packed.size):
        removal = packed.removals.get(pos)
        if removal is not None:
            out.append(removal)
            continue
        doc_id, text, source, record, order, edits, stats, line = packed.docs[j]
        doc = Document(doc_id, text, source, record, order, Counter(edits) if edits else empty_counter())
        if line is not None:
            doc.line = line
        p = Prepared(doc, packed.digests[16 * j : 16 * j + 16], stats=stats)
        if packed.signatures is not None:
            p.signature = packed.signatures[j]
        if packed.shingles is not None and bounds is not None:
            p.shingles = packed.shingles[bounds[j] : bounds[j + 1]]
        out.append(p)
        j += 1
    return out


def prepare_packed(items: list[Item], opts: Options, boilerplate: Boilerplate | None = None) -> PackedBatch:
    """prepare_batch in a worker process, packed for the way back."""
    return packed(prepare_batch(items, opts, boilerplate=boilerplate))


def count_chunk(chunk: LineChunk, opts: Options) -> LineBatch:
    """The boilerplate count of raw JSON Lines lines (:func:`dedupe.prepare.line_batch`), in a worker."""
    return line_batch(parse_chunk(chunk), opts)


def prepare_lines(
    chunk: LineChunk,
    opts: Options,
    streaming: bool,
    boilerplate: Boilerplate | None = None,
    write_lines: bool = False,
) -> tuple[PackedBatch, list[int]]:
    """Parse raw JSON Lines lines and prepare them, in a worker process; also the positions of the lines
    that were rejected when read (unique ids count only the others).

    In stream mode a record comes back without its text (the value is None, left in its place so the key
    order, and so the output line, stay the same): the writers put the cleaned text there anyway, and the
    original text would double what travels back. Batch mode ranks by record fields and spills records
    (the report counts the bytes), so there they come back whole.

    With ``write_lines`` (stream mode, JSON Lines out) each document comes back with its output line
    written and without its record: serialising is then done by the workers, and the one parent process,
    which decides every document in turn, only writes the lines of those it keeps.
    """
    items = parse_chunk(chunk)
    rejected = [i for i, item in enumerate(items) if isinstance(item, Removal)]
    if streaming:
        for item in items:
            if isinstance(item, Document) and item.record is not None:
                item.record[chunk.text_field] = None
    prepared = prepare_batch(items, opts, boilerplate=boilerplate)
    if streaming and write_lines:
        for p in prepared:
            if isinstance(p, Prepared):
                p.doc.line = output_line(p.doc, text_field=chunk.text_field, id_field=chunk.id_field)
                p.doc.record = None
    return packed(prepared), rejected
