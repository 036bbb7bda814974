"""Hashes and hash sets for the compiled pre-check (`kernels`).

The pre-check asks "do two of these strings look equal?" many times per document and must never answer
"no" where the Python passes would say "yes": any fixed function of the characters will do as a hash,
since equal strings get equal hashes, and a collision only sends a document on to the passes.  So the
hashes here are chosen for speed (whole words of key bytes at a time) rather than quality, and the sets
hold hashes only.
"""

from __future__ import annotations

import numpy as np

from dedupe.compiled import FNV_OFFSET, FNV_PRIME, jit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / the golden ratio: an odd multiplier that mixes well
_ODD = np.uint64(0xC2B2AE3D27D4EB4F)
ONE = np.uint64(1)
_EIGHT = np.uint64(8)
_BYTES = np.uint64(0x0101010101010101)  # 1 in every byte of a word
_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)


@jit
def _load8(a, i):  # type: ignore[no-untyped-def]
    """The eight bytes ``a[i:i + 8]`` as one little-endian word (LLVM merges this into one load)."""
    w = np.uint64(0)
    for k in range(8):
        w |= np.uint64(a[i + np.uint64(k)]) << np.uint64(8 * k)
    return w


@jit
def _bytes_equal(w, b):  # type: ignore[no-untyped-def]
    """0x80 in each byte of ``w`` equal to ``b``, 0 elsewhere (exact: nothing carries between bytes)."""
    x = w ^ (_BYTES * np.uint64(b))
    return ~(((x & _LOW7) + _LOW7) | x | _LOW7)


@jit
def _key_word(w, mode):  # type: ignore[no-untyped-def]
    """Word ``w`` of key bytes as hashed: as is (mode 0), "\\\\n" read as " " (1: a paragraph's key),
    and also "!" and "?" as "." (2: the text of `passes.sentence_text`)."""
    if mode >= 1:
        w ^= (_bytes_equal(w, 10) >> np.uint64(7)) * np.uint64(10 ^ 32)
    if mode == 2:
        w ^= (_bytes_equal(w, 33) >> np.uint64(7)) * np.uint64(33 ^ 46)
        w ^= (_bytes_equal(w, 63) >> np.uint64(7)) * np.uint64(63 ^ 46)
    return w


@jit
def _mix(h, w):  # type: ignore[no-untyped-def]
    """One step of the word hash: fold in ``w``, multiply, fold the high half into the low."""
    h = (h ^ w) * GOLDEN
    return h ^ (h >> np.uint64(32))


@jit
def _fnv(buf, start, end, mode):  # type: ignore[no-untyped-def]
    """FNV-1a over ``buf[start:end]`` in four interleaved lanes (one lane's multiplications wait on each
    other), with "\\n" read as a space if ``mode`` >= 1 (a paragraph's key) and "!" and "?" as "." if
    ``mode`` is 2 (the text of `passes.sentence_text`).  Any fixed function of the characters will do: equal
    strings must get equal hashes, whatever the mode says about characters they do not hold."""
    nl = np.uint64(10 if mode >= 1 else 0x7FFFFFFF)  # 0x7FFFFFFF: never a character, so never mapped
    bang = np.uint64(33 if mode == 2 else 0x7FFFFFFF)
    query = np.uint64(63 if mode == 2 else 0x7FFFFFFF)
    h0 = h1 = h2 = h3 = FNV_OFFSET
    i = np.uint64(start)
    stop = np.uint64(end)
    while i + np.uint64(4) <= stop:
        c0, c1 = np.uint64(buf[i]), np.uint64(buf[i + ONE])
        c2, c3 = np.uint64(buf[i + np.uint64(2)]), np.uint64(buf[i + np.uint64(3)])
        c0 = np.uint64(32) if c0 == nl else np.uint64(46) if (c0 == bang) | (c0 == query) else c0
        c1 = np.uint64(32) if c1 == nl else np.uint64(46) if (c1 == bang) | (c1 == query) else c1
        c2 = np.uint64(32) if c2 == nl else np.uint64(46) if (c2 == bang) | (c2 == query) else c2
        c3 = np.uint64(32) if c3 == nl else np.uint64(46) if (c3 == bang) | (c3 == query) else c3
        h0 = (h0 ^ c0) * FNV_PRIME
        h1 = (h1 ^ c1) * FNV_PRIME
        h2 = (h2 ^ c2) * FNV_PRIME
        h3 = (h3 ^ c3) * FNV_PRIME
        i += np.uint64(4)
    while i < stop:
        c = np.uint64(buf[i])
        c = np.uint64(32) if c == nl else np.uint64(46) if (c == bang) | (c == query) else c
        h0 = (h0 ^ c) * FNV_PRIME
        i += ONE
    h1 = (h1 ^ np.uint64(end - start)) * FNV_PRIME
    return h0 ^ (h1 * np.uint64(3)) ^ (h2 * np.uint64(5)) ^ (h3 * np.uint64(7))


@jit
def hash_span(buf, start, end, mode):  # type: ignore[no-untyped-def]
    """A 64-bit hash of ``buf[start:end]`` with characters read as `_key_word` ``mode`` says: key bytes
    eight at a time, code points (text normalised in Python) one at a time with `_fnv`.  Any fixed
    function of the characters will do: equal strings must get equal hashes."""
    if buf.itemsize != 1:
        return _fnv(buf, start, end, mode)
    if end - start == 24:  # an anchor (`passes.ANCHOR`): three words multiplied apart, not one after another
        w0 = _key_word(_load8(buf, np.uint64(start)), mode) * FNV_PRIME
        w1 = _key_word(_load8(buf, np.uint64(start + 8)), mode) * GOLDEN
        w2 = _key_word(_load8(buf, np.uint64(start + 16)), mode) * _ODD
        return _mix(_mix(w0 + w1 + w2, np.uint64(24)), np.uint64(0))
    h = FNV_OFFSET ^ (np.uint64(end - start) * FNV_PRIME)
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
            i += ONE
        h = _mix(h, _key_word(w, mode))
    return _mix(h, np.uint64(0))


@jit
def hash_set(size):  # type: ignore[no-untyped-def]
    """An empty open-addressing hash set for about ``size`` 64-bit hashes (0 marks a free slot)."""
    cap = 16
    while cap < 2 * size + 2:
        cap *= 2
    return np.zeros(cap, np.uint64)


@jit
def set_add(table, h):  # type: ignore[no-untyped-def]
    """Insert ``h``; True if it was there already."""
    h = h | ONE  # never 0
    mask = table.shape[0] - 1
    k = int(h >> np.uint64(40)) & mask
    while table[k] != 0:
        if table[k] == h:
            return True
        k = (k + 1) & mask
    table[k] = h
    return False


@jit
def set_has(table, h):  # type: ignore[no-untyped-def]
    """Whether ``h`` is in the set."""
    h = h | ONE
    mask = table.shape[0] - 1
    k = int(h >> np.uint64(40)) & mask
    while table[k] != 0:
        if table[k] == h:
            return True
        k = (k + 1) & mask
    return False


@jit
def sample_hash(buf, s, e, mode):  # type: ignore[no-untyped-def]
    """A cheap hash of ``buf[s:e]`` for finding equal strings: its length and its first and last eight
    bytes.  Equal strings get equal samples; strings with equal samples are then compared in full."""
    if buf.itemsize != 1 or e - s < 16:
        return hash_span(buf, s, e, mode)
    h = _mix(np.uint64(e - s) * FNV_PRIME, _key_word(_load8(buf, np.uint64(s)), mode))
    return _mix(_mix(h, _key_word(_load8(buf, np.uint64(e - 8)), mode)), np.uint64(0))
