"""One `dedupe run`: input, output, removal log and report around the pipeline, with checkpoints.

The CLI parses options and calls :func:`run_corpus`; everything about files lives here. Outputs are
written under temporary names and renamed when the run completes. In stream mode a checkpoint is written
every ``checkpoint_every`` documents, so a killed run can be finished with ``resume=True`` (see
``dedupe/resume.py``) and gives byte for byte the output an uninterrupted run gives.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dedupe.decide.clusters import ClusterRecorder, cluster_members, write_clusters
from dedupe.document import Account, Document, Removal
from dedupe.engines.local import Decider, Options, Outcome, run_documents, run_lines, unique_ids
from dedupe.io import Source, atomic, open_input, open_output, output_form
from dedupe.io.jsonl import compression_of
from dedupe.io.removals import RemovalLog
from dedupe.report.html_page import write_html
from dedupe.report.progress import Progress
from dedupe.report.summary import build_report
from dedupe.run import resume as resume_mod
from dedupe.run import saved_index

logger = logging.getLogger("dedupe.run")


class Interrupted(Exception):
    """The run was interrupted; its partial output and checkpoint are kept for --resume."""


@dataclass(frozen=True)
class Paths:
    input: str
    output: str
    removed: Path
    report: Path
    against: str | None = None
    clusters: Path | None = None


@dataclass(frozen=True)
class InputFormat:
    text_field: str = "text"
    id_field: str = "id"
    encoding_errors: str = "reject"
    pattern: str = "**/*"


def run_corpus(
    paths: Paths,
    opts: Options,
    fmt: InputFormat = InputFormat(),
    *,
    overwrite: bool = False,
    resume: bool = False,
    update_index: bool = False,
    checkpoint_every: int = 10_000,
    html: Path | None = None,
    progress: bool | None = None,
) -> dict:
    """Run the pipeline from ``paths.input`` to ``paths.output``; returns the report (also written)."""
    started = time.perf_counter()
    account = Account()
    decider = Decider(opts, account) if paths.against is None else saved_index.load(Path(paths.against), opts, account)
    source = open_input(
        paths.input,
        text_field=fmt.text_field,
        id_field=fmt.id_field,
        encoding_errors=fmt.encoding_errors,
        pattern=fmt.pattern,
    )
    resumable = _resumable(paths, opts, source)
    logger.info(
        "input %s (%s), output %s, %s mode, %d job(s)",
        paths.input,
        source.form,
        paths.output,
        "stream" if opts.streaming else "batch",
        opts.jobs,
    )
    logger.info(
        "near-duplicates: threshold %.2f, %d permutations, %d bands x %d rows, verify %s",
        opts.threshold,
        opts.num_perm,
        decider.index.bands,
        decider.index.rows,
        opts.verify,
    )
    if resumable is not None:
        logger.info("no checkpoints: %s", resumable)
    checkpoint_file = resume_mod.checkpoint_path(paths.output) if resumable is None else None
    items = unique_ids(source.documents)
    done = 0
    saved_docs = len(decider.index)  # documents of a saved index (--against) come first in the index
    recorder = ClusterRecorder()
    journal = resume_mod.ClusterJournal(checkpoint_file) if checkpoint_file is not None else None
    if journal is not None and not resume:
        journal.discard()
    if resume:
        if resumable is not None:
            raise resume_mod.ResumeError(f"--resume is not possible here: {resumable}")
        assert checkpoint_file is not None
        checkpoint = resume_mod.read_checkpoint(checkpoint_file, opts)
        account = resume_mod.restore_account(checkpoint.account)
        decider.account = account
        sink = open_output(
            paths.output,
            source.form,
            text_field=fmt.text_field,
            id_field=fmt.id_field,
            resume_bytes=checkpoint.output_bytes,
        )
        log = RemovalLog(paths.removed, resume_bytes=checkpoint.removed_bytes)
        assert sink.tmp is not None
        kept_text = (
            resume_mod.jsonl_texts(sink.tmp, fmt.text_field)
            if sink.form == "jsonl"
            else resume_mod.folder_texts(sink.tmp)
        )
        logger.info("resuming after %d documents", checkpoint.items)
        logged = log.ids()
        resume_mod.replay(items, checkpoint.items, logged, kept_text, decider, opts.batch_size)
        done = checkpoint.items
        if checkpoint.clusters is not None:
            joins, numbers = journal.load(checkpoint.clusters)
            if len(numbers) != len(logged) or (len(joins) and joins.max() >= len(decider.index)):
                raise resume_mod.ResumeError("the checkpoint's cluster journal does not match its output: start again")
            for a, b in joins.tolist():
                decider.index.families.union(a, b)
            recorder = ClusterRecorder(numbers.tolist())
    else:
        sink = open_output(
            paths.output,
            source.form,
            input_path=paths.input,
            overwrite=overwrite,
            text_field=fmt.text_field,
            id_field=fmt.id_field,
            schema=source.schema,
        )
        log = RemovalLog(paths.removed)
    repaired_ids: list[str] = []  # examples for the HTML page
    bar = Progress(source.size, enabled=progress)
    try:
        for outcome in _outcomes(source, items, opts, account, decider, resume=resume):
            if isinstance(outcome, Removal):
                log.write(outcome)
                recorder.record(outcome)
            else:
                sink.write(outcome)
                if html is not None and len(repaired_ids) < 8 and "repeats:blocks" in outcome.edits:
                    repaired_ids.append(outcome.id)
            done += 1
            bar.update(1, account.chars_in - bar.bytes)  # input characters so far: ~bytes for the ETA
            if checkpoint_file is not None and done % checkpoint_every == 0:
                _checkpoint(checkpoint_file, done, sink, log, account, opts, journal, decider, recorder)
    except KeyboardInterrupt as err:
        if checkpoint_file is None:
            sink.abort()
            log.abort()
            raise Interrupted("interrupted; no output written") from err
        _checkpoint(checkpoint_file, done, sink, log, account, opts, journal, decider, recorder)
        raise Interrupted(f"interrupted after {done} documents; run again with --resume to finish") from err
    except Exception:
        sink.abort()
        log.abort()
        raise
    finally:
        bar.close()
    sink.commit()
    log.commit()
    if checkpoint_file is not None:
        checkpoint_file.unlink(missing_ok=True)
        assert journal is not None
        journal.discard()
    cluster_summary = None
    if paths.clusters is not None:
        tmp = atomic.partial_path(paths.clusters)
        lines = cluster_members(paths.removed, recorder.numbers, decider.index, saved_docs)
        cluster_summary = write_clusters(tmp, lines)
        atomic.commit(tmp, paths.clusters)
    if paths.against is not None and update_index:
        saved_index.save(decider, Path(paths.against), opts)
    report_paths = {
        "input": paths.input,
        "output": paths.output,
        "removed": str(paths.removed),
        "report": str(paths.report),
    }
    if paths.against is not None:
        report_paths["against"] = paths.against
    if paths.clusters is not None:
        report_paths["clusters"] = str(paths.clusters)
    report = build_report(account, options=opts.to_json(), paths=report_paths, seconds=time.perf_counter() - started)
    if cluster_summary is not None:
        report["clusters"] = cluster_summary
    atomic.write_json(paths.report, report)
    if html is not None:
        write_html(
            html,
            report,
            paths.removed,
            opts,
            input_path=paths.input,
            text_field=fmt.text_field,
            id_field=fmt.id_field,
            encoding_errors=fmt.encoding_errors,
            pattern=fmt.pattern,
            repaired_ids=repaired_ids,
            cluster_lines=cluster_members(paths.removed, recorder.numbers, decider.index, saved_docs),
        )
    return report


def _outcomes(
    source: Source,
    items: Iterator[Document | Removal],
    opts: Options,
    account: Account,
    decider: Decider,
    *,
    resume: bool,
) -> Iterator[Outcome]:
    """Every input item's outcome, in input order.

    With several jobs a JSON Lines input goes to the workers as raw lines and is parsed there, which the
    parent would otherwise spend a good share of its time on. A resumed run reads ``items`` (parsed
    here), whose first items the replay has taken already.
    """
    if source.lines is not None and opts.jobs > 1 and not resume:
        return run_lines(source.lines(opts.batch_size), opts, account, decider=decider)
    return run_documents(items, opts, account, decider=decider, assign_ids=False)


def _resumable(paths: Paths, opts: Options, source: Source) -> str | None:
    """Why this run could not be resumed (so writes no checkpoints), or None when it can."""
    if paths.input == "-" or paths.output == "-":
        return "standard input or output cannot be read again"
    if not opts.streaming:
        return "batch mode decides only at the end"
    if compression_of(paths.output):
        return "a compressed output cannot be continued"
    if source.form == "text":
        return "a single text file is one document"
    if output_form(paths.output, source.form) == "parquet":
        return "a Parquet output is only complete when closed"
    return None


def _checkpoint(
    path: Path,
    done: int,
    sink,
    log: RemovalLog,
    account: Account,
    opts: Options,
    journal: resume_mod.ClusterJournal | None,
    decider: Decider,
    recorder: ClusterRecorder,
) -> None:
    assert journal is not None
    clusters = journal.save(decider.index.families.joins, recorder.numbers)
    snapshot = resume_mod.Checkpoint(
        done, sink.flush(), log.flush(), resume_mod.account_snapshot(account, done), opts.to_json(), clusters
    )
    resume_mod.write_checkpoint(path, snapshot)
