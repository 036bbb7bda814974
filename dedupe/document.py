"""The record that flows through a run, the reasons a record leaves it, and the run's account.

Every input document ends in exactly one of three places: kept (written to the output), removed (a
step decided it is redundant: a duplicate, or beyond repair) or rejected (it could not be read or has
no usable text). The :class:`Account` counts all three so a run can prove it lost nothing:
``read == kept + removed + rejected``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


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
    edits: Counter[str] = field(default_factory=Counter)


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

    @property
    def balanced(self) -> bool:
        return self.read == self.kept + self.removed + self.rejected
