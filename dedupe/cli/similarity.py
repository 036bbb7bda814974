"""``dedupe pairs`` and ``dedupe clusters``: the similarities behind a run's decisions, to choose a
threshold by or to check a run with. Both hold the corpus in memory, so they are for samples.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

import click

from dedupe import config
from dedupe.cli.group import main
from dedupe.cli.options import (
    INPUT_OPTIONS,
    POLICY_OPTIONS,
    SIGNATURE_OPTIONS,
    cleaning_options,
    input_format,
    open_source,
    settings,
    with_options,
)
from dedupe.compiled import kernels_for
from dedupe.run import inspection


def _write_lines(output: str, rows: Iterable[dict]) -> int:
    """Write JSON Lines to a file or stdout as the rows come, and count them for the closing message."""
    fh = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")
    n = 0
    try:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    finally:
        if fh is not sys.stdout:
            fh.close()
    return n


@main.command()
@click.argument("input_path", metavar="INPUT")
@click.option(
    "--min",
    "minimum",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.5,
    show_default=True,
    help="Report pairs whose estimated or exact Jaccard reaches this.",
)
@click.option("-o", "--output", default="-", show_default=True, help="JSON Lines file for the pairs ('-': stdout).")
@with_options(SIGNATURE_OPTIONS + INPUT_OPTIONS)
@config.config_option("pairs")
@cleaning_options
def pairs(input_path: str, minimum: float, output: str, **kw) -> None:
    """List candidate pairs of INPUT with their estimated and exact Jaccard, most similar first.

    Bands are tuned for --min, so every pair down to it is found; useful to pick a --threshold. Holds the
    prepared corpus in memory: run it on a sample of a large corpus.
    """
    opts, execution = settings(kw)
    source = open_source(input_path, input_format(kw))
    with kernels_for(source.size, notice=True):  # a small input takes the pure-Python paths
        docs = inspection.prepare_all(source.documents, opts, execution.batch_size)
        n = _write_lines(output, (pair.to_json() for pair in inspection.candidate_pairs(docs, opts, minimum)))
    click.echo(f"dedupe: {n} pairs at or above {minimum} among {len(docs)} documents", err=True)


@main.command()
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", default="-", show_default=True, help="JSON Lines file for the clusters ('-': stdout).")
@with_options(SIGNATURE_OPTIONS + POLICY_OPTIONS + INPUT_OPTIONS)
@config.config_option("clusters")
@cleaning_options
def clusters(input_path: str, output: str, **kw) -> None:
    """Write each cluster of INPUT with the estimated and exact similarity of every pair of members, largest
    first: its kept documents (``kept``, and ``also_kept`` when a removed document joined several) and the
    documents removed as their duplicates. Holds the corpus in memory; for a full corpus use
    ``dedupe run --clusters FILE``, which lists the same clusters without the pairs."""
    opts, execution = settings(kw)
    source = open_source(input_path, input_format(kw))
    with kernels_for(source.size, notice=True):  # a small input takes the pure-Python paths
        n = _write_lines(output, inspection.clusters(source.documents, opts, execution))
    click.echo(f"dedupe: {n} clusters", err=True)
