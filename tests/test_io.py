"""Readers and writers: every bad input becomes a recorded rejection with a reason, never a traceback."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.document import Document, Removal
from dedupe.io import InputError, atomic, open_input, open_output
from dedupe.io.atomic import OutputExists
from dedupe.io.decode import decode, looks_binary
from dedupe.io.jsonl import JsonlWriter, parse_chunk, read_jsonl, read_line_chunks
from dedupe.io.textfiles import list_files


def test_decode_utf8_and_bom():
    assert decode("héllo".encode()).text == "héllo"
    d = decode(b"\xef\xbb\xbfhello")
    assert d.text == "hello" and d.note == "byte-order mark removed"


def test_invalid_utf8_is_rejected_with_the_byte_offset_under_reject():
    d = decode(b"abc\xff def", "reject")
    assert d.text is None and "invalid UTF-8 at byte 3" in d.reason
    # the offset counts from the start of the data, byte-order mark included
    assert "invalid UTF-8 at byte 6" in decode(b"\xef\xbb\xbfabc\xff", "reject").reason


def test_truncated_utf8_is_rejected_under_reject():
    d = decode("naïve".encode()[:3], "reject")  # cut inside the two-byte ï
    assert d.text is None and "byte 2" in d.reason


def test_invalid_utf8_replace_policy():
    d = decode(b"caf\xe9", "replace")
    assert d.text == "caf\ufffd" and d.note == "invalid UTF-8 at byte 3: bad bytes replaced"


def test_detect_is_the_default_and_names_the_encoding():
    cp1252 = "It\u2019s \u00a35 \u2014 \u201cquoted\u201d \u20ac".encode("cp1252")
    d = decode(cp1252)
    assert d == decode(cp1252, "detect")
    assert d.text == "It\u2019s \u00a35 \u2014 \u201cquoted\u201d \u20ac"
    assert d.note == "invalid UTF-8 at byte 2: decoded as cp1252"
    # no byte in 0x80-0x9F: Latin-1 and cp1252 give the same text, recorded as Latin-1
    d = decode("Caf\u00e9 cr\u00e8me \u00a3 \u00bd".encode("latin-1"))
    assert d.text == "Caf\u00e9 cr\u00e8me \u00a3 \u00bd" and d.note == "invalid UTF-8 at byte 3: decoded as Latin-1"
    # TAB, LF, FF and CR are text; a byte-order mark before invalid UTF-8 is dropped and counted in offsets
    assert decode(b"a\tb\r\nc\x0cd \xe9").text == "a\tb\r\nc\x0cd \u00e9"
    d = decode(b"\xef\xbb\xbfna\xefve")
    assert d.text == "na\u00efve" and d.note == "invalid UTF-8 at byte 5: decoded as Latin-1"


@pytest.mark.parametrize(
    ("data", "control", "at"),
    [
        (b"caf\xe9 \x93quoted\x94 \x81", "U+0081", 14),  # undefined in cp1252: a C1 control in Latin-1
        (b"\x9d" + b"word " * 20, "U+009D", 0),
        (b"caf\xe9 " + b"word " * 20 + b"\x1b[0m", "U+001B", 105),  # ESC: too few controls to look binary
        (b"caf\xe9 " + b"word " * 20 + b"\x0b", "U+000B", 105),  # vertical tab
        (b"\xef\xbb\xbfcaf\xe9\x8f", "U+008F", 7),
    ],
)
def test_detect_rejects_what_decodes_to_control_characters(data, control, at):
    d = decode(data)
    assert d.text is None and d.note is None
    assert d.reason.startswith("unreadable: invalid UTF-8 at byte")
    assert f"control character {control} at byte {at}" in d.reason
    assert decode(data, "replace").text is not None  # the way out the reason names


def test_detect_leaves_utf8_and_binary_as_they_were():
    assert decode("na\u00efve \x01 \u2019".encode()).text == "na\u00efve \x01 \u2019"  # valid UTF-8 is never guessed
    assert decode(b"\xef\xbb\xbfhello").note == "byte-order mark removed"
    for policy in ("detect", "reject", "replace"):
        assert decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xe9", policy).reason.startswith("binary")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["detect", "reject", "replace"]))
def test_any_bytes_give_text_or_a_reason(data, policy):
    d = decode(data, policy)
    assert (d.text is None) != (d.reason is None)
    if d.text is not None and d.note and "decoded as" in d.note:
        encoding = "cp1252" if d.note.endswith("cp1252") else "latin-1"
        assert d.text == data.removeprefix(b"\xef\xbb\xbf").decode(encoding)
        assert not any(ord(ch) < 32 and ch not in "\t\n\x0c\r" or 0x80 <= ord(ch) <= 0x9F for ch in d.text)


@given(st.text(max_size=200), st.sampled_from(["detect", "reject", "replace"]))
def test_utf8_text_decodes_to_itself_under_every_policy(text, policy):
    d = decode(text.encode(), policy)
    assert d.text == text or d.reason.startswith("binary")


def test_binary_data_is_detected():
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert looks_binary(bytes(range(256)) * 4)
    assert not looks_binary(b"plain text\r\nwith\ttabs and \x1b[0m an escape")
    assert decode(b"GIF89a\x00\x01").reason.startswith("binary")


def _jsonl(lines: list[bytes], encoding_errors: str = "detect") -> list[Document | Removal]:
    data = b"\n".join(lines) + b"\n"
    return list(read_jsonl(io.BytesIO(data), name="in.jsonl", encoding_errors=encoding_errors))


def test_jsonl_bad_lines_become_rejections_and_the_rest_is_read():
    items = _jsonl(
        [
            b'{"id": "a", "text": "first", "lang": "en"}',
            b"",
            b'{"id": "b", "text": "second"',  # malformed
            b"[1, 2]",  # not an object
            b'{"id": "c", "body": "no text field"}',
            b'{"id": "d", "text": 42}',  # not a string
            b'{"text": "no id"}',
            b'{"id": "e", "text": "bad \xff byte"}',
            b'{"id": 7, "text": "numeric id"}',
        ],
        "reject",
    )
    kinds = [(i.id, type(i).__name__) for i in items]
    assert kinds == [
        ("a", "Document"),
        ("in.jsonl:3", "Removal"),
        ("in.jsonl:4", "Removal"),
        ("c", "Removal"),
        ("d", "Removal"),
        ("in.jsonl:7", "Document"),
        ("in.jsonl:8", "Removal"),
        ("7", "Document"),
    ]
    reasons = [i.reason for i in items if isinstance(i, Removal)]
    assert "malformed JSON" in reasons[0] and "line 3" in reasons[0]
    assert "not a JSON object" in reasons[1]
    assert "no 'text' field" in reasons[2]
    assert "is int, not a string" in reasons[3]
    assert "invalid UTF-8" in reasons[4]
    assert all(i.rejected for i in items if isinstance(i, Removal))
    assert items[0].record == {"id": "a", "text": "first", "lang": "en"}


def test_jsonl_lines_with_invalid_utf8_follow_the_detect_rule():
    items = _jsonl(
        [
            b'{"id": "a", "text": "It\x92s \xa35"}',  # cp1252
            b'{"id": "b", "text": "caf\xe9"}',  # Latin-1
            b'{"id": "c", "text": "ok", "note": "\x81"}',  # undefined in cp1252, anywhere in the line
            '{"id": "d", "text": "caf\u00e9 \u2019"}'.encode(),  # UTF-8
        ]
    )
    a, b, c, d = items
    assert (a.text, dict(a.edits)) == ("It\u2019s \u00a35", {"read: decoded as cp1252": 1})
    assert (b.text, dict(b.edits)) == ("caf\u00e9", {"read: decoded as Latin-1": 1})
    assert isinstance(c, Removal) and c.rejected and c.id == "in.jsonl:3"
    assert c.reason.startswith("line 3: unreadable: invalid UTF-8 at byte 35") and "U+0081 at byte 35" in c.reason
    assert (d.text, dict(d.edits)) == ("caf\u00e9 \u2019", {})
    rejected = _jsonl([b'{"id": "a", "text": "It\x92s"}'], "reject")
    assert rejected[0].reason.startswith("line 1: unreadable: invalid UTF-8 at byte 23 (use --encoding-errors")


@pytest.mark.parametrize("encoding_errors", ["reject", "detect"])
def test_raw_line_chunks_parse_to_what_read_jsonl_gives(encoding_errors):
    """With several jobs the lines are parsed in the workers, chunk by chunk: same items, line numbers,
    orders, ids, decoding notes and rejections as reading them here."""
    lines = [
        b'{"id": "a", "text": "first", "lang": "en"}',
        b"",
        b'{"id": "b", "text": "second"',  # malformed
        b"   ",
        b"[1, 2]",  # not an object
        b'{"id": "c", "body": "no text field"}',
        b'{"text": "no id"}',
        b'{"id": "e", "text": "caf\xe9 byte"}',  # cp1252, not UTF-8
        b'\xef\xbb\xbf{"id": "f", "text": "after a byte-order mark"}',
        b'{"id": "a", "text": "the id again"}',
        b'{"id": "g", "text": ""}',
    ]
    data = b"\n".join(lines) + b"\n"
    expected = list(read_jsonl(io.BytesIO(data), name="in.jsonl", encoding_errors=encoding_errors))
    for size in (1, 2, 4, 100):
        got: list[Document | Removal] = []
        chunks = read_line_chunks(io.BytesIO(data), name="in.jsonl", size=size, encoding_errors=encoding_errors)
        for chunk in chunks:
            assert len(chunk.lines) <= size
            got += parse_chunk(chunk, order=sum(isinstance(i, Document) for i in got))
        assert got == expected
    assert sum(isinstance(i, Document) for i in expected) == (6 if encoding_errors == "detect" else 5)


def test_jsonl_writer_keeps_every_other_field_and_field_order():
    buf = io.BytesIO()
    w = JsonlWriter(buf)
    doc = Document("a", "cleaned", record={"url": "u", "text": "raw", "id": "a", "n": [1, {"x": None}]})
    w.write(doc)
    w.write(Document("b", "from a folder"))
    w.fh.flush()
    lines = buf.getvalue().decode().splitlines()
    assert lines[0] == json.dumps({"url": "u", "text": "cleaned", "id": "a", "n": [1, {"x": None}]})
    assert json.loads(lines[1]) == {"id": "b", "text": "from a folder"}


def test_folder_listing_is_sorted_recursive_and_skips_hidden(tmp_path):
    for rel in ["b.txt", "a/z.txt", "a/b.md", ".hidden.txt", ".git/config", "a/.cache/x.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in list_files(tmp_path)] == ["a/b.md", "a/z.txt", "b.txt"]
    assert [p.name for p in list_files(tmp_path, "**/*.txt")] == ["z.txt", "b.txt"]


def test_open_input_errors_are_one_line_messages(tmp_path):
    with pytest.raises(InputError, match="input not found"):
        open_input(str(tmp_path / "missing"))


def test_gzip_jsonl_round_trip(tmp_path):
    src = tmp_path / "in.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "x", "text": "hello"}) + "\n")
    source = open_input(str(src))
    assert source.form == "jsonl"
    out = tmp_path / "out.jsonl.gz"
    sink = open_output(str(out), source.form, input_path=str(src))
    for doc in source.documents:
        sink.write(doc)
    assert not out.exists()  # nothing under the final name until the run completes
    sink.commit()
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        assert json.loads(fh.read()) == {"id": "x", "text": "hello"}


def test_output_is_not_overwritten_or_written_into_the_input(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("x")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("keep me")
    with pytest.raises(OutputExists, match="--overwrite"):
        open_output(str(tmp_path / "out"), "folder", input_path=str(tmp_path / "in"))
    with pytest.raises(OutputExists, match="inside the input"):
        open_output(str(tmp_path / "in" / "sub"), "folder", input_path=str(tmp_path / "in"), overwrite=True)
    sink = open_output(str(tmp_path / "out"), "folder", input_path=str(tmp_path / "in"), overwrite=True)
    sink.write(Document("a.txt", "new", source="a.txt"))
    assert (tmp_path / "out" / "old.txt").exists()  # replaced only on commit
    sink.commit()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt"]


def test_aborted_output_leaves_nothing(tmp_path):
    sink = open_output(str(tmp_path / "out.jsonl"), "jsonl")
    sink.write(Document("a", "x"))
    sink.abort()
    assert list(tmp_path.iterdir()) == []


def test_atomic_json_is_the_report_form_and_makes_its_folder(tmp_path):
    data = {"name": "café ♥", "n": [1, 2.5, None], "nested": {"b": True}}
    final = tmp_path / "new" / "deeper" / "report.json"
    atomic.write_json(final, data)
    expected = io.StringIO()
    json.dump(data, expected, indent=2, ensure_ascii=False)
    assert final.read_bytes() == (expected.getvalue() + "\n").encode("utf-8")
    assert sorted(p.name for p in final.parent.iterdir()) == ["report.json"]  # no temporary left


def test_atomic_text_keeps_line_ends_as_given(tmp_path):
    atomic.write_text(tmp_path / "page.html", "a\nb\r\nc")
    assert (tmp_path / "page.html").read_bytes() == b"a\nb\r\nc"


@pytest.mark.parametrize("unique", [False, True])
def test_a_failed_atomic_write_leaves_nothing_under_the_final_name(tmp_path, unique):
    final = tmp_path / "out.json"
    with pytest.raises(RuntimeError), atomic.replacing(final, unique=unique) as fh:
        fh.write(b"half")
        raise RuntimeError("killed half way")
    assert list(tmp_path.iterdir()) == []
    atomic.write_bytes(final, b"old", unique=unique)
    with pytest.raises(TypeError):
        atomic.write_json(final, {"not serialisable": object()})
    assert final.read_bytes() == b"old"  # the earlier file, untouched
    assert list(tmp_path.iterdir()) == [final]


def test_unique_atomic_writers_of_one_file_do_not_share_a_temporary(tmp_path):
    """Two processes building the same cached table at once must not write into one temporary file."""
    final = tmp_path / "table.npy"
    with atomic.replacing(final, unique=True) as first, atomic.replacing(final, unique=True) as second:
        assert first.name != second.name
        first.write(b"first")
        second.write(b"second")
    assert final.read_bytes() == b"first"  # the outer block ends last, so its file is the one in place
    assert list(tmp_path.iterdir()) == [final]
