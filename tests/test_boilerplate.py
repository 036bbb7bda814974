"""Corpus-wide boilerplate (``--boilerplate``): the rule (cleaning/boilerplate.py), the two passes of a
run in every mode, and what the report, the HTML page and ``dedupe explain`` say about it."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SEEDS, dedupe_ok
from corpora import document, edit
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.api import Deduplicator
from dedupe.cleaning.boilerplate import Boilerplate, LineCounts, distinct_lines, line_hashes, without_lines
from dedupe.cli import main
from dedupe.engines.local import batched, shared_lines
from dedupe.io import InputFormat
from dedupe.options import Execution, Options
from dedupe.report.progress import Progress
from dedupe.run.corpus import run_corpus
from dedupe.run.files import Paths

NAV = "Home | World | Business | Sport | Weather\nSign in to your account"
FOOTER = (
    "Share this article\n"
    "We use cookies to improve your experience on our site. Accept all cookies.\n"
    "\u00a9 2026 Example News. All rights reserved."
)
DATELINE = "LONDON (Reuters) -"
TEMPLATE_LINES = [*NAV.split("\n"), DATELINE, *FOOTER.split("\n")]


def _paragraphs(n: int, seed: int, words: int = 45) -> list[str]:
    return [document(words, seed=seed * 100 + k) for k in range(n)]


def site_corpus() -> list[dict]:
    """Ten pages of one site (template around each page's own article, more article than template), six
    copies of one syndicated article (each with its own 'Updated' line, one reworded in a word), and two
    articles that quote the same paragraph."""
    docs = []
    for i in range(10):
        body = "\n\n".join(_paragraphs(3, seed=i))
        docs.append({"id": f"page{i}", "text": f"{NAV}\n\n{DATELINE}\n\n{body}\n\n{FOOTER}\n"})
    article = _paragraphs(5, seed=99)
    for i in range(6):
        paras = list(article)
        if i == 3:
            paras[2] = edit(paras[2], 0.05, seed=3)
        docs.append({"id": f"synd{i}", "text": f"Updated {i + 1} hours ago\n\n" + "\n\n".join(paras) + "\n"})
    quote = "The minister said the plan would cost far more than anyone in the department had expected."
    for i in range(2):
        docs.append({"id": f"quote{i}", "text": "\n\n".join([*_paragraphs(2, seed=200 + i), quote]) + "\n"})
    return docs


def _write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def _write_folder(path: Path, docs: list[dict]) -> Path:
    path.mkdir()
    for d in docs:
        (path / f"{d['id']}.txt").write_text(d["text"], encoding="utf-8")
    return path


def _kept(out: Path) -> dict[str, str]:
    return {r["id"]: r["text"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}


def _removed(out: Path) -> dict[str, dict]:
    log = out.with_name(out.name.replace(".jsonl", ".removed.jsonl"))
    return {r["id"]: r for r in map(json.loads, log.read_text(encoding="utf-8").splitlines())}


def _run(tmp_path: Path, name: str, *extra: str, docs: list[dict] | None = None) -> tuple[Path, dict]:
    src = tmp_path / "in.jsonl"
    if not src.exists():
        _write_jsonl(src, docs if docs is not None else site_corpus())
    out = tmp_path / f"{name}.jsonl"
    dedupe_ok("run", str(src), "-o", str(out), "-q", *extra)
    return out, json.loads((tmp_path / f"{name}.report.json").read_text())


# --------------------------------------------------------------------------------------------- the rule


def test_template_lines_and_the_dateline_go_and_each_page_keeps_its_article(tmp_path: Path):
    out, report = _run(tmp_path, "out", "--boilerplate", "--jobs", "1")
    kept = _kept(out)
    docs = {d["id"]: d["text"] for d in site_corpus()}
    for i in range(10):
        text = kept[f"page{i}"]
        for line in TEMPLATE_LINES:
            assert line not in text.split("\n")
        body = "\n\n".join(_paragraphs(3, seed=i)) + "\n"
        assert text == body  # the article whole, no hole where the template was, final line break kept
        assert body in docs[f"page{i}"]
    stage = report["stages"]["boilerplate"]
    assert stage["documents_changed"] == 10
    assert stage["lines"] == 10 * len(TEMPLATE_LINES)
    assert stage["chars"] == sum(len(docs[f"page{i}"]) - len(kept[f"page{i}"]) for i in range(10))
    assert report["balanced"]


def test_syndicated_copies_are_kept_whole_and_removed_as_duplicates_of_the_first(tmp_path: Path):
    out, report = _run(tmp_path, "out", "--boilerplate")
    kept, removed = _kept(out), _removed(out)
    docs = {d["id"]: d["text"] for d in site_corpus()}
    assert kept["synd0"] == docs["synd0"]  # the kept copy keeps its whole text
    for i in range(1, 6):
        assert removed[f"synd{i}"]["step"] == "near"
        assert removed[f"synd{i}"]["duplicate_of"] == "synd0"
    assert report["stages"]["boilerplate"]["kept whole"] == 6


def test_a_paragraph_quoted_by_fewer_than_n_documents_is_content(tmp_path: Path):
    out, _ = _run(tmp_path, "out", "--boilerplate")
    docs = {d["id"]: d["text"] for d in site_corpus()}
    kept = _kept(out)
    assert kept["quote0"] == docs["quote0"] and kept["quote1"] == docs["quote1"]
    # ... and with --boilerplate-min-docs 2 the quote is shared, so both lose it
    out2, _ = _run(tmp_path, "two", "--boilerplate", "--boilerplate-min-docs", "2")
    quote = docs["quote0"].rstrip("\n").split("\n")[-1]
    assert quote not in _kept(out2)["quote0"]


def test_a_template_no_longer_makes_different_pages_look_alike(tmp_path: Path):
    """Pages whose shared template is a good part of their text are near-duplicates by MinHash at a low
    threshold; with --boilerplate the template is gone before the near step and every page stays."""
    template = "\n".join(document(12, seed=500 + k) for k in range(6))
    docs = [{"id": f"p{i}", "text": f"{template}\n\n{document(80, seed=600 + i)}\n"} for i in range(8)]
    _, plain = _run(tmp_path, "plain", "--threshold", "0.2", docs=docs)
    _, cleaned = _run(tmp_path, "cleaned", "--threshold", "0.2", "--boilerplate")
    assert plain["removed"] >= 4
    assert cleaned["removed"] == 0 and cleaned["kept"] == 8


def test_exact_copies_count_once(tmp_path: Path):
    """Five exact copies of one page make none of its lines boilerplate: they are one text."""
    page = f"{NAV}\n\n{document(80, seed=1)}\n"
    docs = [{"id": f"c{i}", "text": page} for i in range(5)] + [{"id": "other", "text": document(80, seed=2)}]
    _, report = _run(tmp_path, "out", "--boilerplate", docs=docs)
    assert report["boilerplate"]["lines_shared"] == 0
    assert report["stages"].get("boilerplate") is None
    assert report["stages"]["exact"]["removed"] == 4


def test_the_report_lists_the_most_common_lines_as_they_read(tmp_path: Path):
    _, report = _run(tmp_path, "out", "--boilerplate")
    section = report["boilerplate"]
    assert section["min_docs"] == 5
    top = {t["line"]: t["documents"] for t in section["top"]}
    for line in TEMPLATE_LINES:
        assert top[line] == 10
    # and the syndicated article's five paragraphs (the one reworded in one copy is still in five)
    assert section["lines_shared"] == len(TEMPLATE_LINES) + 5
    assert section["lines_counted"] > section["lines_shared"]


# ------------------------------------------------------------------------ every way of running gives the same


def _files(tmp_path: Path, name: str) -> tuple[bytes, bytes]:
    return (tmp_path / f"{name}.jsonl").read_bytes(), (tmp_path / f"{name}.removed.jsonl").read_bytes()


def test_jobs_modes_and_stdin_give_the_same_files(tmp_path: Path):
    _run(tmp_path, "one", "--boilerplate", "--jobs", "1")
    _run(tmp_path, "two", "--boilerplate", "--jobs", "2")
    _run(tmp_path, "batch", "--boilerplate", "--jobs", "2", "--mode", "batch")
    for jobs, mode in ((1, "stream"), (2, "stream"), (2, "batch")):  # batches of 3: many in flight
        name = f"small{jobs}{mode}"
        paths = Paths(
            str(tmp_path / "in.jsonl"),
            str(tmp_path / f"{name}.jsonl"),
            tmp_path / f"{name}.removed.jsonl",
            tmp_path / f"{name}.report.json",
        )
        run_corpus(
            paths, Options(boilerplate=True), execution=Execution(jobs=jobs, batch_size=3, mode=mode), progress=False
        )
    src = (tmp_path / "in.jsonl").read_text(encoding="utf-8")
    for jobs in ("1", "2"):
        out = tmp_path / f"stdin{jobs}.jsonl"
        result = CliRunner().invoke(
            main, ["run", "-", "-o", str(out), "-q", "--boilerplate", "--jobs", jobs], input=src
        )
        assert result.exit_code == 0, result.output
    reference = _files(tmp_path, "one")
    for name in ("two", "batch", "stdin1", "stdin2", "small1stream", "small2stream", "small2batch"):
        assert _files(tmp_path, name) == reference, name


def test_a_folder_and_its_json_lines_agree(tmp_path: Path):
    docs = site_corpus()
    folder = _write_folder(tmp_path / "site", docs)
    dedupe_ok("run", str(folder), "-o", str(tmp_path / "fout"), "-q", "--boilerplate")
    out, _ = _run(tmp_path, "out", "--boilerplate", docs=docs)
    kept = _kept(out)
    written = {p.stem: p.read_text(encoding="utf-8") for p in (tmp_path / "fout").iterdir()}
    assert written == kept


def test_without_the_option_nothing_changes(tmp_path: Path):
    """The report of a run without --boilerplate records what it recorded before the option existed."""
    _, report = _run(tmp_path, "out")
    assert "boilerplate" not in report and "boilerplate" not in report["options"]
    assert "boilerplate" not in report["stages"]


def test_seeds_come_out_as_before(tmp_path: Path):
    """Five different articles share no line five times: the seeds are cleaned as without the option."""
    dedupe_ok("run", str(SEEDS), "-o", str(tmp_path / "a"), "-q")
    dedupe_ok("run", str(SEEDS), "-o", str(tmp_path / "b"), "-q", "--boilerplate")
    for path in (tmp_path / "a").iterdir():
        assert (tmp_path / "b" / path.name).read_bytes() == path.read_bytes()


def test_min_docs_below_two_is_a_usage_error(tmp_path: Path):
    src = _write_jsonl(tmp_path / "in.jsonl", site_corpus())
    result = CliRunner().invoke(main, ["run", str(src), "-o", str(tmp_path / "o.jsonl"), "--boilerplate-min-docs", "1"])
    assert result.exit_code == 2 and "--boilerplate-min-docs" in result.output
    with pytest.raises(ValueError, match="at least 2"):
        Options(boilerplate=True, boilerplate_min_docs=1)


# ------------------------------------------------------------------------------------------ explain, HTML, API


def test_explain_shows_the_lines_a_run_would_remove(tmp_path: Path):
    folder = _write_folder(tmp_path / "site", site_corpus())
    out = dedupe_ok("explain", str(folder / "page3.txt"), "--boilerplate-from", str(folder))
    assert f"boilerplate line 4: {DATELINE!r} is in 10 documents of {folder}" in out
    assert out.count("boilerplate line") == len(TEMPLATE_LINES)
    copy = dedupe_ok("explain", str(folder / "synd2.txt"), "--boilerplate-from", str(folder))
    assert "kept whole" in copy and "boilerplate line" not in copy
    plain = dedupe_ok("explain", str(folder / "page3.txt"))
    assert "boilerplate" not in plain


def test_explain_with_a_missing_corpus_is_a_usage_error(tmp_path: Path):
    page = tmp_path / "page.txt"
    page.write_text("Some text.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(page), "--boilerplate-from", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "--boilerplate-from" in result.output and "Traceback" not in result.output


def test_the_html_page_lists_the_common_lines(tmp_path: Path):
    src = _write_jsonl(tmp_path / "in.jsonl", site_corpus())
    page = tmp_path / "page.html"
    dedupe_ok("run", str(src), "-o", str(tmp_path / "o.jsonl"), "-q", "--boilerplate", "--html", str(page))
    html = page.read_text(encoding="utf-8")
    assert '<section id="boilerplate">' in html
    assert "<code>Share this article</code>" in html and "&copy;" not in html and "\u00a9 2026" in html


def test_the_api_counts_each_call_and_refuses_single_batches():
    docs = [d["text"] for d in site_corpus()]
    dd = Deduplicator(boilerplate=True)
    kept = list(dd.filter(docs))
    assert all(DATELINE not in text.split("\n") for text in kept)
    assert dd.account.balanced and dd.account.stages["boilerplate"]["documents_changed"] == 10
    with pytest.raises(ValueError, match="whole corpus"):
        dd.keep_batch({"text": docs})


# --------------------------------------------------------------------------------- the pieces, and invariants


def test_removing_lines_leaves_no_hole_and_keeps_the_final_break():
    text = "Home\nNews\n\nBody one.\nBody two.\n\nFooter\n"
    assert (
        without_lines(text, [True, True, False, False, False, False, False, False])
        == "Body one.\nBody two.\n\nFooter\n"
    )
    assert without_lines(text, [False] * 6 + [True, False]) == "Home\nNews\n\nBody one.\nBody two.\n"
    assert without_lines(text, [False, False, False, True, False, False, False, False]) == (
        "Home\nNews\n\nBody two.\n\nFooter\n"
    )
    assert without_lines("a\nb", [False, True]) == "a"
    assert without_lines("\n", [False, False]) == "\n"  # a text of one line break keeps it (hypothesis found it)
    assert without_lines("nav\n", [True, False]) == ""


lines_st = st.lists(st.sampled_from(["", "nav", "Share this", "body one", "body two", "  ", "footer"]), max_size=12)


@settings(max_examples=300, deadline=None)
@given(lines_st, st.data())
def test_property_removal_only_removes_marked_lines(lines: list[str], data: st.DataObject):
    text = "\n".join(lines)
    marks = [data.draw(st.booleans()) and bool(line.strip()) for line in text.split("\n")]
    out = without_lines(text, marks)
    kept = [line for line, gone in zip(text.split("\n"), marks, strict=True) if not gone and line.strip()]
    assert [line for line in out.split("\n") if line.strip()] == kept  # every other line, in order
    assert "\n\n\n" not in out or "\n\n\n" in text  # no new run of blank lines
    assert without_lines(out, [False] * len(out.split("\n"))) == out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(1, 40), max_size=8), max_size=40))
def test_property_line_counts_equal_a_counter(docs: list[list[int]]):
    counts = LineCounts()
    reference: Counter[int] = Counter()
    for doc in docs:
        hashes = np.unique(np.array(doc, dtype=np.uint64))
        counts.add(hashes)
        reference.update(set(doc))
    table = counts.boilerplate(2)
    assert table.distinct == len(reference)
    assert dict(zip(table.keys.tolist(), table.counts.tolist(), strict=True)) == {
        h: n for h, n in reference.items() if n >= 2
    }


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(TEMPLATE_LINES + ["alpha beta", "gamma delta", "one two three"]), min_size=1, max_size=6
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(2, 4),
)
def test_property_only_lines_in_n_documents_go_and_mostly_shared_documents_stay_whole(
    docs: list[list[str]], min_docs: int
):
    texts = ["\n".join(lines) + "\n" for lines in docs]
    counts = LineCounts()
    for text in dict.fromkeys(texts):  # exact copies count once
        counts.add(distinct_lines(text))
    table = counts.boilerplate(min_docs)
    for text in texts:
        stripped = table.strip(text)
        docs_per_line = table.documents(line_hashes(text)[0])
        gone = [line for line in text.split("\n") if line and line not in stripped.text.split("\n")]
        for line in gone:  # a removed line is in at least min_docs distinct texts
            assert sum(line in t.split("\n") for t in set(texts)) >= min_docs
        if stripped.kept_whole:
            assert stripped.text == text and docs_per_line.any()
        assert table.strip(stripped.text).text == stripped.text  # no shared line is left: stripping again is a no-op


def test_an_empty_table_changes_nothing():
    text = f"{NAV}\n\nBody.\n"
    assert Boilerplate.none().strip(text).text == text
    assert distinct_lines("\n\n").size == 0


def test_the_first_pass_shows_its_own_progress_line(tmp_path: Path):
    """On a terminal (forced here) the counting pass says what it is doing before the run's own line."""
    stream = io.StringIO()
    bar = Progress(1000, stream, enabled=True, interval=0.0, label="boilerplate, counting lines (pass 1 of 2): ")
    bar.update(10, 500)
    assert "dedupe: boilerplate, counting lines (pass 1 of 2): [" in stream.getvalue()
    src = _write_jsonl(tmp_path / "in.jsonl", site_corpus())
    seen: list[tuple[int, int]] = []
    shared_lines(
        lambda: batched(InputFormat().open(str(src)).documents, 4),
        Options(boilerplate=True),
        on_batch=lambda d, c: seen.append((d, c)),
    )
    assert sum(d for d, _ in seen) == len(site_corpus())
    assert sum(c for _, c in seen) == sum(len(d["text"]) for d in site_corpus())
