"""Bytes to text, with a recorded decision instead of a traceback.

Scraped corpora contain files that are not UTF-8, files that are not text at all, and empty files. The
reader must neither crash on them nor turn them silently into garbage, so decoding returns either the
text (and what it had to do to get it) or a reason to reject the document.
"""

from __future__ import annotations

import codecs
from typing import NamedTuple

from dedupe.document import Document

ENCODING_POLICIES = ("reject", "replace", "detect")

# Control bytes that never occur in text files (TAB, LF, FF, CR, ESC are allowed).
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_SNIFF = 8192


class Decoded(NamedTuple):
    text: str | None
    reason: str | None = None  # why the document is rejected, when text is None
    note: str | None = None  # what decoding had to do (BOM stripped, bytes replaced, cp1252 detected)


def note_decoding(doc: Document, note: str | None) -> Document:
    """Count what decoding had to do (``read: decoded as cp1252`` ...) among the document's edits."""
    if note:
        doc.edits[f"read: {note.split(':')[-1].strip()}"] += 1
    return doc


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: a NUL byte, or many control bytes, in its first 8 KB.

    A NUL never occurs in UTF-8 text files; a few stray control bytes do (old scrapes carry them), so
    only a high share of them (over 10 %) marks a file as binary.
    """
    head = data[:_SNIFF]
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    return controls / len(head) > 0.10


def decode(data: bytes, policy: str = "reject") -> Decoded:
    """Decode UTF-8 (a byte-order mark is dropped); on invalid UTF-8 follow ``policy``.

    ``reject`` rejects the document and says where the first bad byte is; ``replace`` keeps it with
    U+FFFD for each bad byte; ``detect`` decodes it as Windows-1252 (the usual encoding of Western text
    that is not UTF-8; bytes it leaves undefined fall back to Latin-1), and records that decision.
    """
    if looks_binary(data):
        return Decoded(None, "binary: not a text file (NUL or control bytes)")
    note = None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        note = "byte-order mark removed"
    try:
        return Decoded(data.decode("utf-8"), None, note)
    except UnicodeDecodeError as err:
        where = f"invalid UTF-8 at byte {err.start}"
        if policy == "replace":
            return Decoded(data.decode("utf-8", errors="replace"), None, f"{where}: bad bytes replaced")
        if policy == "detect":
            return Decoded(_decode_cp1252(data), None, f"{where}: decoded as cp1252")
        return Decoded(None, f"unreadable: {where} (use --encoding-errors replace or detect to keep it)")


def _latin1_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    """Map a byte Windows-1252 leaves undefined to the Latin-1 character of the same value."""
    return chr(err.object[err.start]), err.start + 1


codecs.register_error("dedupe-latin1", _latin1_fallback)


def _decode_cp1252(data: bytes) -> str:
    return data.decode("cp1252", errors="dedupe-latin1")
