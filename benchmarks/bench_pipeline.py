"""End-to-end throughput of `dedupe run`: JSON Lines in and out, every stage on.

Builds three corpora (Project Gutenberg books split into ~3 KB documents; the same with edited
near-duplicate copies shuffled in; and a large one, that corpus with ``--reworded`` more versions of every
document, each with half its words replaced, so they are new documents, not near duplicates), runs the
real command line in a fresh process with 1 and 2 jobs, and reports MB/s, MB/s per core, the scaling
from 1 to 2 processes, the CPU seconds of all its processes and the peak memory of the largest process.
The job counts take turns within each repeat, so a machine that is busier for a while slows every count
alike; the best of the repeats is reported. A run of a few MB is mostly start-up (about 0.5 s: Python,
numba, loading the compiled kernels), which only one core can do; the large corpus shows the scaling of
the work itself.

    python benchmarks/bench_pipeline.py [--books ../shared/data/gutenberg.jsonl.gz] [--mb 20] [--reworded 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpora import edit, split_books, vocabulary, with_near_duplicates  # noqa: E402

DEFAULT_BOOKS = HERE.parent.parent / "shared" / "data" / "gutenberg.jsonl.gz"


def reworded(docs: list[dict], versions: int, rate: float = 0.5) -> list[dict]:
    """``docs`` and ``versions`` more versions of each with a share ``rate`` of the words replaced (word
    5-gram Jaccard with the original about 0.02: new documents of the same shape), shuffled together."""
    vocab = vocabulary()
    out = list(docs)
    for v in range(1, versions + 1):
        out += [
            {"id": f"{d['id']}/v{v}", "text": edit(d["text"], rate, seed=v * 1_000_003 + i, vocab=vocab)}
            for i, d in enumerate(docs)
        ]
    random.Random(versions).shuffle(out)
    return out


def write_jsonl(path: Path, docs: list[dict]) -> int:
    with open(path, "w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path.stat().st_size


def measure(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system, the command and its worker processes) and peak RSS (MB) of
    the largest process the command ran, in a fresh child."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter(); rc = subprocess.call(sys.argv[1:]); t = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(t, u.ru_utime + u.ru_stime, u.ru_maxrss / 1024)\n"
        "sys.exit(rc)\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, check=True)
    secs, cpu, rss = out.stdout.split()
    return float(secs), float(cpu), float(rss)


def run_case(name: str, src: Path, size: int, workdir: Path, jobs_list: list[int], repeat: int) -> list[dict]:
    dedupe = [sys.executable, "-m", "dedupe"]
    measure([*dedupe, "run", str(src), "-o", str(workdir / "warm.jsonl"), "-q", "--overwrite", "--jobs", "1"])
    runs: dict[int, list[tuple[float, float, float]]] = {jobs: [] for jobs in jobs_list}
    for _ in range(repeat):
        for jobs in jobs_list:
            out, report = workdir / f"{name}.{jobs}.jsonl", workdir / f"{name}.{jobs}.report.json"
            cmd = [*dedupe, "run", str(src), "-o", str(out), "-q", "--overwrite", "--jobs", str(jobs)]
            runs[jobs].append(measure([*cmd, "--report", str(report)]))
    rows = []
    for jobs in jobs_list:
        counts = json.loads((workdir / f"{name}.{jobs}.report.json").read_text())
        secs, _, rss = min(runs[jobs])  # the fastest run, and its peak memory
        cpu = min(c for _, c, _ in runs[jobs])
        rows.append(
            {
                "corpus": name,
                "jobs": jobs,
                "docs": counts["read"],
                "MB": size / 1e6,
                "seconds": secs,
                "MB/s": size / 1e6 / secs,
                "MB/s/core": size / 1e6 / secs / jobs,
                "cpu_s": cpu,
                "peak_MB": rss,
                "removed": counts["removed"],
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--books", default=str(DEFAULT_BOOKS), help="Gutenberg JSON Lines (id, text)")
    ap.add_argument("--mb", type=float, default=20.0, help="MB of book text to use")
    ap.add_argument("--jobs", default="1,2", help="comma-separated process counts")
    ap.add_argument("--repeat", type=int, default=2, help="runs per case; the best is reported")
    ap.add_argument("--reworded", type=int, default=3, help="versions added to make the large corpus (0: none)")
    args = ap.parse_args()
    if not Path(args.books).exists():
        sys.exit(f"no corpus at {args.books}: pass --books PATH (Project Gutenberg JSON Lines)")
    jobs_list = [int(j) for j in args.jobs.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        docs = list(split_books(args.books, 3000, int(args.mb * 1e6)))
        near = with_near_duplicates(docs, share=0.2)
        cases = {"gutenberg-3KB": docs, "gutenberg-3KB+near-dups": near}
        if args.reworded:
            cases[f"same x{args.reworded + 1} reworded"] = reworded(near, args.reworded)
        rows = []
        for name, corpus in cases.items():
            src = workdir / f"{name}.jsonl"
            size = write_jsonl(src, corpus)
            rows += run_case(name, src, size, workdir, jobs_list, args.repeat)
    header = (
        f"{'corpus':<26}{'jobs':>5}{'docs':>8}{'MB':>8}{'s':>8}{'MB/s':>8}{'MB/s/core':>11}{'CPU s':>7}{'peak MB':>9}"
        f"{'removed':>9}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['corpus']:<26}{r['jobs']:>5}{r['docs']:>8}{r['MB']:>8.1f}{r['seconds']:>8.2f}{r['MB/s']:>8.1f}"
            f"{r['MB/s/core']:>11.1f}{r['cpu_s']:>7.2f}{r['peak_MB']:>9.0f}{r['removed']:>9}"
        )
    for name in dict.fromkeys(r["corpus"] for r in rows):
        by_jobs = {r["jobs"]: r for r in rows if r["corpus"] == name}
        if 1 in by_jobs and 2 in by_jobs:
            print(f"{name}: 2 processes are {by_jobs[1]['seconds'] / by_jobs[2]['seconds']:.2f}x one")
    print(
        f"cpus available: {len(os.sched_getaffinity(0))}; "
        f"own peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print(f"date: {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
