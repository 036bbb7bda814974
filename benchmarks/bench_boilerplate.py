"""Cost of corpus-wide boilerplate removal (`dedupe run --boilerplate`) and memory of its line counts.

`--boilerplate` reads the corpus twice: a first pass cleans every document and counts its distinct lines
(:class:`dedupe.cleaning.boilerplate.LineCounts`), the second strips the lines that ``min_docs`` or more
documents share. This script measures what that costs, on a generated news-like corpus (several sites,
each with its own navigation, cookie notice, "Share this article" and footer around pages whose own text
is longer than the template, plus syndicated articles published on more sites than ``min_docs``):

1. seconds, MB/s and microseconds per document of `dedupe run` without and with `--boilerplate` (fresh
   processes, one job, after a warm-up run, best of ``--repeat``), and the cost per document of the option;
2. bytes per distinct line of the counting table, held and at its peak (tracemalloc traces numpy's
   allocations), against what a user would write (CCNet style): a ``collections.Counter`` of 64-bit line
   hashes, and one of the normalised line strings of the generated corpus;
3. what the step removed (the run's report), checking that every kept copy of a syndicated article kept
   its whole text and that no template line survives in the other pages.

    python benchmarks/bench_boilerplate.py [--docs 20000] [--repeat 3] [--lines 2000000] [--out DIR]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpora import document, vocabulary  # noqa: E402

from dedupe.cleaning.boilerplate import LineCounts  # noqa: E402

SITES = 50
SYNDICATED = 0.02  # share of the pages that are copies of a syndicated article


def template(site: str, rng: random.Random) -> tuple[list[str], list[str]]:
    """The lines a site puts above and below every article."""
    sections = rng.sample(["World", "Politics", "Business", "Sport", "Culture", "Science", "Opinion", "Local"], 5)
    head = [
        f"{site} | Home | " + " | ".join(sections),
        f"We use cookies to improve your experience on {site}. By continuing you accept our cookie policy.",
        rng.choice(["Accept all cookies", "Accept cookies", "OK, I agree"]),
    ]
    foot = [
        rng.choice(["Share this article", "Share this story", "Share this article:"]),
        rng.choice(["Facebook Twitter Email Copy link", "Facebook X WhatsApp Email"]),
        f"Sign up for the {site} morning briefing, free every weekday.",
        f"About us | Contact | Privacy policy | Terms of use | Advertise with {site}",
        f"\u00a9 2026 {site} Media Ltd. All rights reserved.",
    ]
    return head, foot


def article(seed: int, vocab: list[str]) -> tuple[str, list[str]]:
    """A headline and the paragraphs of an article of ~1-3 KB."""
    rng = random.Random(seed)
    body = document(rng.randint(100, 300), seed=seed, vocab=vocab).split("\n\n")
    return " ".join(rng.choice(vocab) for _ in range(rng.randint(5, 10))).capitalize(), body


def corpus(docs: int, min_docs: int, seed: int = 1) -> tuple[list[dict], dict[str, set[str]]]:
    """News-like pages (shuffled) and each site's template lines; syndicated copies carry ``story``."""
    rng, vocab = random.Random(seed), vocabulary(4000, seed=seed)
    names = [f"The {w.capitalize()} {rng.choice(['Herald', 'Post', 'Times', 'Gazette', 'Daily'])}" for w in vocab]
    sites = [(name, *template(name, rng)) for name in rng.sample(names, SITES)]
    copies = min_docs + 1
    stories = round(docs * SYNDICATED / copies)
    pages: list[dict] = []
    for s in range(stories):
        title, body = article(10_000_000 + s, vocab)
        for k in rng.sample(range(SITES), copies):
            name, head, foot = sites[k]
            text = "\n\n".join([*head, title, *body, *foot]) + "\n"
            pages.append({"id": f"s{s}/{k}", "site": name, "story": s, "text": text})
    for i in range(docs - len(pages)):
        name, head, foot = sites[i % SITES]
        title, body = article(i, vocab)
        pages.append({"id": f"p{i}", "site": name, "text": "\n\n".join([*head, title, *body, *foot]) + "\n"})
    rng.shuffle(pages)
    return pages, {name: set(head + foot) for name, head, foot in sites}


def run(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t


def time_runs(src: Path, work: Path, min_docs: int, repeat: int) -> dict[str, float]:
    """Best seconds of `dedupe run` without and with --boilerplate (taking turns within each repeat)."""
    base = [sys.executable, "-m", "dedupe", "run", str(src), "-q", "--overwrite", "--jobs", "1"]
    variants = {"without": [], "with": ["--boilerplate", "--boilerplate-min-docs", str(min_docs)]}
    warm = work / "warm.jsonl"
    warm.write_text("".join(line + "\n" for line in src.read_text().splitlines()[:500]))
    run([*base[:4], str(warm), *base[5:], "-o", str(work / "warm.out.jsonl"), *variants["with"]])
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(repeat):
        for name, extra in variants.items():
            out = work / f"{name}.jsonl"
            secs = run([*base, "-o", str(out), "--report", str(work / f"{name}.report.json"), *extra])
            best[name] = min(best[name], secs)
    return best


def traced(build: Callable[[], object]) -> tuple[object, int, int]:
    """``build()``, and the bytes tracemalloc saw it hold at the end and at its peak."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    obj = build()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return obj, held - base, peak - base


def memory(lines: int, texts: list[str], batch: int = 4096) -> list[tuple[str, int, float, float]]:
    """(what, distinct lines, held bytes per line, peak bytes per line) for each way of counting."""

    def hash_batches() -> Iterator[np.ndarray]:
        rng = np.random.default_rng(7)
        for i in range(0, lines, batch):
            yield rng.integers(1, 2**64 - 1, min(batch, lines - i), dtype=np.uint64)

    def table() -> LineCounts:
        counts = LineCounts()
        for hashes in hash_batches():  # generated batch by batch, as the first pass hands them over
            counts.add(hashes)
        counts.distinct  # noqa: B018 (merges what is pending)
        return counts

    def counter_ints() -> Counter[int]:
        counts: Counter[int] = Counter()
        for hashes in hash_batches():
            counts.update(hashes.tolist())
        return counts

    def counter_strings() -> Counter[str]:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update({" ".join(line.lower().split()) for line in text.split("\n") if line.strip()})
        return counts

    rows = []
    for what, build in [
        ("LineCounts (dedupe)", table),
        ("Counter of 64-bit line hashes (int)", counter_ints),
        ("Counter of normalised line strings (this corpus)", counter_strings),
    ]:
        obj, held, peak = traced(build)
        n = obj.distinct if isinstance(obj, LineCounts) else len(obj)  # type: ignore[attr-defined, arg-type]
        if isinstance(obj, LineCounts):
            held = obj.nbytes  # the table's own count (tracemalloc agrees within the array headers)
        if isinstance(obj, Counter) and obj and isinstance(next(iter(obj)), str):
            what += f", mean {sum(map(len, obj)) / n:.0f} chars"
        rows.append((what, n, held / n, peak / n))
        del obj
    return rows


def check(out: Path, pages: list[dict], templates: dict[str, set[str]]) -> tuple[int, int]:
    """Every kept copy of a syndicated article holds each paragraph of it; no other page keeps a template
    line. Returns (stories, kept copies)."""
    kept = {r["id"]: r["text"] for r in map(json.loads, out.read_text().splitlines())}
    stories: dict[int, list[dict]] = {}
    for p in pages:
        if "story" in p:
            stories.setdefault(p["story"], []).append(p)
            continue
        if p["id"] in kept:
            left = templates[p["site"]] & {line.strip() for line in kept[p["id"]].split("\n")}
            assert not left, f"template lines survive in page {p['id']} of {p['site']}: {sorted(left)}"
    copies = 0
    for s, group in stories.items():
        paragraphs = [para for para in group[0]["text"].split("\n\n") if para.strip()]
        paragraphs = [para for para in paragraphs if para.strip() not in templates[group[0]["site"]]]
        survivors = [p["id"] for p in group if p["id"] in kept]
        assert survivors, f"syndicated story {s}: no copy kept"
        for pid in survivors:
            missing = [para[:40] for para in paragraphs if para.strip() not in kept[pid]]
            assert not missing, f"syndicated story {s}: kept copy {pid} lost paragraphs {missing}"
        copies += len(survivors)
    return len(stories), copies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=20000, help="pages in the generated corpus")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of each variant (best is reported)")
    ap.add_argument("--lines", type=int, default=2_000_000, help="distinct line hashes for the memory part")
    ap.add_argument("--min-docs", type=int, default=5, help="--boilerplate-min-docs")
    ap.add_argument("--out", type=Path, help="folder for the corpus and outputs (default: a temporary one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.out or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        pages, templates = corpus(args.docs, args.min_docs)
        src = work / "news.jsonl"
        src.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8")
        size = src.stat().st_size
        built = time.perf_counter() - t
        print(f"corpus: {len(pages):,} pages, {SITES} sites, {size / 1e6:.1f} MB, built in {built:.1f} s")

        best = time_runs(src, work, args.min_docs, args.repeat)
        print("\n| run | s | MB/s | us/doc |\n|---|---|---|---|")
        for name, secs in best.items():
            print(f"| {name} --boilerplate | {secs:.2f} | {size / 1e6 / secs:.1f} | {secs / len(pages) * 1e6:.0f} |")
        extra = (best["with"] - best["without"]) / len(pages) * 1e6
        print(
            f"cost of --boilerplate: {extra:.0f} us per document; with / without: {best['with'] / best['without']:.2f}"
        )

        report = json.loads((work / "with.report.json").read_text())
        without = json.loads((work / "without.report.json").read_text())
        stage, bp = report["stages"]["boilerplate"], report["boilerplate"]
        share = stage["chars"] / report["chars_in"]
        print(f"\nboilerplate stage: {json.dumps(stage)} ({share:.1%} of the {report['chars_in']:,} chars read)")
        print(
            f"lines counted {bp['lines_counted']:,}, shared {bp['lines_shared']:,}; kept {report['kept']:,}, "
            f"removed {report['removed']:,} (without: {without['removed']:,})"
        )
        for top in bp["top"][:8]:
            print(f"  {top['documents']:>6,}  {top['line'][:90]}")
        stories, copies = check(work / "with.jsonl", pages, templates)
        print(f"checked: {stories} syndicated stories, {copies} kept copies whole; no template line left elsewhere")

        rows = memory(args.lines, [p["text"] for p in pages])
        print("\n| counting | distinct lines | held B/line | peak B/line |\n|---|---|---|---|")
        for what, n, held, peak in rows:
            print(f"| {what} | {n:,} | {held:.1f} | {peak:.1f} |")
        print(
            f"Counter of hashes / LineCounts: held {rows[1][2] / rows[0][2]:.1f}x, peak {rows[1][3] / rows[0][3]:.1f}x"
        )


if __name__ == "__main__":
    main()
