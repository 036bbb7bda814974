"""Tests for dedupe.cleaning.repetition: Gopher repetition statistics, expected values computed by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.cleaning.repeats import remove_repeats
from dedupe.cleaning.repetition import GOPHER_LIMITS, STAT_NAMES, over_limits, repetition_stats

SEED_000 = Path(__file__).resolve().parent.parent / "seeds" / "000_d6ccdd7f7920074a.txt"


def test_names_and_limits_are_the_papers():
    assert GOPHER_LIMITS == {
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
    assert set(repetition_stats("anything at all")) == set(STAT_NAMES)


def test_empty_and_tiny_texts_score_zero():
    assert repetition_stats("") == dict.fromkeys(STAT_NAMES, 0.0)
    assert repetition_stats("word") == dict.fromkeys(STAT_NAMES, 0.0)
    assert repetition_stats("\n\n\n") == dict.fromkeys(STAT_NAMES, 0.0)


# Lines: one two | three | one two | (empty) | one two | three | one two | (empty) | four
LINES_TEXT = "one two\nthree\none two\n\none two\nthree\none two\n\nfour"


def test_duplicate_lines():
    s = repetition_stats(LINES_TEXT)
    assert len(LINES_TEXT) == 50  # 21 + 2 + 21 + 2 + 4
    # 7 non-empty lines; duplicates: "one two" (3rd, 5th, 7th line) and "three" (6th): 4 of 7.
    assert s["dup_line_frac"] == pytest.approx(4 / 7)
    # characters in the duplicates: 7 + 7 + 5 + 7 = 26, of 50
    assert s["dup_line_char_frac"] == pytest.approx(26 / 50)


def test_duplicate_paragraphs():
    s = repetition_stats(LINES_TEXT)
    # paragraphs: "one two\nthree\none two" twice, then "four": 1 duplicate of 3, 21 of 50 characters
    assert s["dup_para_frac"] == pytest.approx(1 / 3)
    assert s["dup_para_char_frac"] == pytest.approx(21 / 50)


def test_paragraphs_compare_without_their_final_line_feed():
    text = "same para\n\nother\n\nsame para\n"
    s = repetition_stats(text)
    assert s["dup_para_frac"] == pytest.approx(1 / 3)
    assert s["dup_para_char_frac"] == pytest.approx(9 / len(text))


def test_blank_runs_and_whitespace_lines_are_ignored():
    s = repetition_stats("a\n \n\n\n\nb\n   \nc")
    assert s["dup_line_frac"] == 0.0 and s["dup_para_frac"] == 0.0


def test_top_ngrams():
    # words: the cat the cat the cat sat -- 7 words of 3 characters, 21 word characters
    s = repetition_stats("the cat the cat the cat sat")
    # 2-grams: "the cat" x3 at words 0, 2, 4 -> covers words 0-5: 18 characters
    assert s["top_2gram_char_frac"] == pytest.approx(18 / 21)
    # 3-grams: "the cat the" x2 and "cat the cat" x2, equally long: the first seen wins;
    # at words 0 and 2 it covers words 0-4: 15 characters
    assert s["top_3gram_char_frac"] == pytest.approx(15 / 21)
    # 4-grams: "the cat the cat" x2 at words 0 and 2 -> words 0-5: 18 characters
    assert s["top_4gram_char_frac"] == pytest.approx(18 / 21)


def test_top_ngram_ties_go_to_the_longest():
    # words x yy x yy zzz www zzz www: 18 word characters; "x yy" and "zzz www" both occur twice,
    # "zzz www" has more characters: words 4-7, 12 characters
    s = repetition_stats("x yy x yy zzz www zzz www")
    assert s["top_2gram_char_frac"] == pytest.approx(12 / 18)


def test_top_ngram_that_occurs_once_scores_zero():
    s = repetition_stats("every word here is different from the others")
    assert s["top_2gram_char_frac"] == s["top_3gram_char_frac"] == s["top_4gram_char_frac"] == 0.0


def test_punctuation_is_not_a_word_and_case_is_kept():
    # words Hello world Hello world: 20 word characters, "Hello world" twice covers them all
    assert repetition_stats("Hello, world! Hello, world!")["top_2gram_char_frac"] == pytest.approx(1.0)
    # different case: no 2-gram occurs twice
    assert repetition_stats("Hello, world! hello, world!")["top_2gram_char_frac"] == 0.0


def test_duplicate_ngrams():
    # 13 one-letter words: a b c d e f a b c d e f g
    s = repetition_stats("a b c d e f a b c d e f g")
    # 5-grams "a b c d e" (words 0 and 6) and "b c d e f" (1 and 7) repeat: words 0-5 and 6-11
    assert s["dup_5gram_char_frac"] == pytest.approx(12 / 13)
    # 6-gram "a b c d e f" at 0 and 6: the same 12 words
    assert s["dup_6gram_char_frac"] == pytest.approx(12 / 13)
    # no 7-gram (or longer) repeats
    for n in range(7, 11):
        assert s[f"dup_{n}gram_char_frac"] == 0.0


def test_overlapping_duplicate_ngrams_count_each_character_once():
    # six words "ab": the 5-gram occurs at 0 and 1, covering all 6 words once (12 of 12 characters)
    s = repetition_stats("ab ab ab ab ab ab")
    assert s["dup_5gram_char_frac"] == pytest.approx(1.0)
    assert s["dup_6gram_char_frac"] == 0.0  # one 6-gram, once


def test_long_duplicate_ngrams_with_unequal_word_lengths():
    first = "one two three four five six seven eight nine ten"
    text = f"{first} middle {first}"
    s = repetition_stats(text)
    # the 10-gram repeats: both copies are covered, "middle" is not
    total = 2 * len(first.replace(" ", "")) + len("middle")
    assert s["dup_10gram_char_frac"] == pytest.approx(2 * len(first.replace(" ", "")) / total)
    assert s["dup_5gram_char_frac"] == s["dup_10gram_char_frac"]


def test_over_limits_reasons():
    stats = dict.fromkeys(STAT_NAMES, 0.0)
    stats["dup_para_frac"] = 0.45
    stats["dup_10gram_char_frac"] = 0.1004
    stats["dup_line_frac"] = 0.30  # at the limit: not over it
    assert over_limits(stats) == ["dup_para_frac 0.45 > 0.30", "dup_10gram_char_frac 0.100 > 0.10"]
    assert over_limits(stats, {"dup_para_frac": 0.5}) == []
    assert over_limits(repetition_stats("A perfectly ordinary sentence with nothing repeated.")) == []


def test_seed_000_fails_the_line_filter_until_repaired():
    text = SEED_000.read_text(encoding="utf-8")
    before = repetition_stats(text)
    # 13 non-empty lines, 5 of them repeats (headline and four paragraphs)
    assert before["dup_line_frac"] == pytest.approx(5 / 13)
    assert any(r.startswith("dup_line_frac 0.38 > 0.30") for r in over_limits(before))
    after = repetition_stats(remove_repeats(text))
    assert after["dup_line_frac"] == 0.0 and after["dup_10gram_char_frac"] == 0.0
    assert over_limits(after) == []


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_property_fractions_are_fractions(text):
    for name, value in repetition_stats(text).items():
        assert 0.0 <= value <= 1.0, name


@given(st.lists(st.sampled_from(["aa", "b", "cc", "dd d", "e"]), max_size=60).map(" ".join))
@settings(max_examples=300, deadline=None)
def test_property_ngram_statistics_match_a_plain_python_count(text):
    words = text.split()
    total = sum(map(len, words))
    s = repetition_stats(text)
    for n in range(5, 11):
        grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
        covered = set()
        for i, g in enumerate(grams):
            if grams.count(g) > 1:
                covered.update(range(i, i + n))
        expected = sum(len(words[i]) for i in covered) / total if total else 0.0
        assert s[f"dup_{n}gram_char_frac"] == pytest.approx(expected)


@given(st.text(alphabet=st.sampled_from("ab_1 ,.'\n\u00e9\u4e2d-"), max_size=200))
@settings(max_examples=300, deadline=None)
def test_property_ascii_and_unicode_word_paths_agree(text):
    # an ASCII text scored through the bytes path equals the same words scored through the regex path
    # (appending a non-ASCII non-word character switches paths without changing the words)
    plain = text.replace("\u00e9", "e").replace("\u4e2d", "z")
    a = repetition_stats(plain)
    b = repetition_stats(plain + "\u00a7")
    for name in STAT_NAMES:
        if "gram" in name:
            assert a[name] == pytest.approx(b[name]), name
