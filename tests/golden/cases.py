"""The golden-output cases: which inputs, which options, and how a run's files are compared.

The expected files under ``tests/golden/expected/`` were written by ``make_golden.py outputs`` with the
release before the module move of issue 13 (0.1.0 as of commit 5398cb6). A change that is meant to
change output rewrites them with that command and says so in its commit and the README; any other
change must leave every file byte-identical.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
INPUTS = HERE / "inputs"
EXPECTED = HERE / "expected"

CORPORA = {
    "seeds": ROOT / "seeds",  # folder of text files
    "synthetic": INPUTS / "synthetic.jsonl",  # near/exact copies, families, bad lines, duplicate ids, dates
    "gutenberg": INPUTS / "gutenberg.jsonl.gz",  # real books in ~3 KB parts, CRLF, edited and exact copies
}

# name -> extra command-line flags; every case also writes --clusters
POLICIES = {
    "first": [],
    "batch": ["--mode", "batch"],
    "longest": ["--keep", "longest"],
    "keep_by": ["--keep-by", "date"],
    "drop_all": ["--drop-all"],
    "longest_drop_all": ["--keep", "longest", "--drop-all"],
    "verify_exact": ["--verify", "exact"],
    "verify_none": ["--verify", "none"],
    "char": ["--shingle", "char", "--threshold", "0.7"],
    "boilerplate": ["--boilerplate"],  # added with the option (issue 14); the other cases were not rewritten
}

CASES = [(c, p) for c in CORPORA for p in POLICIES if not (p == "keep_by" and c == "seeds")]  # seeds have no dates

# the cases the Spark engine is compared on (it is slow to start; the local engine covers the rest)
SPARK_CASES = [
    ("seeds", "first"),
    ("synthetic", "first"),
    ("synthetic", "longest_drop_all"),
    ("synthetic", "keep_by"),
    ("gutenberg", "boilerplate"),
]


def output_name(corpus: str) -> str:
    """A folder input gives a folder; JSON Lines gives JSON Lines."""
    return "out" if corpus == "seeds" else "out.jsonl"


def args(corpus: str, policy: str, folder: Path) -> list[str]:
    out = folder / output_name(corpus)
    return [
        str(CORPORA[corpus]),
        "-o",
        str(out),
        "--removed",
        str(folder / "removed.jsonl"),
        "--report",
        str(folder / "report.json"),
        "--clusters",
        str(folder / "clusters.jsonl"),
        "--overwrite",
        "-q",
        *POLICIES[policy],
    ]


def stable_report(path: Path) -> str:
    """The report without what differs from run to run: its time, its paths, the options that say how
    the run was executed (jobs, temp dir) rather than what it decided, and the size of batch mode's
    temporary spill file (pickles, which name the classes they hold: moving a class changes it)."""
    report = json.loads(path.read_text())
    report.pop("seconds")
    report.pop("paths")
    report["stages"].get("batch", {}).pop("spilled_bytes", None)
    if report["stages"].get("batch") == {}:
        del report["stages"]["batch"]
    for key in ("jobs", "temp_dir"):
        report["options"].pop(key, None)
    return json.dumps(report, indent=2, sort_keys=True) + "\n"


def run_files(folder: Path, corpus: str) -> dict[str, bytes]:
    """Every file a run wrote, by a name relative to the run's folder; the report made stable, and the
    output (mostly the input again, and large) as one line of SHA-256 digests per file."""
    out = folder / output_name(corpus)
    outputs = {out.name: out} if out.is_file() else {
        p.relative_to(out).as_posix(): p for p in out.rglob("*") if p.is_file()
    }
    digests = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {name}\n" for name, p in sorted(outputs.items())]
    files = {"output.sha256": "".join(digests).encode()}
    for name in ("removed.jsonl", "clusters.jsonl"):
        files[name] = (folder / name).read_bytes()
    files["report.json"] = stable_report(folder / "report.json").encode()
    return files

