"""Corpora for tests and benchmarks: random prose with near-duplicates at known edit rates, and real
books split into documents.

The random vocabulary is made of syllables from a seeded generator, so tests need no data files and
every run builds the same documents. Benchmarks also read Project Gutenberg books (a path argument) and
split them at paragraph boundaries into documents of about the size of a scraped article.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Iterator

_SYLLABLES = ["ka", "lo", "mi", "ren", "sut", "pa", "or", "vel", "dan", "ti", "bro", "shi", "nu", "ex", "qua"]


def vocabulary(size: int = 5000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def document(n_words: int, seed: int, vocab: list[str] | None = None) -> str:
    """A document of ``n_words`` words in sentences and paragraphs."""
    rng = random.Random(seed)
    vocab = vocab or vocabulary()
    words = [rng.choice(vocab) for _ in range(n_words)]
    out, sentence = [], []
    for i, w in enumerate(words, 1):
        sentence.append(w)
        if i % 12 == 0 or i == n_words:
            s = " ".join(sentence)
            out.append(s[0].upper() + s[1:] + ".")
            sentence = []
    paragraphs = [" ".join(out[i : i + 5]) for i in range(0, len(out), 5)]
    return "\n\n".join(paragraphs)


def edit(text: str, rate: float, seed: int, vocab: list[str] | None = None) -> str:
    """Replace a share ``rate`` of the words with other words (a syndicated copy with small edits)."""
    rng = random.Random(seed)
    vocab = vocab or vocabulary()
    tokens = re.split(r"(\w+)", text)
    word_positions = [i for i in range(1, len(tokens), 2)]
    for i in rng.sample(word_positions, max(1, round(rate * len(word_positions)))):
        tokens[i] = rng.choice(vocab)
    return "".join(tokens)


def bridge(seed: int, vocab: list[str] | None = None) -> tuple[str, str, str]:
    """Three documents (a, c, d): a and c share too little to be duplicates (word 5-gram Jaccard ~0.71),
    and d, cut from between them, is a near duplicate of both (~0.84 each): one family of two kept
    documents joined by a removed one."""
    words = document(400, seed=seed, vocab=vocab).split(" ")
    return " ".join(words[:300]), " ".join(words[50:350]), " ".join(words[25:325])


def jaccard(a: str, b: str, n: int = 5) -> float:
    """Exact word n-gram Jaccard, the same definition as the ground-truth tool exact_pairs.py."""

    def shingles(text: str) -> set[tuple[str, ...]]:
        w = re.findall(r"\w+", text.lower())
        if len(w) < n:
            return {tuple(w)} if w else set()
        return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}

    sa, sb = shingles(a), shingles(b)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def split_paragraphs(text: str, size: int = 3000) -> Iterator[str]:
    """~``size``-character documents made of whole paragraphs (blank-line separated, CRLF or LF)."""
    part: list[str] = []
    n = 0
    for para in re.split(r"(?:\r?\n){2,}", text):
        part.append(para)
        n += len(para) + 2
        if n >= size:
            yield "\n\n".join(part)
            part, n = [], 0
    if part:
        yield "\n\n".join(part)


def split_books(path: str, target_chars: int = 3000, limit_chars: int | None = None) -> Iterator[dict]:
    """Split the books of a JSON Lines file (``id``, ``text``) into ~``target_chars`` documents at paragraph
    boundaries; ids are ``BOOK/PART``. Stops after ``limit_chars`` characters in all."""
    total = 0
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            book = json.loads(line)
            for n, text in enumerate(split_paragraphs(book["text"], target_chars)):
                yield {"id": f"{book['id']}/{n:05d}", "text": text}
                total += len(text) + 2
                if limit_chars is not None and total >= limit_chars:
                    return


def with_near_duplicates(
    docs: list[dict], share: float = 0.2, rates: tuple[float, ...] = (0.01, 0.05, 0.1, 0.2), seed: int = 0
) -> list[dict]:
    """Add edited copies of a ``share`` of the documents (word edits at the given rates), shuffled in."""
    rng = random.Random(seed)
    vocab = vocabulary()
    out = list(docs)
    for i, doc in enumerate(rng.sample(docs, int(len(docs) * share))):
        rate = rates[i % len(rates)]
        out.append({"id": f"{doc['id']}~{rate}", "text": edit(doc["text"], rate, seed=i, vocab=vocab)})
    rng.shuffle(out)
    return out
