#!/usr/bin/env python3
"""Per-document cost of in-document repeat repair (and of the Gopher repetition statistics).

The repeat stage runs on every document before MinHash, so it should cost less than the signature step.
To make that comparison honest on a shared machine, the same documents are also signed with
``dedupe.near.signatures`` (when importable) in the same process, the contenders take turns (round
robin, so a busy spell of the machine hits them all), and each reports the best of ``--repeat`` turns.

Documents: the seeds, then ~3 KB slices (whole paragraphs) of the Gutenberg JSON Lines file given as
argument; only the first ``--mb`` megabytes of decompressed text are read.  CRLF is turned into LF, as the
pipeline's normaliser does before this stage.  ``repair`` is timed one document per call and as
``repair_many`` over the whole list (one compiled pre-check for the batch, as the pipeline calls it);
the seeds (of which one has repeats) are also timed alone.

usage: bench_repeats.py [DATA.jsonl.gz] [--docs 2000] [--size 3000] [--mb 8] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
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

from dedupe.cleaning.repeats import repair, repair_many  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpora import split_paragraphs  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gutenberg.jsonl.gz"  # beside the project
SEED_LOOPS = 20


def load_seeds() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]


def load(path: Path, limit: int, size: int, max_mb: float) -> list[str]:
    docs = load_seeds()
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


def best_of(contenders: list[tuple[str, Callable[[], object]]], repeat: int) -> dict[str, float]:
    """Seconds of each contender's best run; they take turns, ``repeat`` rounds.  The garbage collector
    is off while a contender runs (as in ``timeit``): a collection of the benchmark's own objects would
    otherwise land in whichever run happened to allocate at the time."""
    best = dict.fromkeys((name for name, _ in contenders), float("inf"))
    for _ in range(repeat):
        for name, fn in contenders:
            gc.collect()
            gc.disable()
            try:
                t = time.perf_counter()
                fn()
                best[name] = min(best[name], time.perf_counter() - t)
            finally:
                gc.enable()
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
    seeds = load_seeds()
    chars = sum(map(len, docs))
    results = [repair(d) for d in docs]
    assert repair_many(docs) == results, "repair_many must equal repair"
    changed = [r for r in results if r.removed]
    print(
        f"{len(docs)} documents, {chars / len(docs):.0f} chars/doc on average; "
        f"{len(changed)} changed by repair, {sum(len(r.removed) for r in changed)} blocks removed"
    )

    unchanged = [d for d, r in zip(docs, results, strict=True) if not r.removed]
    n_seeds = SEED_LOOPS * len(seeds)  # the five seeds go round several times per run: one run is short
    contenders: list[tuple[str, Callable[[], object], int]] = [
        ("repeats.repair", lambda: [repair(d) for d in docs], len(docs)),
        ("repeats.repair_many", lambda: repair_many(docs), len(docs)),
        ("repeats.repair, unchanged docs", lambda: [repair(d) for d in unchanged], len(unchanged)),
        ("repeats.repair, seeds", lambda: [repair(d) for _ in range(SEED_LOOPS) for d in seeds], n_seeds),
        ("repeats.repair_many, seeds", lambda: [repair_many(seeds) for _ in range(SEED_LOOPS)], n_seeds),
    ]
    if importlib.util.find_spec("dedupe.cleaning.repetition") is not None:
        from dedupe.cleaning.repetition import repetition_stats

        contenders.append(("repetition.repetition_stats", lambda: [repetition_stats(d) for d in docs], len(docs)))
    try:
        from dedupe.near import signatures

        signatures(docs[:8])  # numba cache load / compile outside the timing
        contenders.append(("near.signatures (reference)", lambda: signatures(docs), len(docs)))
        contenders.append(("near.signatures, seeds", lambda: [signatures(seeds) for _ in range(SEED_LOOPS)], n_seeds))
    except ImportError as e:
        print(f"dedupe.near not importable ({e}): no signature reference")

    best = best_of([(name, fn) for name, fn, _ in contenders], a.repeat)
    per_doc = {name: best[name] / n * 1e6 for name, _, n in contenders}
    print(f"\n| {'step':<30} | {'us/doc':>8} | {'docs/s':>9} |")
    print(f"|{'-' * 32}|{'-' * 9}:|{'-' * 10}:|")
    for name, us in per_doc.items():
        print(f"| {name:<30} | {us:>8.1f} | {1e6 / us:>9,.0f} |")
    sig = per_doc.get("near.signatures (reference)")
    if sig:
        print(
            f"\nrepair / signatures: {per_doc['repeats.repair'] / sig:.2f}; "
            f"repair_many / signatures: {per_doc['repeats.repair_many'] / sig:.2f}; on the seeds: "
            f"{per_doc['repeats.repair, seeds'] / per_doc['near.signatures, seeds']:.2f} and "
            f"{per_doc['repeats.repair_many, seeds'] / per_doc['near.signatures, seeds']:.2f}"
        )


if __name__ == "__main__":
    main()
