"""The installed command (`python -m dedupe`, `dedupe`) exits without tearing the interpreter down:
everything must still be written, and every exit code kept."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from dedupe.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _outputs(folder: Path) -> dict[str, object]:
    """The files of a run, less what differs between any two runs (paths, timings)."""
    files: dict[str, object] = {name: (folder / name).read_bytes() for name in ("kept.jsonl", "removed.jsonl")}
    files["clusters.jsonl"] = (folder / "clusters.jsonl").read_bytes()
    report = json.loads((folder / "report.json").read_text())
    for key in ("paths", "seconds", "docs_per_second", "mb_per_second"):
        report.pop(key, None)
    files["report.json"] = report
    html = (folder / "run.html").read_text()
    files["run.html complete"] = html.rstrip().endswith("</html>")
    return files


def _args(src: Path, out: Path) -> list[str]:
    return [
        "run",
        str(src),
        "-o",
        str(out / "kept.jsonl"),
        "--removed",
        str(out / "removed.jsonl"),
        "--report",
        str(out / "report.json"),
        "--clusters",
        str(out / "clusters.jsonl"),
        "--html",
        str(out / "run.html"),
        "--jobs",
        "2",
        "-q",
    ]


def test_every_file_is_complete_after_the_quick_exit(tmp_path) -> None:
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    (src / "copy.txt").write_text((SEEDS / "001_015dd3622083cb52.txt").read_text())  # one removal at least
    by_script, in_process = tmp_path / "script", tmp_path / "in_process"
    by_script.mkdir()
    in_process.mkdir()
    done = subprocess.run([sys.executable, "-m", "dedupe", *_args(src, by_script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    result = CliRunner().invoke(main, _args(src, in_process), catch_exceptions=False)
    assert result.exit_code == 0
    assert _outputs(by_script) == _outputs(in_process)
    assert json.loads((by_script / "report.json").read_text())["removed"] >= 1


def test_exit_codes_and_messages_survive_the_quick_exit(tmp_path) -> None:
    cmd = [sys.executable, "-m", "dedupe", "run", str(tmp_path / "nothing"), "-o", str(tmp_path / "out.jsonl")]
    missing = subprocess.run(cmd, capture_output=True)
    assert missing.returncode == 2
    assert b"nothing" in missing.stderr
    version = subprocess.run([sys.executable, "-m", "dedupe", "--version"], capture_output=True, text=True)
    assert version.returncode == 0
    assert version.stdout.startswith("dedupe")
