"""Where the single parent process becomes the limit: a model of ``--jobs N`` from measured costs.

With ``--jobs N`` on JSON Lines, the workers parse and prepare batches (``prepare_lines``: parse, normalise,
repair, digest, MinHash, write each document's output line, pack) while the one parent process reads raw
lines, unpacks and numbers each batch, decides (exact digest, LSH index) and writes the lines it keeps. This
script times the two halves apart, in one process, on the same batches: ``W`` = worker seconds per document,
``P`` = parent seconds per document. With N processes the parent also prepares what the workers leave
(``ordered_map`` computes a batch itself rather than wait), so throughput is about ``N / (W + P)`` documents
per second while ``P <= (W + P) / N``, and at most ``1 / P`` after that: the parent binds from
``N* = (W + P) / P`` processes on. The script prints W, P, N*, and the predicted speed-up at 2, 8, 16 and 64 processes,
next to the measured ``--jobs 1`` / ``--jobs 2`` times.

    python benchmarks/bench_parent.py [--docs 20000] [--words 100] [--input NEWS.jsonl]

``--input`` takes a JSON Lines corpus instead of the generated one (e.g. ``bench_short.py --keep PATH``'s
news-like documents).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_scale import write_corpus  # noqa: E402

from dedupe.decide.ids import IdCounter  # noqa: E402
from dedupe.decide.policy import decided  # noqa: E402
from dedupe.document import Account, Document  # noqa: E402
from dedupe.engines.local import _place  # noqa: E402
from dedupe.engines.transport import prepare_lines, unpacked  # noqa: E402
from dedupe.io import InputFormat, Sink  # noqa: E402
from dedupe.options import Execution, Options  # noqa: E402
from dedupe.prepare import warm_up  # noqa: E402


def halves(src: Path, out: Path) -> tuple[int, float, float, dict[str, float]]:
    """(documents, worker seconds, parent seconds, the parent's parts) for one pass over ``src``."""
    opts, execution = Options(), Execution(jobs=2)
    warm_up(opts)
    source = InputFormat().open(str(src))
    assert source.lines is not None
    t0 = time.perf_counter()
    chunks = list(source.lines(execution.batch_size))
    t1 = time.perf_counter()
    packed = [prepare_lines(chunk, opts, True, None, True) for chunk in chunks]
    t2 = time.perf_counter()
    ids, read = IdCounter(), 0
    batches = []
    for p, rejected in packed:  # what run_lines does with each result: unpack, number, rename
        batch = unpacked(p)
        read = _place(batch, set(rejected), ids, read)
        batches.append(batch)
    t3 = time.perf_counter()
    account = Account()
    outcomes = list(decided(batches, opts, account, None, execution))
    t4 = time.perf_counter()
    sink = Sink(str(out), "jsonl")
    with open(out.with_suffix(".removed.jsonl"), "w", encoding="utf-8") as log:
        for outcome in outcomes:
            if isinstance(outcome, Document):
                sink.write(outcome)
            else:
                log.write(json.dumps(outcome.to_json(), ensure_ascii=False) + "\n")
    sink.commit()
    t5 = time.perf_counter()
    parts = {"read lines": t1 - t0, "unpack and number": t3 - t2, "decide": t4 - t3, "write": t5 - t4}
    return account.read, t2 - t1, sum(parts.values()), parts


def run(src: Path, out: Path, jobs: int) -> float:
    t = time.perf_counter()
    cmd = [sys.executable, "-m", "dedupe", "run", str(src), "-o", str(out), "-q", "--overwrite", "--jobs", str(jobs)]
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--words", type=int, default=100, help="words per document (100: ~1 KB)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--input", help="a JSON Lines corpus to use instead of the generated one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.input:
            src = Path(args.input)
            size = src.stat().st_size
        else:
            src = Path(tmp) / "in.jsonl"
            size = write_corpus(src, args.docs, words_per_doc=args.words)
        best = min((halves(src, Path(tmp) / "h.jsonl") for _ in range(args.repeat)), key=lambda r: r[1] + r[2])
        n, w, p, parts = best
        W, P = w / n * 1e6, p / n * 1e6
        run(src, Path(tmp) / "warm.jsonl", 1)
        secs = {jobs: min(run(src, Path(tmp) / f"o{jobs}.jsonl", jobs) for _ in range(args.repeat)) for jobs in (1, 2)}
    print(f"{n} documents, {size / 1e6:.1f} MB ({size / n:.0f} B each)")
    print(f"worker half W = {W:.1f} us/doc (parse, clean, sign, write lines, pack)")
    print(f"parent half P = {P:.1f} us/doc: " + ", ".join(f"{k} {v / n * 1e6:.1f}" for k, v in parts.items()))
    bound = (W + P) / P
    print(f"the parent binds from N* = (W + P) / P = {bound:.1f} processes")
    one = size / ((W + P) * n)  # MB/s with one process (bytes per microsecond)
    for jobs in (2, 8, 16, 64):
        speedup = min(jobs, bound)
        print(f"  {jobs:>2} processes: predicted {speedup:.2f}x --jobs 1, {one * speedup:.0f} MB/s")
    ratio = secs[1] / secs[2]
    print(f"measured (whole command): --jobs 1 {secs[1]:.2f} s, --jobs 2 {secs[2]:.2f} s, {ratio:.2f}x")


if __name__ == "__main__":
    main()
