"""Outputs that are either complete or absent.

A run that is killed must never leave a half-written file under the name a later stage reads, so every
output is written under a temporary sibling name (``.NAME.partial``) and renamed into place only when the
run has finished. A leftover ``.partial`` marks an incomplete run.

Small files written whole (the report, the HTML page, a checkpoint, cached tables) go through
:func:`replacing` or the ``write_*`` helpers on top of it, so that every such file follows the one rule
above instead of a variant of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO


class OutputExists(Exception):
    """The output is already there and the user did not ask to overwrite it."""


def partial_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.partial")


def check_writable(final: Path, *, overwrite: bool) -> None:
    """Refuse to replace a non-empty output unless asked; a user's earlier results are not ours to lose."""
    if not final.exists() or overwrite:
        return
    if final.is_dir() and not any(final.iterdir()):
        return
    raise OutputExists(f"{final} already exists; pass --overwrite to replace it")


def commit(tmp: Path, final: Path) -> None:
    """Move a finished temporary output into place, replacing what was there."""
    if final.is_dir() and not final.is_symlink():
        trash = final.with_name(f".{final.name}.old")
        _remove(trash)
        os.replace(final, trash)
        os.replace(tmp, final)
        _remove(trash)
    else:
        os.replace(tmp, final)


def discard(tmp: Path) -> None:
    _remove(tmp)


@contextmanager
def replacing(final: Path, *, unique: bool = False) -> Iterator[BinaryIO]:
    """A binary file whose contents become ``final`` when the block ends without an error.

    On an error the temporary file is removed and ``final`` is left as it was, so a reader finds the old
    file or the new one, never a mix. The parent folder is created: an output may be asked for in a
    folder that does not exist yet. ``unique``: several processes may write ``final`` at the same time
    (each with the same contents), so each needs a temporary name of its own (``.NAME.XXXX.partial``)
    rather than the shared ``.NAME.partial`` that a second writer would truncate under the first.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    if unique:
        fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".partial")
        tmp, fh = Path(name), os.fdopen(fd, "wb")
    else:
        tmp = partial_path(final)
        fh = open(tmp, "wb")
    try:
        with fh:
            yield fh
        commit(tmp, final)
    except BaseException:
        discard(tmp)
        raise


def write_bytes(final: Path, data: bytes, *, unique: bool = False) -> None:
    with replacing(final, unique=unique) as fh:
        fh.write(data)


def write_text(final: Path, text: str) -> None:
    """UTF-8, with line ends exactly as in ``text`` (no translation), so a file is the same on any OS."""
    write_bytes(final, text.encode("utf-8"))


def write_json(final: Path, data: Any) -> None:
    """Indented, non-ASCII kept as is, one final newline: the form of the run's JSON report."""
    write_text(final, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
