"""The record that flows through a run, the reasons a record leaves it, and the run's account.

Every input document ends in exactly one of three places: kept (written to the output), removed (a
step decided it is redundant: a duplicate, or beyond repair) or rejected (it could not be read or has
no usable text). The :class:`Account` counts all three so a run can prove it lost nothing:
``read == kept + removed + rejected``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

KEPT_WHOLE = "boilerplate:kept whole"
"""A note in ``Document.edits``, not an edit: the document had boilerplate lines but was kept whole
(:mod:`dedupe.cleaning.boilerplate`), so it does not count as changed."""
NOTES = frozenset({KEPT_WHOLE})


def empty_counter() -> Counter[str]:
    """An empty Counter made without ``Counter.__init__``, whose Python-level argument handling costs more
    than the rest of making a document (most documents have no edits); the Counter is the same."""
    return Counter.__new__(Counter)


@dataclass
class Document:
    """One document and what the run has learnt about it.

    ``id`` is stable across runs: the relative path for a folder of text files, the record's id field
    for JSON Lines (or ``file:line`` when the record has none). ``record`` keeps the whole input record
    (JSON Lines) so every field the user had survives to the output; ``source`` is the relative path a
    folder input came from, so the output can mirror it. ``edits`` counts in-place repairs by rule.
    """

    id: str
    text: str
    source: str | None = None
    record: dict[str, Any] | None = None
    order: int = 0
    edits: Counter[str] = field(default_factory=empty_counter)
    # The document's JSON Lines output line, when the worker process that prepared it wrote it already
    # (``record`` is then not sent back), so the one parent process only writes it. Not a field: set on the
    # instance only then, so a document without it pickles (and spills) as before.
    line: ClassVar[str | None] = None


@dataclass
class Prepared:
    """A document after the in-place stages, with what the decision needs."""

    doc: Document
    digest: bytes
    signature: np.ndarray | None = None
    shingles: np.ndarray | None = None  # sorted unique shingle hashes, for exact checks
    stats: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Removal:
    """Why one document left the run; one line of the removal log.

    ``step`` is the stage that decided (``read``, ``normalize``, ``exact``, ``near`` ...); ``reason`` is
    the sentence a person reads. Duplicates also name the kept document they duplicate and how similar
    they were, so a user can check every removal.
    """

    id: str
    step: str
    reason: str
    rejected: bool = False
    duplicate_of: str | None = None
    similarity: float | None = None
    source: str | None = None
    # the kept document's number in the near-duplicate index (-1: not in it), for clusters; not logged
    kept_index: int = field(default=-1, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "step": self.step, "reason": self.reason}
        out["kind"] = "rejected" if self.rejected else "removed"
        if self.duplicate_of is not None:
            out["duplicate_of"] = self.duplicate_of
        if self.similarity is not None:
            out["similarity"] = round(float(self.similarity), 4)
        if self.source is not None:
            out["source"] = self.source
        return out


@dataclass
class Account:
    """Running totals of a run: what was read, kept, removed and rejected, and what each stage did.

    ``stages`` holds per-stage counters (``{"normalize": {"documents_changed": 3, ...}, ...}``) so the
    report can say what every stage did without the stages knowing about the report.
    """

    read: int = 0
    kept: int = 0
    removed: int = 0
    rejected: int = 0
    chars_in: int = 0
    chars_out: int = 0
    stages: dict[str, Counter[str]] = field(default_factory=dict)

    def count(self, stage: str, key: str, n: int = 1) -> None:
        counts = self.stages.get(stage)
        if counts is None:
            counts = self.stages[stage] = Counter()
        counts[key] += n

    def add_removal(self, removal: Removal) -> None:
        if removal.rejected:
            self.rejected += 1
        else:
            self.removed += 1
        self.count(removal.step, "rejected" if removal.rejected else "removed")

    def add(
        self,
        removal: Removal | None,
        *,
        chars_out: int = 0,
        chars_in: int = 0,
        edits: Mapping[str, int] | None = None,
    ) -> None:
        """One read document's outcome, after it was read: kept (``removal`` None; ``chars_out`` its cleaned
        length) or removed/rejected; ``chars_in`` and ``edits`` (``stage:what`` counts) from preparing it.
        Both engines account document by document through this one method."""
        if removal is not None:
            self.add_removal(removal)
        else:
            self.kept += 1
            self.chars_out += chars_out
        self.chars_in += chars_in
        if not edits:
            return
        for stage in {key.split(":", 1)[0] for key in edits if key not in NOTES}:
            self.count(stage, "documents_changed")
        for key, n in edits.items():
            stage, _, what = key.partition(":")
            self.count(stage, what.strip(), n)

    def merge(self, other: Account) -> None:
        """Add another account's counts (the Spark engine accounts per partition)."""
        self.read += other.read
        self.kept += other.kept
        self.removed += other.removed
        self.rejected += other.rejected
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        for stage, counts in other.stages.items():
            for key, n in counts.items():
                self.count(stage, key, n)

    def to_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "kept": self.kept,
            "removed": self.removed,
            "rejected": self.rejected,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "stages": {name: dict(counts) for name, counts in self.stages.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Account:
        fields = ("read", "kept", "removed", "rejected", "chars_in", "chars_out")
        account = cls(**{key: data[key] for key in fields})
        account.stages = {name: Counter(counts) for name, counts in data["stages"].items()}
        return account

    def near_stage(self, *, candidates: int, exact_checks: int, bands: int, rows: int) -> None:
        """The near stage's own counters, as every engine reports them."""
        near = self.stages.setdefault("near", Counter())
        near["candidates_checked"] = candidates
        near["exact_checks"] = exact_checks
        near["bands"] = bands
        near["rows"] = rows

    @property
    def balanced(self) -> bool:
        return self.read == self.kept + self.removed + self.rejected
