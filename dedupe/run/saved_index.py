"""A saved index: what a corpus kept, so a new crawl can be de-duplicated against it without rereading it.

The index is a folder: ``meta.json`` (format name and version, the settings that decide signatures and
digests, the tokenisation, counts) and the arrays of the near-duplicate index and the exact-duplicate
digests. Loading checks the version, the tokenisation (a dedupe that tokenises otherwise computes other
signatures from the same settings) and that the run's settings produce comparable signatures; any
difference is a clear error, never silently wrong matches.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from dedupe.decide.decider import Decider, index_options
from dedupe.document import Account
from dedupe.io import atomic
from dedupe.near.index import NearDuplicateIndex
from dedupe.near.shingles import TOKENISATION
from dedupe.options import Options
from dedupe.version import __version__

FORMAT = "dedupe-index"
VERSION = 1
# Settings that change signatures, band keys or digests: a run must use the index's values.
MUST_MATCH = (
    "num_perm",
    "seed",
    "ngram",
    "shingle",
    "normalize",
    "skip_rules",
    "straight_quotes",
    "unicode_form",
    "repeats",
)


class SavedIndexError(Exception):
    """The index cannot be used for this run (missing, wrong version, other settings): one line for the user."""


def save(decider: Decider, folder: Path, opts: Options) -> None:
    """Write the decider's kept documents to ``folder``, atomically (complete or absent)."""
    tmp = atomic.partial_path(folder)
    atomic.discard(tmp)
    tmp.mkdir(parents=True)
    decider.index.save(tmp)
    digests = np.frombuffer(b"".join(decider.seen.keys()), dtype=np.uint8).reshape(-1, 16)
    np.save(tmp / "digests.npy", digests)
    firsts = [decider.kept_named(value) for value in decider.seen.values()]
    (tmp / "digest_ids.json").write_text(json.dumps([doc_id for doc_id, _ in firsts], ensure_ascii=False))
    np.save(tmp / "digest_index.npy", np.array([number for _, number in firsts], dtype=np.int64))
    settings = opts.to_json()
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "dedupe_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "documents": len(decider.index),
        "digests": len(decider.seen),
        "has_shingles": decider.index.verify != "none",
        "bands": decider.index.bands,
        "rows": decider.index.rows,
        "settings": {key: settings[key] for key in (*MUST_MATCH, "threshold", "verify")} | {"tokens": TOKENISATION},
    }
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    atomic.commit(tmp, folder)


def read_meta(folder: Path) -> dict[str, Any]:
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        raise SavedIndexError(f"{folder} is not a dedupe index (no meta.json)")
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise SavedIndexError(f"{meta_path} is unreadable: {err}") from err
    if meta.get("format") != FORMAT:
        raise SavedIndexError(f"{folder} is not a dedupe index (format {meta.get('format')!r})")
    if meta.get("version") != VERSION:
        raise SavedIndexError(
            f"{folder} has index format version {meta.get('version')}; this dedupe {__version__} reads version "
            f"{VERSION}: rebuild it with `dedupe index build`"
        )
    tokens = meta.get("settings", {}).get("tokens", "words")  # indexes from before it was recorded: \w+ runs
    if tokens != TOKENISATION:
        raise SavedIndexError(
            f"{folder} was built with tokens {tokens!r}; this dedupe {__version__} uses {TOKENISATION!r} (a "
            "character of a script without spaces is a word): rebuild it with `dedupe index build`"
        )
    return meta


def check_settings(meta: dict[str, Any], opts: Options) -> None:
    """Refuse a run whose signatures or digests would not be comparable with the index's."""
    settings = opts.to_json()
    saved = meta["settings"]
    diffs = [f"{key}: index {saved[key]!r}, run {settings[key]!r}" for key in MUST_MATCH if saved[key] != settings[key]]
    if diffs:
        raise SavedIndexError(
            "the index was built with other settings (" + "; ".join(diffs) + "): use the index's settings or rebuild it"
        )
    if opts.verify != "none" and not meta["has_shingles"]:
        raise SavedIndexError(
            "the index was built with --verify none and holds no shingle sets: run with --verify none"
        )


def load(folder: Path, opts: Options, account: Account, temp_dir: str | None = None) -> Decider:
    """A Decider that already holds the index's kept documents; new ones are checked against them."""
    meta = read_meta(folder)
    check_settings(meta, opts)
    options = index_options(opts, temp_dir)
    options.update(bands=meta["bands"], rows=meta["rows"])
    index = NearDuplicateIndex.load(folder, **options)
    digests = np.load(folder / "digests.npy")
    ids = json.loads((folder / "digest_ids.json").read_text())
    numbers_file = folder / "digest_index.npy"  # absent in indexes saved before clusters: ids only
    numbers = np.load(numbers_file).tolist() if numbers_file.is_file() else [-1] * len(ids)
    seen: dict[bytes, int | str] = {
        bytes(row): (number if number >= 0 else doc_id)
        for row, doc_id, number in zip(digests, ids, numbers, strict=True)
    }
    return Decider(opts, account, index=index, seen=seen, temp_dir=temp_dir)
