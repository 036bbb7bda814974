"""The near-duplicate stage on DataFrames: pairs scored by the shared candidate check, the greedy decision
in rounds, the best match of every removed document, and families (clusters) by connected components.

Every similarity, verify decision and reason comes from :mod:`dedupe.near.verify` and
:mod:`dedupe.decide.reasons`, called on columns of pairs; this module only moves rows.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from dedupe.decide import reasons
from dedupe.engines.spark import columns as c
from dedupe.engines.spark.udf import series_udf
from dedupe.near import verify
from dedupe.near.index import exact_jaccard
from dedupe.options import Options

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pyspark.sql import DataFrame

logger = logging.getLogger("dedupe.spark")


def _stacked(column: pd.Series) -> np.ndarray:
    """A column of equal-length byte strings as one uint8 matrix, a row each."""
    return np.frombuffer(b"".join(map(bytes, column)), np.uint8).reshape(len(column), -1)


def _estimates(a: pd.Series, b: pd.Series, num_perm: int) -> pd.Series:
    import pandas as pd

    return pd.Series(verify.estimate(_stacked(a), _stacked(b), num_perm))


def _needs_exact(e: pd.Series, threshold: float, mode: str) -> pd.Series:
    import pandas as pd

    return pd.Series(verify.needs_exact(e.to_numpy(), threshold, mode))


def _passes(e: pd.Series, x: pd.Series, threshold: float, mode: str) -> pd.Series:
    import pandas as pd

    return pd.Series(verify.passes(e.to_numpy(), x.to_numpy(dtype=float, na_value=np.nan), threshold, mode))


def _exacts(a: pd.Series, b: pd.Series, ngram: int, mode: str) -> pd.Series:
    """The exact Jaccard of each pair of texts; null where the pair has no texts (its check does not need it)."""
    import pandas as pd

    values = [
        None if x is None or y is None else exact_jaccard(x, y, ngram=ngram, mode=mode)
        for x, y in zip(a, b, strict=True)
    ]
    return pd.Series(values, dtype="float64")


def score(pairs: DataFrame, docs: DataFrame, opts: Options) -> DataFrame:
    """(dd_doc, dd_kept) pairs with the estimate, the exact Jaccard where the check needs it, and whether
    the pair passes. ``docs``: dd_rank, dd_nibbles, dd_clean.

    One pipeline: the texts join only the pairs that need them (a left join on the rank and the need), so
    the estimates are computed once and no second join puts the exact values back."""

    t, mode = opts.threshold, opts.verify
    est = series_udf(partial(_estimates, num_perm=opts.num_perm), 2, "double")
    nib = docs.select(c.RANK, c.NIBBLES)
    p = pairs.join(nib.toDF(c.DOC, "dd_doc_nibbles"), c.DOC).join(nib.toDF(c.KEPT, "dd_kept_nibbles"), c.KEPT)
    p = p.select(c.DOC, c.KEPT, est("dd_doc_nibbles", "dd_kept_nibbles").alias(c.ESTIMATE))
    need = series_udf(partial(_needs_exact, threshold=t, mode=mode), 1, "boolean")
    p = p.withColumn("dd_need", need(c.ESTIMATE))
    p = _texts_where_needed(_texts_where_needed(p, docs, c.DOC), docs, c.KEPT)
    exact = series_udf(partial(_exacts, ngram=opts.ngram, mode=opts.shingle), 2, "double")
    p = p.select(c.DOC, c.KEPT, c.ESTIMATE, exact(f"{c.DOC}_text", f"{c.KEPT}_text").alias(c.EXACT))
    passes = series_udf(partial(_passes, threshold=t, mode=mode), 2, "boolean")
    return p.withColumn(c.PASSES, passes(c.ESTIMATE, c.EXACT))


def _texts_where_needed(p: DataFrame, docs: DataFrame, side: str) -> DataFrame:
    """``p`` with ``<side>_text``: the cleaned text of document ``side`` where ``dd_need``, else null."""
    from pyspark.sql import functions as F

    text = docs.select(F.col(c.RANK).alias("dd_text_rank"), F.col(c.CLEAN).alias(f"{side}_text"))
    on = (F.col(side) == F.col("dd_text_rank")) & F.col("dd_need")
    return p.join(text, on, "left").drop("dd_text_rank")


def decide_rounds(keys: DataFrame, docs: DataFrame, opts: Options, fanout: int) -> DataFrame:
    """The kept participants (``dd_rank``) of the greedy near stage, decided in rounds.

    Invariant: an undecided document has been checked against every document kept so far, and none
    passes. Round: (a) an undecided document that passes a document kept in the last round is removed
    (a kept document is final, so this is the sequential result); (b) a remaining undecided document is
    kept when it is among the first ``fanout`` undecided members of each of its buckets (so all its
    earlier undecided neighbours are known) and none of them passes: whatever becomes of them, no kept
    earlier document can then remove it. The first undecided document by rank is always kept.
    ``keys``: (dd_rank, dd_band) of every participant.
    """
    from pyspark.sql import functions as F

    state = keys.select(c.RANK).distinct().select(c.RANK, F.lit("u").alias(c.STATE), F.lit(False).alias(c.NEW))
    state = state.localCheckpoint()
    rounds, started, before = 0, time.perf_counter(), {}
    while True:
        round_started = time.perf_counter()
        undecided = state.filter(F.col(c.STATE) == "u").select(c.RANK)
        removed = None
        if rounds:  # checkpointed: both the rest of the round and the next state read it
            removed = _removed_by_new(keys, state, undecided, docs, opts).localCheckpoint()
            undecided = undecided.join(removed, c.RANK, "left_anti")
        kept = _safe_to_keep(keys, undecided, docs, opts, fanout)
        state = _next_state(state, kept, removed).localCheckpoint()
        rounds += 1
        now = _tally(state)
        _log_round(rounds, time.perf_counter() - round_started, before, now)
        before = now
        if not now.get("u"):
            logger.info("near stage: %d rounds in %.1f s", rounds, time.perf_counter() - started)
            return state.filter(F.col(c.STATE) == "k").select(c.RANK)


def _tally(state: DataFrame) -> dict[str, int]:
    """How many participants are kept (k), removed (r) and undecided (u): one small aggregate, which both
    ends the rounds and tells the log what each round decided."""
    return {row[c.STATE]: row["count"] for row in state.groupBy(c.STATE).count().collect()}


def _log_round(n: int, seconds: float, before: dict[str, int], now: dict[str, int]) -> None:
    """One round's wall time and what it decided, at INFO on ``dedupe.spark``."""
    kept, removed = (now.get(s, 0) - before.get(s, 0) for s in "kr")
    logger.info(
        "near stage round %d: %.2f s, %d decided (%d kept, %d removed), %d undecided left",
        n,
        seconds,
        kept + removed,
        kept,
        removed,
        now.get("u", 0),
    )


def _removed_by_new(keys: DataFrame, state: DataFrame, undecided: DataFrame, docs: DataFrame, opts: Options):
    """Undecided documents that pass a document kept in the last round."""
    from pyspark.sql import functions as F

    fresh = keys.join(state.filter(c.NEW).select(c.RANK), c.RANK).toDF(c.KEPT, c.BAND)
    pairs = keys.join(undecided, c.RANK).toDF(c.DOC, c.BAND).join(fresh, c.BAND)
    pairs = pairs.filter(F.col(c.KEPT) < F.col(c.DOC)).select(c.DOC, c.KEPT).distinct()
    return score(pairs, docs, opts).filter(c.PASSES).select(c.DOC).distinct().toDF(c.RANK)


def _safe_to_keep(keys: DataFrame, undecided: DataFrame, docs: DataFrame, opts: Options, fanout: int) -> DataFrame:
    """Undecided documents among the first ``fanout`` of each of their buckets that pass no earlier one."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    members = keys.join(undecided, c.RANK).withColumn(
        "dd_pos", F.row_number().over(Window.partitionBy(c.BAND).orderBy(c.RANK))
    )
    blocked = members.filter(F.col("dd_pos") > fanout).select(c.RANK).distinct()
    top = members.filter(F.col("dd_pos") <= fanout)
    pairs = top.toDF(c.DOC, c.BAND, "dd_doc_pos").join(top.toDF(c.KEPT, c.BAND, "dd_kept_pos"), c.BAND)
    pairs = pairs.filter(F.col(c.KEPT) < F.col(c.DOC)).select(c.DOC, c.KEPT).distinct()
    waiting = score(pairs, docs, opts).filter(c.PASSES).select(c.DOC).distinct().toDF(c.RANK)
    return undecided.join(blocked, c.RANK, "left_anti").join(waiting, c.RANK, "left_anti")


def _next_state(state: DataFrame, kept: DataFrame, removed: DataFrame | None) -> DataFrame:
    from pyspark.sql import functions as F

    new = state.join(kept.select(c.RANK, F.lit(True).alias("dd_keep")), c.RANK, "left")
    st = F.when(F.col("dd_keep"), F.lit("k")).otherwise(F.col(c.STATE))
    if removed is not None:
        new = new.join(removed.select(c.RANK, F.lit(True).alias("dd_remove")), c.RANK, "left")
        st = F.when(F.col("dd_remove"), F.lit("r")).otherwise(st)
    return new.select(c.RANK, st.alias(c.STATE), F.coalesce(F.col("dd_keep"), F.lit(False)).alias(c.NEW))


def best_matches(pdf: pd.DataFrame, *, opts: Options) -> pd.DataFrame:
    """What :meth:`dedupe.near.index.NearDuplicateIndex.match` decides for one document, given its scored
    kept candidates: the first that passes in candidate order; also how many candidates and exact checks
    that took."""
    import pandas as pd

    pdf = pdf.sort_values(c.KEPT, kind="stable")  # kept order, as the index holds its candidates
    est, exact = pdf[c.ESTIMATE].to_numpy(), pdf[c.EXACT].to_numpy(dtype=float, na_value=np.nan)
    t, mode = opts.threshold, opts.verify
    checks, found = 0, None
    for j in verify.candidate_order(est).tolist():
        e = float(est[j])
        if not verify.worth_checking(e, t):
            break
        checks += bool(verify.needs_exact(e, t, mode))
        passed = verify.check(e, t, mode, partial(float, exact[j]))
        if passed is not None:
            found = (j, *passed)
            break
    row = {c.DOC: int(pdf[c.DOC].iloc[0]), "dd_candidates": len(pdf), "dd_exact_checks": checks}
    row.update(duplicate_of=None, **{c.KEPT: None}, similarity=None, reason=None)
    if found is not None:
        j, sim, is_exact = found
        label = pdf["dd_kept_id"].iloc[j]
        row.update(duplicate_of=label, **{c.KEPT: int(pdf[c.KEPT].iloc[j])}, similarity=float(sim))
        row["reason"] = reasons.near_reason(label, sim, is_exact)
    return pd.DataFrame([row])


def families(edges: DataFrame) -> DataFrame:
    """(dd_rank, dd_root) for the kept documents of ``edges`` (removed ``dd_doc``, kept ``dd_kept`` it
    passes): connected components, each named by its lowest rank (its earliest kept document), as the
    local union-find names them. Minimum labels spread through the removed documents (and jump along
    labels) until none changes."""
    from pyspark.sql import functions as F

    edges = edges.localCheckpoint()
    labels = edges.select(F.col(c.KEPT).alias(c.RANK)).distinct().withColumn(c.ROOT, F.col(c.RANK))
    labels = labels.localCheckpoint()
    while True:
        per_removed = (
            edges.join(labels.toDF(c.KEPT, "dd_label"), c.KEPT).groupBy(c.DOC).agg(F.min("dd_label").alias("dd_label"))
        )
        reached = edges.join(per_removed, c.DOC).groupBy(c.KEPT).agg(F.min("dd_label").alias("dd_label"))
        new = labels.join(reached.toDF(c.RANK, "dd_label"), c.RANK, "left")
        new = new.select(c.RANK, F.least(c.ROOT, F.coalesce("dd_label", c.ROOT)).alias(c.ROOT))
        # pointer jumping: take the label's own label too, so a long chain of families needs log rounds
        jump = new.toDF(c.ROOT, "dd_root_root")
        new = new.join(jump, c.ROOT, "left").select(c.RANK, F.coalesce("dd_root_root", c.ROOT).alias(c.ROOT))
        new = new.localCheckpoint()
        changed = new.join(labels.toDF(c.RANK, "dd_old"), c.RANK).filter(F.col(c.ROOT) != F.col("dd_old")).count()
        labels = new
        if not changed:
            return labels
