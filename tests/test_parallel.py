"""ordered_map: results in input order whoever computed them, errors in their turn, no stuck workers."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.engines.parallel import RemoteTraceback, WorkerDied, ordered_map


def _slow_square(x: int, delay: float) -> tuple[int, int]:
    """Uneven work, so that results finish out of order; returns who computed it too."""
    time.sleep(delay * (x % 3))
    return x * x, os.getpid()


def _fail_on(x: int, bad: int) -> int:
    if x == bad:
        raise ValueError(f"bad item {x}")
    return x


def _in_worker() -> bool:
    return multiprocessing.parent_process() is not None


def _die_in_worker(x: int) -> int:
    """A worker is killed mid-batch (out of memory, a crash); this process is slow, so a worker begins one."""
    if _in_worker():
        os._exit(3)
    time.sleep(0.02)
    return x


def _unpicklable_from_worker(x: int) -> object:
    if _in_worker():
        return lambda: x  # a result that cannot travel back
    time.sleep(0.02)
    return x


def _slow_in_worker(x: int) -> tuple[int, int]:
    if _in_worker():
        time.sleep(0.2)
    return x, os.getpid()


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_come_in_input_order(jobs: int) -> None:
    out = list(ordered_map(_slow_square, range(40), jobs=jobs, extra=(0.002,), ahead=2))
    assert [square for square, _ in out] == [x * x for x in range(40)]


def test_this_process_computes_when_the_workers_are_full() -> None:
    """With two jobs there is one worker; this process takes items whenever the worker has its hands full."""
    out = list(ordered_map(_slow_square, range(30), jobs=2, extra=(0.01,), ahead=1))
    pids = {pid for _, pid in out}
    assert os.getpid() in pids
    assert len(pids) == 2


def test_batches_a_worker_has_not_begun_are_taken_back() -> None:
    """At the end of the input this process takes back what the worker has not begun, latest first."""
    out = list(ordered_map(_slow_in_worker, range(12), jobs=2, ahead=8))
    assert [x for x, _ in out] == list(range(12))
    by_worker = [x for x, pid in out if pid != os.getpid()]
    assert len(by_worker) <= 2  # of its eight it had begun at most the first two (none, if it started late)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(-1000, 1000), max_size=30), st.integers(1, 3), st.integers(1, 4))
def test_the_same_as_map_for_any_jobs_and_depth(items: list[int], jobs: int, ahead: int) -> None:
    out = list(ordered_map(_slow_square, items, jobs=jobs, extra=(0.0,), ahead=ahead))
    assert [square for square, _ in out] == [x * x for x in items]


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_an_error_is_raised_in_its_turn(jobs: int) -> None:
    got = []
    with pytest.raises(ValueError, match="bad item 7"):
        for value in ordered_map(_fail_on, range(20), jobs=jobs, extra=(7,), ahead=2):
            got.append(value)
    assert got == list(range(7))


def _fail_in_worker(x: int) -> int:
    if _in_worker():
        raise KeyError(f"worker failed on {x}")
    time.sleep(0.02)  # slow here, so the worker begins its first item
    return x


def test_an_error_in_a_worker_keeps_its_traceback() -> None:
    with pytest.raises(KeyError) as info:
        list(ordered_map(_fail_in_worker, range(10), jobs=2, ahead=2))
    assert isinstance(info.value.__cause__, RemoteTraceback)
    assert "_fail_in_worker" in str(info.value.__cause__)


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(WorkerDied, match="exit code 3"):
        list(ordered_map(_die_in_worker, range(20), jobs=2, ahead=2))


def test_a_result_that_cannot_be_pickled_is_reported() -> None:
    with pytest.raises(RuntimeError, match="in a worker process"):
        list(ordered_map(_unpicklable_from_worker, range(10), jobs=2, ahead=4))


def test_items_are_read_a_bounded_way_ahead() -> None:
    """Memory stays flat: the input is pulled only a few batches ahead of what has been consumed."""
    pulled = []

    def items():
        for x in range(1000):
            pulled.append(x)
            yield x

    results = ordered_map(_slow_square, items(), jobs=2, extra=(0.0,), ahead=2)
    for _ in range(5):
        next(results)
    assert len(pulled) <= 5 + (1 + 2) * 2 + 1
    results.close()


def test_workers_and_their_files_are_gone_after_an_early_stop(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    before = set(multiprocessing.active_children())
    results = ordered_map(_slow_square, range(100), jobs=3, extra=(0.0,), ahead=2)
    assert next(results)[0] == 0
    results.close()
    assert set(multiprocessing.active_children()) <= before
    assert list(tmp_path.iterdir()) == []


def test_warm_runs_once_before_any_item() -> None:
    calls = []
    out = list(ordered_map(_slow_square, range(5), jobs=2, extra=(0.0,), warm=lambda: calls.append(1)))
    assert calls == [1]
    assert [square for square, _ in out] == [0, 1, 4, 9, 16]


def test_the_command_line_reports_a_dead_worker_and_writes_nothing(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from dedupe.cli import main
    from dedupe.engines import local

    src = tmp_path / "in.jsonl"
    src.write_text("".join(f'{{"id": "{i}", "text": "document number {i} with a few words"}}\n' for i in range(1000)))
    real = local.prepare_lines

    def dying(chunk, opts, streaming, boilerplate=None, write_lines=False):
        if multiprocessing.parent_process() is not None:
            os._exit(9)
        return real(chunk, opts, streaming, boilerplate, write_lines)

    monkeypatch.setattr(local, "prepare_lines", dying)
    out = tmp_path / "out.jsonl"
    args = ["run", str(src), "-o", str(out), "--jobs", "2", "-q"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "a worker process ended unexpectedly (exit code 9)" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
