"""Options from a TOML file, --print-config round trips, -v logging and documented exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import SEEDS

from dedupe.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_config_file_sets_options_and_the_command_line_wins(tmp_path: Path):
    cfg = tmp_path / "dedupe.toml"
    cfg.write_text(
        'num-perm = 64\n[run]\nthreshold = 0.7\nskip_rule = ["odd_spaces"]\nquiet = true\n'
        f'output = "{tmp_path / "out"}"\n'
    )
    result = invoke("run", str(SEEDS), "--config", str(cfg), "--threshold", "0.9")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out.report.json").read_text())
    assert report["options"]["num_perm"] == 64  # from the top level
    assert report["options"]["threshold"] == 0.9  # the command line wins over the [run] table
    assert report["options"]["skip_rules"] == ["odd_spaces"]
    assert result.stderr == ""  # quiet = true


def test_print_config_round_trips(tmp_path: Path):
    printed = invoke(
        "run",
        str(SEEDS),
        "-o",
        str(tmp_path / "a"),
        "--num-perm",
        "96",
        "--keep",
        "longest",
        "--skip-rule",
        "ftfy",
        "--print-config",
    )
    assert printed.exit_code == 0 and printed.stdout.startswith("[run]\n")
    assert not (tmp_path / "a").exists()  # printing the settings runs nothing
    cfg = tmp_path / "saved.toml"
    cfg.write_text(printed.stdout)
    again = invoke("run", str(SEEDS), "--config", str(cfg), "--print-config")
    assert again.stdout == printed.stdout
    assert invoke("run", str(SEEDS), "--config", str(cfg), "-q").exit_code == 0
    report = json.loads((tmp_path / "a.report.json").read_text())
    assert (report["options"]["num_perm"], report["options"]["keep"]) == (96, "longest")


def test_bad_config_files_are_usage_errors(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("threshold = [oops")
    result = invoke("run", str(SEEDS), "-o", str(tmp_path / "o"), "--config", str(bad))
    assert result.exit_code == 2 and "not valid TOML" in result.output
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("threshhold = 0.7\n")
    result = invoke("run", str(SEEDS), "-o", str(tmp_path / "o"), "--config", str(unknown))
    assert result.exit_code == 2 and "unknown option 'threshhold'" in result.output


def test_verbose_logs_the_run(tmp_path: Path):
    result = invoke("-v", "run", str(SEEDS), "-o", str(tmp_path / "o"), "-q")
    assert result.exit_code == 0
    assert "12 bands x 5 rows" in result.stderr and "stream mode" in result.stderr


def test_exit_codes_are_documented():
    text = invoke("--help").stdout
    assert "0 done, 1 the run failed, 2 usage error" in text and "3 done with rejected documents" in text
