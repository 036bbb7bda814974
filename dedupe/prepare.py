"""The per-document stages of a run as one pure function of a batch: normalise, repair repeats, remove
corpus boilerplate (when asked), the exact-duplicate digest, the MinHash signature (and shingle set for
exact checks); and the first pass of ``--boilerplate``, which counts the cleaned documents' lines.

Both engines call :func:`prepare_batch`: the local one in worker processes, the Spark one in Arrow-batched
``mapInPandas``. It is pure (the same batch always gives the same result), so where and in how many
processes it runs never changes a result.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import numpy as np

from dedupe.cleaning import normalize as normalize_mod
from dedupe.cleaning import repeats as repeats_mod
from dedupe.cleaning.boilerplate import Boilerplate, distinct_lines
from dedupe.cleaning.repetition import over_limits, repetition_stats
from dedupe.compiled import without_scipy_blas
from dedupe.document import KEPT_WHOLE, Document, Prepared, Removal
from dedupe.near.index import shingle_sets
from dedupe.near.minhash import signatures
from dedupe.options import Options

Item = Document | Removal


Cleaned = tuple[Document, str, dict[str, int], "repeats_mod.Repaired | None"]


def prepare_batch(
    items: list[Item], opts: Options, with_shingles: bool = True, boilerplate: Boilerplate | None = None
) -> list[Prepared | Removal]:
    """Normalise, repair and sign one batch; rejections from reading pass through in place.

    Shingle sets for exact checks (``verify`` auto or exact) are computed here too, in the worker, so the
    sequential decision only compares sorted arrays. With ``opts.boilerplate`` the corpus's shared lines
    (counted by a first pass: :func:`line_batch`) must be given.
    """
    if opts.boilerplate and boilerplate is None:
        raise ValueError("boilerplate removal needs the corpus's shared lines: count them first (line_batch)")
    out: list[Prepared | Removal] = [
        c if isinstance(c, Removal) else _finished(*c, opts, boilerplate) for c in _cleaned(items, opts)
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


def warm_up(opts: Options) -> None:
    """Prepare two small made-up documents (ASCII, and wider characters), so that numba's compiled kernels
    are loaded here, once, before the workers are forked, not in every worker (with two cores, start-up
    that only one can do is a good share of what two processes can gain); and loaded without SciPy."""
    text = "The warm-up sentence has a few ordinary words in it. " * 30
    docs = [Document("warm-up", text), Document("warm-up", text + "\u2014 caf\u00e9 \u201cquoted\u201d")]
    none = Boilerplate.none(opts.boilerplate_min_docs) if opts.boilerplate else None
    with without_scipy_blas():
        prepare_batch(docs, opts, boilerplate=none)


class LineBatch(NamedTuple):
    """What a batch adds to the boilerplate counts: each cleaned document's exact-copy family (the first 8
    bytes of its digest, so that copies count once) and its distinct line hashes, end to end."""

    families: np.ndarray  # uint64, one per document with text
    bounds: np.ndarray  # document i's lines are lines[bounds[i]:bounds[i + 1]]
    lines: np.ndarray  # uint64
    items: int = 0  # items of the batch, rejections included (for progress)
    chars: int = 0  # characters of their text as read


def line_batch(items: list[Item], opts: Options) -> LineBatch:
    """The first pass of ``--boilerplate`` over one batch: clean as :func:`prepare_batch` does, then hash
    the lines (pure, so it runs in workers like prepare_batch)."""
    families: list[int] = []
    sets: list[np.ndarray] = [np.empty(0, dtype=np.uint64)]
    for c in _cleaned(items, opts):
        if isinstance(c, Removal):
            continue
        text = _repaired_text(c[1], c[3])
        if text.strip():
            families.append(int.from_bytes(digest(text)[:8], "little"))
            sets.append(distinct_lines(text))
    bounds = np.zeros(len(families) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in sets[1:]], out=bounds[1:])
    chars = sum(len(item.text) for item in items if isinstance(item, Document))
    return LineBatch(np.array(families, dtype=np.uint64), bounds, np.concatenate(sets), len(items), chars)


def cleaned_texts(items: list[Item], opts: Options) -> list[str | None]:
    """Each item's text after normalising and repairing (None for a rejection): the text whose lines
    :func:`line_batch` counts, for showing them."""
    return [None if isinstance(c, Removal) else _repaired_text(c[1], c[3]) for c in _cleaned(items, opts)]


def _cleaned(items: list[Item], opts: Options) -> list[Cleaned | Removal]:
    """Normalised documents with their repeat repair (None: repeats are off), rejections in place."""
    normalised = [item if isinstance(item, Removal) else _normalised(item, opts) for item in items]
    texts = [text for _, text, _ in (n for n in normalised if not isinstance(n, Removal))]
    # repeat repair takes the whole batch at once: its compiled checks cost less per call that way
    repaired = repeats_mod.repair_many(texts) if opts.repeats else [None] * len(texts)
    fixes = iter(repaired)
    return [n if isinstance(n, Removal) else (*n, next(fixes)) for n in normalised]


def _repaired_text(text: str, repaired: repeats_mod.Repaired | None) -> str:
    return repaired.text if repaired is not None and repaired.removed else text


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
    doc: Document,
    text: str,
    stats: dict[str, int],
    repaired: repeats_mod.Repaired | None,
    opts: Options,
    boilerplate: Boilerplate | None,
) -> Prepared | Removal:
    """The rest of the in-place stages, given the normalised text's repair (None: repeats are off)."""
    if repaired is not None and repaired.removed:
        doc.edits["repeats:blocks"] += len(repaired.removed)
        doc.edits["repeats:chars"] += len(text) - len(repaired.text)
        text = repaired.text
    if boilerplate is not None and text.strip():
        stripped = boilerplate.strip(text)
        if stripped.lines:
            doc.edits["boilerplate:lines"] += stripped.lines
            doc.edits["boilerplate:chars"] += len(text) - len(stripped.text)
            text = stripped.text
        elif stripped.kept_whole:
            doc.edits[KEPT_WHOLE] += 1
    if not text.strip():
        return Removal(doc.id, "normalize", "no text left after cleaning", rejected=True, source=doc.source)
    limits = opts.repetition_limits
    if limits is not None:
        reasons = over_limits(repetition_stats(text), limits)
        if reasons:
            reason = "too repetitive even after repair: " + ", ".join(reasons)
            return Removal(doc.id, "repeats", reason, source=doc.source)
    doc.text = text
    return Prepared(doc, digest(text), stats=stats)


def digest(text: str) -> bytes:
    """The exact-duplicate key: a 128-bit hash of the cleaned text without its final line break, which
    cleaning keeps as part of a file's form (a copy with one and a copy without are exact copies)."""
    if text.endswith("\n"):
        text = text[:-1]
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
