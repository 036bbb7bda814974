"""One ``dedupe run`` on the local engine: input, the run's files (:mod:`dedupe.run.files`), checkpoints.

The command line parses options and calls :func:`run_corpus`. In stream mode a checkpoint is written
every ``checkpoint_every`` documents, so a killed run can be finished with ``resume=True`` (see
:mod:`dedupe.run.resume`) and gives byte for byte the output an uninterrupted run gives.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dedupe.compiled import kernels_for
from dedupe.decide.clusters import ClusterRecorder, cluster_members
from dedupe.decide.decider import Decider, Outcome
from dedupe.decide.ids import unique_ids
from dedupe.document import Account, Document, Removal
from dedupe.engines.local import SharedLines, batched, run_documents, run_lines, shared_lines
from dedupe.io import DEFAULT_FORMAT, InputFormat, Source, output_form
from dedupe.io.jsonl import compression_of
from dedupe.io.spill import Spill
from dedupe.options import DEFAULT_EXECUTION, Execution, Options, report_options
from dedupe.report.html_page import write_html
from dedupe.report.progress import Progress
from dedupe.run import resume as resume_mod
from dedupe.run import saved_index
from dedupe.run.files import Paths, RunFiles

logger = logging.getLogger("dedupe.run")

MAX_REPAIR_EXAMPLES = 8  # repaired documents the HTML page shows


class Interrupted(Exception):
    """The run was interrupted; its partial output and checkpoint are kept for --resume."""


@dataclass
class _State:
    """A run in progress: its files, the items left to decide, and what the clusters file will need."""

    files: RunFiles
    items: Iterator[Document | Removal]
    done: int = 0  # items whose outcome is written
    recorder: ClusterRecorder = field(default_factory=ClusterRecorder)
    repaired_ids: list[str] = field(default_factory=list)
    spilled: bool = False  # items come from a temporary file (standard input read twice), not the input


def run_corpus(
    paths: Paths,
    opts: Options,
    fmt: InputFormat = DEFAULT_FORMAT,
    execution: Execution = DEFAULT_EXECUTION,
    *,
    overwrite: bool = False,
    resume: bool = False,
    update_index: bool = False,
    checkpoint_every: int = 10_000,
    progress: bool | None = None,
) -> dict:
    """Run the pipeline from ``paths.input`` to ``paths.output``; returns the report (also written).

    A small input takes the pure-Python paths, with nothing to compile on a first run; a larger one the
    compiled kernels, and unless ``progress`` is False a line on stderr says so when they compile (see
    :mod:`dedupe.compiled`)."""
    source = fmt.open(paths.input)
    with kernels_for(source.size, notice=progress is not False):
        return _run(paths, opts, fmt, execution, source, overwrite, resume, update_index, checkpoint_every, progress)


def _run(
    paths: Paths,
    opts: Options,
    fmt: InputFormat,
    execution: Execution,
    source: Source,
    overwrite: bool,
    resume: bool,
    update_index: bool,
    checkpoint_every: int,
    progress: bool | None,
) -> dict:
    account = Account()
    decider = _decider(paths, opts, account, execution)
    saved_docs = len(decider.index)  # documents of a saved index (--against) come first in the index
    why_not = _not_resumable(paths, opts, execution, source)  # None: checkpoints are written
    checkpoints = None
    if why_not is None:
        checkpoints = _Checkpoints(paths.output, resume_mod.result_settings(opts, fmt), checkpoint_every)
    _log_start(paths, opts, execution, source, decider, why_not)
    if resume:
        if checkpoints is None:
            raise resume_mod.ResumeError(f"--resume is not possible here: {why_not}")
        state = _resumed(paths, fmt, execution, source, decider, checkpoints)
        account = decider.account
    else:
        state = _State(RunFiles.create(paths, source, fmt, overwrite=overwrite), unique_ids(source.documents))
        if checkpoints is not None:
            checkpoints.journal.discard()
    shared = _shared_lines(paths, fmt, opts, execution, source, state, progress) if opts.boilerplate else None
    outcomes = _outcomes(source, state, opts, account, decider, execution, resume=resume, shared=shared)
    _write_all(state, outcomes, account, decider, source, checkpoints, progress)
    state.files.commit()
    if checkpoints is not None:
        checkpoints.discard()
    if paths.against is not None and update_index:
        saved_index.save(decider, Path(paths.against), opts)

    def clusters() -> Iterator[dict]:  # read back from the finished removal log, each time it is asked for
        return cluster_members(paths.removed, state.recorder.numbers, decider.index, saved_docs)

    section = shared.report() if shared is not None else None
    report = state.files.finish(account, report_options(opts, execution), clusters(), section)
    if paths.html is not None:
        write_html(
            paths.html,
            report,
            paths.removed,
            opts,
            input_path=paths.input,
            fmt=fmt,
            repaired_ids=state.repaired_ids,
            cluster_lines=clusters(),
        )
    return report


def _decider(paths: Paths, opts: Options, account: Account, execution: Execution) -> Decider:
    """A fresh decider, or one that already holds a saved index's documents (``--against``)."""
    if paths.against is None:
        return Decider(opts, account, temp_dir=execution.temp_dir)
    return saved_index.load(Path(paths.against), opts, account, temp_dir=execution.temp_dir)


def _log_start(
    paths: Paths,
    opts: Options,
    execution: Execution,
    source: Source,
    decider: Decider,
    why_not: str | None,
) -> None:
    mode = "stream" if execution.streaming(opts) else "batch"
    logger.info(
        "input %s (%s), output %s, %s mode, %d job(s)", paths.input, source.form, paths.output, mode, execution.jobs
    )
    logger.info(
        "near-duplicates: threshold %.2f, %d permutations, %d bands x %d rows, verify %s",
        opts.threshold,
        opts.num_perm,
        decider.index.bands,
        decider.index.rows,
        opts.verify,
    )
    if why_not is not None:
        logger.info("no checkpoints: %s", why_not)


def _resumed(
    paths: Paths, fmt: InputFormat, execution: Execution, source: Source, decider: Decider, checkpoints: _Checkpoints
) -> _State:
    """The state an interrupted run's checkpoint describes: its files cut back to the checkpoint, the
    decider taught what it had kept, the items it had decided skipped."""
    checkpoint = resume_mod.read_checkpoint(checkpoints.path, checkpoints.options)
    decider.account = resume_mod.restore_account(checkpoint.account)
    files = RunFiles.reopen(paths, source, fmt, checkpoint.output_bytes, checkpoint.removed_bytes)
    tmp = files.sink.tmp
    assert tmp is not None
    if files.sink.form == "jsonl":
        kept_text = resume_mod.jsonl_texts(tmp, fmt.text_field)
    else:
        kept_text = resume_mod.folder_texts(tmp)
    logger.info("resuming after %d documents", checkpoint.items)
    logged = files.log.ids()
    items = unique_ids(source.documents)
    resume_mod.replay(items, checkpoint.items, logged, kept_text, decider, execution.batch_size)
    state = _State(files, items, done=checkpoint.items)
    if checkpoint.clusters is not None:
        joins, numbers = checkpoints.journal.load(checkpoint.clusters)
        if len(numbers) != len(logged) or (len(joins) and joins.max() >= len(decider.index)):
            raise resume_mod.ResumeError("the checkpoint's cluster journal does not match its output: start again")
        for a, b in joins.tolist():
            decider.index.families.union(a, b)
        state.recorder = ClusterRecorder(numbers.tolist())
    return state


def _outcomes(
    source: Source,
    state: _State,
    opts: Options,
    account: Account,
    decider: Decider,
    execution: Execution,
    *,
    resume: bool,
    shared: SharedLines | None,
) -> Iterator[Outcome]:
    """Every input item's outcome, in input order.

    With several jobs a JSON Lines input goes to the workers as raw lines and is parsed there, which the
    parent would otherwise spend a good share of its time on. A resumed run reads ``items`` (parsed
    here), whose first items the replay has taken already; so does a run whose items were spilled.
    """
    table = shared.table if shared is not None else None
    if source.lines is not None and execution.jobs > 1 and not resume and not state.spilled:
        lines = source.lines(execution.batch_size)
        write_lines = state.files.sink.form == "jsonl"  # the workers write the output lines too
        return run_lines(
            lines, opts, account, decider=decider, execution=execution, boilerplate=table, write_lines=write_lines
        )
    return run_documents(
        state.items, opts, account, decider=decider, assign_ids=False, execution=execution, boilerplate=table
    )


def _shared_lines(
    paths: Paths,
    fmt: InputFormat,
    opts: Options,
    execution: Execution,
    source: Source,
    state: _State,
    progress: bool | None,
) -> SharedLines:
    """The first pass of ``--boilerplate``: the input is read once more to count its lines (the whole input,
    also when resuming). Standard input cannot be read twice, so its documents go to a temporary file
    on the way and the run reads them back from there."""
    logger.info("boilerplate: counting the lines of every document (first of two passes)")
    with Progress(source.size, enabled=progress, label="boilerplate, counting lines (pass 1 of 2): ") as bar:
        if paths.input == "-":
            spill = Spill(execution.temp_dir)
            for batch in batched(state.items, execution.batch_size):
                spill.append(batch)
            state.items = (item for batch in spill for item in batch)
            state.spilled = True
            shared = shared_lines(lambda: iter(spill), opts, execution, on_batch=bar.update)
        else:
            raw = source.lines is not None and execution.jobs > 1  # parsed in the workers, as the run does

            def read() -> Iterator[Any]:
                source = fmt.open(paths.input)
                if raw and source.lines is not None:
                    return iter(source.lines(execution.batch_size))
                return batched(source.documents, execution.batch_size)

            shared = shared_lines(read, opts, execution, lines=raw, on_batch=bar.update)
    table = shared.table
    logger.info(
        "boilerplate: %d distinct lines, %d in %d or more documents", table.distinct, len(table.keys), table.min_docs
    )
    return shared


def _write_all(
    state: _State,
    outcomes: Iterator[Outcome],
    account: Account,
    decider: Decider,
    source: Source,
    checkpoints: _Checkpoints | None,
    progress: bool | None,
) -> None:
    """Write every outcome; on an error nothing is left under a final name, on Ctrl-C a checkpoint is."""
    bar = Progress(source.size, enabled=progress)
    try:
        for outcome in outcomes:
            state.files.write(outcome)
            if isinstance(outcome, Removal):
                state.recorder.record(outcome)
            elif len(state.repaired_ids) < MAX_REPAIR_EXAMPLES and "repeats:blocks" in outcome.edits:
                state.repaired_ids.append(outcome.id)
            state.done += 1
            bar.update(1, account.chars_in - bar.bytes)  # input characters so far: ~bytes for the ETA
            if checkpoints is not None and state.done % checkpoints.every == 0:
                checkpoints.save(state, account, decider)
    except KeyboardInterrupt as err:
        if checkpoints is None:
            state.files.abort()
            raise Interrupted("interrupted; no output written") from err
        checkpoints.save(state, account, decider)
        raise Interrupted(f"interrupted after {state.done} documents; run again with --resume to finish") from err
    except Exception:
        state.files.abort()
        raise
    finally:
        bar.close()


class _Checkpoints:
    """Where a resumable run records its progress, and how often."""

    def __init__(self, output: str, settings: dict, every: int) -> None:
        self.path = resume_mod.checkpoint_path(output)
        self.journal = resume_mod.ClusterJournal(self.path)
        self.options = settings
        self.every = every

    def save(self, state: _State, account: Account, decider: Decider) -> None:
        clusters = self.journal.save(decider.index.families.joins, state.recorder.numbers)
        snapshot = resume_mod.Checkpoint(
            state.done,
            state.files.sink.flush(),
            state.files.log.flush(),
            resume_mod.account_snapshot(account, state.done),
            self.options,
            clusters,
        )
        resume_mod.write_checkpoint(self.path, snapshot)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        self.journal.discard()


def _not_resumable(paths: Paths, opts: Options, execution: Execution, source: Source) -> str | None:
    """Why this run could not be resumed (so writes no checkpoints), or None when it can."""
    if paths.input == "-" or paths.output == "-":
        return "standard input or output cannot be read again"
    if not execution.streaming(opts):
        return "batch mode decides only at the end"
    if compression_of(paths.output):
        return "a compressed output cannot be continued"
    if source.form == "text":
        return "a single text file is one document"
    if output_form(paths.output, source.form) == "parquet":
        return "a Parquet output is only complete when closed"
    return None
