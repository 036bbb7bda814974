"""Loading numba's compiled kernels without the parts of numba's start-up that no kernel here uses.

The first kernel a process calls makes numba set up its CPU target, and with it check whether SciPy's
BLAS is there (for ``np.dot`` and friends inside compiled code): importing SciPy's linear algebra for
that costs 0.15-0.2 s, a fifth of a run's start-up, and start-up is paid before any worker can begin.
None of dedupe's kernels does linear algebra, so while they load, that import is made to fail, as if
SciPy were not installed; numba then uses its own loops for the few functions that would have used
BLAS. Where SciPy's BLAS is already imported, or numba's target already set up, nothing changes, and
afterwards SciPy imports normally again.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

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
