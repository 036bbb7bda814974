"""Write the golden inputs and expected outputs (see cases.py).

    python tests/golden/make_golden.py inputs --gutenberg PATH/gutenberg.jsonl.gz   # once: the input corpora
    python tests/golden/make_golden.py outputs [--spark]                           # the expected files

``outputs`` runs every case with ``--jobs 1`` through the installed ``dedupe`` command, checks that
``--jobs 2`` (and with ``--spark`` the Spark engine, on SPARK_CASES) writes the same files, and replaces
``expected/``. Run it only for a change that is meant to change output.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from cases import CASES, CORPORA, EXPECTED, INPUTS, SPARK_CASES, args, run_files  # noqa: E402
from corpora import bridge, document, edit, split_books, vocabulary, with_near_duplicates  # noqa: E402


def synthetic() -> list[bytes]:
    """Lines of a JSON Lines corpus with every kind of decision in it, bad lines included."""
    vocab = vocabulary()
    rng = random.Random(13)
    docs: list[dict] = []
    originals = [document(rng.randint(60, 600), seed=1000 + i, vocab=vocab) for i in range(40)]
    for i, text in enumerate(originals):
        docs.append({"id": f"o{i:02d}", "text": text})
    for i in range(25):
        rate = (0.005, 0.01, 0.03, 0.08, 0.15)[i % 5]
        docs.append({"id": f"o{i:02d}~{rate}", "text": edit(originals[i], rate, seed=2000 + i, vocab=vocab)})
    for i in range(5):
        docs.append({"id": f"o{i + 30:02d}=", "text": originals[i + 30]})
        docs.append({"id": f"o{i + 30:02d}ws", "text": originals[i + 30].replace(". ", ".  \n", 1) + "  \n\n\n"})
    for i in range(3):
        a, c, d = bridge(3000 + i, vocab=vocab)
        docs += [{"id": f"b{i}a", "text": a}, {"id": f"b{i}c", "text": c}, {"id": f"b{i}d", "text": d}]
    twice = document(200, seed=4000, vocab=vocab)
    docs.append({"id": "repeated", "text": twice + "\n\n" + twice})
    mojibake = "The caf\u00c3\u00a9 said \u00e2\u20ac\u0153hello\u00e2\u20ac\u009d. "
    docs.append({"id": "mojibake", "text": mojibake + originals[5]})
    docs.append({"id": "spaces", "text": originals[6].replace(" ", "\u00a0", 40) + "\u200b"})
    docs.append({"id": "cjk", "text": "\u4eca\u65e5\u306f\u826f\u3044\u5929\u6c17\u3067\u3059\u3002" * 20})
    docs.append({"id": "emoji", "text": "\U0001f600 | \n" + originals[7][:400]})
    docs.append({"id": "o01", "text": document(150, seed=5000, vocab=vocab)})  # a second "o01"
    docs.append({"id": "o01", "text": originals[1]})  # a third, an exact copy
    rng.shuffle(docs)
    for i, d in enumerate(docs):
        if i % 5:
            d["date"] = f"20{10 + i % 14:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        d["n"] = i
    lines = [json.dumps(d, ensure_ascii=False).encode() + b"\n" for d in docs]
    bad = [
        b"{not json\n",
        b'{"id": "no-text"}\n',
        b'{"id": "number", "text": 5}\n',
        b'{"id": "empty", "text": ""}\n',
        b'{"id": "blank", "text": "  \\n\\t "}\n',
        b"\n",
        b'["a", "list"]\n',
    ]
    for k, line in enumerate(bad):
        lines.insert(7 + 13 * k, line)
    return lines


def gutenberg(path: str) -> list[bytes]:
    """About 700 KB of real books in ~3 KB parts, with edited copies of a fifth and a few exact copies."""
    parts = list(split_books(path, 3000, limit_chars=700_000))
    docs = with_near_duplicates(parts, share=0.2, seed=3)
    rng = random.Random(5)
    for d in rng.sample(parts, 12):
        docs.insert(rng.randrange(len(docs)), {"id": d["id"] + "=", "text": d["text"]})
    return [json.dumps(d, ensure_ascii=False).encode() + b"\n" for d in docs]


def write_inputs(gutenberg_path: str) -> None:
    INPUTS.mkdir(parents=True, exist_ok=True)
    (INPUTS / "synthetic.jsonl").write_bytes(b"".join(synthetic()))
    with gzip.GzipFile(INPUTS / "gutenberg.jsonl.gz", "wb", mtime=0) as fh:
        fh.write(b"".join(gutenberg(gutenberg_path)))


def run(corpus: str, policy: str, folder: Path, *extra: str) -> dict[str, bytes]:
    command = [sys.executable, "-m", "dedupe", "run", *args(corpus, policy, folder), *extra]
    subprocess.run(command, check=True)
    return run_files(folder, corpus)


def write_outputs(spark: bool) -> None:
    new = EXPECTED.with_name("expected.new")
    shutil.rmtree(new, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        for corpus, policy in CASES:
            files = run(corpus, policy, Path(tmp) / f"{corpus}-{policy}-1", "--jobs", "1")
            again = run(corpus, policy, Path(tmp) / f"{corpus}-{policy}-2", "--jobs", "2")
            if again != files:
                raise SystemExit(f"{corpus}/{policy}: --jobs 2 differs from --jobs 1")
            if spark and (corpus, policy) in SPARK_CASES:
                other = run(corpus, policy, Path(tmp) / f"{corpus}-{policy}-s", "--engine", "spark")
                if other != files:
                    raise SystemExit(f"{corpus}/{policy}: the Spark engine differs from the local one")
            for name, data in files.items():
                target = new / corpus / policy / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            print(f"{corpus}/{policy}: {len(files)} files", flush=True)
    shutil.rmtree(EXPECTED, ignore_errors=True)
    new.rename(EXPECTED)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("inputs").add_argument("--gutenberg", required=True)
    sub.add_parser("outputs").add_argument("--spark", action="store_true")
    ns = parser.parse_args()
    if ns.what == "inputs":
        write_inputs(ns.gutenberg)
    else:
        assert all(p.exists() for p in CORPORA.values()), "write the inputs first"
        write_outputs(ns.spark)


if __name__ == "__main__":
    main()
