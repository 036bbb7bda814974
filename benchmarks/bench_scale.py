"""How time, memory and temporary disk grow with the number of documents, in stream and batch mode.

Writes synthetic corpora of ~1 KB documents (10 % of them edited copies of earlier ones) at several
sizes, runs `dedupe run` on each in a fresh process, and reports wall time, peak resident memory (of the
largest process) and its growth per document between sizes, and the temporary disk batch mode spilled
(the report's ``batch.spilled_bytes``; stream mode spills nothing), so a 10-million-document run can be
read off the slope; ``--sizes 1000000`` measures a million-document run (~1 GB) directly.

    python benchmarks/bench_scale.py [--sizes 25000,50000,100000,200000] [--modes stream,batch] [--jobs 1]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_pipeline import measure  # noqa: E402
from corpora import vocabulary  # noqa: E402


def write_corpus(path: Path, n: int, words_per_doc: int = 100, seed: int = 0) -> int:
    """n documents of ~1 KB; every tenth is an edited copy (2 % of words changed) of an earlier one."""
    rng = np.random.default_rng(seed)
    vocab = np.array(vocabulary(20000))
    docs: list[np.ndarray] = []
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            if i % 10 == 9:
                words = docs[int(rng.integers(0, len(docs)))].copy()
                pos = rng.choice(len(words), size=max(1, len(words) // 50), replace=False)
                words[pos] = rng.integers(0, len(vocab), size=len(pos))
            else:
                words = rng.integers(0, len(vocab), size=words_per_doc)
            if len(docs) < 5000:
                docs.append(words)
            fh.write(json.dumps({"id": f"d{i:08d}", "text": " ".join(vocab[words]), "n": i}) + "\n")
    return path.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="25000,50000,100000,200000")
    ap.add_argument("--modes", default="stream,batch")
    ap.add_argument("--jobs", default="1")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    modes = args.modes.split(",")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in sizes:
            src = work / f"c{n}.jsonl"
            size = write_corpus(src, n)
            for mode in modes:
                extra = ["--keep", "longest"] if mode == "batch" else []
                cmd = [
                    sys.executable,
                    "-m",
                    "dedupe",
                    "run",
                    str(src),
                    "-o",
                    str(work / f"o{n}{mode}.jsonl"),
                    "-q",
                    "--overwrite",
                    "--jobs",
                    args.jobs,
                    "--mode",
                    mode,
                    "--temp-dir",
                    str(work),
                    *extra,
                    "--report",
                    str(work / "r.json"),
                ]
                secs, cpu, rss = measure(cmd)
                report = json.loads((work / "r.json").read_text())
                spilled = report["stages"].get("batch", {}).get("spilled_bytes", 0)
                rows.append(
                    {
                        "mode": mode,
                        "docs": n,
                        "MB": size / 1e6,
                        "seconds": secs,
                        "peak_MB": rss,
                        "removed": report["removed"],
                    }
                )
                print(
                    f"{mode:<7}{n:>9} docs {size / 1e6:8.1f} MB {secs:8.1f} s ({size / 1e6 / secs:5.1f} MB/s, "
                    f"cpu {cpu:6.1f} s)  peak {rss:8.0f} MB  temp disk {spilled / 1e6:8.1f} MB  "
                    f"removed {report['removed']}",
                    flush=True,
                )
    for mode in modes:
        pts = [(r["docs"], r["peak_MB"]) for r in rows if r["mode"] == mode]
        if len(pts) >= 2:
            (n0, m0), (n1, m1) = pts[0], pts[-1]
            slope = (m1 - m0) * 1e6 / (n1 - n0)
            print(
                f"{mode}: {slope:.0f} bytes per document; 10 M documents would need about "
                f"{m0 + slope * (10_000_000 - n0) / 1e6:,.0f} MB"
            )
    print(f"date: {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
