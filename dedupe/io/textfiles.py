"""Folders of text files (and single text files): the form most scraped corpora arrive in.

Ids are paths relative to the input folder with ``/`` separators, so they are the same on every machine
and every run; files are read in sorted path order so the output never depends on directory order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from dedupe.document import Document, Removal
from dedupe.io.decode import DEFAULT_ENCODING_POLICY, decode, note_decoding


def list_files(root: Path, pattern: str = "**/*") -> list[Path]:
    """Regular files under ``root`` matching ``pattern``, hidden files and folders skipped, sorted."""
    found = []
    for path in root.glob(pattern):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file():
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def read_folder(
    root: Path, *, pattern: str = "**/*", encoding_errors: str = DEFAULT_ENCODING_POLICY
) -> Iterator[Document | Removal]:
    for order, path in enumerate(list_files(root, pattern)):
        rel = path.relative_to(root).as_posix()
        yield read_text_file(path, doc_id=rel, source=rel, order=order, encoding_errors=encoding_errors)


def read_text_file(
    path: Path, *, doc_id: str, source: str, order: int = 0, encoding_errors: str = DEFAULT_ENCODING_POLICY
) -> Document | Removal:
    """One file as one document, or a rejection that says why it could not be one."""
    try:
        data = path.read_bytes()
    except OSError as err:
        return Removal(doc_id, "read", f"unreadable: {err.strerror or err}", rejected=True, source=source)
    return document_from_bytes(data, doc_id=doc_id, source=source, order=order, encoding_errors=encoding_errors)


def document_from_bytes(
    data: bytes, *, doc_id: str, source: str, order: int = 0, encoding_errors: str = DEFAULT_ENCODING_POLICY
) -> Document | Removal:
    """A file's bytes as a document, or a rejection saying why they cannot be one (also used by Spark)."""
    decoded = decode(data, encoding_errors)
    if decoded.text is None:
        return Removal(doc_id, "read", decoded.reason or "unreadable", rejected=True, source=source)
    return note_decoding(Document(doc_id, decoded.text, source=source, order=order), decoded.note)


class FolderWriter:
    """Writes each kept document to the same relative path under the output folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def write(self, doc: Document) -> None:
        target = self.root / (doc.source or doc.id)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="") as fh:
            fh.write(doc.text)  # exactly the cleaned text: what is written can be read back unchanged

    def close(self) -> None:
        pass


class TextFileWriter:
    """A single text file in, a single text file out (empty when the document was removed)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = open(path, "w", encoding="utf-8", newline="")

    def write(self, doc: Document) -> None:
        self.fh.write(doc.text)

    def close(self) -> None:
        self.fh.close()


def is_within(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or inside it (after resolving links)."""
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(folder))
        return True
    except ValueError:
        return False
