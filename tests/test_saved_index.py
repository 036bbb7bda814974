"""Saved indexes: a new crawl de-duplicated against an old corpus without rereading it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from corpora import bridge, document, edit

from dedupe.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def read_jsonl(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


@pytest.fixture()
def crawls(tmp_path):
    old = [{"id": f"old{i}", "text": document(300, seed=i)} for i in range(8)]
    old.append({"id": "old-copy", "text": old[0]["text"]})  # a duplicate inside the old corpus
    new = [
        {"id": "new-exact", "text": old[1]["text"]},
        {"id": "new-near", "text": edit(old[2]["text"], 0.005, seed=9)},
        {"id": "new-fresh", "text": document(300, seed=100)},
        {"id": "new-fresh-copy", "text": edit(document(300, seed=100), 0.005, seed=3)},
    ]
    write_jsonl(tmp_path / "old.jsonl", old)
    write_jsonl(tmp_path / "new.jsonl", new)
    return tmp_path


def test_run_against_a_saved_index_removes_what_the_old_corpus_has(crawls):
    build = invoke("index", "build", str(crawls / "old.jsonl"), "-o", str(crawls / "idx"))
    assert build.exit_code == 0 and "indexed 8 documents of 9" in build.stderr
    meta = json.loads((crawls / "idx" / "meta.json").read_text())
    assert meta["format"] == "dedupe-index" and meta["version"] == 1 and meta["documents"] == 8
    assert meta["settings"]["tokens"] == "words+spaceless-chars"
    result = invoke(
        "run", str(crawls / "new.jsonl"), "-o", str(crawls / "out.jsonl"), "--against", str(crawls / "idx"), "-q"
    )
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read_jsonl(crawls / "out.jsonl")] == ["new-fresh"]
    log = {r["id"]: r for r in read_jsonl(crawls / "out.removed.jsonl")}
    assert log["new-exact"]["step"] == "exact" and log["new-exact"]["duplicate_of"] == "old1"
    assert log["new-near"]["step"] == "near" and log["new-near"]["duplicate_of"] == "old2"
    assert log["new-fresh-copy"]["duplicate_of"] == "new-fresh"  # new documents are checked among themselves too
    # the index is unchanged without --update-index
    assert json.loads((crawls / "idx" / "meta.json").read_text())["documents"] == 8


def test_update_index_adds_the_kept_documents(crawls):
    assert invoke("index", "build", str(crawls / "old.jsonl"), "-o", str(crawls / "idx")).exit_code == 0
    args = ["run", str(crawls / "new.jsonl"), "--against", str(crawls / "idx"), "-q", "--update-index"]
    assert invoke(*args, "-o", str(crawls / "a.jsonl")).exit_code == 0
    assert json.loads((crawls / "idx" / "meta.json").read_text())["documents"] == 9
    # the same crawl again: now everything in it is already known
    assert invoke(*args, "-o", str(crawls / "b.jsonl")).exit_code == 0
    assert read_jsonl(crawls / "b.jsonl") == []
    log = {r["id"]: r for r in read_jsonl(crawls / "b.removed.jsonl")}
    assert log["new-fresh"]["duplicate_of"] == "new-fresh" and log["new-fresh"]["step"] == "exact"


def test_index_settings_and_version_are_checked(crawls):
    assert invoke("index", "build", str(crawls / "old.jsonl"), "-o", str(crawls / "idx")).exit_code == 0
    other = invoke(
        "run",
        str(crawls / "new.jsonl"),
        "-o",
        str(crawls / "o.jsonl"),
        "--against",
        str(crawls / "idx"),
        "--num-perm",
        "64",
    )
    assert other.exit_code == 2 and "num_perm: index 128, run 64" in other.stderr
    meta_path = crawls / "idx" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["version"] = 99
    meta_path.write_text(json.dumps(meta))
    old = invoke("run", str(crawls / "new.jsonl"), "-o", str(crawls / "p.jsonl"), "--against", str(crawls / "idx"))
    assert old.exit_code == 2 and "format version 99" in old.stderr and "Traceback" not in old.output
    not_index = invoke("run", str(crawls / "new.jsonl"), "-o", str(crawls / "q.jsonl"), "--against", str(crawls))
    assert not_index.exit_code == 2 and "not a dedupe index" in not_index.stderr


def test_an_index_from_before_spaceless_scripts_were_split_is_refused(crawls):
    """Such an index holds other signatures for Chinese, Japanese, Thai ... text than a run computes now."""
    assert invoke("index", "build", str(crawls / "old.jsonl"), "-o", str(crawls / "idx")).exit_code == 0
    meta_path = crawls / "idx" / "meta.json"
    meta = json.loads(meta_path.read_text())
    del meta["settings"]["tokens"]
    meta_path.write_text(json.dumps(meta))
    old = invoke("run", str(crawls / "new.jsonl"), "-o", str(crawls / "o.jsonl"), "--against", str(crawls / "idx"))
    assert old.exit_code == 2 and "Traceback" not in old.output
    assert len(old.stderr.strip().splitlines()) == 1
    assert "built with tokens 'words'" in old.stderr and "rebuild it with `dedupe index build`" in old.stderr
    assert not (crawls / "o.jsonl").exists()


def test_an_index_built_without_texts_needs_verify_none(crawls):
    assert (
        invoke("index", "build", str(crawls / "old.jsonl"), "-o", str(crawls / "idx"), "--verify", "none").exit_code
        == 0
    )
    refused = invoke("run", str(crawls / "new.jsonl"), "-o", str(crawls / "o.jsonl"), "--against", str(crawls / "idx"))
    assert refused.exit_code == 2 and "--verify none" in refused.stderr
    ok = invoke(
        "run",
        str(crawls / "new.jsonl"),
        "-o",
        str(crawls / "o.jsonl"),
        "--against",
        str(crawls / "idx"),
        "--verify",
        "none",
        "-q",
    )
    assert ok.exit_code == 0 and [r["id"] for r in read_jsonl(crawls / "o.jsonl")] == ["new-fresh"]


def test_clusters_reach_into_the_saved_index_and_its_families_are_saved(tmp_path):
    a, c, d = bridge(seed=31)
    a2, c2, d2 = bridge(seed=32)
    write_jsonl(tmp_path / "old.jsonl", [{"id": "A", "text": a}, {"id": "C", "text": c}])
    write_jsonl(tmp_path / "new.jsonl", [{"id": "D", "text": d}, {"id": "E", "text": c}, {"id": "A2", "text": a2}])
    newer = [{"id": "C2", "text": c2}, {"id": "D2", "text": d2}, {"id": "C-copy", "text": c}]
    write_jsonl(tmp_path / "newer.jsonl", newer)
    idx = str(tmp_path / "idx")
    assert invoke("index", "build", str(tmp_path / "old.jsonl"), "-o", idx).exit_code == 0
    clusters = tmp_path / "clusters.jsonl"
    args = ["--against", idx, "--clusters", str(clusters), "--update-index", "-q"]
    assert invoke("run", str(tmp_path / "new.jsonl"), "-o", str(tmp_path / "out.jsonl"), *args).exit_code == 0
    summary = [(m["cluster"], m["id"], m["status"], m.get("duplicate_of")) for m in read_jsonl(clusters)]
    d_of = summary[2][3]
    assert d_of in ("A", "C")
    assert summary == [
        ("A", "A", "indexed", None),
        ("A", "C", "indexed", None),
        ("A", "D", "removed", d_of),
        ("A", "E", "removed", "C"),  # an exact copy of an indexed document joins its family
    ]
    # the next run against the updated index still sees A and C as one family, and A2 as indexed
    assert invoke("run", str(tmp_path / "newer.jsonl"), "-o", str(tmp_path / "out2.jsonl"), *args).exit_code == 0
    summary = [(m["cluster"], m["id"], m["status"]) for m in read_jsonl(clusters)]
    assert summary == [
        ("A2", "A2", "indexed"),
        ("A2", "C2", "kept"),
        ("A2", "D2", "removed"),
        ("A", "A", "indexed"),
        ("A", "C", "indexed"),
        ("A", "C-copy", "removed"),
    ]
