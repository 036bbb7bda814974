"""A run killed part-way (SIGKILL) and started again with --resume writes exactly what an uninterrupted
run writes; a killed run never leaves a file under the final name."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpora import bridge, document, edit

from dedupe.cli import main
from dedupe.io import InputFormat
from dedupe.options import Options
from dedupe.run.resume import checkpoint_path, result_settings


def _corpus(n: int = 1500) -> list[dict]:
    docs = []
    for i in range(n):
        if i % 5 == 4:  # every fifth document is a near or exact copy of an earlier one
            base = docs[i - 3]["text"]
            docs.append({"id": f"d{i}", "text": edit(base, 0.005, seed=i) if i % 10 == 4 else base})
        elif i % 50 == 1:  # two kept documents and one near both: families joined all through the run
            a, c, d = bridge(seed=i)
            docs.append({"id": f"d{i}", "text": a})
            bridged = (c, d)
        elif i % 50 in (2, 3):
            docs.append({"id": f"d{i}", "text": bridged[i % 50 - 2]})
        else:
            docs.append({"id": f"d{i}", "text": document(120, seed=i)})
    docs.insert(7, {"id": "bad", "text": 5})  # a rejection early on
    return docs


def _run(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dedupe", "run", *args, "-q", "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _kill_after_checkpoint(proc: subprocess.Popen, checkpoint: Path, at_least: int) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if checkpoint.exists():
            try:
                items = json.loads(checkpoint.read_text())["items"]
            except (json.JSONDecodeError, OSError):
                items = 0
            if items >= at_least:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return items
        if proc.poll() is not None:
            pytest.fail("the run finished before it could be killed: make the corpus larger")
        time.sleep(0.005)
    pytest.fail("no checkpoint appeared")


@pytest.mark.slow
@pytest.mark.parametrize("form", ["jsonl", "folder", "boilerplate"])
def test_resume_after_sigkill_gives_byte_identical_output(tmp_path: Path, form: str):
    docs = _corpus()
    common = ["--checkpoint-every", "50"]
    if form == "boilerplate":  # the resumed run counts the lines of the whole input again, as the first did
        for i, d in enumerate(docs):
            if i % 3 == 0 and isinstance(d["text"], str):
                d["text"] = f"Share this article\n{d['text']}\nRead more from our newsroom"
        common.append("--boilerplate")
    if form in ("jsonl", "boilerplate"):
        src = tmp_path / "in.jsonl"
        src.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
        out_a, out_b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    else:
        src = tmp_path / "in"
        src.mkdir()
        for d in docs:
            if isinstance(d["text"], str):
                (src / f"{d['id']}.txt").write_text(d["text"], encoding="utf-8")
        out_a, out_b = tmp_path / "a", tmp_path / "b"
    assert _run(str(src), "-o", str(out_a), *common, "--clusters", str(tmp_path / "a.clusters.jsonl")).wait() == 0

    common += ["--clusters", str(tmp_path / "b.clusters.jsonl")]
    proc = _run(str(src), "-o", str(out_b), *common)
    items = _kill_after_checkpoint(proc, checkpoint_path(str(out_b)), at_least=300)
    assert not out_b.exists()  # nothing under the final name: the run is visibly incomplete
    assert checkpoint_path(str(out_b)).exists()
    resumed = _run(str(src), "-o", str(out_b), *common, "--resume")
    assert resumed.wait() == 0, resumed.stderr.read().decode()
    assert not checkpoint_path(str(out_b)).exists()

    def contents(out: Path) -> dict[str, bytes]:
        if out.is_file():
            return {"": out.read_bytes()}
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}

    assert contents(out_b) == contents(out_a)
    removed_a = (tmp_path / "a.removed.jsonl").read_bytes()
    assert (tmp_path / "b.removed.jsonl").read_bytes() == removed_a
    assert removed_a.count(b'"near"') >= 20 and items < len(docs)
    clusters_a = (tmp_path / "a.clusters.jsonl").read_text()
    assert (tmp_path / "b.clusters.jsonl").read_text() == clusters_a  # families joined before the kill too
    joined = [json.loads(line) for line in clusters_a.splitlines() if '"kept"' in line]
    assert sum(m["id"] != m["cluster"] for m in joined) >= 20  # kept documents in another's family
    assert not list(tmp_path.glob("*.checkpoint*"))  # the checkpoint and its cluster journal are gone
    report_a = json.loads((tmp_path / "a.report.json").read_text())
    report_b = json.loads((tmp_path / "b.report.json").read_text())
    for key in ("read", "kept", "removed", "rejected", "boilerplate"):
        assert report_a.get(key) == report_b.get(key)
    assert report_a["stages"].get("boilerplate") == report_b["stages"].get("boilerplate")
    if form == "boilerplate":
        assert report_a["stages"]["boilerplate"]["lines"] >= 800


def test_resume_refuses_what_it_cannot_continue(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "some words here"}) + "\n")
    runner = CliRunner()
    nothing = runner.invoke(main, ["run", str(src), "-o", str(tmp_path / "o.jsonl"), "--resume"])
    assert nothing.exit_code == 2 and "nothing to resume" in nothing.stderr
    gz = runner.invoke(main, ["run", str(src), "-o", str(tmp_path / "o.jsonl.gz"), "--resume"])
    assert gz.exit_code == 2 and "compressed" in gz.stderr
    ckpt = checkpoint_path(str(tmp_path / "p.jsonl"))
    ckpt.write_text(
        json.dumps({"items": 0, "output_bytes": 0, "removed_bytes": 0, "account": {}, "options": {"threshold": 0.5}})
    )
    other = runner.invoke(main, ["run", str(src), "-o", str(tmp_path / "p.jsonl"), "--resume"])
    assert other.exit_code == 2 and "other options" in other.stderr
    assert os.path.exists(ckpt)


def test_resume_refuses_a_checkpoint_that_read_the_input_another_way(tmp_path: Path):
    """How the input is decoded decides the result as much as the options do: a run checkpointed with
    --encoding-errors reject is not finished with the default (detect)."""
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "some words here"}) + "\n")
    out = tmp_path / "p.jsonl"
    settings = result_settings(Options(), InputFormat(encoding_errors="reject"))
    checkpoint_path(str(out)).write_text(
        json.dumps({"items": 0, "output_bytes": 0, "removed_bytes": 0, "account": {}, "options": settings})
    )
    refused = CliRunner().invoke(main, ["run", str(src), "-o", str(out), "--resume"])
    assert refused.exit_code == 2 and "encoding_errors: checkpoint 'reject', now 'detect'" in refused.stderr
    same = CliRunner().invoke(main, ["run", str(src), "-o", str(out), "--resume", "--encoding-errors", "reject"])
    assert "other options" not in same.stderr
