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
    Most documents have no repeats, and for them `repair` runs two cheap necessary conditions and stops:
    "two long blocks share an anchor" and "a sentence of 20+ characters occurs twice".  With numba they
    are one compiled pass over the UTF-8 bytes (`_scan_kernel`: lower-casing, whitespace, the quotes and
    dashes of ``_PRE``, then hashes of anchors and sentences in small hash sets); text with other
    non-ASCII characters is normalised in Python first.  Without numba they are a few C-level string
    passes (`_may_have_block_repeats`, `_may_have_sentence_repeats`).  Only documents that pass a
    condition pay for keys, paragraphs, dict lookups and similarities, and then only for the blocks
    whose anchors collide.  Measure with ``benchmarks/bench_repeats.py``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import chain, compress, filterfalse, repeat
from operator import itemgetter, methodcaller, sub
from typing import NamedTuple

import numpy as np
import regex

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


# ---------------------------------------------------------------------------------------------- API


# ----------------------------------------------------------------------------- compiled fast path
#
# Most documents have no repeats, and for them the whole cost is the two cheap checks
# `_may_have_block_repeats` and `_may_have_sentence_repeats`.  In Python they need some twenty C-level
# passes over the text; this kernel does the same in one compiled pass (plus sorting a few hashes): it
# builds ``"\\n".join(keys)`` from the code units (lower-casing ASCII letters and collapsing and
# stripping whitespace, which is all `_normalise` does to ASCII text), then compares 64-bit FNV-1a
# hashes of the anchors and of the sentences.  Equal hashes of different strings only send a document
# to the exact Python checks, so the answer "no repeats" is exact.

try:
    from numba import njit as _njit

    _jit = _njit(cache=True, nogil=True)
    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - numba is a dependency; this keeps the module importable
    HAVE_NUMBA = False

    def _jit(f):  # type: ignore[no-untyped-def]
        return f


_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


@_jit
def _fnv(buf, start, end, nl_as_space):  # type: ignore[no-untyped-def]
    """FNV-1a over ``buf[start:end]`` in four interleaved lanes (one lane's multiplications wait on each
    other), line feeds read as spaces if asked.  Any fixed function of the characters will do: equal
    strings must get equal hashes, whatever ``nl_as_space`` says when there is no line feed."""
    h0 = h1 = h2 = h3 = _FNV_OFFSET
    i = start
    while i + 4 <= end:
        c0, c1 = np.uint64(buf[i]), np.uint64(buf[i + 1])
        c2, c3 = np.uint64(buf[i + 2]), np.uint64(buf[i + 3])
        if nl_as_space:
            c0 = np.uint64(32) if c0 == 10 else c0
            c1 = np.uint64(32) if c1 == 10 else c1
            c2 = np.uint64(32) if c2 == 10 else c2
            c3 = np.uint64(32) if c3 == 10 else c3
        h0 = (h0 ^ c0) * _FNV_PRIME
        h1 = (h1 ^ c1) * _FNV_PRIME
        h2 = (h2 ^ c2) * _FNV_PRIME
        h3 = (h3 ^ c3) * _FNV_PRIME
        i += 4
    while i < end:
        c = np.uint64(buf[i])
        if nl_as_space and c == 10:
            c = np.uint64(32)
        h0 = (h0 ^ c) * _FNV_PRIME
        i += 1
    h1 = (h1 ^ np.uint64(end - start)) * _FNV_PRIME
    return h0 ^ (h1 * np.uint64(3)) ^ (h2 * np.uint64(5)) ^ (h3 * np.uint64(7))


@_jit
def _table(size):  # type: ignore[no-untyped-def]
    """An empty open-addressing hash set for about ``size`` 64-bit hashes (0 marks a free slot)."""
    cap = 16
    while cap < 2 * size + 2:
        cap *= 2
    return np.zeros(cap, np.uint64)


@_jit
def _add(table, h):  # type: ignore[no-untyped-def]
    """Insert ``h``; True if it was there already."""
    h = h | np.uint64(1)  # never 0
    mask = table.shape[0] - 1
    k = int(h >> np.uint64(40)) & mask
    while table[k] != 0:
        if table[k] == h:
            return True
        k = (k + 1) & mask
    table[k] = h
    return False


@_jit
def _has(table, h):  # type: ignore[no-untyped-def]
    h = h | np.uint64(1)
    mask = table.shape[0] - 1
    k = int(h >> np.uint64(40)) & mask
    while table[k] != 0:
        if table[k] == h:
            return True
        k = (k + 1) & mask
    return False


# Per ASCII code: 0 keep, 1 whitespace (str.split's ASCII whitespace less "\\n"), 2 line feed; the key
# character (lower case); and the character of _sentence_text ("!" and "?" read as ".").  Above ASCII only
# U+0085, U+1680, U+2028, U+2029 can still be whitespace here.
_ASCII_CLASS = np.zeros(128, np.uint8)
_ASCII_CLASS[[9, 11, 12, 13, 28, 29, 30, 31, 32]] = 1
_ASCII_CLASS[10] = 2
_ASCII_LOWER = np.arange(128, dtype=np.uint32)
_ASCII_LOWER[65:91] += 32
_ASCII_SENT = _ASCII_LOWER.copy()
_ASCII_SENT[[33, 63]] = 46
_ASCII_SENT[10] = 32
# For the characters of _PRE, by code point: 1 a space, 2 the ellipsis, else the ASCII replacement; 0 for
# every other character.
_UTF8_PRE = np.zeros(max(map(ord, _PRE)) + 1, np.uint32)
for _ch, _rep in _PRE.items():
    _UTF8_PRE[ord(_ch)] = 1 if _rep == " " else 2 if _rep == "..." else ord(_rep)


@_jit
def _scan_kernel(cu, utf8, min_chars, anchor, min_sentence, wrap_width):  # type: ignore[no-untyped-def]
    """(block repeats possible, sentence repeats possible, done) for ``cu``: ASCII or UTF-8 bytes
    (``utf8``), or code points of a text already normalised.  ``done`` is False when the bytes hold a
    character that only `_normalise` can handle (anything non-ASCII outside ``_PRE``)."""
    n = cu.shape[0]
    out = np.empty(n + 1, cu.dtype)  # "\n".join(keys)
    st = np.empty(n + 1, cu.dtype)  # _sentence_text of it, written alongside
    starts = np.empty(n + 1, np.int64)
    ends = np.empty(n + 1, np.int64)
    lines = 0
    m = 0
    line_start = 0
    pending = False  # a space to write before the next character of the line
    nl_open = False  # out[m - 1] is a line feed not yet paired into ". "
    starts[0] = 0
    i = 0
    while i < n:
        c = np.uint32(cu[i])
        i += 1
        dots = False
        if c < 128:
            cls = _ASCII_CLASS[c]
            key_c = _ASCII_LOWER[c]
            sent_c = _ASCII_SENT[c]
        elif utf8:  # a UTF-8 sequence: only the characters of _PRE are handled here
            if 0xC2 <= c <= 0xDF and i < n:
                c = ((c & 0x1F) << 6) | (np.uint32(cu[i]) & 0x3F)
                i += 1
            elif 0xE0 <= c <= 0xEF and i + 1 < n:
                c = ((c & 0x0F) << 12) | ((np.uint32(cu[i]) & 0x3F) << 6) | (np.uint32(cu[i + 1]) & 0x3F)
                i += 2
            else:
                return False, False, False
            r = _UTF8_PRE[c] if c < _UTF8_PRE.shape[0] else 0
            if r == 0:
                return False, False, False  # needs NFKC / casefold: the caller normalises in Python
            cls = 1 if r == 1 else 0
            dots = r == 2  # "\u2026" -> "..."
            key_c = 32 if r == 1 else (46 if dots else r)
            sent_c = key_c
        else:
            cls = 1 if (c == 133 or c == 5760 or c == 8232 or c == 8233) else 0
            key_c = c
            sent_c = c
        # Written without branches on the character class (spaces and letters alternate unpredictably):
        # a space is always written, and kept by advancing m only when it is due.
        is_char = cls == 0
        out[m] = 32
        st[m] = 32
        m += pending and is_char
        out[m] = key_c
        st[m] = sent_c
        if cls == 2:  # rare: a line feed; pair it with the one before into ". " as str.replace would
            ends[lines] = m
            lines += 1
            if nl_open:
                st[m - 1] = 46
            nl_open = not nl_open
            m += 1
            line_start = m
            starts[lines] = m
            pending = False
        else:
            m += is_char
            if dots:  # an ellipsis is three bytes in UTF-8, so `out` has room for its three dots
                out[m] = 46
                st[m] = 46
                out[m + 1] = 46
                st[m + 1] = 46
                m += 2
            nl_open = nl_open and not is_char
            pending = (not is_char) and m > line_start
    ends[lines] = m
    lines += 1

    # Which lines take part in near matching: not those of a wrapped paragraph (see _WRAP_WIDTH).
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

    # Lines: (a) equal keys have equal (prefix, suffix); (b) near lines must not share an anchor.
    both = _table(lines)
    pre = _table(lines)
    suf = _table(lines)
    block = False
    for j in range(lines):
        length = ends[j] - starts[j]
        if length >= min_chars:
            a = min(anchor, length)
            hp = _fnv(out, starts[j], starts[j] + a, False)
            hs = _fnv(out, ends[j] - a, ends[j], False)
            if _add(both, hp * np.uint64(0x9E3779B97F4A7C15) ^ hs) or (
                near_line[j] and (_add(pre, hp) or _add(suf, hs))
            ):
                block = True
                break

    # Paragraphs of several lines: the same with their keys (line breaks read as spaces), except that a
    # paragraph may share anchors with its own first and last line.
    if not block:
        pboth = _table(lines)
        ppre = _table(lines)
        psuf = _table(lines)
        need = max(min_chars, anchor)
        j = 0
        while j < lines and not block:
            if ends[j] == starts[j]:
                j += 1
                continue
            last = j
            while last + 1 < lines and ends[last + 1] > starts[last + 1]:
                last += 1
            s0 = starts[j]
            e0 = ends[last]
            if last > j and e0 - s0 >= min_chars:
                a = min(anchor, e0 - s0)
                hp = _fnv(out, s0, s0 + a, True)
                hs = _fnv(out, e0 - a, e0, True)
                hb = hp * np.uint64(0x9E3779B97F4A7C15) ^ hs
                own = near_line[j]  # an unwrapped paragraph: its lines are near lines
                block = (
                    _has(both, hb)
                    or _add(pboth, hb)
                    or _add(ppre, hp)
                    or _add(psuf, hs)
                    or (_has(pre, hp) and not (own and ends[j] - starts[j] >= need))
                    or (_has(suf, hs) and not (own and ends[last] - starts[last] >= need))
                )
            j = last + 1

    # Sentences: the pieces _SENT_SPLIT cuts from `st`, hashed if long enough.
    seen = _table(m // max(min_sentence, 1) + 1)
    sentence = False
    pos = 0  # the text without the spaces at its two ends, as _may_have_sentence_repeats splits it
    while pos < m and st[pos] == 32:
        pos += 1
    while m > pos and st[m - 1] == 32:
        m -= 1
    i = pos
    while i < m and not sentence:
        if st[i] != 46:
            i += 1
            continue
        j = i + 1  # the run of closing characters after the full stop
        while j < m and (st[j] == 46 or st[j] == 34 or st[j] == 39 or st[j] == 41 or st[j] == 93):
            j += 1
        if j < m and st[j] != 32:
            i = j  # no boundary anywhere in this run
            continue
        if i - pos >= min_sentence:
            sentence = _add(seen, _fnv(st, pos, i, False))
        while j < m and st[j] == 32:
            j += 1
        pos = j
        i = j
    if not sentence and m - pos >= min_sentence:
        sentence = _add(seen, _fnv(st, pos, m, False))
    return block, sentence, True


def _fast_checks(text: str, min_chars: int) -> tuple[bool, bool]:
    """(`_may_have_block_repeats`, `_may_have_sentence_repeats`) of ``text``, compiled where possible.

    ASCII text, and UTF-8 text whose only non-ASCII characters are the quotes, dashes, spaces and
    ellipsis of ``_PRE`` (most web text), go to the kernel as bytes; other text is normalised in Python
    first (NFKC, casefold) and goes as code points.
    """
    if HAVE_NUMBA:
        extra = (min_chars, _ANCHOR, _MIN_SENTENCE, _WRAP_WIDTH)
        block, sentence, done = _scan_kernel(
            np.frombuffer(text.encode("utf-8", "surrogatepass"), np.uint8), True, *extra
        )
        if not done:
            codes = np.frombuffer(_normalise(text).encode("utf-32-le", "surrogatepass"), np.uint32)
            block, sentence, done = _scan_kernel(codes, False, *extra)
        return bool(block), bool(sentence)
    joined, keys = _keyed(text)
    sentence_text = _sentence_text(joined)
    return _may_have_block_repeats(joined, keys, min_chars), _may_have_sentence_repeats(sentence_text)


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
    opts = _Opts(min_chars, min_words, near_threshold, min_run_chars)
    current = text
    removed: list[RemovedBlock] = []
    omap: _OffsetMap | None = None
    for _ in range(_MAX_ROUNDS):
        maybe_block, maybe_sentence = _fast_checks(current, min_chars)
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
