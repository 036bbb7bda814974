"""One name per document: the n-th document (n > 1, input order) with an id already seen becomes ``ID#n``,
so that every line of the removal log and every ``duplicate_of`` names one document. The record itself is
written unchanged. Both engines rename through :func:`numbered_id`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from dedupe.document import Document, Removal

DUPLICATE_ID_EDIT = "read:duplicate_ids"  # the edit counted on a renamed document


def numbered_id(doc_id: str, n: int) -> str | None:
    """The id the ``n``-th document with ``doc_id`` gets instead, or None for the first."""
    return f"{doc_id}#{n}" if n > 1 else None


class IdCounter:
    """How many documents had each id so far, as an 8-byte hash per id (about 70 bytes a document); a hash
    collision between two different ids would only add a needless ``#2``."""

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}

    def count(self, doc_id: str) -> int:
        """Count one more document with this id; how many there were so far, this one included."""
        digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        key = int.from_bytes(digest, "little")
        count = self.seen.get(key, 0) + 1
        self.seen[key] = count
        return count

    def rename(self, doc_id: str) -> str | None:
        """Count one more document with this id; the id it gets instead, or None for the first."""
        return numbered_id(doc_id, self.count(doc_id))


def number_document(doc: Document, n: int) -> None:
    """Give ``doc``, the ``n``-th document with its id, its unique id in place (an edit when it changes)."""
    new_id = numbered_id(doc.id, n)
    if new_id is not None:
        doc.id = new_id
        doc.edits[DUPLICATE_ID_EDIT] += 1


def rename_document(doc: Document, ids: IdCounter) -> None:
    """Give ``doc`` its unique id in place, counting it in ``ids``."""
    number_document(doc, ids.count(doc.id))


def unique_ids(items: Iterable[Document | Removal]) -> Iterator[Document | Removal]:
    """The items with unique document ids (rejections from reading keep theirs and are not counted)."""
    ids = IdCounter()
    for item in items:
        if isinstance(item, Document):
            rename_document(item, ids)
        yield item
