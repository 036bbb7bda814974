"""The first pass of ``--boilerplate`` on Spark: the corpus's shared lines, counted as the local engine
counts them (:func:`dedupe.engines.local.shared_lines`), with the same table and the same sample lines.

Each document's distinct lines come from :func:`dedupe.prepare.line_batch` on the executors; exact copies
count once because (family, line) pairs are made distinct before lines are counted. Only the shared
lines (a few per site) reach the driver, and travel to the executors inside the prepare function.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from dedupe.cleaning.boilerplate import TOP_LINES, LineCounts
from dedupe.engines.local import SharedLines
from dedupe.engines.spark import columns as c
from dedupe.engines.spark.prepare import line_frames, sample_frames
from dedupe.options import Options

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame


def shared_lines(base: DataFrame, opts: Options) -> SharedLines:
    """The shared lines of the documents of ``base`` (rows as :mod:`~dedupe.engines.spark.read` gives them)."""
    from pyspark.sql import functions as F

    pairs = base.mapInPandas(partial(line_frames, opts=opts), c.LINES_SCHEMA).distinct()
    per_line = pairs.groupBy(c.LINE).agg(F.count(F.lit(1)).alias("dd_documents")).localCheckpoint()
    distinct = per_line.count()
    rows = per_line.filter(F.col("dd_documents") >= opts.boilerplate_min_docs).collect()
    keys = np.array([r[c.LINE] for r in rows], dtype=np.int64).view(np.uint64)
    counts = LineCounts()
    counts.add_counts(keys, np.array([r["dd_documents"] for r in rows], dtype=np.uint32))
    table = replace(counts.boilerplate(opts.boilerplate_min_docs), distinct=distinct)
    wanted = [h for h, _ in table.top(TOP_LINES)]
    samples: dict[int, str] = {}
    if wanted:
        found = base.mapInPandas(partial(sample_frames, opts=opts, wanted=wanted), c.SAMPLES_SCHEMA)
        first = found.groupBy(c.LINE).agg(F.min(F.struct(c.ORDER, c.LINE_TEXT)).alias("dd_first"))
        for row in first.collect():
            samples[int(row[c.LINE]) & 0xFFFF_FFFF_FFFF_FFFF] = row["dd_first"][c.LINE_TEXT]
    return SharedLines(table, samples)
