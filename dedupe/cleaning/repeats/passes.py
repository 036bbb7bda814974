"""The search itself: which lines, paragraphs and sentence runs repeat an earlier one (the package
docstring gives the rules).  This is the specification: the compiled pre-check (`kernels`) replays these
decisions to skip the documents where they find nothing, so a rule changes here and in that replay
together, and the tests compare the two.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from difflib import SequenceMatcher
from operator import itemgetter
from typing import NamedTuple

import regex

from dedupe.scripts import SPACELESS_SCRIPTS

DEFAULT_MIN_CHARS = 40
DEFAULT_MIN_WORDS = 6
DEFAULT_NEAR_THRESHOLD = math.inf  # off: a block that differs from an earlier one in any word is content
DEFAULT_MIN_RUN_CHARS = 100

# Length of the prefix/suffix anchors used to find near-repeat candidates.
ANCHOR = 24


_TOKEN = regex.compile(rf"[{SPACELESS_SCRIPTS}]|[^\s{SPACELESS_SCRIPTS}]+")
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


class Options(NamedTuple):
    """The options of `repair`, as the passes and the pre-check take them."""

    min_chars: int
    min_words: int
    near_threshold: float
    min_run_chars: int

    def long_enough(self, key: str) -> bool:
        """The short-block rule: a block shorter than this is never removed."""
        return len(key) >= self.min_chars and _has_words(key, self.min_words)


DEFAULT_OPTIONS = Options(DEFAULT_MIN_CHARS, DEFAULT_MIN_WORDS, DEFAULT_NEAR_THRESHOLD, DEFAULT_MIN_RUN_CHARS)


class Hit(NamedTuple):
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


def paragraphs(keys: list[str]) -> list[tuple[int, int]]:
    """(first, last) line of each paragraph: each maximal run of non-blank keys."""
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
WRAP_WIDTH = 100


PREFIX = itemgetter(slice(None, ANCHOR))
SUFFIX = itemgetter(slice(-ANCHOR, None))


def block_pass(keys: list[str], paras: list[tuple[int, int]], opts: Options) -> list[Hit]:
    """Lines and paragraphs that repeat an earlier kept line or paragraph, exactly or nearly.

    Blocks are visited in document order: a paragraph as a whole first, then (if it has several lines
    and was not removed) each of its lines.  A block that is not removed is registered, so later blocks
    can repeat it: its key for exact repeats, and, if long enough, its first and last ``ANCHOR``
    characters for near-repeat candidates.  A paragraph is registered after its lines, so its own lines
    never match it, while they do match earlier lines of the same paragraph (seed 000 repeats paragraphs
    inside one blank-line block).
    """
    seen = _Registry(opts)
    pkeys = [keys[i] if i == j else " ".join(keys[i : j + 1]) for i, j in paras]
    hot = _hot(keys, paras, pkeys, opts.min_chars)
    for (i, j), pkey in zip(paras, pkeys, strict=True):
        if i == j:
            if hot(pkey) and not seen.lookup(i, i, pkey, "paragraph"):
                seen.register(i, i, pkey)
            continue
        para_hot = hot(pkey)
        if para_hot and seen.lookup(i, j, pkey, "paragraph"):
            continue
        any_removed = False
        lines_near = max(map(len, keys[i : j + 1])) > WRAP_WIDTH  # else: wrapped, lines compared exactly
        for n in range(i, j + 1):
            if not hot(keys[n]):
                continue
            if seen.lookup(n, n, keys[n], "line", lines_near):
                any_removed = True
            else:
                seen.register(n, n, keys[n], lines_near)
        if para_hot and not any_removed:  # a trimmed paragraph's new key is registered in the next round
            seen.register(i, j, pkey)
    return seen.hits


class _Registry:
    """The blocks `block_pass` has kept so far, as later blocks look them up: by key for exact repeats,
    and for near repeats the first block with each prefix and each suffix of ``ANCHOR`` characters."""

    def __init__(self, opts: Options) -> None:
        self.opts = opts
        self.near = opts.near_threshold <= 1.0
        self.exact: dict[str, tuple[int, int]] = {}
        self.prefix: dict[str, int] = {}  # anchor -> first unit that has it
        self.suffix: dict[str, int] = {}
        self.units: list[tuple[int, int, str]] = []  # blocks registered for near-repeat search
        self.hits: list[Hit] = []

    def lookup(self, first: int, last: int, key: str, kind: str, near_ok: bool = True) -> bool:
        """Record a hit and return True if ``key`` repeats a registered block."""
        opts = self.opts
        ref = self.exact.get(key)
        if ref is not None:
            if opts.long_enough(key):
                self.hits.append(Hit(first, last, kind, ref[0], ref[1], 1.0))
                return True
            return False
        if not self.near or not near_ok or len(key) < opts.min_chars:
            return False
        u1, u2 = self.prefix.get(key[:ANCHOR]), self.suffix.get(key[-ANCHOR:])
        if (u1 is None and u2 is None) or not opts.long_enough(key):
            return False
        units = self.units
        best, best_sim = -1, 0.0
        for u in sorted({u for u in (u1, u2) if u is not None}):
            sim = _similarity(key, units[u][2], opts.near_threshold)
            if sim >= opts.near_threshold and sim > best_sim:
                best, best_sim = u, sim
        if best < 0:
            return False
        self.hits.append(Hit(first, last, kind, units[best][0], units[best][1], best_sim))
        return True

    def register(self, first: int, last: int, key: str, near_ok: bool = True) -> None:
        self.exact.setdefault(key, (first, last))
        if self.near and near_ok and len(key) >= self.opts.min_chars:
            self.prefix.setdefault(key[:ANCHOR], len(self.units))
            self.suffix.setdefault(key[-ANCHOR:], len(self.units))
            self.units.append((first, last, key))


def _hot(keys: list[str], paras: list[tuple[int, int]], pkeys: list[str], min_chars: int) -> Callable[[str], bool]:
    """Whether a block shares an anchor with another block of the text (``pkeys``: the paragraphs'
    keys).  Only those can repeat or be repeated (see `precheck.may_have_block_repeats`), so `block_pass`
    skips the others without a lookup."""
    multi = [pk for (i, j), pk in zip(paras, pkeys, strict=True) if i < j]
    long_keys = [k for k in (*keys, *multi) if len(k) >= min_chars]
    hot_pre = {a for a, c in Counter(map(PREFIX, long_keys)).items() if c > 1}
    hot_suf = {a for a, c in Counter(map(SUFFIX, long_keys)).items() if c > 1}

    def hot(key: str) -> bool:
        return len(key) >= min_chars and (key[:ANCHOR] in hot_pre or key[-ANCHOR:] in hot_suf)

    return hot


# Sentence segmentation is done on the keys joined by "\n", after a cheap same-length rewrite: blank
# lines ("\n\n") become ". ", the remaining line breaks spaces, and "!" and "?" become "." -- so one
# literal-led regex (fast: the engine searches for "." with a string search) finds every boundary, and a
# sentence gets the same key whether it ends a paragraph, a line or neither.  A boundary is a "." followed
# by any mix of ".", closing quotes and brackets, then spaces or the end.  Text without spaces after its
# full stops (Chinese, Japanese) is only cut at blank lines and at line ends after a "."
SENT_SPLIT = re.compile(r"\.[.\"')\]]*(?: +|$)")
# A run of repeated sentences must contain one of at least this many characters: short ones (a speaker's
# name in a play, "Yes", "* * *") repeat legitimately, and ignoring them keeps the common case fast.
MIN_SENTENCE = 20


def sentence_text(joined: str) -> str:
    """The same-length rewrite of ``"\\n".join(keys)`` that `SENT_SPLIT` cuts into sentences."""
    return joined.replace("\n\n", ". ").replace("\n", " ").replace("!", ".").replace("?", ".")


def sentence_pass(joined: str, keys: list[str], paras: list[tuple[int, int]], opts: Options) -> list[Hit]:
    """Long runs of sentences that all occurred earlier (any wrapping), cut at sentence boundaries."""
    sents, spans, line_at = _sentences(sentence_text(joined), keys)
    ref, flagged = _repeated_runs(sents, opts)
    if not any(flagged):
        return []
    return _run_hits(sents, spans, line_at, ref, flagged, keys, paras)


def _sentences(joined: str, keys: list[str]) -> tuple[list[tuple[str, int, int]], list[tuple[int, int]], list[int]]:
    """The sentences of ``joined`` (a `sentence_text`): (key, first line, last line) of each, its start
    and end in ``joined`` (the same offsets as ``"\\n".join(keys)``), and the offset of each line."""
    line_at = [0] * len(keys)
    pos = 0
    for n, k in enumerate(keys):
        line_at[n] = pos
        pos += len(k) + 1
    sents: list[tuple[str, int, int]] = []  # key, first line, last line
    spans: list[tuple[int, int]] = []  # its start and end in `joined`
    # The same pieces as precheck.may_have_sentence_repeats: spaces at the ends of the whole text (from
    # blank lines there) are left out.
    pos = len(joined) - len(joined.lstrip(" "))
    stop = len(joined.rstrip(" "))
    for m in [*SENT_SPLIT.finditer(joined, pos, stop), None]:
        end = m.start() if m else stop
        if end > pos:
            first = bisect_right(line_at, pos) - 1
            last = bisect_right(line_at, end - 1) - 1
            sents.append((joined[pos:end], first, last))
            spans.append((pos, end))
        if m:
            pos = m.end()
    return sents, spans, line_at


def _repeated_runs(sents: list[tuple[str, int, int]], opts: Options) -> tuple[list[int], list[bool]]:
    """For each sentence, the first earlier one with its key (-1: none), and whether it lies in a run of
    such sentences that is to go: one of ``MIN_SENTENCE`` characters in it, and long enough as a whole."""
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
        anchored = any(len(sents[v][0]) >= MIN_SENTENCE for v in range(t, u + 1))
        if anchored and len(run) >= opts.min_run_chars and opts.long_enough(run):
            for v in range(t, u + 1):
                flagged[v] = True
        t = u + 1
    return ref, flagged


def _run_hits(
    sents: list[tuple[str, int, int]],
    spans: list[tuple[int, int]],
    line_at: list[int],
    ref: list[int],
    flagged: list[bool],
    keys: list[str],
    paras: list[tuple[int, int]],
) -> list[Hit]:
    """Each stretch of flagged sentences within one paragraph goes, from the start of its first sentence
    to the start of the next sentence (or the paragraph's end), even where that is inside a line."""
    para_of = [-1] * len(keys)
    for p, (i, j) in enumerate(paras):
        for n in range(i, j + 1):
            para_of[n] = p
    hits: list[Hit] = []
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
        hits.append(Hit(first, last, "sentences", r_first, r_last, 1.0, col_start, col_end, *ref_cols))
        t = u + 1
    return hits
