"""Block keys: what two blocks must have in common to count as the same (the package docstring gives the
rules).  `normalise` computes them for a whole text at once; `key_table` holds the same map per
character, so that the compiled pre-check can key most text without making Python strings.  Both are
here because the table kept on disk is rebuilt whenever this file changes (see `dedupe.table_cache`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np

from dedupe.table_cache import cached_arrays

# Quotes, primes and dashes unified after NFKC + casefold (NFKC already maps fullwidth forms, and turns
# the double primes and the acute accent into other characters, so those are not listed).
_PUNCT = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2035": "'",
    "\u2039": "'", "\u203a": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2e3a": "-", "\u2e3b": "-",
}  # fmt: skip
# Replacements that may be done *before* NFKC with the same result, because each character is left alone
# by casefold, composes with nothing and NFKC maps it to itself or to the replacement.  Web text is mostly
# ASCII plus exactly these characters, so after them the cheap ASCII path usually applies.
_PRE = {
    **_PUNCT,
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ",
    "\u2026": "...",
}  # fmt: skip
# Whitespace other than the space that can survive NFKC (str.split's whitespace, less what NFKC maps to a
# space) becomes a space; then runs of spaces become one.  For ASCII text one bytes.translate lower-cases
# and maps the whitespace in a single C pass.
_ASCII_SPACE = "\t\r\v\f\x1c\x1d\x1e\x1f"
_ASCII_TABLE = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ" + _ASCII_SPACE.encode(),
    b"abcdefghijklmnopqrstuvwxyz" + b" " * len(_ASCII_SPACE),
)
_OTHER_SPACE = (*_ASCII_SPACE, "\x85", "\u1680", "\u2028", "\u2029")
_ASCII_BYTES = bytes(range(128))
_SPACE_RUN = re.compile("  +")  # starts with a literal, so the engine only stops at double spaces


def normalise(text: str) -> str:
    """Whole-text key normalisation; keeps every ``\\n`` so lines of the result match lines of the input.

    NFKC is computed per text, not per line: it never creates or removes a line feed, and a line feed
    (a starter that composes with nothing) is a boundary it cannot act across.  Spaces are collapsed but
    not stripped; `keyed` strips each line.
    """
    t = text
    if not t.isascii():
        # The non-ASCII characters present, found in C: delete the ASCII bytes of the UTF-8 form.
        non_ascii = t.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
        present = set(non_ascii.decode("utf-8", "surrogatepass"))
        for ch in present.intersection(_PRE):
            t = t.replace(ch, _PRE[ch])
    if t.isascii():  # casefold == lower for ASCII, and ASCII is NFKC already
        t = t.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    else:
        t = unicodedata.normalize("NFKC", t).casefold()
        for ch, rep in _PUNCT.items():
            if ch in t:
                t = t.replace(ch, rep)
        for ws in _OTHER_SPACE:
            if ws in t:
                t = t.replace(ws, " ")
    if "  " in t:
        t = _SPACE_RUN.sub(" ", t)
    return t


def keyed(text: str) -> tuple[str, list[str]]:
    """``("\\n".join(keys), keys)``: one key per line of ``text.split("\\n")``, blank lines ``""``."""
    t = normalise(text)
    if t.startswith(" ") or t.endswith(" ") or "\n " in t or " \n" in t:  # rare after the pipeline
        keys = list(map(str.strip, t.split("\n")))
        return "\n".join(keys), keys
    return t, t.split("\n")


def line_keys(text: str) -> list[str]:
    """One key per line of ``text.split("\\n")``: `keyed` without the joined text."""
    return keyed(text)[1]


def block_key(block: str) -> str:
    """The comparison key of a block of text (lines joined by one space)."""
    return " ".join(normalise(block).split())


# `key_table` entries besides a key character: the character needs normalise, is a space, is "\u2026".
NEEDS_NFKC, SPACE_KEY, DOTS_KEY = 0, 1, 2


@cache
def key_table() -> np.ndarray:
    """`built_key_table`, built once per Python and Unicode version and kept on disk (table_cache)."""
    return cached_arrays("repeat-keys", __file__, lambda: (built_key_table(),))[0]


def built_key_table() -> np.ndarray:
    """The key character of each non-ASCII character of the Basic Multilingual Plane, where the kernel
    can produce it without `normalise` (some 0.1 s to build).

    NFKC works on a whole text, but it is a character-by-character map over characters that combine
    with nothing: a character with combining class 0 that never comes second in a canonical composition
    (NFC_QC = Yes), whose NFKC is made of such characters too, starts a segment that NFKC leaves alone
    whatever stands before or after it.  Text made only of ASCII and such characters (accented Latin,
    Greek, Cyrillic, CJK, fullwidth forms) therefore gets its key from this table: NFKC, casefold, then
    `_PUNCT` and `_OTHER_SPACE`, of each character alone; a single key character, a space, or
    `NEEDS_NFKC` where the result is longer or the character may combine (combining marks, Hangul
    jamo, "\u00df" -> "ss").  The characters of ``_PRE`` keep their replacement (done before NFKC).
    Four-byte UTF-8 (other planes) is always left to `normalise`; so is a composition whose first
    character is there, as it has one too.
    """
    chars = [chr(code) for code in range(0x80, 0x10000)]
    # Characters that may combine with the one before them: combining marks, the second characters of
    # canonical compositions, Hangul vowels and final consonants.
    loose = {ch for ch in chars if unicodedata.combining(ch)} | {chr(c) for c in range(0x1161, 0x1176)}
    loose |= {chr(c) for c in range(0x11A8, 0x11C3)}
    for ch in chars:
        parts = unicodedata.decomposition(ch).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            loose.add(chr(int(parts[1], 16)))
    # NFKC and casefold of every character at once, line feeds between them (which both leave alone).
    after = str.maketrans({**_PUNCT, **dict.fromkeys(_OTHER_SPACE, " ")})
    nfkc = unicodedata.normalize("NFKC", "\n".join(chars)).split("\n")
    keys = "\n".join(nfkc).casefold().translate(after).split("\n")
    table = [NEEDS_NFKC] * 0x10000
    for ch, norm, key in zip(chars, nfkc, keys, strict=True):
        if len(key) == 1 and ch not in loose and (norm == ch or loose.isdisjoint(norm)):
            table[ord(ch)] = SPACE_KEY if key.isspace() else ord(key)
    for ch, rep in _PRE.items():
        table[ord(ch)] = SPACE_KEY if rep == " " else DOTS_KEY if rep == "..." else ord(rep)
    table[0xD800:0xE000] = [NEEDS_NFKC] * 0x800  # lone surrogates
    return np.array(table, np.uint32)
