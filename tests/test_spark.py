"""The Spark engine gives the local engine's results: same kept documents, same removal log (same
``duplicate_of``), same account. One local[2] session serves the whole module."""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyspark")

from click.testing import CliRunner  # noqa: E402
from conftest import SEEDS, dedupe_ok  # noqa: E402
from corpora import bridge, document, edit, vocabulary, with_near_duplicates  # noqa: E402

from dedupe.cli import main  # noqa: E402
from dedupe.document import Account, Document, Removal  # noqa: E402
from dedupe.engines import spark as dspark  # noqa: E402
from dedupe.engines.local import run_documents  # noqa: E402
from dedupe.engines.spark import read  # noqa: E402
from dedupe.io.jsonl import read_jsonl  # noqa: E402
from dedupe.io.textfiles import read_text_file  # noqa: E402
from dedupe.near.lsh import band_keys  # noqa: E402
from dedupe.near.minhash import signatures  # noqa: E402
from dedupe.options import Options  # noqa: E402
from dedupe.run.files import Paths  # noqa: E402
from dedupe.run.spark import run_spark  # noqa: E402

pytestmark = pytest.mark.spark

VOCAB = vocabulary()


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("dedupe-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.driver.memory", "2g")
        .config("spark.driver.extraJavaOptions", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# ---------------------------------------------------------------------------------------------------------
# Corpora


def constructed() -> list[dict]:
    """Unrelated documents, edited copies at 1-20 % word edits, exact copies, a copy that only differs in
    whitespace (same cleaned text), a repeated id, a chain A~B~C~D (each 2 % from the one before), and
    two families (two kept documents joined by a removed one near both)."""
    docs = [{"id": f"d{i:02d}", "text": document(300, seed=i, vocab=VOCAB)} for i in range(40)]
    docs = with_near_duplicates(docs, share=0.5, seed=3)
    docs += [{"id": "copy-a", "text": docs[0]["text"]}, {"id": "copy-b", "text": docs[5]["text"] + "  \n"}]
    docs += [{"id": "copy-c", "text": docs[0]["text"]}, {"id": "copy-a", "text": "Same id, other text: gets #2."}]
    a, c, d = bridge(seed=61, vocab=VOCAB)
    a2, c2, d2 = bridge(seed=62, vocab=VOCAB)
    families = [("fa", a), ("fa2", a2), ("fc", c), ("fd", d), ("fc2", c2), ("fd2", d2)]
    families += [("fc-copy", c), ("♥", "♥ ♥"), ("♥2", "♥ ♥")]  # an exact copy in a family; one of no words
    return docs + chain() + [{"id": i, "text": t} for i, t in families]


def chain() -> list[dict]:
    a = document(400, seed=900, vocab=VOCAB)
    b = edit(a, 0.02, seed=1, vocab=VOCAB)
    c = edit(b, 0.02, seed=50, vocab=VOCAB)
    d = edit(c, 0.02, seed=77, vocab=VOCAB)
    return [{"id": n, "text": t} for n, t in zip("ABCD", (a, b, c, d), strict=True)]


def local_outcomes(docs: list[dict], opts: Options) -> list[tuple]:
    """(status, step, reason, duplicate_of, similarity) per document, in input order."""
    items = [Document(d["id"], d["text"], order=i, record=d) for i, d in enumerate(docs)]
    return [_key(o) for o in run_documents(items, opts, Account())]


def _key(o: Document | Removal) -> tuple:
    if isinstance(o, Document):
        return ("kept", None, None, None, None)
    return ("removed", o.step, o.reason, o.duplicate_of, o.similarity)


def spark_outcomes(spark, docs: list[dict], **options) -> list[tuple]:
    rows = [(i, d["id"], d["text"], d.get("date")) for i, d in enumerate(docs)]
    df = spark.createDataFrame(rows, "n long, id string, text string, date string")
    out = dspark.deduplicate(df, order_col="n", **options).orderBy("n")
    return [(r.status, r.step, r.reason, r.duplicate_of, r.similarity) for r in out.collect()]


# ---------------------------------------------------------------------------------------------------------
# The same per-item reading as dedupe.io


BAD_LINES = [
    b'\xef\xbb\xbf{"id": "bom", "text": "A line that starts the file with a byte-order mark."}\n',
    b"\n",
    b"   \r\n",
    b'{"id": "crlf", "text": "Windows line ending here."}\r\n',
    b'{"id": "trunc", "text": "cut off in the middle\n',
    b"[1, 2, 3]\n",
    b'{"id": "notext", "body": "x"}\n',
    b'{"id": "num", "text": 42}\n',
    b'{"text": "no id: gets FILE:LINE"}\n',
    b'{"id": "latin", "text": "caf\xe9"}\n',
    b"\x00\x01\x02\x03 binary\n",
    b'{"id": {"nested": 1}, "text": "dict id falls back"}\n',
    b'{"id": "last", "text": "unterminated last line',
]


def test_jsonl_line_parser_equals_read_jsonl():
    import io

    for policy in ("reject", "replace", "detect"):
        expected = list(read_jsonl(io.BytesIO(b"".join(BAD_LINES)), name="f.jsonl", encoding_errors=policy))
        got = [
            read.parse_jsonl_line(raw, n, name="f.jsonl", encoding_errors=policy) for n, raw in enumerate(BAD_LINES, 1)
        ]
        got = [g for g in got if g is not None]
        assert len(got) == len(expected)
        for g, e in zip(got, expected, strict=True):
            if isinstance(e, Document):
                assert (g.id, g.text, g.record, g.edits) == (e.id, e.text, e.record, e.edits)
            else:
                assert g == e


def test_text_file_item_equals_read_text_file(tmp_path):
    for name, data in {"a.txt": b"\xef\xbb\xbfhello", "b.txt": b"caf\xe9", "c.bin": b"\x00\x01", "d.txt": b""}.items():
        (tmp_path / name).write_bytes(data)
        for policy in ("reject", "detect"):
            e = read_text_file(tmp_path / name, doc_id=name, source=name, order=3, encoding_errors=policy)
            g = read.text_file_item(data, name, 3, policy)
            if isinstance(e, Document):
                assert (g.id, g.text, g.source, g.order, g.edits) == (e.id, e.text, e.source, e.order, e.edits)
            else:
                assert g == e


# ---------------------------------------------------------------------------------------------------------
# deduplicate(df): the DataFrame entry point


def test_readme_example(spark):
    """The example of the README's "Running on a cluster" section, as written there."""
    from dedupe.engines.spark import deduplicate

    df = spark.createDataFrame(
        [(1, "a", "The cat sat on the mat today."), (2, "b", "The cat sat on the mat today."), (3, "c", "Other.")],
        "n long, id string, text string",
    )
    out = deduplicate(df, order_col="n", threshold=0.8)
    kept = out.filter("status = 'kept'").select("id", "text")
    assert sorted(r.id for r in kept.collect()) == ["a", "c"]
    b = out.filter("id = 'b'").first()
    assert (b.status, b.step, b.duplicate_of, b.similarity) == ("removed", "exact", "a", 1.0)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"keep": "longest"},
        {"keep_by": "date", "drop_all": True},
        {"verify": "exact", "threshold": 0.75},
        {"verify": "none", "no_exact": True},
    ],
    ids=["first", "longest", "keep_by-drop_all", "verify-exact", "verify-none-no-exact"],
)
def test_deduplicate_equals_local(spark, options):
    docs = constructed()
    for i, d in enumerate(docs):
        if i % 3:
            d["date"] = f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}"
    options = dict(options)
    if options.pop("no_exact", False):
        options["exact"] = False
    expected = local_outcomes(docs, Options(**options))
    assert sum(v[0] == "removed" for v in expected) >= 10
    assert spark_outcomes(spark, docs, **options) == expected


def test_chain_is_decided_greedily_in_any_number_of_rounds(spark):
    """A~B~C~D, A and C not similar: A kept, B removed (of A), C kept, D removed (of C). With fanout=1
    every bucket lets one document through per round, so the blocked path is exercised too."""
    docs = chain() + [{"id": "B2", "text": chain()[1]["text"] + " extra words at the end here"}]
    expected = local_outcomes(docs, Options())
    assert [e[0] for e in expected[:4]] == ["kept", "removed", "kept", "removed"]
    assert (expected[1][3], expected[3][3]) == ("A", "C")
    rows = [(i, d["id"], d["text"]) for i, d in enumerate(docs)]
    df = spark.createDataFrame(rows, "n long, id string, text string")
    for fanout in (1, 128):
        out = dspark.deduplicate(df, order_col="n", fanout=fanout).orderBy("n").collect()
        assert [(r.status, r.step, r.reason, r.duplicate_of, r.similarity) for r in out] == expected


ROUND_LINE = re.compile(
    r"near stage round (\d+): (\d+\.\d\d) s, (\d+) decided \((\d+) kept, (\d+) removed\), (\d+) undecided left"
)


def test_each_round_is_logged_with_its_time_and_what_it_decided(spark, caplog):
    """At INFO, dedupe.spark logs each round of the near stage (seconds, kept, removed, undecided left) and
    then the number of rounds: the counts add up to the documents the stage decided, round after round."""
    docs = chain() + [{"id": "B2", "text": chain()[1]["text"] + " extra words at the end here"}]
    df = spark.createDataFrame([(i, d["id"], d["text"]) for i, d in enumerate(docs)], "n long, id string, text string")
    with caplog.at_level(logging.INFO, logger="dedupe.spark"):
        out = dspark.deduplicate(df, order_col="n", fanout=1).collect()
    messages = [r.getMessage() for r in caplog.records if r.name == "dedupe.spark"]
    rounds = [ROUND_LINE.fullmatch(m) for m in messages if m.startswith("near stage round")]
    assert all(rounds) and len(rounds) >= 2
    n, seconds, decided, kept, removed, left = ([int(float(m[i])) for m in rounds] for i in range(1, 7))
    assert n == list(range(1, len(rounds) + 1))
    assert all(s >= 0 for s in seconds)
    assert decided == [k + r for k, r in zip(kept, removed, strict=True)]
    assert [len(docs) - sum(decided[: i + 1]) for i in range(len(rounds))] == left
    assert left[-1] == 0
    assert sum(kept) == sum(r.status == "kept" for r in out) and sum(removed) == sum(r.status == "removed" for r in out)
    assert messages[-1].startswith(f"near stage: {len(rounds)} rounds in ")


def test_bench_spark_reads_its_input_the_round_lines_and_the_ratios(tmp_path):
    """benchmarks/bench_spark.py: ``--input`` is used as it is; the Spark run's stderr gives the round lines
    (nothing else); the ratios are Spark's wall time over each local run's."""
    import argparse

    from bench_spark import SPARK_RUN, ratios, round_lines, write_corpus

    corpus = tmp_path / "in.jsonl"
    corpus.write_text('{"id": "a", "text": "x"}\n')
    assert write_corpus(argparse.Namespace(input=str(corpus)), tmp_path) == corpus
    assert '"%(name)s: %(message)s"' in SPARK_RUN
    err = "WARN NativeCodeLoader: x\ndedupe.spark: near stage round 1: 0.50 s, 3 decided (3 kept, 0 removed), 0 "
    err += "undecided left\npy4j: near stage\ndedupe.spark: near stage: 1 rounds in 0.5 s\n"
    assert round_lines(err) == [
        "near stage round 1: 0.50 s, 3 decided (3 kept, 0 removed), 0 undecided left",
        "near stage: 1 rounds in 0.5 s",
    ]
    rows = [("local engine, --jobs 1", 4.0, None, 1.0), ("local engine, --jobs 2", 2.0, None, 1.0)]
    assert ratios([*rows, ("spark local[2]", 10.0, 9.0, 1.0)]) == [
        "spark local[2] / local engine, --jobs 1: 2.5x",
        "spark local[2] / local engine, --jobs 2: 5.0x",
    ]


def test_a_10000_document_bucket(spark):
    """10,500 copies of one text, each with its own last word: every copy shares most bands with the
    others, so one band key is shared by at least 10,000 documents. No member lists, same result."""
    base = document(100, seed=4242, vocab=VOCAB)
    docs = [{"id": "base", "text": base}] + [{"id": f"v{i}", "text": f"{base} qx{i}"} for i in range(10_500)]
    opts = Options()
    sigs = signatures([d["text"] for d in docs], num_perm=opts.num_perm, ngram=opts.ngram, seed=opts.seed)
    keys = (band_keys(sigs, 12, 5) >> 32).ravel().tolist()
    from collections import Counter

    assert Counter(keys).most_common(1)[0][1] >= 10_000
    expected = local_outcomes(docs, opts)
    got = spark_outcomes(spark, docs)
    assert got == expected
    assert sum(v[0] == "kept" for v in got) < 50


# ---------------------------------------------------------------------------------------------------------
# run(): the same files as `dedupe run`


def _local_cli(args: list[str]) -> None:
    dedupe_ok("run", *args, "--jobs", "1", "-q")


def _same_report(a: Path, b: Path) -> None:
    """Equal but for time, paths and the local batch mode's own spill counter (an engine detail)."""
    ra, rb = json.loads(a.read_text()), json.loads(b.read_text())
    for r in (ra, rb):
        r.pop("seconds")
        r.pop("paths")
        r["stages"].pop("batch", None)
    assert ra == rb


def _spark_paths(src: Path, folder: Path) -> Paths:
    return Paths(
        str(src),
        str(folder / "s.jsonl"),
        folder / "s.removed.jsonl",
        folder / "s.report.json",
        clusters=folder / "s.clusters.jsonl",
    )


def test_engine_spark_refuses_what_it_cannot_do(tmp_path):
    result = CliRunner().invoke(main, ["run", str(SEEDS), "-o", str(tmp_path / "o"), "--engine", "spark", "--resume"])
    assert result.exit_code == 2 and "--resume is not available with --engine spark" in result.output


def test_run_on_the_seeds_writes_the_same_files(spark, tmp_path):
    _local_cli([str(SEEDS), "-o", str(tmp_path / "local"), "--removed", str(tmp_path / "l.rm.jsonl"),
                "--report", str(tmp_path / "l.json")])  # fmt: skip
    # the command line's --engine spark (the README's example) calls dedupe.run.spark.run_spark
    _local_cli([str(SEEDS), "-o", str(tmp_path / "spark"), "--removed", str(tmp_path / "s.rm.jsonl"),
                "--report", str(tmp_path / "s.json"), "--engine", "spark", "--spark-master", "local[2]"])  # fmt: skip
    assert json.loads((tmp_path / "s.json").read_text())["balanced"]
    local = sorted(p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*") if p.is_file())
    remote = sorted(p.relative_to(tmp_path / "spark") for p in (tmp_path / "spark").rglob("*") if p.is_file())
    assert local == remote and local
    for rel in local:
        assert (tmp_path / "local" / rel).read_bytes() == (tmp_path / "spark" / rel).read_bytes()
    assert (tmp_path / "l.rm.jsonl").read_bytes() == (tmp_path / "s.rm.jsonl").read_bytes()
    _same_report(tmp_path / "l.json", tmp_path / "s.json")


@pytest.mark.parametrize(
    ("flags", "options"),
    [
        ([], {}),
        (["--keep", "longest"], {"keep": "longest"}),
        (["--keep-by", "date", "--drop-all"], {"keep_by": "date", "drop_all": True}),
    ],
    ids=["first", "longest", "keep_by-drop_all"],
)
def test_run_on_json_lines_with_bad_lines_writes_the_same_files(spark, tmp_path, flags, options):
    docs = constructed()
    lines = []
    for i, d in enumerate(docs):
        record = dict(d, date=f"2024-{1 + i % 12:02d}-01") if i % 4 else d
        lines.append(json.dumps(record, ensure_ascii=False).encode() + b"\n")
    data = BAD_LINES[0] + b"".join(lines[:30]) + b"".join(BAD_LINES[1:-1]) + b"".join(lines[30:]) + BAD_LINES[-1]
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(gzip.compress(data))
    _local_cli([str(src), "-o", str(tmp_path / "l.jsonl"), "--clusters", str(tmp_path / "l.clusters.jsonl"), *flags])
    run_spark(_spark_paths(src, tmp_path), Options(**options))
    assert (tmp_path / "l.jsonl").read_bytes() == (tmp_path / "s.jsonl").read_bytes()
    clusters = (tmp_path / "l.clusters.jsonl").read_text()
    assert (tmp_path / "s.clusters.jsonl").read_text() == clusters
    members = [json.loads(line) for line in clusters.splitlines()]
    family = next(m["cluster"] for m in members if m["id"] == "fd")
    assert {"fa", "fc", "fd", "fc-copy"} <= {m["id"] for m in members if m["cluster"] == family}
    assert any(m["id"] == "♥2" and m["cluster"] == "♥" for m in members)
    removed = (tmp_path / "l.removed.jsonl").read_bytes()
    assert removed == (tmp_path / "s.removed.jsonl").read_bytes()
    assert b"malformed JSON" in removed and b'"near"' in removed and b'"exact"' in removed
    _same_report(tmp_path / "l.report.json", tmp_path / "s.report.json")


def test_a_long_chain_of_families_is_one_cluster_in_both_engines(spark, tmp_path):
    """K0..K7 overlap in turn (J ~0.71: all kept); each d_i sits between K_i and K_i+1 (J ~0.84 to both):
    one family of eight kept documents, which label spreading alone would need seven rounds to find."""
    words = document(800, seed=5150, vocab=VOCAB).split(" ")
    kept = [{"id": f"K{i}", "text": " ".join(words[50 * i : 50 * i + 300])} for i in range(8)]
    bridges = [{"id": f"d{i}", "text": " ".join(words[50 * i + 25 : 50 * i + 325])} for i in range(7)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(d) + "\n" for d in kept + bridges[::-1]))
    _local_cli([str(src), "-o", str(tmp_path / "l.jsonl"), "--clusters", str(tmp_path / "l.clusters.jsonl")])
    run_spark(_spark_paths(src, tmp_path), Options())
    local = (tmp_path / "l.clusters.jsonl").read_text()
    assert (tmp_path / "s.clusters.jsonl").read_text() == local
    members = [json.loads(line) for line in local.splitlines()]
    assert {m["cluster"] for m in members} == {"K0"} and len(members) == 15
    assert [m["id"] for m in members if m["status"] == "kept"] == [f"K{i}" for i in range(8)]


def test_boilerplate_is_removed_the_same_on_spark(spark, tmp_path):
    """--boilerplate: the same shared lines, the same files and report (with its most common lines), and
    the same outcomes from deduplicate(df, boilerplate=True) as from the local engine."""
    from test_boilerplate import site_corpus

    docs = site_corpus() + constructed()[:40]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    _local_cli(
        [str(src), "-o", str(tmp_path / "l.jsonl"), "--clusters", str(tmp_path / "l.clusters.jsonl"), "--boilerplate"]
    )
    run_spark(_spark_paths(src, tmp_path), Options(boilerplate=True))
    for name in ("jsonl", "removed.jsonl", "clusters.jsonl"):
        assert (tmp_path / f"l.{name}").read_bytes() == (tmp_path / f"s.{name}").read_bytes(), name
    _same_report(tmp_path / "l.report.json", tmp_path / "s.report.json")
    report = json.loads((tmp_path / "s.report.json").read_text())
    assert report["stages"]["boilerplate"]["documents_changed"] == 10
    assert "Share this article" in {t["line"] for t in report["boilerplate"]["top"]}
    expected = local_outcomes(docs, Options(boilerplate=True))
    assert spark_outcomes(spark, docs, boilerplate=True) == expected


# ---------------------------------------------------------------------------------------------------------
# Cluster scale: no step gathers every document into one partition; -q is quiet


ACTIONS = ("collect", "count", "toLocalIterator", "localCheckpoint", "checkpoint", "toPandas", "isEmpty", "tail")


@pytest.fixture
def executed_plans(spark, monkeypatch):
    """The physical plan (a JVM ``SparkPlan``) of every query the code under test runs, in order, as (action,
    plan). ``localCheckpoint()`` cuts a DataFrame's plan where the engine checkpoints, so the plan of a final
    DataFrame shows only its last steps; recording each query as it starts, at the DataFrame methods that
    run one (``first``, ``head`` and ``take`` end in ``collect``; the engine uses no RDDs), sees every step."""
    plans: list[tuple[str, object]] = []
    cls = type(spark.range(1))
    for name in ACTIONS:
        original = getattr(cls, name)

        def recorded(self, *args, _original=original, _name=name, **kwargs):
            plans.append((_name, self._jdf.queryExecution().executedPlan()))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, recorded)
    return plans


def _plan_children(node) -> list:
    """A physical plan node's children, including the plans that adaptive execution and reused exchanges
    wrap (they are leaves of the tree Spark prints children of)."""
    seq = node.children()
    kids = [seq.apply(i) for i in range(seq.size())]
    name = node.getClass().getSimpleName()
    if name == "AdaptiveSparkPlanExec":
        kids.append(node.inputPlan())
    elif name.endswith("QueryStageExec"):
        kids.append(node.plan())
    elif name == "ReusedExchangeExec":
        kids.append(node.child())
    return kids


def single_partition_steps(plan) -> list[str]:
    """The nodes of a physical plan that move all their input rows into one partition:

    - a window without ``partitionBy`` (``WindowExec`` with no partition spec: Spark's "No Partition Defined
      for Window operation! Moving all data to a single partition"). Flagged whatever its input, since the
      plan cannot tell one row per input file from one row per document; a cumulative sum over a small
      table belongs on the driver;
    - an exchange to one partition (``Exchange SinglePartition``, ``repartition(1)``), unless its input is
      an aggregate's partial results (one row per partition: ``count()``, ``agg(sum)``);
    - ``coalesce(1)``.

    A global ``orderBy`` is fine: Spark plans it as ``Exchange rangepartitioning``. The tree is walked on
    the JVM objects, not their printed form, so changes in how Spark prints plans do not matter."""
    found, stack = [], [plan]
    while stack:
        node = stack.pop()
        kids = _plan_children(node)
        name = node.getClass().getSimpleName()
        if "Window" in name and node.partitionSpec().isEmpty():
            found.append(node.simpleString(200))
        elif name == "ShuffleExchangeExec" and node.outputPartitioning().numPartitions() == 1:
            if not (kids and kids[0].getClass().getSimpleName().endswith("AggregateExec")):
                found.append(node.simpleString(200))
        elif name == "CoalesceExec" and node.numPartitions() == 1:
            found.append(node.simpleString(200))
        stack.extend(kids)
    return found


def test_single_partition_steps_are_found(spark):
    """The check below is not vacuous: each way of gathering every row is found, and what is fine is not."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    df = spark.range(100).repartition(3)

    def found(d):
        return single_partition_steps(d._jdf.queryExecution().executedPlan())

    assert found(df.withColumn("x", F.row_number().over(Window.orderBy("id"))))
    assert found(spark.range(10).coalesce(1).withColumn("x", F.sum("id").over(Window.orderBy("id"))))
    assert found(df.coalesce(1)) and found(df.repartition(1))
    assert not found(df.withColumn("x", F.row_number().over(Window.partitionBy(F.col("id") % 3).orderBy("id"))))
    assert not found(df.orderBy("id")) and not found(df.agg(F.sum("id"))) and not found(df.groupBy().count())


def test_no_step_gathers_every_document_into_one_partition(spark, tmp_path, executed_plans):
    """Every query of a whole run (JSON Lines read in several partitions, --boilerplate with its sample
    lines, --keep longest's sort, the rounds, clusters, the account and the files streamed in input order)
    keeps the documents spread over partitions: at a terabyte, one task would otherwise hold the corpus."""
    from test_boilerplate import site_corpus

    docs = site_corpus() + constructed()
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(src.stat().st_size // 5))
    try:
        assert spark.read.text(str(src)).rdd.getNumPartitions() > 1
        run_spark(_spark_paths(src, tmp_path), Options(keep="longest", boilerplate=True))
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert {"collect", "count", "toLocalIterator", "localCheckpoint"} <= {name for name, _ in executed_plans}
    printed = [plan.toString() for _, plan in executed_plans]
    assert any("rangepartitioning" in p for p in printed)  # the sorts are range-partitioned
    gathered = {f"{name}: {step}" for name, plan in executed_plans for step in single_partition_steps(plan)}
    assert not gathered
    _local_cli([str(src), "-o", str(tmp_path / "l.jsonl"), "--keep", "longest", "--boilerplate"])
    assert (tmp_path / "l.jsonl").read_bytes() == (tmp_path / "s.jsonl").read_bytes()


def _dedupe_process(*args: str) -> subprocess.CompletedProcess:
    """``dedupe ARGS`` in a process of its own, as a user runs it: its own Spark session and JVM."""
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    cmd = [sys.executable, "-m", "dedupe", *args]
    return subprocess.run(cmd, capture_output=True, env=env, timeout=600, check=False)


def test_quiet_spark_run_prints_nothing(tmp_path):
    """``dedupe run --engine spark -q`` starts its own session: no progress bars, no warnings, none of the
    JVM's start-up lines; and the same files as a local run."""
    done = _dedupe_process("run", str(SEEDS), "-o", str(tmp_path / "s"), "--engine", "spark", "-q")
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stderr == b"" and done.stdout == b""
    _local_cli([str(SEEDS), "-o", str(tmp_path / "l")])
    assert (tmp_path / "l.removed.jsonl").read_bytes() == (tmp_path / "s.removed.jsonl").read_bytes()
    for path in sorted((tmp_path / "l").iterdir()):
        assert path.read_bytes() == (tmp_path / "s" / path.name).read_bytes()


@pytest.mark.parametrize("quiet", [True, False])
def test_spark_conf_reaches_the_session_dedupe_starts(quiet):
    """``--spark-conf`` settings (``run_spark(conf=...)``) go to the session dedupe starts, quiet or not,
    including one fixed when the JVM starts (the driver's memory, which a local master needs for large
    inputs)."""
    code = (
        "from dedupe.engines.spark import session; "
        f"s = session(master='local[1]', quiet={quiet}, "
        "conf={'spark.driver.memory': '1500m', 'spark.sql.shuffle.partitions': '3'}); "
        "print(s.sparkContext.getConf().get('spark.driver.memory'), s.conf.get('spark.sql.shuffle.partitions'), "
        "s.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory() // 2**20)"
    )
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    memory, partitions, heap_mb = done.stdout.decode().split()
    assert (memory, partitions) == ("1500m", "3")
    assert 1300 < int(heap_mb) <= 1500  # the JVM really started with that heap (the default is 1 GB)


def test_spark_warns_of_no_single_partition_step(tmp_path):
    """Without -q Spark's warnings show, and none says that a step moves all data to one partition (it did
    for every JSON Lines input, from the window that numbered the lines)."""
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(d) + "\n" for d in constructed()[:20]))
    done = _dedupe_process("run", str(src), "-o", str(tmp_path / "s.jsonl"), "--engine", "spark")
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"kept" in done.stderr  # the summary: this is the run's stderr
    assert b"single partition" not in done.stderr and b"No Partition Defined" not in done.stderr
