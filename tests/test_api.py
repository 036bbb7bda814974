"""The Python API a user's own pipeline calls: clean, remove_repeats, Deduplicator on any iterable."""

from __future__ import annotations

from corpora import document, edit

import dedupe


def test_top_level_text_functions():
    assert dedupe.clean("caf\u00e9\u00a0 ok  \n\n\n\nnext") == "caf\u00e9  ok\n\nnext"
    para = "This paragraph is long enough to count as a real repeated block of text."
    assert dedupe.remove_repeats(f"{para}\n\n{para}\n\nEnd of the story here.") == f"{para}\n\nEnd of the story here."


def test_deduplicator_on_dicts_pairs_and_strings():
    a = document(300, seed=21)
    near = edit(a, 0.005, seed=2)
    b = document(300, seed=22)
    records = [
        {"id": "a", "text": a, "lang": "en"},
        {"id": "n", "text": near},
        {"id": "b", "text": b},
        {"id": "bad", "text": None},
    ]
    dd = dedupe.Deduplicator(threshold=0.8)
    kept = list(dd.filter(records))
    assert [r["id"] for r in kept] == ["a", "b"] and kept[0]["lang"] == "en"
    assert [(r.id, r.step, r.duplicate_of) for r in dd.removed] == [("n", "near", "a"), ("bad", "read", None)]
    assert dd.account.balanced and dd.account.read == 4
    # the same Deduplicator remembers what it kept: a later shard is de-duplicated against the first
    assert list(dd.filter([("x", a), ("y", document(300, seed=23))])) == [("y", dedupe.clean(document(300, seed=23)))]
    assert dd.removed[-1].duplicate_of == "a"
    assert list(dedupe.deduplicate([a, near, b])) == [dedupe.clean(a), dedupe.clean(b)]


def test_deduplicator_can_leave_text_untouched():
    text = "Hello\u00a0world, this is a sentence."
    assert list(dedupe.deduplicate([{"text": text}], clean=False)) == [{"text": text}]
