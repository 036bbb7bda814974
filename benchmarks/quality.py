"""Measured quality of near-duplicate detection, scored against exact word 5-gram Jaccard ground truth.

Why: MinHash LSH only *estimates* similarity and only *probably* surfaces a candidate, so a near-duplicate
finder can miss true pairs (recall) and link documents that are not similar enough (precision). This
script builds corpora with many pairs just above and just below the threshold, computes the exact
Jaccard of every pair with the ground-truth tool ``../shared/tools/exact_pairs.py`` (the definition we
are scored against), runs ``dedupe run`` on the same documents, and scores the removal log. It scores
datasketch's ``MinHashLSH`` used one-pass the way its users do, on the same documents, as the baseline.

Ground truth is computed on CLEANED texts: every document goes through ``dedupe.clean`` and
``dedupe.remove_repeats`` first, and those texts are fed to both exact_pairs.py, dedupe and datasketch.
dedupe cleans again when it reads them; the script checks that this second pass changes nothing, so all
three see the same tokens. (Raw texts would penalise dedupe for repairs that legitimately change the
shingle sets, e.g. a repeated block removed from one copy only.)

Scores, at threshold t (default 0.8):

- recall_high: share of true pairs with J >= t + 0.1 whose two documents end in one cluster;
- recall_near: the same for pairs with J in [t, t + 0.1);
- precision: share of reported links (removed id, duplicate_of) with true J >= t - 0.1; a link absent
  from the ground truth has J below its floor (0.5 by default), so it counts as wrong.

A cluster is a kept document plus the documents removed as its duplicates (``duplicate_of`` always
names a kept document, so clusters are stars). Documents removed for other reasons (rejected) belong to
no cluster, so their pairs count as missed.

Views: besides all pairs, the gutenberg corpus is also scored on ``isolated copies`` (an original and
its edited copy with no other neighbour at J >= t - 0.1: detection alone) and ``other pairs`` (the
rest: duplicate books, boilerplate and copies of those). In a family of many mutually similar documents
a one-pass keep-first tool makes several star clusters, so some similar pairs end in different clusters
although neither document is left duplicated; "both kept" in the table counts the pairs (J >= t) whose two
documents are both still in the output, and the diagnostics split every missed pair into "both kept"
(never linked: a detection miss) and "other cluster" (linked, but into different stars). For never-linked
pairs the tool's own full MinHash estimate tells sampling error (estimate < t) from an LSH band miss.

Corpora:

1. ``gutenberg``: Project Gutenberg books split into ~3 KB documents at paragraph boundaries, a seeded
   sample of them, plus word-substitution copies of a share of them at rates dense around 1-2.5 %
   (a rate p changes about 5p of the 5-gram shingles: 1 % gives J ~ 0.9, 2 % J ~ 0.82), shuffled. The
   books also bring natural pairs: byte-identical books and the shared Gutenberg header and licence.
2. ``news``: the 5 real wire-style seed articles (one story, different outlets) plus syndicated
   variants of each with the edits syndication makes (dropped or truncated paragraphs, datelines,
   bylines, footers, changed headlines, a few word edits). There is no real crawled news corpus on
   disk, so this is real text with synthetic syndication; it is small (about 100 documents).

    .venv/bin/python benchmarks/quality.py [--docs 4000] [--threshold 0.8] [--dedupe-args "--num-perm 256"]
                                           [--corpus gutenberg --corpus news] [--write-results]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpora import edit, split_books, vocabulary  # noqa: E402

DEFAULT_BOOKS = ROOT.parent / "shared" / "data" / "gutenberg.jsonl.gz"
DEFAULT_TRUTH_TOOL = ROOT.parent / "shared" / "tools" / "exact_pairs.py"
DEFAULT_SEEDS = ROOT / "seeds"
RESULTS = HERE / "RESULTS.md"
SECTION = "## Near-duplicate quality (quality.py)"
# Dense between 1 % and 2.5 % (true J ~ 0.90 .. 0.78) so that [0.8, 0.9) is well populated, plus the
# rates the brief names so that every range, and pairs below the floor, are present too.
DEFAULT_RATES = (0.0025, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.0225, 0.025)
DEFAULT_RATES += (0.03, 0.05, 0.08, 0.1, 0.15, 0.2)
_TOKEN = re.compile(r"\w+")

Pair = tuple[str, str]


# ----------------------------------------------------------------------------------------------- scoring


def pair_key(a: str, b: str) -> Pair:
    """The unordered pair as a tuple in sorted order, so (a, b) and (b, a) look up the same truth."""
    return (a, b) if a <= b else (b, a)


def read_truth(lines: Iterable[str]) -> dict[Pair, float]:
    """Parse exact_pairs.py output (``id_a<TAB>id_b<TAB>jaccard`` per line) into {pair: J}."""
    truth: dict[Pair, float] = {}
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        a, b, j = line.split("\t")
        truth[pair_key(a, b)] = float(j)
    return truth


def bucket(j: float, threshold: float) -> str | None:
    """``"high"`` for J >= t + 0.1, ``"near"`` for J in [t, t + 0.1), else None (not scored for recall).

    The edges are compared after rounding to 4 decimals, the precision exact_pairs.py writes, so that
    0.8 + 0.1 is 0.9 and not 0.9000000000000001."""
    j, lo, hi = round(j, 4), round(threshold, 4), round(threshold + 0.1, 4)
    if j >= hi:
        return "high"
    if j >= lo:
        return "near"
    return None


def links_from_removed(records: Iterable[Mapping]) -> list[tuple[str, str, float | None]]:
    """(removed id, duplicate_of, estimated similarity) for every removal-log record that names a duplicate."""
    return [
        (str(r["id"]), str(r["duplicate_of"]), r.get("similarity"))
        for r in records
        if r.get("duplicate_of") is not None
    ]


def cluster_heads(
    ids: Iterable[str], links: Iterable[tuple], rejected: Iterable[str] = (), joins: Iterable[tuple[str, str]] = ()
) -> dict[str, str | None]:
    """Map every document to its cluster's name: the connected components of the links (removed ->
    ``duplicate_of``) and of ``joins`` (kept documents a removed one was also similar to: family clusters;
    none: star clusters, each named by its kept document). Rejected documents map to None: in no cluster.

    A link to a removed document (ours should never make one) still joins its cluster, so chains stay one."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for a, b, *_ in [*links, *joins]:
        ra, rb = find(str(a)), find(str(b))
        if ra != rb:
            parent[ra] = rb
    heads: dict[str, str | None] = {doc: find(doc) for doc in ids}
    for doc in rejected:
        heads[doc] = None
    return heads


def clusters_file_heads(path: Path, ids: Iterable[str], rejected: Iterable[str]) -> dict[str, str | None]:
    """Map every document to its cluster as `dedupe run --clusters` wrote it (a document it does not list
    is a cluster of its own; rejected documents are in none)."""
    heads: dict[str, str | None] = {doc: doc for doc in ids}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            member = json.loads(line)
            heads[str(member["id"])] = str(member["cluster"])
    for doc in rejected:
        heads[doc] = None
    return heads


@dataclass
class Scores:
    """What one tool scored on one corpus."""

    pairs_high: int = 0
    pairs_near: int = 0
    found_high: int = 0
    found_near: int = 0
    links: int = 0
    good_links: int = 0
    seconds: float = 0.0
    docs: int = 0
    misses: Counter = field(default_factory=Counter)  # (bucket, why) -> count
    bad_links: list[tuple[str, str, float, float | None]] = field(default_factory=list)  # a, b, true J, est.
    never_linked: list[tuple[str, str, float]] = field(default_factory=list)  # missed pairs, both kept: a, b, J

    @property
    def recall_high(self) -> float:
        return self.found_high / self.pairs_high if self.pairs_high else float("nan")

    @property
    def recall_near(self) -> float:
        return self.found_near / self.pairs_near if self.pairs_near else float("nan")

    @property
    def precision(self) -> float:
        return self.good_links / self.links if self.links else float("nan")


def score(
    truth: Mapping[Pair, float],
    heads: Mapping[str, str | None],
    links: Sequence[tuple],
    threshold: float,
    removed: Iterable[str] | None = None,
) -> Scores:
    """Recall per bucket (both documents in one cluster) and precision of the links (true J >= t - 0.1).

    A missed pair is also classified, to show where recall goes: ``both kept`` (neither was removed: a
    detection miss), ``other cluster`` (at least one was removed, but into another cluster: the price of
    one-pass clustering) or ``rejected``. ``removed``: the removed documents, by default those ``links``
    name first."""
    s = Scores()
    removed = {str(a) for a, *_ in links} if removed is None else set(removed)
    for (a, b), j in truth.items():
        which = bucket(j, threshold)
        if which is None:
            continue
        ha, hb = heads.get(a), heads.get(b)
        hit = ha is not None and ha == hb
        if which == "high":
            s.pairs_high += 1
            s.found_high += hit
        else:
            s.pairs_near += 1
            s.found_near += hit
        if not hit:
            if ha is None or hb is None:
                why = "rejected"
            elif a not in removed and b not in removed:
                why = "both kept"
                s.never_linked.append((a, b, j))
            else:
                why = "other cluster"
            s.misses[(which, why)] += 1
    floor = round(threshold - 0.1, 4)
    for a, b, *rest in links:
        j = truth.get(pair_key(str(a), str(b)), 0.0)
        s.links += 1
        if round(j, 4) >= floor:
            s.good_links += 1
        else:
            s.bad_links.append((str(a), str(b), j, rest[0] if rest else None))
    return s


def is_copy_pair(a: str, b: str) -> bool:
    """True for an original and its edited copy (ids ``X`` and ``X~RATE``)."""
    return (("~" in a) != ("~" in b)) and a.split("~")[0] == b.split("~")[0]


def isolated_copy_docs(truth: Mapping[Pair, float], threshold: float) -> set[str]:
    """Documents of the (original, edited copy) pairs that have no other neighbour with J >= t - 0.1.

    Why: on such a pair the only right answer is "one cluster", whatever order the two arrive in, so it
    measures detection alone. Pairs inside larger families (shared boilerplate, duplicate books) also
    measure how a tool arranges a group into star clusters, which a one-pass keep-first tool cannot
    always do so that every similar pair shares a cluster."""
    floor = round(threshold - 0.1, 4)
    degree: Counter = Counter()
    for (a, b), j in truth.items():
        if round(j, 4) >= floor:
            degree[a] += 1
            degree[b] += 1
    docs: set[str] = set()
    for (a, b), j in truth.items():
        if round(j, 4) >= floor and is_copy_pair(a, b) and degree[a] == 1 and degree[b] == 1:
            docs.update((a, b))
    return docs


def split_truth(truth: Mapping[Pair, float], threshold: float) -> dict[str, tuple[dict[Pair, float], set[str] | None]]:
    """The views a corpus is scored in: all pairs; isolated copy pairs; every other pair. Each view is its
    truth and the documents whose links it scores (None: all links). A link touching an isolated copy
    pair's document goes with those pairs; every other link with the other pairs."""
    views: dict[str, tuple[dict[Pair, float], set[str] | None]] = {"all": (dict(truth), None)}
    docs = isolated_copy_docs(truth, threshold)
    if docs:
        iso = {k: j for k, j in truth.items() if k[0] in docs and k[1] in docs}
        views["isolated copies"] = (iso, docs)
        views["other pairs"] = ({k: j for k, j in truth.items() if k not in iso}, docs)
    return views


def view_links(links: Sequence[tuple], view: str, docs: set[str] | None) -> list[tuple]:
    """The links a view scores (see :func:`split_truth`)."""
    if docs is None:
        return list(links)
    touches = [str(x[0]) in docs or str(x[1]) in docs for x in links]
    keep = view == "isolated copies"
    return [x for x, t in zip(links, touches, strict=True) if t == keep]


# ----------------------------------------------------------------------------------------------- corpora


def prepare(docs: Iterable[dict]) -> list[dict]:
    """Clean each document the way dedupe will (``clean`` then ``remove_repeats``): ground truth is on these."""
    import dedupe

    out = []
    for d in docs:
        text = dedupe.remove_repeats(dedupe.clean(d["text"]))
        if text.strip():
            out.append({"id": d["id"], "text": text})
    return out


def unstable(docs: Iterable[dict]) -> int:
    """How many cleaned documents dedupe would change again (should be 0, or the truth is off)."""
    import dedupe

    return sum(dedupe.remove_repeats(dedupe.clean(d["text"])) != d["text"] for d in docs)


def gutenberg_corpus(
    path: Path, n_docs: int, share: float, rates: Sequence[float], seed: int, max_chars: int | None = None
) -> list[dict]:
    """A seeded sample of ~3 KB book parts plus word-edited copies of a ``share`` of them, shuffled.

    Copy i of the sample uses ``rates[i % len(rates)]``; its id is ``PART~RATE``. One copy per sampled
    part, so each edited pair measures detection, not how a tool arranges a group of many copies."""
    rng = random.Random(seed)
    parts = [d for d in split_books(str(path), limit_chars=max_chars) if len(_TOKEN.findall(d["text"])) >= 50]
    base = rng.sample(parts, min(n_docs, len(parts)))
    vocab = vocabulary()
    out = list(base)
    for i, doc in enumerate(rng.sample(base, int(len(base) * share))):
        rate = rates[i % len(rates)]
        out.append({"id": f"{doc['id']}~{rate}", "text": edit(doc["text"], rate, seed=seed * 100003 + i, vocab=vocab)})
    rng.shuffle(out)
    return out


_DATELINES = ["BEIJING (Wire) -- ", "HONG KONG, (AP) - ", "Beijing, China -- ", "SHANGHAI (Reuters) - ", ""]
_BYLINES = ["By Staff Reporter", "By Wire Services", "Reporting by the Asia desk; editing by the night desk"]
_FOOTERS = [
    "Copyright 2024 The Wire. All rights reserved. This material may not be published, broadcast, rewritten "
    "or redistributed.",
    "Sign up for our daily newsletter to get the top stories delivered to your inbox every morning.",
    "Related: Read more of our coverage of national security and espionage cases in Asia.",
    "(Reporting by Staff; Editing by Desk)",
]


def syndicate(text: str, rng: random.Random, vocab: list[str]) -> str:
    """One syndicated copy of a news article: the edits outlets make when they republish wire copy.

    A random mix of: a dateline on the first paragraph, a byline, a changed headline, one dropped
    middle paragraph, the last paragraphs truncated, a footer, and a few word edits (typos, house style)."""
    paras = [p for p in text.split("\n\n") if p.strip()]
    if len(paras) == 1:  # articles written one line a paragraph
        paras = [p for p in text.split("\n") if p.strip()]
    if rng.random() < 0.5:
        paras[0] = "Breaking: " + paras[0] if rng.random() < 0.5 else paras[0].upper()
    if len(paras) > 2 and rng.random() < 0.6:
        first = 1 if len(paras) > 3 else 0
        paras[first] = rng.choice(_DATELINES) + paras[first]
    if rng.random() < 0.4:
        paras.insert(1, rng.choice(_BYLINES))
    if len(paras) > 4 and rng.random() < 0.35:
        del paras[rng.randrange(2, len(paras) - 1)]
    if len(paras) > 4 and rng.random() < 0.35:
        paras = paras[: len(paras) - rng.randint(1, 2)]
    if rng.random() < 0.5:
        paras.append(rng.choice(_FOOTERS))
    out = "\n\n".join(paras)
    if rng.random() < 0.6:
        out = edit(out, rng.choice((0.005, 0.01, 0.02)), seed=rng.randrange(1 << 30), vocab=vocab)
    return out


def news_corpus(seeds_dir: Path, variants: int, seed: int) -> list[dict]:
    """The real seed articles plus ``variants`` syndicated copies of each, shuffled."""
    rng = random.Random(seed)
    vocab = vocabulary()
    out = []
    for f in sorted(seeds_dir.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        out.append({"id": f.stem, "text": text})
        for k in range(variants):
            out.append({"id": f"{f.stem}~v{k:02d}", "text": syndicate(text, rng, vocab)})
    rng.shuffle(out)
    return out


# ----------------------------------------------------------------------------------------------- tools


def write_jsonl(path: Path, docs: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")


def ground_truth(tool: Path, docs_path: Path, out: Path, ngram: int, floor: float) -> dict[Pair, float]:
    """Run exact_pairs.py (the scoring definition) and read its pairs."""
    subprocess.run(
        [sys.executable, str(tool), str(docs_path), str(out), "--n", str(ngram), "--min", str(floor)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    with open(out, encoding="utf-8") as fh:
        return read_truth(fh)


def run_dedupe(
    docs_path: Path, workdir: Path, threshold: float, extra: Sequence[str]
) -> tuple[list[tuple], set[str], float, Path]:
    """Run the real command line in a fresh process; return its links, rejected ids, wall seconds and the
    clusters file it wrote."""
    removed, report, clusters = workdir / "removed.jsonl", workdir / "report.json", workdir / "clusters.jsonl"
    cmd = [sys.executable, "-m", "dedupe", "run", str(docs_path), "-o", str(workdir / "kept.jsonl")]
    cmd += ["--removed", str(removed), "--report", str(report), "--clusters", str(clusters)]
    cmd += ["--threshold", str(threshold), "--overwrite", "-q"]
    cmd += list(extra)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)
    secs = time.perf_counter() - t
    with open(removed, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    rejected = {str(r["id"]) for r in records if r.get("duplicate_of") is None}
    return links_from_removed(records), rejected, secs, clusters


def shingle_strings(text: str, n: int) -> set[str]:
    """Word n-gram shingles exactly as exact_pairs.py forms them, as space-joined strings."""
    w = _TOKEN.findall(text.lower())
    if len(w) < n:
        return {" ".join(w)} if w else set()
    return {" ".join(w[i : i + n]) for i in range(len(w) - n + 1)}


ORACLES = {"stars": "exact-J one-pass, stars", "families": "exact-J one-pass, families"}


def oracle_one_pass(
    ids: Sequence[str], truth: Mapping[Pair, float], threshold: float, policy: str
) -> tuple[list[tuple], list[tuple[str, str]], float]:
    """One-pass keep-first clustering with the EXACT Jaccard in place of MinHash: the ceiling of the scores
    for a tool of that shape, whatever its estimator. A document is removed as a duplicate of the most
    similar kept document with J >= t (ties: the earlier one), else kept.

    Policies: ``stars``: a cluster is a kept document and the ones removed as its duplicates (in families of
    mutually similar documents even a perfect estimator cannot put every similar pair in one star);
    ``families``: every other kept document with J >= t to a removed one joins its cluster too (dedupe's
    rule). Returns the links, the joins and the seconds."""
    t0 = time.perf_counter()
    neighbours: dict[str, dict[str, float]] = {}
    for (a, b), j in truth.items():
        if round(j, 4) >= round(threshold, 4):
            neighbours.setdefault(a, {})[b] = j
            neighbours.setdefault(b, {})[a] = j
    rank = {d: i for i, d in enumerate(ids)}
    kept: set[str] = set()
    links, joins = [], []
    for d in ids:
        passing = sorted(((j, -rank[e], e) for e, j in neighbours.get(d, {}).items() if e in kept), reverse=True)
        if not passing:
            kept.add(d)
            continue
        j, _, best = passing[0]
        links.append((d, best, j))
        if policy == "families":
            joins.extend((best, e) for _, _, e in passing[1:])
    return links, joins, time.perf_counter() - t0


def run_datasketch(
    docs: Sequence[dict], threshold: float, num_perm: int, ngram: int
) -> tuple[list[tuple], list[tuple[str, str]], float]:
    """datasketch one-pass, as its users write it: query; link to the most similar result whose estimated
    Jaccard is >= t and skip inserting; else insert. Returns the links, the joins (the other results >= t,
    for scoring it with family clusters too) and wall seconds (shingling included, reading not)."""
    from datasketch import MinHash, MinHashLSH

    t = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    stored: dict[str, MinHash] = {}
    arrival = {d["id"]: i for i, d in enumerate(docs)}
    links, joins = [], []
    for d in docs:
        m = MinHash(num_perm=num_perm)
        m.update_batch([s.encode("utf-8") for s in shingle_strings(d["text"], ngram)])
        best, best_j, passing = None, -1.0, []
        # query() returns a set, whose order changes with string hash randomisation: sort by arrival so that
        # ties go to the earliest document and runs are reproducible.
        for key in sorted(lsh.query(m), key=arrival.__getitem__):
            j = m.jaccard(stored[key])
            if j >= threshold:
                passing.append(key)
                if j > best_j:
                    best, best_j = key, j
        if best is not None:
            links.append((d["id"], best, best_j))
            joins.extend((best, key) for key in passing if key != best)
        else:
            lsh.insert(d["id"], m)
            stored[d["id"]] = m
    return links, joins, time.perf_counter() - t


# ----------------------------------------------------------------------------------------------- report


def fine_recall(truth: Mapping[Pair, float], heads: Mapping[str, str | None], edges: Sequence[float]) -> list[str]:
    """Recall in narrow J bins (e.g. 0.80-0.82): shows how fast recall falls off towards the threshold."""
    cells = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        pairs = [(a, b) for (a, b), j in truth.items() if lo <= round(j, 4) < hi]
        if pairs:
            hit = sum(heads.get(a) is not None and heads.get(a) == heads.get(b) for a, b in pairs)
            cells.append(f"[{lo:.2f},{hi:.2f}) {hit}/{len(pairs)}")
    return cells


def explain_never_linked(
    pairs: Sequence[tuple[str, str, float]],
    texts: Mapping[str, str],
    threshold: float,
    num_perm: int,
    ngram: int,
    tool: str = "dedupe",
) -> Counter:
    """Why a pair with true J >= t was never linked, by the tool's own full MinHash estimate of it (dedupe's
    signatures, or datasketch's ``MinHash`` as the baseline builds it): below t ("estimate < t": sampling
    error of the signature) or not ("estimate >= t": no shared LSH band, or a pruning step, lost it)."""
    import numpy as np

    out: Counter = Counter()
    for a, b, _ in pairs:
        if tool == "datasketch":
            from datasketch import MinHash

            ms = []
            for x in (a, b):
                m = MinHash(num_perm=num_perm)
                m.update_batch([sh.encode("utf-8") for sh in shingle_strings(texts[x], ngram)])
                ms.append(m)
            est = ms[0].jaccard(ms[1])
        else:
            import dedupe

            sig = dedupe.signatures([texts[a], texts[b]], num_perm=num_perm, ngram=ngram)
            est = float(np.mean(sig[0] == sig[1]))
        out["estimate >= t" if est >= threshold else "estimate < t"] += 1
    return out


def table(rows: Sequence[dict]) -> str:
    """The results as a Markdown table (stdout and RESULTS.md).

    "both kept" counts the scored pairs (J >= t) whose two documents are both still in the output: the
    duplicates a user would actually see. A pair missed only because its documents went to different
    clusters is not among them (each of its documents is in the output at most once, as a cluster's
    kept document)."""
    head = "| corpus | tool | docs | pairs J>=t+.1 | pairs [t,t+.1) | recall_high | recall_near | precision | links "
    head += "| both kept | seconds | docs/s |"
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        s: Scores = r["scores"]
        lines.append(
            f"| {r['corpus']} | {r['tool']} | {s.docs} | {s.pairs_high} | {s.pairs_near} | {s.recall_high:.4f} | "
            f"{s.recall_near:.4f} | {s.precision:.4f} | {s.links} | {len(s.never_linked)} | {s.seconds:.1f} | "
            f"{s.docs / s.seconds:,.0f} |"
        )
    return "\n".join(lines)


def diagnostics(rows: Sequence[dict], truth_by_corpus: Mapping[str, dict[Pair, float]], threshold: float) -> str:
    """Where each tool loses recall and precision: miss causes, recall in fine bins, the wrong links."""
    out = []
    edges = [round(threshold - 0.1 + 0.02 * k, 2) for k in range(11)] + [1.0001]
    for r in rows:
        s: Scores = r["scores"]
        misses = ", ".join(f"{b}/{why}: {n}" for (b, why), n in sorted(s.misses.items())) or "none"
        out.append(f"- {r['corpus']} / {r['tool']}: missed pairs by cause: {misses}")
        out.append("  - recall by true J: " + "; ".join(fine_recall(truth_by_corpus[r["corpus"]], r["heads"], edges)))
        if s.bad_links:
            worst = sorted(s.bad_links, key=lambda x: x[2])[:3]
            shown = ", ".join(
                f"{a}->{b} true {j:.3f} est {e:.3f}" if e is not None else f"{a}->{b} true {j:.3f}"
                for a, b, j, e in worst
            )
            out.append(f"  - {len(s.bad_links)} links with true J < t-0.1, e.g. {shown}")
        if r.get("never_linked_why"):
            why = ", ".join(f"{k}: {n}" for k, n in sorted(r["never_linked_why"].items()))
            out.append(
                f"  - never-linked pairs with true J >= t, by their {r['num_perm']}-perm MinHash estimate: {why}"
            )
        est = [(e, truth_by_corpus[r["corpus"]].get(pair_key(a, b), 0.0)) for a, b, e in r["links"] if e is not None]
        est = [(e, j) for e, j in est if e < 1.0]  # exact copies say 1.0 and are exactly right
        if est:
            below = sum(j < threshold for _, j in est)
            bias = sum(e - j for e, j in est) / len(est)
            worst = max(abs(e - j) for e, j in est)
            same = sum(abs(e - j) < 5e-5 for e, j in est)
            out.append(
                f"  - links with reported similarity < 1: {len(est)}; reported - true J: mean {bias:+.4f}, "
                f"max |diff| {worst:.4f}; equal to the true J (exactly verified) on {same}; true J < t on {below}"
            )
    return "\n".join(out)


TARGETS = {"recall_high": 0.99, "recall_near": 0.90, "precision": 0.99}


def reading(rows: Sequence[dict]) -> list[str]:
    """A plain-words reading, generated from the numbers so it never goes stale: each tool against the
    targets, and where its missed pairs went."""
    lines = []
    for r in rows:
        s: Scores = r["scores"]
        verdict = []
        for name, target in TARGETS.items():
            value = getattr(s, name)
            if value == value:  # not NaN
                verdict.append(f"{name} {value:.4f} {'meets' if value >= target else 'misses'} {target}")
        missed = sum(s.misses.values())
        where = ""
        if missed:
            other = sum(n for (_, why), n in s.misses.items() if why == "other cluster")
            kept = sum(n for (_, why), n in s.misses.items() if why == "both kept")
            where = (
                f"; of {missed} missed pairs {kept} were never linked (detection) and {other} were linked into "
                "different clusters (one-pass star clustering of a family)"
            )
        lines.append(f"- {r['corpus']} / {r['tool']}: " + ", ".join(verdict) + where + ".")
    return lines


def write_results(path: Path, body: str) -> None:
    """Replace (or append) this script's section of RESULTS.md; leave every other section as it is."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    section = f"{SECTION}\n\n{body.strip()}\n"
    start = text.find(SECTION)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        nxt = re.search(r"^## ", text[start + len(SECTION) :], flags=re.M)
        end = start + len(SECTION) + nxt.start() if nxt else len(text)
        text = text[:start] + section + ("\n" + text[end:] if nxt else "")
    path.write_text(text, encoding="utf-8")


def machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next((ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name")), "?")
        cpus = next((ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("CPU(s)")), "?")
        return f"{model}, {cpus} CPUs"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", action="append", choices=["gutenberg", "news"], help="default: both")
    ap.add_argument("--books", type=Path, default=DEFAULT_BOOKS)
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--truth-tool", type=Path, default=DEFAULT_TRUTH_TOOL)
    ap.add_argument("--docs", type=int, default=4000, help="book parts sampled before edited copies are added")
    ap.add_argument("--share", type=float, default=0.75, help="share of the sampled parts that get an edited copy")
    ap.add_argument("--rates", default=",".join(map(str, DEFAULT_RATES)), help="word edit rates, comma-separated")
    ap.add_argument("--variants", type=int, default=20, help="syndicated copies of each seed article")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--num-perm", type=int, default=128, help="datasketch baseline permutations")
    ap.add_argument("--ngram", type=int, default=5)
    ap.add_argument("--floor", type=float, default=0.5, help="ground-truth floor; must be <= threshold - 0.1")
    ap.add_argument("--dedupe-args", default="", help='extra options for `dedupe run`, e.g. "--num-perm 256"')
    ap.add_argument("--no-datasketch", action="store_true")
    ap.add_argument("--no-oracle", action="store_true", help="skip the exact-J one-pass ceiling rows")
    ap.add_argument("--workdir", type=Path, help="keep corpora, truth and logs here (default: a temporary folder)")
    ap.add_argument("--note", default="", help="a reading of the numbers to add to the RESULTS.md section")
    ap.add_argument("--write-results", action="store_true", help=f"replace the section '{SECTION}' in RESULTS.md")
    a = ap.parse_args(argv)
    if a.floor > a.threshold - 0.1 + 1e-9:
        ap.error("--floor must be <= threshold - 0.1, or links below the floor cannot be scored as wrong")
    corpora = a.corpus or ["gutenberg", "news"]
    extra = shlex.split(a.dedupe_args)
    rates = tuple(float(x) for x in a.rates.split(","))
    passed = argparse.ArgumentParser(add_help=False)
    passed.add_argument("--num-perm", type=int, default=128)
    dedupe_perm = passed.parse_known_args(extra)[0].num_perm

    tmp = tempfile.TemporaryDirectory(prefix="quality-") if a.workdir is None else None
    workdir = Path(tmp.name) if tmp else a.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    rows, truths, notes = [], {}, []
    for name in corpora:
        t0 = time.perf_counter()
        if name == "gutenberg":
            raw = gutenberg_corpus(a.books, a.docs, a.share, rates, a.seed)
        else:
            raw = news_corpus(a.seeds, a.variants, a.seed)
        docs = prepare(raw)
        bad = unstable(docs)
        cdir = workdir / name
        cdir.mkdir(exist_ok=True)
        docs_path = cdir / "docs.jsonl"
        write_jsonl(docs_path, docs)
        truth = ground_truth(a.truth_tool, docs_path, cdir / "truth.tsv", a.ngram, a.floor)
        truths[name] = truth
        if name == "gutenberg":
            how = (
                f"{a.docs} sampled ~3 KB book parts + word-edited copies of {a.share:.0%} of them "
                f"at rates {', '.join(f'{r:g}' for r in rates)}"
            )
        else:
            how = (
                f"the {len(list(a.seeds.glob('*.txt')))} real seed articles + {a.variants} synthetic syndicated "
                "variants of each (no real crawled news corpus is on disk)"
            )
        note = (
            f"{name} ({how}): {len(docs)} docs ({sum(len(d['text']) for d in docs) / 1e6:.1f} M chars), "
            f"{len(truth)} pairs with J >= {a.floor}; built and ground truth in {time.perf_counter() - t0:.0f} s"
        )
        if bad:
            note += f"; WARNING: re-cleaning changes {bad} documents, so dedupe sees slightly different texts"
        print(note, file=sys.stderr)
        notes.append(note)
        ids = [d["id"] for d in docs]
        texts = {d["id"]: d["text"] for d in docs}

        links, rejected, secs, clusters = run_dedupe(docs_path, cdir, a.threshold, extra)
        label = "dedupe" + (f" {a.dedupe_args}" if a.dedupe_args else "")
        results = [
            (label, links, clusters_file_heads(clusters, ids, rejected), secs),
            (f"{label} (stars: duplicate_of only)", links, cluster_heads(ids, links, rejected), secs),
        ]
        if not a.no_datasketch:
            links, joins, secs = run_datasketch(docs, a.threshold, a.num_perm, a.ngram)
            results.append(("datasketch one-pass", links, cluster_heads(ids, links), secs))
            results.append(("datasketch one-pass, families", links, cluster_heads(ids, links, joins=joins), secs))
        if not a.no_oracle:
            for policy, tool in ORACLES.items():
                links, joins, secs = oracle_one_pass(ids, truth, a.threshold, policy)
                results.append((tool, links, cluster_heads(ids, links, joins=joins), secs))
        for view, (vtruth, vdocs) in split_truth(truth, a.threshold).items():
            corpus = name if view == "all" else f"{name}: {view}"
            truths[corpus] = vtruth
            for tool, links, heads, secs in results:
                vlinks = view_links(links, view, vdocs)
                s = score(vtruth, heads, vlinks, a.threshold)
                s.seconds, s.docs = secs, len(docs)
                row = {"corpus": corpus, "tool": tool, "scores": s, "heads": heads, "links": vlinks}
                if s.never_linked and len(s.never_linked) <= 5000 and not tool.startswith("exact-J"):
                    kind = "dedupe" if tool.startswith("dedupe") else "datasketch"
                    perm = dedupe_perm if kind == "dedupe" else a.num_perm
                    row["never_linked_why"] = explain_never_linked(
                        s.never_linked, texts, a.threshold, perm, a.ngram, kind
                    )
                    row["num_perm"] = perm
                rows.append(row)

    tab = table(rows)
    diag = diagnostics(rows, truths, a.threshold)
    print(tab)
    print()
    print(diag)
    print()
    print("\n".join(reading(rows)))
    if a.write_results:
        shown = list(argv if argv is not None else sys.argv[1:])
        for i, x in enumerate(shown):  # the note is printed below the table, not in the command
            if x == "--note" and i + 1 < len(shown):
                shown[i + 1] = "..."
            elif x.startswith("--note="):
                shown[i] = "--note=..."
        cmd = "python benchmarks/quality.py " + " ".join(x if x == "..." else shlex.quote(x) for x in shown)
        body = "\n".join(
            [
                f"Machine: {machine()}. Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC.",
                f"Command: `{cmd.strip()}`",
                "",
                "Ground truth: exact word-5-gram Jaccard (`shared/tools/exact_pairs.py`) on the CLEANED texts "
                "(`dedupe.clean` then `dedupe.remove_repeats`), the same texts every tool is given. "
                f"Threshold t = {a.threshold}; recall_high: pairs with J >= t+0.1 that end in one cluster; "
                "recall_near: pairs with J in [t, t+0.1); precision: links with true J >= t-0.1. dedupe seconds "
                "are the whole `dedupe run` process (start-up, reading, cleaning, writing); datasketch seconds are "
                "shingling, signing and LSH in-process only. both kept: pairs with J >= t whose two documents "
                "are both still in the output. Views: `isolated copies` are (original, edited copy) pairs with "
                "no other neighbour at J >= t-0.1 (detection alone); `other pairs` are the rest (duplicate books, "
                "the Gutenberg header and licence, and copies of those: families where one-pass star clusters "
                "cannot put every similar pair in one cluster).",
                "",
                *[f"- {n}" for n in notes],
                "",
                tab,
                "",
                "Where recall and precision go:",
                "",
                diag,
                "",
                "Reading (generated from the numbers; targets: recall_high >= 0.99, recall_near >= 0.90, "
                "precision >= 0.99):",
                "",
                *reading(rows),
                *([""] + [a.note] if a.note else []),
            ]
        )
        write_results(RESULTS, body)
        print(f"wrote section to {RESULTS}", file=sys.stderr)
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
