"""Gopher repetition statistics (Rae et al. 2021, "Scaling Language Models", Table A1).

`repetition_stats` measures how repetitive a document is, with the thirteen statistics of the Gopher
repetition filter; `over_limits` says which exceed the paper's limits (`GOPHER_LIMITS`).  The repeats
stage records them (and can filter on them) after `dedupe.cleaning.repeats` has repaired what it can, so a
document is dropped only for repetition that repair cannot fix (a word list, a spam page).

Our reading of the definitions (``/work/shared/gopher-repetition.md``), which follows the paper:

* **Lines** are ``text.split("\\n")``; empty (or whitespace-only) lines are ignored.  A line is a
  *duplicate* when it equals (exactly, as a string) an earlier line; the first copy is not a duplicate.
  ``dup_line_frac`` = duplicate lines / lines; ``dup_line_char_frac`` = characters of the duplicate
  lines / ``len(text)``.
* **Paragraphs** are the pieces of ``re.split(r"\\n{2,}", text)``, with line feeds at their ends
  removed (so the last paragraph compares equal with or without a final ``\\n``); empty ones are
  ignored.  ``dup_para_frac`` and ``dup_para_char_frac`` as for lines.
* **Words** are the ``\\w+`` runs (Unicode letters, digits, underscore): punctuation is not a word, and
  case is kept.  "All word characters" is the sum of the word lengths (spaces and punctuation are not
  counted).
* ``top_{n}gram_char_frac`` (n = 2, 3, 4): take the most frequent word n-gram (ties: the one with the
  most characters, then the one seen first); the characters of the words covered by its occurrences,
  each word counted once even where occurrences overlap, / all word characters.  If no n-gram occurs
  twice the value is 0.0: a text without repetition scores nothing, whatever its length.
* ``dup_{n}gram_char_frac`` (n = 5 ... 10): the characters of the words covered by any n-gram that
  occurs more than once (each word counted once, overlaps not double counted) / all word characters.

How datatrove's GopherRepetitionFilter differs (we do not follow it): it splits paragraphs on the
stripped text but lines on the raw text; its words come from a word tokenizer and include punctuation
tokens; for duplicate n-grams it counts occurrences without overlap by jumping n words after a match;
for the top n-gram it multiplies the n-gram's string length by its count; and it divides by the full
text length, whitespace included.  Its numbers are therefore not comparable with ours.

Speed: words become integer ids once, then each n-gram size is one ``np.unique`` over integer pairs
(the (n-1)-gram id and the next word id), so there is no Python work per n-gram; and as soon as no
n-gram repeats, no longer one can, so the loop stops (most prose stops at n = 4 to 6).
"""

from __future__ import annotations

import re
from itertools import count

import numpy as np

__all__ = ["GOPHER_LIMITS", "STAT_NAMES", "over_limits", "repetition_stats"]

GOPHER_LIMITS: dict[str, float] = {
    "dup_line_frac": 0.30,
    "dup_para_frac": 0.30,
    "dup_line_char_frac": 0.20,
    "dup_para_char_frac": 0.20,
    "top_2gram_char_frac": 0.20,
    "top_3gram_char_frac": 0.18,
    "top_4gram_char_frac": 0.16,
    "dup_5gram_char_frac": 0.15,
    "dup_6gram_char_frac": 0.14,
    "dup_7gram_char_frac": 0.13,
    "dup_8gram_char_frac": 0.12,
    "dup_9gram_char_frac": 0.11,
    "dup_10gram_char_frac": 0.10,
}
STAT_NAMES: tuple[str, ...] = tuple(GOPHER_LIMITS)

_WORD = re.compile(r"\w+")
# For ASCII text \w is [A-Za-z0-9_]: mapping everything else to a space and splitting gives the same words
# three times faster than the regex.
_ASCII_WORD_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_ASCII_NON_WORD_TO_SPACE = bytes(c if c in _ASCII_WORD_CHARS else 32 for c in range(256))
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def _duplicates(blocks: list[str]) -> tuple[int, int, int]:
    """(blocks, duplicate blocks, characters in duplicate blocks), ignoring blank blocks."""
    seen: set[str] = set()
    total = dups = chars = 0
    for block in blocks:
        if not block.strip():
            continue
        total += 1
        if block in seen:
            dups += 1
            chars += len(block)
        else:
            seen.add(block)
    return total, dups, chars


def _covered_chars(lens: np.ndarray, starts: np.ndarray, n: int) -> int:
    """Characters of the words covered by n-grams starting at ``starts`` (each word once)."""
    if starts.size == 0:
        return 0
    edges = np.zeros(lens.size + 1, np.int64)
    edges[starts] += 1  # starts are distinct, so plain fancy indexing adds once each
    ends = np.zeros(lens.size + 1, np.int64)
    ends[starts + n] += 1
    covered = np.cumsum(edges - ends)[:-1] > 0
    return int(lens[covered].sum())


def repetition_stats(text: str) -> dict[str, float]:
    """The thirteen Gopher repetition statistics of ``text`` (names as in `GOPHER_LIMITS`)."""
    stats = dict.fromkeys(STAT_NAMES, 0.0)
    length = len(text)
    if not length:
        return stats

    lines, dup, chars = _duplicates(text.split("\n"))
    if lines:
        stats["dup_line_frac"] = dup / lines
        stats["dup_line_char_frac"] = chars / length
    paras, dup, chars = _duplicates([p.strip("\n") for p in _PARAGRAPH_BREAK.split(text)])
    if paras:
        stats["dup_para_frac"] = dup / paras
        stats["dup_para_char_frac"] = chars / length

    words: list[str] | list[bytes] = (
        text.encode("ascii").translate(_ASCII_NON_WORD_TO_SPACE).split() if text.isascii() else _WORD.findall(text)
    )
    nwords = len(words)
    if nwords < 2:
        return stats
    lens = np.fromiter(map(len, words), np.int64, nwords)
    word_chars = int(lens.sum())
    # Dense-enough word ids at C speed: each distinct word keeps the counter value of its first
    # occurrence, so ids are below nwords.
    first_id: dict[str | bytes, int] = {}
    ids = np.fromiter(map(first_id.setdefault, words, count()), np.int64, nwords)
    cum = np.concatenate(([0], np.cumsum(lens)))

    gram = ids  # id of the n-gram starting at each position, n = 1 so far
    for n in range(2, 11):
        if nwords < n:
            break
        # (n-1)-gram at i followed by the word at i+n-1; both ids are below nwords, so the pair packs
        # into one int64 exactly.
        key = gram[: nwords - n + 1] * nwords + ids[n - 1 :]
        uniq, first, gram, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
        gram = gram.reshape(-1)
        if n <= 4:
            top = int(counts.max())
            if top > 1:
                best = np.flatnonzero(counts == top)
                gram_chars = cum[first[best] + n] - cum[first[best]]
                # most characters first, then earliest first occurrence
                pick = best[np.lexsort((first[best], -gram_chars))[0]]
                starts = np.flatnonzero(gram == pick)
                stats[f"top_{n}gram_char_frac"] = _covered_chars(lens, starts, n) / word_chars
        else:
            starts = np.flatnonzero(counts[gram] > 1)
            stats[f"dup_{n}gram_char_frac"] = _covered_chars(lens, starts, n) / word_chars
        if counts.size == key.size:
            break  # no n-gram repeats, so no longer one can: the remaining statistics are 0
        del uniq
    return stats


def over_limits(stats: dict[str, float], limits: dict[str, float] = GOPHER_LIMITS) -> list[str]:
    """Human reasons for each statistic above its limit, e.g. ``"dup_para_frac 0.45 > 0.30"``.

    A value is shown with two decimals, or three where two would round it down to the limit.
    """
    reasons = []
    for name, limit in limits.items():
        value = stats.get(name, 0.0)
        if value > limit:
            shown = f"{value:.2f}" if round(value, 2) > limit else f"{value:.3f}"
            reasons.append(f"{name} {shown} > {limit:.2f}")
    return reasons
