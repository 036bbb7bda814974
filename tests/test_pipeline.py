"""The decision stages on constructed corpora: near-duplicates at known edit rates, exact copies,
unrelated documents, keep policies, the no-chaining rule, and the account."""

from __future__ import annotations

import json
from io import BytesIO

import numpy as np
import pytest
from corpora import bridge, document, edit, jaccard, vocabulary

from dedupe.decide.decider import Decider
from dedupe.document import Account, Document, Removal
from dedupe.engines.local import run_documents, run_lines
from dedupe.engines.transport import packed, unpacked
from dedupe.io.jsonl import output_line, read_jsonl, read_line_chunks
from dedupe.options import Options, split
from dedupe.prepare import prepare_batch

VOCAB = vocabulary()


def run(docs: list[tuple[str, str]], **options) -> tuple[list[Document], list[Removal], Account]:
    items = [Document(doc_id, text, order=i) for i, (doc_id, text) in enumerate(docs)]
    account = Account()
    kept, removed = [], []
    opts, execution = split(options)
    for outcome in run_documents(items, opts, account, execution=execution):
        (removed if isinstance(outcome, Removal) else kept).append(outcome)
    return kept, removed, account


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str]]:
    """30 unrelated originals, then edited copies of the first 20 at 0.5 %, 1 %, 3 % and 15 % word edits."""
    originals = [(f"orig{i:02d}", document(450, seed=i, vocab=VOCAB)) for i in range(30)]
    copies = []
    for i in range(20):
        rate = (0.005, 0.01, 0.03, 0.15)[i % 4]
        copies.append((f"copy{i:02d}@{rate}", edit(originals[i][1], rate, seed=100 + i, vocab=VOCAB)))
    return originals + copies


def test_near_duplicates_above_threshold_are_removed_and_name_their_original(corpus):
    kept, removed, account = run(corpus)
    by_id = dict(corpus)
    removed_ids = {r.id: r for r in removed}
    for doc_id, text in corpus:
        if not doc_id.startswith("copy"):
            continue
        original = "orig" + doc_id[4:6]
        true_j = jaccard(text, by_id[original])
        if true_j >= 0.9:
            assert doc_id in removed_ids, f"{doc_id} (J={true_j:.2f}) was kept"
            r = removed_ids[doc_id]
            assert r.step == "near"
            assert r.duplicate_of == original
            assert abs(r.similarity - true_j) < 0.12
        elif true_j < 0.6:
            assert doc_id not in removed_ids, f"{doc_id} (J={true_j:.2f}) was removed"
    # every original is kept: unrelated documents never remove each other
    assert all(f"orig{i:02d}" in {d.id for d in kept} for i in range(30))
    assert account.balanced and account.read == len(corpus)


def test_known_edit_rates_cover_both_sides_of_the_threshold(corpus):
    """Guard for the test above: the constructed copies really span high and low similarity."""
    by_id = dict(corpus)
    js = [jaccard(text, by_id["orig" + i[4:6]]) for i, text in corpus if i.startswith("copy")]
    assert max(js) > 0.9 and min(js) < 0.6


def test_exact_duplicates_are_caught_by_the_exact_stage():
    a = document(200, seed=1, vocab=VOCAB)
    kept, removed, _ = run([("a", a), ("b", a), ("c", document(200, seed=2, vocab=VOCAB)), ("d", a + "\n\n")])
    assert [d.id for d in kept] == ["a", "c"]
    assert [(r.id, r.step, r.duplicate_of, r.similarity) for r in removed] == [
        ("b", "exact", "a", 1.0),
        ("d", "exact", "a", 1.0),  # trailing blank lines are normalised away, so this is an exact copy
    ]


def test_exact_duplicates_are_still_near_duplicates_when_the_exact_stage_is_off():
    a = document(200, seed=1, vocab=VOCAB)
    _, removed, _ = run([("a", a), ("b", a)], exact=False)
    assert [(r.id, r.step, r.duplicate_of) for r in removed] == [("b", "near", "a")]
    assert removed[0].similarity == 1.0


def test_no_chaining_a_document_is_only_removed_as_a_duplicate_of_a_kept_one_it_resembles():
    # A ~ B and B ~ C, but A and C are not similar: B goes as a copy of A, C stays.
    words = document(600, seed=5, vocab=VOCAB).split(" ")
    a = " ".join(words[:500])
    b = " ".join(words[40:540])
    c = " ".join(words[80:580])
    assert jaccard(a, b) >= 0.8 and jaccard(b, c) >= 0.8 and jaccard(a, c) < 0.8
    kept, removed, _ = run([("A", a), ("B", b), ("C", c)], threshold=0.75)
    assert [d.id for d in kept] == ["A", "C"]
    assert removed[0].id == "B" and removed[0].duplicate_of == "A"


def test_a_removed_document_similar_to_two_kept_ones_joins_their_families():
    a, c, d = bridge(seed=9, vocab=VOCAB)
    assert jaccard(a, c) < 0.75 and jaccard(a, d) >= 0.8 and jaccard(c, d) >= 0.8
    other = document(300, seed=10, vocab=VOCAB)
    items = [Document(i, t, order=n) for n, (i, t) in enumerate([("A", a), ("X", other), ("C", c), ("D", d)])]
    decider = Decider(Options(), Account())
    outcomes = list(run_documents(items, Options(), Account(), decider=decider))
    assert [o.id for o in outcomes if isinstance(o, Document)] == ["A", "X", "C"]  # A and C too far apart
    (removal,) = [o for o in outcomes if isinstance(o, Removal)]
    assert removal.duplicate_of in ("A", "C") and removal.similarity >= 0.8
    families = decider.index.families
    numbers = {decider.index.label(k): k for k in range(len(decider.index))}
    assert families.find(numbers["A"]) == families.find(numbers["C"]) == numbers["A"]  # the earliest names it
    assert families.find(numbers["X"]) == numbers["X"]
    assert removal.kept_index == numbers[removal.duplicate_of]


def test_drop_all_removes_every_kept_member_of_a_cluster():
    a, c, d = bridge(seed=19, vocab=VOCAB)
    other = document(300, seed=20, vocab=VOCAB)
    kept, removed, account = run([("A", a), ("C", c), ("D", d), ("X", other)], drop_all=True)
    assert [doc.id for doc in kept] == ["X"]
    by_id = {r.id: r for r in removed}
    assert by_id["D"].step == "near" and by_id["A"].step == by_id["C"].step == "drop-all"
    assert "cluster" in by_id["C"].reason  # C has no duplicate of its own: it goes with its cluster
    assert account.balanced


def test_keep_longest_keeps_the_longest_of_a_group_and_reports_in_input_order():
    base = document(400, seed=9, vocab=VOCAB)
    longer = base + "\n\n" + document(15, seed=10, vocab=VOCAB)
    other = document(300, seed=11, vocab=VOCAB)
    kept, removed, account = run([("short", base), ("other", other), ("long", longer)], keep="longest")
    assert [d.id for d in kept] == ["other", "long"]
    assert [(r.id, r.duplicate_of) for r in removed] == [("short", "long")]
    kept_first, removed_first, _ = run([("short", base), ("other", other), ("long", longer)], keep="first")
    assert [(r.id, r.duplicate_of) for r in removed_first] == [("long", "short")]
    assert account.balanced


def test_results_do_not_depend_on_jobs_or_batch_size(corpus):
    def outcome(**options):
        kept, removed, account = run(corpus, **options)
        return [(d.id, d.text) for d in kept], [r.to_json() for r in removed], account.stages

    one = outcome(jobs=1, batch_size=256)
    assert outcome(jobs=2, batch_size=7) == one
    assert outcome(jobs=1, batch_size=1) == one


def test_documents_with_nothing_left_are_rejected_not_lost():
    kept, removed, account = run(
        [("empty", ""), ("blank", " \n\n\t "), ("residue", "![]() |\n|"), ("ok", "a real sentence with words")]
    )
    assert [d.id for d in kept] == ["ok"]
    reasons = {r.id: (r.step, r.rejected) for r in removed}
    assert reasons == {"empty": ("read", True), "blank": ("read", True), "residue": ("normalize", True)}
    assert account.read == 4 and account.rejected == 3 and account.kept == 1 and account.balanced


def test_short_documents_and_documents_without_words():
    docs = [("p1", "!!! ???"), ("p2", "... ---"), ("w1", "hello world"), ("w2", "hello  world"), ("w3", "bye")]
    kept, removed, account = run(docs, normalize=False)
    # no words: never near-duplicates of each other (their signatures are empty), only exact copies go
    assert {"p1", "w1", "w3"} <= {d.id for d in kept}
    assert ("w2", "w1") in {(r.id, r.duplicate_of) for r in removed}
    assert account.balanced


def test_options_are_validated():
    with pytest.raises(ValueError, match="keep"):
        Options(keep="random")
    with pytest.raises(ValueError, match="threshold"):
        Options(threshold=1.5)
    with pytest.raises(ValueError, match="unknown rule"):
        Options(skip_rules=("nope",))


def _records(docs: list[tuple[str, str, dict]]) -> list[Document]:
    return [
        Document(i, text, record={"id": i, "text": text, **extra}, order=n) for n, (i, text, extra) in enumerate(docs)
    ]


def _run_records(docs, **options):
    account = Account()
    opts, execution = split(options)
    outcomes = list(run_documents(_records(docs), opts, account, execution=execution))
    kept = [o.id for o in outcomes if isinstance(o, Document)]
    removed = {o.id: o for o in outcomes if isinstance(o, Removal)}
    return kept, removed, account


def test_keep_by_a_field_keeps_the_highest_value_and_ranks_missing_values_last():
    base = document(300, seed=31, vocab=VOCAB)
    docs = [
        ("old", base, {"date": "2024-01-05"}),
        ("undated", edit(base, 0.005, seed=1, vocab=VOCAB), {}),
        ("new", edit(base, 0.005, seed=2, vocab=VOCAB), {"date": "2025-03-19"}),
        ("mid", edit(base, 0.005, seed=3, vocab=VOCAB), {"date": "2024-11-30"}),
        ("other", document(300, seed=32, vocab=VOCAB), {"date": "2020-01-01"}),
    ]
    kept, removed, account = _run_records(docs, keep_by="date")
    assert kept == ["new", "other"]  # outcomes still come back in input order
    assert {i: r.duplicate_of for i, r in removed.items()} == {"old": "new", "undated": "new", "mid": "new"}
    # numbers compare numerically (10 > 9), ties go to the first
    scored = [
        ("a", base, {"score": 9}),
        ("b", edit(base, 0.005, seed=4, vocab=VOCAB), {"score": 10}),
        ("c", edit(base, 0.005, seed=5, vocab=VOCAB), {"score": 10}),
    ]
    kept, removed, _ = _run_records(scored, keep_by="score")
    assert kept == ["b"] and removed["a"].duplicate_of == "b" and removed["c"].duplicate_of == "b"
    assert account.balanced


def test_drop_all_removes_every_member_of_a_group():
    base = document(300, seed=41, vocab=VOCAB)
    docs = [
        ("a", base, {}),
        ("b", document(300, seed=42, vocab=VOCAB), {}),
        ("c", base, {}),
        ("d", edit(base, 0.005, seed=1, vocab=VOCAB), {}),
    ]
    kept, removed, account = _run_records(docs, drop_all=True)
    assert kept == ["b"]
    assert removed["a"].step == "drop-all" and removed["a"].duplicate_of is None
    assert removed["c"].duplicate_of == "a" and removed["d"].duplicate_of == "a"
    assert account.balanced and account.removed == 3


def test_batch_mode_keeps_the_same_documents_as_stream_mode(corpus):
    stream = run(corpus, mode="stream")
    batch = run(corpus, mode="batch", batch_size=16)
    assert [(d.id, d.text) for d in batch[0]] == [(d.id, d.text) for d in stream[0]]
    assert [r.to_json() for r in batch[1]] == [r.to_json() for r in stream[1]]
    assert batch[2].stages["batch"]["spilled_bytes"] > 0
    assert batch[2].balanced and len(stream[1]) >= 5


def test_stream_mode_refuses_policies_that_need_every_document():
    with pytest.raises(ValueError, match="batch mode"):
        split({"mode": "stream", "keep": "longest"})
    with pytest.raises(ValueError, match="batch mode"):
        split({"mode": "stream", "drop_all": True})


def _jsonl_input(corpus: list[tuple[str, str]]) -> bytes:
    """The corpus as JSON Lines, with what reading must get right: a blank and a malformed line, and ids
    used again (once on a document that preparing rejects), and a field to keep documents by."""
    lines = [json.dumps({"id": doc_id, "text": text, "n": i}) for i, (doc_id, text) in enumerate(corpus)]
    lines[3:3] = ["", "{broken", json.dumps({"id": "orig01", "text": "  "}), json.dumps({"id": "orig01", "text": "x"})]
    lines.append(json.dumps({"id": "orig02", "text": corpus[5][1], "n": -1}))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    "options",
    [{"jobs": 1}, {"jobs": 2}, {"jobs": 2, "keep_by": "n"}, {"jobs": 2, "keep": "longest"}, {"keep_by": "text"}],
)
def test_raw_lines_parsed_with_the_preparing_give_the_outcomes_of_parsed_documents(corpus, options):
    """The reference is one process parsing and preparing (what --jobs 1 does), down to the account."""
    data = _jsonl_input(corpus)
    opts, execution = split({"batch_size": 5, **options})
    parsed, by_lines = Account(), Account()
    one_opts, one = split({"batch_size": 5, **options, "jobs": 1})
    expected = list(run_documents(read_jsonl(BytesIO(data), name="in.jsonl"), one_opts, parsed, execution=one))
    chunks = read_line_chunks(BytesIO(data), name="in.jsonl", size=execution.batch_size)
    got = list(run_lines(chunks, opts, by_lines, execution=execution))
    assert [type(o) for o in got] == [type(o) for o in expected]
    for g, e in zip(got, expected, strict=True):
        if isinstance(e, Removal):
            assert g == e
            continue
        assert (g.id, g.text, g.order, g.edits) == (e.id, e.text, e.order, e.edits)
        assert list(g.record) == list(e.record)  # the same keys in the same order: the same output line
        assert g.record == {**e.record, "text": None if execution.streaming(opts) else e.record["text"]}
    assert by_lines == parsed
    assert {"orig01#2", "orig01#3", "orig02#2"} <= {o.id for o in got}


@pytest.mark.parametrize("options", [{"jobs": 1}, {"jobs": 2}])
def test_output_lines_written_by_the_workers_are_the_writers_lines(corpus, options):
    """With ``write_lines`` the workers serialise each document (records do not travel back): every kept
    document's line is the one the writer makes from the reference's record, renamed ids included."""
    data = _jsonl_input(corpus).replace(b'"n": 0', '"n": "caf\u00e9 \u2014 \\"\\u0001"'.encode())
    opts, execution = split({"batch_size": 5, **options})
    expected = list(run_documents(read_jsonl(BytesIO(data), name="in.jsonl"), opts, Account(), execution=execution))
    chunks = read_line_chunks(BytesIO(data), name="in.jsonl", size=execution.batch_size)
    got = list(run_lines(chunks, opts, Account(), execution=execution, write_lines=True))
    kept = [(g, e) for g, e in zip(got, expected, strict=True) if isinstance(e, Document)]
    assert len(kept) > 10
    for g, e in kept:
        assert g.record is None and g.id == e.id
        assert g.line == output_line(e)
    assert any(g.id == "orig01#3" for g, _ in kept)
    assert '"n": "caf\u00e9 \u2014 \\"\\u0001"' in kept[0][0].line  # not ASCII-escaped; controls escaped


@pytest.mark.parametrize("options", [{}, {"near": False}, {"verify": "none"}])
def test_a_packed_batch_unpacks_to_the_same_prepared_documents(options):
    items = [
        Document("a", document(200, seed=1, vocab=VOCAB), record={"id": "a", "x": [1]}),
        Removal("bad", "read", "line 2: malformed JSON", rejected=True),
        Document("blank", "  "),
        Document("b", "Caf\u00e9 \u2014 " + document(100, seed=2, vocab=VOCAB), source="b.txt", order=3),
    ]
    batch = prepare_batch(items, Options(**options))
    back = unpacked(packed(batch))
    assert len(back) == len(batch)
    for b, p in zip(back, batch, strict=True):
        if isinstance(p, Removal):
            assert b == p
            continue
        assert (b.doc, b.digest, b.stats) == (p.doc, p.digest, p.stats)
        for x, y in ((b.signature, p.signature), (b.shingles, p.shingles)):
            assert (x is None and y is None) or np.array_equal(x, y)


def test_files_keep_their_final_newline_and_it_is_no_edit(tmp_path):
    """A folder of clean text files comes out as it went in: nothing is reported as normalised, every file
    still ends with its line break, and a copy without that line break is still an exact copy."""
    from conftest import dedupe_ok

    src = tmp_path / "in"
    src.mkdir()
    texts = {f"{i}.txt": document(120, seed=40 + i, vocab=VOCAB) + "\n" for i in range(3)}
    texts["3.txt"] = texts["0.txt"].rstrip("\n")  # the same article, saved without the final line break
    for name, text in texts.items():
        (src / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    dedupe_ok("run", str(src), "-o", str(out), "-q", "--jobs", "1")
    for name in ("0.txt", "1.txt", "2.txt"):
        assert (out / name).read_text(encoding="utf-8") == texts[name]
    report = json.loads((tmp_path / "out.report.json").read_text())
    assert "normalize" not in report["stages"]
    assert report["stages"]["exact"]["removed"] == 1
    (removal,) = [json.loads(line) for line in (tmp_path / "out.removed.jsonl").read_text().splitlines()]
    assert (removal["id"], removal["step"], removal["duplicate_of"]) == ("3.txt", "exact", "0.txt")
