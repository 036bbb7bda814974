"""Bad input, end to end: every bad file or line is kept or rejected with a reason, the run goes on,
the account balances, and nothing ends in a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedupe.cli import main
from dedupe.document import Removal
from dedupe.io.textfiles import read_text_file

PROSE = "This sentence is ordinary English prose, long enough to be a real document of its own."


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture()
def messy_folder(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    files = {
        "good.txt": PROSE.encode(),
        "latin1.txt": "Caf\u00e9 cr\u00e8me, na\u00efve fa\u00e7ade: a Western text saved as Latin-1.".encode(
            "latin-1"
        ),
        "truncated.txt": "Un r\u00e9sum\u00e9 coup\u00e9".encode()[:-1],
        "binary.bin": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        "empty.txt": b"",
        "spaces.txt": b"  \n\n \t\n",
        "bom.txt": b"\xef\xbb\xbf" + b"With a byte-order mark in front of the words.",
        "crlf.txt": b"Windows line endings\r\nsecond line of the file\r\n",
        "huge-line.txt": ("word " * 2_500_000).encode(),  # one 12.5 MB line
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


def test_every_bad_file_is_kept_or_rejected_with_a_reason(messy_folder: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = invoke("run", str(messy_folder), "-o", str(out), "-q", "--encoding-errors", "reject")
    assert result.exit_code == 0, result.output
    log = {r["id"]: r for r in read_jsonl(tmp_path / "out.removed.jsonl")}
    assert {i: r["kind"] for i, r in log.items()} == {
        "latin1.txt": "rejected",
        "truncated.txt": "rejected",
        "binary.bin": "rejected",
        "empty.txt": "rejected",
        "spaces.txt": "rejected",
    }
    assert "invalid UTF-8 at byte 3" in log["latin1.txt"]["reason"]
    assert "binary" in log["binary.bin"]["reason"]
    assert log["empty.txt"]["reason"] == "empty document"
    kept = sorted(p.name for p in out.iterdir())
    assert kept == ["bom.txt", "crlf.txt", "good.txt", "huge-line.txt"]
    assert (out / "bom.txt").read_bytes().startswith(b"With a byte-order")
    assert b"\r" not in (out / "crlf.txt").read_bytes()
    assert len((out / "huge-line.txt").read_text().split()) == 2_500_000
    report = json.loads((tmp_path / "out.report.json").read_text())
    assert (report["read"], report["kept"], report["rejected"]) == (9, 4, 5) and report["balanced"]


def test_detect_by_default_and_replace_keep_non_utf8_text(messy_folder: Path, tmp_path: Path):
    assert invoke("run", str(messy_folder), "-o", str(tmp_path / "d"), "-q").exit_code == 0
    assert "Caf\u00e9 cr\u00e8me" in (tmp_path / "d" / "latin1.txt").read_text(encoding="utf-8")
    assert (tmp_path / "d" / "truncated.txt").exists()  # read as Latin-1 mojibake, left to the ftfy rule
    report = json.loads((tmp_path / "d.report.json").read_text())
    assert report["stages"]["read"]["decoded as Latin-1"] == 2
    assert (report["read"], report["kept"], report["rejected"]) == (9, 6, 3) and report["balanced"]
    assert (
        invoke("run", str(messy_folder), "-o", str(tmp_path / "r"), "-q", "--encoding-errors", "replace").exit_code == 0
    )
    assert "\ufffd" in (tmp_path / "r" / "truncated.txt").read_text(encoding="utf-8")


def test_strict_exits_3_when_anything_was_rejected(messy_folder: Path, tmp_path: Path):
    result = invoke(
        "run", str(messy_folder), "-o", str(tmp_path / "s"), "-q", "--strict", "--encoding-errors", "reject"
    )
    assert result.exit_code == 3 and "5 document(s) rejected" in result.stderr
    assert (tmp_path / "s" / "good.txt").exists()  # the run still completed
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.txt").write_text(PROSE)
    assert invoke("run", str(clean), "-o", str(tmp_path / "c"), "-q", "--strict").exit_code == 0


STUDENT_ANSWERS = {
    "utf8.txt": "The mitochondria is the powerhouse of the cell \u2014 it makes the energy.".encode(),
    "cp1252.txt": "I\u2019d pay \u00a35 for the book \u2014 it\u2019s \u201cworth it\u201d, said the student.".encode(
        "cp1252"
    ),
    "latin1.txt": "Le caf\u00e9 est ferm\u00e9 le lundi, so the essay was written at home instead.".encode("latin-1"),
    "undefined.txt": b"Photosynthesis turns light into sugar \x81\x8d in the leaves of green plants.",
    "binary.bin": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xe9\x92",
}


@pytest.fixture()
def student_answers(tmp_path: Path) -> Path:
    root = tmp_path / "answers"
    root.mkdir()
    for name, data in STUDENT_ANSWERS.items():
        (root / name).write_bytes(data)
    return root


def test_cp1252_and_latin1_files_are_decoded_by_default_and_counted(student_answers: Path, tmp_path: Path):
    result = invoke("run", str(student_answers), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["cp1252.txt", "latin1.txt", "utf8.txt"]
    assert (out / "cp1252.txt").read_text(encoding="utf-8") == STUDENT_ANSWERS["cp1252.txt"].decode("cp1252")
    assert "\u2019d pay \u00a35" in (out / "cp1252.txt").read_text(encoding="utf-8")
    assert (out / "latin1.txt").read_text(encoding="utf-8").startswith("Le caf\u00e9 est ferm\u00e9")
    assert (out / "utf8.txt").read_bytes() == STUDENT_ANSWERS["utf8.txt"]
    log = {r["id"]: r for r in read_jsonl(tmp_path / "out.removed.jsonl")}
    assert {i: r["kind"] for i, r in log.items()} == {"undefined.txt": "rejected", "binary.bin": "rejected"}
    assert log["undefined.txt"]["reason"] == (
        "unreadable: invalid UTF-8 at byte 38, and not cp1252 or Latin-1 text either "
        "(control character U+0081 at byte 38; use --encoding-errors replace to keep it)"
    )
    assert log["binary.bin"]["reason"].startswith("binary")
    report = json.loads((tmp_path / "out.report.json").read_text())
    assert report["stages"]["read"]["decoded as cp1252"] == 1
    assert report["stages"]["read"]["decoded as Latin-1"] == 1
    assert (report["read"], report["kept"], report["rejected"]) == (5, 3, 2) and report["balanced"]
    # naming the default gives the same files
    again = invoke("run", str(student_answers), "-o", str(tmp_path / "d"), "-q", "--encoding-errors", "detect")
    assert again.exit_code == 0
    for name in ("cp1252.txt", "latin1.txt", "utf8.txt"):
        assert (tmp_path / "d" / name).read_bytes() == (out / name).read_bytes()
    assert (tmp_path / "d.removed.jsonl").read_bytes() == (tmp_path / "out.removed.jsonl").read_bytes()


def test_reject_policy_rejects_non_utf8_files_as_before(student_answers: Path, tmp_path: Path):
    result = invoke("run", str(student_answers), "-o", str(tmp_path / "r"), "-q", "--encoding-errors", "reject")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["utf8.txt"]
    log = {r["id"]: r for r in read_jsonl(tmp_path / "r.removed.jsonl")}
    assert log["cp1252.txt"]["reason"] == (
        "unreadable: invalid UTF-8 at byte 1 (use --encoding-errors replace or detect to keep it)"
    )
    assert set(log) == {"cp1252.txt", "latin1.txt", "undefined.txt", "binary.bin"}
    report = json.loads((tmp_path / "r.report.json").read_text())
    assert "decoded as cp1252" not in report["stages"].get("read", {})
    assert (report["read"], report["kept"], report["rejected"]) == (5, 1, 4)


def test_bad_json_lines_and_duplicate_ids(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "text": PROSE}),
        "",
        "{not json",
        json.dumps({"id": "b", "body": "no text field"}),
        json.dumps({"id": "c", "text": ["not", "a", "string"]}),
        json.dumps({"id": "a", "text": "Another document that reuses the id of the first one, by mistake."}),
        json.dumps({"id": "d", "text": "x" * 3_000_000}),  # an enormous line
        json.dumps({"id": "e", "text": "surrogate \ud800 escaped in JSON is kept as text"}),
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("run", str(src), "-o", str(tmp_path / "out.jsonl"), "-q")
    assert result.exit_code == 0, result.output
    kept = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in kept] == ["a", "a", "d", "e"]  # records keep their own id field unchanged
    log = {r["id"]: r for r in read_jsonl(tmp_path / "out.removed.jsonl")}
    assert set(log) == {"in.jsonl:3", "b", "c"}
    assert "malformed JSON" in log["in.jsonl:3"]["reason"]
    report = json.loads((tmp_path / "out.report.json").read_text())
    assert report["stages"]["read"]["duplicate_ids"] == 1
    assert (report["read"], report["kept"], report["rejected"]) == (7, 4, 3)


def test_unreadable_paths_give_one_line_errors(tmp_path: Path, monkeypatch):
    missing = invoke("run", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o"))
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1 and "input not found" in missing.stderr
    # a file that cannot be read (permission denied; simulated, since tests may run as root)
    path = tmp_path / "locked.txt"
    path.write_text(PROSE)

    def deny(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    item = read_text_file(path, doc_id="locked.txt", source="locked.txt")
    assert isinstance(item, Removal) and item.rejected and item.reason == "unreadable: Permission denied"
