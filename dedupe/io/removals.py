"""The removal log: one JSON line per removed or rejected document, written as the run goes."""

from __future__ import annotations

import json
from pathlib import Path

from dedupe.document import Removal
from dedupe.io import atomic


class RemovalLog:
    """Streams removals to a temporary file; ``commit`` puts it in place only when the run completed."""

    def __init__(self, path: Path, resume_bytes: int | None = None) -> None:
        self.path = path
        self.tmp = atomic.partial_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume_bytes is None:
            self.fh = open(self.tmp, "w", encoding="utf-8", newline="\n")
        else:  # continue a killed run after what its last checkpoint had logged
            with open(self.tmp, "r+b") as raw:
                raw.truncate(resume_bytes)
            self.fh = open(self.tmp, "a", encoding="utf-8", newline="\n")

    def flush(self) -> int:
        """Push the log to disk; its byte size so far."""
        self.fh.flush()
        return self.fh.tell()

    def ids(self) -> list[str]:
        """The ids logged so far (for resuming), in order."""
        self.fh.flush()
        with open(self.tmp, encoding="utf-8") as fh:
            return [json.loads(line)["id"] for line in fh if line.strip()]

    def write(self, removal: Removal) -> None:
        self.fh.write(json.dumps(removal.to_json(), ensure_ascii=False))
        self.fh.write("\n")

    def commit(self) -> None:
        self.fh.close()
        atomic.commit(self.tmp, self.path)

    def abort(self) -> None:
        self.fh.close()
        atomic.discard(self.tmp)
