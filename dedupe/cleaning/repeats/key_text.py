"""The key text of a document, built in compiled code: what `keys.keyed` and `passes.sentence_text`
make in Python, for the pre-check to hash without building Python strings.

`build_keys` writes ``"\\n".join(keys)`` with its line bounds and full stops, and `pieces` cuts that
into the sentences the sentence pass would see.  Both must agree exactly with the Python definitions
(the tests compare them through `precheck.kernel_keys`): a difference could hide a repeat from the pre-check.
"""

from __future__ import annotations

import numpy as np

from dedupe.cleaning.repeats.hashing import ONE
from dedupe.cleaning.repeats.intrinsics import byte_mask, bytewise, copy_lower
from dedupe.cleaning.repeats.keys import DOTS_KEY, NEEDS_NFKC, SPACE_KEY
from dedupe.compiled import jit, trailing_zeros

# Marks in the kernel's character table: a line feed or a non-ASCII unit, handled off the fast path.
_SPECIAL = np.uint32(0x110000)
# Per byte: the key character of an ASCII code (lower case; str.split's ASCII whitespace other than
# "\\n" read as a space), _SPECIAL for "\\n" and for the bytes of non-ASCII characters.
_KEY_CHAR = np.full(256, _SPECIAL, np.uint32)
_KEY_CHAR[:128] = np.arange(128)
_KEY_CHAR[65:91] += 32
_KEY_CHAR[[9, 11, 12, 13, 28, 29, 30, 31]] = 32
_KEY_CHAR[10] = _SPECIAL
# Per ASCII key character: 1 for the full stops of passes.sentence_text (".", "!", "?").
_STOP = np.zeros(128, np.uint64)
_STOP[[33, 46, 63]] = 1


@jit
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


# Bytes read past the end of a text by the 64-byte steps of `build_keys` (never used).
SLACK = 64
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


@jit
def _below(count):  # type: ignore[no-untyped-def]
    """The bits 0 .. count - 1 (count <= 64)."""
    return _ALL >> np.uint64(64 - count) if count > 0 else np.uint64(0)


@jit
def build_keys(cu, n, out, starts, ends, stops, table):  # type: ignore[no-untyped-def]
    """Write ``"\\n".join(keys)`` of the text ``cu[:n]`` to ``out``, the key bounds of each line to
    ``starts``/``ends`` and the offsets of the full stops (".", "!", "?") to ``stops``; return
    (characters, lines, stops); lines is -1 if the text holds a character only `keys.normalise` handles, -2
    if ``out`` holds bytes and a key character is wider.

    ``cu`` is UTF-8 bytes, best with `SLACK` readable bytes after ``n`` (characters other than ASCII get
    their key from ``table``, see `keys.key_table`), or the code points of a text already normalised.  Most
    of a text is its own key once lower-cased: printable ASCII and line feeds, with no two spaces in a
    row and no space next to a line feed.  So bytes go 64 at a time: bit masks of spaces, line feeds and
    other bytes (vector compares) give the first byte that breaks the rule, everything before it is
    copied lower-cased, its line feeds and full stops are read off masks, and the troublesome character
    (with the spaces after it) goes alone.  Alone, an ASCII character is written with no branch on its
    class (spaces and letters alternate unpredictably): a space is kept (``m`` advances) only when the
    character before it was not a space and not a line start, and a space left at a line end is taken
    back there.

    It is one function because both steps read and advance the same state (input and output position,
    line, full stops, whether a space may follow, the masks), which would otherwise pass in and out of
    every helper call in the innermost loop.
    """
    utf8 = bytewise(cu)
    n = np.uint64(n)
    m = np.uint64(0)
    line_start = np.uint64(0)
    lines = 0
    ns = np.uint64(0)
    skip = ONE  # 1 while a space is not to be kept: at a line start and after a kept space
    starts[0] = 0
    i = np.uint64(0)
    base = n  # the masks below describe the 64 bytes from here (none yet)
    spaces = feeds = others = marks = np.uint64(0)
    readable = np.uint64(len(cu))  # n + `SLACK` in a batch; a lone text ends in single characters
    while i < n:
        limit = n
        if utf8 and i + np.uint64(64) <= readable:
            if i - base > 32 or base > i:  # (a short step after a troublesome character reuses them)
                base = i
                spaces = byte_mask(cu, i, 32, 32)
                feeds = byte_mask(cu, i, 10, 10)
                others = byte_mask(cu, i, 0, 31) ^ feeds | byte_mask(cu, i, 127, 255)  # controls, UTF-8
                marks = byte_mask(cu, i, 46, 46) | byte_mask(cu, i, 33, 33) | byte_mask(cu, i, 63, 63)
            shift = i - base
            sp = spaces >> shift
            nl = feeds >> shift
            after_space = skip and m > line_start
            trouble = (
                others >> shift
                | (sp & ((sp | nl) << ONE | skip))  # a space after a space, at a line start
                | (nl & (sp << ONE | np.uint64(after_space)))  # a line feed after a space
            )
            end = min(np.uint64(64) - shift, n - i)  # the masks end here, or the text does
            run = min(np.uint64(64) if trouble == 0 else np.uint64(trailing_zeros(trouble)), end)
            if run > 0:
                copy_lower(cu, i, out, m)  # (out has room: a text is never shorter than its key)
                keep = _below(run)
                found = (marks >> shift) & keep
                while found:
                    stops[ns] = m + np.uint64(trailing_zeros(found))
                    ns += ONE
                    found &= found - ONE
                found = nl & keep
                while found:
                    line_start = m + np.uint64(trailing_zeros(found)) + ONE
                    ends[lines] = line_start - ONE
                    lines += 1
                    starts[lines] = line_start
                    found &= found - ONE
                skip = ((sp | nl) >> (run - ONE)) & ONE
                m += run
                i += run
                if run == end:
                    continue
            limit = i + ONE  # the troublesome character alone (with the spaces after it), then 64 bytes again
            while limit < n and cu[limit] == 32:
                limit += ONE
        while i < limit:
            c = np.uint32(cu[i])
            i += ONE
            k = _KEY_CHAR[c] if c < 256 else _SPECIAL
            if k != _SPECIAL:
                blank = np.uint64(k == 32)
                out[m] = k
                stops[ns] = m
                ns += _STOP[k]
                m += ONE - (blank & skip)
                skip = blank
                continue
            if c == 10:
                if skip and m > line_start:
                    m -= ONE
                ends[lines] = m
                lines += 1
                out[m] = 10
                m += ONE
                line_start = m
                starts[lines] = m
                skip = ONE
                continue
            dots = False
            if utf8:
                c, nxt = _decode(cu, i, int(n))
                r = table[c] if nxt >= 0 else NEEDS_NFKC
                if r == NEEDS_NFKC:
                    return np.int64(0), -1, np.int64(0)  # the caller normalises the text in Python
                if r > 0xFF and out.itemsize == 1:
                    return np.int64(0), -2, np.int64(0)  # the caller starts again with code points
                i = np.uint64(nxt)
                space = r == SPACE_KEY
                dots = r == DOTS_KEY  # "\u2026" -> "...": three bytes in UTF-8, so `out` has room
                k = np.uint32(46) if dots else np.uint32(r)
                if not dots and k < 128 and _STOP[k]:  # a fullwidth full stop
                    stops[ns] = m
                    ns += ONE
            else:
                space = c == 133 or c == 5760 or c == 8232 or c == 8233
                k = c
            if space:
                if not skip:
                    out[m] = 32
                    m += ONE
                    skip = ONE
                continue
            for _ in range(3 if dots else 1):
                out[m] = k
                if dots:
                    stops[ns] = m
                    ns += ONE
                m += ONE
            skip = np.uint64(0)
    if skip and m > line_start:
        m -= ONE
    ends[lines] = m
    return np.int64(m), lines + 1, np.int64(ns)


@jit
def _gap_end(out, i, hi):  # type: ignore[no-untyped-def]
    """The first index from ``i`` on that is not a space or a line feed (or ``hi``)."""
    while i < hi and (out[i] == 32 or out[i] == 10):
        i += 1
    return i


@jit
def _closing(c):  # type: ignore[no-untyped-def]
    """A character `passes.SENT_SPLIT` lets follow a full stop: "." (also "!", "?"), '"', "'", ")", "]"."""
    return c == 46 or c == 33 or c == 63 or c == 34 or c == 39 or c == 41 or c == 93


@jit
def pieces(out, m, stops, nstops, starts, ends, lines, first, last):  # type: ignore[no-untyped-def]
    """Cut ``out[:m]`` = ``"\\n".join(keys)`` into the non-empty pieces `passes.SENT_SPLIT` cuts from its
    stripped `passes.sentence_text`; write their bounds to ``first``/``last`` and return how many there are.

    In `passes.sentence_text` "!" and "?" are ".", a line feed is a space, and in a run of line feeds (blank
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
