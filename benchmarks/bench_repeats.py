#!/usr/bin/env python3
"""Per-document cost of in-document repeat repair (and of the Gopher repetition statistics).

The repeat stage runs on every document before MinHash, so it should cost less than the signature step.
To make that comparison honest on a shared machine, the same documents are also signed with
``dedupe.near.signatures`` (when importable) in the same process, and every contender reports the best
of ``--repeat`` runs.

Documents: the seeds, then ~3 KB slices (whole paragraphs) of the Gutenberg JSON Lines file given as
argument; only the first ``--mb`` megabytes of decompressed text are read.  CRLF is turned into LF, as the
pipeline's normaliser does before this stage.

usage: bench_repeats.py [DATA.jsonl.gz] [--docs 2000] [--size 3000] [--mb 8] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("dedupe") is None:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from dedupe.repeats import repair  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpora import split_paragraphs  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data/gutenberg.jsonl.gz")


def load(path: Path, limit: int, size: int, max_mb: float) -> list[str]:
    docs = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    if not path.exists():
        print(f"{path} missing: seeds only")
        return docs
    read = 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"].replace("\r\n", "\n")
            read += len(text)
            docs.extend(split_paragraphs(text, size))
            if len(docs) >= limit or read >= max_mb * 1e6:
                break
    return docs[:limit]


def best_of(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--size", type=int, default=3000, help="characters per Gutenberg slice")
    ap.add_argument("--mb", type=float, default=8.0, help="read at most this much decompressed text")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    docs = load(a.data, a.docs, a.size, a.mb)
    chars = sum(map(len, docs))
    changed = [r for r in map(repair, docs) if r.removed]
    print(
        f"{len(docs)} documents, {chars / len(docs):.0f} chars/doc on average; "
        f"{len(changed)} changed by repair, {sum(len(r.removed) for r in changed)} blocks removed"
    )

    unchanged = [d for d in docs if not repair(d).removed]
    contenders: list[tuple[str, Callable[[], object]]] = [
        ("repeats.repair", lambda: [repair(d) for d in docs]),
        ("repeats.repair, unchanged docs", lambda: [repair(d) for d in unchanged]),
    ]
    if importlib.util.find_spec("dedupe.repetition") is not None:
        from dedupe.repetition import repetition_stats

        contenders.append(("repetition.repetition_stats", lambda: [repetition_stats(d) for d in docs]))
    try:
        from dedupe.near import signatures

        signatures(docs[:8])  # numba cache load / compile outside the timing
        contenders.append(("near.signatures (reference)", lambda: signatures(docs)))
    except ImportError as e:
        print(f"dedupe.near not importable ({e}): no signature reference")

    print(f"\n| {'step':<30} | {'us/doc':>8} | {'docs/s':>9} |")
    print(f"|{'-' * 32}|{'-' * 9}:|{'-' * 10}:|")
    for name, fn in contenders:
        n = len(unchanged) if "unchanged" in name else len(docs)
        sec = best_of(fn, a.repeat)
        print(f"| {name:<30} | {sec / n * 1e6:>8.1f} | {n / sec:>9,.0f} |")


if __name__ == "__main__":
    main()
