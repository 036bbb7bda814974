"""The decision on DataFrames: the local engine's sequential rules (:mod:`dedupe.decide`), computed in
bulk, with the same result row for row.

- ids: the n-th document with an id is counted here and renamed by :mod:`dedupe.decide.ids`;
- rank: the keep policy's order, a sort on :func:`dedupe.decide.keep.rank_key` (ties: input order);
- exact stage: in a digest group only the first member (by rank) can be kept, and every later member goes
  the way of the first (same text, same signature), so only first members enter the near stage;
- near stage: the rounds of :mod:`~dedupe.engines.spark.rounds`, then every document is matched against
  the kept documents it shares a band with, as the local index matches it;
- clusters: families by connected components over the passing pairs of removed documents.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from dedupe.cleaning.boilerplate import Boilerplate
from dedupe.decide import reasons
from dedupe.document import Account
from dedupe.engines.spark import columns as c
from dedupe.engines.spark.account import account_of
from dedupe.engines.spark.boilerplate import shared_lines
from dedupe.engines.spark.prepare import prepare_frames
from dedupe.engines.spark.rounds import best_matches, decide_rounds, families, score
from dedupe.engines.spark.udf import grouped, series_udf
from dedupe.near.verify import banding
from dedupe.options import Options

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import Column, DataFrame

FANOUT = 128
"""Undecided members of one bucket checked pairwise per round; larger buckets wait for later rounds."""


def decided(
    base: DataFrame,
    opts: Options,
    fanout: int = FANOUT,
    keep_by: str | None = None,
    boilerplate: Boilerplate | None = None,
) -> tuple[DataFrame, Callable[[], Account]]:
    """Decisions for every item of ``base`` (one row per ``dd_order``), and a function giving the Account.

    ``keep_by``: the field the keep policy ranks by (``opts.keep_by``, or the column of a DataFrame);
    ``boilerplate``: the shared lines, with ``opts.boilerplate`` (counted here when not given)."""
    from pyspark.sql import functions as F

    if opts.boilerplate and boilerplate is None:
        boilerplate = shared_lines(base, opts).table
    bands, rows = banding(opts.num_perm, opts.threshold, opts.bands, opts.rows)
    prepared = _prepared(base, opts, bands, rows, keep_by, boilerplate).localCheckpoint()
    ranked = _ranked(prepared.filter(F.col(c.REJECT_STEP).isNull()), opts).localCheckpoint()
    groups = _exact_groups(ranked, opts)
    is_first = F.col(c.RANK) == F.col(c.FIRST)
    all_keys = ranked.filter(c.SIGNED).select(c.RANK, F.explode(c.BAND_KEYS).alias(c.BAND)).distinct()
    docs = ranked.select(c.RANK, c.NIBBLES, c.CLEAN)
    spark = base.sparkSession
    if opts.near:
        players = groups.filter(is_first & F.col(c.SIGNED)).select(c.RANK)
        kept_players = decide_rounds(all_keys.join(players, c.RANK).localCheckpoint(), docs, opts, fanout)
        kept_players = kept_players.localCheckpoint()
        kept_firsts = groups.filter(is_first & ~F.col(c.SIGNED)).select(c.RANK).union(kept_players)
    else:
        kept_players = spark.createDataFrame([], f"{c.RANK} bigint")
        kept_firsts = groups.filter(is_first).select(c.RANK)
    flagged = groups.join(
        kept_firsts.select(F.col(c.RANK).alias(c.FIRST), F.lit(True).alias(c.FIRST_KEPT)), c.FIRST, "left"
    )
    flagged = flagged.withColumn(c.FIRST_KEPT, F.coalesce(F.col(c.FIRST_KEPT), F.lit(False)))
    if opts.near:
        matches, roots = _near_matches(flagged, ranked, all_keys, kept_players, docs, opts)
    else:
        matches = spark.createDataFrame([], c.MATCH_SCHEMA)
        roots = spark.createDataFrame([], f"{c.RANK} bigint, {c.ROOT} bigint")
    dec = _decisions(flagged, matches, roots, ranked, opts)
    rejected = prepared.filter(F.col(c.REJECT_STEP).isNotNull()).select(
        c.ORDER,
        F.lit("rejected").alias("status"),
        F.col(c.REJECT_STEP).alias("step"),
        F.col(c.REJECT_REASON).alias("reason"),
        F.lit(None).cast("string").alias("duplicate_of"),
        F.lit(None).cast("double").alias("similarity"),
        F.lit(None).cast("string").alias("cluster"),
        F.lit(None).cast("bigint").alias(c.CLUSTER_FIRST),
        F.lit(None).cast("string").alias(c.CLUSTER_KIND),
        F.lit(None).cast("bigint").alias(c.CLUSTER_RANK),
    )
    kept_columns = (c.ORDER, c.ID, c.SOURCE, c.RECORD, c.CLEAN, c.LENGTH, c.CHARS_IN, c.EDITS)
    decisions = dec.unionByName(rejected).join(prepared.select(*kept_columns), c.ORDER).localCheckpoint()

    def account() -> Account:
        acc = account_of(decisions)
        if opts.near:
            totals = matches.agg(F.sum("dd_candidates").alias("n"), F.sum("dd_exact_checks").alias("x")).first()
            acc.near_stage(candidates=int(totals.n or 0), exact_checks=int(totals.x or 0), bands=bands, rows=rows)
        return acc

    return decisions.drop(c.LENGTH, c.CHARS_IN, c.EDITS), account


def _prepared(
    base: DataFrame, opts: Options, bands: int, rows: int, keep_by: str | None, boilerplate: Boilerplate | None
) -> DataFrame:
    """Every item prepared on the executors, documents numbered by id in input order (for unique ids)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    docs = base.filter(F.col(c.READ_ERROR).isNull())
    docs = docs.withColumn(c.ID_COUNT, F.row_number().over(Window.partitionBy(c.ID).orderBy(c.ORDER)))
    rejected = base.filter(F.col(c.READ_ERROR).isNotNull()).withColumn(c.ID_COUNT, F.lit(1))
    fn = partial(prepare_frames, opts=opts, bands=bands, rows=rows, keep_by=keep_by, boilerplate=boilerplate)
    return docs.unionByName(rejected).mapInPandas(fn, c.PREPARED_SCHEMA)


def _ranked(ok: DataFrame, opts: Options) -> DataFrame:
    """The documents that reach the decision, with their rank in keep-policy order: input order when the
    policy keeps the first; else a range-partitioned sort on the rank key, whose generated ids then grow
    with it."""
    from pyspark.sql import functions as F

    if opts.keep_by is None and opts.keep == "first":
        ranked = ok.withColumn(c.RANK, F.col(c.ORDER))
    else:
        ranked = ok.orderBy(c.RANK_KEY, c.ORDER).withColumn(c.RANK, F.monotonically_increasing_id())
    return ranked.select(c.ORDER, c.RANK, c.ID, c.DIGEST, c.NIBBLES, c.BAND_KEYS, c.SIGNED, c.CLEAN)


def _exact_groups(ranked: DataFrame, opts: Options) -> DataFrame:
    """Each document with the rank and id of the first of its exact-duplicate group (itself without the
    exact stage)."""
    from pyspark.sql import functions as F

    if opts.exact:
        first = ranked.groupBy(c.DIGEST).agg(F.min(c.RANK).alias(c.FIRST))
        groups = ranked.join(first, c.DIGEST)
    else:
        groups = ranked.withColumn(c.FIRST, F.col(c.RANK))
    return groups.join(ranked.select(F.col(c.RANK).alias(c.FIRST), F.col(c.ID).alias(c.FIRST_ID)), c.FIRST)


def _near_matches(
    flagged: DataFrame, ranked: DataFrame, all_keys: DataFrame, kept_players: DataFrame, docs: DataFrame, opts: Options
) -> tuple[DataFrame, DataFrame]:
    """The best match of every document of the near stage, and the families of kept documents."""
    from pyspark.sql import functions as F

    is_first = F.col(c.RANK) == F.col(c.FIRST)
    near = flagged.filter(F.col(c.SIGNED) & (is_first | ~F.col(c.FIRST_KEPT))).select(c.RANK)
    kept_ids = ranked.select(F.col(c.RANK).alias(c.KEPT), F.col(c.ID).alias("dd_kept_id"))
    pairs = all_keys.join(near, c.RANK).toDF(c.DOC, c.BAND)
    pairs = pairs.join(all_keys.join(kept_players, c.RANK).toDF(c.KEPT, c.BAND), c.BAND)
    pairs = pairs.filter(F.col(c.KEPT) < F.col(c.DOC)).select(c.DOC, c.KEPT).distinct()
    scored = score(pairs, docs, opts).join(kept_ids, c.KEPT).localCheckpoint()
    matches = scored.groupBy(c.DOC).applyInPandas(grouped(partial(best_matches, opts=opts)), c.MATCH_SCHEMA)
    matches = matches.localCheckpoint()
    removed = matches.filter(F.col("duplicate_of").isNotNull()).select(c.DOC)
    roots = families(scored.filter(c.PASSES).join(removed, c.DOC).select(c.DOC, c.KEPT))
    return matches, roots


def _exact_reason(ids: Column) -> Column:
    return series_udf(lambda s: s.map(reasons.exact_reason), 1, "string")(ids)


def _decisions(flagged: DataFrame, matches: DataFrame, roots: DataFrame, ranked: DataFrame, opts: Options) -> DataFrame:
    """Every decided document's status, step, reason, duplicate and similarity, and where it goes in the
    clusters file (:mod:`dedupe.decide.clusters`)."""
    from pyspark.sql import functions as F

    found = matches.select(
        F.col(c.DOC).alias(c.RANK), "duplicate_of", c.KEPT, "similarity", F.col("reason").alias("dd_near_reason")
    )
    dec = flagged.join(found, c.RANK, "left")
    exact = (F.col(c.RANK) != F.col(c.FIRST)) & F.col(c.FIRST_KEPT)
    nearly = ~exact & F.col("duplicate_of").isNotNull()
    # a member's family is that of the kept document it names, or its own
    anchor = F.when(exact, F.col(c.FIRST)).when(nearly, F.col(c.KEPT)).otherwise(F.col(c.RANK))
    dec = dec.withColumn("dd_anchor", anchor).join(roots.toDF("dd_anchor", "dd_anchor_root"), "dd_anchor", "left")
    dec = dec.withColumn(c.ROOT, F.coalesce("dd_anchor_root", "dd_anchor"))
    dec = dec.withColumn(c.CLUSTER_KIND, F.when(exact | nearly, F.lit("r")).otherwise(F.lit("k")))
    firsts = dec.filter(F.col(c.CLUSTER_KIND) == "r").groupBy(c.ROOT).agg(F.min(c.ORDER).alias(c.CLUSTER_FIRST))
    names = ranked.select(F.col(c.RANK).alias(c.ROOT), F.col(c.ID).alias("cluster"))
    dec = dec.join(firsts.join(names, c.ROOT), c.ROOT, "left")
    in_cluster = F.col(c.CLUSTER_FIRST).isNotNull()
    dec = dec.select(
        c.ORDER,
        "cluster",
        F.when(in_cluster, F.col(c.CLUSTER_FIRST)).alias(c.CLUSTER_FIRST),
        F.when(in_cluster, F.col(c.CLUSTER_KIND)).alias(c.CLUSTER_KIND),
        F.when(in_cluster & (F.col(c.CLUSTER_KIND) == "k"), F.col(c.RANK)).alias(c.CLUSTER_RANK),
        F.when(exact | nearly, "removed").otherwise("kept").alias("status"),
        F.when(exact, "exact").when(nearly, "near").alias("step"),
        F.when(exact, _exact_reason(F.col(c.FIRST_ID))).when(nearly, F.col("dd_near_reason")).alias("reason"),
        F.when(exact, F.col(c.FIRST_ID)).when(nearly, F.col("duplicate_of")).alias("duplicate_of"),
        F.when(exact, F.lit(1.0)).when(nearly, F.col("similarity")).alias("similarity"),
    )
    if opts.drop_all:  # every kept member of a cluster, as dedupe.decide.policy's _DropAll finds them
        drop = (F.col("status") == "kept") & F.col("cluster").isNotNull()
        dec = dec.select(
            c.ORDER,
            "cluster",
            *c.CLUSTER_COLUMNS,
            F.when(drop, "removed").otherwise(F.col("status")).alias("status"),
            F.when(drop, "drop-all").otherwise(F.col("step")).alias("step"),
            F.when(drop, reasons.DROP_ALL_REASON).otherwise(F.col("reason")).alias("reason"),
            "duplicate_of",
            "similarity",
        )
    return dec
