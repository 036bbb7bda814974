"""Repair repeated content inside one document: keep the first copy, delete later copies.

Scrapers emit a page's title twice, paste the body twice, repeat a block of paragraphs at the end, or
duplicate every paragraph.  Gopher-style filters (datatrove, NeMo Curator) only *measure* this and drop
the whole document; here we *repair* it: later copies are deleted, everything else is kept byte for
byte, in its original order and formatting, and every deletion is reported (`RemovedBlock`) so that
`dedupe explain` can say what went and why.

Blocks and keys
    Text is split on ``\\n`` into lines; a paragraph is a maximal run of non-blank lines (so paragraphs
    are separated by blank lines, and one-paragraph-per-line text is one "paragraph" of many lines).
    Both lines and paragraphs are blocks.  Blocks are compared on a *key*: NFKC, case-folded, curly
    quotes / primes / guillemets unified to ``'`` and ``"``, hyphens and dashes unified to ``-``, and
    whitespace collapsed (a paragraph's key joins its lines with one space).  So case, quote style,
    spacing and line wrapping never hide a repeat.  Keys exist only for comparison; the output is cut
    from the input text itself.

What is removed (blocks first; sentence runs only in a round where no block was removed)
    1. exact: a paragraph, or a line, whose key equals the key of an earlier (kept) line or paragraph.
       A paragraph is tested as a whole first, then line by line.
    2. near (``near_threshold``): a line or paragraph that is nearly the same as an earlier one, e.g.
       one word changed or a trailing "Reuters" / "Advertisement" added.  Similarity is the word-level
       ``difflib`` ratio ``2*M/T`` (M words matched in order, T words in both blocks).  We use it rather
       than Jaccard of word 3-grams because one edit costs 3 of the n-2 shingles, so the 3-gram Jaccard
       of a 20-word line with one word changed is only 0.71, while the ratio is 0.95 whatever the length;
       the ratio is also order-aware and symmetric.  Default 0.9: one word in ten may differ.  Template
       sentences that differ in a few words (weather, scores) stay below it.  Candidates are found
       without comparing all pairs: each block is indexed by the first and by the last 24 characters of
       its key, so a block with one edit shares at least one anchor with its earlier copy; only blocks
       sharing an anchor are compared (two edits, one near each end, are therefore not found).  The lines
       of a *wrapped* paragraph (several lines, none longer than 100 characters: hard-wrapped prose,
       verse, a table of contents, a list) are compared exactly but take no part in near matching: they
       are fragments or items, and two of them (two chapter titles) are often alike without repeating
       anything.  The paragraph as a whole still does.
    3. sentences (``min_run_chars``): the same body pasted twice with different line wrapping or
       different paragraph breaks.  The keys, joined across line breaks (so wrapping does not matter),
       are cut into sentences after ``.``, ``!`` or ``?`` (plus closing quotes and brackets) followed by a
       space, and at blank lines.  A run of consecutive sentences that all occurred earlier, with at
       least ``min_run_chars`` characters, at least one sentence of 20 or more characters (short ones,
       like a speaker's name in a play, repeat legitimately) and passing the short-block rule, is a
       repeated run.  It is removed paragraph by paragraph, from the start of its first sentence to the
       start of the sentence after it (or the end of the paragraph), so whole lines inside the run go
       and the lines at its edges are cut at the sentence boundary: no sentence is cut in half and the
       text reads on ("... Z. W ..." where the run stood between Z and W).  A cut inside a line needs the
       line's whitespace-separated tokens to match its key's tokens one for one (NFKC can create or
       remove a space); where they do not, that piece of the run is left alone.  Default 100
       characters, about two sentences: more than a single repeated line must show before text that was
       not a repeated block is touched, yet one long re-wrapped paragraph is enough.  Text that
       puts no space after its full stops (Chinese, Japanese) is cut only at blank lines.

Short blocks are never removed
    Short repeated lines usually carry content: table rows, list items, a chorus line, "Advertisement",
    "Share this article".  A block (line, paragraph or sentence run) is removed only when its key has at
    least ``min_chars`` characters AND at least ``min_words`` words (a word is a whitespace-separated
    token containing a letter, or one CJK/Thai character, so numeric table rows count few words).
    Defaults: 40 characters and 6 words.  Why: a duplicated headline, the commonest short repeat, is
    usually 45-90 characters and 7-15 words (seed 000's is 84/12), while table rows, list items, bylines,
    "Read more" links and most refrain lines are shorter.  Keeping a short duplicate costs a few dozen
    characters; deleting a legitimate short repeat (a refrain, a repeated row) damages the document, so
    the thresholds lean towards keeping.  Known cost: a refrain line of 40+ characters that repeats on its
    own line (a villanelle's) is removed, and so is a repeated multi-line stanza or table as a whole.

Deletion keeps the layout
    Removing a line removes its line break; removing a whole paragraph removes it and the blank line(s)
    after it (or, for the last paragraph, the line break(s) before it), so no hole of blank lines is left
    and no new run of blank lines appears.  Output = input with the reported spans cut out.

Fixed point
    Deleting a block can change the blocks around it (a paragraph loses lines, and its key changes), so
    `repair` repeats the search on its own output until nothing more is found (a document without repeats
    costs one pass).  This makes it idempotent by construction: ``remove_repeats(remove_repeats(x)) ==
    remove_repeats(x)``.  Spans found in a later round are mapped back to input offsets; a later span that
    encloses an earlier one replaces it.

Speed
    Most documents have no repeats, and for them `repair` runs a compiled pre-check (numba) and stops.
    `_build_keys` makes the keys in one pass over the UTF-8 bytes, 64 at a time where the text is its
    own key once lower-cased (lower-casing, whitespace, the quotes and dashes of ``_PRE``, and for the
    other characters of the Basic Multilingual Plane that combine with nothing, NFKC and casefold from
    a table, `_key_table`); then come two cheap necessary conditions on hashes, "two long blocks share
    an anchor" and "a sentence of 20+ characters occurs twice", and for the few documents that pass one,
    a replay of the passes' own decisions (`_block_hit`, `_run_hit`: same registrations, similarity
    bounded by token counts and difflib's quick_ratio), so that only documents the passes may change go
    on.  Text the kernel cannot key (combining marks, "\u00df", other planes) is normalised in Python
    first; without numba the two conditions are a few C-level string passes (`_may_have_block_repeats`,
    `_may_have_sentence_repeats`).  Only documents that pass pay for keys, paragraphs, dict lookups and
    similarities, and then only for the blocks whose anchors collide.  `repair_many` runs the pre-check
    of a whole batch in one compiled call, as the signature step does.  Measure with
    ``benchmarks/bench_repeats.py``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from itertools import chain, compress, filterfalse, repeat
from operator import itemgetter, methodcaller, sub
from typing import NamedTuple

import numpy as np
import regex

from dedupe.table_cache import cached_arrays

__all__ = [
    "DEFAULT_MIN_CHARS",
    "DEFAULT_MIN_RUN_CHARS",
    "DEFAULT_MIN_WORDS",
    "DEFAULT_NEAR_THRESHOLD",
    "RemovedBlock",
    "Repaired",
    "block_key",
    "format_removed",
    "remove_repeats",
    "repair",
    "repair_many",
]

DEFAULT_MIN_CHARS = 40
DEFAULT_MIN_WORDS = 6
DEFAULT_NEAR_THRESHOLD = 0.9
DEFAULT_MIN_RUN_CHARS = 100

# Rounds of search-and-delete before giving up on reaching a fixed point.  Real documents need 1-3.
_MAX_ROUNDS = 32
# Length of the prefix/suffix anchors used to find near-repeat candidates.
_ANCHOR = 24


@dataclass(frozen=True)
class RemovedBlock:
    """One deleted span.  Offsets are into the text given to `repair` (the input, not the output)."""

    start: int
    end: int
    kind: str  # "line" | "paragraph" | "sentences"
    repeat_of: tuple[int, int]  # the earlier copy that was kept (line-granular for "sentences")
    similarity: float  # 1.0 for exact-key repeats


class Repaired(NamedTuple):
    text: str
    removed: list[RemovedBlock]


# --------------------------------------------------------------------------------------------- keys

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


def _normalise(text: str) -> str:
    """Whole-text key normalisation; keeps every ``\\n`` so lines of the result match lines of the input.

    NFKC is computed per text, not per line: it never creates or removes a line feed, and a line feed
    (a starter that composes with nothing) is a boundary it cannot act across.  Spaces are collapsed but
    not stripped; `_keyed` strips each line.
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


def _keyed(text: str) -> tuple[str, list[str]]:
    """``("\\n".join(keys), keys)``: one key per line of ``text.split("\\n")``, blank lines ``""``."""
    t = _normalise(text)
    if t.startswith(" ") or t.endswith(" ") or "\n " in t or " \n" in t:  # rare after the pipeline
        keys = list(map(str.strip, t.split("\n")))
        return "\n".join(keys), keys
    return t, t.split("\n")


def _keys(text: str) -> list[str]:
    return _keyed(text)[1]


def block_key(block: str) -> str:
    """The comparison key of a block of text (lines joined by one space)."""
    return " ".join(_normalise(block).split())


_NO_SPACE_SCRIPTS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_TOKEN = regex.compile(rf"[{_NO_SPACE_SCRIPTS}]|[^\s{_NO_SPACE_SCRIPTS}]+")
_LETTER = regex.compile(r"\p{L}")


def _tokens(key: str) -> list[str]:
    """Words for similarity: whitespace tokens, and single characters of scripts written without spaces."""
    return _TOKEN.findall(key)


def _has_words(key: str, need: int) -> bool:
    """At least ``need`` tokens containing a letter: numbers and table rules do not make a block long."""
    words = 0
    for tok in key.split() if key.isascii() else _TOKEN.findall(key):
        if _LETTER.search(tok):
            words += 1
            if words >= need:
                return True
    return words >= need


def _token_count(key: str) -> int:
    return key.count(" ") + 1 if key.isascii() else len(_TOKEN.findall(key))


class _Opts(NamedTuple):
    min_chars: int
    min_words: int
    near_threshold: float
    min_run_chars: int

    def long_enough(self, key: str) -> bool:
        return len(key) >= self.min_chars and _has_words(key, self.min_words)


class _Hit(NamedTuple):
    """A block to delete, in line numbers of the current round's text.

    Whole lines ``first..last`` unless a sentence run starts or ends inside a line: then it starts at key
    column ``col_start`` of line ``first`` (a sentence start; 0: the line start) and ends before key
    column ``col_end`` of line ``last`` (the next sentence's start; -1: the line end).
    """

    first: int
    last: int
    kind: str
    ref_first: int
    ref_last: int
    similarity: float
    col_start: int = 0
    col_end: int = -1
    ref_col_start: int = 0  # the same for the earlier copy (its end: just after its last sentence)
    ref_col_end: int = -1


def _paragraphs(keys: list[str]) -> list[tuple[int, int]]:
    paras = []
    start = -1
    for i, k in enumerate(keys):
        if k:
            if start < 0:
                start = i
        elif start >= 0:
            paras.append((start, i - 1))
            start = -1
    if start >= 0:
        paras.append((start, len(keys) - 1))
    return paras


# ------------------------------------------------------------------------------------------- passes


def _similarity(a: str, b: str, threshold: float) -> float:
    """Word-level difflib ratio 2*M/T, or 0.0 as soon as it provably cannot reach ``threshold``."""
    na, nb = _token_count(a), _token_count(b)
    if 2 * min(na, nb) < threshold * (na + nb):
        return 0.0
    sm = SequenceMatcher(None, _tokens(a), _tokens(b), autojunk=False)
    if sm.quick_ratio() < threshold:
        return 0.0
    return sm.ratio()


# A paragraph of several lines that are all this short is hard-wrapped prose, verse, a table of contents
# or a list: its lines are fragments or items, compared exactly but not nearly (two chapter titles in a
# table of contents are often alike without repeating anything).  Hard wrapping is at 60-80 columns;
# one-paragraph-per-line text has longer lines.
_WRAP_WIDTH = 100


_PREFIX = itemgetter(slice(None, _ANCHOR))
_SUFFIX = itemgetter(slice(-_ANCHOR, None))
_STRIP_NL = methodcaller("strip", "\n")


def _flat(anchors: Iterable[str], joined: str) -> list[str]:
    """``[a.replace("\\n", " ") for a in anchors]``, with one join/replace/split when ``\\x00`` is free."""
    if "\x00" in joined:
        return [a.replace("\n", " ") for a in anchors]
    return "\x00".join(anchors).replace("\n", " ").split("\x00")


def _may_have_block_repeats(joined: str, keys: list[str], min_chars: int) -> bool:
    """A cheap necessary condition for `_block_pass` finding anything; False for most documents.

    `_block_pass` only removes a block of at least ``min_chars`` characters that (a) has the key of
    another block, so the same first and last ``_ANCHOR`` characters, or (b) nearly repeats another
    block, where both take part in near matching (paragraphs, and lines of paragraphs that are not
    wrapped, see `_WRAP_WIDTH`) and share their first or their last ``_ANCHOR`` characters.  This tests
    both with set building and C-level iteration (Python steps only per paragraph of several lines).  A
    paragraph shares anchors with its own first or last line, which `_block_pass` never compares with
    it (it registers a paragraph after its lines), so exactly those collisions are allowed.
    """
    long_lines = list(compress(keys, map(min_chars.__le__, map(len, keys))))
    anchors = set(zip(map(_PREFIX, long_lines), map(_SUFFIX, long_lines), strict=True))
    if len(anchors) < len(long_lines):
        return True  # (a) between lines; from here on the long lines are all different
    # Paragraphs of several lines, as text with "\n" inside (stripped: runs of blank lines).
    pieces = list(map(_STRIP_NL, joined.split("\n\n")))
    multi = list(compress(pieces, map(str.__contains__, pieces, repeat("\n"))))
    wrapped = [p for p in multi if max(map(len, p.split("\n"))) <= _WRAP_WIDTH]
    near_lines = long_lines
    if wrapped:
        wrapped_lines = set(chain.from_iterable(p.split("\n") for p in wrapped))
        near_lines = list(filterfalse(wrapped_lines.__contains__, long_lines))
    prefixes, suffixes = set(map(_PREFIX, near_lines)), set(map(_SUFFIX, near_lines))
    if len(prefixes) < len(near_lines) or len(suffixes) < len(near_lines):
        return True  # (b) between lines
    multi = list(compress(multi, map(min_chars.__le__, map(len, multi))))
    if not multi:
        return False
    # Paragraph anchors as they are in the key (line breaks read as spaces).
    pre, suf = _flat(map(_PREFIX, multi), joined), _flat(map(_SUFFIX, multi), joined)
    para_anchors = set(zip(pre, suf, strict=True))
    if len(para_anchors) < len(multi) or not anchors.isdisjoint(para_anchors):
        return True  # (a) with a paragraph
    if len(set(pre)) < len(multi) or len(set(suf)) < len(multi):
        return True  # (b) between paragraphs
    # (b) between a paragraph and a line: allowed only with the paragraph's own first (last) line, which
    # is a near line with the paragraph's prefix (suffix) exactly when the paragraph is not wrapped and
    # that line is long enough for both.
    need = max(min_chars, _ANCHOR)
    unwrapped = [p for p in multi if max(map(len, p.split("\n"))) > _WRAP_WIDTH]
    own_first = sum(map(need.__le__, map(str.find, unwrapped, repeat("\n"))))
    last_lens = map(sub, map(len, unwrapped), map(str.rfind, unwrapped, repeat("\n")))  # last length + 1
    own_last = sum(map((need + 1).__le__, last_lens))
    return sum(map(prefixes.__contains__, pre)) > own_first or sum(map(suffixes.__contains__, suf)) > own_last


def _block_pass(keys: list[str], paras: list[tuple[int, int]], opts: _Opts) -> list[_Hit]:
    """Lines and paragraphs that repeat an earlier kept line or paragraph, exactly or nearly.

    Blocks are visited in document order: a paragraph as a whole first, then (if it has several lines
    and was not removed) each of its lines.  A block that is not removed is registered, so later blocks
    can repeat it: its key for exact repeats, and, if long enough, its first and last ``_ANCHOR``
    characters for near-repeat candidates.  A paragraph is registered after its lines, so its own lines
    never match it, while they do match earlier lines of the same paragraph (seed 000 repeats paragraphs
    inside one blank-line block).
    """
    exact: dict[str, tuple[int, int]] = {}
    prefix: dict[str, int] = {}  # anchor -> first unit that has it
    suffix: dict[str, int] = {}
    units: list[tuple[int, int, str]] = []  # blocks registered for near-repeat search
    near = opts.near_threshold <= 1.0
    min_chars = opts.min_chars
    hits: list[_Hit] = []

    def lookup(first: int, last: int, key: str, kind: str, near_ok: bool = True) -> bool:
        """Record a hit and return True if ``key`` repeats a registered block."""
        ref = exact.get(key)
        if ref is not None:
            if opts.long_enough(key):
                hits.append(_Hit(first, last, kind, ref[0], ref[1], 1.0))
                return True
            return False
        if not near or not near_ok or len(key) < min_chars:
            return False
        u1, u2 = prefix.get(key[:_ANCHOR]), suffix.get(key[-_ANCHOR:])
        if (u1 is None and u2 is None) or not opts.long_enough(key):
            return False
        best, best_sim = -1, 0.0
        for u in sorted({u for u in (u1, u2) if u is not None}):
            sim = _similarity(key, units[u][2], opts.near_threshold)
            if sim >= opts.near_threshold and sim > best_sim:
                best, best_sim = u, sim
        if best < 0:
            return False
        hits.append(_Hit(first, last, kind, units[best][0], units[best][1], best_sim))
        return True

    def register(first: int, last: int, key: str, near_ok: bool = True) -> None:
        exact.setdefault(key, (first, last))
        if near and near_ok and len(key) >= min_chars:
            prefix.setdefault(key[:_ANCHOR], len(units))
            suffix.setdefault(key[-_ANCHOR:], len(units))
            units.append((first, last, key))

    # Only blocks sharing an anchor with another block can repeat or be repeated (see
    # _may_have_block_repeats): everything else is skipped without a lookup.
    pkeys = [keys[i] if i == j else " ".join(keys[i : j + 1]) for i, j in paras]
    multi = [pk for (i, j), pk in zip(paras, pkeys, strict=True) if i < j]
    long_keys = [k for k in (*keys, *multi) if len(k) >= min_chars]
    hot_pre = {a for a, c in Counter(map(_PREFIX, long_keys)).items() if c > 1}
    hot_suf = {a for a, c in Counter(map(_SUFFIX, long_keys)).items() if c > 1}

    def hot(key: str) -> bool:
        return len(key) >= min_chars and (key[:_ANCHOR] in hot_pre or key[-_ANCHOR:] in hot_suf)

    for (i, j), pkey in zip(paras, pkeys, strict=True):
        if i == j:
            if hot(pkey) and not lookup(i, i, pkey, "paragraph"):
                register(i, i, pkey)
            continue
        para_hot = hot(pkey)
        if para_hot and lookup(i, j, pkey, "paragraph"):
            continue
        any_removed = False
        lines_near = max(map(len, keys[i : j + 1])) > _WRAP_WIDTH  # else: wrapped, lines compared exactly
        for n in range(i, j + 1):
            if not hot(keys[n]):
                continue
            if lookup(n, n, keys[n], "line", lines_near):
                any_removed = True
            else:
                register(n, n, keys[n], lines_near)
        if para_hot and not any_removed:  # a trimmed paragraph's new key is registered in the next round
            register(i, j, pkey)
    return hits


# Sentence segmentation is done on the keys joined by "\n", after a cheap same-length rewrite: blank
# lines ("\n\n") become ". ", the remaining line breaks spaces, and "!" and "?" become "." -- so one
# literal-led regex (fast: the engine searches for "." with a string search) finds every boundary, and a
# sentence gets the same key whether it ends a paragraph, a line or neither.  A boundary is a "." followed
# by any mix of ".", closing quotes and brackets, then spaces or the end.  Text without spaces after its
# full stops (Chinese, Japanese) is only cut at blank lines and at line ends after a "."
_SENT_SPLIT = re.compile(r"\.[.\"')\]]*(?: +|$)")
# A run of repeated sentences must contain one of at least this many characters: short ones (a speaker's
# name in a play, "Yes", "* * *") repeat legitimately, and ignoring them keeps the common case fast.
_MIN_SENTENCE = 20


def _sentence_text(joined: str) -> str:
    """The same-length rewrite of ``"\\n".join(keys)`` that `_SENT_SPLIT` cuts into sentences."""
    return joined.replace("\n\n", ". ").replace("\n", " ").replace("!", ".").replace("?", ".")


def _may_have_sentence_repeats(text: str) -> bool:
    """A cheap necessary condition for `_sentence_pass` finding anything: some sentence of at least
    ``_MIN_SENTENCE`` characters occurs twice (every qualifying run holds one)."""
    pieces = _SENT_SPLIT.split(text.strip(" "))
    pieces = list(compress(pieces, map(_MIN_SENTENCE.__le__, map(len, pieces))))
    return len(set(pieces)) < len(pieces)


def _sentence_pass(joined: str, keys: list[str], paras: list[tuple[int, int]], opts: _Opts) -> list[_Hit]:
    """Whole lines lying inside long runs of sentences that all occurred earlier (any wrapping)."""
    joined = _sentence_text(joined)

    # Slow path: sentence spans in `joined` (same offsets as "\n".join(keys)), mapped to line numbers.
    line_at = [0] * len(keys)
    pos = 0
    for n, k in enumerate(keys):
        line_at[n] = pos
        pos += len(k) + 1
    sents: list[tuple[str, int, int]] = []  # key, first line, last line
    spans: list[tuple[int, int]] = []  # its start and end in `joined`
    # The same pieces as _may_have_sentence_repeats: spaces at the ends of the whole text (from blank
    # lines there) are left out.
    pos = len(joined) - len(joined.lstrip(" "))
    stop = len(joined.rstrip(" "))
    for m in [*_SENT_SPLIT.finditer(joined, pos, stop), None]:
        end = m.start() if m else stop
        if end > pos:
            first = bisect_right(line_at, pos) - 1
            last = bisect_right(line_at, end - 1) - 1
            sents.append((joined[pos:end], first, last))
            spans.append((pos, end))
        if m:
            pos = m.end()

    first_seen: dict[str, int] = {}
    ref = [-1] * len(sents)
    for t, (s, _, _) in enumerate(sents):
        f = first_seen.setdefault(s, t)
        if f != t:
            ref[t] = f
    flagged = [False] * len(sents)
    t = 0
    while t < len(sents):
        if ref[t] < 0:
            t += 1
            continue
        u = t
        while u + 1 < len(sents) and ref[u + 1] >= 0:
            u += 1
        run = " ".join(sents[v][0] for v in range(t, u + 1))
        anchored = any(len(sents[v][0]) >= _MIN_SENTENCE for v in range(t, u + 1))
        if anchored and len(run) >= opts.min_run_chars and opts.long_enough(run):
            for v in range(t, u + 1):
                flagged[v] = True
        t = u + 1
    if not any(flagged):
        return []

    # Each stretch of flagged sentences within one paragraph goes, from the start of its first sentence
    # to the start of the next sentence (or the paragraph's end), even where that is inside a line.
    para_of = [-1] * len(keys)
    for p, (i, j) in enumerate(paras):
        for n in range(i, j + 1):
            para_of[n] = p
    hits: list[_Hit] = []
    t = 0
    while t < len(sents):
        if not flagged[t]:
            t += 1
            continue
        u = t
        while u + 1 < len(sents) and flagged[u + 1] and para_of[sents[u + 1][1]] == para_of[sents[t][1]]:
            u += 1
        first = sents[t][1]
        col_start = spans[t][0] - line_at[first]
        if u + 1 < len(sents) and para_of[sents[u + 1][1]] == para_of[first]:
            last = sents[u + 1][1]  # the next sentence of the paragraph starts here
            col_end = spans[u + 1][0] - line_at[last]
            if col_end == 0:  # at a line start: the run ends with the line before
                last, col_end = last - 1, -1
        else:
            last, col_end = paras[para_of[first]][1], -1
        r0 = min(ref[v] for v in range(t, u + 1))  # the earlier copy, from its first sentence
        r1 = max(ref[v] for v in range(t, u + 1))  # to its last (all before this run)
        r_first, r_last = sents[r0][1], sents[r1][2]
        ref_cols = spans[r0][0] - line_at[r_first], spans[r1][1] - line_at[r_last]
        hits.append(_Hit(first, last, "sentences", r_first, r_last, 1.0, col_start, col_end, *ref_cols))
        t = u + 1
    return hits


# -------------------------------------------------------------------------------------------- spans


def _spans(text: str, keys: list[str], hits: list[_Hit]) -> list[tuple[int, int, int, int, _Hit]]:
    """Character spans (start, end, ref_start, ref_end, hit) for the hits, in ``text`` offsets.

    Take a run of removed non-blank lines, with the kept non-blank line ``a`` before it and ``b`` after
    it.  The output must join ``a`` and ``b`` with one of the separators that stood between them: a line
    break if they were in the same paragraph, else the blank line(s) that ended ``a``'s paragraph.  So
    removed lines of ``a``'s paragraph each take the line break *before* them, and later removed lines
    take everything up to the next non-blank line *after* them (their line break, and the blank lines
    after a removed paragraph).  When nothing is kept after the run, every removed line takes the
    separator before it, so the text keeps its original ending.
    """
    lines = text.split("\n")
    starts = [0] * len(lines)
    ends = [0] * len(lines)
    pos = 0
    for n, line in enumerate(lines):
        starts[n] = pos
        ends[n] = pos + len(line) - (1 if line.endswith("\r") else 0)
        pos += len(line) + 1

    whole = [h for h in hits if h.col_start == 0 and h.col_end == -1]
    removed = set()
    for h in whole:
        removed.update(range(h.first, h.last + 1))
    para_of = {}
    for p, (i, j) in enumerate(_paragraphs(keys)):
        for n in range(i, j + 1):
            para_of[n] = p
    nonblank = sorted(para_of)
    span: dict[int, tuple[int, int]] = {}
    g = 0
    while g < len(nonblank):
        if nonblank[g] not in removed:
            g += 1
            continue
        h = g
        while h + 1 < len(nonblank) and nonblank[h + 1] in removed:
            h += 1
        a = nonblank[g - 1] if g > 0 else None
        b = nonblank[h + 1] if h + 1 < len(nonblank) else None
        prev = ends[a] if a is not None else 0
        for k in range(g, h + 1):
            n = nonblank[k]
            nxt = nonblank[k + 1] if k < h else b
            if a is not None and (b is None or para_of[n] == para_of[a]):
                span[n] = (prev, ends[n])
                prev = ends[n]
            else:
                span[n] = (starts[n], starts[nxt] if nxt is not None else ends[n])
        g = h + 1

    def tokens(n: int) -> list[tuple[int, int]] | None:
        """Offsets of the whitespace-separated tokens of line ``n``, if they are its key's tokens."""
        raw = text[starts[n] : ends[n]]
        bounds = [(starts[n] + m.start(), starts[n] + m.end()) for m in _RAW_TOKEN.finditer(raw)]
        # Line feeds are boundaries NFKC cannot act across, so this normalises each token on its own.
        if _normalise("\n".join(text[a:b] for a, b in bounds)).split("\n") != keys[n].split(" "):
            return None  # NFKC made or removed a space: no safe cut inside this line
        return bounds

    def ref_span(hit: _Hit, limit: int) -> tuple[int, int]:
        """The earlier copy: whole lines, or for sentences from the first token of its first sentence
        to the last token of its last; never past ``limit`` (where the removed copy starts)."""
        a, b = starts[hit.ref_first], ends[hit.ref_last]
        if hit.kind == "sentences":
            first, last = tokens(hit.ref_first), tokens(hit.ref_last)
            if first is not None and last is not None:
                a = first[keys[hit.ref_first].count(" ", 0, hit.ref_col_start)][0]
                b = last[keys[hit.ref_last].count(" ", 0, hit.ref_col_end - 1)][1]
        return a, min(b, limit)

    out = []
    for hit in whole:
        start = span[hit.first][0]
        out.append((start, span[hit.last][1], *ref_span(hit, start), hit))

    # A sentence run starting or ending inside a line is cut at the sentence boundary: after a cut inside
    # the first line the text goes on with the sentence after the run, on the same line, one space
    # between; a run reaching the end of its paragraph takes the space before it instead.
    for hit in hits:
        if hit.col_start == 0 and hit.col_end == -1:
            continue
        start, end = starts[hit.first], ends[hit.last]
        if hit.col_start > 0:
            bounds = tokens(hit.first)
            if bounds is None:
                continue
            t = keys[hit.first].count(" ", 0, hit.col_start)
            start = bounds[t][0] if hit.col_end >= 0 else bounds[t - 1][1]
        if hit.col_end >= 0:
            bounds = tokens(hit.last)
            if bounds is None:
                continue
            end = bounds[keys[hit.last].count(" ", 0, hit.col_end)][0]
        out.append((start, end, *ref_span(hit, start), hit))
    out.sort(key=lambda x: x[0])
    return out


_RAW_TOKEN = re.compile(r"\S+")


class _OffsetMap:
    """Maps offsets of a text obtained by deleting spans back to offsets of the original input."""

    def __init__(self, length: int) -> None:
        self.cur: list[int] = [0]  # start of each kept segment in the current text
        self.orig: list[int] = [0]  # its start in the input
        self.lens: list[int] = [length]

    def pos(self, p: int) -> int:
        """Input offset of the character at current offset ``p``."""
        s = bisect_right(self.cur, p) - 1
        return self.orig[s] + (p - self.cur[s])

    def span(self, a: int, b: int) -> tuple[int, int]:
        return (self.pos(a), self.pos(b - 1) + 1) if b > a else (self.pos(a), self.pos(a))

    def delete(self, spans: list[tuple[int, int]]) -> None:
        """Record that the (sorted, disjoint) current-text ``spans`` were deleted."""
        total = self.cur[-1] + self.lens[-1]
        keep, prev = [], 0
        for a, b in spans:
            if a > prev:
                keep.append((prev, a))
            prev = b
        if prev < total:
            keep.append((prev, total))
        cur, orig, lens = [], [], []
        out = s = 0
        for x, y in keep:
            while x < y:  # a kept piece may straddle segments left by earlier rounds
                while self.cur[s] + self.lens[s] <= x:
                    s += 1
                z = min(y, self.cur[s] + self.lens[s])
                cur.append(out)
                orig.append(self.orig[s] + x - self.cur[s])
                lens.append(z - x)
                out += z - x
                x = z
        self.cur, self.orig, self.lens = cur or [0], orig or [0], lens or [0]


# ----------------------------------------------------------------------------- compiled fast path
#
# Most documents have no repeats.  For them the whole cost is deciding so, and in Python that needs some
# twenty C-level passes over the text (`_may_have_block_repeats`, `_may_have_sentence_repeats`).  The
# kernel below decides it in one compiled pass and two stages:
#
# 1. `_build_keys` writes ``"\\n".join(keys)`` (see its docstring), with the line bounds and the full
#    stops; `_pieces` cuts it into the sentences of `_sentence_text` without building that text.  Then
#    the two cheap necessary conditions: `_anchors_collide` on hashes of anchors, `_sentences_collide`
#    comparing sentences exactly.  Their answer is the Python checks' (tests compare them).
# 2. Only for the few documents that pass one (about 6 % of book text: boilerplate with alike lines,
#    lines that share a first word group) it replays the decisions of the passes themselves, without a
#    key string or a dict: `_block_hit` visits blocks in `_block_pass`'s order with its exact-key set and
#    its "first block with this anchor" maps, and bounds the similarity of the candidates by their token
#    counts and by difflib's ``quick_ratio`` (both upper bounds of the ratio); `_run_hit` looks for a run
#    of repeated sentences that `_sentence_pass` would flag.  Without this stage, a document that merely
#    has alike lines would cost the full Python passes, twenty times the scan.
#
# Both stages are necessary conditions, never sufficient ones: equal strings always get equal hashes, so
# a hash collision can only send a document to the Python passes, which then find nothing, and where
# stage 2 cannot count safely (scripts written without spaces) it answers "maybe".  So the output never
# depends on the kernel, only the time does (tests compare with the unfiltered path).
#
# `_scan_texts` runs the kernel over many texts concatenated, so that `repair_many` pays the numba call
# and the work arrays once per batch rather than once per document, as `signatures` does.  Integers in
# the hot loops are unsigned: with signed indices numba adds a negative-index check to every access.

try:
    from numba import njit as _njit
    from numba.cpython.unsafe.numbers import trailing_zeros as _trailing_zeros

    _jit = _njit(cache=True, nogil=True)
    # Tiny helpers of the hot loops. Not numba's inline="always": LLVM inlines them anyway (same speed,
    # measured), and numba-level inlining doubled the one-time compile after install (65 s -> 33 s).
    _inline = _njit(cache=True, nogil=True)
    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - numba is a dependency; this keeps the module importable
    HAVE_NUMBA = False

    def _jit(f):  # type: ignore[no-untyped-def]
        return f

    _inline = _jit

    def _trailing_zeros(x):  # type: ignore[no-untyped-def]
        return (int(x) & -int(x)).bit_length() - 1


if HAVE_NUMBA:
    from llvmlite import ir as _ir
    from numba.core import types as _types
    from numba.extending import intrinsic as _intrinsic
    from numba.extending import overload as _overload

    _V64 = _ir.VectorType(_ir.IntType(8), 64)

    def _load64(context, builder, array_type, array, index):  # type: ignore[no-untyped-def]
        """The 64 bytes at ``array[index:]`` as one <64 x i8> vector (an unaligned load)."""
        data = context.make_array(array_type)(context, builder, array).data
        return builder.load(builder.bitcast(builder.gep(data, [index]), _V64.as_pointer()), align=1)

    def _splat(builder, value):  # type: ignore[no-untyped-def]
        """<64 x i8> of the low byte of ``value`` (an LLVM value, or an int)."""
        if isinstance(value, int):
            return _ir.Constant(_V64, [_ir.Constant(_ir.IntType(8), value)] * 64)
        undef = _ir.Constant(_V64, _ir.Undefined)
        one = builder.insert_element(undef, builder.trunc(value, _ir.IntType(8)), _ir.Constant(_ir.IntType(32), 0))
        return builder.shuffle_vector(one, undef, _ir.Constant(_ir.VectorType(_ir.IntType(32), 64), [0] * 64))

    @_intrinsic
    def _byte_mask(typingctx, array, index, lo, hi):  # type: ignore[no-untyped-def]
        """Bit k set where ``lo <= array[index + k] <= hi``, k < 64: one vector compare and a bit cast
        (numba's own loop for this compares eight bytes at a time).  0 for arrays of wider units."""

        def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
            if signature.args[0].dtype != _types.uint8:
                return _ir.Constant(_ir.IntType(64), 0)
            array, index, lo, hi = args
            vector = _load64(context, builder, signature.args[0], array, index)
            lo_hi = builder.sub(hi, lo)
            inside = builder.icmp_unsigned("<=", builder.sub(vector, _splat(builder, lo)), _splat(builder, lo_hi))
            return builder.bitcast(inside, _ir.IntType(64))

        return _types.uint64(array, index, lo, hi), codegen

    @_intrinsic
    def _copy_lower(typingctx, source, index, target, at):  # type: ignore[no-untyped-def]
        """``target[at:at + 64]`` = ``source[index:index + 64]`` with "A".."Z" lower-cased (widened if the
        target holds code points): a vector load, add and store."""

        def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
            source_type, _, target_type, _ = signature.args
            if source_type.dtype != _types.uint8:
                return context.get_dummy_value()
            source, index, target, at = args
            vector = _load64(context, builder, source_type, source, index)
            upper = builder.icmp_unsigned("<=", builder.sub(vector, _splat(builder, 65)), _splat(builder, 25))
            lower = builder.add(vector, builder.select(upper, _splat(builder, 32), _splat(builder, 0)))
            width = target_type.dtype.bitwidth
            if width != 8:
                lower = builder.zext(lower, _ir.VectorType(_ir.IntType(width), 64))
            data = context.make_array(target_type)(context, builder, target).data
            builder.store(lower, builder.bitcast(builder.gep(data, [at]), lower.type.as_pointer()), align=1)
            return context.get_dummy_value()

        return _types.none(source, index, target, at), codegen

    def _bytewise(units):  # type: ignore[no-untyped-def]
        """True for UTF-8 bytes (a bytes object or a uint8 array), False for code points."""

    @_overload(_bytewise)
    def _bytewise_typed(units):  # type: ignore[no-untyped-def]
        bytewise = units.dtype == _types.uint8  # known when compiling: the branches on it fold away
        return lambda units: bytewise

else:  # pragma: no cover - the kernel is not called without numba

    def _bytewise(units):  # type: ignore[no-untyped-def]
        return isinstance(units, bytes) or units.itemsize == 1

    def _byte_mask(array, index, lo, hi):  # type: ignore[no-untyped-def]
        return sum(1 << k for k in range(64) if lo <= array[index + k] <= hi)

    def _copy_lower(source, index, target, at):  # type: ignore[no-untyped-def]
        for k in range(64):
            c = source[index + k]
            target[at + k] = c + 32 if 65 <= c <= 90 else c


_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_ODD = np.uint64(0xC2B2AE3D27D4EB4F)
_ONE = np.uint64(1)
_EIGHT = np.uint64(8)
_BYTES = np.uint64(0x0101010101010101)  # 1 in every byte of a word
_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
# Marks in the kernel's character table: a line feed or a non-ASCII unit, handled off the fast path.
_SPECIAL = np.uint32(0x110000)
# Code points from here on may belong to a script written without spaces (`_NO_SPACE_SCRIPTS` starts
# with Thai at U+0E00), where `_tokens` counts single characters: stage 2 then does not count words.
_SPACELESS = 0x0E00

# Kernel flags, one byte per text.
_BLOCK = 1  # stage 1: two long blocks share anchors (implied by _may_have_block_repeats)
_SENTENCE = 2  # stage 1: a sentence of _MIN_SENTENCE+ characters occurs twice (implied by ..._sentence_repeats)
_BLOCK_HIT = 4  # stage 2: _block_pass may find a block to remove
_RUN_HIT = 8  # stage 2: _sentence_pass may find a run of repeated sentences
_NEEDS_PYTHON = 16  # a character only _normalise handles: scan the normalised text's code points instead


@_inline
def _load8(a, i):  # type: ignore[no-untyped-def]
    """The eight bytes ``a[i:i + 8]`` as one little-endian word (LLVM merges this into one load)."""
    w = np.uint64(0)
    for k in range(8):
        w |= np.uint64(a[i + np.uint64(k)]) << np.uint64(8 * k)
    return w


@_inline
def _bytes_equal(w, b):  # type: ignore[no-untyped-def]
    """0x80 in each byte of ``w`` equal to ``b``, 0 elsewhere (exact: nothing carries between bytes)."""
    x = w ^ (_BYTES * np.uint64(b))
    return ~(((x & _LOW7) + _LOW7) | x | _LOW7)


@_inline
def _key_word(w, mode):  # type: ignore[no-untyped-def]
    """Word ``w`` of key bytes as hashed: as is (mode 0), "\\\\n" read as " " (1: a paragraph's key),
    and also "!" and "?" as "." (2: the text of `_sentence_text`)."""
    if mode >= 1:
        w ^= (_bytes_equal(w, 10) >> np.uint64(7)) * np.uint64(10 ^ 32)
    if mode == 2:
        w ^= (_bytes_equal(w, 33) >> np.uint64(7)) * np.uint64(33 ^ 46)
        w ^= (_bytes_equal(w, 63) >> np.uint64(7)) * np.uint64(63 ^ 46)
    return w


@_inline
def _mix(h, w):  # type: ignore[no-untyped-def]
    h = (h ^ w) * _GOLDEN
    return h ^ (h >> np.uint64(32))


@_jit
def _fnv(buf, start, end, mode):  # type: ignore[no-untyped-def]
    """FNV-1a over ``buf[start:end]`` in four interleaved lanes (one lane's multiplications wait on each
    other), with "\\n" read as a space if ``mode`` >= 1 (a paragraph's key) and "!" and "?" as "." if
    ``mode`` is 2 (the text of `_sentence_text`).  Any fixed function of the characters will do: equal
    strings must get equal hashes, whatever the mode says about characters they do not hold."""
    nl = np.uint64(10 if mode >= 1 else 0x7FFFFFFF)  # 0x7FFFFFFF: never a character, so never mapped
    bang = np.uint64(33 if mode == 2 else 0x7FFFFFFF)
    query = np.uint64(63 if mode == 2 else 0x7FFFFFFF)
    h0 = h1 = h2 = h3 = _FNV_OFFSET
    i = np.uint64(start)
    stop = np.uint64(end)
    while i + np.uint64(4) <= stop:
        c0, c1 = np.uint64(buf[i]), np.uint64(buf[i + _ONE])
        c2, c3 = np.uint64(buf[i + np.uint64(2)]), np.uint64(buf[i + np.uint64(3)])
        c0 = np.uint64(32) if c0 == nl else np.uint64(46) if (c0 == bang) | (c0 == query) else c0
        c1 = np.uint64(32) if c1 == nl else np.uint64(46) if (c1 == bang) | (c1 == query) else c1
        c2 = np.uint64(32) if c2 == nl else np.uint64(46) if (c2 == bang) | (c2 == query) else c2
        c3 = np.uint64(32) if c3 == nl else np.uint64(46) if (c3 == bang) | (c3 == query) else c3
        h0 = (h0 ^ c0) * _FNV_PRIME
        h1 = (h1 ^ c1) * _FNV_PRIME
        h2 = (h2 ^ c2) * _FNV_PRIME
        h3 = (h3 ^ c3) * _FNV_PRIME
        i += np.uint64(4)
    while i < stop:
        c = np.uint64(buf[i])
        c = np.uint64(32) if c == nl else np.uint64(46) if (c == bang) | (c == query) else c
        h0 = (h0 ^ c) * _FNV_PRIME
        i += _ONE
    h1 = (h1 ^ np.uint64(end - start)) * _FNV_PRIME
    return h0 ^ (h1 * np.uint64(3)) ^ (h2 * np.uint64(5)) ^ (h3 * np.uint64(7))


@_inline
def _hash(buf, start, end, mode):  # type: ignore[no-untyped-def]
    """A 64-bit hash of ``buf[start:end]`` with characters read as `_key_word` ``mode`` says: key bytes
    eight at a time, code points (text normalised in Python) one at a time with `_fnv`.  Any fixed
    function of the characters will do: equal strings must get equal hashes."""
    if buf.itemsize != 1:
        return _fnv(buf, start, end, mode)
    if end - start == 24:  # an anchor (`_ANCHOR`): three words multiplied apart, not one after another
        w0 = _key_word(_load8(buf, np.uint64(start)), mode) * _FNV_PRIME
        w1 = _key_word(_load8(buf, np.uint64(start + 8)), mode) * _GOLDEN
        w2 = _key_word(_load8(buf, np.uint64(start + 16)), mode) * _ODD
        return _mix(_mix(w0 + w1 + w2, np.uint64(24)), np.uint64(0))
    h = _FNV_OFFSET ^ (np.uint64(end - start) * _FNV_PRIME)
    i = np.uint64(start)
    stop = np.uint64(end)
    while i + _EIGHT <= stop:
        h = _mix(h, _key_word(_load8(buf, i), mode))
        i += _EIGHT
    if i < stop:
        w = np.uint64(0)
        shift = np.uint64(0)
        while i < stop:
            w |= np.uint64(buf[i]) << shift
            shift += _EIGHT
            i += _ONE
        h = _mix(h, _key_word(w, mode))
    return _mix(h, np.uint64(0))


# Per byte: the key character of an ASCII code (lower case; str.split's ASCII whitespace other than
# "\\n" read as a space), _SPECIAL for "\\n" and for the bytes of non-ASCII characters.
_KEY_CHAR = np.full(256, _SPECIAL, np.uint32)
_KEY_CHAR[:128] = np.arange(128)
_KEY_CHAR[65:91] += 32
_KEY_CHAR[[9, 11, 12, 13, 28, 29, 30, 31]] = 32
_KEY_CHAR[10] = _SPECIAL
# Per ASCII key character: 1 for the full stops of _sentence_text (".", "!", "?").
_STOP = np.zeros(128, np.uint64)
_STOP[[33, 46, 63]] = 1
# `_key_table` entries besides a key character: the character needs _normalise, is a space, is "\u2026".
_NEEDS_NFKC, _SPACE_KEY, _DOTS_KEY = 0, 1, 2


@cache
def _key_table() -> np.ndarray:
    """`_built_key_table`, built once per Python and Unicode version and kept on disk (table_cache)."""
    return cached_arrays("repeat-keys", __file__, lambda: (_built_key_table(),))[0]


def _built_key_table() -> np.ndarray:
    """The key character of each non-ASCII character of the Basic Multilingual Plane, where the kernel
    can produce it without `_normalise` (some 0.1 s to build).

    NFKC works on a whole text, but it is a character-by-character map over characters that combine
    with nothing: a character with combining class 0 that never comes second in a canonical composition
    (NFC_QC = Yes), whose NFKC is made of such characters too, starts a segment that NFKC leaves alone
    whatever stands before or after it.  Text made only of ASCII and such characters (accented Latin,
    Greek, Cyrillic, CJK, fullwidth forms) therefore gets its key from this table: NFKC, casefold, then
    `_PUNCT` and `_OTHER_SPACE`, of each character alone; a single key character, a space, or
    `_NEEDS_NFKC` where the result is longer or the character may combine (combining marks, Hangul
    jamo, "\u00df" -> "ss").  The characters of ``_PRE`` keep their replacement (done before NFKC).
    Four-byte UTF-8 (other planes) is always left to `_normalise`; so is a composition whose first
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
    table = [_NEEDS_NFKC] * 0x10000
    for ch, norm, key in zip(chars, nfkc, keys, strict=True):
        if len(key) == 1 and ch not in loose and (norm == ch or loose.isdisjoint(norm)):
            table[ord(ch)] = _SPACE_KEY if key.isspace() else ord(key)
    for ch, rep in _PRE.items():
        table[ord(ch)] = _SPACE_KEY if rep == " " else _DOTS_KEY if rep == "..." else ord(rep)
    table[0xD800:0xE000] = [_NEEDS_NFKC] * 0x800  # lone surrogates
    return np.array(table, np.uint32)


@_jit
def _table(size):  # type: ignore[no-untyped-def]
    """An empty open-addressing hash set for about ``size`` 64-bit hashes (0 marks a free slot)."""
    cap = 16
    while cap < 2 * size + 2:
        cap *= 2
    return np.zeros(cap, np.uint64)


@_inline
def _add(table, h):  # type: ignore[no-untyped-def]
    """Insert ``h``; True if it was there already."""
    h = h | _ONE  # never 0
    mask = table.shape[0] - 1
    k = int(h >> np.uint64(40)) & mask
    while table[k] != 0:
        if table[k] == h:
            return True
        k = (k + 1) & mask
    table[k] = h
    return False


@_inline
def _has(table, h):  # type: ignore[no-untyped-def]
    h = h | _ONE
    mask = table.shape[0] - 1
    k = int(h >> np.uint64(40)) & mask
    while table[k] != 0:
        if table[k] == h:
            return True
        k = (k + 1) & mask
    return False


@_jit
def _decode(cu, i, n):  # type: ignore[no-untyped-def]
    """(code point, index after it) of the UTF-8 sequence whose lead byte ``cu[i - 1]`` was just read, or
    (0, -1) for one the kernel leaves to Python (four bytes: outside the tables anyway)."""
    c = np.uint32(cu[i - 1])
    j = int(i)
    if 0xC2 <= c <= 0xDF and j < n:
        return ((c & 0x1F) << 6) | (np.uint32(cu[j]) & 0x3F), j + 1
    if 0xE0 <= c <= 0xEF and j + 1 < n:
        return ((c & 0x0F) << 12) | ((np.uint32(cu[j]) & 0x3F) << 6) | (np.uint32(cu[j + 1]) & 0x3F), j + 2
    return np.uint32(0), -1


# Bytes read past the end of a text by the 64-byte steps of `_build_keys` (never used).
_SLACK = 64
_PAD_BYTES = bytes(_SLACK)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


@_inline
def _below(count):  # type: ignore[no-untyped-def]
    """The bits 0 .. count - 1 (count <= 64)."""
    return _ALL >> np.uint64(64 - count) if count > 0 else np.uint64(0)


@_jit
def _build_keys(cu, n, out, starts, ends, stops, table):  # type: ignore[no-untyped-def]
    """Write ``"\\n".join(keys)`` of the text ``cu[:n]`` to ``out``, the key bounds of each line to
    ``starts``/``ends`` and the offsets of the full stops (".", "!", "?") to ``stops``; return
    (characters, lines, stops); lines is -1 if the text holds a character only `_normalise` handles, -2
    if ``out`` holds bytes and a key character is wider.

    ``cu`` is UTF-8 bytes, best with `_SLACK` readable bytes after ``n`` (characters other than ASCII get
    their key from ``table``, see `_key_table`), or the code points of a text already normalised.  Most
    of a text is its own key once lower-cased: printable ASCII and line feeds, with no two spaces in a
    row and no space next to a line feed.  So bytes go 64 at a time: bit masks of spaces, line feeds and
    other bytes (vector compares) give the first byte that breaks the rule, everything before it is
    copied lower-cased, its line feeds and full stops are read off masks, and the troublesome character
    (with the spaces after it) goes alone.  Alone, an ASCII character is written with no branch on its
    class (spaces and letters alternate unpredictably): a space is kept (``m`` advances) only when the
    character before it was not a space and not a line start, and a space left at a line end is taken
    back there.
    """
    utf8 = _bytewise(cu)
    n = np.uint64(n)
    m = np.uint64(0)
    line_start = np.uint64(0)
    lines = 0
    ns = np.uint64(0)
    skip = _ONE  # 1 while a space is not to be kept: at a line start and after a kept space
    starts[0] = 0
    i = np.uint64(0)
    base = n  # the masks below describe the 64 bytes from here (none yet)
    spaces = feeds = others = marks = np.uint64(0)
    readable = np.uint64(len(cu))  # n + `_SLACK` in a batch; a lone text ends in single characters
    while i < n:
        limit = n
        if utf8 and i + np.uint64(64) <= readable:
            if i - base > 32 or base > i:  # (a short step after a troublesome character reuses them)
                base = i
                spaces = _byte_mask(cu, i, 32, 32)
                feeds = _byte_mask(cu, i, 10, 10)
                others = _byte_mask(cu, i, 0, 31) ^ feeds | _byte_mask(cu, i, 127, 255)  # controls, UTF-8
                marks = _byte_mask(cu, i, 46, 46) | _byte_mask(cu, i, 33, 33) | _byte_mask(cu, i, 63, 63)
            shift = i - base
            sp = spaces >> shift
            nl = feeds >> shift
            after_space = skip and m > line_start
            trouble = (
                others >> shift
                | (sp & ((sp | nl) << _ONE | skip))  # a space after a space, at a line start
                | (nl & (sp << _ONE | np.uint64(after_space)))  # a line feed after a space
            )
            end = min(np.uint64(64) - shift, n - i)  # the masks end here, or the text does
            run = min(np.uint64(64) if trouble == 0 else np.uint64(_trailing_zeros(trouble)), end)
            if run > 0:
                _copy_lower(cu, i, out, m)  # (out has room: a text is never shorter than its key)
                keep = _below(run)
                found = (marks >> shift) & keep
                while found:
                    stops[ns] = m + np.uint64(_trailing_zeros(found))
                    ns += _ONE
                    found &= found - _ONE
                found = nl & keep
                while found:
                    line_start = m + np.uint64(_trailing_zeros(found)) + _ONE
                    ends[lines] = line_start - _ONE
                    lines += 1
                    starts[lines] = line_start
                    found &= found - _ONE
                skip = ((sp | nl) >> (run - _ONE)) & _ONE
                m += run
                i += run
                if run == end:
                    continue
            limit = i + _ONE  # the troublesome character alone (with the spaces after it), then 64 bytes again
            while limit < n and cu[limit] == 32:
                limit += _ONE
        while i < limit:
            c = np.uint32(cu[i])
            i += _ONE
            k = _KEY_CHAR[c] if c < 256 else _SPECIAL
            if k != _SPECIAL:
                blank = np.uint64(k == 32)
                out[m] = k
                stops[ns] = m
                ns += _STOP[k]
                m += _ONE - (blank & skip)
                skip = blank
                continue
            if c == 10:
                if skip and m > line_start:
                    m -= _ONE
                ends[lines] = m
                lines += 1
                out[m] = 10
                m += _ONE
                line_start = m
                starts[lines] = m
                skip = _ONE
                continue
            dots = False
            if utf8:
                c, nxt = _decode(cu, i, int(n))
                r = table[c] if nxt >= 0 else _NEEDS_NFKC
                if r == _NEEDS_NFKC:
                    return np.int64(0), -1, np.int64(0)  # the caller normalises the text in Python
                if r > 0xFF and out.itemsize == 1:
                    return np.int64(0), -2, np.int64(0)  # the caller starts again with code points
                i = np.uint64(nxt)
                space = r == _SPACE_KEY
                dots = r == _DOTS_KEY  # "\u2026" -> "...": three bytes in UTF-8, so `out` has room
                k = np.uint32(46) if dots else np.uint32(r)
                if not dots and k < 128 and _STOP[k]:  # a fullwidth full stop
                    stops[ns] = m
                    ns += _ONE
            else:
                space = c == 133 or c == 5760 or c == 8232 or c == 8233
                k = c
            if space:
                if not skip:
                    out[m] = 32
                    m += _ONE
                    skip = _ONE
                continue
            for _ in range(3 if dots else 1):
                out[m] = k
                if dots:
                    stops[ns] = m
                    ns += _ONE
                m += _ONE
            skip = np.uint64(0)
    if skip and m > line_start:
        m -= _ONE
    ends[lines] = m
    return np.int64(m), lines + 1, np.int64(ns)


@_jit
def _near_lines(starts, ends, lines, wrap_width):  # type: ignore[no-untyped-def]
    """Which lines take part in near matching: not those of a wrapped paragraph (see _WRAP_WIDTH)."""
    near_line = np.ones(lines, np.bool_)
    j = 0
    while j < lines:
        last = j
        width = ends[j] - starts[j]
        while width > 0 and last + 1 < lines and ends[last + 1] > starts[last + 1]:
            last += 1
            width = max(width, ends[last] - starts[last])
        if last > j and width <= wrap_width:
            near_line[j : last + 1] = False
        j = last + 1
    return near_line


@_inline
def _paragraph_end(starts, ends, lines, j):  # type: ignore[no-untyped-def]
    """The last line of the paragraph (run of non-blank lines) that starts at line ``j``."""
    last = j
    while last + 1 < lines and ends[last + 1] > starts[last + 1]:
        last += 1
    return last


# Salts that keep the six sets of `_anchors_collide` apart in one hash table.
_SALTS = np.array(
    [0, 0x5BD1E9955BD1E995, 0x27D4EB2F165667C5, 0x165667B19E3779F9, 0x85EBCA77C2B2AE63, 0xC2B2AE3D27D4EB4F], np.uint64
)


@_jit
def _anchors_collide(out, starts, ends, lines, near_line, min_chars, anchor):  # type: ignore[no-untyped-def]
    """Stage 1 for blocks: `_may_have_block_repeats` on anchor hashes (six sets in one table)."""
    both, pre, suf, pboth, ppre, psuf = _SALTS[0], _SALTS[1], _SALTS[2], _SALTS[3], _SALTS[4], _SALTS[5]
    table = _table(3 * lines)
    # Lines: (a) equal keys have equal (prefix, suffix); (b) near lines must not share an anchor.
    for j in range(lines):
        length = ends[j] - starts[j]
        if length >= min_chars:
            a = min(anchor, length)
            hp = _hash(out, starts[j], starts[j] + a, 0)
            hs = _hash(out, ends[j] - a, ends[j], 0)
            hb = hp * _GOLDEN ^ hs
            if _add(table, hb ^ both) or (near_line[j] and (_add(table, hp ^ pre) or _add(table, hs ^ suf))):
                return True
    # Paragraphs of several lines: the same with their keys (line breaks read as spaces), except that a
    # paragraph may share anchors with its own first and last line.
    need = max(min_chars, anchor)
    j = 0
    while j < lines:
        if ends[j] == starts[j]:
            j += 1
            continue
        last = _paragraph_end(starts, ends, lines, j)
        s0 = starts[j]
        e0 = ends[last]
        if last > j and e0 - s0 >= min_chars:
            a = min(anchor, e0 - s0)
            hp = _hash(out, s0, s0 + a, 1)
            hs = _hash(out, e0 - a, e0, 1)
            hb = hp * _GOLDEN ^ hs
            own = near_line[j]  # an unwrapped paragraph: its lines are near lines
            if (
                _has(table, hb ^ both)
                or _add(table, hb ^ pboth)
                or _add(table, hp ^ ppre)
                or _add(table, hs ^ psuf)
                or (_has(table, hp ^ pre) and not (own and ends[j] - starts[j] >= need))
                or (_has(table, hs ^ suf) and not (own and ends[last] - starts[last] >= need))
            ):
                return True
        j = last + 1
    return False


@_inline
def _gap_end(out, i, hi):  # type: ignore[no-untyped-def]
    """The first index from ``i`` on that is not a space or a line feed (or ``hi``)."""
    while i < hi and (out[i] == 32 or out[i] == 10):
        i += 1
    return i


@_inline
def _closing(c):  # type: ignore[no-untyped-def]
    """A character `_SENT_SPLIT` lets follow a full stop: "." (also "!", "?"), '"', "'", ")", "]"."""
    return c == 46 or c == 33 or c == 63 or c == 34 or c == 39 or c == 41 or c == 93


@_jit
def _pieces(out, m, stops, nstops, starts, ends, lines, first, last):  # type: ignore[no-untyped-def]
    """Cut ``out[:m]`` = ``"\\n".join(keys)`` into the non-empty pieces `_SENT_SPLIT` cuts from its
    stripped `_sentence_text`; write their bounds to ``first``/``last`` and return how many there are.

    In `_sentence_text` "!" and "?" are ".", a line feed is a space, and in a run of line feeds (blank
    lines; keys are stripped, so no space touches a line feed) the first, third ... are "." (the pairs of
    ``"\\n\\n" -> ". "``).  So a boundary is a full stop, any run of `_closing` characters, then a space,
    a line feed or the end; or a run of two or more line feeds; and the next piece starts after the
    spaces and line feeds that follow (the pieces between them are empty).  Only the recorded full stops
    and the blank lines are visited, not every character.
    """
    lo = 0
    while lo < m and out[lo] == 10:
        lo += 1
    hi = m
    while hi > lo and out[hi - 1] == 10:
        hi -= 1
    count = 0
    pos = lo  # the current piece starts here
    after = lo  # full stops before this are inside a run of closing characters already looked at
    s = 0
    t = 0
    while True:
        while s < nstops and stops[s] < max(pos, after):
            s += 1
        while t + 1 < lines and not (ends[t] >= pos and starts[t + 1] == ends[t + 1]):
            t += 1
        blank = ends[t] if t + 1 < lines and ends[t] >= pos and starts[t + 1] == ends[t + 1] else hi
        stop = stops[s] if s < nstops else hi
        end = min(blank, stop, hi)
        if end == hi:
            nxt = hi + 1
        elif blank < stop:
            nxt = _gap_end(out, blank, hi)
        else:
            j = stop + 1
            while j < hi and _closing(out[j]):
                j += 1
            if j < hi and out[j] != 32 and out[j] != 10:
                after = j  # no boundary anywhere in this run
                continue
            nxt = _gap_end(out, j, hi)
        if end > pos:
            first[count] = pos
            last[count] = end
            count += 1
        if nxt > hi:
            return count
        pos = nxt


@_jit
def _same(buf, a, b, length, mode):  # type: ignore[no-untyped-def]
    """``buf[a:a + length]`` and ``buf[b:b + length]`` are equal strings when read as `_key_word` ``mode``
    says (a line feed as a space; in mode 2 "!" and "?" as "." too)."""
    for t in range(length):
        x, y = buf[a + t], buf[b + t]
        if x != y:
            x = 32 if x == 10 else 46 if mode == 2 and (x == 33 or x == 63) else x
            y = 32 if y == 10 else 46 if mode == 2 and (y == 33 or y == 63) else y
            if x != y:
                return False
    return True


@_jit
def _sample(buf, s, e, mode):  # type: ignore[no-untyped-def]
    """A cheap hash of ``buf[s:e]`` for finding equal strings: its length and its first and last eight
    bytes.  Equal strings get equal samples; strings with equal samples are then compared in full."""
    if buf.itemsize != 1 or e - s < 16:
        return _hash(buf, s, e, mode)
    h = _mix(np.uint64(e - s) * _FNV_PRIME, _key_word(_load8(buf, np.uint64(s)), mode))
    return _mix(_mix(h, _key_word(_load8(buf, np.uint64(e - 8)), mode)), np.uint64(0))


@_jit
def _sentences_collide(out, first, last, count, min_sentence):  # type: ignore[no-untyped-def]
    """Stage 1 for sentences: `_may_have_sentence_repeats`, exactly: pieces of ``min_sentence`` or more
    characters are indexed by `_sample`, and those with equal samples compared in full."""
    keys = _table(count)
    index = np.empty(keys.shape[0], np.int64)
    mask = keys.shape[0] - 1
    for p in range(count):
        length = last[p] - first[p]
        if length < min_sentence:
            continue
        h = _sample(out, first[p], last[p], 2) | _ONE
        k = int(h >> np.uint64(40)) & mask
        while keys[k] != 0:
            q = index[k]
            if keys[k] == h and last[q] - first[q] == length and _same(out, first[q], first[p], length, 2):
                return True
            k = (k + 1) & mask
        keys[k] = h
        index[k] = p
    return False


@_jit
def _token_stats(buf, s, e):  # type: ignore[no-untyped-def]
    """(tokens, words, countable) of the key ``buf[s:e]`` (line feeds read as spaces): its whitespace
    tokens, those with a letter (`_has_words`; any non-ASCII character is taken for a letter, so ``words``
    is never too low), and whether ``tokens`` is `_token_count` (False when a character may belong to a
    script written without spaces, which `_tokens` cuts into single characters)."""
    tokens = 0
    words = 0
    inside = False
    letter = False
    countable = True
    for i in range(s, e):
        c = buf[i]
        if c == 32 or c == 10:
            if inside:
                tokens += 1
                words += letter
            inside = False
            letter = False
            continue
        inside = True
        letter = letter or (97 <= c <= 122) or (65 <= c <= 90) or c >= 128
        countable = countable and c < _SPACELESS
    if inside:
        tokens += 1
        words += letter
    return tokens, words, countable


@_jit
def _token_hashes(buf, s, e, count):  # type: ignore[no-untyped-def]
    """Sorted hashes of the ``count`` whitespace tokens of ``buf[s:e]`` (line feeds read as spaces)."""
    out = np.empty(count, np.uint64)
    t = 0
    i = s
    while i < e:
        if buf[i] == 32 or buf[i] == 10:
            i += 1
            continue
        j = i
        while j < e and buf[j] != 32 and buf[j] != 10:
            j += 1
        out[t] = _hash(buf, i, j, 0)
        t += 1
        i = j
    out.sort()
    return out


@_jit
def _may_be_similar(buf, s1, e1, s2, e2, threshold):  # type: ignore[no-untyped-def]
    """False only if `_similarity` of the two keys is surely below ``threshold``: the same length bound,
    then difflib's ``quick_ratio`` (matched tokens counted as a multiset, computed the same way), which
    bounds the ratio from above.  A token hash collision can only raise the count."""
    na, _, plain_a = _token_stats(buf, s1, e1)
    nb, _, plain_b = _token_stats(buf, s2, e2)
    if not (plain_a and plain_b):
        return True
    if 2 * min(na, nb) < threshold * (na + nb):
        return False
    a = _token_hashes(buf, s1, e1, na)
    b = _token_hashes(buf, s2, e2, nb)
    matches = 0
    i = j = 0
    while i < na and j < nb:
        if a[i] == b[j]:
            matches += 1
            i += 1
            j += 1
        elif a[i] < b[j]:
            i += 1
        else:
            j += 1
    return not (2.0 * matches / (na + nb) < threshold)


@_jit
def _long_enough(buf, s, e, min_words):  # type: ignore[no-untyped-def]
    """`_Opts.long_enough` less its length test (the caller's), never False where that is True."""
    _, words, countable = _token_stats(buf, s, e)
    return words >= min_words or not countable


@_jit
def _anchor_slot(keys, first, last, h, buf, a0, a1, suffix, anchor):  # type: ignore[no-untyped-def]
    """The slot of anchor ``buf[a0:a1]`` (hash ``h``) in a map from prefixes (or suffixes) to the first
    block that has it (its key bounds ``first``/``last``), or the free slot where it goes.  The anchors
    themselves are compared, not only their hashes: a collision must not hide the block `_block_pass`
    compares with."""
    h = h | _ONE
    mask = keys.shape[0] - 1
    k = int(h >> np.uint64(40)) & mask
    length = a1 - a0
    while keys[k] != 0:
        if keys[k] == h:
            b = min(anchor, last[k] - first[k])
            b0 = last[k] - b if suffix else first[k]
            same = b == length
            t = 0
            while same and t < length:
                x, y = buf[a0 + t], buf[b0 + t]
                same = (32 if x == 10 else x) == (32 if y == 10 else y)
                t += 1
            if same:
                return k
        k = (k + 1) & mask
    return k


@_jit
def _anchor_map(size):  # type: ignore[no-untyped-def]
    """An empty map for `_anchor_slot`: hashes (0: free), first and last key offset of the block."""
    keys = _table(size)
    return keys, np.empty(keys.shape[0], np.int64), np.empty(keys.shape[0], np.int64)


@_jit
def _first_with(amap, buf, a0, a1, suffix, anchor):  # type: ignore[no-untyped-def]
    """(first, last) of the first registered block with this anchor, or (-1, -1)."""
    keys, first, last = amap
    k = _anchor_slot(keys, first, last, _hash(buf, a0, a1, 1), buf, a0, a1, suffix, anchor)
    return (first[k], last[k]) if keys[k] != 0 else (-1, -1)


@_jit
def _set_default(amap, buf, a0, a1, suffix, anchor, s, e):  # type: ignore[no-untyped-def]
    """Register block ``buf[s:e]`` under its anchor ``buf[a0:a1]`` unless a block has it already."""
    keys, first, last = amap
    h = _hash(buf, a0, a1, 1)
    k = _anchor_slot(keys, first, last, h, buf, a0, a1, suffix, anchor)
    if keys[k] == 0:
        keys[k] = h | _ONE
        first[k] = s
        last[k] = e


@_jit
def _block_hit(out, starts, ends, lines, near_line, min_chars, min_words, threshold, anchor):  # type: ignore[no-untyped-def]
    """Stage 2 for blocks: False only if `_block_pass` surely removes nothing.

    Blocks are visited as `_block_pass` visits them (a paragraph of several lines, then its lines, then
    the paragraph is registered), with the same registrations: every long block until the first hit (the
    pass skips blocks with no anchor in common with another, which could neither find nor be found).  A
    block hits if its key equals a registered key and it is long enough, or if it is a near block, long
    enough, and may be similar to the first registered near block with its prefix or the first with its
    suffix.  ``threshold`` > 1 switches near matching off, as in the pass.
    """
    near = threshold <= 1.0
    exact = _table(2 * lines)
    prefixes = _anchor_map(2 * lines)
    suffixes = _anchor_map(2 * lines)
    j = 0
    while j < lines:
        if ends[j] == starts[j]:
            j += 1
            continue
        end = _paragraph_end(starts, ends, lines, j)
        # A paragraph of several lines is looked up as n = j - 1 and registered as n = end + 1.
        multi = end > j
        for n in range(j - multi, end + 1 + multi):
            whole = n < j or n > end
            s = starts[j] if whole else starts[n]
            e = ends[end] if whole else ends[n]
            if e - s < min_chars:
                continue
            near_ok = near and (whole or near_line[n])
            a = min(anchor, e - s)
            h = _hash(out, s, e, 1)
            if n <= end:  # look the block up
                if _has(exact, h):
                    if _long_enough(out, s, e, min_words):
                        return True
                elif near_ok:
                    p0, p1 = _first_with(prefixes, out, s, s + a, False, anchor)
                    s0, s1 = _first_with(suffixes, out, e - a, e, True, anchor)
                    if (p0 >= 0 or s0 >= 0) and _long_enough(out, s, e, min_words):
                        if p0 >= 0 and _may_be_similar(out, s, e, p0, p1, threshold):
                            return True
                        if s0 >= 0 and _may_be_similar(out, s, e, s0, s1, threshold):
                            return True
            if n >= j:  # register it
                _add(exact, h)
                if near_ok:
                    _set_default(prefixes, out, s, s + a, False, anchor, s, e)
                    _set_default(suffixes, out, e - a, e, True, anchor, s, e)
        j = end + 1
    return False


@_jit
def _run_hit(out, first, last, count, min_chars, min_words, min_run_chars, min_sentence):  # type: ignore[no-untyped-def]
    """Stage 2 for sentences: False only if `_sentence_pass` surely flags no run.

    A run is a maximal sequence of sentences that all occurred earlier; the pass flags it if one of its
    sentences has ``min_sentence`` characters, and its text (sentences joined by a space) has
    ``min_run_chars`` characters and is long enough (`_Opts.long_enough`).
    """
    seen = _table(count)
    need = max(min_run_chars, min_chars)
    length = -1  # the current run's length; -1: no run
    anchored = False
    words = 0
    countable = True
    for p in range(count + 1):
        if p < count and _add(seen, _hash(out, first[p], last[p], 2)):
            _, w, c = _token_stats(out, first[p], last[p])
            length += 1 + last[p] - first[p]
            anchored = anchored or last[p] - first[p] >= min_sentence
            words += w
            countable = countable and c
            continue
        if anchored and length >= need and (words >= min_words or not countable):
            return True
        length, anchored, words, countable = -1, False, 0, True
    return False


@_jit
def _analyse(out, m, lines, nstops, work, min_chars, min_words, threshold, min_run_chars, precise):  # type: ignore[no-untyped-def]
    """The kernel flags (see `_BLOCK` ...) of a key text ``out[:m]`` that `_build_keys` wrote."""
    _, _, starts, ends, stops, first, last = work
    near_line = _near_lines(starts, ends, lines, _WRAP_WIDTH)
    flags = 0
    if _anchors_collide(out, starts, ends, lines, near_line, min_chars, _ANCHOR):
        flags |= _BLOCK
        if precise and _block_hit(out, starts, ends, lines, near_line, min_chars, min_words, threshold, _ANCHOR):
            flags |= _BLOCK_HIT
    count = _pieces(out, m, stops, nstops, starts, ends, lines, first, last)
    if _sentences_collide(out, first, last, count, _MIN_SENTENCE):
        flags |= _SENTENCE
        # The sentence pass runs only where the block pass finds nothing: after a block hit a "maybe" is
        # as good as the replay, and cheaper.
        if flags & _BLOCK_HIT or (
            precise and _run_hit(out, first, last, count, min_chars, min_words, min_run_chars, _MIN_SENTENCE)
        ):
            flags |= _RUN_HIT
    return flags


@_jit
def _scan_one(cu, n, work, table, min_chars, min_words, threshold, min_run_chars, precise):  # type: ignore[no-untyped-def]
    """The kernel flags of the text ``cu[:n]``: its key text as bytes where every key character fits in one
    (ASCII, Latin-1), else as code points."""
    out8, out32, starts, ends, stops, first, last = work
    params = (min_chars, min_words, threshold, min_run_chars, precise)
    if _bytewise(cu):
        m, lines, nstops = _build_keys(cu, n, out8, starts, ends, stops, table)
        if lines >= 0:
            return _analyse(out8, m, lines, nstops, work, *params)
        if lines == -1:
            return _NEEDS_PYTHON
    if out32.shape[0] < n + _SLACK + 1:
        out32 = np.empty(n + _SLACK + 1, np.uint32)
    m, lines, nstops = _build_keys(cu, n, out32, starts, ends, stops, table)
    if lines < 0:
        return _NEEDS_PYTHON
    return _analyse(out32, m, lines, nstops, (out8, out32, starts, ends, stops, first, last), *params)


@_jit
def _work(size, wide):  # type: ignore[no-untyped-def]
    """Work arrays for texts of up to ``size`` code units: the key text as bytes and as code points (with
    room for the 64-byte steps; the latter only if ``wide``, else `_scan_one` makes it when needed),
    line bounds, full stops and sentence pieces (views of one array: one allocation, not five)."""
    out8 = np.empty(size + _SLACK + 1, np.uint8)
    out32 = np.empty(size + _SLACK + 1 if wide else 0, np.uint32)
    index = np.empty(5 * (size + 2), np.int64)
    starts, ends, stops, first, last = index.reshape(5, size + 2)
    return out8, out32, starts, ends, stops, first, last


@_jit
def _scan_text(cu, n, table, min_chars, min_words, threshold, min_run_chars, precise):  # type: ignore[no-untyped-def]
    """The flags of the one text ``cu[:n]``: `_scan_many` without building bounds in Python."""
    return _scan_one(cu, n, _work(n, False), table, min_chars, min_words, threshold, min_run_chars, precise)


@_jit
def _scan_many(data, sizes, table, min_chars, min_words, threshold, min_run_chars, precise):  # type: ignore[no-untyped-def]
    """Flags of each text of ``data``, the texts of these sizes one after the other; the work arrays are
    allocated once."""
    work = _work(sizes.max() if sizes.shape[0] else 0, True)
    flags = np.empty(sizes.shape[0], np.uint8)
    params = (min_chars, min_words, threshold, min_run_chars, precise)
    start = 0
    for d in range(sizes.shape[0]):
        flags[d] = _scan_one(data[start:], sizes[d], work, table, *params)
        start += sizes[d]
    return flags


@_jit
def _kernel_view(cu, n, table):  # type: ignore[no-untyped-def]
    """What the kernel builds for ``cu[:n]``: (status, key text as code points, line starts, line ends,
    full stops, piece starts, piece ends); status is `_build_keys`'s line count or its -1.  For tests."""
    out8, out32, starts, ends, stops, first, last = _work(n, True)
    m, lines, nstops = _build_keys(cu, n, out8, starts, ends, stops, table)
    if lines >= 0:
        out32[:m] = out8[:m]
    elif lines == -2 or not _bytewise(cu):
        m, lines, nstops = _build_keys(cu, n, out32, starts, ends, stops, table)
    if lines < 0:
        return lines, out32[:0], starts[:0], ends[:0], stops[:0], first[:0], last[:0]
    count = _pieces(out32, m, stops, nstops, starts, ends, lines, first, last)
    return lines, out32[:m], starts[:lines], ends[:lines], stops[:nstops], first[:count], last[:count]


def _kernel_keys(text: str, padded: bool = True) -> tuple[str, list[int], list[tuple[int, int]]] | None:
    """(``"\\n".join(keys)``, full stop offsets, sentence piece bounds) as the kernel sees ``text`` (with
    the batch's `_SLACK` bytes after it, or without, as for one text), or None where it leaves the text to
    `_normalise`: the tests compare this with the Python definitions."""
    encoded = text.encode("utf-8", "surrogatepass")
    cu = encoded + _PAD_BYTES if padded else encoded
    status, codes, _, _, stops, first, last = _kernel_view(cu, len(encoded), _key_table())
    if status < 0:
        return None
    joined = codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    return joined, stops.tolist(), list(zip(first.tolist(), last.tolist(), strict=True))


_BIG = 2**62  # beyond any length or count; the kernel takes 64-bit integers


def _count(limit: float) -> int:
    """A length or word-count threshold as the integer with the same meaning for integer counts (the
    kernel gets one type, so no option value makes numba compile it again): ``n >= 40.5`` iff
    ``n >= 41``; infinities and numbers beyond any count are clamped."""
    if math.isnan(limit):
        return _BIG  # nothing is >= nan
    if math.isinf(limit):
        return _BIG if limit > 0 else -_BIG
    return max(-_BIG, min(_BIG, math.ceil(limit)))


def _kernel_params(opts: _Opts, precise: bool) -> tuple[int, int, float, int, bool]:
    """The options as the kernel takes them (after the texts and the key table)."""
    return (
        _count(opts.min_chars),
        _count(opts.min_words),
        float(opts.near_threshold),
        _count(opts.min_run_chars),
        precise,
    )


def _scan_texts(texts: list[str], opts: _Opts, precise: bool = True) -> list[int]:
    """Kernel flags of each text: one kernel call over the UTF-8 of them all, and one over the normalised
    code points of those with a character only `_normalise` handles.  (Each text is encoded on its own:
    an ASCII text encodes as a copy, while one non-ASCII text in a joined string would make the whole
    string encode character by character.)"""
    params = _kernel_params(opts, precise)
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    data = np.frombuffer(b"".join([*encoded, _PAD_BYTES]), np.uint8)
    sizes = np.fromiter(map(len, encoded), np.int64, len(encoded))
    flags = _scan_many(data, sizes, _key_table(), *params).tolist()
    redo = [i for i, f in enumerate(flags) if f & _NEEDS_PYTHON]
    if redo:
        normalised = [_normalise(texts[i]) for i in redo]
        codes = np.frombuffer("".join(normalised).encode("utf-32-le", "surrogatepass"), np.uint32)
        sizes = np.fromiter(map(len, normalised), np.int64, len(normalised))
        for i, f in zip(redo, _scan_many(codes, sizes, _key_table(), *params).tolist(), strict=True):
            flags[i] = f
    return flags


def _scan(text: str, opts: _Opts, precise: bool = True) -> int:
    """`_scan_texts` of one text, without the batch's packing (a dozen small numpy calls)."""
    params = _kernel_params(opts, precise) if opts is not _DEFAULT_OPTS else _DEFAULT_PARAMS[precise]
    encoded = text.encode("utf-8", "surrogatepass")  # (bytes go to numba as they are: no array to make)
    flags = _scan_text(encoded, len(encoded), _key_table(), *params)
    if flags & _NEEDS_PYTHON:
        codes = np.frombuffer(_normalise(text).encode("utf-32-le", "surrogatepass"), np.uint32)
        flags = _scan_text(codes, codes.shape[0], _key_table(), *params)
    return int(flags)


def _fast_checks(text: str, min_chars: int) -> tuple[bool, bool]:
    """(`_may_have_block_repeats`, `_may_have_sentence_repeats`) of ``text``, or where numba is present
    stage 1 of the kernel, which is never False where they are True (tests compare them)."""
    opts = _Opts(min_chars, 0, 0.0, 0)
    if not HAVE_NUMBA:
        return _python_checks(text, opts)
    flags = _scan(text, opts, precise=False)
    return bool(flags & _BLOCK), bool(flags & _SENTENCE)


def _python_checks(text: str, opts: _Opts) -> tuple[bool, bool]:
    """The cheap necessary conditions in Python: the reference of stage 1, and the path without numba."""
    joined, keys = _keyed(text)
    block = _may_have_block_repeats(joined, keys, opts.min_chars)
    return block, _may_have_sentence_repeats(_sentence_text(joined))


def _checks(text: str, opts: _Opts) -> tuple[bool, bool]:
    """(`_block_pass` may find something, `_sentence_pass` may find something) for ``text``."""
    if not HAVE_NUMBA:
        return _python_checks(text, opts)
    flags = _scan(text, opts)
    return bool(flags & _BLOCK_HIT), bool(flags & _RUN_HIT)


def _no_checks(text: str, opts: _Opts) -> tuple[bool, bool]:
    """Run both passes on every round: the reference the checks must never change the output of."""
    return True, True


Checks = Callable[[str, _Opts], tuple[bool, bool]]
_DEFAULT_OPTS = _Opts(DEFAULT_MIN_CHARS, DEFAULT_MIN_WORDS, DEFAULT_NEAR_THRESHOLD, DEFAULT_MIN_RUN_CHARS)
_DEFAULT_PARAMS = {precise: _kernel_params(_DEFAULT_OPTS, precise) for precise in (False, True)}


# ---------------------------------------------------------------------------------------------- API


def repair(
    text: str,
    *,
    min_chars: int = DEFAULT_MIN_CHARS,
    min_words: int = DEFAULT_MIN_WORDS,
    near_threshold: float = DEFAULT_NEAR_THRESHOLD,
    min_run_chars: int = DEFAULT_MIN_RUN_CHARS,
) -> Repaired:
    """Delete later copies of repeated lines, paragraphs and sentence runs; report what went.

    ``near_threshold`` > 1 switches near-repeat search off; ``min_run_chars`` larger than any document
    switches the sentence-run search off.  See the module docstring for the rules and defaults.
    """
    options = (min_chars, min_words, near_threshold, min_run_chars)
    opts = _DEFAULT_OPTS if options == _DEFAULT_OPTS else _Opts(*options)
    first = _checks(text, opts)
    if not (first[0] or first[1]):  # most texts: nothing to look for
        return Repaired(text, [])
    return _repair(text, opts, _checks, first)


def repair_many(
    texts: Iterable[str],
    *,
    min_chars: int = DEFAULT_MIN_CHARS,
    min_words: int = DEFAULT_MIN_WORDS,
    near_threshold: float = DEFAULT_NEAR_THRESHOLD,
    min_run_chars: int = DEFAULT_MIN_RUN_CHARS,
) -> list[Repaired]:
    """``[repair(t, **options) for t in texts]``, cheaper: the checks of all texts run in one compiled
    call, so the per-call cost (encoding aside) is paid once per batch, and only the texts they pass
    (a few percent) take the Python passes."""
    texts = list(texts)
    opts = _Opts(min_chars, min_words, near_threshold, min_run_chars)
    if not HAVE_NUMBA:
        return [_repair(t, opts, _checks) for t in texts]
    return [
        _repair(t, opts, _checks, (bool(f & _BLOCK_HIT), bool(f & _RUN_HIT)))
        if f & (_BLOCK_HIT | _RUN_HIT)
        else Repaired(t, [])
        for t, f in zip(texts, _scan_texts(texts, opts), strict=True)
    ]


def _repair(text: str, opts: _Opts, checks: Checks, first: tuple[bool, bool] | None = None) -> Repaired:
    """`repair` with the pre-checks as a parameter (``first``: their answer for ``text``, if known)."""
    current = text
    removed: list[RemovedBlock] = []
    omap: _OffsetMap | None = None
    for _ in range(_MAX_ROUNDS):
        maybe_block, maybe_sentence = checks(current, opts) if first is None else first
        first = None
        if not (maybe_block or maybe_sentence):
            break
        joined, keys = _keyed(current)
        hits: list[_Hit] = []
        if maybe_block:
            hits = _block_pass(keys, _paragraphs(keys), opts)
        if not hits and maybe_sentence:
            hits = _sentence_pass(joined, keys, _paragraphs(keys), opts)
        if not hits:
            break
        spans = _spans(current, keys, hits)
        if not spans:  # only sentence cuts that could not be placed safely
            break
        if omap is None:
            omap = _OffsetMap(len(current))
        new = []
        for a, b, ra, rb, h in spans:
            start, end = omap.span(a, b)
            new.append(RemovedBlock(start, end, h.kind, omap.span(ra, rb), h.similarity))
        # A later round's span may enclose spans removed earlier (a paragraph that had lost lines).
        removed = [r for r in removed if not any(n.start <= r.start and r.end <= n.end for n in new)]
        removed = sorted(removed + new, key=lambda r: r.start)
        pieces, prev = [], 0
        for a, b, *_ in spans:
            pieces.append(current[prev:a])
            prev = b
        pieces.append(current[prev:])
        current = "".join(pieces)
        omap.delete([(a, b) for a, b, *_ in spans])
    return Repaired(current, removed)


def remove_repeats(text: str, **options: object) -> str:
    """``repair(text, **options).text``."""
    return repair(text, **options).text  # type: ignore[arg-type]


def format_removed(text: str, block: RemovedBlock) -> str:
    """One human line for ``dedupe explain``; ``text`` is the input the block's offsets refer to.

    Example: ``removed line at line 12 (412 chars): repeats line 5, similarity 1.00: "Although the ..."``
    """
    body = text[block.start : block.end]
    lead = len(body) - len(body.lstrip())
    line = text.count("\n", 0, block.start + lead) + 1
    ref_line = text.count("\n", 0, block.repeat_of[0]) + 1
    words = body.split()
    snippet = " ".join(words[:8])
    if len(words) > 8:
        snippet += " ..."
    return (
        f"removed {block.kind} at line {line} ({block.end - block.start} chars): "
        f'repeats line {ref_line}, similarity {block.similarity:.2f}: "{snippet}"'
    )
