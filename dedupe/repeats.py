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

What is removed (each pass runs only if the previous one found nothing; see "Fixed point")
    1. exact: a paragraph, or a line, whose key equals the key of an earlier (kept) line or paragraph.
    2. near (``near_threshold``): a line or paragraph that is nearly the same as an earlier one, e.g.
       one word changed or a trailing "Reuters" / "Advertisement" added.  Similarity is the word-level
       ``difflib`` ratio ``2*M/T`` (M words matched in order, T words in both blocks).  We use it rather
       than Jaccard of word 3-grams because one edit costs 3 of the n-2 shingles, so the 3-gram Jaccard
       of a 20-word line with one word changed is only 0.71, while the ratio is 0.95 whatever the length;
       the ratio is also order-aware and symmetric.  Default 0.9: one word in ten may differ.  Template
       sentences that differ in a few words (sports scores, weather) stay below it.  Candidates are found
       without comparing all pairs: each block is indexed by the first and by the last 24 characters of
       its key, so a block with one edit shares at least one anchor with its earlier copy; only blocks
       sharing an anchor are compared (two edits, one near each end, are therefore not found).
    3. sentences (``min_run_chars``): the same body pasted twice with different line wrapping or
       paragraph joins.  The text is cut into sentences (at ``. ! ? 。`` followed by a space, and at blank
       lines) over the keys joined across line breaks, so wrapping does not matter.  A run of consecutive
       sentences that all occurred earlier, with at least ``min_run_chars`` characters, is a repeated
       run; the lines lying entirely inside such a run are removed, but only as whole sentences: a line
       that shares a sentence with a kept line stays, so a sentence is never cut in half.

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
    The common case (no repeats) is: one normalisation of the whole text (fast paths for ASCII and
    already-normal text), one dict lookup per line and per paragraph, two anchor lookups per long block,
    and one C-level sentence split whose pieces go through a set to see whether any sentence repeats.
    Offsets, word counts and similarities are computed only for actual candidates.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import compress
from operator import itemgetter
from typing import NamedTuple

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
# space); each is turned into a space, then runs of spaces are halved until none is left.  str.replace
# and `in` run at C speed, where a regex substitution over every space of the text would not.
_ASCII_SPACE = ("\t", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f")
_OTHER_SPACE = ("\x85", "\u1680", "\u2028", "\u2029")


def _normalise(text: str) -> str:
    """Whole-text key normalisation; keeps every ``\\n`` so lines of the result match lines of the input.

    NFKC is computed per text, not per line: it never creates or removes a line feed, and a line feed
    (a starter that composes with nothing) is a boundary it cannot act across.  Spaces are collapsed but
    not stripped; `_keys` strips each line.
    """
    t = text
    if not t.isascii():
        for ch, rep in _PRE.items():
            if ch in t:
                t = t.replace(ch, rep)
    if t.isascii():
        t = t.lower()  # casefold == lower for ASCII, and ASCII is NFKC already
    else:
        t = unicodedata.normalize("NFKC", t).casefold()
        for ch, rep in _PUNCT.items():
            if ch in t:
                t = t.replace(ch, rep)
        for ws in _OTHER_SPACE:
            if ws in t:
                t = t.replace(ws, " ")
    for ws in _ASCII_SPACE:
        if ws in t:
            t = t.replace(ws, " ")
    while "  " in t:
        t = t.replace("  ", " ")
    return t


def _keys(text: str) -> list[str]:
    """One key per line of ``text.split("\\n")``; blank lines get ``""``."""
    keys = list(map(str.strip, _normalise(text).split("\n")))
    if len(keys) != text.count("\n") + 1:  # cannot happen (see _normalise); stay safe regardless
        keys = [_normalise(line).strip() for line in text.split("\n")]
    return keys


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
    """A block to delete, in line numbers of the current round's text."""

    first: int
    last: int
    kind: str
    ref_first: int
    ref_last: int
    similarity: float


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


_TERMINAL = frozenset(".!?:;\"')]\u3002")


# Hard-wrapped text is wrapped at 60-80 columns; a paragraph with a longer line is not hard-wrapped.
_WRAP_WIDTH = 100


def _runs_on(keys: list[str], n: int, width: int) -> bool:
    """Line ``n`` continues on line ``n + 1`` (hard wrapping): its paragraph's lines are all short
    (``width`` is the longest), it ends without closing punctuation, and the next line's first word
    would not have fitted after it."""
    line = keys[n]
    return (
        width <= _WRAP_WIDTH
        and line[-1] not in _TERMINAL
        and len(line) + 1 + len(keys[n + 1].split(" ", 1)[0]) > width
    )


_PREFIX = itemgetter(slice(None, _ANCHOR))
_SUFFIX = itemgetter(slice(-_ANCHOR, None))


def _may_have_block_repeats(keys: list[str], paras: list[tuple[int, int]], min_chars: int) -> bool:
    """A cheap necessary condition for `_block_pass` finding anything; False for most documents.

    Every hit of `_block_pass` (exact or near) is between two blocks of at least ``min_chars``
    characters that share their first or their last ``_ANCHOR`` key characters.  Over the lines that is
    tested with C-level set building.  A paragraph of several lines also shares an anchor with its own
    first or last line, which `_block_pass` never compares with it (it registers a paragraph after its
    lines), so that one collision is allowed.
    """
    long_lines = list(compress(keys, map(min_chars.__le__, map(len, keys))))
    prefixes, suffixes = set(map(_PREFIX, long_lines)), set(map(_SUFFIX, long_lines))
    if len(prefixes) < len(long_lines) or len(suffixes) < len(long_lines):
        return True
    para_pre: set[str] = set()
    para_suf: set[str] = set()
    for i, j in paras:
        if i == j:
            continue
        pkey = " ".join(keys[i : j + 1])
        if len(pkey) < min_chars:
            continue
        pre, suf = pkey[:_ANCHOR], pkey[-_ANCHOR:]
        if pre in para_pre or suf in para_suf:
            return True
        para_pre.add(pre)
        para_suf.add(suf)
        first, last = keys[i], keys[j]
        if pre in prefixes and not (len(first) >= min_chars and first[:_ANCHOR] == pre):
            return True
        if suf in suffixes and not (len(last) >= min_chars and last[-_ANCHOR:] == suf):
            return True
    return False


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

    def lookup(first: int, last: int, key: str, kind: str, whole: bool = True) -> bool:
        """Record a hit and return True if ``key`` repeats a registered block."""
        ref = exact.get(key)
        if ref is not None:
            if opts.long_enough(key):
                hits.append(_Hit(first, last, kind, ref[0], ref[1], 1.0))
                return True
            return False
        if not near or not whole or len(key) < min_chars:
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

    def register(first: int, last: int, key: str, whole: bool = True) -> None:
        exact.setdefault(key, (first, last))
        if near and whole and len(key) >= min_chars:
            prefix.setdefault(key[:_ANCHOR], len(units))
            suffix.setdefault(key[-_ANCHOR:], len(units))
            units.append((first, last, key))

    for i, j in paras:
        if i == j:
            if not lookup(i, i, keys[i], "paragraph"):
                register(i, i, keys[i])
            continue
        pkey = " ".join(keys[i : j + 1])
        if lookup(i, j, pkey, "paragraph"):
            continue
        any_removed = False
        width = max(map(len, keys[i : j + 1]))
        for n in range(i, j + 1):
            # Only whole lines take part in near matching: two fragments of hard-wrapped text (two
            # chapter titles in a table of contents) are often alike without repeating anything.
            whole = near and (n == i or not _runs_on(keys, n - 1, width)) and (n == j or not _runs_on(keys, n, width))
            if lookup(n, n, keys[n], "line", whole):
                any_removed = True
            else:
                register(n, n, keys[n], whole)
        if not any_removed:  # a trimmed paragraph's new key is registered in the next round
            register(i, j, pkey)
    return hits


# Sentence ends in the keys joined by "\n", after blank lines became "\x00\x00" and line breaks spaces.
# Every alternative starts with a rare character, so the scan is fast.  The terminator is consumed in
# all three positions (before a space, before a paragraph break, at the end) so a sentence has the same
# key wherever it stands.
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


def _sentence_pass(keys: list[str], paras: list[tuple[int, int]], opts: _Opts) -> list[_Hit]:
    """Whole lines lying inside long runs of sentences that all occurred earlier (any wrapping)."""
    joined = "\n".join(keys).replace("\n\n", ". ").replace("\n", " ").replace("!", ".").replace("?", ".")
    pieces = _SENT_SPLIT.split(joined)
    pieces = list(compress(pieces, map(_MIN_SENTENCE.__le__, map(len, pieces))))
    if len(set(pieces)) == len(pieces):
        return []  # no sentence long enough to anchor a run occurs twice: the common case stops here

    # Slow path: sentence spans in `joined` (same offsets as "\n".join(keys)), mapped to line numbers.
    line_at = [0] * len(keys)
    pos = 0
    for n, k in enumerate(keys):
        line_at[n] = pos
        pos += len(k) + 1
    sents: list[tuple[str, int, int]] = []  # key, first line, last line
    pos = 0
    for m in [*_SENT_SPLIT.finditer(joined), None]:
        end = m.start() if m else len(joined)
        piece = joined[pos:end]
        # A piece starts with spaces only at the text start or after a lone "." line; skip blank ones.
        lead = len(piece) - len(piece.lstrip(" "))
        if piece.strip(" "):
            first = bisect_right(line_at, pos + lead) - 1
            last = bisect_right(line_at, end - 1) - 1
            sents.append((piece.strip(" "), first, last))
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

    # Sentences touching each line: a contiguous range [lo, hi].
    lo = [-1] * len(keys)
    hi = [-1] * len(keys)
    for t, (_, first, last) in enumerate(sents):
        for n in range(first, last + 1):
            if lo[n] < 0:
                lo[n] = t
            hi[n] = t

    def removable(n: int) -> bool:
        return lo[n] >= 0 and all(flagged[lo[n] : hi[n] + 1])

    hits: list[_Hit] = []
    for i, j in paras:
        n = i
        while n <= j:
            if not removable(n):
                n += 1
                continue
            a = b = n
            while b + 1 <= j and removable(b + 1):
                b += 1
            n = b + 1
            # Cut whole sentences only: the block must start where a sentence starts and end where one ends.
            while a <= b and sents[lo[a]][1] != a:
                a += 1
            while a <= b and sents[hi[b]][2] != b:
                b -= 1
            if a > b:
                continue
            refs = [ref[t] for t in range(lo[a], hi[b] + 1)]
            r_first = min(sents[r][1] for r in refs)
            r_last = max(sents[r][2] for r in refs)
            hits.append(_Hit(a, b, "sentences", r_first, r_last, 1.0))
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

    removed = set()
    for h in hits:
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
    out = []
    for hit in hits:
        out.append((span[hit.first][0], span[hit.last][1], starts[hit.ref_first], ends[hit.ref_last], hit))
    out.sort(key=lambda x: x[0])
    return out


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
        keys = _keys(current)
        paras = _paragraphs(keys)
        hits = _block_pass(keys, paras, opts) if _may_have_block_repeats(keys, paras, min_chars) else []
        if not hits:
            hits = _sentence_pass(keys, paras, opts)
        if not hits:
            break
        spans = _spans(current, keys, hits)
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
