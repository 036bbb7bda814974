"""The news-like corpus of benchmarks/bench_short.py has the properties the benchmark claims."""

import json
import random
import statistics

from bench_short import news_corpus
from corpora import jaccard


def _line_bytes(record: dict) -> int:
    return len((json.dumps(record, ensure_ascii=False) + "\n").encode())


def test_news_corpus_properties():
    records = list(news_corpus(1500, doc_bytes=1000, non_ascii_share=0.3, seed=3))
    by_id = {r["id"]: r for r in records}
    assert len(by_id) == len(records) == 1500  # ids unique
    assert all(set(r) == {"id", "text"} for r in records)
    assert 900 <= statistics.mean(map(_line_bytes, records)) <= 1100

    exact = [r for r in records if "=" in r["id"]]
    near = [r for r in records if "~" in r["id"]]
    assert 0.03 <= len(exact) / len(records) <= 0.07
    assert 0.03 <= len(near) / len(records) <= 0.07
    for r in exact:
        assert r["text"] == by_id[r["id"].split("=")[1]]["text"]
    similarities = [jaccard(r["text"], by_id[r["id"].split("~")[1]]["text"]) for r in near]
    assert all(0.8 <= s < 1.0 for s in similarities)
    assert 0.85 <= statistics.mean(similarities) <= 0.95
    positions = [i for i, r in enumerate(records) if "=" in r["id"] or "~" in r["id"]]
    assert positions[0] < 100 and positions[-1] > 1400  # spread through the corpus, not appended

    # unrelated documents are far from near duplicates
    originals = [r["text"] for r in records if r["id"].isalnum()]
    rng = random.Random(0)
    assert max(jaccard(*rng.sample(originals, 2)) for _ in range(200)) < 0.2

    non_ascii = [r["text"] for r in records if not r["text"].isascii()]
    assert 0.2 <= len(non_ascii) / len(records) <= 0.4
    assert all("—" in t and "“" in t for t in non_ascii)
    assert any("(Reuters) - " in r["text"] for r in records)

    for r in records:
        paragraphs = r["text"].split("\n\n")
        assert 2 <= len(paragraphs) <= 6
        assert all(p.strip() and "\n" not in p for p in paragraphs)


def test_news_corpus_long_documents_and_determinism():
    long = list(news_corpus(300, doc_bytes=3000, seed=5))
    assert 2700 <= statistics.mean(map(_line_bytes, long)) <= 3300
    assert list(news_corpus(300, doc_bytes=3000, seed=5)) == long
    assert list(news_corpus(300, doc_bytes=3000, seed=6)) != long
    assert all(r["text"].isascii() for r in news_corpus(200, non_ascii_share=0.0, seed=1))
