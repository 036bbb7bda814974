"""Compiled inner loops for :mod:`dedupe.near.shingles` and :mod:`dedupe.near.minhash`.

Everything here works on a batch of documents laid out as one flat array of code points (``uint8``,
``uint16`` or ``uint32``, whichever holds them one per element) plus per-document ``[start, end)``
offsets, so one call does a whole batch and Python does no per-token or per-shingle work. Code
points go through ``table`` (see :func:`dedupe.near.shingles.char_table`): ``table[c] & LOWER`` is
``c`` lower-cased, bit 31 says whether that is a ``\\w`` character and bit 30 whether it is a token of
its own (a script written without spaces), so the kernels lower-case and classify in one load. The
hash definition lives in the docstring of :mod:`dedupe.near.shingles`; the pure-Python reference
there must produce the same numbers, which is what the tests check.

Numba scalar arithmetic on ``uint32`` widens to ``uint64``, so every 32-bit step is done in 64 bits
and truncated with ``np.uint32(...)``; LLVM narrows the vector code again. All 64-bit constants and
shift counts are ``np.uint64`` because mixing ``uint64`` with a plain ``int`` makes numba fall back
to ``float64``.

If numba is not installed the functions below are plain Python (slow); the public functions avoid
them in that case and use the pure-Python reference instead (see ``HAVE_NUMBA``).
"""

from __future__ import annotations

import numpy as np

from dedupe.compiled import FNV_OFFSET, FNV_PRIME, jit
from dedupe.compiled import HAVE_NUMBA as HAVE_NUMBA  # read here by shingles and minhash (tests patch it here)

COMBINE = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_F1 = np.uint64(0x85EBCA6B)
_F2 = np.uint64(0xC2B2AE35)
_S16 = np.uint64(16)
_S13 = np.uint64(13)
_MASK32 = np.uint64(0xFFFFFFFF)
_SPACE = np.uint64(0x20)
LOWER = np.uint32(0x1FFFFF)  # table[c] & LOWER: the lower-cased code point
WORD = np.uint32(1 << 31)  # table[c] & WORD: it is a \w character
SPACELESS = np.uint32(1 << 30)  # table[c] & SPACELESS: a \w character that is a token on its own
_S31 = np.uint32(31)
_S30 = np.uint32(30)
_FIRST_SPACELESS = np.uint32(0x0E00)  # Thai: no script of dedupe.scripts starts below it
_ONE = np.uint32(1)


@jit
def fmix64(h):
    """MurmurHash3's 64-bit finaliser: a bijection that spreads every input bit over the output."""
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    return h


@jit
def fmix32(h):
    """MurmurHash3's 32-bit finaliser, exactly datasketch's ``_fmix(hv, 32)``; ``h`` < 2**32."""
    h ^= h >> _S16
    h = (h * _F1) & _MASK32
    h ^= h >> _S13
    h = (h * _F2) & _MASK32
    h ^= h >> _S16
    return h


@jit
def _scan_words(cps, pos, hi, table, tok, k, limit, h, prev):
    """Append the raw FNV-1a-64 hashes of the ``\\w`` runs of ``cps[pos:hi]`` to ``tok[k:]``, and stop
    early once ``k`` reaches ``limit``. Returns the state to resume from: ``(pos, k, h, prev)``
    (a token still open at ``hi`` is left in ``h``; the caller closes it at the document's end).

    Branch-free per code point: the running hash is stored at ``tok[k]`` every step and ``k`` only
    advances when a run ends, so token boundaries (which a branch predictor cannot guess) cost no
    mispredictions. The loop is bound by the FNV multiply chain.
    """
    for x in cps[pos:hi]:
        v = table[x]
        c = np.uint64(v & LOWER)
        w = np.int64(v >> _S31)
        tok[k] = h
        k += prev & (w ^ 1)
        hn = (h ^ c) * FNV_PRIME
        h = hn if w else FNV_OFFSET
        prev = w
        pos += 1
        if k >= limit:
            break
    return pos, k, h, prev


@jit
def _has_spaceless(cps, lo, hi, table):
    """Whether ``cps[lo:hi]`` holds a ``SPACELESS`` character. No such script starts below U+0E00, so a
    document without a code point that high (most text in Latin, Cyrillic, Greek ...) is answered by a
    scan that vectorises, and only the others are looked up."""
    top = np.uint32(0)
    for x in cps[lo:hi]:
        top = max(top, np.uint32(x))
    if top < _FIRST_SPACELESS:
        return False
    for x in cps[lo:hi]:  # noqa: SIM110 - numba compiles loops, not generator expressions
        if table[x] & SPACELESS:
            return True
    return False


@jit
def _scan_mixed(cps, pos, hi, table, tok, k, limit, h, prev, alone):
    """:func:`_scan_words` for a document with characters of a script written without spaces. Returns
    the state to resume from: ``(pos, k, h, prev, alone)``.

    A token is a ``\\w`` run, cut before and after every ``SPACELESS`` character (``alone``: the open
    token is one). For ``\\w`` runs the loop is branch-free per code point: the running hash is stored
    at ``tok[k]`` every step and ``k`` only advances when a token ends, so token boundaries (which a
    branch predictor cannot guess) cost no mispredictions, and the loop is bound by the FNV multiply
    chain. A ``SPACELESS`` character (or the one after it) takes a branch instead: never taken in
    text without such scripts and nearly always in text in them, it is predicted well either way, and
    it keeps the multiply chain of ``\\w`` runs as short as it was.
    """
    for x in cps[pos:hi]:
        v = table[x]
        c = np.uint64(v & LOWER)
        w = np.int64(v >> _S31)
        tok[k] = h
        if (v & SPACELESS) != 0 or alone != 0:  # a token boundary before this code point, whatever it is
            k += prev
            h = (FNV_OFFSET ^ c) * FNV_PRIME if w else FNV_OFFSET
            alone = np.int64((v >> _S30) & _ONE)
        else:
            k += prev & (w ^ 1)
            hn = (h ^ c) * FNV_PRIME
            h = hn if w else FNV_OFFSET
        prev = w
        pos += 1
        if k >= limit:
            break
    return pos, k, h, prev, alone


@jit
def _scan_chars(cps, pos, hi, table, tok, k, limit, gap):
    """Char mode's :func:`_scan_words`: one raw hash per ``\\w`` code point, and one for the space
    that stands for each gap between runs (``gap``: a gap is pending). Returns ``(pos, k, gap)``."""
    space = (FNV_OFFSET ^ _SPACE) * FNV_PRIME
    for x in cps[pos:hi]:
        v = table[x]
        pos += 1
        if v & WORD:
            if gap:
                tok[k] = space
                k += 1
                gap = False
            tok[k] = (FNV_OFFSET ^ np.uint64(v & LOWER)) * FNV_PRIME
            k += 1
            if k >= limit:
                break
        else:
            gap = k > 0 or gap
    return pos, k, gap


@jit
def _powers(n):
    """``pw[j] = COMBINE**(n-1-j)`` and ``n * COMBINE**n``: Horner's form of the shingle hash,
    unrolled so that every shingle is computed independently (and the loop vectorises)."""
    pw = np.empty(n, np.uint64)
    x = np.uint64(1)
    for j in range(n - 1, -1, -1):
        pw[j] = x
        x *= COMBINE
    return pw, np.uint64(n) * x


@jit
def _shingles(tok, fresh, k, n, short, pw, base, out):
    """Finalise the raw token hashes ``tok[fresh:k]`` in place, then write the hash of every shingle
    that lies within ``tok[:k]`` to ``out``; return how many. ``short``: the whole document has
    fewer than ``n`` tokens, ``tok[:k]`` are all of them, and they make one shingle."""
    for i in range(fresh, k):
        tok[i] = fmix64(tok[i])
    if short:
        if k == 0:
            return 0
        p = np.uint64(k)
        for j in range(k):
            p = p * COMBINE + tok[j]
        out[0] = fmix64(p) & _MASK32
        return 1
    m = k - n + 1
    for i in range(m):
        out[i] = base
    for j in range(n):
        pj = pw[j]
        for i in range(m):
            out[i] += tok[i + j] * pj
    for i in range(m):
        out[i] = fmix64(out[i]) & _MASK32
    return max(m, 0)


@jit
def _doc_shingles(cps, lo, hi, table, n, char_mode, pw, base, tok, out, hv, sink, a, b):
    """Shingle hashes of the document ``cps[lo:hi]``, produced in chunks of at most ``len(tok)``
    tokens so that scratch memory does not grow with the document (a book is as cheap as a page).

    Each chunk's hashes go to ``out``; with ``sink`` of shape ``(num_perm,)`` they are MinHashed into
    it (``a``, ``b``: the permutations; ``hv``: scratch), otherwise ``out`` must hold the whole
    document and the total count is returned. The last ``n - 1`` tokens of a chunk are carried over.
    """
    limit = len(tok) - 1  # room to close a token still open at the end
    pos = lo
    # typed zeros, not literals: numba compiles a callee once more for the literal 0 (or False) of the first
    # round of the loop, which only lengthens the first run
    zero = np.int64(0)
    k = zero
    fresh = zero
    total = zero  # tokens seen so far
    written = zero
    h = FNV_OFFSET
    prev = zero
    alone = zero
    gap = zero != zero
    mixed = not char_mode and _has_spaceless(cps, lo, hi, table)
    while True:
        if char_mode:
            pos, k, gap = _scan_chars(cps, pos, hi, table, tok, k, limit - 1, gap)
        elif mixed:
            pos, k, h, prev, alone = _scan_mixed(cps, pos, hi, table, tok, k, limit, h, prev, alone)
        else:
            pos, k, h, prev = _scan_words(cps, pos, hi, table, tok, k, limit, h, prev)
        done = pos >= hi
        if done and prev:
            tok[k] = h
            k += 1
        total += k - fresh
        m = _shingles(tok, fresh, k, n, done and total < n, pw, base, out[written:])
        if len(sink):
            _minhash(out, m, a, b, sink, hv)
        else:
            written += m
        if done:
            return written
        for j in range(n - 1):  # carry the tokens of the shingles that straddle the chunks
            tok[j] = tok[k - n + 1 + j]
        k = n - 1
        fresh = n - 1


@jit
def _minhash(out, m, a, b, sink, hv):
    """``sink[k] = min(sink[k], min_s(a[k] * fmix32(out[s]) + b[k] mod 2**32))``: datasketch's
    affine32 update. One permutation's running minimum stays in a register while the loop runs over
    the shingles, which LLVM vectorises across shingles (16 lanes with AVX-512)."""
    for s in range(m):
        hv[s] = np.uint32(fmix32(out[s]))
    for k in range(len(a)):
        ak = np.uint32(a[k])
        bk = np.uint32(b[k])
        mn = np.uint32(sink[k])
        for s in range(m):
            v = np.uint32(ak * hv[s] + bk)
            if v < mn:
                mn = v
        sink[k] = mn


@jit
def shingles_kernel(cps, table, n, char_mode):
    """Shingle hashes (one per position, duplicates kept) of one document."""
    tok = np.empty(len(cps) + 2, np.uint64)
    out = np.empty(len(cps) + 2, np.uint64)
    pw, base = _powers(n)
    none = np.empty(0, np.uint32)
    # the argument types of signatures_kernel's call (an int64 start, not the literal 0, and writable
    # uint32 arrays), so that both kernels share one compiled _doc_shingles: a shorter first run
    lo = np.int64(0)
    m = _doc_shingles(cps, lo, len(cps), table, n, char_mode, pw, base, tok, out, none, none, none, none)
    return out[:m].astype(np.uint32)


@jit
def shingles_many_kernel(cps, starts, ends, table, n, char_mode):
    """Shingle hashes of every document ``cps[starts[d]:ends[d]]`` of a batch, one document after another
    (duplicates kept), and ``bounds``: document ``d``'s are ``hashes[bounds[d]:bounds[d + 1]]``. One call
    for a batch: calling :func:`shingles_kernel` per document costs more than hashing a short one."""
    longest = np.int64(0)
    room = np.int64(0)
    for d in range(len(starts)):
        size = ends[d] - starts[d]
        longest = max(longest, size)
        room += size + 2
    tok = np.empty(longest + 2, np.uint64)
    out = np.empty(longest + 2, np.uint64)
    hashes = np.empty(room, np.uint32)
    bounds = np.zeros(len(starts) + 1, np.int64)
    pw, base = _powers(n)
    none = np.empty(0, np.uint32)
    w = np.int64(0)
    for d in range(len(starts)):
        m = _doc_shingles(cps, starts[d], ends[d], table, n, char_mode, pw, base, tok, out, none, none, none, none)
        for i in range(m):
            hashes[w + i] = np.uint32(out[i])
        w += m
        bounds[d + 1] = w
    return hashes[:w], bounds


@jit
def token_spans_kernel(cps, table):
    """The lower-cased code points and the ``(start, end)`` of every token, as the kernels see them
    (a test hook: joined back into strings they must equal the reference tokens)."""
    low = np.empty(len(cps), np.uint32)
    spans = np.empty((len(cps) + 1, 2), np.int64)
    k = 0
    start = -1
    alone = False
    for i in range(len(cps)):
        v = table[cps[i]]
        low[i] = v & LOWER
        if start >= 0 and (alone or not v & WORD or v & SPACELESS):
            spans[k, 0] = start
            spans[k, 1] = i
            k += 1
            start = -1
        if v & WORD and start < 0:
            start = i
        alone = bool(v & SPACELESS)
    if start >= 0:
        spans[k, 0] = start
        spans[k, 1] = len(cps)
        k += 1
    return low, spans[:k]


@jit
def signatures_kernel(cps, starts, ends, rows, table, n, char_mode, a, b, sig, chunk):
    """MinHash document ``d`` of the batch (``cps[starts[d]:ends[d]]``) into ``sig[rows[d]]``
    (pre-filled with EMPTY), in place.

    Scratch space (``chunk`` token hashes and as many shingle hashes, 20 bytes a pair) is allocated
    once per call, never per document, and does not depend on the documents' lengths.
    """
    tok = np.empty(chunk, np.uint64)
    out = np.empty(chunk, np.uint64)
    hv = np.empty(chunk, np.uint32)
    pw, base = _powers(n)
    for d in range(len(starts)):
        sink = sig[rows[d]]
        _doc_shingles(cps, starts[d], ends[d], table, n, char_mode, pw, base, tok, out, hv, sink, a, b)
