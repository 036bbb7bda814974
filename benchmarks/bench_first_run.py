"""The first run after installing: ``dedupe run`` with numba's cache empty (as after ``pip install``) and then
full, over the seeds and over a larger generated corpus; and what the pure-Python paths cost against the
compiled kernels by input size, with the kernels already cached (where ``dedupe.compiled.SMALL_INPUT`` lies).

    python benchmarks/bench_first_run.py [--mb 3] [--sizes 16,64,256,512,1024] [--repeat 3]
    python benchmarks/bench_first_run.py --profile [--mb 3]   # what the first run over the larger corpus compiles
    python benchmarks/bench_first_run.py --profile --scripts  # the same with Greek, Cyrillic and NFKC text in it

Every run is a fresh ``dedupe run`` process (``--profile``: this one, with numba's compile events timed). The
caches go to temporary folders (``NUMBA_CACHE_DIR``, ``DEDUPE_CACHE_DIR``), so the package's own
``__pycache__`` is neither read nor cleared.
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

import corpora

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

# `dedupe run` with dedupe.compiled.SMALL_INPUT set first: -1 takes the kernels for every input, a huge value
# the pure-Python paths
_FORCED = "import sys, dedupe.compiled as c; c.SMALL_INPUT = int(sys.argv.pop(1)); from dedupe.cli import main; main()"


# With --scripts: a sentence whose key characters are wider than a byte, and one with characters that only
# `keys.normalise` handles (the repeat pre-check's code-point kernel `scan_wide` is compiled for both).
_GREEK = "Η επιτροπή δημοσίευσε την έκθεσή της την Τρίτη και τα ευρήματα ήταν σαφή."
_NFKC = "Комитет опубликовал свой доклад во вторник: ﬁne ﬂour, ½ cup."


def corpus(path: Path, size: int, seed: int = 1, scripts: bool = False) -> Path:
    """News-sized generated documents (some with curly quotes and dashes, some with a repeated paragraph,
    some edited copies) as JSON Lines, ``size`` bytes or a little more; with ``scripts``, one in three also
    has a Greek sentence and one in five a Cyrillic one with ligatures and a fraction."""
    vocab = corpora.vocabulary()
    rng = random.Random(seed)
    written = 0
    prev = ""
    with path.open("w", encoding="utf-8") as fh:
        i = 0
        while written < size:
            text = corpora.document(rng.randint(150, 450), seed=seed * 1_000_003 + i, vocab=vocab)
            if i % 3 == 0:
                text = text.replace(" ka ", " \u201cka\u201d ").replace(" lo ", " lo \u2014 ")
            if i % 10 == 0:
                text += "\n\n" + text.split("\n\n")[0]
            if i % 7 == 0 and prev:
                text = corpora.edit(prev, 0.03, seed=i, vocab=vocab)
            prev = text
            if scripts and i % 3 == 1:
                text = text.replace("\n\n", f"\n\n{_GREEK}\n\n", 1)
            if scripts and i % 5 == 2:
                text = text.replace("\n\n", f"\n\n{_NFKC}\n\n", 1)
            line = json.dumps({"id": f"d{i}", "text": text}) + "\n"
            fh.write(line)
            written += len(line.encode())
            i += 1
    return path


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall s, CPU s of the process, its stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, proc.stderr


def first_and_second(name: str, source: Path, out: Path, env: dict[str, str]) -> None:
    for run in ("first", "second"):
        command = [sys.executable, "-m", "dedupe", "run", str(source), "-o", str(out), "--overwrite"]
        wall, cpu, err = timed(command, env)
        said = "compiling" in err
        print(f"| {name} | {run} | {wall:.2f} | {cpu:.2f} | {'yes' if said else 'no'} |", flush=True)


def profile(source: Path, folder: Path) -> None:
    """The compile time of each kernel that a first run over ``source`` calls (with the helpers it compiles for
    it), from numba's compile events, in this process (``--jobs 1``)."""
    os.environ["NUMBA_CACHE_DIR"] = str(folder / "numba-profile")
    os.environ["DEDUPE_CACHE_DIR"] = str(folder / "tables-profile")
    from numba.core import event

    from dedupe.cli import main as cli

    class Timer(event.Listener):
        def __init__(self) -> None:
            self.starts: list[float] = []
            self.rows: list[tuple[str, str, float]] = []

        def on_start(self, ev: event.Event) -> None:
            self.starts.append(time.perf_counter())

        def on_end(self, ev: event.Event) -> None:
            seconds = time.perf_counter() - self.starts.pop()
            if not self.starts:  # a kernel called from Python, not a helper compiled for it
                func = ev.data["dispatcher"].py_func
                first = ev.data["args"][0]
                units = getattr(first, "dtype", first)
                self.rows.append((f"{func.__module__}.{func.__qualname__}", str(units), seconds))

    timer = Timer()
    start = time.perf_counter()
    with event.install_listener("numba:compile", timer):
        command = ["run", str(source), "-o", str(folder / "profile.jsonl"), "--overwrite", "-q", "--jobs", "1"]
        cli(command, standalone_mode=False)
    total = time.perf_counter() - start
    print("| kernel | first argument | compile s |\n|---|---|---|")
    for name, units, seconds in timer.rows:
        print(f"| {name} | {units} | {seconds:.2f} |")
    compiling = sum(seconds for _, _, seconds in timer.rows)
    print(f"| all | | {compiling:.2f} (of {total:.2f} s for the run) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=3.0, help="size of the larger corpus")
    parser.add_argument("--sizes", default="16,64,256,512,1024", help="KB, for the Python paths against the kernels")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size and path (best kept)")
    parser.add_argument("--profile", action="store_true", help="only time what the larger corpus's first run compiles")
    parser.add_argument("--scripts", action="store_true", help="Greek, Cyrillic and NFKC text in the larger corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dedupe-first-run-") as tmp:
        folder = Path(tmp)
        if args.profile:
            profile(corpus(folder / "large.jsonl", int(args.mb * 1e6), scripts=args.scripts), folder)
            return
        env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba"), "DEDUPE_CACHE_DIR": str(folder / "tables")}
        large = corpus(folder / "large.jsonl", int(args.mb * 1e6), scripts=args.scripts)
        print("| input | run | wall s | CPU s | compiling notice |\n|---|---|---|---|---|")
        first_and_second("seeds (5 documents, 22 KB)", SEEDS, folder / "seeds.out", env)
        first_and_second(f"generated ({large.stat().st_size / 1e6:.1f} MB)", large, folder / "large.out.jsonl", env)
        print("\n| input KB | documents | Python paths s | kernels s (cached) |\n|---|---|---|---|")
        for kb in (int(k) for k in args.sizes.split(",")):
            source = corpus(folder / f"{kb}.jsonl", kb * 1024, seed=kb)
            docs = sum(1 for _ in source.open())
            best = {}
            for way, limit in (("python", str(1 << 62)), ("kernels", "-1")):
                command = [sys.executable, "-c", _FORCED, limit, "run", str(source), "-o", str(folder / "o.jsonl")]
                command += ["--overwrite", "-q"]
                best[way] = min(timed(command, env)[0] for _ in range(args.repeat))
            print(f"| {kb} | {docs} | {best['python']:.2f} | {best['kernels']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
