"""The per-document work, on the executors: :func:`dedupe.prepare.prepare_batch` on each Arrow batch (the
very function the local engine runs), plus what the decision needs from a signature (band keys, the 4-bit
signature) and the keep policy's rank key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from dedupe.cleaning.boilerplate import Boilerplate, first_lines
from dedupe.decide import keep
from dedupe.decide.ids import number_document
from dedupe.document import Document, Prepared, Removal
from dedupe.engines.spark import columns as c
from dedupe.near.lsh import band_keys
from dedupe.near.minhash import EMPTY
from dedupe.near.verify import nibbles
from dedupe.options import Options
from dedupe.prepare import cleaned_texts, line_batch, prepare_batch

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def prepare_frames(
    frames: Iterator[pd.DataFrame],
    *,
    opts: Options,
    bands: int,
    rows: int,
    keep_by: str | None,
    boilerplate: Boilerplate | None = None,
):
    """Each batch of base rows (with ``dd_id_count``) as prepared rows (:data:`columns.PREPARED_SCHEMA`).

    ``keep_by`` names the field of ``dd_keep_value`` (a DataFrame's column) or, when that is null, of the
    record that ranks documents; ``boilerplate``: the corpus's shared lines, with ``opts.boilerplate``."""
    import pandas as pd

    for pdf in frames:
        items = [_item(r) for r in pdf.itertuples(index=False)]
        prepared = prepare_batch(items, opts, with_shingles=False, boilerplate=boilerplate)
        sigs = [p.signature for p in prepared if isinstance(p, Prepared) and p.signature is not None]
        stacked = np.stack(sigs) if sigs else None
        keys = iter((band_keys(stacked, bands, rows) >> np.uint64(32)).astype(np.int64)) if sigs else iter(())
        nibs = iter(nibbles(stacked)) if sigs else iter(())
        out = [
            _row(r, p, keys, nibs, opts, keep_by) for r, p in zip(pdf.itertuples(index=False), prepared, strict=True)
        ]
        frame = pd.DataFrame(out, columns=c.names(c.PREPARED_SCHEMA))
        frame[c.LENGTH] = frame[c.LENGTH].astype("Int64")
        frame[c.CHARS_IN] = frame[c.CHARS_IN].astype("Int64")
        yield frame


def line_frames(frames: Iterator[pd.DataFrame], *, opts: Options) -> Iterator[pd.DataFrame]:
    """The first pass of ``--boilerplate``: each read document's family and distinct lines
    (:data:`columns.LINES_SCHEMA`), by :func:`dedupe.prepare.line_batch` as the local engine counts them."""
    import pandas as pd

    for pdf in frames:
        batch = line_batch([_plain_item(r) for r in pdf.itertuples(index=False)], opts)
        sizes = np.diff(batch.bounds)
        families = np.repeat(batch.families, sizes).view(np.int64)
        yield pd.DataFrame({c.FAMILY: families, c.LINE: batch.lines.view(np.int64)})


def sample_frames(frames: Iterator[pd.DataFrame], *, opts: Options, wanted: list[int]) -> Iterator[pd.DataFrame]:
    """Where the wanted lines (hashes as signed longs) occur and how they read (:data:`columns.SAMPLES_SCHEMA`)."""
    import pandas as pd

    want = [h & 0xFFFF_FFFF_FFFF_FFFF for h in wanted]
    for pdf in frames:
        texts = cleaned_texts([_plain_item(r) for r in pdf.itertuples(index=False)], opts)
        out: list[tuple[int, int, str]] = []
        for order, text in zip(pdf[c.ORDER].tolist(), texts, strict=True):
            if text is not None:
                found = first_lines(text, want).items()
                out.extend((h - (1 << 64) if h >= 1 << 63 else h, order, line) for h, line in found)
        yield pd.DataFrame(out, columns=[c.LINE, c.ORDER, c.LINE_TEXT])


def _plain_item(r: Any) -> Document | Removal:
    """A base row as the document (or rejection) whose text the boilerplate pass reads; ids do not matter."""
    if present(getattr(r, c.READ_ERROR)):
        return Removal(getattr(r, c.ID), "read", getattr(r, c.READ_ERROR), rejected=True)
    return Document(getattr(r, c.ID), getattr(r, c.TEXT))


def _item(r: Any) -> Document | Removal:
    """The document (or the reader's rejection) a base row holds, with its unique id."""
    row = r._asdict()
    source = optional(row[c.SOURCE])
    if present(row[c.READ_ERROR]):
        return Removal(row[c.ID], "read", row[c.READ_ERROR], rejected=True, source=source)
    doc = Document(row[c.ID], row[c.TEXT], source=source, order=int(row[c.ORDER]))
    if present(row[c.READ_EDIT]):
        doc.edits[row[c.READ_EDIT]] += 1
    number_document(doc, int(row[c.ID_COUNT]))
    return doc


def _row(
    r: Any,
    p: Prepared | Removal,
    keys: Iterator[np.ndarray],
    nibs: Iterator[np.ndarray],
    opts: Options,
    keep_by: str | None,
) -> dict[str, Any]:
    base = r._asdict()
    row: dict[str, Any] = dict.fromkeys(c.names(c.PREPARED_SCHEMA))
    row[c.ORDER] = int(base[c.ORDER])
    row[c.ID] = p.id if isinstance(p, Removal) else p.doc.id
    row[c.SOURCE] = optional(base[c.SOURCE])
    row[c.RECORD] = optional(base[c.RECORD])
    if isinstance(p, Removal):
        row[c.REJECT_STEP], row[c.REJECT_REASON] = p.step, p.reason
        return row
    text = p.doc.text
    row.update({c.CLEAN: text, c.DIGEST: p.digest, c.LENGTH: len(text), c.SIGNED: False})
    row[c.CHARS_IN] = p.stats.get("chars_in", 0)
    row[c.EDITS] = json.dumps(dict(p.doc.edits))
    record = optional(base[c.KEEP_VALUE]) or row[c.RECORD] if keep_by is not None else None
    value = keep.policy_value(text, None if record is None else json.loads(record), opts.keep, keep_by)
    row[c.RANK_KEY] = keep.rank_key(value)
    if p.signature is not None:
        row[c.BAND_KEYS] = next(keys).tolist()
        row[c.NIBBLES] = next(nibs).tobytes()
        row[c.SIGNED] = bool(p.signature[0] != EMPTY)
    return row


def optional(value: Any) -> Any:
    """A pandas cell as Python: None for every kind of missing value."""
    import pandas as pd

    if value is None or (not isinstance(value, (str, bytes, list, np.ndarray)) and pd.isna(value)):
        return None
    return value


def present(value: Any) -> bool:
    return optional(value) is not None
