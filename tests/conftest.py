import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))  # benchmarks/corpora.py: the constructed test corpora

SEEDS = ROOT / "seeds"


def dedupe_ok(*args: str) -> str:
    """Run the command line in this process and return what it printed; it must succeed."""
    from click.testing import CliRunner

    from dedupe.cli import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def pytest_collection_modifyitems(items):
    """Spark tests start a JVM and run many small jobs: they belong to the slow tier (`make test` runs
    every tier; `make test-fast` leaves the slow one out)."""
    for item in items:
        if item.get_closest_marker("spark") is not None:
            item.add_marker("slow")
