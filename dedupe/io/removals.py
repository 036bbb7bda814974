"""The removal log: one JSON line per removed or rejected document, written as the run goes."""

from __future__ import annotations

import json
from pathlib import Path

from dedupe.document import Removal
from dedupe.io import atomic


class RemovalLog:
    """Streams removals to a temporary file; ``commit`` puts it in place only when the run completed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = atomic.partial_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.tmp, "w", encoding="utf-8")

    def write(self, removal: Removal) -> None:
        self.fh.write(json.dumps(removal.to_json(), ensure_ascii=False))
        self.fh.write("\n")

    def commit(self) -> None:
        self.fh.close()
        atomic.commit(self.tmp, self.path)

    def abort(self) -> None:
        self.fh.close()
        atomic.discard(self.tmp)
