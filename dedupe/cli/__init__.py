"""The command line: parse options, call the pipeline, print the account. Nothing else lives here.

Exit codes: 0 the run completed (rejected documents are recorded, not failures), 1 the run failed,
2 the command line was wrong (bad option, missing input, output exists), 3 the run completed with
rejected documents under --strict.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import click

from dedupe import config
from dedupe.clean import normalize as normalize_mod
from dedupe.clean import repeats as repeats_mod
from dedupe.clean.repetition import over_limits, repetition_stats
from dedupe.document import Account
from dedupe.engines.local import KEEP_POLICIES, MODES, Decider, Options, process
from dedupe.engines.parallel import WorkerDied, default_jobs
from dedupe.io import InputError, atomic, open_input
from dedupe.io.atomic import OutputExists
from dedupe.io.decode import ENCODING_POLICIES, decode
from dedupe.near.index import VERIFY_MODES
from dedupe.report.summary import summary
from dedupe.run import corpus as runner
from dedupe.run import inspection, saved_index
from dedupe.run import resume as resume_mod
from dedupe.version import __version__

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


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"dedupe: error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="dedupe")
@click.option("-v", "--verbose", count=True, help="Log what the run does to stderr (-v: steps, -vv: details).")
def main(verbose: int) -> None:
    """Clean scraped text and remove near-duplicate documents.

    \b
    dedupe run INPUT -o OUTPUT        clean and de-duplicate a corpus
    dedupe clean FILE                 print one file's cleaned text
    dedupe explain FILE               list every change cleaning makes to a file, and why
    dedupe index build CORPUS -o IDX  save what a corpus holds, for `run --against IDX`
    dedupe pairs INPUT --min 0.5      candidate pairs with estimated and exact similarity
    dedupe clusters INPUT             each duplicate group with its members' similarities

    Exit status: 0 done, 1 the run failed, 2 usage error (bad option, missing input, output exists),
    3 done with rejected documents under --strict.
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="dedupe %(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True)


_RULES_HELP = "; ".join(f"{name}: {desc}" for name, desc in normalize_mod.RULE_DESCRIPTIONS.items())


def cleaning_options(fn):
    """Options shared by run, clean and explain: which in-place repairs to apply."""
    fn = click.option(
        "--skip-rule",
        "skip_rules",
        multiple=True,
        type=click.Choice(normalize_mod.RULES),
        help=f"Switch one normalisation rule off (repeatable). Rules: {_RULES_HELP}.",
    )(fn)
    fn = click.option("--straight-quotes", is_flag=True, help="Turn typographic quotes into ASCII ones.")(fn)
    fn = click.option(
        "--unicode-form",
        type=click.Choice(["NFC", "NFKC"]),
        default="NFC",
        show_default=True,
        help="Unicode normal form of the output.",
    )(fn)
    fn = click.option("--no-normalize", is_flag=True, help="Skip the normalisation stage entirely.")(fn)
    fn = click.option(
        "--no-repeats", is_flag=True, help="Keep blocks repeated inside a document (skip the repeat repair)."
    )(fn)
    return fn


def _apply(options: list):
    def decorate(fn):
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


SIGNATURE_OPTIONS = [
    click.option(
        "--threshold",
        type=click.FloatRange(0, 1, min_open=True, max_open=True),
        default=0.8,
        show_default=True,
        help="Jaccard similarity at or above which a document is a near-duplicate.",
    ),
    click.option(
        "--ngram",
        type=click.IntRange(1, 64),
        default=5,
        show_default=True,
        help="Shingle size in words (characters with --shingle char).",
    ),
    click.option(
        "--num-perm",
        type=click.IntRange(8, 2048),
        default=128,
        show_default=True,
        help="MinHash permutations: more is more accurate and slower.",
    ),
    click.option(
        "--bands",
        type=click.IntRange(1),
        default=None,
        help="LSH bands (default: the fewest that make pairs at --threshold candidates 99%% of the time).",
    ),
    click.option("--rows", type=click.IntRange(1), default=None, help="LSH rows per band (default: from --threshold)."),
    click.option("--seed", type=int, default=1, show_default=True, help="MinHash seed (datasketch-compatible)."),
    click.option(
        "--shingle",
        type=click.Choice(["word", "char"]),
        default="word",
        show_default=True,
        help="Word n-grams, or character n-grams for scripts written without spaces.",
    ),
    click.option(
        "--verify",
        type=click.Choice(VERIFY_MODES),
        default="auto",
        show_default=True,
        help="How a candidate pair is judged: 'auto' trusts the MinHash estimate when it is clearly above or "
        "below the threshold and computes the exact Jaccard in between; 'exact' always computes it; 'none' uses "
        "the estimate alone (no kept texts are stored).",
    ),
]

INPUT_OPTIONS = [
    click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the text."),
    click.option(
        "--id-field",
        default="id",
        show_default=True,
        help="JSON Lines field holding the id (records without one get FILE:LINE).",
    ),
    click.option(
        "--encoding-errors",
        type=click.Choice(ENCODING_POLICIES),
        default="reject",
        show_default=True,
        help="Input that is not UTF-8: reject it (recorded), replace bad bytes, or decode it as cp1252.",
    ),
    click.option(
        "--glob",
        "pattern",
        default="**/*",
        show_default=True,
        help="Which files of an INPUT folder to read (hidden files are always skipped).",
    ),
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1),
        default=None,
        help="Processes for cleaning and signatures (default: all cores). Results do not depend on it.",
    ),
    click.option(
        "--temp-dir",
        type=click.Path(file_okay=False),
        default=None,
        help="Where batch mode and exact checks keep their temporary files (default: the system's).",
    ),
    click.option("--no-exact", is_flag=True, help="Skip the exact-duplicate stage."),
    click.option("--no-near", is_flag=True, help="Skip the near-duplicate stage."),
]


def _stat_limit(ctx, param, values):
    pairs = []
    for value in values:
        name, sep, number = value.partition("=")
        try:
            pairs.append((name.strip(), float(number)))
        except ValueError:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE (e.g. dup_para_frac=0.4)") from None
        if not sep:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE (e.g. dup_para_frac=0.4)")
    return tuple(pairs)


REPETITION_OPTIONS = [
    click.option(
        "--repetition-filter",
        is_flag=True,
        help="Remove documents that are still too repetitive after repeat repair, by the Gopher repetition "
        "statistics and limits (duplicate line/paragraph fractions, top n-gram and duplicate n-gram character "
        "fractions). Off by default: it costs about 0.5 ms a document.",
    ),
    click.option(
        "--max-repetition",
        multiple=True,
        callback=_stat_limit,
        metavar="NAME=VALUE",
        help="Change one Gopher limit (repeatable), e.g. dup_para_frac=0.4; implies --repetition-filter.",
    ),
]

POLICY_OPTIONS = [
    click.option(
        "--keep",
        type=click.Choice(KEEP_POLICIES),
        default="first",
        show_default=True,
        help="Which document of a duplicate group stays: the first in input order, or the longest (ties: the first).",
    ),
    click.option(
        "--keep-by",
        metavar="FIELD",
        default=None,
        help="Keep the document of a group with the highest value of this JSON Lines field (numbers "
        "numerically, strings as text, so an ISO date keeps the newest); records without it rank last; "
        "ties: the first.",
    ),
    click.option(
        "--drop-all",
        is_flag=True,
        help="Remove every member of a cluster of duplicates, the ones that would be kept too: keep only "
        "documents that have no near or exact duplicate at all.",
    ),
    click.option(
        "--mode",
        type=click.Choice(MODES),
        default="auto",
        show_default=True,
        help="stream: decide each document as it arrives (keep first only; memory ~200 bytes per kept "
        "document). batch: spill prepared documents to a temporary folder, decide in keep-policy order, write "
        "in a second pass (any keep policy; memory does not grow with the corpus text). auto: stream for "
        "--keep first, else batch.",
    ),
]


def _options(kw: dict, **fixed) -> Options:
    """Options from the parsed command line (a usage error, exit 2, when they don't fit together)."""
    settings = {
        "threshold": kw["threshold"],
        "ngram": kw["ngram"],
        "num_perm": kw["num_perm"],
        "seed": kw["seed"],
        "bands": kw["bands"],
        "rows": kw["rows"],
        "shingle": kw["shingle"],
        "verify": kw["verify"],
        "temp_dir": kw["temp_dir"],
        "normalize": not kw["no_normalize"],
        "skip_rules": tuple(kw["skip_rules"]),
        "straight_quotes": kw["straight_quotes"],
        "unicode_form": kw["unicode_form"],
        "repeats": not kw["no_repeats"],
        "repetition_filter": kw.get("repetition_filter", False),
        "max_repetition": tuple(kw.get("max_repetition", ())),
        "exact": not kw["no_exact"],
        "near": not kw["no_near"],
        "jobs": kw["jobs"] or default_jobs(),
    }
    for key in ("keep", "keep_by", "drop_all", "mode"):
        if key in kw:
            settings[key] = kw[key]
    settings.update(fixed)
    try:
        return Options(**settings)
    except ValueError as err:
        _fail(str(err), 2)
        raise  # unreachable: _fail exits


def _option_spellings(command: click.Command) -> dict[str, str]:
    """Long option name -> parameter name, for the options of a command that a config file can set."""
    out = {}
    for param in command.params:
        if isinstance(param, click.Option) and param.name and param.name not in ("print_config", "config"):
            long = next((o[2:] for o in param.opts if o.startswith("--")), param.name)
            out[long] = param.name
    return out


def _source(input_path: str, kw: dict):
    try:
        return open_input(
            input_path,
            text_field=kw["text_field"],
            id_field=kw["id_field"],
            encoding_errors=kw["encoding_errors"],
            pattern=kw["pattern"],
        )
    except InputError as err:
        _fail(str(err), 2)


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
@_apply(SIGNATURE_OPTIONS + POLICY_OPTIONS + REPETITION_OPTIONS + INPUT_OPTIONS)
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
        settings = {"output": output, "removed": removed_path, "report": report_path, **kw}
        settings = {name: settings[param] for name, param in _option_spellings(run).items() if param in settings}
        click.echo(config.to_toml(settings, "run"), nl=False)
        return
    opts = _options(kw)
    if kw["update_index"] and not kw["against"]:
        _fail("--update-index needs --against INDEX", 2)
    if kw["against"] and not opts.streaming:
        _fail("--against works with --keep first (stream mode)", 2)
    default_removed, default_report = default_side_paths(output)
    paths = runner.Paths(
        input_path,
        output,
        Path(removed_path) if removed_path else default_removed,
        Path(report_path) if report_path else default_report,
        kw["against"],
        Path(kw["clusters_path"]) if kw["clusters_path"] else None,
    )
    fmt = runner.InputFormat(kw["text_field"], kw["id_field"], kw["encoding_errors"], kw["pattern"])
    engine = _run_spark if kw["engine"] == "spark" else _run_local
    report = engine(paths, opts, fmt, kw)
    if not kw["quiet"]:
        click.echo(summary(report), err=True)
    if kw["strict"] and report["rejected"]:
        click.echo(f"dedupe: {report['rejected']} document(s) rejected (--strict); see {paths.removed}", err=True)
        sys.exit(3)


def _run_local(paths: runner.Paths, opts: Options, fmt: runner.InputFormat, kw: dict) -> dict:
    try:
        return runner.run_corpus(
            paths,
            opts,
            fmt,
            overwrite=kw["overwrite"],
            resume=kw["resume"],
            update_index=kw["update_index"],
            checkpoint_every=kw["checkpoint_every"],
            html=Path(kw["html"]) if kw["html"] else None,
            progress=False if kw["quiet"] else None,
        )
    except (InputError, OutputExists, saved_index.SavedIndexError, resume_mod.ResumeError) as err:
        _fail(str(err), 2)
    except runner.Interrupted as err:
        _fail(str(err), 1)
    except WorkerDied as err:
        _fail(f"{err}; no output written (with fewer --jobs each process needs less memory)", 1)
    except OSError as err:
        _fail(f"{err.filename or paths.output}: {err.strerror or err or type(err).__name__}")
    raise AssertionError("unreachable")


def _run_spark(paths: runner.Paths, opts: Options, fmt: runner.InputFormat, kw: dict) -> dict:
    for flag in ("against", "resume", "html"):
        if kw[flag]:
            _fail(f"--{flag} is not available with --engine spark", 2)
    try:
        from dedupe.engines import spark
    except ImportError as err:  # pragma: no cover - depends on the extra
        _fail(f"--engine spark needs the 'spark' extra (pip install 'dedupe[spark]'): {err}", 2)
    try:
        return spark.run(
            paths.input,
            paths.output,
            paths.removed,
            paths.report,
            opts,
            master=kw["spark_master"],
            remote=kw["spark_remote"],
            text_field=fmt.text_field,
            id_field=fmt.id_field,
            encoding_errors=fmt.encoding_errors,
            pattern=fmt.pattern,
            overwrite=kw["overwrite"],
            clusters_path=paths.clusters,
        )
    except (InputError, OutputExists) as err:
        _fail(str(err), 2)
    raise AssertionError("unreachable")


@main.group()
def index() -> None:
    """Saved indexes: de-duplicate a new crawl against an old corpus without rereading it."""


@index.command("build")
@click.argument("input_path", metavar="CORPUS")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="The index folder to write.")
@_apply(SIGNATURE_OPTIONS + INPUT_OPTIONS)
@click.option("--overwrite", is_flag=True, help="Replace an existing index.")
@config.config_option("index.build")
@cleaning_options
def index_build(input_path: str, output: str, **kw) -> None:
    """Index CORPUS's documents (its own duplicates are not indexed) for `dedupe run --against`."""
    opts = _options(kw)
    try:
        atomic.check_writable(Path(output), overwrite=kw["overwrite"])
    except OutputExists as err:
        _fail(str(err), 2)
    account = Account()
    decider = Decider(opts, account)
    source = _source(input_path, kw)
    process(
        source.documents, opts, on_kept=lambda doc: None, on_removed=lambda r: None, account=account, decider=decider
    )
    saved_index.save(decider, Path(output), opts)
    click.echo(
        f"dedupe: indexed {len(decider.index)} documents of {account.read} read "
        f"({account.removed} duplicates, {account.rejected} rejected) into {output}",
        err=True,
    )


def _write_lines(output: str, rows: Iterable[dict]) -> int:
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
@_apply(SIGNATURE_OPTIONS + INPUT_OPTIONS)
@config.config_option("pairs")
@cleaning_options
def pairs(input_path: str, minimum: float, output: str, **kw) -> None:
    """List candidate pairs of INPUT with their estimated and exact Jaccard, most similar first.

    Bands are tuned for --min, so every pair down to it is found; useful to pick a --threshold. Holds the
    prepared corpus in memory: run it on a sample of a large corpus.
    """
    opts = _options(kw)
    docs = inspection.prepare_all(_source(input_path, kw).documents, opts)
    n = _write_lines(output, (pair.to_json() for pair in inspection.candidate_pairs(docs, opts, minimum)))
    click.echo(f"dedupe: {n} pairs at or above {minimum} among {len(docs)} documents", err=True)


@main.command()
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", default="-", show_default=True, help="JSON Lines file for the clusters ('-': stdout).")
@_apply(SIGNATURE_OPTIONS + POLICY_OPTIONS + INPUT_OPTIONS)
@config.config_option("clusters")
@cleaning_options
def clusters(input_path: str, output: str, **kw) -> None:
    """Write each cluster of INPUT with the estimated and exact similarity of every pair of members, largest
    first: its kept documents (``kept``, and ``also_kept`` when a removed document joined several) and the
    documents removed as their duplicates. Holds the corpus in memory; for a full corpus use
    ``dedupe run --clusters FILE``, which lists the same clusters without the pairs."""
    opts = _options(kw)
    n = _write_lines(output, inspection.clusters(_source(input_path, kw).documents, opts))
    click.echo(f"dedupe: {n} clusters", err=True)


def _read_one(path: str) -> str:
    """One file's text for clean/explain, decoded as a run would; a clear error when it cannot be."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as err:
        _fail(f"cannot read {path}: {err.strerror or err}", 2)
    decoded = decode(data)
    if decoded.text is None:
        _fail(f"{path}: {decoded.reason}")
    return decoded.text


def _normalize_kwargs(kw: dict) -> dict:
    return {"skip": tuple(kw["skip_rules"]), "straight_quotes": kw["straight_quotes"], "form": kw["unicode_form"]}


@main.command()
@click.argument("path", metavar="FILE")
@cleaning_options
def clean(path: str, **kw) -> None:
    """Print FILE's cleaned text (normalised, repeated blocks removed). FILE may be - for stdin."""
    text = _read_one(path)
    if not kw["no_normalize"]:
        text = normalize_mod.clean(text, **_normalize_kwargs(kw))
    if not kw["no_repeats"]:
        text = repeats_mod.remove_repeats(text)
    click.echo(text, nl=not text.endswith("\n"))


@main.command()
@click.argument("path", metavar="FILE")
@cleaning_options
def explain(path: str, **kw) -> None:
    """List every change cleaning makes to FILE, with the rule that made it."""
    text = _read_one(path)
    lines: list[str] = []
    if not kw["no_normalize"]:
        result = normalize_mod.normalize(text, explain=True, **_normalize_kwargs(kw))
        lines.extend(normalize_mod.format_change(change) for change in result.changes)
        text = result.text
    original = text
    if not kw["no_repeats"]:
        repaired = repeats_mod.repair(text)
        lines.extend(f"repeats   {repeats_mod.format_removed(text, block)}" for block in repaired.removed)
        text = repaired.text
    if not lines:
        click.echo(f"{path}: no changes")
    else:
        click.echo(f"{path}: {len(lines)} change(s)")
        for line in lines:
            click.echo(f"  {line}")
    before = over_limits(repetition_stats(original))
    after = over_limits(repetition_stats(text))
    verdict = "within the Gopher repetition limits" if not after else "over the Gopher limits: " + ", ".join(after)
    click.echo(f"{path}: after cleaning, {verdict}" + (f" (before repair: {', '.join(before)})" if before else ""))


def script() -> NoReturn:
    """The ``dedupe`` command: :func:`main`, then an exit that skips tearing the interpreter down.

    Once numba has loaded its kernels, Python's own teardown (freeing LLVM's compiled code and the
    modules one by one) takes about 0.3 s, a third of a small run and paid by every run. Nothing in it
    matters here: every file is written and closed before the command returns, and the exit handlers
    (multiprocessing's, Spark's) still run, as do the flushes of stdout and stderr.
    """
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:  # pragma: no cover - click always ends with SystemExit
        code = 0
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
