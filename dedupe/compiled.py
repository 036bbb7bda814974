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

Small inputs: compiling the kernels the first time takes about half a minute, and even loading them from
numba's cache (0.3 s) costs more than the pure-Python reference paths take for a small input (about 1 s
a megabyte). So a run over an input of at most ``SMALL_INPUT`` bytes takes those paths
(:func:`kernels_for`): nothing is compiled or loaded, and the result is the same byte for byte (the tests
compare every kernel with its reference, and whole runs both ways). A larger input compiles the kernels on
its first run, and :func:`kernels_for` says so once, when numba starts compiling (not when it loads a
kernel from its cache).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

__all__ = [
    "COMPILING",
    "FNV_OFFSET",
    "FNV_PRIME",
    "HAVE_NUMBA",
    "SMALL_INPUT",
    "intrinsic",
    "jit",
    "kernels_for",
    "kernels_on",
    "numba_types",
    "overload",
    "trailing_zeros",
    "without_scipy_blas",
]

try:
    import numba
    from numba.core import event as numba_event
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


SMALL_INPUT = 256 * 1024
"""Inputs of at most this many bytes take the pure-Python reference paths instead of the kernels: about as
long as loading the compiled kernels from numba's cache takes, and nothing to compile on a first run."""

_reference = False  # set by kernels_for: callers of the kernels take their pure-Python reference paths


def kernels_on() -> bool:
    """Whether callers of the kernels call them (numba is there and :func:`kernels_for` chose them), rather
    than take their pure-Python reference paths, which give the same results."""
    return HAVE_NUMBA and not _reference


COMPILING = (
    "dedupe: compiling the numba kernels, once after installing (about half a minute; later runs load them "
    "from the cache) ..."
)


@contextmanager
def kernels_for(size: int | None, notice: bool = False) -> Iterator[None]:
    """Within the block, the kernels or their pure-Python reference paths, whichever costs less for an input
    of ``size`` bytes (None: unknown, so the kernels). With the kernels and ``notice``, :data:`COMPILING` goes
    to stderr once if numba starts compiling one (the first run after installing, or after a kernel's source
    changed), so that a person knows why the run waits. Forked workers inherit the choice; spawned ones take
    the kernels."""
    global _reference
    before = _reference
    _reference = size is not None and size <= SMALL_INPUT
    try:
        if not notice or _reference or not HAVE_NUMBA:
            yield
        else:
            with numba_event.install_listener("numba:compile", _Notice()):
                yield
    finally:
        _reference = before


if HAVE_NUMBA:

    class _Notice(numba_event.Listener):
        """Writes :data:`COMPILING` to stderr when numba starts its first compilation while it is installed."""

        said = False

        def on_start(self, event: object) -> None:
            if not self.said:
                self.said = True
                print(COMPILING, file=sys.stderr, flush=True)

        def on_end(self, event: object) -> None:
            pass
