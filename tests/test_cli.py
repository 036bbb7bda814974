"""The CLI contract of `dedupe run`, `clean` and `explain`, on the seed corpus and constructed inputs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import SEEDS
from corpora import bridge, document, edit

from dedupe.cli import default_side_paths, main


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8")]


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("seeds")
    out, removed, report = tmp / "out", tmp / "removed.jsonl", tmp / "report.json"
    result = invoke("run", str(SEEDS), "-o", str(out), "--removed", str(removed), "--report", str(report))
    assert result.exit_code == 0, result.output
    return out, removed, report, result


def test_run_on_seeds_writes_a_mirror_folder_and_a_balanced_report(seeds_run):
    out, removed, report, result = seeds_run
    data = json.loads(report.read_text())
    assert data["read"] == 5 == data["kept"] + data["removed"] + data["rejected"]
    assert data["balanced"] is True
    gone = {r["id"] for r in read_jsonl(removed)}
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in SEEDS.glob("*.txt") if p.name not in gone)
    assert data["kept"] == len(list(out.iterdir()))
    assert {"normalize", "repeats"} <= set(data["stages"])
    assert data["stages"]["repeats"]["documents_changed"] >= 1
    assert "kept" in result.stderr and "removed" in result.stderr  # the human summary goes to stderr


def test_seed_000_comes_out_with_its_headline_and_paragraphs_once(seeds_run):
    out = seeds_run[0]
    original = (SEEDS / "000_d6ccdd7f7920074a.txt").read_text(encoding="utf-8")
    cleaned = (out / "000_d6ccdd7f7920074a.txt").read_text(encoding="utf-8")
    headline = "Ex-Engineer Sentenced to Death for Selling Secrets to Foreign Agencies, China Reports"
    assert original.count(headline) == 2 and cleaned.count(headline) == 1
    # every distinct line of the original survives exactly once, in its first position's order
    distinct = list(dict.fromkeys(line for line in original.splitlines() if line.strip()))
    assert len(distinct) == len([line for line in original.splitlines() if line.strip()]) - 5
    assert [line for line in cleaned.splitlines() if line.strip()] == distinct


def test_seed_001_loses_its_image_residue_and_dangling_pipe(seeds_run):
    cleaned = (seeds_run[0] / "001_015dd3622083cb52.txt").read_text(encoding="utf-8")
    assert "![]()" not in cleaned and " |" not in cleaned
    assert "espionage. Symbolic Image\n" in cleaned


def test_seed_002_loses_no_break_and_trailing_spaces(seeds_run):
    original = (SEEDS / "002_24a38be4caa4bfe8.txt").read_text(encoding="utf-8")
    cleaned = (seeds_run[0] / "002_24a38be4caa4bfe8.txt").read_text(encoding="utf-8")
    assert "\u00a0" in original and "\u00a0" not in cleaned
    assert all(line == line.rstrip() for line in cleaned.splitlines())
    assert original.split() == cleaned.split()  # str.split splits on no-break spaces too: no word changed


def test_default_side_paths_are_beside_the_output():
    assert default_side_paths("out") == (default_side_paths("out/")[0], default_side_paths("out/")[1])
    assert [str(p) for p in default_side_paths("data/clean.jsonl.gz")] == [
        "data/clean.removed.jsonl",
        "data/clean.report.json",
    ]
    assert [str(p) for p in default_side_paths("-")] == ["dedupe.removed.jsonl", "dedupe.report.json"]


def test_run_uses_default_side_paths(tmp_path):
    out = tmp_path / "clean"
    assert invoke("run", str(SEEDS), "-o", str(out), "-q").exit_code == 0
    assert json.loads((tmp_path / "clean.report.json").read_text())["read"] == 5
    assert (tmp_path / "clean.removed.jsonl").exists()


def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_jsonl_in_jsonl_out_keeps_fields_and_logs_duplicates(tmp_path):
    base = document(300, seed=3)
    records = [
        {"id": "a", "text": base, "url": "https://a", "meta": {"lang": "en"}},
        {"id": "b", "text": document(300, seed=4), "url": "https://b"},
        {"id": "c", "text": edit(base, 0.005, seed=1), "url": "https://c"},
        {"id": "d", "text": base, "url": "https://d"},
        {"id": "e", "text": 12},
    ]
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_jsonl(src, records)
    result = invoke(
        "run", str(src), "-o", str(out), "--removed", str(tmp_path / "r.jsonl"), "--report", str(tmp_path / "rep.json")
    )
    assert result.exit_code == 0, result.output
    kept = read_jsonl(out)
    assert [r["id"] for r in kept] == ["a", "b"]
    assert kept[0]["url"] == "https://a" and kept[0]["meta"] == {"lang": "en"}
    assert list(kept[0]) == ["id", "text", "url", "meta"]
    log = {r["id"]: r for r in read_jsonl(tmp_path / "r.jsonl")}
    assert log["c"]["step"] == "near" and log["c"]["duplicate_of"] == "a" and 0.8 <= log["c"]["similarity"] <= 1
    assert log["d"]["step"] == "exact" and log["d"]["duplicate_of"] == "a" and log["d"]["similarity"] == 1.0
    assert log["e"]["kind"] == "rejected" and "not a string" in log["e"]["reason"]
    report = json.loads((tmp_path / "rep.json").read_text())
    assert (report["read"], report["kept"], report["removed"], report["rejected"]) == (5, 2, 2, 1)


def test_stdin_to_stdout(tmp_path):
    text = json.dumps({"id": "x", "text": "Hello\u00a0world  "}) + "\n" + json.dumps({"id": "y", "text": "Hello world"})
    result = CliRunner().invoke(
        main,
        ["run", "-", "-o", "-", "-q", "--removed", str(tmp_path / "r.jsonl"), "--report", str(tmp_path / "p.json")],
        input=text,
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == [{"id": "x", "text": "Hello world"}]
    assert read_jsonl(tmp_path / "r.jsonl")[0]["duplicate_of"] == "x"


def test_folder_in_jsonl_out(tmp_path):
    out = tmp_path / "seeds.jsonl"
    assert invoke("run", str(SEEDS), "-o", str(out), "-q").exit_code == 0
    ids = [r["id"] for r in read_jsonl(out)]
    assert ids == sorted(ids) and ids[0] == "000_d6ccdd7f7920074a.txt"


def test_single_text_file(tmp_path):
    out = tmp_path / "one.txt"
    assert invoke("run", str(SEEDS / "001_015dd3622083cb52.txt"), "-o", str(out), "-q").exit_code == 0
    assert "Symbolic Image\n" in out.read_text(encoding="utf-8")


def test_errors_are_one_line_and_exit_2(tmp_path):
    missing = invoke("run", str(tmp_path / "nope"), "-o", str(tmp_path / "o"))
    assert missing.exit_code == 2 and missing.stderr.strip().startswith("dedupe: error: input not found")
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "x").write_text("x")
    exists = invoke("run", str(SEEDS), "-o", str(tmp_path / "o"))
    assert exists.exit_code == 2 and "--overwrite" in exists.stderr and "Traceback" not in exists.output
    assert invoke("run", str(SEEDS), "-o", str(tmp_path / "o"), "--overwrite", "-q").exit_code == 0
    bad = invoke("run", str(SEEDS), "-o", str(tmp_path / "p"), "--keep", "random")
    assert bad.exit_code == 2


def test_clean_and_explain_on_seed_001():
    path = str(SEEDS / "001_015dd3622083cb52.txt")
    cleaned = invoke("clean", path)
    assert cleaned.exit_code == 0 and "![]()" not in cleaned.stdout and "Symbolic Image\n" in cleaned.stdout
    explained = invoke("explain", path)
    assert explained.exit_code == 0
    assert "empty_links" in explained.stdout and "dangling_pipes" in explained.stdout
    assert "empty_links" not in invoke("explain", path, "--skip-rule", "empty_links").stdout


def test_explain_shows_repeats_of_seed_000():
    explained = invoke("explain", str(SEEDS / "000_d6ccdd7f7920074a.txt"))
    assert explained.exit_code == 0
    assert explained.stdout.count("repeats") >= 5  # the headline and four paragraphs


def test_clean_and_explain_decode_cp1252_and_say_so(tmp_path):
    path = tmp_path / "answer.txt"
    path.write_bytes("It\u2019s \u00a35 at the caf\u00e9.\n".encode("cp1252"))
    cleaned = invoke("clean", str(path))
    assert cleaned.exit_code == 0 and cleaned.stdout == "It\u2019s \u00a35 at the caf\u00e9.\n"
    explained = invoke("explain", str(path))
    assert explained.exit_code == 0
    assert explained.stdout.splitlines()[0] == f"{path}: not UTF-8 (invalid UTF-8 at byte 2); decoded as cp1252"
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\u00e9 cr\u00e8me.\n".encode("latin-1"))
    assert invoke("explain", str(latin1)).stdout.splitlines()[0].endswith("; decoded as Latin-1")
    # the run's other choices, and what cannot be decoded: exit status 1 with the reason, as before
    rejected = invoke("explain", str(path), "--encoding-errors", "reject")
    assert rejected.exit_code == 1 and "invalid UTF-8 at byte 2" in rejected.stderr
    assert invoke("clean", str(path), "--encoding-errors", "replace").stdout.startswith("It\ufffds")
    path.write_bytes(b"Bytes cp1252 leaves undefined: \x81\x8d.\n")
    undefined = invoke("explain", str(path))
    assert undefined.exit_code == 1 and "control character U+0081 at byte 31" in undefined.stderr
    # UTF-8 files say nothing about decoding
    assert "UTF-8" not in invoke("explain", str(SEEDS / "001_015dd3622083cb52.txt")).stdout


def test_python_dash_m_entry_point():
    proc = subprocess.run([sys.executable, "-m", "dedupe", "run", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for option in (
        "--removed",
        "--report",
        "--threshold",
        "--ngram",
        "--num-perm",
        "--keep",
        "--text-field",
        "--id-field",
        "OUTPUT.removed.jsonl",
        "OUTPUT.report.json",
    ):
        assert option in proc.stdout


def test_output_is_byte_identical_for_any_number_of_jobs(tmp_path):
    from corpora import with_near_duplicates

    docs = [{"id": f"d{i}", "text": document(250, seed=i)} for i in range(60)]
    src = tmp_path / "in.jsonl"
    _write_jsonl(src, with_near_duplicates(docs, share=0.5, rates=(0.005, 0.02, 0.1)))
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        result = invoke("run", str(src), "-o", str(out), "--jobs", jobs, "-q")
        assert result.exit_code == 0, result.output
        outputs.append((out.read_bytes(), (tmp_path / f"out{jobs}.removed.jsonl").read_bytes()))
    assert outputs[0] == outputs[1]
    assert outputs[0][1].count(b'"near"') >= 10  # the corpus really has near-duplicates to decide


@pytest.mark.parametrize("extra", [[], ["--keep-by", "n"], ["--keep", "longest"]])
def test_bad_lines_and_repeated_ids_give_the_same_files_for_any_number_of_jobs(tmp_path, extra):
    """With several jobs JSON Lines are parsed in the workers: rejections, ids made unique, record fields,
    output, log and report must still be those of one process (gzip input and stdin too)."""
    import gzip

    from corpora import with_near_duplicates

    docs = [{"id": f"d{i % 40}", "text": document(150, seed=i), "n": i % 7} for i in range(60)]
    lines = [json.dumps(d) for d in with_near_duplicates(docs, share=0.5, rates=(0.005, 0.02))]
    lines[5:5] = ["", "{broken", json.dumps({"id": "d3", "text": " "}), json.dumps({"id": "d4", "text": 4})]
    data = ("\n".join(lines) + "\n").encode()
    (tmp_path / "in.jsonl.gz").write_bytes(gzip.compress(data))

    def run(jobs: str, stdin: bool = False) -> tuple[bytes, bytes, dict]:
        out, log, report = (tmp_path / f"{jobs}{stdin}.{name}" for name in ("out.jsonl", "log.jsonl", "report.json"))
        source, output = ("-", "-") if stdin else (str(tmp_path / "in.jsonl.gz"), str(out))
        args = ["run", source, "-o", output, "--removed", str(log), "--report", str(report), *extra, "--jobs", jobs]
        result = invoke(*args, "-q", input=data.decode() if stdin else None)
        assert result.exit_code == 0, result.output
        summary = {k: v for k, v in json.loads(report.read_text()).items() if k not in ("seconds", "paths", "options")}
        return result.stdout_bytes if stdin else out.read_bytes(), log.read_bytes(), summary

    one = run("1")
    assert run("2") == one
    assert run("2", stdin=True) == run("1", stdin=True)
    assert b'"d3#2"' in one[1] and b"malformed JSON" in one[1] and one[2]["stages"]["read"]["duplicate_ids"] >= 20


def test_keep_by_and_drop_all_from_the_command_line(tmp_path):
    base = document(300, seed=51)
    src = tmp_path / "in.jsonl"
    _write_jsonl(
        src,
        [
            {"id": "old", "text": base, "date": "2024-01-01"},
            {"id": "new", "text": edit(base, 0.005, seed=1), "date": "2025-01-01"},
            {"id": "solo", "text": document(300, seed=52), "date": "2023-01-01"},
        ],
    )
    assert invoke("run", str(src), "-o", str(tmp_path / "a.jsonl"), "--keep-by", "date", "-q").exit_code == 0
    assert [r["id"] for r in read_jsonl(tmp_path / "a.jsonl")] == ["new", "solo"]
    assert invoke("run", str(src), "-o", str(tmp_path / "b.jsonl"), "--drop-all", "-q").exit_code == 0
    assert [r["id"] for r in read_jsonl(tmp_path / "b.jsonl")] == ["solo"]
    log = {r["id"]: r for r in read_jsonl(tmp_path / "b.removed.jsonl")}
    assert log["old"]["step"] == "drop-all" and log["new"]["duplicate_of"] == "old"


def test_clusters_file_groups_families_with_their_removed_members(tmp_path):
    a, c, d = bridge(seed=21)
    x = document(300, seed=22)
    records = [
        ("A", a),
        ("X", x),
        ("C", c),
        ("D", d),  # near both A and C: removed, and joins C's family to A's
        ("P", "♥ ♥ ♥"),  # no words: kept without a signature
        ("E", c),  # exact copy of C
        ("Q", "♥ ♥ ♥"),  # exact copy of P
        ("F", edit(x, 0.005, seed=23)),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in records) + "{broken\n")
    clusters = tmp_path / "clusters.jsonl"
    result = invoke("run", str(src), "-o", str(tmp_path / "out.jsonl"), "--clusters", str(clusters))
    assert result.exit_code == 0, result.output
    assert f"clusters: 3 (8 documents, largest 4): {clusters}" in result.stderr
    lines = read_jsonl(clusters)
    summary = [(m["cluster"], m["id"], m["status"], m.get("step"), m.get("duplicate_of")) for m in lines]
    d_line = next(m for m in lines if m["id"] == "D")
    assert d_line["duplicate_of"] in ("A", "C") and d_line["similarity"] >= 0.8
    assert summary == [
        ("A", "A", "kept", None, None),
        ("A", "C", "kept", None, None),
        ("A", "D", "removed", "near", d_line["duplicate_of"]),
        ("A", "E", "removed", "exact", "C"),
        ("P", "P", "kept", None, None),
        ("P", "Q", "removed", "exact", "P"),
        ("X", "X", "kept", None, None),
        ("X", "F", "removed", "near", "X"),
    ]
    report = json.loads((tmp_path / "out.report.json").read_text())
    assert report["clusters"] == {"clusters": 3, "documents": 8, "largest": 4}
    assert report["paths"]["clusters"] == str(clusters)
    # the removal log itself is unchanged by clusters: one line per removed or rejected document
    assert [r["id"] for r in read_jsonl(tmp_path / "out.removed.jsonl")] == ["D", "E", "Q", "F", "in.jsonl:9"]


@pytest.mark.parametrize("pair", ["spark.driver.memory", "=4g", "spark.driver.memory:4g"])
def test_a_spark_conf_that_is_not_key_value_is_a_usage_error(tmp_path, monkeypatch, pair):
    """Checked before Spark is even imported (here it could not be): exit status 2, nothing written."""
    monkeypatch.setitem(sys.modules, "pyspark", None)
    args = ["run", str(SEEDS), "-o", str(tmp_path / "out"), "--engine", "spark", "--spark-conf", pair]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "--spark-conf takes KEY=VALUE" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_engine_spark_without_the_extra_is_a_clear_usage_error(tmp_path, monkeypatch):
    """Without pyspark the run stops before it starts, with the install hint, not a traceback."""
    monkeypatch.setitem(sys.modules, "pyspark", None)  # what `import pyspark` meets when it is not installed
    result = CliRunner().invoke(main, ["run", str(SEEDS), "-o", str(tmp_path / "out"), "--engine", "spark"])
    assert result.exit_code == 2
    assert "needs the 'spark' extra" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
