"""The same pipeline on Apache Spark, with the same results as the local run.

    from dedupe.engines.spark import deduplicate
    out = deduplicate(df, threshold=0.8, order_col="n")   # every row, plus text (cleaned), status, step, ...
    out.filter("status = 'kept'")

Only the DataFrame API is used (no RDDs, no ``sparkContext``, no extra jars), so the same job runs on a
cluster, on Databricks and over Spark Connect. Executors need ``dedupe`` installed (``pip install dedupe``
on the cluster, or ``--py-files``), because the per-document work calls the very functions of the local
run: :func:`dedupe.engines.local.prepare_batch` (normalise, repair, digest, MinHash) runs in an Arrow-batched
``mapInPandas``, and the candidate check uses the same 4-bit estimate and exact Jaccard as
:class:`dedupe.near.index.NearDuplicateIndex`.

The local decision is sequential: in policy order, a document is an exact duplicate of an earlier *kept*
document with the same digest, else a near duplicate of the best passing *kept* earlier candidate, else
kept. Here it is computed in rounds over DataFrames, which give the same result (see :func:`_rounds`):

- exact stage: in a digest group only the first member (by rank) can be kept, and every later member
  goes the way of the first (same text, same signature), so only first members enter the rounds;
- each round first removes every undecided document that passes a document kept in the round before,
  then keeps every undecided document whose earlier undecided band neighbours all fail the check. A
  document is checked pairwise only against the first ``fanout`` undecided members of its buckets, so a
  bucket of 10,000 documents costs ``fanout**2`` pairs per round, never a member list; the rank-first
  undecided document is always kept, so every round makes progress;
- a last pass joins every document of the near stage with the kept documents it shares a band with and
  picks, as the local index does, the passing one with the highest estimate (ties: the earlier kept);
- clusters (:mod:`dedupe.decide.clusters`): the kept documents each removed one passes are joined into families
  by connected components over those pairs (:func:`_families`, minimum labels, a few rounds), the same
  families the local union-find builds; ``deduplicate`` adds a ``cluster`` column.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dedupe.decide.clusters import kept_member, removed_member, write_clusters
from dedupe.document import Account, Document, Removal
from dedupe.engines.local import Options, Prepared, _sort_value, prepare_batch
from dedupe.io import InputError, atomic, open_input, open_output
from dedupe.io.jsonl import compression_of, open_binary, parse_line
from dedupe.io.removals import RemovalLog
from dedupe.io.textfiles import document_from_bytes, list_files
from dedupe.near.index import NearDuplicateIndex, _nibbles, exact_jaccard
from dedupe.near.lsh import band_keys
from dedupe.near.minhash import EMPTY
from dedupe.report.summary import build_report

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

logger = logging.getLogger("dedupe.engines.spark")

FANOUT = 128
"""Undecided members of one bucket checked pairwise per round; larger buckets wait for later rounds."""

MARGIN: float = NearDuplicateIndex.__init__.__kwdefaults__["margin"]  # the local index's verify margin

_BASE = (
    "dd_o bigint, dd_id string, dd_src string, dd_raw string, dd_text string, dd_redit string, "
    "dd_rreason string, dd_kbk int, dd_kbn double, dd_kbs string"
)
_PREPARED = (
    "dd_o bigint, dd_id string, dd_src string, dd_raw string, dd_clean string, dd_rstep string, dd_rreason string, "
    "dd_digest binary, dd_nib binary, dd_keys array<bigint>, dd_sig boolean, dd_len bigint, dd_cin bigint, "
    "dd_edits string, dd_kbk int, dd_kbn double, dd_kbs string"
)
_MATCH = "dd_d bigint, dd_ncand bigint, dd_nexact bigint, dd_dup string, dd_dk bigint, dd_sim double, dd_reason string"
OUTPUT_COLUMNS = ("status", "step", "reason", "duplicate_of", "similarity", "cluster")
_CLUSTER_COLUMNS = ("dd_cfirst", "dd_ckind", "dd_crank")  # where a member goes in the clusters file


# ---------------------------------------------------------------------------------------------------------
# Entry points


def deduplicate(
    df: DataFrame,
    *,
    options: Options | None = None,
    text_col: str = "text",
    id_col: str = "id",
    order_col: str | None = None,
    fanout: int = FANOUT,
    **option_overrides: Any,
) -> DataFrame:
    """Every row of ``df`` with ``text_col`` cleaned and ``status`` (kept/removed/rejected), ``step``,
    ``reason``, ``duplicate_of``, ``similarity`` and ``cluster`` (see :mod:`dedupe.decide.clusters`; null for a
    document in no cluster) added: the local engine's decisions, row for row.

    ``order_col`` (unique, sortable) is the input order that decides which copy is "first"; without it
    the DataFrame's own row order (``monotonically_increasing_id``) is used, which is stable for file
    sources but not after a shuffle, so pass it. ``keep_by`` names a column of ``df``. Rejected rows keep
    their original text. ``fanout`` only tunes the rounds (see module doc); results never depend on it.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import BooleanType, NumericType, StringType

    opts = _options(options, option_overrides)
    order = F.col(order_col).cast("long") if order_col else F.monotonically_increasing_id()
    src = df.withColumn("dd_o", order)
    fields = {f.name: f.dataType for f in df.schema.fields}
    if text_col not in fields or not isinstance(fields[text_col], StringType):
        raise ValueError(f"text_col {text_col!r} must be a string column of the DataFrame")
    doc_id = F.col("dd_o").cast("string")
    if id_col in fields:
        doc_id = F.coalesce(F.col(id_col).cast("string"), doc_id)
    kind = value = text = F.lit(None)
    if opts.keep_by is not None:
        kb_type = fields.get(opts.keep_by)
        if kb_type is None:
            raise ValueError(f"keep_by column {opts.keep_by!r} is not in the DataFrame")
        if isinstance(kb_type, NumericType) and not isinstance(kb_type, BooleanType):
            kind, value = F.when(F.col(opts.keep_by).isNotNull(), F.lit(0)), F.col(opts.keep_by).cast("double")
        elif isinstance(kb_type, StringType):
            kind, text = F.when(F.col(opts.keep_by).isNotNull(), F.lit(1)), F.col(opts.keep_by)
    base = src.select(
        "dd_o",
        doc_id.alias("dd_id"),
        F.lit(None).cast("string").alias("dd_src"),
        F.lit(None).cast("string").alias("dd_raw"),
        F.col(text_col).alias("dd_text"),
        F.lit(None).cast("string").alias("dd_redit"),
        F.when(F.col(text_col).isNull(), F.lit(f"no {text_col!r} field")).alias("dd_rreason"),
        kind.cast("int").alias("dd_kbk"),
        value.cast("double").alias("dd_kbn"),
        text.cast("string").alias("dd_kbs"),
    )
    decisions, _ = _decide(base, opts, fanout)
    out = src.drop(*OUTPUT_COLUMNS).join(decisions, "dd_o", "left")
    cleaned = F.when(F.col("status") == "rejected", F.col(text_col)).otherwise(F.col("dd_clean"))
    return out.withColumn(text_col, cleaned).drop("dd_o", "dd_clean", "dd_id", "dd_src", "dd_raw", *_CLUSTER_COLUMNS)


def run(
    input_path: str,
    output: str,
    removed_path: str | Path,
    report_path: str | Path,
    options: Options,
    *,
    master: str | None = None,
    remote: str | None = None,
    text_field: str = "text",
    id_field: str = "id",
    encoding_errors: str = "reject",
    pattern: str = "**/*",
    overwrite: bool = False,
    clusters_path: str | Path | None = None,
) -> dict:
    """``dedupe run --engine spark``: the same output files, removal log, clusters and report as the local run.

    Reading and deciding run on Spark (JSON Lines through ``spark.read.text``, folders through the
    ``binaryFile`` source). The final files are written by the driver, which streams the decisions in
    input order with ``toLocalIterator()`` (one partition at a time, never the whole result) through the
    local writers in :mod:`dedupe.io`, so the files are byte-identical to a local run's.
    """
    started = time.perf_counter()
    if input_path == "-":
        raise InputError("the spark engine reads files, not stdin")
    source = open_input(
        input_path, text_field=text_field, id_field=id_field, encoding_errors=encoding_errors, pattern=pattern
    )
    sink = open_output(
        output, source.form, input_path=input_path, overwrite=overwrite, text_field=text_field, id_field=id_field
    )
    log = RemovalLog(Path(removed_path))
    spark = session(master=master, remote=remote)
    try:
        base = read(spark, input_path, source.form, text_field, id_field, encoding_errors, pattern, options.keep_by)
        decisions, account = _decide(base, options, FANOUT)
        rows = (
            decisions.select("dd_o", "dd_id", "dd_src", "dd_raw", "dd_clean", *OUTPUT_COLUMNS)
            .orderBy("dd_o")
            .toLocalIterator()
        )
        for row in rows:
            if row.status == "kept":
                record = None if row.dd_raw is None else json.loads(row.dd_raw)
                sink.write(Document(row.dd_id, row.dd_clean, source=row.dd_src, record=record))
            else:
                log.write(
                    Removal(
                        row.dd_id,
                        row.step,
                        row.reason,
                        rejected=row.status == "rejected",
                        duplicate_of=row.duplicate_of,
                        similarity=row.similarity,
                        source=row.dd_src,
                    )
                )
        acc = account()
    except BaseException:
        sink.abort()
        log.abort()
        raise
    sink.commit()
    log.commit()
    paths = {"input": input_path, "output": output, "removed": str(removed_path), "report": str(report_path)}
    summary = None
    if clusters_path is not None:
        tmp = atomic.partial_path(Path(clusters_path))
        summary = write_clusters(tmp, _cluster_members(decisions))
        atomic.commit(tmp, Path(clusters_path))
        paths["clusters"] = str(clusters_path)
    report = build_report(acc, options=options.to_json(), paths=paths, seconds=time.perf_counter() - started)
    if summary is not None:
        report["clusters"] = summary
    atomic.write_json(Path(report_path), report)
    return report


def _cluster_members(decisions: DataFrame) -> Iterator[dict]:
    """The clusters file's lines (:mod:`dedupe.decide.clusters`), in its order, streamed to the driver."""
    from pyspark.sql import functions as F

    rows = (
        decisions.filter(F.col("cluster").isNotNull())
        .select("cluster", "dd_id", *OUTPUT_COLUMNS[:-1], *_CLUSTER_COLUMNS, "dd_o")
        .orderBy("dd_cfirst", "dd_ckind", "dd_crank", "dd_o")
        .toLocalIterator()
    )
    for row in rows:
        if row.dd_ckind == "k":
            yield kept_member(row.cluster, row.dd_id, dropped=row.step == "drop-all")
        else:
            removal = Removal(row.dd_id, row.step, row.reason, duplicate_of=row.duplicate_of, similarity=row.similarity)
            yield removed_member(row.cluster, removal.to_json())


def session(*, master: str | None = None, remote: str | None = None) -> SparkSession:
    """The active session, or a new one for ``master`` (e.g. ``local[2]``) or Spark Connect ``remote``."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers need this interpreter's packages
    builder = SparkSession.builder
    if remote:
        return builder.remote(remote).getOrCreate()
    if master:
        builder = builder.master(master)
    return builder.getOrCreate()


def _options(options: Options | None, overrides: dict[str, Any]) -> Options:
    """``options`` with keyword overrides applied (the same keywords as :class:`Options`)."""
    return replace(options, **overrides) if options is not None else Options(**overrides)


# ---------------------------------------------------------------------------------------------------------
# Reading: the same per-item logic as dedupe.io, one line or one file at a time


def parse_jsonl_line(
    raw: bytes,
    lineno: int,
    *,
    name: str,
    text_field: str = "text",
    id_field: str = "id",
    encoding_errors: str = "reject",
) -> Document | Removal | None:
    """One line as :func:`dedupe.io.jsonl.read_jsonl` reads it (``raw`` with its newline); None for a blank
    line. ``order`` is the line number, which sorts the same as the local reader's count."""
    return parse_line(
        raw, lineno, name=name, order=lineno, text_field=text_field, id_field=id_field, encoding_errors=encoding_errors
    )


def text_file_item(data: bytes, rel: str, order: int, encoding_errors: str = "reject") -> Document | Removal:
    """One file's bytes as :func:`dedupe.io.textfiles.read_text_file` reads them."""
    return document_from_bytes(data, doc_id=rel, source=rel, order=order, encoding_errors=encoding_errors)


def _base_row(item: Document | Removal, order: int, raw: str | None, keep_by: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {"dd_o": order, "dd_id": item.id, "dd_src": item.source, "dd_raw": raw}
    row.update(dd_text=None, dd_redit=None, dd_rreason=None, dd_kbk=None, dd_kbn=None, dd_kbs=None)
    if isinstance(item, Removal):
        row["dd_rreason"] = item.reason
        return row
    row["dd_text"] = item.text
    row["dd_redit"] = next(iter(item.edits), None)
    value = _sort_value(item, keep_by) if keep_by else None
    if value is not None:
        row["dd_kbk"] = value[0]
        row["dd_kbn" if value[0] == 0 else "dd_kbs"] = value[1]
    return row


def _base_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    cols = [c.split()[0] for c in _BASE.split(", ")]
    frame = pd.DataFrame(rows, columns=cols)
    frame["dd_kbk"] = frame["dd_kbk"].astype("Int32")
    frame["dd_kbn"] = frame["dd_kbn"].astype("float64")
    return frame


def _jsonl_frames(frames: Iterator[pd.DataFrame], *, name: str, last: int, ends_nl: bool, bom: bool, **kw: Any):
    keep_by = kw.pop("keep_by")
    for pdf in frames:
        rows = []
        for raw, lineno in zip(pdf["raw"], pdf["lineno"], strict=True):
            raw = bytes(raw)
            if bom and lineno == 1:
                raw = b"\xef\xbb\xbf" + raw  # Spark's line reader drops a leading byte-order mark
            if lineno != last or ends_nl:
                raw += b"\n"
            item = parse_jsonl_line(raw, int(lineno), name=name, **kw)
            if item is not None:
                text = None if isinstance(item, Removal) else json.dumps(item.record, ensure_ascii=False)
                rows.append(_base_row(item, int(lineno), text, keep_by))
        yield _base_frame(rows)


def _file_frames(frames: Iterator[pd.DataFrame], *, encoding_errors: str):
    for pdf in frames:
        rows = [
            _base_row(text_file_item(bytes(data), rel, int(order), encoding_errors), int(order), None, None)
            for data, rel, order in zip(pdf["content"], pdf["rel"], pdf["order"], strict=True)
        ]
        yield _base_frame(rows)


def _file_edges(path: str) -> tuple[bool, bool]:
    """(starts with a byte-order mark, ends with a newline) of a local, possibly compressed, file."""
    if compression_of(path) is None:
        with open(path, "rb") as fh:
            head = fh.read(3)
            fh.seek(max(0, os.fstat(fh.fileno()).st_size - 1))
            return head == b"\xef\xbb\xbf", fh.read(1) == b"\n"
    with open_binary(path) as fh:
        head = fh.read(3)
        last = head[-1:]
        while chunk := fh.read(1 << 20):
            last = chunk[-1:]
    return head == b"\xef\xbb\xbf", last == b"\n"


def read(
    spark: SparkSession,
    path: str,
    form: str,
    text_field: str = "text",
    id_field: str = "id",
    encoding_errors: str = "reject",
    pattern: str = "**/*",
    keep_by: str | None = None,
) -> DataFrame:
    """The input as the base DataFrame of the decision: one row per item, in ``dd_o`` order.

    JSON Lines: line numbers come from the partition id and the row's place in its partition (partition
    sizes are a tiny aggregate), so the order is the file's. Folders: the files the local reader lists,
    numbered in sorted relative-path order, read by the ``binaryFile`` source.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if form == "jsonl":
        lines = spark.read.option("lineSep", "\n").text(path)
        lines = lines.select(
            F.col("value").cast("binary").alias("raw"),
            F.spark_partition_id().alias("p"),
            F.monotonically_increasing_id().alias("m"),
        )
        sizes = lines.groupBy("p").count()
        before = Window.orderBy("p").rowsBetween(Window.unboundedPreceding, -1)
        offsets = sizes.select("p", F.coalesce(F.sum("count").over(before), F.lit(0)).alias("off"))
        total = sizes.agg(F.sum("count")).first()[0] or 0
        numbered = lines.join(F.broadcast(offsets), "p").select(
            "raw", (F.col("off") + F.col("m") - F.shiftleft(F.col("p").cast("long"), 33) + 1).alias("lineno")
        )
        bom, ends_nl = _file_edges(path)
        fn = partial(
            _jsonl_frames,
            name=Path(path).name,
            last=total,
            ends_nl=ends_nl,
            bom=bom,
            text_field=text_field,
            id_field=id_field,
            encoding_errors=encoding_errors,
            keep_by=keep_by,
        )
        return numbered.mapInPandas(fn, _BASE)
    root = Path(path)
    if form == "folder":
        files = [(i, f.relative_to(root).as_posix(), str(f)) for i, f in enumerate(list_files(root, pattern))]
    else:
        files = [(0, root.name, str(root))]
    if not files:
        return spark.createDataFrame([], _BASE)
    files = [(o, r, os.path.abspath(f)) for o, r, f in files]
    names = spark.createDataFrame([(o, r, "file:" + f) for o, r, f in files], "order long, rel string, path string")
    content = spark.read.format("binaryFile").load([f for _, _, f in files]).select("path", "content")
    fn = partial(_file_frames, encoding_errors=encoding_errors)
    return content.join(names, "path").select("content", "rel", "order").mapInPandas(fn, _BASE)


# ---------------------------------------------------------------------------------------------------------
# Per-document work on executors


def _banding(opts: Options) -> tuple[int, int]:
    """The local index's (bands, rows) for these options."""
    index = NearDuplicateIndex(opts.num_perm, opts.threshold, opts.bands, opts.rows, verify="none")
    return index.bands, index.rows


def _prepare_frames(frames: Iterator[pd.DataFrame], *, opts: Options, bands: int, rows: int):
    """prepare_batch on each Arrow batch, plus the index's band keys and 4-bit signature."""
    import pandas as pd

    cols = [c.split()[0] for c in _PREPARED.split(", ")]
    for pdf in frames:
        items: list[Document | Removal] = []
        for r in pdf.itertuples(index=False):
            if _present(r.dd_rreason):
                items.append(Removal(r.dd_id, "read", r.dd_rreason, rejected=True, source=_opt(r.dd_src)))
                continue
            doc = Document(r.dd_id, r.dd_text, source=_opt(r.dd_src), order=int(r.dd_o))
            if _present(r.dd_redit):
                doc.edits[r.dd_redit] += 1
            if r.dd_dupid:
                doc.edits["read:duplicate_ids"] += 1
            items.append(doc)
        prepared = prepare_batch(items, opts, with_shingles=False)
        sigs = [p.signature for p in prepared if isinstance(p, Prepared) and p.signature is not None]
        keys = iter((band_keys(np.stack(sigs), bands, rows) >> np.uint64(32)).astype(np.int64)) if sigs else iter(())
        nibs = iter(_nibbles(np.stack(sigs))) if sigs else iter(())
        out = []
        for r, p in zip(pdf.itertuples(index=False), prepared, strict=True):
            row = {c: None for c in cols}
            row.update(dd_o=int(r.dd_o), dd_id=p.id if isinstance(p, Removal) else p.doc.id, dd_src=_opt(r.dd_src))
            row.update(dd_raw=_opt(r.dd_raw), dd_kbk=_opt(r.dd_kbk), dd_kbn=_opt(r.dd_kbn), dd_kbs=_opt(r.dd_kbs))
            if isinstance(p, Removal):
                row.update(dd_rstep=p.step, dd_rreason=p.reason)
            else:
                row.update(dd_clean=p.doc.text, dd_digest=p.digest, dd_len=len(p.doc.text))
                row.update(dd_cin=p.stats.get("chars_in", 0), dd_edits=json.dumps(dict(p.doc.edits)), dd_sig=False)
                if p.signature is not None:
                    row.update(dd_keys=next(keys).tolist(), dd_nib=next(nibs).tobytes())
                    row["dd_sig"] = bool(p.signature[0] != EMPTY)
            out.append(row)
        frame = pd.DataFrame(out, columns=cols)
        frame["dd_kbk"] = frame["dd_kbk"].astype("Int32")
        frame["dd_kbn"] = frame["dd_kbn"].astype("float64")
        frame["dd_len"] = frame["dd_len"].astype("Int64")
        frame["dd_cin"] = frame["dd_cin"].astype("Int64")
        yield frame


def _opt(value: Any) -> Any:
    """A pandas cell as Python: None for every kind of missing value."""
    import pandas as pd

    if value is None or (not isinstance(value, (str, bytes, list, np.ndarray)) and pd.isna(value)):
        return None
    return value


def _present(value: Any) -> bool:
    return _opt(value) is not None


def _estimates(a: pd.Series, b: pd.Series, num_perm: int) -> pd.Series:
    """NearDuplicateIndex._estimate for pairs of 4-bit signatures, same operations, same floats."""
    import pandas as pd

    width = (num_perm + 1) // 2
    x = np.frombuffer(b"".join(map(bytes, a)), np.uint8).reshape(-1, width)
    y = np.frombuffer(b"".join(map(bytes, b)), np.uint8).reshape(-1, width)
    diff = x ^ y
    equal = ((diff & 0x0F) == 0).sum(axis=1) + ((diff & 0xF0) == 0).sum(axis=1)
    if num_perm % 2:
        equal -= 1
    share = equal / num_perm
    return pd.Series(np.clip((share - 1 / 16) / (1 - 1 / 16), 0.0, 1.0))


def _exacts(a: pd.Series, b: pd.Series, ngram: int, mode: str) -> pd.Series:
    import pandas as pd

    return pd.Series([exact_jaccard(x, y, ngram=ngram, mode=mode) for x, y in zip(a, b, strict=True)], dtype="float64")


def _match_groups(pdf: pd.DataFrame, *, opts: Options) -> pd.DataFrame:
    """NearDuplicateIndex.match for one document: its kept candidates, most similar first (ties: the
    earlier kept), the first that passes; also how many candidates and exact checks that took."""
    import pandas as pd

    pdf = pdf.sort_values(["dd_est", "dd_k"], ascending=[False, True], kind="stable")
    t, m = opts.threshold, MARGIN
    checks, found = 0, None
    columns = (pdf["dd_est"].tolist(), pdf["dd_x"].tolist(), pdf["dd_kid"].tolist(), pdf["dd_k"].tolist())
    for e, x, label, k in zip(*columns, strict=True):
        if e < t - m:
            break
        if opts.verify == "none" or (opts.verify == "auto" and e >= t + m):
            if e >= t:
                found = (label, k, e, False)
                break
            continue
        checks += 1
        if x >= t:
            found = (label, k, x, True)
            break
    row = {"dd_d": int(pdf["dd_d"].iloc[0]), "dd_ncand": len(pdf), "dd_nexact": checks}
    row.update(dd_dup=None, dd_dk=None, dd_sim=None, dd_reason=None)
    if found is not None:
        label, k, sim, exact = found
        how = "exact Jaccard" if exact else "estimated Jaccard"
        reason = f"near-duplicate of {label}, {how} {sim:.2f}"
        row.update(dd_dup=label, dd_dk=int(k), dd_sim=float(sim), dd_reason=reason)
    return pd.DataFrame([row])


# ---------------------------------------------------------------------------------------------------------
# The decision


def _plain(fn: Any) -> Any:
    """A plain function for applyInPandas (it reads type hints, and a partial has none)."""

    def call(pdf):
        return fn(pdf)

    return call


def _series_fn(fn: Any) -> Any:
    """A two-Series function with the real type hints pandas_udf reads to pick the Series-to-Series kind."""
    import pandas as pd

    def call(a, b):
        return fn(a, b)

    call.__annotations__ = {"a": pd.Series, "b": pd.Series, "return": pd.Series}
    return call


def _score(pairs: DataFrame, docs: DataFrame, opts: Options) -> DataFrame:
    """(dd_d, dd_k) pairs with the estimate, the exact Jaccard where the local index would compute it,
    and whether the pair passes the check."""
    from pyspark.sql import functions as F
    from pyspark.sql.functions import pandas_udf

    est = pandas_udf(_series_fn(partial(_estimates, num_perm=opts.num_perm)), "double")
    nib = docs.select("dd_r", "dd_nib")
    p = pairs.join(nib.toDF("dd_d", "dd_nd"), "dd_d").join(nib.toDF("dd_k", "dd_nk"), "dd_k")
    p = p.select("dd_d", "dd_k", est("dd_nd", "dd_nk").alias("dd_est"))
    t, m = opts.threshold, MARGIN
    e = F.col("dd_est")
    if opts.verify == "none":
        return p.withColumn("dd_x", F.lit(None).cast("double")).withColumn("dd_pass", e >= t)
    need = (e >= t - m) & (e < t + m) if opts.verify == "auto" else e >= t - m
    exact = pandas_udf(_series_fn(partial(_exacts, ngram=opts.ngram, mode=opts.shingle)), "double")
    text = docs.select("dd_r", "dd_clean")
    zone = p.filter(need).join(text.toDF("dd_d", "dd_td"), "dd_d").join(text.toDF("dd_k", "dd_tk"), "dd_k")
    zone = zone.select("dd_d", "dd_k", exact("dd_td", "dd_tk").alias("dd_x"))
    p = p.join(zone, ["dd_d", "dd_k"], "left")
    return p.withColumn("dd_pass", F.when(need, F.col("dd_x") >= t).otherwise(e >= t))


def _rounds(keys: DataFrame, docs: DataFrame, opts: Options, fanout: int) -> DataFrame:
    """The kept participants (``dd_r``) of the greedy near stage, decided in rounds.

    Invariant: an undecided document has been checked against every document kept so far, and none
    passes. Round: (a) an undecided document that passes a document kept in the last round is removed
    (a kept document is final, so this is the sequential result); (b) a remaining undecided document is
    kept when it is among the first ``fanout`` undecided members of each of its buckets (so all its
    earlier undecided neighbours are known) and none of them passes: whatever becomes of them, no kept
    earlier document can then remove it. The first undecided document by rank is always kept.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    state = keys.select("dd_r").distinct().select("dd_r", F.lit("u").alias("dd_st"), F.lit(False).alias("dd_new"))
    state = state.localCheckpoint()
    rounds, started = 0, time.perf_counter()
    while True:
        und = state.filter(F.col("dd_st") == "u").select("dd_r")
        if rounds:
            fresh = keys.join(state.filter("dd_new").select("dd_r"), "dd_r").toDF("dd_k", "key")
            pairs = keys.join(und, "dd_r").toDF("dd_d", "key").join(fresh, "key")
            pairs = pairs.filter(F.col("dd_k") < F.col("dd_d")).select("dd_d", "dd_k").distinct()
            removed = _score(pairs, docs, opts).filter("dd_pass").select("dd_d").distinct().toDF("dd_r")
            und = und.join(removed, "dd_r", "left_anti")
        else:
            removed = None
        members = keys.join(und, "dd_r").withColumn(
            "pos", F.row_number().over(Window.partitionBy("key").orderBy("dd_r"))
        )
        blocked = members.filter(F.col("pos") > fanout).select("dd_r").distinct()
        top = members.filter(F.col("pos") <= fanout)
        pairs = top.toDF("dd_d", "key", "pd").join(top.toDF("dd_k", "key", "pk"), "key")
        pairs = pairs.filter(F.col("dd_k") < F.col("dd_d")).select("dd_d", "dd_k").distinct()
        waiting = _score(pairs, docs, opts).filter("dd_pass").select("dd_d").distinct().toDF("dd_r")
        kept = und.join(blocked, "dd_r", "left_anti").join(waiting, "dd_r", "left_anti")
        kept = kept.select("dd_r", F.lit(True).alias("dd_k"))
        new = state.join(kept, "dd_r", "left")
        st = F.when(F.col("dd_k"), F.lit("k")).otherwise(F.col("dd_st"))
        if removed is not None:
            new = new.join(removed.select("dd_r", F.lit(True).alias("dd_x")), "dd_r", "left")
            st = F.when(F.col("dd_x"), F.lit("r")).otherwise(st)
        state = new.select("dd_r", st.alias("dd_st"), F.coalesce(F.col("dd_k"), F.lit(False)).alias("dd_new"))
        state = state.localCheckpoint()
        rounds += 1
        left = state.filter(F.col("dd_st") == "u").count()
        logger.info("near stage round %d: %d undecided left (%.1f s)", rounds, left, time.perf_counter() - started)
        if not left:
            return state.filter(F.col("dd_st") == "k").select("dd_r")


def _decide(base: DataFrame, opts: Options, fanout: int = FANOUT):
    """Decisions for every item of ``base`` (one row per ``dd_o``), and a function giving the Account."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    bands, rows = _banding(opts)
    # dedupe.engines.local.unique_ids: the n-th document (n > 1, input order) with an id becomes "ID#n"
    docs = base.filter(F.col("dd_rreason").isNull())
    n = F.row_number().over(Window.partitionBy("dd_id").orderBy("dd_o"))
    docs = docs.withColumn("dd_n", n).withColumn("dd_dupid", F.col("dd_n") > 1)
    docs = docs.withColumn(
        "dd_id", F.when(F.col("dd_dupid"), F.format_string("%s#%d", "dd_id", "dd_n")).otherwise(F.col("dd_id"))
    )
    rejected = base.filter(F.col("dd_rreason").isNotNull()).withColumn("dd_dupid", F.lit(False))
    base = docs.drop("dd_n").unionByName(rejected)
    prepared = base.mapInPandas(partial(_prepare_frames, opts=opts, bands=bands, rows=rows), _PREPARED)
    prepared = prepared.localCheckpoint()
    ok = prepared.filter(F.col("dd_rstep").isNull())
    if opts.keep_by is not None:
        order = [F.col("dd_kbk").desc_nulls_last(), F.col("dd_kbn").desc(), F.col("dd_kbs").desc(), F.col("dd_o")]
    elif opts.keep == "longest":
        order = [F.col("dd_len").desc(), F.col("dd_o")]
    else:
        order = None
    # rank: the policy order; after a range-partitioned sort the generated ids grow with it
    ranked = ok.withColumn("dd_r", F.col("dd_o")) if order is None else ok.orderBy(*order)
    if order is not None:
        ranked = ranked.withColumn("dd_r", F.monotonically_increasing_id())
    ranked = ranked.select("dd_o", "dd_r", "dd_id", "dd_digest", "dd_nib", "dd_keys", "dd_sig", "dd_clean")
    ranked = ranked.localCheckpoint()
    if opts.exact:
        first = ranked.groupBy("dd_digest").agg(F.min("dd_r").alias("dd_rep"))
        groups = ranked.join(first, "dd_digest")
    else:
        groups = ranked.withColumn("dd_rep", F.col("dd_r"))
    groups = groups.join(ranked.select(F.col("dd_r").alias("dd_rep"), F.col("dd_id").alias("dd_repid")), "dd_rep")
    is_rep = F.col("dd_r") == F.col("dd_rep")
    all_keys = ranked.filter("dd_sig").select("dd_r", F.explode("dd_keys").alias("key")).distinct()
    docs = ranked.select("dd_r", "dd_nib", "dd_clean")
    spark = base.sparkSession
    if opts.near:
        players = groups.filter(is_rep & F.col("dd_sig")).select("dd_r")
        kept_players = _rounds(all_keys.join(players, "dd_r").localCheckpoint(), docs, opts, fanout)
        kept_players = kept_players.localCheckpoint()
        kept_reps = groups.filter(is_rep & ~F.col("dd_sig")).select("dd_r").union(kept_players)
    else:
        kept_players = spark.createDataFrame([], "dd_r bigint")
        kept_reps = groups.filter(is_rep).select("dd_r")
    flagged = groups.join(kept_reps.select(F.col("dd_r").alias("dd_rep"), F.lit(True).alias("dd_rk")), "dd_rep", "left")
    rep_kept = F.coalesce(F.col("dd_rk"), F.lit(False))
    if opts.near:
        near = flagged.filter(F.col("dd_sig") & (is_rep | ~rep_kept)).select("dd_r")
        kid = ranked.select(F.col("dd_r").alias("dd_k"), F.col("dd_id").alias("dd_kid"))
        pairs = all_keys.join(near, "dd_r").toDF("dd_d", "key")
        pairs = pairs.join(all_keys.join(kept_players, "dd_r").toDF("dd_k", "key"), "key")
        pairs = pairs.filter(F.col("dd_k") < F.col("dd_d")).select("dd_d", "dd_k").distinct()
        scored = _score(pairs, docs, opts).join(kid, "dd_k").localCheckpoint()
        matches = scored.groupBy("dd_d").applyInPandas(_plain(partial(_match_groups, opts=opts)), _MATCH)
        matches = matches.localCheckpoint()
        removed_near = matches.filter(F.col("dd_dup").isNotNull()).select("dd_d")
        roots = _families(scored.filter("dd_pass").join(removed_near, "dd_d").select("dd_d", "dd_k"))
    else:
        matches = spark.createDataFrame([], _MATCH)
        roots = spark.createDataFrame([], "dd_r bigint, dd_root bigint")
    dec = flagged.join(matches.withColumnRenamed("dd_d", "dd_r"), "dd_r", "left")
    exact = ~is_rep & rep_kept
    nearly = ~exact & F.col("dd_dup").isNotNull()
    # clusters (dedupe.decide.clusters): a member's family is that of the kept document it names, or its own
    anchor = F.when(exact, F.col("dd_rep")).when(nearly, F.col("dd_dk")).otherwise(F.col("dd_r"))
    dec = dec.withColumn("dd_anchor", anchor).join(roots.toDF("dd_anchor", "dd_aroot"), "dd_anchor", "left")
    dec = dec.withColumn("dd_croot", F.coalesce("dd_aroot", "dd_anchor"))
    dec = dec.withColumn("dd_ckind", F.when(exact | nearly, F.lit("r")).otherwise(F.lit("k")))
    firsts = dec.filter(F.col("dd_ckind") == "r").groupBy("dd_croot").agg(F.min("dd_o").alias("dd_cfirst"))
    names = ranked.select(F.col("dd_r").alias("dd_croot"), F.col("dd_id").alias("cluster"))
    dec = dec.join(firsts.join(names, "dd_croot"), "dd_croot", "left")
    in_cluster = F.col("dd_cfirst").isNotNull()
    dec = dec.select(
        "dd_o",
        "dd_id",
        "cluster",
        F.when(in_cluster, F.col("dd_cfirst")).alias("dd_cfirst"),
        F.when(in_cluster, F.col("dd_ckind")).alias("dd_ckind"),
        F.when(in_cluster & (F.col("dd_ckind") == "k"), F.col("dd_r")).alias("dd_crank"),
        F.when(exact | nearly, "removed").otherwise("kept").alias("status"),
        F.when(exact, "exact").when(nearly, "near").alias("step"),
        F.when(exact, F.concat(F.lit("exact duplicate of "), F.col("dd_repid")))
        .when(nearly, F.col("dd_reason"))
        .alias("reason"),
        F.when(exact, F.col("dd_repid")).when(nearly, F.col("dd_dup")).alias("duplicate_of"),
        F.when(exact, F.lit(1.0)).when(nearly, F.col("dd_sim")).alias("similarity"),
    )
    if opts.drop_all:  # every kept member of a cluster (dedupe.engines.local._DropAll)
        drop = (F.col("status") == "kept") & F.col("cluster").isNotNull()
        reason = "in a cluster of duplicates, and --drop-all removes every member of a cluster"
        dec = dec.select(
            "dd_o",
            "dd_id",
            "cluster",
            *_CLUSTER_COLUMNS,
            F.when(drop, "removed").otherwise(F.col("status")).alias("status"),
            F.when(drop, "drop-all").otherwise(F.col("step")).alias("step"),
            F.when(drop, reason).otherwise(F.col("reason")).alias("reason"),
            "duplicate_of",
            "similarity",
        )
    dec = dec.drop("dd_id")
    rejected = prepared.filter(F.col("dd_rstep").isNotNull()).select(
        "dd_o",
        F.lit("rejected").alias("status"),
        F.col("dd_rstep").alias("step"),
        F.col("dd_rreason").alias("reason"),
        F.lit(None).cast("string").alias("duplicate_of"),
        F.lit(None).cast("double").alias("similarity"),
        F.lit(None).cast("string").alias("cluster"),
        F.lit(None).cast("bigint").alias("dd_cfirst"),
        F.lit(None).cast("string").alias("dd_ckind"),
        F.lit(None).cast("bigint").alias("dd_crank"),
    )
    decisions = dec.unionByName(rejected).join(
        prepared.select("dd_o", "dd_id", "dd_src", "dd_raw", "dd_clean", "dd_len", "dd_cin", "dd_edits"), "dd_o"
    )
    decisions = decisions.localCheckpoint()

    def account() -> Account:
        return _account(decisions, matches, opts, bands, rows)

    return decisions.drop("dd_len", "dd_cin", "dd_edits"), account


def _families(edges: DataFrame) -> DataFrame:
    """(dd_r, dd_root) for the kept documents of ``edges`` (removed ``dd_d``, kept ``dd_k`` it passes):
    connected components, each named by its lowest rank (its earliest kept document), as the local
    union-find names them. Minimum labels spread through the removed documents (and jump along labels)
    until none changes."""
    from pyspark.sql import functions as F

    edges = edges.localCheckpoint()
    labels = edges.select(F.col("dd_k").alias("dd_r")).distinct().withColumn("dd_root", F.col("dd_r"))
    labels = labels.localCheckpoint()
    while True:
        per_removed = edges.join(labels.toDF("dd_k", "dd_l"), "dd_k").groupBy("dd_d").agg(F.min("dd_l").alias("dd_l"))
        reached = edges.join(per_removed, "dd_d").groupBy("dd_k").agg(F.min("dd_l").alias("dd_l"))
        new = labels.join(reached.toDF("dd_r", "dd_l"), "dd_r", "left")
        new = new.select("dd_r", F.least("dd_root", F.coalesce("dd_l", "dd_root")).alias("dd_root"))
        # pointer jumping: take the label's own label too, so a long chain of families needs log rounds
        jump = new.toDF("dd_root", "dd_rr")
        new = new.join(jump, "dd_root", "left").select("dd_r", F.coalesce("dd_rr", "dd_root").alias("dd_root"))
        new = new.localCheckpoint()
        changed = new.join(labels.toDF("dd_r", "dd_old"), "dd_r").filter(F.col("dd_root") != F.col("dd_old")).count()
        labels = new
        if not changed:
            return labels


def _account(decisions: DataFrame, matches: DataFrame, opts: Options, bands: int, rows: int) -> Account:
    """The local run's Account from small aggregates (counts per step, sums, edit counts per rule)."""
    from pyspark.sql import functions as F

    acc = Account()
    for r in decisions.groupBy("status", "step").count().collect():
        acc.read += r["count"]
        if r.status == "kept":
            acc.kept += r["count"]
            continue
        rejected = r.status == "rejected"
        if rejected:
            acc.rejected += r["count"]
        else:
            acc.removed += r["count"]
        acc.count(r.step, "rejected" if rejected else "removed", r["count"])
    sums = decisions.agg(
        F.sum(F.when(F.col("status") == "kept", F.col("dd_len"))).alias("out"), F.sum("dd_cin").alias("inp")
    ).first()
    acc.chars_in, acc.chars_out = int(sums.inp or 0), int(sums.out or 0)
    edits = decisions.filter(F.col("dd_edits").isNotNull()).select(
        "dd_o", F.explode(F.from_json("dd_edits", "map<string,bigint>")).alias("key", "n")
    )
    for r in edits.groupBy("key").agg(F.sum("n").alias("n")).collect():
        stage, _, what = r.key.partition(":")
        acc.count(stage, what.strip(), int(r.n))
    stages = edits.select("dd_o", F.substring_index("key", ":", 1).alias("stage")).distinct()
    for r in stages.groupBy("stage").count().collect():
        acc.count(r.stage, "documents_changed", r["count"])
    if opts.near:
        totals = matches.agg(F.sum("dd_ncand").alias("c"), F.sum("dd_nexact").alias("x")).first()
        near = acc.stages.setdefault("near", Counter())
        near["candidates_checked"] = int(totals.c or 0)
        near["exact_checks"] = int(totals.x or 0)
        near["bands"] = bands
        near["rows"] = rows
    return acc
