"""The same pipeline on Apache Spark, with the same results as the local run.

    from dedupe.engines.spark import deduplicate
    out = deduplicate(df, threshold=0.8, order_col="n")   # every row, plus text (cleaned), status, step, ...
    out.filter("status = 'kept'")

Only the DataFrame API is used (no RDDs, no ``sparkContext``, no extra jars), so the same job runs on a
cluster, on Databricks and over Spark Connect. Executors need ``dedupe`` installed (``pip install dedupe``
on the cluster, or ``--py-files``), because the per-document work calls the very functions of the local
run: :func:`dedupe.prepare.prepare_batch` (normalise, repair, digest, MinHash) runs in an Arrow-batched
``mapInPandas``, and every decision rule (the candidate check, keep order, reasons, ids, the account) is
the local engine's own, applied to columns. This package only moves rows:

- :mod:`~dedupe.engines.spark.columns`: the engine's column names, what each means;
- :mod:`~dedupe.engines.spark.read`: the input as one row per item;
- :mod:`~dedupe.engines.spark.prepare`: the per-document work on the executors;
- :mod:`~dedupe.engines.spark.decide` and :mod:`~dedupe.engines.spark.rounds`: the sequential decision
  computed in rounds over DataFrames, with the same result;
- :mod:`~dedupe.engines.spark.account`: the run's account;
- :mod:`~dedupe.engines.spark.quiet`: a session started quietly, for ``dedupe run -q``.

``dedupe run --engine spark`` (:mod:`dedupe.run.spark`) writes the run's files from these decisions.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from dedupe.engines.spark import columns as c
from dedupe.engines.spark.decide import FANOUT, decided
from dedupe.engines.spark.quiet import can_start_quietly, start_quietly
from dedupe.options import Options

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["FANOUT", "OUTPUT_COLUMNS", "deduplicate", "session"]

OUTPUT_COLUMNS = c.OUTPUT_COLUMNS


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
    sources but not after a shuffle, so pass it. ``keep_by`` names a column of ``df`` (numbers and strings
    rank; other types rank last). Rejected rows keep their original text. ``fanout`` only tunes the rounds
    (see :mod:`~dedupe.engines.spark.rounds`); results never depend on it.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import BooleanType, NumericType, StringType

    opts = replace(options, **option_overrides) if options is not None else Options(**option_overrides)
    order = F.col(order_col).cast("long") if order_col else F.monotonically_increasing_id()
    src = df.withColumn(c.ORDER, order)
    fields = {f.name: f.dataType for f in df.schema.fields}
    if text_col not in fields or not isinstance(fields[text_col], StringType):
        raise ValueError(f"text_col {text_col!r} must be a string column of the DataFrame")
    doc_id = F.col(c.ORDER).cast("string")
    if id_col in fields:
        doc_id = F.coalesce(F.col(id_col).cast("string"), doc_id)
    keep_value = F.lit(None).cast("string")
    if opts.keep_by is not None:
        kb_type = fields.get(opts.keep_by)
        if kb_type is None:
            raise ValueError(f"keep_by column {opts.keep_by!r} is not in the DataFrame")
        if isinstance(kb_type, (NumericType, StringType, BooleanType)):  # as a JSON value, like a record's
            keep_value = F.to_json(F.struct(F.col(opts.keep_by).alias(opts.keep_by)))
    base = src.select(
        c.ORDER,
        doc_id.alias(c.ID),
        F.lit(None).cast("string").alias(c.SOURCE),
        F.lit(None).cast("string").alias(c.RECORD),
        F.col(text_col).alias(c.TEXT),
        F.lit(None).cast("string").alias(c.READ_EDIT),
        F.when(F.col(text_col).isNull(), F.lit(f"no {text_col!r} field")).alias(c.READ_ERROR),
        keep_value.alias(c.KEEP_VALUE),
    )
    decisions, _ = decided(base, opts, fanout, keep_by=opts.keep_by)
    out = src.drop(*c.OUTPUT_COLUMNS).join(decisions, c.ORDER, "left")
    cleaned = F.when(F.col("status") == "rejected", F.col(text_col)).otherwise(F.col(c.CLEAN))
    hidden = (c.ORDER, c.CLEAN, c.ID, c.SOURCE, c.RECORD, *c.CLUSTER_COLUMNS)
    return out.withColumn(text_col, cleaned).drop(*hidden)


def session(
    *, master: str | None = None, remote: str | None = None, quiet: bool = False, conf: dict[str, str] | None = None
) -> SparkSession:
    """The active session, or a new one for ``master`` (e.g. ``local[2]``) or Spark Connect ``remote``.

    ``quiet``: a session started here shows no progress bars and logs only errors, and the JVM's start-up
    lines are held back (:mod:`~dedupe.engines.spark.quiet`); a session that is already running, or a
    Spark Connect one, is used as it is. ``conf``: Spark settings for a session started here (settings
    fixed when the JVM starts, like ``spark.driver.memory``, cannot change in a running one)."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers need this interpreter's packages
    builder = SparkSession.builder
    conf = conf or {}
    if remote:
        return builder.remote(remote).getOrCreate()
    if quiet and can_start_quietly():
        start_quietly(master, conf)
    if master:
        builder = builder.master(master)
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
