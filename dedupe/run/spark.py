"""``dedupe run --engine spark``: read and decide on Spark (:mod:`dedupe.engines.spark`), write the same
files as the local run through :class:`dedupe.run.files.RunFiles`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dedupe.decide.clusters import kept_member, removed_member
from dedupe.document import Document, Removal
from dedupe.engines.spark import columns as c
from dedupe.engines.spark import session
from dedupe.engines.spark.boilerplate import shared_lines
from dedupe.engines.spark.decide import FANOUT, decided
from dedupe.engines.spark.read import read
from dedupe.io import DEFAULT_FORMAT, InputError, InputFormat
from dedupe.options import DEFAULT_EXECUTION, Execution, Options, report_options
from dedupe.run.files import Paths, RunFiles

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame


def run_spark(
    paths: Paths,
    options: Options,
    fmt: InputFormat = DEFAULT_FORMAT,
    execution: Execution = DEFAULT_EXECUTION,
    *,
    master: str | None = None,
    remote: str | None = None,
    overwrite: bool = False,
    quiet: bool = False,
    conf: dict[str, str] | None = None,
) -> dict:
    """``dedupe run --engine spark``: the same output files, removal log, clusters and report as the local run.

    Reading and deciding run on Spark (JSON Lines through ``spark.read.text``, folders through the
    ``binaryFile`` source). The files are written by the driver through the local engine's writers
    (:class:`dedupe.run.files.RunFiles`), which stream the decisions in input order with
    ``toLocalIterator()`` (one partition at a time, never the whole result), so they are byte-identical to
    a local run's. ``execution`` is recorded in the report; Spark's own settings decide the parallelism.
    ``quiet``: a session started here prints nothing but errors; ``conf``: Spark settings for a session
    started here (:func:`dedupe.engines.spark.session`).
    """
    if paths.input == "-":
        raise InputError("the spark engine reads files, not stdin")
    source = fmt.open(paths.input)
    files = RunFiles.create(paths, source, fmt, overwrite=overwrite)
    try:
        spark = session(master=master, remote=remote, quiet=quiet, conf=conf)
        base = read(spark, paths.input, source.form, fmt)
        shared = shared_lines(base, options) if options.boilerplate else None
        table = shared.table if shared is not None else None
        decisions, account = decided(base, options, FANOUT, keep_by=options.keep_by, boilerplate=table)
        for outcome in _outcomes(decisions):
            files.write(outcome)
        acc = account()
    except BaseException:
        files.abort()
        raise
    files.commit()
    clusters = _cluster_members(decisions) if paths.clusters is not None else None
    section = shared.report() if shared is not None else None
    return files.finish(acc, report_options(options, execution), clusters, section)


def _outcomes(decisions: DataFrame) -> Iterator[Document | Removal]:
    """Every item's outcome, in input order, streamed to the driver."""
    rows = decisions.select(c.ORDER, c.ID, c.SOURCE, c.RECORD, c.CLEAN, *c.OUTPUT_COLUMNS).orderBy(c.ORDER)
    for row in rows.toLocalIterator():
        source = row[c.SOURCE]
        if row.status == "kept":
            record = None if row[c.RECORD] is None else json.loads(row[c.RECORD])
            yield Document(row[c.ID], row[c.CLEAN], source=source, record=record)
        else:
            rejected = row.status == "rejected"
            yield Removal(
                row[c.ID],
                row.step,
                row.reason,
                rejected=rejected,
                duplicate_of=row.duplicate_of,
                similarity=row.similarity,
                source=source,
            )


def _cluster_members(decisions: DataFrame) -> Iterator[dict]:
    """The clusters file's lines (:mod:`dedupe.decide.clusters`), in its order, streamed to the driver."""
    from pyspark.sql import functions as F

    rows = (
        decisions.filter(F.col("cluster").isNotNull())
        .select("cluster", c.ID, *c.OUTPUT_COLUMNS[:-1], *c.CLUSTER_COLUMNS, c.ORDER)
        .orderBy(*c.CLUSTER_COLUMNS, c.ORDER)
        .toLocalIterator()
    )
    for row in rows:
        if row[c.CLUSTER_KIND] == "k":
            yield kept_member(row.cluster, row[c.ID], dropped=row.step == "drop-all")
        else:
            removal = Removal(row[c.ID], row.step, row.reason, duplicate_of=row.duplicate_of, similarity=row.similarity)
            yield removed_member(row.cluster, removal.to_json())
