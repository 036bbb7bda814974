"""Local parallelism: a pure function over batches, in worker processes, results in input order.

Only the pure per-batch work (cleaning and signatures) runs in workers; results come back in the order
the batches went in, so every decision downstream is the same for any number of processes. At most a
few batches per worker are in flight, so memory stays flat however large the input is.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def ordered_map(
    fn: Callable[..., R],
    items: Iterable[T],
    *,
    jobs: int = 1,
    extra: tuple[Any, ...] = (),
    ahead: int = 2,
    warm: Callable[[], object] | None = None,
) -> Iterator[R]:
    """``fn(item, *extra)`` for every item, in order, using ``jobs`` processes (1: in this process).

    ``warm`` runs here just before forked workers start, so what it loads (compiled kernels) is loaded
    once and shared, not once per worker; where workers are spawned instead it is not run.
    """
    if jobs <= 1:
        for item in items:
            yield fn(item, *extra)
        return
    # fork starts workers at once and shares the already compiled kernels; elsewhere spawn is the safe one
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    if warm is not None and method == "fork":
        warm()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method)) as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(fn, item, *extra))
            if len(pending) >= jobs * ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
