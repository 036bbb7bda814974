"""
Throughput of the normalisation stage (``dedupe.cleaning.normalize.clean``) against
plain ``ftfy.fix_text``, in MB/s of UTF-8 input.

Corpora:

- ``english``: clean English prose: the first ~5 MB of a Gutenberg JSONL
  file (a ``text`` field per line), line ends made LF, cut into ~4 KB
  documents at paragraph breaks;
- ``english-crlf``: the same books as shipped (CRLF line ends: every line
  changes, so every document takes the second pass);
- ``books``: the same text, one document per book (long documents);
- ``non-english``: clean French, German, Polish, Russian, Greek, Chinese,
  Arabic and Hindi paragraphs, ~4 KB documents;
- ``mixed``: the English documents with scraping damage sprinkled in: one
  line in 40 gets mojibake, a no-break space, trailing spaces, ``![]() |``
  or a dangling pipe.

Usage::

    .venv/bin/python benchmarks/bench_normalize.py ../shared/data/gutenberg.jsonl.gz [--mb 5] [--repeat 3]

Without a path only the synthetic corpora are measured.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import ftfy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dedupe.cleaning.ftfy_gate import ftfy_config  # noqa: E402
from dedupe.cleaning.normalize import clean, normalize  # noqa: E402

NON_ENGLISH = [
    "L\u2019\u00e9t\u00e9 dernier, nous \u00e9tions \u00e0 Gen\u00e8ve o\u00f9 il fait tr\u00e8s beau ; les "
    "enfants jouaient pr\u00e8s du lac et les parents parlaient de la rentr\u00e9e.",
    "Die Stra\u00dfe war nass, und die Kinder sp\u00fcrten die K\u00e4lte \u2013 sch\u00f6n war es trotzdem, "
    "denn der Fr\u00fchling kam fr\u00fch in diesem Jahr.",
    "Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144, powiedzia\u0142a pani Kowalska w "
    "\u015brod\u0119, a potem posz\u0142a do sklepu po chleb.",
    "\u0412\u0441\u0435 \u0441\u0447\u0430\u0441\u0442\u043b\u0438\u0432\u044b\u0435 \u0441\u0435\u043c"
    "\u044c\u0438 \u043f\u043e\u0445\u043e\u0436\u0438 \u0434\u0440\u0443\u0433 \u043d\u0430 \u0434\u0440"
    "\u0443\u0433\u0430, \u043a\u0430\u0436\u0434\u0430\u044f \u043d\u0435\u0441\u0447\u0430\u0441\u0442"
    "\u043b\u0438\u0432\u0430\u044f \u0441\u0435\u043c\u044c\u044f \u043d\u0435\u0441\u0447\u0430\u0441"
    "\u0442\u043b\u0438\u0432\u0430 \u043f\u043e-\u0441\u0432\u043e\u0435\u043c\u0443.",
    "\u03a3\u03ae\u03bc\u03b5\u03c1\u03b1 \u03b5\u03af\u03bd\u03b1\u03b9 \u03bc\u03b9\u03b1 \u03ba\u03b1"
    "\u03bb\u03ae \u03bc\u03ad\u03c1\u03b1 \u03b3\u03b9\u03b1 \u03c0\u03b5\u03c1\u03af\u03c0\u03b1\u03c4"
    "\u03bf \u03c3\u03c4\u03b7\u03bd \u0391\u03b8\u03ae\u03bd\u03b1.",
    "\u6211\u4eec\u90fd\u662f\u4e2d\u56fd\u4eba\uff0c\u4eca\u5929\u5929\u6c14\u5f88\u597d\u3002\u8fd9"
    "\u662f\u4e00\u4e2a\u6d4b\u8bd5\u53e5\u5b50\uff0c\u7528\u4e8e\u6d4b\u91cf\u901f\u5ea6\u3002",
    "\u0627\u0644\u0644\u063a\u0629 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u062c\u0645\u064a\u0644"
    "\u0629 \u062c\u062f\u0627\u064b\u060c \u0648\u0647\u064a \u0644\u063a\u0629 \u0645\u0644\u0627\u064a"
    "\u064a\u0646 \u0627\u0644\u0646\u0627\u0633.",
    "\u0939\u093f\u0928\u094d\u0926\u0940 \u092d\u093e\u0930\u0924 \u0915\u0940 \u092d\u093e\u0937\u093e "
    "\u0939\u0948 \u0914\u0930 \u0907\u0938\u0947 \u0915\u0930\u094b\u0921\u093c\u094b\u0902 \u0932\u094b"
    "\u0917 \u092c\u094b\u0932\u0924\u0947 \u0939\u0948\u0902\u0964",
]

DAMAGE = [
    lambda line: line.encode("utf-8").decode("latin-1") if not line.isascii() else "caf\u00c3\u00a9 " + line,
    lambda line: line.replace(" ", "\u00a0", 3),
    lambda line: line + "   ",
    lambda line: "![]() |\n" + line,
    lambda line: line + " |",
]


def read_books(path: str, megabytes: float) -> list[str]:
    books, size = [], 0
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in handle:
            text = json.loads(row)["text"]
            books.append(text)
            size += len(text.encode("utf-8"))
            if size >= megabytes * 1e6:
                break
    return books


def split_docs(text: str, size: int = 4000) -> list[str]:
    docs, current, length = [], [], 0
    for para in text.split("\n\n"):
        current.append(para)
        length += len(para) + 2
        if length >= size:
            docs.append("\n\n".join(current))
            current, length = [], 0
    if current:
        docs.append("\n\n".join(current))
    return docs


def damage(docs: list[str], seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = []
    for doc in docs:
        lines = doc.split("\n")
        for i, line in enumerate(lines):
            if line and rng.random() < 1 / 40:
                lines[i] = rng.choice(DAMAGE)(line)
        out.append("\n".join(lines))
    return out


def throughput(fn: Callable[[str], object], docs: list[str], repeat: int) -> float:
    size = sum(len(d.encode("utf-8")) for d in docs)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for doc in docs:
            fn(doc)
        best = min(best, time.perf_counter() - start)
    return size / best / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", help="Gutenberg-style JSONL(.gz) with a 'text' field")
    parser.add_argument("--mb", type=float, default=5.0, help="how much of the file to read (default 5 MB)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = parser.parse_args()

    corpora: dict[str, list[str]] = {}
    if args.path:
        books = read_books(args.path, args.mb)
        lf_books = [b.replace("\r\n", "\n") for b in books]
        english = [d for b in lf_books for d in split_docs(b)]
        corpora["english"] = english
        corpora["english-crlf"] = [d.replace("\n", "\r\n") for d in english]
        corpora["books"] = lf_books
        corpora["mixed"] = damage(english)
    rng = random.Random(1)
    paragraphs = ["\n".join(rng.choice(NON_ENGLISH) for _ in range(4)) for _ in range(2000)]
    corpora["non-english"] = ["\n\n".join(paragraphs[i : i + 6]) for i in range(0, len(paragraphs), 6)]

    config = ftfy_config()
    runners: dict[str, Callable[[str], object]] = {
        "clean": clean,
        "clean(explain)": lambda t: normalize(t, explain=True),
        "ftfy default": ftfy.fix_text,
        "ftfy our config": lambda t: ftfy.fix_text(t, config),
    }
    print(f"{'corpus':<14} {'docs':>6} {'MB':>6}  " + "  ".join(f"{name:>16}" for name in runners))
    for name, docs in corpora.items():
        size = sum(len(d.encode("utf-8")) for d in docs) / 1e6
        speeds = [throughput(fn, docs, args.repeat if "ftfy" not in label else 1) for label, fn in runners.items()]
        print(f"{name:<14} {len(docs):>6} {size:>6.1f}  " + "  ".join(f"{s:>11.1f} MB/s" for s in speeds))


if __name__ == "__main__":
    main()
