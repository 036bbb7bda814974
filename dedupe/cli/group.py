"""The ``dedupe`` group and the one way a command gives up.

Every command module registers on :func:`main` and exits through :func:`fail`; both live here, apart
from the package's ``__init__``, so those modules can import them without importing each other.
"""

from __future__ import annotations

import logging
import sys
from typing import NoReturn

import click

from dedupe.version import __version__


def fail(message: str, code: int = 1) -> NoReturn:
    """Exit with ``dedupe: error: MESSAGE`` on stderr: 1 when the run failed, 2 for a usage error."""
    click.echo(f"dedupe: error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="dedupe")
@click.option("-v", "--verbose", count=True, help="Log what the run does to stderr (-v: steps, -vv: details).")
def main(verbose: int) -> None:
    """Clean scraped text and remove near-duplicate documents.

    \b
    dedupe run INPUT -o OUTPUT        clean and de-duplicate a corpus
    dedupe clean FILE                 print one file's cleaned text
    dedupe explain FILE               list every change cleaning makes to a file, and why
    dedupe index build CORPUS -o IDX  save what a corpus holds, for `run --against IDX`
    dedupe pairs INPUT --min 0.5      candidate pairs with estimated and exact similarity
    dedupe clusters INPUT             each duplicate group with its members' similarities

    Exit status: 0 done, 1 the run failed, 2 usage error (bad option, missing input, output exists),
    3 done with rejected documents under --strict.
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="dedupe %(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True)
