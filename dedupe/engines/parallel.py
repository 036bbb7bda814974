"""Local parallelism: a pure function over batches, in worker processes, results in input order.

Only the pure per-batch work (cleaning and signatures) runs in workers; results come back in the order
the batches went in, so every decision downstream is the same for any number of processes. At most a
few batches per worker are in flight, so memory stays flat however large the input is.

Why not ``concurrent.futures.ProcessPoolExecutor``: it moves every task and result through threads of
this process, and this process is busy deciding and writing, holding the GIL. Each hand-over then waits
for a switch of the GIL and results are read a pipe buffer per switch, so workers wait for their next
batch a good part of the time (measured in benchmarks/RESULTS.md, "End to end").
Here there are no threads: batches and results travel as pickles in files of a temporary folder, and
the pipes between the processes carry only their names, so no write ever waits for a reader. A worker
always has its next batches in hand; this process reads a result in one call when it needs it, and
rather than wait for one, takes back batches that their worker has not begun (at the end of the input,
a worker would otherwise finish its last few alone).

Eight in hand, because this process cannot hand out batches while it computes or decides a slow one:
with a few only, a worker still runs dry now and then; with eight it hardly does (RESULTS.md).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class WorkerDied(RuntimeError):
    """A worker process ended without giving back its batches (killed, out of memory, a crash)."""


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
    ahead: int | None = None,
    warm: Callable[[], object] | None = None,
) -> Iterator[R]:
    """``fn(item, *extra)`` for every item, in order, using ``jobs`` processes: this one and ``jobs - 1``
    workers, each with up to ``ahead`` items in hand (by default 8, fewer with many workers: about 64
    items in flight in all, at least 2 each).

    This process consumes the results (it decides and writes). When the next result is not ready and
    every worker has its hands full, it computes the next item itself instead of waiting; so with two
    jobs there are two processes for two cores, not a third one time-sharing them, and how much each
    computes follows from how busy this one is with what it consumes. The results, and their order,
    are the same whoever computed them; an exception from ``fn`` is raised here in its item's turn.

    ``warm`` runs here first: with forked workers, so that what it loads (compiled kernels) is loaded
    once and shared, not once per worker; in one process, at no extra cost. Where workers are spawned
    instead it is not run.
    """
    if jobs <= 1:
        if warm is not None:
            warm()
        for item in items:
            yield fn(item, *extra)
        return
    # fork starts workers at once and shares the already compiled kernels; elsewhere spawn is the safe one
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    if warm is not None and method == "fork":
        warm()
    with tempfile.TemporaryDirectory(prefix="dedupe-batches-") as folder:
        workers = _Workers(jobs - 1, fn, extra, folder, multiprocessing.get_context(method))
        if ahead is None:
            ahead = min(8, max(2, 64 // workers.count))
        try:
            yield from _in_order(workers, fn, items, extra, ahead)
        finally:
            workers.close()


def _in_order(workers: _Workers, fn: Callable[..., R], items: Iterable[T], extra: tuple, ahead: int) -> Iterator[R]:
    limit = (workers.count + 2) * ahead  # items in flight or waiting for their turn, at most
    pending: deque[int] = deque()  # item numbers, in order
    here: dict[int, tuple[bool, Any]] = {}  # results computed in this process

    def take(number: int) -> Any:
        # Rather than wait for a worker, take back the batches it has not begun (the latest first), so
        # that at the end of the input it does not finish its last few alone while this process idles.
        while number not in here and not workers.finished(number):
            taken = workers.take_back()
            if taken is None:
                break
            here[taken[0]] = _called(fn, taken[1], extra)
        ok, value = here.pop(number) if number in here else workers.result(number)
        if not ok:
            raise value
        return value

    for number, item in enumerate(items):
        while pending and (pending[0] in here or workers.finished(pending[0])):
            yield take(pending.popleft())
        if len(pending) >= limit:
            yield take(pending.popleft())
        if not workers.submit(number, item, ahead):
            here[number] = _called(fn, item, extra)
        pending.append(number)
    while pending:
        yield take(pending.popleft())


def _called(fn: Callable[..., R], item: T, extra: tuple) -> tuple[bool, Any]:
    """(True, result) or (False, the exception): a worker sends back the same pair."""
    try:
        return True, fn(item, *extra)
    except Exception as exc:  # noqa: BLE001 - raised by take() in the item's turn
        return False, exc


class _Workers:
    """Worker processes, each with a pipe for the names of its batch files and of its result files."""

    def __init__(self, count: int, fn: Callable[..., Any], extra: tuple, folder: str, context: Any) -> None:
        self.count = count
        self.folder = folder
        self.conns: list[Connection] = []
        self.procs: list[Any] = []
        self.load = [0] * count  # batches sent to each worker and not yet answered
        self.owner: dict[int, int] = {}  # batch number -> worker, while in flight
        self.files: dict[int, str] = {}  # batch number -> its batch file, while a worker may still begin it
        self.done: dict[int, str] = {}  # batch number -> its result file
        for _ in range(count):
            here, there = context.Pipe()
            proc = context.Process(target=_serve, args=(there, fn, extra, folder), daemon=True)
            proc.start()
            there.close()
            self.conns.append(here)
            self.procs.append(proc)

    def submit(self, number: int, item: Any, ahead: int) -> bool:
        """Hand ``item`` to the least loaded worker; False when every worker already has ``ahead``."""
        self._collect(timeout=0)
        w = min(range(self.count), key=self.load.__getitem__)
        if self.load[w] >= ahead:
            return False
        path = _to_file(self.folder, item)
        try:
            self.conns[w].send((number, path))
        except OSError:
            raise self._died(w) from None
        self.load[w] += 1
        self.owner[number] = w
        self.files[number] = path
        return True

    def take_back(self) -> tuple[int, Any] | None:
        """(number, item) of the latest batch that no worker has begun, now this process's; or None.
        A worker begins a batch by renaming its file, and this process takes one back the same way, so
        exactly one of them gets it; the worker then answers that it was taken."""
        for number in sorted(self.files, reverse=True):
            path = self.files[number]
            try:
                os.rename(path, path + ".here")
            except FileNotFoundError:  # its worker has begun it
                continue
            del self.files[number]
            return number, _from_file(path + ".here")
        return None

    def finished(self, number: int) -> bool:
        if number not in self.done:
            self._collect(timeout=0)
        return number in self.done

    def result(self, number: int) -> tuple[bool, Any]:
        while number not in self.done:
            self._collect(timeout=None)
        return _from_file(self.done.pop(number))

    def _collect(self, timeout: float | None) -> None:
        """Take in every result name that has arrived, waiting up to ``timeout`` for the first."""
        sentinels = {p.sentinel: i for i, p in enumerate(self.procs)}
        for ready in wait([*self.conns, *sentinels], timeout):
            if ready in sentinels:  # workers end only when told to, in close()
                raise self._died(sentinels[ready])
            assert isinstance(ready, Connection)
            try:
                number, path = ready.recv()
            except (EOFError, OSError):
                raise self._died(self.conns.index(ready)) from None
            w = self.owner.pop(number)
            self.load[w] -= 1
            self.files.pop(number, None)  # gone already if taken back
            if path is not None:  # None: taken back before its worker began it
                self.done[number] = path

    def _died(self, w: int) -> WorkerDied:
        proc = self.procs[w]
        proc.join()
        return WorkerDied(f"a worker process ended unexpectedly (exit code {proc.exitcode})")

    def close(self) -> None:
        """Workers end when told, or are stopped if they do not; result files go with the folder. Batches
        not begun are withdrawn first, so that after an early stop a worker does not compute them all."""
        for path in self.files.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        for conn in self.conns:
            with contextlib.suppress(OSError):  # a worker that is gone needs no telling
                conn.send(None)
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join()
        for conn in self.conns:
            conn.close()


def _serve(conn: Connection, fn: Callable[..., Any], extra: tuple, folder: str) -> None:
    """A worker's loop: batch file in, result file out, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the workers
    while True:
        try:
            message = conn.recv()
        except EOFError:  # the parent is gone
            return
        if message is None:
            return
        number, path = message
        try:
            os.rename(path, path + ".worker")  # begun: the main process can no longer take it back
        except FileNotFoundError:
            conn.send((number, None))
            continue
        ok, value = _called(fn, _from_file(path + ".worker"), extra)
        outcome = (ok, value if ok else _WithTraceback(value))
        try:
            name = _to_file(folder, outcome)
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled still reaches the parent
            name = _to_file(folder, (False, RuntimeError("in a worker process:\n" + traceback.format_exc())))
        conn.send((number, name))


class RemoteTraceback(Exception):
    """Where a worker's exception was raised: its traceback, as text, set as the exception's cause."""

    def __str__(self) -> str:
        return str(self.args[0])


class _WithTraceback:
    """An exception on its way back from a worker, with its traceback (which pickling would drop)."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
        self.text = "".join(traceback.format_exception(exc))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _with_cause, (self.exc, self.text)


def _with_cause(exc: BaseException, text: str) -> BaseException:
    exc.__cause__ = RemoteTraceback("\n" + text)
    return exc


def _to_file(folder: str, value: Any) -> str:
    """``value`` pickled into a new file in ``folder``; returns its path."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    fd, path = tempfile.mkstemp(dir=folder)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def _from_file(path: str) -> Any:
    """What :func:`_to_file` put at ``path``; the file is removed."""
    with open(path, "rb") as fh:
        data = fh.read()
    os.unlink(path)
    return pickle.loads(data)
