"""``dedupe run``: the one command that writes a cleaned corpus, on this machine or on Spark.

The command turns what click parsed into typed values first (settings, paths, input format and the
:class:`RunControl` rest) so that the engines below it take exactly what they use.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields
from pathlib import Path

import click

from dedupe import config
from dedupe.cli.group import fail, main
from dedupe.cli.options import (
    BOILERPLATE_OPTIONS,
    INPUT_OPTIONS,
    POLICY_OPTIONS,
    REPETITION_OPTIONS,
    SIGNATURE_OPTIONS,
    cleaning_options,
    input_format,
    settings,
    with_options,
)
from dedupe.engines.parallel import WorkerDied
from dedupe.io import InputError, InputFormat
from dedupe.io.atomic import OutputExists
from dedupe.options import Execution, Options
from dedupe.report.summary import summary
from dedupe.run import corpus as runner
from dedupe.run import resume as resume_mod
from dedupe.run import saved_index
from dedupe.run.files import Paths

_OUTPUT_SUFFIXES = (
    ".jsonl.gz",
    ".jsonl.zst",
    ".jsonl.zstd",
    ".json.gz",
    ".jsonl",
    ".ndjson",
    ".json",
    ".txt",
    ".parquet",
    ".pq",
)


def default_side_paths(output: str) -> tuple[Path, Path]:
    """Where the removal log and report go when not given: beside the output, named after it.

    ``-o out`` gives ``out.removed.jsonl`` and ``out.report.json``; ``-o clean.jsonl.gz`` gives
    ``clean.removed.jsonl`` and ``clean.report.json``; ``-o -`` (stdout) gives ``dedupe.removed.jsonl``
    and ``dedupe.report.json`` in the current folder. Never inside an output folder, which mirrors the
    input and nothing else.
    """
    if output == "-":
        return Path("dedupe.removed.jsonl"), Path("dedupe.report.json")
    base = output.rstrip("/\\") or output
    for suffix in _OUTPUT_SUFFIXES:
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
            break
    return Path(base + ".removed.jsonl"), Path(base + ".report.json")


@dataclass(frozen=True)
class RunControl:
    """What else `run` was told: which engine, what may happen to files already there, how it reports.

    Kept apart from :class:`~dedupe.options.Options` because none of it decides which documents are kept.
    """

    engine: str
    overwrite: bool
    resume: bool
    update_index: bool
    checkpoint_every: int
    strict: bool
    quiet: bool
    spark_master: str | None
    spark_remote: str | None
    spark_conf: tuple[str, ...]


@main.command()
@click.argument("input_path", metavar="INPUT")
@click.option(
    "-o",
    "--output",
    required=True,
    help="Where to write the kept documents, in INPUT's form: a folder for a folder, JSON Lines for "
    "JSON Lines ('-': stdout). A name ending in .jsonl/.jsonl.gz asks for JSON Lines.",
)
@click.option(
    "--removed",
    "removed_path",
    type=click.Path(dir_okay=False),
    help="Removal log, JSON Lines: id, step, reason, duplicate_of, similarity per removed or "
    "rejected document. Default: OUTPUT.removed.jsonl beside the output (suffix dropped).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="Run report, JSON: read, kept, removed, rejected and per-stage counts. "
    "Default: OUTPUT.report.json beside the output (suffix dropped).",
)
@click.option(
    "--clusters",
    "clusters_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the clusters, JSON Lines, one line per member: cluster, id, status (kept/removed), "
    "and for removed ones duplicate_of and similarity. A cluster holds every kept document joined by a "
    "removed one similar to both, and the documents removed as their duplicates.",
)
@with_options(SIGNATURE_OPTIONS + POLICY_OPTIONS + REPETITION_OPTIONS + BOILERPLATE_OPTIONS + INPUT_OPTIONS)
@click.option(
    "--against",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="A saved index (dedupe index build): documents already in it are removed as its duplicates.",
)
@click.option("--update-index", is_flag=True, help="With --against: add this run's kept documents to the index.")
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="Run on this machine, or on Apache Spark (the 'spark' extra) with the same results.",
)
@click.option("--spark-master", default=None, metavar="URL", help="With --engine spark: the master, e.g. local[4].")
@click.option("--spark-remote", default=None, metavar="URL", help="With --engine spark: a Spark Connect sc:// URL.")
@click.option(
    "--spark-conf",
    multiple=True,
    metavar="KEY=VALUE",
    help="With --engine spark: a Spark setting for the session dedupe starts (repeatable), e.g. "
    "spark.driver.memory=4g, which a local master needs for inputs of more than about 100 MB.",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing non-empty OUTPUT.")
@click.option(
    "--resume",
    is_flag=True,
    help="Finish a run that was killed or interrupted, from its last checkpoint (same options, same INPUT).",
)
@click.option(
    "--checkpoint-every",
    type=click.IntRange(1),
    default=10_000,
    show_default=True,
    help="Documents between checkpoints of a resumable run (stream mode, uncompressed output).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit with status 3 when the run completed but rejected documents (unreadable, empty, bad lines).",
)
@click.option(
    "--html",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write a self-contained HTML page: the account, per-stage counts, a histogram of duplicate "
    "similarities, the largest groups with word diffs, repaired repeats and rejections.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="No summary or progress on stderr (progress shows only on a terminal)."
)
@click.option("--print-config", is_flag=True, help="Print the effective settings as TOML (for --config) and exit.")
@config.config_option("run")
@cleaning_options
def run(input_path: str, output: str, removed_path: str | None, report_path: str | None, **kw) -> None:
    """Clean INPUT, repair repeated blocks, remove exact and near duplicates, write OUTPUT.

    INPUT is a folder (files found recursively), a text file, a .jsonl/.jsonl.gz file, or - for JSON
    Lines on stdin. Every document is kept, removed (with the document it duplicates) or rejected (with
    the reason): read = kept + removed + rejected.
    """
    if kw.pop("print_config"):
        values = {"output": output, "removed": removed_path, "report": report_path, **kw}
        names = config.option_names(run, long_only=True)
        click.echo(config.to_toml({name: values[p] for name, p in names.items() if p in values}, "run"), nl=False)
        return
    opts, execution = settings(kw)
    fmt = input_format(kw)
    control = RunControl(**{field.name: kw[field.name] for field in fields(RunControl)})
    paths = _paths(input_path, output, removed_path, report_path, kw["against"], kw["clusters_path"], kw["html"])
    if control.update_index and not paths.against:
        fail("--update-index needs --against INDEX", 2)
    if paths.against and not execution.streaming(opts):
        fail("--against works with --keep first (stream mode)", 2)
    engine = _run_spark if control.engine == "spark" else _run_local
    report = engine(paths, opts, fmt, execution, control)
    if not control.quiet:
        click.echo(summary(report), err=True)
    if control.strict and report["rejected"]:
        click.echo(f"dedupe: {report['rejected']} document(s) rejected (--strict); see {paths.removed}", err=True)
        sys.exit(3)


def _paths(
    input_path: str,
    output: str,
    removed: str | None,
    report: str | None,
    against: str | None,
    clusters: str | None,
    html: str | None,
) -> Paths:
    """The run's files, with the removal log and the report beside the output unless given."""
    default_removed, default_report = default_side_paths(output)
    return Paths(
        input_path,
        output,
        Path(removed) if removed else default_removed,
        Path(report) if report else default_report,
        against,
        Path(clusters) if clusters else None,
        Path(html) if html else None,
    )


def _run_local(paths: Paths, opts: Options, fmt: InputFormat, execution: Execution, control: RunControl) -> dict:
    """The run on this machine; what it may refuse or meet (bad input, a dead worker) becomes an exit."""
    try:
        return runner.run_corpus(
            paths,
            opts,
            fmt,
            execution,
            overwrite=control.overwrite,
            resume=control.resume,
            update_index=control.update_index,
            checkpoint_every=control.checkpoint_every,
            progress=False if control.quiet else None,
        )
    except (InputError, OutputExists, saved_index.SavedIndexError, resume_mod.ResumeError) as err:
        fail(str(err), 2)
    except runner.Interrupted as err:
        fail(str(err), 1)
    except WorkerDied as err:
        fail(f"{err}; no output written (with fewer --jobs each process needs less memory)", 1)
    except OSError as err:
        fail(f"{err.filename or paths.output}: {err.strerror or err or type(err).__name__}")


def _run_spark(paths: Paths, opts: Options, fmt: InputFormat, execution: Execution, control: RunControl) -> dict:
    """The run on Spark, refusing first what only the local engine does; Spark itself is imported late,
    so that it is needed only when asked for."""
    for flag, given in (("against", paths.against), ("resume", control.resume), ("html", paths.html)):
        if given:
            fail(f"--{flag} is not available with --engine spark", 2)
    conf = _spark_conf(control.spark_conf)
    try:
        import pyspark  # noqa: F401 - the engine imports it only when it starts a session

        from dedupe.run.spark import run_spark
    except ImportError as err:
        fail(f"--engine spark needs the 'spark' extra (pip install 'dedupe[spark]'): {err}", 2)
    try:
        return run_spark(
            paths,
            opts,
            fmt,
            execution,
            master=control.spark_master,
            remote=control.spark_remote,
            overwrite=control.overwrite,
            quiet=control.quiet,
            conf=conf,
        )
    except (InputError, OutputExists) as err:
        fail(str(err), 2)


def _spark_conf(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--spark-conf KEY=VALUE`` settings as a dict (a usage error for anything else)."""
    conf: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(f"--spark-conf takes KEY=VALUE, e.g. spark.driver.memory=4g; got {pair!r}", 2)
        conf[key.strip()] = value.strip()
    return conf
