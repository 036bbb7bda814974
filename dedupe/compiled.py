"""The one module that imports numba: the decorator of every compiled kernel, what the kernels share, and
loading them without the parts of numba's start-up that no kernel here uses.

numba is a dependency, but without it the package still imports: ``jit`` then leaves functions as plain
Python (slow), and callers check ``HAVE_NUMBA`` to take their pure-Python paths instead.

numba's on-disk cache checks only the source file of the kernel it loads, so a kernel that calls one in
another file, or reads a constant defined in another module, keeps its compiled code when only that other
file changes. After editing such a file, delete the ``__pycache__`` folders of the package (or touch the
files of its callers) before timing or testing.

Start-up: the first kernel a process calls makes numba set up its CPU target, and with it check whether
SciPy's BLAS is there (for ``np.dot`` and friends inside compiled code): importing SciPy's linear algebra
for that costs 0.15-0.2 s, a fifth of a run's start-up, and start-up is paid before any worker can begin.
None of dedupe's kernels does linear algebra, so while they load, that import is made to fail, as if
SciPy were not installed; numba then uses its own loops for the few functions that would have used
BLAS. Where SciPy's BLAS is already imported, or numba's target already set up, nothing changes, and
afterwards SciPy imports normally again.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

__all__ = [
    "FNV_OFFSET",
    "FNV_PRIME",
    "HAVE_NUMBA",
    "intrinsic",
    "jit",
    "numba_types",
    "overload",
    "trailing_zeros",
    "without_scipy_blas",
]

try:
    import numba
    from numba.core import types as numba_types
    from numba.cpython.unsafe.numbers import trailing_zeros
    from numba.extending import intrinsic, overload

    HAVE_NUMBA = True
    # Small helpers of the hot loops are compiled with it too, not with numba's inline="always": LLVM
    # inlines them into their callers anyway, and inlining at numba's level makes the one-time compile
    # after install much longer.
    jit = numba.njit(cache=True, nogil=True)
except ImportError:  # pragma: no cover - numba is a dependency; this keeps the package importable
    HAVE_NUMBA = False
    numba_types = intrinsic = overload = None  # only used to define kernels, which need numba

    def jit(f):  # type: ignore[no-untyped-def]
        return f

    def trailing_zeros(x):  # type: ignore[no-untyped-def]
        return (int(x) & -int(x)).bit_length() - 1


# FNV-1a (64-bit): the token hash of dedupe.near and the long-string hash of the repeats pre-check.
FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)

_BLAS = "scipy.linalg.cython_blas"


@contextmanager
def without_scipy_blas() -> Iterator[None]:
    """Within the block, ``import scipy.linalg.cython_blas`` fails fast (a ``None`` entry in
    ``sys.modules`` is Python's documented way to make an import fail) unless it is already imported."""
    if _BLAS in sys.modules or "numba.np.arraymath" in sys.modules:
        yield
        return
    sys.modules[_BLAS] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if sys.modules.get(_BLAS, ...) is None:
            del sys.modules[_BLAS]
