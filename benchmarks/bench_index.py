"""Memory and speed of the one-pass near-duplicate index with many kept documents.

Feeds N random signatures (all distinct, so all are kept: the worst case for memory) through the index
the way the pipeline does, batch by batch, and reports bytes per kept document (the index's own count
and the growth of the process's resident memory) and documents per second.

    python benchmarks/bench_index.py [--docs 1000000] [--num-perm 128]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from dedupe.near.index import NearDuplicateIndex


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--batch", type=int, default=256)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    index = NearDuplicateIndex(args.num_perm, args.threshold, verify="none")
    before = rss_mb()
    started = time.perf_counter()
    kept = 0
    for start in range(0, args.docs, args.batch):
        n = min(args.batch, args.docs - start)
        sigs = rng.integers(0, 2**32, size=(n, args.num_perm), dtype=np.uint64).astype(np.uint32)
        q = index.begin(sigs)
        for i in range(n):
            if index.match(q, i, sigs[i], None) is None:
                index.add(q, i, f"doc{start + i:09d}", sigs[i], None)
                kept += 1
    secs = time.perf_counter() - started
    index.begin(sigs[:1])
    after = rss_mb()
    print(f"docs {args.docs}, kept {kept}, num_perm {args.num_perm}, bands {index.bands} x rows {index.rows}")
    print(f"index bytes per kept document: {index.memory_bytes() / kept:.0f}")
    print(f"resident memory growth per kept document: {(after - before) * 1e6 / kept:.0f} bytes")
    print(f"insert+query: {args.docs / secs:,.0f} docs/s ({secs:.1f} s); candidates checked {index.candidates_checked}")


if __name__ == "__main__":
    main()
