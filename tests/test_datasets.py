"""The stages inside a Hugging Face `datasets` pipeline: clean with map, de-duplicate with filter.
These are the README's examples (`datasets` is part of the test extra, so this always runs)."""

from __future__ import annotations

import datasets
from corpora import document, edit

import dedupe


def test_map_and_filter_on_a_dataset():
    base = document(200, seed=1)
    ds = datasets.Dataset.from_dict(
        {
            "id": ["a", "b", "c", "d"],
            "text": [base + "\u00a0 ", edit(base, 0.005, seed=2), document(200, seed=3), base],
            "lang": ["en", "en", "fr", "en"],
        }
    )
    # --- README example ---
    ds = ds.map(lambda row: {"text": dedupe.remove_repeats(dedupe.clean(row["text"]))})
    dd = dedupe.Deduplicator(threshold=0.8)
    ds = ds.filter(dd.keep_batch, batched=True, batch_size=2)
    # ---
    assert ds["id"] == ["a", "c"] and ds["lang"] == ["en", "fr"]
    assert ds["text"][0] == base  # cleaned by the map step
    assert [(r.id, r.step, r.duplicate_of) for r in dd.removed] == [("b", "near", "a"), ("d", "exact", "a")]
