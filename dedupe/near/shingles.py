"""Tokens, shingles and shingle hashes: the sets that MinHash compares.

Words are the lower-cased ``\\w+`` runs of a text (:func:`word_runs`), with ``\\w`` exactly as
Python's stdlib :mod:`re` defines it on ``str`` (letters, digits, numeric characters and ``_``; *not*
combining marks). Tokens (:func:`tokens`) are the words, except that every character of a script written
without spaces (:mod:`dedupe.scripts`: Han, kana, Thai, Lao, Khmer, Myanmar) is a token of its own: a
"word" of those scripts is a whole phrase or sentence, so one changed character changes every shingle
that holds it, and a lightly edited copy of an article would share almost none. So
``"Apple发布了新iPhone"`` is ``apple 发 布 了 新 iphone``. Text without such characters tokenises as
plain ``\\w+`` runs, exactly as the ground-truth tool ``exact_pairs.py`` does, so that estimated and
exact Jaccard similarities are about the same sets (for text in those scripts the tool's sets differ).
:func:`tokens` is the plain reference; the fast path lower-cases and classifies code points with a
lookup table built from the same ``str.lower``, :mod:`re` and script set (:func:`char_table`), so the
two cannot drift apart.

Shingles (``mode="word"``, the default): ``ngram`` consecutive tokens. A document with fewer than
``ngram`` tokens (but at least one) is a single shingle of all its tokens, so short documents still
compare; a document with no tokens has no shingles. Five characters of Chinese are about two to three
words, a shingle about as selective as a word 5-gram is in English, so one ``ngram`` serves mixed text.

Shingles (``mode="char"``), character n-grams for every script: take the words joined by single spaces,
``" ".join(word_runs(text))``, and use every ``ngram`` consecutive code points of that string as a
shingle (with the same short-document rule). Every run of non-``\\w`` characters thus becomes one space
and leading/trailing ones vanish; whether a script is written with spaces makes no difference here,
which keeps char-mode hashes what they were before word mode split such scripts. Caveat, both modes:
combining marks (e.g. Thai vowel signs, Devanagari matras) are not ``\\w`` in :mod:`re`, so they end a
word (a space in char mode) and are part of no token.

Shingle hash (a fixed definition, independent of byte order and of numba being installed; all
arithmetic is modulo 2**64):

- token hash ``t(w) = fmix64(fnv1a64(w))``, where ``fnv1a64`` runs FNV-1a over the *code points*
  of ``w`` (``h = 0xCBF29CE484222325``; per code point ``h = (h ^ cp) * 0x100000001B3``) and
  ``fmix64`` is MurmurHash3's 64-bit finaliser. In char mode each code point (and each joining
  space, U+0020) is a one-code-point token.
- shingle hash of tokens ``w_1 .. w_k`` (k = ngram, or fewer for a short document):
  ``p = k``; for each token in order ``p = p * 0x9E3779B97F4A7C15 + t(w_j)``; the hash is
  ``fmix64(p) & 0xFFFFFFFF``.

The per-token finaliser makes token hashes look random, so the polynomial combination (which is
position dependent: "a b" and "b a" differ) cannot cancel out on structured inputs; the final
``fmix64`` spreads the high bits of ``p`` into the 32 that are kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

import numpy as np
import regex

from dedupe.compiled import kernels_on
from dedupe.near import kernels
from dedupe.scripts import SPACELESS_SCRIPTS, split_spaceless
from dedupe.table_cache import cached_arrays

TOKENISATION = "words+spaceless-chars"
"""What :func:`tokens` does, in a word: saved indexes record it, and refuse a run that tokenises otherwise.
A new value goes with any change to :func:`tokens` or to the script set (:mod:`dedupe.scripts`)."""

_WORD = re.compile(r"\w+")
_SPACELESS = regex.compile(rf"[{SPACELESS_SCRIPTS}]+")
# table_cache keeps a table until this file changes; the script set is in dedupe/scripts.py, so a digest
# of it goes into the table's name (a table of an older set is then left on disk, no longer read).
_TABLE_NAME = "char-table-" + hashlib.sha1(SPACELESS_SCRIPTS.encode()).hexdigest()[:8]
_MODES = ("word", "char")
_U64 = (1 << 64) - 1


def word_runs(text: str) -> list[str]:
    """The lower-cased ``\\w+`` runs: char mode's words, and the tokens of text in scripts with spaces."""
    return _WORD.findall(text.lower())


def tokens(text: str) -> list[str]:
    """The reference tokeniser (see the module): the words, cut around every character of a script
    written without spaces."""
    return [piece for run in word_runs(text) for piece in split_spaceless(run)]


@lru_cache(maxsize=1)
def char_table() -> tuple[np.ndarray, str]:
    """`built_char_table`, built once per Python and Unicode version and kept on disk (table_cache)."""
    table, special = cached_arrays(_TABLE_NAME, __file__, _char_arrays)
    return table, special.tobytes().decode("utf-32-le")


def _char_arrays() -> tuple[np.ndarray, np.ndarray]:
    table, special = built_char_table()
    return table, np.frombuffer(special.encode("utf-32-le"), np.uint32)


def built_char_table() -> tuple[np.ndarray, str]:
    """The code-point table the kernels use, and the characters it cannot lower-case.

    ``table[c] & 0x1FFFFF`` is ``chr(c).lower()``, bit 31 is set iff that matches ``\\w`` in the
    stdlib :mod:`re`, and bit 30 iff it is also a character of a script written without spaces, a
    token of its own (uint32, all 0x110000 code points, 4.4 MB). A lookup lower-cases and classifies
    in one load, so no text has to go through ``str.lower`` first, which costs more than the whole
    kernel on non-ASCII text. Built from ``str.lower``, :mod:`re` and the script set themselves, so it
    agrees with :func:`tokens` by construction for this Python's Unicode version; ~0.15 s once per
    process, or per install where it can be kept on disk.

    ``str.lower`` is a per-character map except for the returned characters: those whose lower case
    is several code points (``"İ"``) and capital sigma, whose lower case depends on its neighbours
    (final ``"ς"``). Texts that contain one are lower-cased by ``str.lower`` before the lookup (the
    table maps lower-case text to itself, which the tests check).
    """
    every = np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    low = np.arange(0x110000, dtype=np.uint32)
    special = ["\u03a3"]
    for lo in range(0, 0x110000, 256):
        block = every[lo : lo + 256]
        lowered = block.lower()
        if len(lowered) == len(block):
            low[lo : lo + 256] = np.frombuffer(lowered.encode("utf-32-le", "surrogatepass"), np.uint32)
            continue
        for ch in block:
            if len(ch.lower()) == 1:
                low[ord(ch)] = ord(ch.lower())
            else:
                special.append(ch)
    low[0x3A3] = 0x3C3  # capital sigma: its lower case in the middle of a word
    word = np.zeros(0x110000, np.uint32)
    for m in _WORD.finditer(every):
        word[m.start() : m.end()] = 1
    spaceless = np.zeros(0x110000, np.uint32)
    for m in _SPACELESS.finditer(every):
        spaceless[m.start() : m.end()] = 1
    spaceless &= word  # a mark of such a script is no token, as everywhere else
    return low | (word[low] << np.uint32(31)) | (spaceless[low] << np.uint32(30)), "".join(special)


def code_units(text: str) -> np.ndarray:
    """``text``'s code points as the narrowest array that holds them one per element.

    Lone surrogates are kept as they are (a ``str`` may hold them). UTF-16 is a plain copy for most
    non-ASCII text and gives one unit per code point unless the text has astral characters (emoji,
    rare CJK), which become two units; then, and only then, UTF-32.
    """
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), np.uint8)
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) == 2 * len(text):
        return np.frombuffer(units, np.uint16)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)


def prepared(text: str, special: str) -> str:
    """``text`` ready for the table: lower-cased by Python only if the table cannot do it."""
    for ch in special:  # a plain loop: any() over a generator costs more than the search itself
        if ch in text:
            return text.lower()
    return text


def check_shingling(ngram: int, mode: str) -> None:
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, not {mode!r}")
    if ngram < 1:
        raise ValueError(f"ngram must be at least 1, not {ngram}")


def shingle_hashes(text: str, *, ngram: int = 5, mode: str = "word") -> np.ndarray:
    """The ``uint32`` hash of every shingle of ``text``, one per position, duplicates *kept*.

    Duplicates do not change a MinHash (a minimum ignores repeats), so removing them would only cost
    time. ``datasketch.MinHash.update_batch`` accepts this array directly; see :mod:`dedupe.near.minhash`.
    """
    check_shingling(ngram, mode)
    if not (kernels.HAVE_NUMBA and kernels_on()):  # slower but identical; the tests check both ways
        return shingle_hashes_reference(text, ngram=ngram, mode=mode)
    table, special = char_table()
    return kernels.shingles_kernel(code_units(prepared(text, special)), table, ngram, mode == "char")


def kernel_groups(
    texts: Sequence[str], special: str
) -> Iterator[tuple[list[int], np.ndarray, np.ndarray, np.ndarray]]:
    """A batch of texts as at most two kernel inputs, ``(rows, code units, starts, ends)``: the ASCII texts
    (an O(1) flag on ``str``) one byte a character, the rest two or four; neither goes through ``str.lower``
    unless it holds a character the table cannot lower (:func:`prepared`). Text ``rows[j]`` is
    ``units[starts[j]:ends[j]]``."""
    ascii_rows = [i for i in range(len(texts)) if texts[i].isascii()]
    other_rows = [i for i in range(len(texts)) if not texts[i].isascii()]
    for rows, parts in (
        (ascii_rows, [texts[i] for i in ascii_rows]),
        (other_rows, [prepared(texts[i], special) for i in other_rows]),
    ):
        if rows:
            lens = np.fromiter(map(len, parts), np.int64, len(parts))
            ends = np.cumsum(lens)
            yield rows, code_units("".join(parts)), ends - lens, ends


def shingle_hashes_many(texts: Sequence[str], *, ngram: int = 5, mode: str = "word") -> list[np.ndarray]:
    """:func:`shingle_hashes` of every text, with one kernel call per :func:`kernel_groups` group instead of
    one call per text."""
    check_shingling(ngram, mode)
    if not (kernels.HAVE_NUMBA and kernels_on()):
        return [shingle_hashes_reference(text, ngram=ngram, mode=mode) for text in texts]
    table, special = char_table()
    out: list[np.ndarray] = [np.empty(0, np.uint32)] * len(texts)
    for rows, units, starts, ends in kernel_groups(texts, special):
        hashes, bounds = kernels.shingles_many_kernel(units, starts, ends, table, ngram, mode == "char")
        edges = bounds.tolist()
        for j, row in enumerate(rows):
            out[row] = hashes[edges[j] : edges[j + 1]]
    return out


# --- pure-Python reference: the definition above, written out; the tests' oracle for the kernels ---


def _fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _U64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _U64
    return h ^ (h >> 33)


def token_hash(token: str) -> int:
    h = 0xCBF29CE484222325
    for ch in token:
        h = ((h ^ ord(ch)) * 0x100000001B3) & _U64
    return _fmix64(h)


def combine(token_hashes: Sequence[int]) -> int:
    p = len(token_hashes)
    for t in token_hashes:
        p = (p * 0x9E3779B97F4A7C15 + t) & _U64
    return _fmix64(p) & 0xFFFFFFFF


def shingle_hashes_reference(text: str, *, ngram: int = 5, mode: str = "word") -> np.ndarray:
    """:func:`shingle_hashes` computed in plain Python from :func:`tokens` (slow; the definition)."""
    check_shingling(ngram, mode)
    units = tokens(text) if mode == "word" else list(" ".join(word_runs(text)))
    th = [token_hash(u) for u in units]
    if not th:
        return np.empty(0, np.uint32)
    if len(th) < ngram:
        return np.array([combine(th)], np.uint32)
    return np.array([combine(th[i : i + ngram]) for i in range(len(th) - ngram + 1)], np.uint32)


def fast_tokens(text: str) -> list[str]:
    """The tokens as the compiled path sees them (test hook: must equal :func:`tokens`)."""
    table, special = char_table()
    low, spans = kernels.token_spans_kernel(code_units(prepared(text, special)), table)
    chars = low.tobytes().decode("utf-32-le", "surrogatepass")
    return [chars[s:e] for s, e in spans.tolist()]
