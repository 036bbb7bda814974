"""The command line: parse options, call the pipeline, print the account. Nothing else lives here.

Exit codes: 0 the run completed (rejected documents are recorded, not failures), 1 the run failed,
2 the command line was wrong (bad option, missing input, output exists), 3 the run completed with
rejected documents under --strict.

Each command lives in its own module and registers on :func:`main` when imported; importing this package
imports them all, so ``dedupe.cli:main`` always has every command.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import NoReturn

from dedupe.cli import index, one_file, similarity  # noqa: F401 - importing a module registers its commands
from dedupe.cli.group import main
from dedupe.cli.run import default_side_paths

__all__ = ["default_side_paths", "main", "script"]


def script() -> NoReturn:
    """The ``dedupe`` command: :func:`main`, then an exit that skips tearing the interpreter down.

    Once numba has loaded its kernels, Python's own teardown (freeing LLVM's compiled code and the
    modules one by one) takes about 0.3 s, a third of a small run and paid by every run. Nothing in it
    matters here: every file is written and closed before the command returns, and the exit handlers
    (multiprocessing's, Spark's) still run, as do the flushes of stdout and stderr.
    """
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:  # pragma: no cover - click always ends with SystemExit
        code = 0
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
