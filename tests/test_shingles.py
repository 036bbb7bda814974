"""The compiled tokeniser and shingle hashes against their pure-Python definitions."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.near.shingles import (
    char_table,
    code_units,
    combine,
    fast_tokens,
    shingle_hashes,
    shingle_hashes_many,
    shingle_hashes_reference,
    token_hash,
    tokens,
    word_runs,
)
from dedupe.scripts import SPACELESS_SCRIPTS

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


def _random_ascii(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("abcdefghij ABC_09.,;\n\t-'") for _ in range(n))


SAMPLES = {
    "ascii": _random_ascii(2000, 1),
    "english": SEEDS[0].read_text(encoding="utf-8") if SEEDS else "The quick brown fox jumps over it.",
    "accented": "Ça m'a coûté très cher: naïve café, Ærøskøbing, ŒUVRE, Straße, ﬁancé, İstanbul, ǅemal.",
    "cyrillic": "Съешь же ещё этих мягких французских булок, да выпей чаю. ЁЖИК в тумане!",
    "greek": "ΟΔΥΣΣΕΥΣ ΚΑΙ ΣΑΣ. Ξεσκεπάζω την ψυχοφθόρα βδελυγμία· τελικός σίγμα ς.",
    "cjk": "東京は日本の首都です。北京是中国的首都，人口超过两千万。서울은 한국의 수도입니다.",
    "arabic": "الْعَرَبِيَّة لغة سامية، يتحدث بها أكثر من ٤٢٢ مليون نسمة. ١٢٣",
    "thai": "ภาษาไทยเป็นภาษาราชการของประเทศไทย สวัสดีครับ",
    "emoji": "I ❤️ numba 🚀🚀 so much 👩‍👩‍👧 — really!!! 😀x😀y",
    "digits_underscores": "__init__ 3.14159 1_000_000 x² ½ ⅓ Ⅻ ١٢٣ snake_case_name __ _",
    "mixed": "Hello мир 世界 مرحبا κόσμε 123 _x_ 東京タワー Ünïcödé",
    "spaceless_in_words": "Apple发布了新iPhone15，x東y_タ_ ｶﾞｰﾄﾞ ພາສາລາວ ភាសាខ្មែរ မြန်မာစာ 豈更 𠀋𪚲",
    "short": "two words",
    "one": "x",
    "empty": "",
    "whitespace": " \n\t\r\n  ",
    "punctuation": "... !!! ??? — – ‘’ “” ¿¡ 。、",
    "surrogates": "lone \ud800 surrogate \udfff here",
    "combining": "e\u0301te\u0301 cafe\u0301 a\u0308b",
    "special_lowering": "İSTANBUL ΣΟΦΙΑ ΟΔΟΣ Σ σ ς",
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_fast_tokens_equal_reference(name: str) -> None:
    assert fast_tokens(SAMPLES[name]) == tokens(SAMPLES[name])


@pytest.mark.parametrize("mode", ["word", "char"])
@pytest.mark.parametrize("ngram", [1, 2, 3, 5, 9])
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_shingle_hashes_equal_reference(name: str, ngram: int, mode: str) -> None:
    fast = shingle_hashes(SAMPLES[name], ngram=ngram, mode=mode)
    assert fast.dtype == np.uint32
    np.testing.assert_array_equal(fast, shingle_hashes_reference(SAMPLES[name], ngram=ngram, mode=mode))


def test_word_runs_are_stdlib_re() -> None:
    text = SAMPLES["mixed"] + SAMPLES["accented"]
    assert word_runs(text) == re.findall(r"\w+", text.lower())
    # 'İ'.lower() is 'i' + U+0307 (a combining mark, not \w): lowering changes length and splits.
    assert tokens("İx") == ["i", "x"]


@pytest.mark.parametrize(
    "name", ["ascii", "english", "accented", "cyrillic", "greek", "arabic", "emoji", "digits_underscores"]
)
def test_text_without_spaceless_scripts_tokenises_as_before(name: str) -> None:
    assert tokens(SAMPLES[name]) == re.findall(r"\w+", SAMPLES[name].lower())


def test_spaceless_characters_are_tokens_of_their_own() -> None:
    assert tokens("Apple发布了新iPhone") == ["apple", "发", "布", "了", "新", "iphone"]
    assert tokens("東京タワー, Tokyo") == ["東", "京", "タ", "ワ", "ー", "tokyo"]
    assert tokens("서울은 한국의 수도입니다") == ["서울은", "한국의", "수도입니다"]  # Hangul is written with spaces


def test_char_table_matches_lower_and_re() -> None:
    table, special = char_table()
    assert table.shape == (0x110000,) and table.dtype == np.uint32
    assert "\u0130" in special and "\u03a3" in special
    low = table & 0x1FFFFF
    # Lower-case text maps to itself, so texts lower-cased by Python first can use the table too.
    np.testing.assert_array_equal(low[low], low)
    spaceless = regex.compile(f"[{SPACELESS_SCRIPTS}]")
    rng = random.Random(0)
    for cp in [*range(0x3000), *range(0xFF00, 0xFFA0), *rng.sample(range(0x110000), 20000)]:
        ch = chr(cp)
        if ch not in special:
            assert chr(low[cp]) == ch.lower(), hex(cp)
        assert bool(table[cp] >> 31) == bool(re.fullmatch(r"\w", ch.lower()[0])), hex(cp)
        alone = bool(table[cp] >> 31) and bool(spaceless.fullmatch(chr(low[cp])))
        assert bool(table[cp] >> 30 & 1) == alone, hex(cp)


@pytest.mark.parametrize("text", ["plain ascii", "latin é", "cjk 東京", "astral 😀", "lone \ud800\udc00"])
def test_code_units_one_per_code_point(text: str) -> None:
    units = code_units(text)
    assert len(units) == len(text)
    assert units.tolist() == [ord(c) for c in text]


def test_ngram_one_is_token_hashes() -> None:
    text = SAMPLES["mixed"]
    expected = [combine([token_hash(w)]) for w in tokens(text)]
    assert shingle_hashes(text, ngram=1).tolist() == expected


def test_shingle_counts() -> None:
    assert len(shingle_hashes("a b c d e f g", ngram=5)) == 3
    assert len(shingle_hashes("a b c", ngram=5)) == 1  # fewer tokens than n: one shingle of all
    assert len(shingle_hashes(" ... ", ngram=5)) == 0
    assert len(shingle_hashes("", ngram=5)) == 0
    assert len(shingle_hashes("ab, cd!", ngram=3, mode="char")) == 3  # "ab cd": "ab ", "b c", " cd"


def test_short_doc_shingle_is_all_tokens() -> None:
    assert shingle_hashes("a b c", ngram=5).tolist() == [combine([token_hash(w) for w in "abc"])]
    # The same tokens make the same shingle whether the document is short or exactly n long.
    assert shingle_hashes("a b", ngram=5)[0] == shingle_hashes("a b", ngram=2)[0]


def test_char_mode_definition() -> None:
    """Char mode joins the ``\\w+`` runs, not the tokens: its shingles are what they were before
    spaceless scripts became one token per character."""
    text = "東京、タワー!!"
    joined = " ".join(word_runs(text))
    assert joined == "東京 タワー"
    expected = [combine([token_hash(c) for c in joined[i : i + 3]]) for i in range(len(joined) - 2)]
    assert shingle_hashes(text, ngram=3, mode="char").tolist() == expected


def test_order_and_case() -> None:
    assert shingle_hashes("Big Cat", ngram=2)[0] == shingle_hashes("big  cat!", ngram=2)[0]
    assert shingle_hashes("big cat", ngram=2)[0] != shingle_hashes("cat big", ngram=2)[0]


PINNED_WORD = [232915285, 150774665]
PINNED_CHAR = [1227218906, 2194615956, 3739276383, 3188832397]
PINNED_MIXED = [2038133616, 4148704827]


def test_pinned_values() -> None:
    """The hash is part of the on-disk format (signatures may be stored): freeze it."""
    assert shingle_hashes("The quick brown fox jumps over", ngram=5).tolist() == PINNED_WORD
    assert shingle_hashes("東京タワー", ngram=2, mode="char").tolist() == PINNED_CHAR
    assert shingle_hashes("Apple发布了新iPhone", ngram=5).tolist() == PINNED_MIXED
    # Without spaces or other characters between them, one character per token is char mode.
    assert shingle_hashes("東京タワー", ngram=2).tolist() == PINNED_CHAR


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        shingle_hashes("x", mode="bytes")
    with pytest.raises(ValueError):
        shingle_hashes("x", ngram=0)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from(" \n.,_-'İΣσς"),
            st.sampled_from("ab東京タワーはｶﾞｰ发布ภาษาไทยພາສາភាសាមြန်豈𠀋서울"),
            st.characters(),
            st.characters(categories=["Cs", "Mn", "Nd", "No", "Nl", "Lo", "Lt", "So"]),
        ),
        max_size=200,
    ),
    st.integers(1, 6),
    st.sampled_from(["word", "char"]),
)
def test_hypothesis(text: str, ngram: int, mode: str) -> None:
    assert fast_tokens(text) == tokens(text)
    np.testing.assert_array_equal(
        shingle_hashes(text, ngram=ngram, mode=mode), shingle_hashes_reference(text, ngram=ngram, mode=mode)
    )


@pytest.mark.parametrize(("ngram", "mode"), [(5, "word"), (1, "word"), (3, "char")])
def test_a_batch_in_one_call_equals_the_reference_text_by_text(ngram: int, mode: str) -> None:
    """One kernel call for the ASCII texts and one for the rest (BMP and astral widths mixed, texts the
    table cannot lower, empty ones, a long one): each text's hashes are the reference's, in its place."""
    texts = [SAMPLES[name] for name in sorted(SAMPLES)] + [_random_ascii(20000, 2), "", "x"]
    got = shingle_hashes_many(texts, ngram=ngram, mode=mode)
    assert len(got) == len(texts)
    for text, hashes in zip(texts, got, strict=True):
        np.testing.assert_array_equal(hashes, shingle_hashes_reference(text, ngram=ngram, mode=mode))
        assert hashes.dtype == np.uint32
    assert shingle_hashes_many([], ngram=ngram, mode=mode) == []
