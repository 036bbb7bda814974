"""Readers and writers: every bad input becomes a recorded rejection with a reason, never a traceback."""

from __future__ import annotations

import gzip
import io
import json

import pytest

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


def test_invalid_utf8_is_rejected_with_the_byte_offset_by_default():
    d = decode(b"abc\xff def")
    assert d.text is None and "invalid UTF-8 at byte 3" in d.reason


def test_truncated_utf8_is_rejected():
    d = decode("naïve".encode()[:3])  # cut inside the two-byte ï
    assert d.text is None and "byte 2" in d.reason


def test_invalid_utf8_replace_and_detect_policies():
    assert decode(b"caf\xe9", "replace").text == "caf\ufffd"
    d = decode(b"caf\xe9 \x93quoted\x94 \x81", "detect")
    assert d.text == "café \u201cquoted\u201d \x81"  # 0x81 is undefined in cp1252: Latin-1 fallback
    assert "cp1252" in d.note


def test_binary_data_is_detected():
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert looks_binary(bytes(range(256)) * 4)
    assert not looks_binary(b"plain text\r\nwith\ttabs and \x1b[0m an escape")
    assert decode(b"GIF89a\x00\x01").reason.startswith("binary")


def _jsonl(lines: list[bytes]) -> list[Document | Removal]:
    return list(read_jsonl(io.BytesIO(b"\n".join(lines) + b"\n"), name="in.jsonl"))


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
        ]
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
