"""Formats: Parquet in and out with every column kept, compressed JSON Lines, globbed folders."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard
from click.testing import CliRunner
from corpora import document, edit

from dedupe.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_parquet_in_parquet_out_keeps_every_column_and_its_type(tmp_path: Path):
    base = document(300, seed=1)
    table = pa.table(
        {
            "id": pa.array([10, 11, 12, 13], pa.int64()),
            "text": [base + "\u00a0", edit(base, 0.005, seed=2), document(300, seed=3), None],
            "score": pa.array([0.5, 0.9, 0.1, 0.3], pa.float32()),
            "tags": [["a"], [], ["b", "c"], None],
        }
    )
    src = tmp_path / "in.parquet"
    pq.write_table(table, src, row_group_size=2)  # several row groups, streamed
    result = invoke("run", str(src), "-o", str(tmp_path / "out.parquet"), "-q")
    assert result.exit_code == 0, result.output
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema == table.schema
    assert out.column("id").to_pylist() == [10, 12]
    assert out.column("text").to_pylist()[0] == base  # cleaned: the no-break space is gone
    assert out.column("tags").to_pylist() == [["a"], ["b", "c"]]
    log = {r["id"]: r for r in map(json.loads, (tmp_path / "out.removed.jsonl").read_text().splitlines())}
    assert log["11"]["duplicate_of"] == "10" and log["13"]["kind"] == "rejected"


def test_folder_to_parquet_and_parquet_errors(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(document(50, seed=1))
    assert invoke("run", str(folder), "-o", str(tmp_path / "o.parquet"), "-q").exit_code == 0
    assert pq.read_table(tmp_path / "o.parquet").column_names == ["id", "text"]
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    bad = invoke("run", str(tmp_path / "bad.parquet"), "-o", str(tmp_path / "x.parquet"))
    assert bad.exit_code == 2 and "cannot read" in bad.stderr
    pq.write_table(pa.table({"body": ["x"]}), tmp_path / "nobody.parquet")
    missing = invoke("run", str(tmp_path / "nobody.parquet"), "-o", str(tmp_path / "y.parquet"))
    assert missing.exit_code == 2 and "no column 'text'" in missing.stderr


def test_gzip_and_zstd_json_lines(tmp_path: Path):
    lines = "".join(json.dumps({"id": i, "text": document(80, seed=i % 3)}) + "\n" for i in range(6))
    with gzip.open(tmp_path / "in.jsonl.gz", "wt") as fh:
        fh.write(lines)
    (tmp_path / "in.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(lines.encode()))
    for name in ("in.jsonl.gz", "in.jsonl.zst"):
        out = tmp_path / f"out-{name}"
        assert invoke("run", str(tmp_path / name), "-o", str(out), "-q").exit_code == 0
        raw = (
            gzip.decompress(out.read_bytes())
            if name.endswith(".gz")
            else zstandard.ZstdDecompressor().stream_reader(out.read_bytes()).read()
        )
        assert [json.loads(line)["id"] for line in raw.decode().splitlines()] == [0, 1, 2]


def test_glob_selects_files_of_a_folder(tmp_path: Path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.md").write_text(document(40, seed=1))
    (folder / "sub" / "b.md").write_text(document(40, seed=2))
    (folder / "c.txt").write_text(document(40, seed=3))
    assert invoke("run", str(folder), "-o", str(tmp_path / "out"), "--glob", "**/*.md", "-q").exit_code == 0
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.md")) == [
        "a.md",
        "sub/b.md",
    ]
    assert not (tmp_path / "out" / "c.txt").exists()
