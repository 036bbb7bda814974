"""The run's stages for Python pipelines: de-duplicate any iterable, no files involved.

    dd = Deduplicator(threshold=0.8)
    kept = list(dd.filter(records))      # records: strings, (id, text) pairs or dicts
    dd.removed                            # a Removal per dropped item: why, and which kept item it duplicates

Items come back in the shape they went in (a dict stays a dict with its other fields, a pair stays a
pair), with the cleaned text when ``clean=True``. One Deduplicator remembers what it kept, so calling
``filter`` on shard after shard de-duplicates across all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dedupe.decide.decider import Decider
from dedupe.document import Account, Document, Removal
from dedupe.engines.local import run_documents
from dedupe.options import split


class Deduplicator:
    """Keeps the first of every group of near-duplicates (or longest, by ``keep``) across calls."""

    def __init__(self, *, text_field: str = "text", id_field: str = "id", clean: bool = True, **options: Any):
        self.text_field = text_field
        self.id_field = id_field
        self.clean = clean
        self.options, self.execution = split(options)
        self.account = Account()
        self.removed: list[Removal] = []
        self._decider = Decider(self.options, self.account, temp_dir=self.execution.temp_dir)
        self._count = 0

    def filter(self, items: Iterable[Any]) -> Iterator[Any]:
        """Yield the items that are kept, in order; removed and rejected ones go to ``self.removed``.

        With ``boilerplate=True`` the lines of all of ``items`` are counted before the first is decided
        (the items wait in a temporary file meanwhile), so each call removes the lines shared within it.
        """
        originals: dict[int, Any] = {}
        docs = self._documents(items, originals)
        for outcome in run_documents(docs, self.options, self.account, decider=self._decider, execution=self.execution):
            if isinstance(outcome, Removal):
                self.removed.append(outcome)
                originals.pop(_order_of(outcome, originals), None)
                continue
            original = originals.pop(outcome.order)
            yield self._reshape(original, outcome) if self.clean else original

    def keep_batch(self, batch: Mapping[str, list[Any]]) -> list[bool]:
        """One bool per row of a column batch: for Hugging Face ``dataset.filter(dd.keep_batch, batched=True)``.

        Rows are decided in order against everything this Deduplicator kept before (across batches), and
        removed rows are recorded in ``self.removed``. Cleaning is a separate ``dataset.map`` step.
        """
        if self.options.boilerplate:
            raise ValueError(
                "boilerplate=True counts lines over the whole corpus before deciding anything, which one batch "
                "cannot do: use filter() over the whole corpus, or dedupe run --boilerplate"
            )
        texts = batch[self.text_field]
        ids = batch.get(self.id_field) or [None] * len(texts)
        rows = [{self.id_field: i, self.text_field: t} for i, t in zip(ids, texts, strict=True)]
        originals: dict[int, Any] = {}
        keep = []
        for outcome in run_documents(
            self._documents(rows, originals),
            self.options,
            self.account,
            decider=self._decider,
            execution=self.execution,
        ):
            keep.append(isinstance(outcome, Document))
            if isinstance(outcome, Removal):
                self.removed.append(outcome)
        return keep

    def _documents(self, items: Iterable[Any], originals: dict[int, Any]) -> Iterator[Document | Removal]:
        for item in items:
            order = self._count
            self._count += 1
            originals[order] = item
            doc_id, text = self._unpack(item, order)
            if not isinstance(text, str):
                yield Removal(
                    doc_id, "read", f"text is {type(text).__name__}, not a string", rejected=True, source=str(order)
                )
                continue
            yield Document(doc_id, text, order=order, source=str(order))

    def _unpack(self, item: Any, order: int) -> tuple[str, Any]:
        if isinstance(item, str):
            return str(order), item
        if isinstance(item, Mapping):
            doc_id = item.get(self.id_field)
            return (str(order) if doc_id is None else str(doc_id)), item.get(self.text_field)
        if isinstance(item, tuple) and len(item) == 2:
            return str(item[0]), item[1]
        return str(order), None

    def _reshape(self, original: Any, doc: Document) -> Any:
        if isinstance(original, str):
            return doc.text
        if isinstance(original, Mapping):
            return {**original, self.text_field: doc.text}
        return (original[0], doc.text)


def _order_of(removal: Removal, originals: dict[int, Any]) -> int:
    # Deduplicator sets source to the item's position, so a removal finds its original again
    return int(removal.source) if removal.source is not None else -1


def deduplicate(items: Iterable[Any], **options: Any) -> Iterator[Any]:
    """One-shot form of :class:`Deduplicator`: yields kept items; removals are not reported."""
    return Deduplicator(**options).filter(items)
