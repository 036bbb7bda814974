"""The files of one ``dedupe run``, for either engine: where they go, and how they are written.

The output and the removal log are written as outcomes arrive, under temporary names; the run ends with
:meth:`RunFiles.finish` (both renamed into place, then the clusters file and the report) or
:meth:`RunFiles.abort` (nothing left under a final name). Both engines write through this class, so a
local run and a Spark run of the same input leave the same files.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dedupe.decide.clusters import write_clusters
from dedupe.document import Account, Document, Removal
from dedupe.io import InputFormat, Sink, Source, atomic, open_output
from dedupe.io.removals import RemovalLog
from dedupe.report.summary import build_report


@dataclass(frozen=True)
class Paths:
    """Where a run reads and writes (``against``: a saved index; ``clusters``, ``html``: optional files)."""

    input: str
    output: str
    removed: Path
    report: Path
    against: str | None = None
    clusters: Path | None = None
    html: Path | None = None

    def for_report(self) -> dict[str, str]:
        paths = {"input": self.input, "output": self.output, "removed": str(self.removed), "report": str(self.report)}
        if self.against is not None:
            paths["against"] = self.against
        if self.clusters is not None:
            paths["clusters"] = str(self.clusters)
        return paths


class RunFiles:
    """The output sink and removal log of a run in progress, and the files written when it ends."""

    def __init__(self, paths: Paths, sink: Sink, log: RemovalLog) -> None:
        self.paths = paths
        self.sink = sink
        self.log = log
        self.started = time.perf_counter()

    @classmethod
    def create(cls, paths: Paths, source: Source, fmt: InputFormat, *, overwrite: bool) -> RunFiles:
        """New files for a run from the start (refused where the output exists, unless ``overwrite``)."""
        sink = open_output(
            paths.output,
            source.form,
            input_path=paths.input,
            overwrite=overwrite,
            text_field=fmt.text_field,
            id_field=fmt.id_field,
            schema=source.schema,
        )
        return cls(paths, sink, RemovalLog(paths.removed))

    @classmethod
    def reopen(cls, paths: Paths, source: Source, fmt: InputFormat, output_bytes: int, removed_bytes: int) -> RunFiles:
        """The partial files of an interrupted run, cut back to the sizes its checkpoint recorded."""
        sink = open_output(
            paths.output, source.form, text_field=fmt.text_field, id_field=fmt.id_field, resume_bytes=output_bytes
        )
        return cls(paths, sink, RemovalLog(paths.removed, resume_bytes=removed_bytes))

    def write(self, outcome: Document | Removal) -> None:
        if isinstance(outcome, Removal):
            self.log.write(outcome)
        else:
            self.sink.write(outcome)

    def abort(self) -> None:
        """Leave nothing under a final name."""
        self.sink.abort()
        self.log.abort()

    def commit(self) -> None:
        """Put the output and the removal log in place: every outcome is written."""
        self.sink.commit()
        self.log.commit()

    def finish(
        self,
        account: Account,
        options: dict[str, Any],
        clusters: Iterable[dict] | None = None,
        boilerplate: dict[str, Any] | None = None,
    ) -> dict:
        """Write the clusters file (when asked for; ``clusters`` are its lines) and the report (with the
        ``boilerplate`` section of a run that removed it); return the report. Call after :meth:`commit`."""
        summary = None
        if self.paths.clusters is not None:
            assert clusters is not None, "the run asked for a clusters file"
            summary = _write_clusters(self.paths.clusters, clusters)
        seconds = time.perf_counter() - self.started
        report = build_report(account, options=options, paths=self.paths.for_report(), seconds=seconds)
        if summary is not None:
            report["clusters"] = summary
        if boilerplate is not None:
            report["boilerplate"] = boilerplate
        atomic.write_json(self.paths.report, report)
        return report


def _write_clusters(path: Path, lines: Iterable[dict]) -> dict[str, int]:
    tmp = atomic.partial_path(path)
    summary = write_clusters(tmp, lines)
    atomic.commit(tmp, path)
    return summary
