"""The first run after installing: a small input takes the pure-Python reference paths, so nothing is
compiled, and writes the same files as the compiled kernels; a larger one says when numba compiles."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, dedupe_ok

from dedupe import compiled
from dedupe.cleaning.repeats import precheck
from dedupe.io import open_input
from dedupe.near import kernels

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))

from cases import CASES, EXPECTED, args, run_files  # noqa: E402

pytestmark = pytest.mark.skipif(not compiled.HAVE_NUMBA, reason="without numba every input takes the Python paths")

KERNEL_ENTRIES = [(kernels, "signatures_kernel"), (kernels, "shingles_kernel"), (precheck, "scan_many")]


def _no_kernels(monkeypatch):
    """Make every kernel entry point fail: a run that calls one fails."""

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel was called")

    for module, name in KERNEL_ENTRIES + [(precheck, "scan_text"), (precheck, "scan_wide")]:
        monkeypatch.setattr(module, name, refuse)


def _paths(monkeypatch, way: str) -> None:
    """Every input small enough for the Python paths (``python``), or none (``kernels``)."""
    monkeypatch.setattr(compiled, "SMALL_INPUT", 1 << 62 if way == "python" else -1)


def _golden(corpus: str, policy: str, folder: Path) -> None:
    dedupe_ok("run", *args(corpus, policy, folder), "--jobs", "1")
    want = {p.name: p.read_bytes() for p in sorted((EXPECTED / corpus / policy).iterdir())}
    got = run_files(folder, corpus)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], f"{name} differs from the golden file"


def test_the_seeds_are_a_small_input():
    assert sum(p.stat().st_size for p in SEEDS.rglob("*") if p.is_file()) <= compiled.SMALL_INPUT


def test_a_small_input_calls_no_kernel(tmp_path, monkeypatch):
    _no_kernels(monkeypatch)
    dedupe_ok("run", str(SEEDS), "-o", str(tmp_path / "out"), "-q")
    dedupe_ok("explain", str(next(SEEDS.glob("000_*.txt"))))
    dedupe_ok("pairs", str(SEEDS), "--min", "0.1", "-o", str(tmp_path / "pairs.jsonl"))


@pytest.mark.parametrize("way", ["python", "kernels"])
@pytest.mark.parametrize(("corpus", "policy"), [("seeds", "first"), ("synthetic", "first"), ("synthetic", "char")])
def test_both_paths_write_the_golden_files(tmp_path, monkeypatch, way, corpus, policy):
    _paths(monkeypatch, way)
    if way == "python":
        _no_kernels(monkeypatch)
    _golden(corpus, policy, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(("corpus", "policy"), CASES, ids=[f"{c}-{p}" for c, p in CASES])
def test_the_python_paths_write_every_golden_file(tmp_path, monkeypatch, corpus, policy):
    _paths(monkeypatch, "python")
    _no_kernels(monkeypatch)
    _golden(corpus, policy, tmp_path)


def test_a_first_run_over_the_seeds_compiles_nothing(tmp_path):
    """With numba's cache in an empty folder (as after installing), a run over the seeds leaves it empty
    and says nothing about compiling."""
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "DEDUPE_CACHE_DIR": str(tmp_path / "tables")}
    command = [sys.executable, "-m", "dedupe", "run", str(SEEDS), "-o", str(tmp_path / "out")]
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "read 5 documents" in proc.stderr
    assert "compiling" not in proc.stderr
    assert [p for p in cache.rglob("*") if p.is_file()] == []  # (numba makes its folders on import)


def test_the_notice_comes_once_when_numba_compiles(capsys):
    import numba

    @numba.njit
    def add(x, y):
        return x + y

    with compiled.kernels_for(compiled.SMALL_INPUT + 1, notice=True):
        assert add(1, 2) == 3
        assert add(1.5, 2.0) == 3.5  # a second compilation: no second notice
    assert add(1j, 1j) == 2j  # outside the block: none
    assert capsys.readouterr().err == compiled.COMPILING + "\n"


def test_no_notice_without_asking_or_for_a_small_input(capsys):
    import numba

    @numba.njit
    def add(x, y):
        return x + y

    with compiled.kernels_for(None):
        assert add(1, 2) == 3
    with compiled.kernels_for(compiled.SMALL_INPUT, notice=True):
        assert not compiled.kernels_on()
        assert add(1.5, 2.0) == 3.5
    assert compiled.kernels_on()
    assert capsys.readouterr().err == ""


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


@pytest.mark.parametrize("records", [3, 3000])
def test_stdin_is_read_ahead_to_find_a_small_input(monkeypatch, records):
    """A small input on stdin has a size (so it takes the Python paths), a larger one none; both are read
    whole, as documents or as raw lines, the part read ahead included."""
    data = b"".join(json.dumps({"id": str(i), "text": "word " * 30 + str(i)}).encode() + b"\n" for i in range(records))
    assert (len(data) <= compiled.SMALL_INPUT) == (records == 3)
    _stdin(monkeypatch, data)
    source = open_input("-")
    assert source.size == (len(data) if records == 3 else None)
    assert [d.id for d in source.documents] == [str(i) for i in range(records)]
    _stdin(monkeypatch, data)
    chunks = list(open_input("-").lines(1000))
    assert sum(len(c.lines) for c in chunks) == records


def test_a_small_input_on_stdin_calls_no_kernel(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from dedupe.cli import main

    _no_kernels(monkeypatch)
    lines = "".join(json.dumps({"id": p.name, "text": p.read_text()}) + "\n" for p in sorted(SEEDS.glob("*.txt")))
    side = ["--removed", str(tmp_path / "removed.jsonl"), "--report", str(tmp_path / "report.json")]
    result = CliRunner().invoke(main, ["run", "-", "-o", "-", "-q", "--jobs", "1", *side], input=lines)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 5
