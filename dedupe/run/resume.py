"""Resuming a killed run where its last checkpoint left it, with the same result as an uninterrupted run.

While a stream-mode run writes, it records a checkpoint every few thousand documents: how many input
documents have their outcome written, the byte sizes of the partial output and removal log at that
moment, the account, and the options. A run started again with ``--resume`` truncates the partial files
to those sizes, skips the documents already decided, and rebuilds the near-duplicate index from the
documents it had kept: their cleaned text is in the partial output, so only their digests and signatures
are computed again, not the cleaning. Removed documents never affect later decisions, so nothing else
is needed for the rest of the run to decide exactly as the uninterrupted run would have. The clusters
file (written at the end) also needs the families of kept documents and which kept document each logged
removal names: :class:`ClusterJournal` keeps them beside the checkpoint.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dedupe.decide.decider import Decider
from dedupe.document import Account, Document, Removal
from dedupe.io import InputFormat, atomic
from dedupe.options import Options


class ResumeError(Exception):
    """There is nothing to resume, or the checkpoint does not fit this run: a one-line message."""


@dataclass
class Checkpoint:
    items: int  # input items whose outcome is written
    output_bytes: int
    removed_bytes: int
    account: dict[str, Any]
    options: dict[str, Any]
    clusters: list[int] | None = None  # byte sizes of the cluster journal's two files (ClusterJournal)


class ClusterJournal:
    """What clusters need from the documents decided before a checkpoint, in two append-only files beside
    it: every join of two families (pairs of kept-document numbers) and, per removal-log line, the kept
    document it names. Appending keeps a checkpoint's cost in proportion to what happened since the last
    one; the checkpoint records both sizes, so a resumed run reads exactly what that checkpoint saw."""

    def __init__(self, checkpoint: Path) -> None:
        self.paths = (
            checkpoint.with_name(checkpoint.name + ".joins"),
            checkpoint.with_name(checkpoint.name + ".numbers"),
        )
        self.written = [0, 0]  # items already in each file

    def save(self, joins: array, numbers: array) -> list[int]:
        """Append what is new since the last save; returns the byte sizes to put in the checkpoint."""
        sizes = []
        for k, (path, items) in enumerate(zip(self.paths, (joins, numbers), strict=True)):
            with open(path, "ab") as fh:
                fh.write(memoryview(items)[self.written[k] :].tobytes())
                sizes.append(fh.tell())
            self.written[k] = len(items)
        return sizes

    def load(self, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The joins (n x 2) and numbers a checkpoint saw; later appends are cut off."""
        out = []
        for k, (path, size, dtype) in enumerate(zip(self.paths, sizes, (np.int32, np.int64), strict=True)):
            with open(path, "r+b") as fh:
                fh.truncate(size)
                data = np.frombuffer(fh.read(), dtype=dtype)
            self.written[k] = len(data)  # items of the flat arrays, as save counts them
            out.append(data)
        return out[0].reshape(-1, 2), out[1]

    def discard(self) -> None:
        for path in self.paths:
            path.unlink(missing_ok=True)


def checkpoint_path(output: str) -> Path:
    return atomic.partial_path(Path(output)).with_name(atomic.partial_path(Path(output)).name + ".checkpoint.json")


def write_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    atomic.write_text(path, json.dumps(checkpoint.__dict__))


def result_settings(opts: Options, fmt: InputFormat) -> dict[str, Any]:
    """Everything that decides a run's result, as a checkpoint records it: the options and how the input is
    read (a resumed run that decoded or picked files differently would not continue the same output).
    How the run is executed (jobs, temporary folder) may change between the two."""
    return {**opts.to_json(), **asdict(fmt)}


def read_checkpoint(path: Path, settings: dict[str, Any]) -> Checkpoint:
    """The checkpoint at ``path``, when it was written with these :func:`result_settings`."""
    if not path.is_file():
        raise ResumeError(f"nothing to resume: no checkpoint at {path} (the run completed, or never wrote one)")
    data = json.loads(path.read_text(encoding="utf-8"))
    checkpoint = Checkpoint(**data)
    ours = settings
    theirs = {k: checkpoint.options.get(k) for k in ours}
    if ours != theirs:
        diffs = [f"{k}: checkpoint {theirs.get(k)!r}, now {ours.get(k)!r}" for k in ours if ours[k] != theirs.get(k)]
        raise ResumeError("the interrupted run used other options (" + "; ".join(diffs) + ")")
    return checkpoint


def account_snapshot(account: Account, items: int) -> dict[str, Any]:
    """The account at a checkpoint: ``items`` read and written (reading may have run ahead)."""
    return {**account.to_json(), "read": items}


def restore_account(snapshot: dict[str, Any]) -> Account:
    return Account.from_json(snapshot)


def replay(
    items: Iterator[Document | Removal],
    count: int,
    logged_ids: list[str],
    kept_text: Callable[[Document], str],
    decider: Decider,
    batch_size: int = 256,
) -> None:
    """Consume the first ``count`` input items and teach ``decider`` the ones that were kept.

    The removal log and the output are both in input order, so walking the items alongside the log tells
    which were removed; ``kept_text`` gives a kept one's cleaned text back from the partial output.
    """
    log = iter(logged_ids)
    pending_log = next(log, None)
    batch: list[tuple[str, str]] = []
    for _ in range(count):
        item = next(items)
        if pending_log is not None and item.id == pending_log:
            pending_log = next(log, None)
            continue
        if isinstance(item, Removal):  # pragma: no cover - a rejection is always in the log
            raise ResumeError(f"the removal log does not match the input at {item.id}: start the run again")
        batch.append((item.id, kept_text(item)))
        if len(batch) == batch_size:
            decider.restore(batch)
            batch = []
    if batch:
        decider.restore(batch)


def jsonl_texts(path: Path, text_field: str) -> Callable[[Document], str]:
    """Kept texts from a partial JSON Lines output: its lines are the kept documents, in order."""
    lines = _lines(path)
    return lambda _doc: json.loads(next(lines))[text_field]


def _lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8") as fh:
        yield from fh


def folder_texts(root: Path) -> Callable[[Document], str]:
    """Kept texts from a partial folder output: each document's file, at its relative path."""
    return lambda doc: (root / (doc.source or doc.id)).read_text(encoding="utf-8")
