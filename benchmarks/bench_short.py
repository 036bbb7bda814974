"""End-to-end speed on short news-like documents, against the datasketch one-pass reference (issue 15).

Issue 15's targets for whole runs on one core with every default stage on: at least 25 MB/s on ~1 KB
news-like JSON Lines and at least 12x the datasketch one-pass reference in the same run; at least 40 MB/s
on long (~3 KB) documents. Short documents are where the per-document costs (parsing, each stage's start,
index look-ups, writing) weigh most, which books split into 3 KB parts (bench_pipeline.py) do not show.

The corpus is generated (seeded, no network, in a temporary folder unless ``--keep PATH``): records
``{"id", "text"}`` of ``--doc-bytes`` on average, 2-6 blank-line-separated paragraphs of sentences with
names, numbers, commas and quotes, some with a dateline (``LONDON (Reuters) - ``), a share
``--non-ascii-share`` with curly quotes, an em dash and an accented name, and about 5 % exact and 5 % near
copies (a few words changed: word 5-gram Jaccard ~0.85-0.95) of earlier documents in random places.

``python -m dedupe run IN -o OUT -q --overwrite --jobs J`` runs as a user runs it, a fresh process each
time, best of ``--repeat`` wall times, the job counts taking turns within each repeat. The same command on
10 documents gives the start-up time: "MB/s after start-up" is MB / (t_big - t_tiny). The reference is
what a user writes today with datasketch, timed in this process (reading included, datasketch's import
not), over the first ``--reference-docs`` documents, once per repeat, the best taken: per record
json.loads, lower-cased ``\\w+`` word 5-gram shingles as bytes, MinHash(num_perm=128).update_batch,
MinHashLSH(threshold=0.8).query, insert when nothing is found. Rates are compared in MB/s.

    python benchmarks/bench_short.py                     # 100000 ~1 KB documents, jobs 1 and 2
    python benchmarks/bench_short.py --doc-bytes 3000    # long documents (target 40 MB/s)
    python benchmarks/bench_short.py --docs 3000 --repeat 1 --reference-docs 1000   # a quick check
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shlex
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_pipeline import measure, write_jsonl  # noqa: E402
from corpora import edit, vocabulary  # noqa: E402

_COMMON = (
    "the of and to a in that is was he for it with as his on be at by had not are but from or have an they which "
    "one you were her all she there would their we him been has when who will more no if out so said what up its "
    "about into than them can only other new some could time these two may then do first any my now such like our "
    "over man even most made after also did many before must through back years where much your way well down "
    "should because each just those people how too little state good very make world still own see men work long "
    "get here between both life being under never day same another know while last might us great old year off "
    "come since against go came right used take three government market bank prices week month company official "
    "minister police court report percent billion million city country party election talks deal shares oil"
)
COMMON = _COMMON.split()
CITIES = ["LONDON", "NEW YORK", "PARIS", "TOKYO", "BERLIN", "WASHINGTON", "SYDNEY", "NAIROBI", "TORONTO"]
CITIES_ACCENTED = ["SÃO PAULO", "ZÜRICH", "BOGOTÁ", "REYKJAVÍK", "MÁLAGA"]
AGENCIES = ["Reuters", "AP", "AFP", "Bloomberg"]
ACCENTED_NAMES = ["José Núñez", "Zoë Brandt", "Renée Dubois", "Jürgen Müller", "François Lefèvre", "Søren Ås"]
SAID = ["said", "told reporters", "said in a statement", "added"]


def _number(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return str(rng.randint(2, 99))
    if kind == 1:
        return f"{rng.randint(1, 99)}.{rng.randint(0, 9)}"
    if kind == 2:
        return f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}"
    return str(rng.randint(1950, 2024))


def _sentence(rng: random.Random, words: list[str], fancy: bool, quote: bool = False) -> str:
    """A sentence of 8-22 words: some capitalised (names, places), some numbers, a few commas; or a quote."""
    toks = rng.choices(words, k=rng.randint(8, 22))
    for i in range(len(toks)):
        r = rng.random()
        if r < 0.07:
            toks[i] = toks[i].capitalize()
        elif r < 0.10:
            toks[i] = _number(rng)
        elif r < 0.12:
            toks[i] += "’s" if fancy else "'s"
        if i < len(toks) - 1 and rng.random() < 0.07:
            toks[i] += ","
    text = " ".join(toks)
    text = text[0].upper() + text[1:]
    if quote or rng.random() < 0.12:
        name = f"{rng.choice(words).capitalize()} {rng.choice(words).capitalize()}"
        left, right = ("“", "”") if fancy else ('"', '"')
        return f"{left}{text},{right} {name} {rng.choice(SAID)}."
    return text + "."


def news_text(rng: random.Random, words: list[str], target_bytes: float, fancy: bool) -> str:
    """2-6 paragraphs of sentences, about ``target_bytes`` of UTF-8; ``fancy``: with curly quotes, an em dash
    and an accented name."""
    sentences: list[str] = []
    size = 0
    while True:
        s = _sentence(rng, words, fancy, quote=fancy and not sentences)
        n = len(s.encode()) + 1
        if len(sentences) >= 2 and size + n / 2 > target_bytes:  # stop at the sentence closest to the target
            break
        sentences.append(s)
        size += n
    if fancy:
        i, j = rng.sample(range(len(sentences)), 2)
        sentences[i] = sentences[i][:-1] + " — " + " ".join(rng.choices(words, k=rng.randint(3, 8))) + "."
        sentences[j] = (
            f"{rng.choice(ACCENTED_NAMES)} {rng.choice(SAID)} that " + sentences[j][0].lower() + sentences[j][1:]
        )
    if rng.random() < 0.4:
        city = rng.choice(CITIES + CITIES_ACCENTED if fancy else CITIES)
        sentences[0] = f"{city} ({rng.choice(AGENCIES)}) - {sentences[0]}"
    k = min(rng.randint(2, 6), len(sentences))
    cuts = [0, *sorted(rng.sample(range(1, len(sentences)), k - 1)), len(sentences)]
    return "\n\n".join(" ".join(sentences[a:b]) for a, b in itertools.pairwise(cuts))


def news_corpus(
    n: int,
    doc_bytes: int = 1000,
    non_ascii_share: float = 0.3,
    exact_share: float = 0.05,
    near_share: float = 0.05,
    seed: int = 0,
) -> Iterator[dict]:
    """``n`` news-like records ``{"id", "text"}`` of ``doc_bytes`` JSON Lines bytes on average. A share
    ``exact_share`` are exact and ``near_share`` near copies (about 1 % of the words changed) of earlier
    originals, ids ``dN=dM`` and ``dN~dM`` (M: the original); originals have ids ``dN``."""
    rng = random.Random(seed)
    made_up = vocabulary(3000)
    words = COMMON * (len(made_up) // len(COMMON)) + made_up  # about half the words are common English ones
    overhead = 70  # the JSON wrapper and escapes, datelines, the dash and name added after sizing, roughly
    pool: list[tuple[str, str]] = []  # a uniform sample of earlier originals (reservoir), to copy from
    originals = 0
    for i in range(n):
        r = rng.random()
        if pool and r < exact_share + near_share:
            src, text = rng.choice(pool)
            if r < exact_share:
                yield {"id": f"d{i:08d}={src}", "text": text}
            else:
                near = edit(text, rng.uniform(0.006, 0.012), seed=rng.randrange(2**32), vocab=made_up)
                yield {"id": f"d{i:08d}~{src}", "text": near}
            continue
        fancy = rng.random() < non_ascii_share
        text = news_text(rng, words, doc_bytes * rng.uniform(0.6, 1.4) - overhead, fancy)
        rid = f"d{i:08d}"
        originals += 1
        if len(pool) < 10000:
            pool.append((rid, text))
        elif (j := rng.randrange(originals)) < len(pool):
            pool[j] = (rid, text)
        yield {"id": rid, "text": text}


def dedupe_cmd(src: Path, out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "dedupe", "run", str(src), "-o", str(out), "-q", "--overwrite", "--jobs", str(jobs)]


def datasketch_reference(path: Path, n_docs: int) -> tuple[float, int]:
    """Seconds to read the first ``n_docs`` records and deduplicate them the datasketch way; removals."""
    from datasketch import MinHash, MinHashLSH

    word = re.compile(r"\w+")
    t = time.perf_counter()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    removed = 0
    with open(path, encoding="utf-8") as fh:
        for line in itertools.islice(fh, n_docs):
            record = json.loads(line)
            w = word.findall(record["text"].lower())
            shingles = {" ".join(w[i : i + 5]).encode() for i in range(len(w) - 4)} or {" ".join(w).encode()}
            m = MinHash(num_perm=128)
            m.update_batch(list(shingles))
            if lsh.query(m):
                removed += 1
            else:
                lsh.insert(record["id"], m)
    return time.perf_counter() - t, removed


def head_bytes(path: Path, n_docs: int) -> tuple[int, int]:
    """Bytes and number of the first ``n_docs`` lines."""
    with open(path, "rb") as fh:
        lines = list(itertools.islice(fh, n_docs))
    return sum(map(len, lines)), len(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100000, help="documents in the corpus")
    ap.add_argument("--doc-bytes", type=int, default=1000, help="average JSON Lines record size (3000: long)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated process counts")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is reported")
    ap.add_argument("--reference-docs", type=int, default=None, help="datasketch on the first N only (default all)")
    ap.add_argument("--non-ascii-share", type=float, default=0.3, help="documents with curly quotes, dash, accents")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", metavar="PATH", help="write the corpus here (and keep it) instead of a temp dir")
    args = ap.parse_args()
    jobs_list = [int(j) for j in args.jobs.split(",")]
    ref_docs = args.docs if args.reference_docs is None else min(args.reference_docs, args.docs)
    import datasketch  # noqa: F401  (imported before any timing)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = Path(args.keep) if args.keep else work / "news.jsonl"
        t = time.perf_counter()
        corpus = news_corpus(args.docs, args.doc_bytes, args.non_ascii_share, seed=args.seed)
        size = write_jsonl(src, corpus)  # type: ignore[arg-type]  (any iterable of records)
        made = time.perf_counter() - t
        tiny = work / "tiny.jsonl"
        with open(src, "rb") as fh, open(tiny, "wb") as out:
            out.writelines(itertools.islice(fh, 10))
        ref_bytes, ref_n = head_bytes(src, ref_docs)
        with open(src, encoding="utf-8") as fh:
            ids = [json.loads(line)["id"] for line in fh]
        with open(src, "rb") as fh:
            non_ascii = sum(1 for line in fh if not line.isascii())
        print(
            f"corpus: {len(ids)} docs, {size / 1e6:.1f} MB, {size / len(ids):.0f} bytes/doc, "
            f"{sum('=' in i for i in ids)} exact copies, {sum('~' in i for i in ids)} near copies, "
            f"{non_ascii} non-ASCII; made in {made:.1f} s{f', kept at {src}' if args.keep else ''}",
            flush=True,
        )
        for jobs in jobs_list:  # warm-up: compiled-kernel caches, page cache
            measure(dedupe_cmd(tiny, work / "warm.jsonl", jobs))
        big: dict[int, list[float]] = {j: [] for j in jobs_list}
        small: dict[int, list[float]] = {j: [] for j in jobs_list}
        ref: list[float] = []
        ref_removed = 0
        for _ in range(args.repeat):
            for jobs in jobs_list:
                big[jobs].append(measure(dedupe_cmd(src, work / f"out{jobs}.jsonl", jobs))[0])
                small[jobs].append(measure(dedupe_cmd(tiny, work / f"tiny{jobs}.jsonl", jobs))[0])
            secs, ref_removed = datasketch_reference(src, ref_docs)
            ref.append(secs)
        reports = {j: json.loads((work / f"out{j}.report.json").read_text()) for j in jobs_list}

    mb, ref_rate = size / 1e6, ref_bytes / 1e6 / min(ref)
    rows: dict[int, tuple[float, float]] = {}
    print(
        f"{'run':<22}{'wall s':>8}{'MB/s':>8}{'start-up s':>12}{'MB/s after start-up':>21}{'removed':>9}{'rejected':>9}"
    )
    for jobs in jobs_list:
        t_big, t_tiny = min(big[jobs]), min(small[jobs])
        rows[jobs] = (mb / t_big, mb / (t_big - t_tiny) if t_big > t_tiny else float("inf"))
        r = reports[jobs]
        print(
            f"{f'dedupe --jobs {jobs}':<22}{t_big:>8.2f}{rows[jobs][0]:>8.1f}{t_tiny:>12.2f}{rows[jobs][1]:>21.1f}"
            f"{r['removed']:>9}{r['rejected']:>9}"
        )
    print(f"{'datasketch (1 core)':<22}{min(ref):>8.2f}{ref_rate:>8.2f}{'':>12}{'':>21}{ref_removed:>9}{'-':>9}")
    print(f"datasketch over the first {ref_n} documents ({ref_bytes / 1e6:.1f} MB); dedupe over all {len(ids)}")
    if 1 in rows:
        target = 25 if args.doc_bytes < 2000 else 40
        e2e, steady = rows[1]
        print(
            f"jobs 1 / datasketch: {e2e / ref_rate:.1f}x end to end, {steady / ref_rate:.1f}x after start-up "
            f"(issue 15: >= 12x, and >= {target} MB/s end to end: {e2e:.1f} MB/s, "
            f"{'met' if e2e >= target and e2e / ref_rate >= 12 else 'not met'})"
        )
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"dedupe:  {shlex.join(dedupe_cmd(Path('IN.jsonl'), Path('OUT.jsonl'), jobs_list[0]))}")
    print(f"cpus available: {len(os.sched_getaffinity(0))}; date: {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
