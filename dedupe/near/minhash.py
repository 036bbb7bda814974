"""MinHash signatures of many documents at compiled-code speed, bit-identical to datasketch.

A signature is datasketch 2.0's ``scheme="affine32"`` MinHash of a document's shingle hashes
(:func:`dedupe.near.shingles.shingle_hashes`): each 32-bit shingle hash ``h`` is pre-mixed with
MurmurHash3's ``fmix32``, permuted by ``num_perm`` affine maps ``(a_k * fmix32(h) + b_k) mod 2**32``
(``a_k`` odd, so each map is a bijection), and the signature keeps the minimum per permutation.
``(a, b)`` are drawn exactly as datasketch draws them (:func:`permutations`), so our signatures can be
mixed with datasketch's: for every text,

.. code-block:: python

    import numpy as np
    from datasketch import MinHash
    from dedupe.near import shingle_hashes, signatures

    text = "The quick brown fox jumps over the lazy dog."
    m = MinHash(num_perm=128, seed=1, scheme="affine32", hashfunc=lambda h: h)  # identity: h is uint32
    m.update_batch(shingle_hashes(text, ngram=5))
    assert np.array_equal(m.hashvalues, signatures([text], num_perm=128, seed=1, ngram=5)[0])

(``datasketch.LeanMinHash(seed=1, hashvalues=row, scheme="affine32")`` turns a row back into a
datasketch object.)
A document with no shingles keeps every value at :data:`EMPTY`, like an empty datasketch MinHash.

Why it is fast: Python does nothing per token or per shingle. A batch of texts (up to
``_BATCH_CHARS`` code points) is joined into one array of code points, one byte each for pure-ASCII
texts and two or four for the rest, and one numba kernel lower-cases (by table lookup, see
:func:`dedupe.near.shingles.char_table`), tokenises, hashes, shingles and MinHashes the whole batch
straight into the result matrix. ``str.lower`` runs only on the rare texts the table cannot lower
(``"İ"``, capital sigma); it may change a text's length, so offsets are taken after it.

Memory: the result is ``4 * num_perm`` bytes per document. Besides it, a batch holds its joined text
and that text's code-unit copy (at most ~2 x 4 bytes x ``_BATCH_CHARS``), and the kernel allocates a
fixed ~320 KB of scratch per call, none per document: long documents are processed in chunks of
``_CHUNK`` tokens, so a whole book costs no more memory than a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from dedupe.compiled import kernels_on
from dedupe.near import kernels
from dedupe.near.shingles import char_table, check_shingling, kernel_groups, shingle_hashes_reference

EMPTY: int = 0xFFFFFFFF
"""The value of every signature entry of a document without shingles (datasketch's empty MinHash)."""

_BATCH_CHARS = 1 << 22  # ~4 M code points (16 MB as uint32) per kernel call bounds the transient memory
_CHUNK = 1 << 14  # tokens per chunk inside the kernel: 320 KB of scratch, stays in L2


def permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutation parameters ``(a, b)``, ``uint32`` each, exactly as datasketch's
    ``MinHash(num_perm, seed, scheme="affine32")`` draws them (so signatures are interchangeable)."""
    a, b = _permutations(num_perm, seed)
    return a.copy(), b.copy()


@lru_cache(maxsize=16)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Cached, read-only :func:`permutations`: seeding a ``RandomState`` costs ~0.1 ms, more than
    signing a small batch."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.flags.writeable = b.flags.writeable = False
    return a, b


def signatures(
    texts: Sequence[str], *, num_perm: int = 128, ngram: int = 5, seed: int = 1, mode: str = "word"
) -> np.ndarray:
    """The ``(len(texts), num_perm)`` ``uint32`` MinHash signatures of ``texts`` (see module doc)."""
    check_shingling(ngram, mode)
    if num_perm < 1:
        raise ValueError(f"num_perm must be at least 1, not {num_perm}")
    a, b = _permutations(num_perm, seed)
    sig = np.full((len(texts), num_perm), EMPTY, np.uint32)
    if not (kernels.HAVE_NUMBA and kernels_on()):  # slower but identical; the tests check both ways
        _signatures_reference(texts, ngram, mode, a, b, sig)
        return sig
    table, special = char_table()
    a, b = a.copy(), b.copy()  # writable, as shingles_kernel's are: the two kernels share compiled code
    char_mode = mode == "char"
    chunk = max(_CHUNK, 2 * ngram + 8)  # a chunk must hold a shingle and then some
    lo = 0
    while lo < len(texts):
        hi, size = lo, 0
        while hi < len(texts) and (size < _BATCH_CHARS or hi == lo):
            size += len(texts[hi])
            hi += 1
        for rows, cps, starts, ends in kernel_groups([texts[i] for i in range(lo, hi)], special):
            idx = np.array(rows, np.int64) + lo
            kernels.signatures_kernel(cps, starts, ends, idx, table, ngram, char_mode, a, b, sig, chunk)
        lo = hi
    return sig


def _signatures_reference(
    texts: Sequence[str], ngram: int, mode: str, a: np.ndarray, b: np.ndarray, sig: np.ndarray
) -> None:
    """Numpy MinHash over the pure-Python shingle hashes: the fallback without numba."""
    for i, text in enumerate(texts):
        h = shingle_hashes_reference(text, ngram=ngram, mode=mode).reshape(-1, 1)
        if len(h):
            h = h ^ (h >> np.uint32(16))
            h = h * np.uint32(0x85EBCA6B)
            h = h ^ (h >> np.uint32(13))
            h = h * np.uint32(0xC2B2AE35)
            h = h ^ (h >> np.uint32(16))
            sig[i] = (h * a + b).min(axis=0)
