"""The repetition filter in a run: documents still too repetitive after repair are removed with the
Gopher statistics that failed; repaired documents are judged on their repaired text."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import SEEDS
from corpora import document

from dedupe.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_filter_removes_what_repair_cannot_fix_and_keeps_what_it_repaired(tmp_path: Path):
    spam = " ".join(["cheap pills buy now"] * 60)
    records = [
        {"id": "spam", "text": spam},
        {"id": "prose", "text": document(300, seed=1)},
        {"id": "doubled", "text": (SEEDS / "000_d6ccdd7f7920074a.txt").read_text()},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = invoke("run", str(src), "-o", str(tmp_path / "out.jsonl"), "-q", "--repetition-filter")
    assert result.exit_code == 0, result.output
    kept = [json.loads(line)["id"] for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert kept == ["prose", "doubled"]  # seed 000 fails the Gopher limits before repair, passes after
    (removal,) = [json.loads(line) for line in (tmp_path / "out.removed.jsonl").read_text().splitlines()]
    assert removal["id"] == "spam" and removal["step"] == "repeats" and removal["kind"] == "removed"
    assert "top_2gram_char_frac" in removal["reason"] and "dup_5gram_char_frac" in removal["reason"]


def test_limits_can_be_changed_and_the_filter_is_off_by_default(tmp_path: Path):
    seed = str(SEEDS / "001_015dd3622083cb52.txt")  # dup_5gram_char_frac 0.16: just over Gopher's 0.15
    assert invoke("run", seed, "-o", str(tmp_path / "a.txt"), "-q").exit_code == 0
    assert (tmp_path / "a.txt").read_text()
    assert invoke("run", seed, "-o", str(tmp_path / "b.txt"), "-q", "--repetition-filter").exit_code == 0
    assert (tmp_path / "b.txt").read_text() == ""
    loose = [
        "--max-repetition",
        "dup_5gram_char_frac=0.2",
        "--max-repetition",
        "dup_9gram_char_frac=0.2",
        "--max-repetition",
        "dup_10gram_char_frac=0.2",
    ]
    assert invoke("run", seed, "-o", str(tmp_path / "c.txt"), "-q", *loose).exit_code == 0
    assert (tmp_path / "c.txt").read_text()
    bad = invoke("run", seed, "-o", str(tmp_path / "d.txt"), "--max-repetition", "dup_words=0.2")
    assert bad.exit_code == 2 and "unknown repetition statistic" in bad.output
    worse = invoke("run", seed, "-o", str(tmp_path / "e.txt"), "--max-repetition", "dup_para_frac")
    assert worse.exit_code == 2 and "NAME=VALUE" in worse.output


def test_explain_reports_the_statistics_before_and_after_repair():
    result = invoke("explain", str(SEEDS / "000_d6ccdd7f7920074a.txt"))
    last = result.stdout.strip().splitlines()[-1]
    assert "within the Gopher repetition limits" in last and "before repair: dup_line_frac 0.38 > 0.30" in last
