"""The README's examples run as written and print what the README says they print."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_python_example_prints_what_its_comments_say():
    block = python_blocks()[0]
    proc = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    expected = [m.group(1).strip() for m in re.finditer(r"print\(.*\)\s+# (.*)", block)]
    printed = proc.stdout.splitlines()
    assert printed[0] == "'Café menu\\n\\nOpen daily'" == expected[0]
    assert printed[1].startswith("'Scrapers often emit a paragraph twice, like this one here.\\nThe end.'")
    assert printed[2] == expected[2]
    assert printed[3] == expected[3]


def test_datasets_example_is_the_one_tests_run():
    example = python_blocks()[1].strip()
    test = (ROOT / "tests" / "test_datasets.py").read_text()
    for line in example.splitlines():
        assert line.replace("batch_size=1000", "batch_size=2") in test


def test_spark_example_is_the_one_tests_run():
    example = python_blocks()[2].strip()
    assert "deduplicate(df" in example
    test = (ROOT / "tests" / "test_spark.py").read_text()
    for line in example.splitlines():
        assert line.strip() in test


def test_readme_opens_with_the_two_setup_commands():
    head = README.split("\n## ", 1)[0]
    assert "make run" in head and "make test" in head


def shell_commands() -> list[str]:
    """The commands of the README's sh blocks that use dedupe (set-up commands `make ...` aside),
    with continuation lines joined and comments dropped."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            line = line.split("  #", 1)[0].strip()
            if "dedupe" in line and not line.startswith(("make ", "dedupe ")):
                commands.append(line)
    return commands


@pytest.mark.slow
def test_readme_shell_commands_work_as_written(tmp_path):
    commands = shell_commands()
    assert len(commands) >= 5
    for command in commands:
        # scratch paths first: the interpreter's own path may lie under /tmp too
        runnable = command.replace("/tmp/", f"{tmp_path}/").replace(".venv/bin/dedupe", f"{sys.executable} -m dedupe")
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", runnable], capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 0, f"{command}\n{proc.stderr}"
