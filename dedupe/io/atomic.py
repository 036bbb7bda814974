"""Outputs that are either complete or absent.

A run that is killed must never leave a half-written file under the name a later stage reads, so every
output is written under a temporary sibling name (``.NAME.partial``) and renamed into place only when the
run has finished. A leftover ``.partial`` marks an incomplete run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


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


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
