"""Clusters: the groups of similar documents a run found, written once the run is over.

The removal log gives every removed duplicate ONE kept document it is itself similar to (``duplicate_of``):
that rule decides what is kept, and it never chains. A cluster is wider. A removed document may pass the
check against several kept documents that are too far apart for either to remove the other (syndicated
copies of one story, each edited differently); those kept documents form one family (see
:mod:`dedupe.near.index`), and the cluster is the family with every document removed as a duplicate of one
of its members. So two similar documents end in one cluster even when each was removed as the duplicate of
a different kept document. Exact duplicates join the cluster of the document they repeat.

The clusters file is JSON Lines, one line per member of every cluster that has two or more members::

    {"cluster": "a", "id": "a", "status": "kept"}
    {"cluster": "a", "id": "c", "status": "kept"}
    {"cluster": "a", "id": "b", "status": "removed", "step": "near", "duplicate_of": "a", "similarity": 0.91}

``cluster`` is the id of the family's earliest kept document. Clusters come in the order of their first
removed member in the removal log; inside one, kept members in the order they were kept (``indexed``: a
document of the saved index given with ``--against``; ``removed`` with step ``drop-all`` under
``--drop-all``), then removed members in removal-log order. A document in no cluster is not listed.

Memory: 8 bytes per removal-log line during the run (:class:`ClusterRecorder`), and at the end the
removal-log offsets of the removed members, read back from the finished log.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dedupe.document import Removal
from dedupe.near.index import NearDuplicateIndex

NOT_A_DUPLICATE = -2  # a removal-log line that names no kept document (rejected, filtered, drop-all)


class ClusterRecorder:
    """For every removal-log line, in order: the index number of the kept document it duplicates (-1: a
    kept document outside the near index, e.g. one without words; :data:`NOT_A_DUPLICATE`: none)."""

    def __init__(self, numbers: Iterable[int] = ()) -> None:
        self.numbers = array("q", numbers)

    def record(self, removal: Removal) -> None:
        self.numbers.append(removal.kept_index if removal.duplicate_of is not None else NOT_A_DUPLICATE)


def cluster_members(
    removal_log: Path, numbers: Sequence[int], index: NearDuplicateIndex, saved: int = 0
) -> Iterator[dict]:
    """The lines of the clusters file (see the module doc), from the finished removal log.

    ``numbers``: the recorder's, one per log line; ``saved``: how many documents of ``index`` came from a
    saved index rather than this run.
    """
    roots = index.families.roots()
    members_of = kept_by_family(roots)
    groups: dict[tuple[int, str], list[int]] = {}  # family_key -> offsets of removed members
    dropped: set[str] = set()
    with open(removal_log, "rb") as fh:
        offset = 0
        for line, number in zip(fh, numbers, strict=True):
            if number == NOT_A_DUPLICATE:
                if b'"drop-all"' in line:
                    record = json.loads(line)
                    if record["step"] == "drop-all":
                        dropped.add(record["id"])
            else:
                duplicate_of = "" if number >= 0 else json.loads(line)["duplicate_of"]
                groups.setdefault(family_key(number, duplicate_of, roots), []).append(offset)
            offset += len(line)
        for (root, kept_id), offsets in groups.items():
            kept = [(index.label(k), k < saved) for k in members_of(root)] if root >= 0 else [(kept_id, False)]
            name = kept[0][0]
            for doc_id, indexed in kept:
                yield kept_member(name, doc_id, indexed=indexed, dropped=doc_id in dropped)
            for start in offsets:
                fh.seek(start)
                yield removed_member(name, json.loads(fh.readline()))


def family_key(number: int, duplicate_of: str, roots: np.ndarray) -> tuple[int, str]:
    """The cluster of a removal naming kept document ``number`` (-1: ``duplicate_of``, outside the near
    index), given the final family ``roots``: (root, "") or (-1, that kept document's id)."""
    return (int(roots[number]), "") if number >= 0 else (-1, duplicate_of)


def kept_by_family(roots: np.ndarray) -> Callable[[int], list[int]]:
    """A lookup from a family root to its kept documents' numbers, in kept order (one sort, then binary
    searches: a scan of every kept document per cluster would be quadratic)."""
    order = np.argsort(roots, kind="stable")
    sorted_roots = roots[order]

    def members(root: int) -> list[int]:
        lo, hi = np.searchsorted(sorted_roots, [root, root + 1])
        return order[lo:hi].tolist()

    return members


def kept_member(name: str, doc_id: str, *, indexed: bool = False, dropped: bool = False) -> dict[str, Any]:
    """The line of a kept member (``dropped``: removed by --drop-all after all)."""
    if dropped:
        return {"cluster": name, "id": doc_id, "status": "removed", "step": "drop-all"}
    return {"cluster": name, "id": doc_id, "status": "indexed" if indexed else "kept"}


def removed_member(name: str, record: dict[str, Any]) -> dict[str, Any]:
    """The line of a removed member, from its removal-log record."""
    return {
        "cluster": name,
        "id": record["id"],
        "status": "removed",
        "step": record["step"],
        "duplicate_of": record["duplicate_of"],
        "similarity": record.get("similarity"),
    }


def write_clusters(path: Path, lines: Iterable[dict]) -> dict[str, int]:
    """Write the clusters file; returns its summary for the report (clusters, documents, largest)."""
    clusters = documents = largest = size = 0
    last = None
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False))
            out.write("\n")
            documents += 1
            if line["cluster"] != last:
                clusters, last, size = clusters + 1, line["cluster"], 0
            size += 1
            largest = max(largest, size)
    return {"clusters": clusters, "documents": documents, "largest": largest}
