"""Signatures must equal datasketch's affine32 MinHash of our shingle hashes, bit for bit."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.near import EMPTY, kernels, minhash, permutations, shingle_hashes, signatures
from dedupe.near.shingles import char_table, code_units

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


def _random_ascii(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("abcdefghij ABC_09.,;\n\t-'") for _ in range(n))


TEXTS = [
    _random_ascii(3000, 2),
    *(p.read_text(encoding="utf-8") for p in SEEDS),
    "Ça m'a coûté très cher: naïve café, Ærøskøbing, ŒUVRE, Straße, ﬁancé, İstanbul, ǅemal.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю. ЁЖИК в тумане!",
    "ΟΔΥΣΣΕΥΣ ΚΑΙ ΣΑΣ. Ξεσκεπάζω την ψυχοφθόρα βδελυγμία· τελικός σίγμα ς.",
    "東京は日本の首都です。北京是中国的首都，人口超过两千万。서울은 한국의 수도입니다.",
    "الْعَرَبِيَّة لغة سامية، يتحدث بها أكثر من ٤٢٢ مليون نسمة. ١٢٣",
    "I ❤️ numba 🚀🚀 so much 👩‍👩‍👧 — really!!! 😀x😀y",
    "__init__ 3.14159 1_000_000 x² ½ ⅓ Ⅻ ١٢٣ snake_case_name __ _",
    "Hello мир 世界 مرحبا κόσμε 123 _x_ 東京タワー Ünïcödé İİİ",
    "Apple发布了新iPhone15，售价999美元。ｶﾞｰﾄﾞ x東y ภาษาไทยเป็นภาษาราชการ ພາສາລາວ ភាសាខ្មែរ မြန်မာစာ 𠀋𪚲 " * 3,
    "two words",
    "x",
    "",
    " \n\t ",
    "... !!! ??? — 。、",
    "lone \ud800 surrogate",
]


def _oracle(text: str, num_perm: int, seed: int, ngram: int, mode: str) -> np.ndarray:
    """datasketch, fed our shingle hashes through an identity hash function."""
    m = MinHash(num_perm=num_perm, seed=seed, scheme="affine32", hashfunc=lambda h: h)
    m.update_batch(shingle_hashes(text, ngram=ngram, mode=mode))
    return m.hashvalues


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (256, 1), (64, 42), (1, 7), (200, 0)])
def test_permutations_are_datasketch(num_perm: int, seed: int) -> None:
    a, b = permutations(num_perm, seed)
    ref = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    np.testing.assert_array_equal(a, ref[0])
    np.testing.assert_array_equal(b, ref[1])


@pytest.mark.parametrize("mode", ["word", "char"])
@pytest.mark.parametrize("num_perm,seed,ngram", [(128, 1, 5), (256, 3, 5), (64, 1, 3), (16, 9, 1)])
def test_signatures_equal_datasketch(num_perm: int, seed: int, ngram: int, mode: str) -> None:
    sig = signatures(TEXTS, num_perm=num_perm, seed=seed, ngram=ngram, mode=mode)
    assert sig.dtype == np.uint32 and sig.shape == (len(TEXTS), num_perm)
    for text, row in zip(TEXTS, sig, strict=True):
        np.testing.assert_array_equal(row, _oracle(text, num_perm, seed, ngram, mode), err_msg=text[:40])


def test_empty_documents_are_empty_minhash() -> None:
    sig = signatures(["", " ,. ", "\n"], num_perm=32)
    assert (sig == EMPTY).all()
    np.testing.assert_array_equal(sig[0], MinHash(num_perm=32, scheme="affine32").hashvalues)
    assert signatures([], num_perm=32).shape == (0, 32)


def test_batches_are_independent(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = signatures(TEXTS, num_perm=64)
    monkeypatch.setattr(minhash, "_BATCH_CHARS", 50)  # forces many kernel calls
    np.testing.assert_array_equal(signatures(TEXTS, num_perm=64), whole)
    single = np.vstack([signatures([t], num_perm=64) for t in TEXTS])
    np.testing.assert_array_equal(single, whole)


@pytest.mark.parametrize("mode", ["word", "char"])
@pytest.mark.parametrize("ngram", [1, 2, 5, 7])
def test_documents_longer_than_a_chunk(monkeypatch: pytest.MonkeyPatch, ngram: int, mode: str) -> None:
    """Long documents are shingled in chunks with the last n-1 tokens carried over; make every test
    text span many chunks and compare with datasketch."""
    monkeypatch.setattr(minhash, "_CHUNK", 1)  # becomes the minimum, 2 * ngram + 8 tokens
    texts = [*TEXTS, " ".join(TEXTS) * 3]
    sig = signatures(texts, num_perm=32, ngram=ngram, mode=mode)
    for text, row in zip(texts, sig, strict=True):
        np.testing.assert_array_equal(row, _oracle(text, 32, 1, ngram, mode), err_msg=text[:40])


def test_lowering_that_changes_length() -> None:
    # 'İ'.lower() has two code points; offsets of later documents must still line up.
    texts = ["İİİİ " * 50, "after the dotted capitals come plain words here"]
    sig = signatures(texts, num_perm=32)
    np.testing.assert_array_equal(sig[1], signatures(texts[1:], num_perm=32)[0])
    np.testing.assert_array_equal(sig[0], _oracle(texts[0], 32, 1, 5, "word"))


@pytest.mark.parametrize(
    "texts",
    [
        ["Plain ASCII, Upper Case", "only ascii here at all"],  # one byte per character
        ["naïve café Straße", "Ελληνικά κείμενα", "ascii too"],  # two bytes
        ["emoji 😀 astral 𠀋", "naïve"],  # four bytes
        ["İSTANBUL ΣΟΦΙΑ ΟΔΟΣ", "ΣΑΣ Σ", "İi"],  # lowered by str.lower first
    ],
)
def test_every_input_width(texts: list[str]) -> None:
    sig = signatures(texts, num_perm=32, ngram=2)
    for text, row in zip(texts, sig, strict=True):
        np.testing.assert_array_equal(row, _oracle(text, 32, 1, 2, "word"), err_msg=text)


def test_kernel_allocates_per_batch_not_per_document() -> None:
    """The kernel's scratch memory is allocated once per call: the count must not grow with docs."""
    nrt = pytest.importorskip("numba.core.runtime._nrt_python")
    table, _ = char_table()
    a, b = permutations(64)

    def allocations(texts: list[str]) -> int:
        cps = code_units("".join(texts))
        lens = np.array([len(t) for t in texts], np.int64)
        ends = np.cumsum(lens)
        sig = np.full((len(texts), 64), EMPTY, np.uint32)
        rows = np.arange(len(texts), dtype=np.int64)
        was_enabled = nrt.memsys_stats_enabled()
        nrt.memsys_enable_stats()
        before = nrt.memsys_get_stats_alloc()
        kernels.signatures_kernel(cps, ends - lens, ends, rows, table, 5, False, a, b, sig, 1024)
        count = nrt.memsys_get_stats_alloc() - before
        if not was_enabled:
            nrt.memsys_disable_stats()
        return count

    doc = _random_ascii(3000, 5)
    allocations([doc])  # compile outside the count
    assert allocations([doc] * 3) == allocations([doc] * 300) <= 16  # 4 scratch arrays + argument views


def test_without_numba_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without numba the pure-Python/numpy path must give the same hashes and signatures."""
    fast = signatures(TEXTS, num_perm=64, seed=5, ngram=3)
    fast_hashes = [shingle_hashes(t, mode="char") for t in TEXTS]
    monkeypatch.setattr(kernels, "HAVE_NUMBA", False)
    np.testing.assert_array_equal(signatures(TEXTS, num_perm=64, seed=5, ngram=3), fast)
    for text, h in zip(TEXTS, fast_hashes, strict=True):
        np.testing.assert_array_equal(shingle_hashes(text, mode="char"), h)


def test_lean_minhash_round_trip_and_jaccard() -> None:
    base = SEEDS[0].read_text(encoding="utf-8") if SEEDS else _random_ascii(3000, 3)
    edited = base.replace("the", "a", 3)
    sig = signatures([base, edited, _random_ascii(3000, 4)], num_perm=256)
    m = [LeanMinHash(seed=1, hashvalues=row, scheme="affine32") for row in sig]
    assert m[0].jaccard(m[1]) > 0.7
    assert m[0].jaccard(m[2]) < 0.1


def test_docstring_recipe_runs() -> None:
    """The module docstring's datasketch recipe is what users copy: it must run as written."""
    doc = minhash.__doc__ or ""
    lines = doc.split(".. code-block:: python", 1)[1].splitlines()[1:]
    end = next(i for i, line in enumerate(lines) if line and not line.startswith("    "))
    block = textwrap.dedent("\n".join(lines[:end]))
    assert "assert np.array_equal" in block
    exec(compile(block, "<minhash docstring>", "exec"), {})


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        signatures(["x"], num_perm=0)
    with pytest.raises(ValueError):
        signatures(["x"], mode="bytes")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.one_of(st.sampled_from(" .İΣς_ab東京タワー发布ไทย𠀋"), st.characters()), max_size=120),
        max_size=6,
    ),
    st.integers(1, 6),
    st.sampled_from(["word", "char"]),
    st.integers(0, 2**32 - 1),
)
def test_hypothesis(texts: list[str], ngram: int, mode: str, seed: int) -> None:
    sig = signatures(texts, num_perm=16, seed=seed, ngram=ngram, mode=mode)
    for text, row in zip(texts, sig, strict=True):
        np.testing.assert_array_equal(row, _oracle(text, 16, seed, ngram, mode))
