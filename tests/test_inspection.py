"""`dedupe pairs` and `dedupe clusters`: what a person looks at to choose a threshold or check a run."""

from __future__ import annotations

import json

from click.testing import CliRunner
from corpora import bridge, document, edit, jaccard

from dedupe.cli import main


def test_pairs_lists_candidates_with_estimated_and_exact_similarity(tmp_path):
    base = document(400, seed=1)
    texts = {"a": base, "b": edit(base, 0.01, seed=2), "c": edit(base, 0.06, seed=3), "d": document(400, seed=4)}
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in texts.items()))
    result = CliRunner().invoke(main, ["pairs", str(src), "--min", "0.3"], catch_exceptions=False)
    assert result.exit_code == 0
    pairs = [json.loads(line) for line in result.stdout.splitlines()]
    found = {(p["a"], p["b"]): p for p in pairs}
    assert set(found) == {("a", "b"), ("a", "c"), ("b", "c")}  # d is unrelated
    for (a, b), p in found.items():
        assert abs(p["exact"] - jaccard(texts[a], texts[b])) < 0.002
        assert abs(p["estimated"] - p["exact"]) < 0.15
    assert [p["exact"] for p in pairs] == sorted((p["exact"] for p in pairs), reverse=True)


def test_clusters_lists_each_group_with_pairwise_similarities(tmp_path):
    base, other = document(400, seed=11), document(400, seed=12)
    records = [
        ("k1", base),
        ("x", document(400, seed=13)),
        ("r1", edit(base, 0.005, seed=1)),
        ("k2", other),
        ("r2", base),
        ("r3", edit(other, 0.005, seed=2)),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in records))
    out = tmp_path / "clusters.jsonl"
    result = CliRunner().invoke(main, ["clusters", str(src), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0 and "2 clusters" in result.stderr
    groups = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(g["kept"], g["size"]) for g in groups] == [("k1", 3), ("k2", 2)]
    assert [m["id"] for m in groups[0]["members"]] == ["r1", "r2"]
    assert len(groups[0]["pairs"]) == 3 and all(p["exact"] > 0.9 for p in groups[0]["pairs"])


def test_clusters_join_kept_documents_through_a_removed_one_similar_to_both(tmp_path):
    a, c, d = bridge(seed=41)
    src = tmp_path / "in.jsonl"
    records = [("A", a), ("C", c), ("D", d), ("E", c)]
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in records))
    result = CliRunner().invoke(main, ["clusters", str(src)], catch_exceptions=False)
    (group,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert (group["kept"], group["also_kept"], group["size"]) == ("A", ["C"], 4)
    assert [(m["id"], m["duplicate_of"]) for m in group["members"]][1] == ("E", "C")
    exact = {(p["a"], p["b"]): p["exact"] for p in group["pairs"]}
    assert exact[("A", "C")] < 0.8 <= min(exact[("A", "D")], exact[("C", "D")])  # joined, never chained


def test_a_cluster_joined_after_some_of_its_removals_is_listed_once(tmp_path):
    a, c, d = bridge(seed=43)
    src = tmp_path / "in.jsonl"
    records = [("A", a), ("C", c), ("E", edit(c, 0.005, seed=44)), ("D", d)]  # E names C before D joins A and C
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in records))
    result = CliRunner().invoke(main, ["clusters", str(src)], catch_exceptions=False)
    (group,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert (group["kept"], group["also_kept"], group["size"]) == ("A", ["C"], 4)
    assert [m["id"] for m in group["members"]] == ["E", "D"]
