"""Lookup tables built from this Python's Unicode data, kept on disk between runs.

The compiled kernels look characters up in tables that Python builds from ``str.lower``, ``re`` and
:mod:`unicodedata` (one per module that needs them). Building them takes about 0.17 s, a third of what
a run spends starting up, and start-up is paid by every run, however small, and before any worker
process can begin. So a table is built once and saved as ``.npy`` files beside numba's own cache
(``__pycache__`` of the package, else the user's cache directory), under a name that changes with
anything the table depends on: the Python version, its Unicode version and the source file that
builds it. A table that cannot be read is built again; one that cannot be saved is simply not kept.
"""

from __future__ import annotations

import hashlib
import os
import sys
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

from dedupe.io import atomic


def cached_arrays(name: str, source: str, build: Callable[[], tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """``build()``, or what an earlier call saved for the same ``name`` and ``source`` file contents."""
    folder = cache_dir()
    if folder is None:
        return build()
    stem = f"{name}-{_stamp(source)}"
    try:
        count = int((folder / f"{stem}.n").read_text())
        return tuple(np.load(folder / f"{stem}.{i}.npy", allow_pickle=False) for i in range(count))
    except (OSError, ValueError):
        pass
    arrays = build()
    _save(folder, name, stem, arrays)
    return arrays


def cache_dir() -> Path | None:
    """Where tables are kept: ``DEDUPE_CACHE_DIR`` if set, else the package's ``__pycache__`` (as numba
    does), else the user's cache folder; None when none of them can be written."""
    env = os.environ.get("DEDUPE_CACHE_DIR")
    if env:
        return _writable(Path(env))
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dedupe"
    return _writable(Path(__file__).parent / "__pycache__") or _writable(home)


def _writable(folder: Path) -> Path | None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


@cache
def _stamp(source: str) -> str:
    """Python version, Unicode version and a digest of the source file: what a table depends on."""
    digest = hashlib.sha1(Path(source).read_bytes()).hexdigest()[:16]
    return f"py{sys.version_info[0]}{sys.version_info[1]}-ucd{unicodedata.unidata_version}-{digest}"


def _save(folder: Path, name: str, stem: str, arrays: tuple[np.ndarray, ...]) -> None:
    """Arrays first, the count file last (each replaced atomically), so a reader that finds the count
    finds complete arrays; tables of the same name from older sources are removed. Several processes
    may build the same table at once (the workers of a first run), so each writes under a temporary name
    of its own."""
    try:
        for i, array in enumerate(arrays):
            with atomic.replacing(folder / f"{stem}.{i}.npy", unique=True) as fh:
                np.save(fh, array, allow_pickle=False)
        atomic.write_bytes(folder / f"{stem}.n", str(len(arrays)).encode(), unique=True)
        for old in folder.glob(f"{name}-*"):
            if not old.name.startswith(stem + "."):
                old.unlink(missing_ok=True)
    except OSError:
        pass
