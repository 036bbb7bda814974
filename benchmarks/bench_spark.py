"""Local engine vs Spark local[2] on the same corpus: wall time, peak memory, and that the files agree.

Builds a JSON Lines corpus of Project Gutenberg books split into ~3 KB documents with edited
near-duplicate copies shuffled in, or takes an existing JSON Lines corpus (``--input``), then runs ``dedupe run``
(local engine, 1 and 2 jobs) and ``dedupe.run.spark.run_spark`` on Spark ``local[2]``, each in a fresh process,
and compares output and removal log byte for byte. Prints the ratio of Spark's wall time to each local run's,
and the Spark engine's own log of its near-stage rounds (``dedupe.spark`` at INFO: seconds and documents
decided per round).

    python benchmarks/bench_spark.py [--books ../shared/data/gutenberg.jsonl.gz] [--mb 4]
    python benchmarks/bench_spark.py --input corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpora import split_books, with_near_duplicates  # noqa: E402

DEFAULT_BOOKS = HERE.parent.parent / "shared" / "data" / "gutenberg.jsonl.gz"

SPARK_RUN = """
import json, logging, os, sys, time
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
t0 = time.perf_counter()
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
    .config("spark.sql.shuffle.partitions", "4").config("spark.default.parallelism", "4")
    .config("spark.driver.memory", "2g")
    .config("spark.driver.extraJavaOptions", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
logging.getLogger("dedupe.spark").setLevel(logging.INFO)
t1 = time.perf_counter()
from pathlib import Path
from dedupe.run.spark import run_spark
from dedupe.options import Execution, Options
from dedupe.run.files import Paths
src, out, removed, report = sys.argv[1:5]
r = run_spark(Paths(src, out, Path(removed), Path(report)), Options(), execution=Execution(jobs=2), master="local[2]")
print(json.dumps({"startup": t1 - t0, "run": r["seconds"]}))
"""


def _tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid and c not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree)


def measure(cmd: list[str]) -> tuple[float, float, dict, str]:
    """Wall seconds, peak resident MB of the whole process tree (Spark: driver, JVM and Python
    workers together), sampled every 0.1 s, the command's last stdout line as JSON, and its stderr."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as stdout, tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, text=True)  # files: no pipe fills and blocks it
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)
        secs = time.perf_counter() - started
        out, err = (_read_back(f) for f in (stdout, stderr))
    if proc.returncode:
        raise RuntimeError(f"{cmd[:4]} failed:\n{err[-3000:]}")
    lines = out.strip().splitlines()
    return secs, peak / 1e6, json.loads(lines[-1]) if lines else {}, err


def _read_back(fh: IO[str]) -> str:
    """What a command wrote to ``fh``, a file it was given for stdout or stderr."""
    fh.seek(0)
    return fh.read()


def round_lines(stderr: str) -> list[str]:
    """The Spark engine's near-stage log lines (one per round, then the total), as it wrote them."""
    return [line.split(": ", 1)[1] for line in stderr.splitlines() if line.startswith("dedupe.spark: near stage")]


def ratios(rows: list[tuple[str, float, float | None, float]]) -> list[str]:
    """Spark's wall time over each local run's: how many times longer Spark takes."""
    spark = next(secs for name, secs, _, _ in rows if name.startswith("spark"))
    return [f"spark local[2] / {name}: {spark / secs:.1f}x" for name, secs, _, _ in rows if name.startswith("local")]


def write_corpus(args: argparse.Namespace, work: Path) -> Path:
    """``--input`` as it is, or the Gutenberg books split into ~3 KB documents with near copies."""
    if args.input:
        return Path(args.input)
    docs = with_near_duplicates(list(split_books(args.books, 3000, limit_chars=int(args.mb * 1e6))), share=0.2)
    src = work / "corpus.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return src


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", default=str(DEFAULT_BOOKS))
    parser.add_argument("--mb", type=float, default=4.0, help="megabytes of book text before the copies")
    parser.add_argument("--input", metavar="PATH", help="an existing JSON Lines corpus (instead of the books)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = write_corpus(args, work)
        size = src.stat().st_size / 1e6
        with open(src, "rb") as fh:
            n_docs = sum(1 for _ in fh)
        rows = []
        for jobs in (1, 2):
            out = work / f"local{jobs}.jsonl"
            cmd = [sys.executable, "-m", "dedupe", "run", str(src), "-o", str(out), "-q", "--jobs", str(jobs)]
            secs, rss, _, _ = measure(cmd)
            rows.append((f"local engine, --jobs {jobs}", secs, None, rss))
        out = work / "spark.jsonl"
        spark_cmd = [sys.executable, "-c", SPARK_RUN, str(src), str(out), str(work / "spark.removed.jsonl")]
        secs, rss, info, err = measure([*spark_cmd, str(work / "spark.report.json")])
        rows.append(("spark local[2]", secs, info.get("run"), rss))
        same_out = (work / "local2.jsonl").read_bytes() == out.read_bytes()
        same_log = (work / "local2.removed.jsonl").read_bytes() == (work / "spark.removed.jsonl").read_bytes()
        same_1 = (work / "local1.jsonl").read_bytes() == out.read_bytes()
        kept = sum(1 for _ in open(out, encoding="utf-8"))
    print(f"corpus: {src if args.input else 'books'}, {n_docs} lines, {size:.1f} MB JSON Lines; kept {kept}")
    print(f"{'engine':<24} {'wall s':>8} {'run s':>8} {'MB/s':>6} {'peak RSS MB':>12}")
    for name, secs, run_s, rss in rows:
        run_txt = f"{run_s:8.1f}" if run_s is not None else f"{'':>8}"
        print(f"{name:<24} {secs:8.1f} {run_txt} {size / secs:6.2f} {rss:12.0f}")
    print("; ".join(ratios(rows)))
    print(f"identical output: {same_out} (and to --jobs 1: {same_1}), identical removal log: {same_log}")
    print("spark near stage:", *round_lines(err) or ["(no round lines logged)"], sep="\n  ")
    print("peak RSS: the whole process tree (local: main process and workers; Spark: driver, JVM, Python workers)")


if __name__ == "__main__":
    main()
