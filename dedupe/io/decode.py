"""Bytes to text, with a recorded decision instead of a traceback.

Scraped corpora contain files that are not UTF-8, files that are not text at all, and empty files. The
reader must neither crash on them nor turn them silently into garbage, so decoding returns either the
text (and what it had to do to get it) or a reason to reject the document.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

from dedupe.document import Document

ENCODING_POLICIES = ("reject", "replace", "detect")
DEFAULT_ENCODING_POLICY = "detect"

# Control bytes that never occur in text files (TAB, LF, FF, CR, ESC are allowed).
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_SNIFF = 8192
# What a single-byte decoding must not produce: C0 controls other than TAB, LF, FF, CR, and C1 controls.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x80-\x9f]")
# The bytes where cp1252 and Latin-1 differ; text without them reads the same in both.
_CP1252_RANGE = re.compile(b"[\x80-\x9f]")


class Decoded(NamedTuple):
    text: str | None
    reason: str | None = None  # why the document is rejected, when text is None
    note: str | None = None  # what decoding had to do (BOM stripped, bytes replaced, cp1252 or Latin-1 decoded)


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


def decode(data: bytes, policy: str = DEFAULT_ENCODING_POLICY) -> Decoded:
    """Decode UTF-8 (a byte-order mark is dropped); on invalid UTF-8 follow ``policy``.

    Binary data (:func:`looks_binary`) is rejected first, whatever the policy: no encoding makes it text.

    ``detect`` (the default) keeps the Western text that is not UTF-8, which is most of what real
    corpora hold besides UTF-8 (Windows editors save cp1252, older Unix tools and sites Latin-1), and
    rejects the rest:

    - the bytes are decoded as Windows-1252, and the few bytes it leaves undefined (0x81, 0x8D, 0x8F,
      0x90, 0x9D) as Latin-1;
    - the result is accepted only if it has no control character: no C0 control but TAB, LF, FF and CR,
      and no C1 control (U+0080-U+009F). Text in these encodings has none, so one is evidence of another
      encoding or of damage; an undefined cp1252 byte always gives a C1 control, so a file that uses one is
      rejected, with the position of the first control;
    - the decision is recorded in the note: ``decoded as cp1252`` when a byte 0x80-0x9F was read as one of
      cp1252's own characters (curly quotes, dashes, €), else ``decoded as Latin-1`` (the two encodings give
      the same text there, and Latin-1 is the smaller claim).

    Trying Latin-1 as a second whole decoding would add nothing: it differs from cp1252 only on
    0x80-0x9F, where it gives C1 controls, which the rule rejects. Text in other single-byte encodings
    (cp1251, Mac Roman) also decodes without controls and is kept as cp1252 mojibake; telling those apart
    needs statistics over the text, which this rule does not guess at.

    ``reject`` rejects the document and says where the first bad byte is; ``replace`` keeps it with
    U+FFFD for each bad byte. Byte positions count from the start of ``data``, a byte-order mark included,
    so that they point into the file as it lies on disk.
    """
    if looks_binary(data):
        return Decoded(None, "binary: not a text file (NUL or control bytes)")
    note = None
    skipped = 0
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        skipped = 3
        note = "byte-order mark removed"
    try:
        return Decoded(data.decode("utf-8"), None, note)
    except UnicodeDecodeError as err:
        where = f"invalid UTF-8 at byte {err.start + skipped}"
        if policy == "replace":
            return Decoded(data.decode("utf-8", errors="replace"), None, f"{where}: bad bytes replaced")
        if policy == "detect":
            return _detect(data, where, skipped)
        return Decoded(None, f"unreadable: {where} (use --encoding-errors replace or detect to keep it)")


def _detect(data: bytes, where: str, skipped: int) -> Decoded:
    text = data.decode("cp1252", errors="dedupe-latin1")
    control = _CONTROLS.search(text)
    if control is not None:
        at = control.start() + skipped  # one byte per character in these encodings
        reason = (
            f"unreadable: {where}, and not cp1252 or Latin-1 text either "
            f"(control character U+{ord(control.group()):04X} at byte {at}; use --encoding-errors replace to keep it)"
        )
        return Decoded(None, reason)
    encoding = "cp1252" if _CP1252_RANGE.search(data) else "Latin-1"
    return Decoded(text, None, f"{where}: decoded as {encoding}")


def _latin1_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    """Map a byte Windows-1252 leaves undefined to the Latin-1 character of the same value."""
    return chr(err.object[err.start]), err.start + 1


codecs.register_error("dedupe-latin1", _latin1_fallback)
