"""Tables kept on disk between runs: the same arrays as building them, rebuilt when anything changes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from dedupe import table_cache as tc
from dedupe.cleaning.repeats import keys as repeat_keys
from dedupe.near import shingles


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("DEDUPE_CACHE_DIR", str(folder))
    tc._stamp.cache_clear()
    yield folder
    tc._stamp.cache_clear()


def _builder(calls: list[int], value: int = 7):
    def build():
        calls.append(1)
        return np.arange(5, dtype=np.uint32) * value, np.array([value], np.uint32)

    return build


def test_built_once_then_read_back(cache, tmp_path) -> None:
    source = tmp_path / "source.py"
    source.write_text("x = 1\n")
    calls: list[int] = []
    first = tc.cached_arrays("t", str(source), _builder(calls))
    second = tc.cached_arrays("t", str(source), _builder(calls))
    assert calls == [1]
    for a, b in zip(first, second, strict=True):
        assert a.dtype == b.dtype
        assert np.array_equal(a, b)


def test_a_changed_source_builds_again_and_drops_the_old_table(cache, tmp_path) -> None:
    source = tmp_path / "source.py"
    source.write_text("x = 1\n")
    calls: list[int] = []
    tc.cached_arrays("t", str(source), _builder(calls, 1))
    old = sorted(p.name for p in cache.iterdir())
    source.write_text("x = 2\n")
    tc._stamp.cache_clear()
    table, _ = tc.cached_arrays("t", str(source), _builder(calls, 2))
    assert calls == [1, 1]
    assert np.array_equal(table, np.arange(5) * 2)
    assert not set(old) & {p.name for p in cache.iterdir()}


def test_a_damaged_table_is_built_again(cache, tmp_path) -> None:
    source = tmp_path / "source.py"
    source.write_text("x = 1\n")
    calls: list[int] = []
    tc.cached_arrays("t", str(source), _builder(calls))
    for path in cache.glob("t-*.0.npy"):
        path.write_bytes(b"not a numpy file")
    table, _ = tc.cached_arrays("t", str(source), _builder(calls))
    assert calls == [1, 1]
    assert np.array_equal(table, np.arange(5) * 7)


def test_no_writable_folder_means_no_cache_and_no_error(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("DEDUPE_CACHE_DIR", str(blocker / "cache"))  # cannot be made under a file
    source = tmp_path / "source.py"
    source.write_text("x = 1\n")
    calls: list[int] = []
    tc.cached_arrays("t", str(source), _builder(calls))
    tc.cached_arrays("t", str(source), _builder(calls))
    assert calls == [1, 1]


def test_the_kernels_tables_from_the_cache_equal_freshly_built_ones(cache) -> None:
    shingles.char_table.cache_clear()
    repeat_keys.key_table.cache_clear()
    try:
        for _ in range(2):  # built and saved, then read back
            shingles.char_table.cache_clear()
            repeat_keys.key_table.cache_clear()
            table, special = shingles.char_table()
            built_table, built_special = shingles.built_char_table()
            assert np.array_equal(table, built_table)
            assert special == built_special
            assert np.array_equal(repeat_keys.key_table(), repeat_keys.built_key_table())
        assert len(list(cache.glob("*.n"))) == 2
    finally:
        shingles.char_table.cache_clear()
        repeat_keys.key_table.cache_clear()


def test_kernels_load_without_importing_scipy_which_imports_normally_after() -> None:
    code = (
        "import sys\n"
        "from dedupe.options import Options\n"
        "from dedupe.prepare import warm_up\n"
        "warm_up(Options())\n"
        "assert 'scipy.linalg' not in sys.modules, 'numba imported SciPy'\n"
        "import scipy.linalg.cython_blas\n"
        "from dedupe.near.minhash import signatures\n"
        "print(signatures(['a few words for one small document'], num_perm=4)[0].tolist())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    from dedupe.near.minhash import signatures

    assert out.stdout.strip() == str(signatures(["a few words for one small document"], num_perm=4)[0].tolist())
