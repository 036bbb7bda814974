"""The HTML report: content and escaping on constructed inputs, and a real page rendered in headless Chromium.

The Chromium test is not skipped when the browser is missing: ``make test`` installs it with
``tests/ensure_chromium.sh``, and a missing browser is a broken set-up that should fail loudly. Its
screenshot is kept in ``tests/artifacts/`` for a person to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpora import bridge, document, edit, vocabulary

from dedupe.cleaning import repeats
from dedupe.cli import main
from dedupe.report.html import (
    clusters_from_lines,
    histogram_svg,
    ids_for_diffs,
    render_html,
    repair_example,
    word_diff,
)

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

REPORT = {
    "read": 1234,
    "kept": 1000,
    "removed": 200,
    "rejected": 34,
    "balanced": True,
    "stages": {"near": {"removed": 150, "candidates_checked": 9876}, "exact": {"removed": 50}},
    "chars_in": 5_000_000,
    "chars_out": 4_000_000,
    "seconds": 1.5,
    "paths": {"input": "in.jsonl", "output": "out.jsonl"},
    "options": {"threshold": 0.8, "skip_rules": []},
    "version": "0.1.0",
}


def _dup(doc_id: str, step: str, of: str, similarity: float) -> dict:
    reason = f"{step} duplicate of {of}"
    return {
        "id": doc_id,
        "step": step,
        "reason": reason,
        "kind": "removed",
        "duplicate_of": of,
        "similarity": similarity,
    }


REMOVALS = [
    _dup("b", "near", "a", 0.9),
    _dup("c", "near", "a", 0.85),
    _dup("e", "exact", "d", 1.0),
    {"id": "x:3", "step": "read", "reason": "line 3: malformed JSON (Expecting value)", "kind": "rejected"},
    {"id": "x:9", "step": "read", "reason": "line 9: malformed JSON (Expecting value)", "kind": "rejected"},
    {"id": "x:12", "step": "read", "reason": "text is empty", "kind": "rejected"},
]
CLUSTER_LINES = [  # the clusters file of the run that wrote REMOVALS
    {"cluster": "a", "id": "a", "status": "kept"},
    {"cluster": "a", "id": "b", "status": "removed", "step": "near", "duplicate_of": "a", "similarity": 0.9},
    {"cluster": "a", "id": "c", "status": "removed", "step": "near", "duplicate_of": "a", "similarity": 0.85},
    {"cluster": "d", "id": "d", "status": "kept"},
    {"cluster": "d", "id": "e", "status": "removed", "step": "exact", "duplicate_of": "d", "similarity": 1.0},
]
GROUPS = clusters_from_lines(CLUSTER_LINES)
TEXTS = {
    "a": "the quick brown fox jumps over the lazy dog <script>alert(1)</script>",
    "b": "the quick red fox jumps over the lazy dog <script>alert(1)</script>",
    "c": "the quick brown fox leaps over the lazy dog",
}


def _no_external_resources(page: str) -> None:
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "url(" not in page and "@import" not in page and "<script" not in page.lower()
    assert "<link" not in page and "<img" not in page and "<iframe" not in page


def test_numbers_stages_and_options_appear() -> None:
    page = render_html(REPORT, REMOVALS)
    for n in ("1,234", "1,000", "200", "34", "9,876", "5,000,000"):
        assert n in page
    assert 'id="n-read">1,234<' in page and 'id="n-rejected">34<' in page
    assert "candidates checked" in page and "account balances" in page
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_unbalanced_account_is_flagged() -> None:
    assert "does not balance" in render_html({**REPORT, "balanced": False}, [])


def test_texts_and_ids_are_escaped() -> None:
    removals = REMOVALS + [
        {"id": "<b>evil</b>", "step": "read", "reason": "<script>alert(2)</script>", "kind": "rejected"}
    ]
    page = render_html(REPORT, removals, clusters=GROUPS, texts=TEXTS)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;evil&lt;/b&gt;" in page and "<b>evil</b>" not in page


def test_histogram_marks_the_threshold() -> None:
    pairs = [{"a": "a", "b": "b", "estimated": 0.9, "exact": v} for v in (0.3, 0.5, 0.79, 0.8, 0.95, 1.0)]
    page = render_html(REPORT, REMOVALS, pairs=pairs)
    assert 'class="threshold"' in page and "threshold 0.80" in page
    assert "6 candidate pairs" in page and 'id="n-above">3<' in page
    svg = histogram_svg([0.8, 0.81, 0.2], 0.8)
    assert svg.count('class="bar dup"') == 1 and svg.count('class="bar"') == 1  # one bin of 2 above, one below
    assert "<title>0.80–0.85: 2</title>" in svg
    # the threshold line sits at 0.8 of the plot width
    x = float(re.search(r'class="threshold" id="threshold" x1="([\d.]+)"', svg).group(1))
    assert x == pytest.approx(48 + 0.8 * (760 - 48 - 16), abs=0.1)


def test_histogram_falls_back_to_removal_similarities() -> None:
    page = render_html(REPORT, REMOVALS)
    assert "3 removed duplicates" in page and 'class="bar dup"' in page
    assert "No candidate pairs" in render_html(REPORT, [])


def test_threshold_comes_from_the_report() -> None:
    page = render_html({**REPORT, "options": {"threshold": 0.7}}, REMOVALS, threshold=0.9)
    assert "threshold 0.70" in page
    assert "threshold 0.90" in render_html({**REPORT, "options": {}}, REMOVALS, threshold=0.9)


def test_clusters_and_word_diffs() -> None:
    page = render_html(REPORT, REMOVALS, clusters=GROUPS, texts=TEXTS)
    assert "<del>brown </del>" in page and "<ins>red </ins>" in page  # b against a
    assert "<del>jumps </del>" in page and "<ins>leaps </ins>" in page  # c against a
    assert "Group 1: 3 documents" in page and "Group 2: 2 documents" in page
    assert "No text at hand for d, e" in page
    same = render_html(REPORT, REMOVALS, clusters=GROUPS, texts={"d": "Same  words here", "e": "Same words here"})
    assert "Removed <code>e</code> has the same words as kept <code>d</code> (3 words" in same
    left, right, changed = word_diff("one two\n\nthree four", "one 2 three four five")
    assert changed == 2 and left == "one <del>two\n\n</del>three four"
    assert right == "one <ins>2 </ins>three four <ins>five</ins>"
    long = " ".join(f"w{i}" for i in range(100))
    left, right, changed = word_diff(long, long.replace("w50", "X"), context=3)
    assert changed == 1 and "… 47 unchanged words …" in left and "w49 <ins>X </ins>w51" in right
    assert "… 46 unchanged words …" in right and "w10 " not in left


def test_long_texts_are_capped() -> None:
    long_a = " ".join(f"w{i}" for i in range(5000))
    groups = clusters_from_lines(CLUSTER_LINES[:2])
    page = render_html(REPORT, REMOVALS[:1], clusters=groups, texts={"a": long_a, "b": long_a + " extra"})
    assert "more characters not shown" in page and "w4999" not in page
    assert len(page) < 60_000


def test_clusters_from_lines_and_ids_for_diffs() -> None:
    groups = clusters_from_lines(CLUSTER_LINES)
    assert [(g["kept"], g["size"]) for g in groups] == [("a", 3), ("d", 2)]
    assert ids_for_diffs(groups) == {"a", "b", "c", "d", "e"}
    assert ids_for_diffs(groups, max_clusters=1) == {"a", "b", "c"}
    given = [{"kept": "k", "size": 2, "members": [{"id": "m", "step": "near", "similarity": 0.88}], "pairs": []}]
    page = render_html(REPORT, REMOVALS, clusters=given, texts={"k": "x y", "m": "x z"})
    assert "kept <code>k</code>" in page and "Group 2" not in page
    assert "No clusters were given" in render_html(REPORT, REMOVALS)
    assert "No duplicates were removed" in render_html(REPORT, REMOVALS, clusters=[])


def test_a_family_of_two_kept_documents_is_one_group_with_both() -> None:
    """D is near both A and C, which are too far apart for either to remove the other: the run's
    cluster is the family {A, C} with D and E (an exact copy of C), and the page shows that one group."""
    lines = [
        {"cluster": "Z", "id": "Z", "status": "kept"},
        {"cluster": "Z", "id": "Y", "status": "removed", "step": "near", "duplicate_of": "Z", "similarity": 0.9},
        {"cluster": "A", "id": "A", "status": "kept"},
        {"cluster": "A", "id": "C", "status": "kept"},
        {"cluster": "A", "id": "D", "status": "removed", "step": "near", "duplicate_of": "A", "similarity": 0.85},
        {"cluster": "A", "id": "E", "status": "removed", "step": "exact", "duplicate_of": "C", "similarity": 1.0},
        {"cluster": "B", "id": "B", "status": "kept"},
        {"cluster": "B", "id": "F", "status": "removed", "step": "near", "duplicate_of": "B", "similarity": 0.8},
    ]
    groups = clusters_from_lines(lines)
    assert [(g["kept"], g["also_kept"], g["size"]) for g in groups] == [("A", ["C"], 4), ("B", [], 2), ("Z", [], 2)]
    assert groups[0]["members"] == [
        {"id": "D", "step": "near", "duplicate_of": "A", "similarity": 0.85},
        {"id": "E", "step": "exact", "duplicate_of": "C", "similarity": 1.0},
    ]
    assert ids_for_diffs(groups, max_clusters=1) == {"A", "C", "D", "E"}  # E is diffed against C, not A
    texts = {"A": "one two three four", "C": "one two five six", "D": "one two three six", "E": "one two five six"}
    page = render_html(REPORT, [], clusters=groups, texts=texts)
    assert "3 groups" in page and page.count('<div class="cluster">') == 3
    assert "Group 1: 4 documents, kept <code>A</code>, also kept <code>C</code></h3>" in page
    assert "Removed <code>E</code> has the same words as kept <code>C</code>" in page
    assert "kept <code>A</code></div>" in page and "removed <code>D</code>" in page  # D against A


def test_rejections_grouped_by_reason() -> None:
    page = render_html(REPORT, REMOVALS)
    row = re.search(r"<tr><td>malformed JSON \(Expecting value\)</td><td>read</td><td class=\"n\">2</td>", page)
    assert row and "<code>x:3</code>, <code>x:9</code>" in page and "text is empty" in page
    assert "No document was rejected" in render_html(REPORT, REMOVALS[:3])


def test_repairs_shown() -> None:
    para = "Subscribe to our newsletter for weekly updates on everything that matters to you."
    text = f"Intro paragraph with several words in it.\n\n{para}\n\nMiddle paragraph with other words here.\n\n{para}"
    repaired = repeats.repair(text)
    assert repaired.removed, "the constructed document must have a repeat to repair"
    example = repair_example("doc<1>", text, repaired.removed)
    assert example["removed"][0]["text"] == para == example["removed"][0]["repeat_of_text"]
    page = render_html(REPORT, [], repairs=[example])
    assert "Repaired repeats" in page and "doc&lt;1&gt;" in page and "Subscribe to our newsletter" in page
    assert "Repaired repeats" not in render_html(REPORT, [])


def test_deterministic_and_self_contained() -> None:
    pairs = [{"a": "a", "b": "b", "estimated": 0.9, "exact": 0.91}]
    one = render_html(REPORT, REMOVALS, pairs=pairs, clusters=GROUPS, texts=TEXTS)
    two = render_html(
        dict(REPORT), list(REMOVALS), pairs=list(pairs), clusters=clusters_from_lines(CLUSTER_LINES), texts=dict(TEXTS)
    )
    assert one == two
    _no_external_resources(one)
    assert "http://" not in one and "https://" not in one
    assert "Content-Security-Policy" in one


# ------------------------------------------------------------------------------------ a real run, Chromium


def _corpus(path: Path) -> tuple[list[dict], dict[str, str]]:
    """Forty documents, one with five near-copies at small edit rates (one group of six), two with copies
    below the threshold (candidate pairs, not duplicates), an exact copy, a document with a repeated
    paragraph, and three lines that must be rejected."""
    vocab = vocabulary()
    docs = [{"id": f"doc{i:02d}", "text": document(160, seed=i, vocab=vocab)} for i in range(40)]
    base = docs[0]["text"]
    for k, rate in enumerate((0.004, 0.008, 0.012, 0.016, 0.02)):
        docs.append({"id": f"doc00~{rate}", "text": edit(base, rate, seed=k, vocab=vocab)})
    for i, rate in ((1, 0.06), (2, 0.1)):
        docs.append({"id": f"doc{i:02d}~{rate}", "text": edit(docs[i]["text"], rate, seed=i, vocab=vocab)})
    docs.append({"id": "doc03-copy", "text": docs[3]["text"]})
    para = "Share this article with your friends and sign up for the newsletter to hear about new posts."
    docs.append({"id": "repeats", "text": f"{document(60, seed=99)}\n\n{para}\n\n{document(60, seed=98)}\n\n{para}"})
    lines = [json.dumps(d) for d in docs]
    lines[10:10] = ["{not json", json.dumps({"id": "empty", "text": "   "}), json.dumps({"id": "notext"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return docs, {d["id"]: d["text"] for d in docs}


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _real_page(tmp_path: Path) -> tuple[str, dict]:
    src = tmp_path / "corpus.jsonl"
    docs, texts = _corpus(src)
    runner = CliRunner()
    out = tmp_path / "out.jsonl"
    clusters_file = tmp_path / "clusters.jsonl"
    result = runner.invoke(main, ["run", str(src), "-o", str(out), "-j", "1", "-q", "--clusters", str(clusters_file)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out.report.json").read_text(encoding="utf-8"))
    removals = _read_jsonl(tmp_path / "out.removed.jsonl")
    result = runner.invoke(main, ["pairs", str(src), "-o", str(tmp_path / "pairs.jsonl"), "-j", "1", "--min", "0.3"])
    assert result.exit_code == 0, result.output
    pairs = _read_jsonl(tmp_path / "pairs.jsonl")
    clusters = clusters_from_lines(_read_jsonl(clusters_file))
    repaired = repeats.repair(texts["repeats"])
    page = render_html(
        report,
        removals,
        pairs=pairs,
        clusters=clusters,
        texts={i: texts[i] for i in ids_for_diffs(clusters)},
        repairs=[repair_example("repeats", texts["repeats"], repaired.removed)],
        threshold=report["options"]["threshold"],
    )
    return page, report


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120)


def test_real_run_renders_in_headless_chromium(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium with `sh tests/ensure_chromium.sh` "
            "(make test does this) to run the HTML report's browser test"
        )
    page, report = _real_page(tmp_path)
    assert report["read"] == report["kept"] + report["removed"] + report["rejected"]
    assert report["removed"] >= 6 and report["rejected"] == 3  # five near copies + one exact; three bad lines
    _no_external_resources(page)
    html_file = tmp_path / "report.html"
    html_file.write_text(page, encoding="utf-8")

    dom = _chromium("--dump-dom", html_file.as_uri(), profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    for key in ("read", "kept", "removed", "rejected"):
        assert f'id="n-{key}">{report[key]:,}<' in dom.stdout, key
    assert 'class="threshold"' in dom.stdout and "threshold 0.80" in dom.stdout
    assert "Group 1: 6 documents" in dom.stdout and "has the same words as kept" in dom.stdout
    assert "Group 1: 6 documents" in dom.stdout and "<del>" in dom.stdout and "<ins>" in dom.stdout
    assert "Share this article" in dom.stdout and "malformed JSON" in dom.stdout and "unchanged words" in dom.stdout

    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "html_report.png"
    png.unlink(missing_ok=True)
    shot = _chromium(
        f"--screenshot={png}", "--window-size=1280,2000", html_file.as_uri(), profile=tmp_path / "profile-shot"
    )
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 30_000, "a blank page compresses to a few kB; the report must have drawn something"
    shutil.copy(html_file, ARTIFACTS / "html_report.html")


def test_run_html_option_writes_the_page_with_diffs_and_repairs(tmp_path):
    """`dedupe run --html FILE`: the page of a real run, with the texts it needs read back from the input."""
    base = document(300, seed=7)
    seed000 = (Path(__file__).resolve().parent.parent / "seeds" / "000_d6ccdd7f7920074a.txt").read_text()
    records = [
        {"id": "orig", "text": base},
        {"id": "copy", "text": edit(base, 0.01, seed=8)},
        {"id": "doubled", "text": seed000},
        {"id": "bad", "text": 5},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    page = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["run", str(src), "-o", str(tmp_path / "out.jsonl"), "-q", "--html", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "<del>" in html and "<ins>" in html  # the removed copy diffed against the kept original
    assert "Ex-Engineer Sentenced to Death" in html  # the repaired headline of seed 000
    assert "Group 1: 2 documents, kept <code>orig</code></h3>" in html and "1 group;" in html
    assert "not a string" in html  # the rejection, grouped by reason
    assert "http://" not in html and "https://" not in html


def _page_groups(page: str) -> list[tuple[str, list[str], int, list[tuple[str, str, str]]]]:
    """The groups a page shows: (kept, also kept, size, [(removed, step, duplicate of)]), in page order."""
    groups = []
    for block in page.split('<div class="cluster">')[1:]:
        head = re.match(r"<h3>Group \d+: (\d+) documents, kept <code>(.*?)</code>(?:, also kept (.*?))?</h3>", block)
        assert head, block[:200]
        also = re.findall(r"<code>(.*?)</code>", head.group(3) or "")
        body = block.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        rows = re.findall(r"<tr><td><code>(.*?)</code></td><td>(.*?)</td><td><code>(.*?)</code></td>", body)
        groups.append((head.group(2), also, int(head.group(1)), rows))
    return groups


def test_the_pages_groups_are_the_clusters_files(tmp_path):
    """`dedupe run --clusters F --html P`: P shows exactly the clusters of F (and of `dedupe clusters`),
    including a family of two kept documents joined by a removed one similar to both."""
    a, c, d = bridge(seed=21)
    x, y = document(300, seed=22), document(300, seed=24)
    records = [
        ("A", a),
        ("X", x),
        ("C", c),
        ("D", d),  # near both A and C: removed, and joins C's family to A's
        ("E", c),  # exact copy of C: diffed against C, which is not the cluster's name
        ("F", edit(x, 0.005, seed=23)),
        ("Y", y),
        ("G", edit(y, 0.005, seed=25)),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in records))
    clusters_file, page_file = tmp_path / "clusters.jsonl", tmp_path / "page.html"
    args = ["run", str(src), "-o", str(tmp_path / "out.jsonl"), "-q", "--clusters", str(clusters_file)]
    result = CliRunner().invoke(main, [*args, "--html", str(page_file)])
    assert result.exit_code == 0, result.output
    page = page_file.read_text(encoding="utf-8")
    lines = _read_jsonl(clusters_file)

    def summary(groups):  # similarities left out: `dedupe clusters` does not round them as the log does
        return [
            (g["kept"], g["also_kept"], g["size"], [(m["id"], m["step"], m["duplicate_of"]) for m in g["members"]])
            for g in groups
        ]

    expected = summary(clusters_from_lines(lines))
    assert _page_groups(page) == expected
    assert expected == [
        ("A", ["C"], 4, [("D", "near", expected[0][3][0][2]), ("E", "exact", "C")]),
        ("X", [], 2, [("F", "near", "X")]),
        ("Y", [], 2, [("G", "near", "Y")]),
    ]
    assert {m["cluster"] for m in lines} == {"A", "X", "Y"} and "3 groups;" in page
    assert "Removed <code>E</code> has the same words as kept <code>C</code>" in page  # C's text was collected
    inspected = CliRunner().invoke(main, ["clusters", str(src)], catch_exceptions=False)
    assert summary(map(json.loads, inspected.stdout.splitlines())) == expected
