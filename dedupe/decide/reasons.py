"""What the removal log says about a duplicate: one function per kind of removal, used by both engines."""

from __future__ import annotations

from dedupe.document import Removal

DROP_ALL_REASON = "in a cluster of duplicates, and --drop-all removes every member of a cluster"


def exact_reason(kept_id: str) -> str:
    return f"exact duplicate of {kept_id}"


def near_reason(kept_id: str, similarity: float, exact: bool) -> str:
    how = "exact Jaccard" if exact else "estimated Jaccard"
    return f"near-duplicate of {kept_id}, {how} {similarity:.2f}"


def exact_duplicate(doc_id: str, kept_id: str, *, source: str | None = None, kept_index: int = -1) -> Removal:
    """An exact copy of a kept document (similarity 1.0)."""
    return Removal(
        doc_id,
        "exact",
        exact_reason(kept_id),
        duplicate_of=kept_id,
        similarity=1.0,
        source=source,
        kept_index=kept_index,
    )


def near_duplicate(
    doc_id: str, kept_id: str, similarity: float, exact: bool, *, source: str | None = None, kept_index: int = -1
) -> Removal:
    """A document that passed the candidate check against a kept one (``exact``: the exact Jaccard decided)."""
    return Removal(
        doc_id,
        "near",
        near_reason(kept_id, similarity, exact),
        duplicate_of=kept_id,
        similarity=similarity,
        source=source,
        kept_index=kept_index,
    )


def dropped(doc_id: str, *, source: str | None = None) -> Removal:
    """A kept member of a cluster that ``--drop-all`` removes too."""
    return Removal(doc_id, "drop-all", DROP_ALL_REASON, source=source)
