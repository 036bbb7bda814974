"""The scoring of benchmarks/quality.py on tiny hand-made inputs, with the expected numbers worked out by hand.

Why: the quality numbers steer the work on the near-duplicate engine, so the scoring itself must be right:
bucket edges, cluster membership through star clusters, and links absent from the ground truth counted
as wrong.
"""

from __future__ import annotations

import json
import math

import pytest
from quality import (
    bucket,
    cluster_heads,
    clusters_file_heads,
    is_copy_pair,
    isolated_copy_docs,
    links_from_removed,
    oracle_one_pass,
    pair_key,
    read_truth,
    score,
    split_truth,
    view_links,
    write_results,
)


def test_bucket_edges_at_threshold_0_8():
    assert bucket(1.0, 0.8) == "high"
    assert bucket(0.9, 0.8) == "high"  # t + 0.1 is high, not near, despite 0.8 + 0.1 == 0.9000000000000001
    assert bucket(0.8999, 0.8) == "near"
    assert bucket(0.8, 0.8) == "near"
    assert bucket(0.7999, 0.8) is None
    assert bucket(0.85, 0.7) == "high"
    assert bucket(0.75, 0.7) == "near"


def test_read_truth_is_unordered():
    truth = read_truth(["b\ta\t0.9500\n", "a\tc\t0.5000\n", "\n"])
    assert truth == {("a", "b"): 0.95, ("a", "c"): 0.5}
    assert pair_key("b", "a") == ("a", "b")


def test_links_from_removed_skips_rejections():
    records = [
        {"id": "b", "step": "near", "duplicate_of": "a", "similarity": 0.91},
        {"id": "x", "step": "read", "reason": "empty", "kind": "rejected"},
        {"id": "c", "step": "exact", "duplicate_of": "a", "similarity": 1.0},
    ]
    assert links_from_removed(records) == [("b", "a", 0.91), ("c", "a", 1.0)]


def test_cluster_heads_stars_and_rejected():
    heads = cluster_heads(["a", "b", "c", "d", "e"], [("b", "a", 0.9), ("c", "a", 0.8)], rejected=["e"])
    assert heads == {"a": "a", "b": "a", "c": "a", "d": "d", "e": None}
    # a chain (a tool linking to a removed document) still ends at the kept document
    assert cluster_heads(["a", "b", "c"], [("c", "b"), ("b", "a")])["c"] == "a"


def test_score_by_hand():
    # documents a..g; clusters {a, b, c} (b, c removed as duplicates of a), {d, e}, f kept alone, g rejected
    truth = {
        ("a", "b"): 0.95,  # high, same cluster                -> found
        ("b", "c"): 0.92,  # high, both removed into a's star   -> found
        ("a", "f"): 0.91,  # high, f kept alone                -> missed, both kept
        ("c", "d"): 0.85,  # near, different clusters          -> missed, other cluster
        ("d", "e"): 0.80,  # near, same cluster                -> found
        ("a", "g"): 0.88,  # near, g rejected                  -> missed, rejected
        ("a", "c"): 0.75,  # below t: not a recall pair, but a good link (>= t - 0.1)
        ("e", "f"): 0.60,  # below t: not scored for recall
    }
    links = [("b", "a", 0.93), ("c", "a", 0.82), ("e", "d", 0.86), ("f", "e", 0.81), ("g", "b", 0.99)]
    # (f, e) has J 0.60 < 0.7 (wrong); (g, b) is absent from the truth: J below the floor (wrong).
    # Recall is scored on the heads below, where f is kept and g rejected (the links above are only
    # scored for precision).
    heads = {"a": "a", "b": "a", "c": "a", "d": "d", "e": "d", "f": "f", "g": None}
    s = score(truth, heads, links, 0.8, removed={"b", "c", "e"})
    assert (s.pairs_high, s.found_high) == (3, 2)
    assert (s.pairs_near, s.found_near) == (3, 1)
    assert s.recall_high == pytest.approx(2 / 3)
    assert s.recall_near == pytest.approx(1 / 3)
    # links: (b,a) 0.95 ok, (c,a) 0.75 ok, (e,d) 0.80 ok, (f,e) 0.60 wrong, (g,b) absent -> wrong: 3 / 5
    assert (s.links, s.good_links) == (5, 3)
    assert s.precision == pytest.approx(0.6)
    assert {(a, b) for a, b, _, _ in s.bad_links} == {("f", "e"), ("g", "b")}
    assert s.misses == {("high", "both kept"): 1, ("near", "other cluster"): 1, ("near", "rejected"): 1}


def test_score_precision_edge_and_empty():
    # a link at exactly t - 0.1 is right; 0.6999 is wrong
    truth = {("a", "b"): 0.7, ("a", "c"): 0.6999}
    s = score(truth, {"a": "a", "b": "a", "c": "a"}, [("b", "a"), ("c", "a")], 0.8)
    assert (s.links, s.good_links) == (2, 1)
    assert (s.pairs_high, s.pairs_near) == (0, 0)
    assert math.isnan(s.recall_high) and math.isnan(s.recall_near)
    assert math.isnan(score({}, {}, [], 0.8).precision)


def test_isolated_copy_pairs_and_views():
    truth = {
        ("p/1", "p/1~0.01"): 0.90,  # an isolated copy pair
        ("q/1", "q/1~0.02"): 0.82,  # a copy pair, but q/1 has another neighbour >= 0.7
        ("q/1", "r/7"): 0.71,
        ("s/1", "s/1~0.2"): 0.55,  # below t - 0.1: not a pair the view is about
    }
    assert is_copy_pair("p/1~0.01", "p/1") and not is_copy_pair("p/1~0.01", "p/1~0.02")
    assert not is_copy_pair("p/1", "p/2~0.01")
    assert isolated_copy_docs(truth, 0.8) == {"p/1", "p/1~0.01"}
    views = split_truth(truth, 0.8)
    assert set(views["isolated copies"][0]) == {("p/1", "p/1~0.01")}
    assert len(views["other pairs"][0]) == 3 and len(views["all"][0]) == 4
    links = [("p/1~0.01", "p/1"), ("q/1~0.02", "q/1"), ("x", "p/1")]
    docs = views["isolated copies"][1]
    assert view_links(links, "isolated copies", docs) == [("p/1~0.01", "p/1"), ("x", "p/1")]
    assert view_links(links, "other pairs", docs) == [("q/1~0.02", "q/1")]
    assert view_links(links, "all", None) == links


def test_oracle_one_pass_policies():
    # order a, d, b, c. b is a duplicate of a; c is closest to b (removed), then d (kept) and a (kept, 0.80).
    truth = {("a", "b"): 0.85, ("c", "d"): 0.81, ("b", "c"): 0.95, ("a", "c"): 0.80, ("a", "d"): 0.5}
    ids = ["a", "d", "b", "c"]
    star_links, star_joins, _ = oracle_one_pass(ids, truth, 0.8, "stars")
    assert [x[:2] for x in star_links] == [("b", "a"), ("c", "d")]  # c goes to d, the most similar KEPT one
    assert star_joins == []
    family_links, joins, _ = oracle_one_pass(ids, truth, 0.8, "families")
    assert family_links == star_links  # the same decisions ...
    assert joins == [("d", "a")]  # ... but c also passes a, so a's and d's clusters are one family
    s_star = score(truth, cluster_heads(ids, star_links, joins=star_joins), star_links, 0.8)
    s_family = score(truth, cluster_heads(ids, family_links, joins=joins), family_links, 0.8)
    # recall pairs: (b, c) 0.95 high; (a, b) 0.85, (c, d) 0.81, (a, c) 0.80 near
    assert (s_star.found_high, s_star.found_near) == (0, 2)  # {a, b}, {d, c}: (a, b) and (c, d)
    assert (s_family.found_high, s_family.found_near) == (1, 3)  # {a, b, c, d}: every pair
    assert s_star.misses == {("high", "other cluster"): 1, ("near", "other cluster"): 1}


def test_clusters_file_heads(tmp_path):
    path = tmp_path / "clusters.jsonl"
    lines = [{"cluster": "a", "id": "a"}, {"cluster": "a", "id": "d"}, {"cluster": "a", "id": "b"}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    heads = clusters_file_heads(path, ["a", "b", "c", "d", "e"], rejected=["e"])
    assert heads == {"a": "a", "b": "a", "c": "c", "d": "a", "e": None}


def test_write_results_replaces_only_its_section(tmp_path):
    path = tmp_path / "RESULTS.md"
    write_results(path, "first")
    assert path.read_text().startswith("# Benchmark results\n")
    path.write_text(path.read_text() + "\n## Throughput (other.py)\n\nkeep me\n")
    write_results(path, "second")
    text = path.read_text()
    assert "first" not in text and "second" in text and "keep me" in text
    assert text.count("## Near-duplicate quality (quality.py)") == 1
    assert text.index("second") < text.index("## Throughput")
