"""Every case of tests/golden/cases.py writes the files the release before the module move wrote, byte
for byte: output, removal log, clusters and report (less its time, paths and execution settings), for
``--jobs 1`` and ``--jobs 2``, and for the Spark engine on a few cases."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import dedupe_ok

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))

from cases import CASES, EXPECTED, SPARK_CASES, args, run_files  # noqa: E402


def expected(corpus: str, policy: str) -> dict[str, bytes]:
    folder = EXPECTED / corpus / policy
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run(corpus: str, policy: str, folder: Path, *extra: str) -> dict[str, bytes]:
    dedupe_ok("run", *args(corpus, policy, folder), *extra)
    return run_files(folder, corpus)


def assert_same(got: dict[str, bytes], want: dict[str, bytes]) -> None:
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], f"{name} differs from the golden file"


@pytest.mark.parametrize(("corpus", "policy"), CASES, ids=[f"{c}-{p}" for c, p in CASES])
def test_one_job_writes_the_golden_files(tmp_path, corpus, policy):
    assert_same(run(corpus, policy, tmp_path, "--jobs", "1"), expected(corpus, policy))


@pytest.mark.slow
@pytest.mark.parametrize(("corpus", "policy"), CASES, ids=[f"{c}-{p}" for c, p in CASES])
def test_two_jobs_write_the_golden_files(tmp_path, corpus, policy):
    assert_same(run(corpus, policy, tmp_path, "--jobs", "2"), expected(corpus, policy))


@pytest.mark.slow
@pytest.mark.spark
@pytest.mark.parametrize(("corpus", "policy"), SPARK_CASES, ids=[f"{c}-{p}" for c, p in SPARK_CASES])
def test_the_spark_engine_writes_the_golden_files(tmp_path, corpus, policy):
    pytest.importorskip("pyspark")
    got = run(corpus, policy, tmp_path, "--engine", "spark", "--spark-master", "local[2]")
    assert_same(got, expected(corpus, policy))
