"""Tests for dedupe.cleaning.repeats: repair repeated blocks inside one document."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe.cleaning.repeats import (
    DEFAULT_MIN_CHARS,
    DEFAULT_MIN_WORDS,
    RemovedBlock,
    Repaired,
    block_key,
    format_removed,
    remove_repeats,
    repair,
)
from dedupe.cleaning.repeats.keys import keyed, line_keys
from dedupe.cleaning.repeats.passes import Options, block_pass, paragraphs, sentence_pass, sentence_text
from dedupe.cleaning.repeats.precheck import fast_checks, may_have_block_repeats, may_have_sentence_repeats

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_000 = SEEDS / "000_d6ccdd7f7920074a.txt"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def check_spans(text: str, result: Repaired) -> None:
    """The output is the input with exactly the reported spans cut out (walk them in order)."""
    pieces, prev = [], 0
    for block in result.removed:
        assert prev <= block.start < block.end <= len(text), block
        pieces.append(text[prev : block.start])
        prev = block.end
        assert block.kind in ("line", "paragraph", "sentences")
        assert 0 <= block.repeat_of[0] < block.repeat_of[1] <= block.start, "the kept copy comes first"
        assert 0.0 < block.similarity <= 1.0
    pieces.append(text[prev:])
    assert "".join(pieces) == result.text


# Independent of the module: the key as the docstring defines it, computed line by line.
_QUOTES = {ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a"}
_QUOTES.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb"})
_QUOTES.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b"})


def reference_key(line: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", line).casefold().translate(_QUOTES).split())


# ------------------------------------------------------------------------------------ canonical seed


def test_seed_000_repeats_removed_and_nothing_else():
    text = read(SEED_000)
    lines = text.split("\n")
    headline = lines[1]
    assert lines[3] == headline and lines[2] == ""  # the file is what the brief describes
    paragraphs = lines[5:10]
    assert lines[10:14] == paragraphs[1:5] and len(lines) == 14

    result = repair(text)
    out = result.text
    # Headline once, each paragraph once, and summary, sub-head and the first paragraph kept.
    assert out.count(headline) == 1
    for para in paragraphs:
        assert out.count(para) == 1
    assert lines[0] in out and lines[4] in out
    # Exactly the repeats are gone: everything up to the last first copy is byte-identical.
    assert out == "\n".join(lines[:3] + lines[4:10])
    first_cut = result.removed[0].start
    assert out[:first_cut] == text[:first_cut]
    check_spans(text, result)
    assert [b.kind for b in result.removed] == ["line"] * 5
    assert all(b.similarity == 1.0 for b in result.removed)
    # Each removed block repeats the line it points at.
    for block in result.removed:
        assert block_key(text[block.start : block.end]) == block_key(text[slice(*block.repeat_of)])


def test_seed_000_explain_lines():
    text = read(SEED_000)
    result = repair(text)
    first = format_removed(text, result.removed[0])
    assert first.startswith("removed line at line 4 (86 chars): repeats line 2, similarity 1.00: ")
    assert '"Ex-Engineer Sentenced to Death for Selling Secrets to ..."' in first
    assert format_removed(text, result.removed[1]).startswith(
        "removed line at line 11 (455 chars): repeats line 7, similarity 1.00: "
    )


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt") if not p.name.startswith("000")))
def test_other_seeds_have_no_repeats_and_come_out_identical(name):
    text = read(SEEDS / name)
    keys = [reference_key(line) for line in text.split("\n")]
    long_keys = [k for k in keys if len(k) >= DEFAULT_MIN_CHARS]
    assert len(set(long_keys)) == len(long_keys), "this seed has a real repeat: test it explicitly"
    result = repair(text)
    assert result.text == text
    assert result.removed == []


# ------------------------------------------------------------------------------------------ keys


def test_key_ignores_case_quotes_dashes_and_spacing():
    a = "\u201cIt\u2019s   over\u201d \u2014 the   Minister said,\tat the CAPITAL."
    b = '"it\'s over" - the minister said, at the capital.'
    assert block_key(a) == block_key(b)
    assert block_key("\uff21\uff22\uff23 fullwidth") == block_key("abc FULLWIDTH")  # NFKC
    assert block_key("Stra\u00dfe") == block_key("STRASSE")  # casefold, not lower


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
@settings(max_examples=300)
def test_keys_match_the_line_by_line_definition(text):
    assert line_keys(text) == [reference_key(line) for line in text.split("\n")]


@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "B",
                "\u2019",
                "\u201c",
                "\u2014",
                "\u00a0",
                " ",
                "\u2026",
                "\u00e9",
                "e\u0301",
                "\u00b4",
                "\u2033",
                "\ufb01",
                "\u212a",
                "\n",
                "\t",
                "\u3002",
            ]
        ),
        max_size=40,
    ).map("".join)
)
@settings(max_examples=300)
def test_keys_match_definition_on_tricky_characters(text):
    assert line_keys(text) == [reference_key(line) for line in text.split("\n")]


def test_whitespace_quote_and_case_variants_are_repeats():
    first = "The \u201cquick\u201d brown fox jumps over the lazy dog near the river bank."
    later = 'the  "Quick" brown FOX jumps over the lazy dog   near the river bank.'
    text = f"{first}\nSomething else entirely, also long enough to count here.\n{later}\nEnd."
    result = repair(text)
    assert result.text == f"{first}\nSomething else entirely, also long enough to count here.\nEnd."
    assert result.removed[0].similarity == 1.0


# ------------------------------------------------------------------------------------ short blocks


def test_short_repeated_lines_stay():
    text = textwrap.dedent(
        """\
        | Team      | P | W | D | L |
        |-----------|---|---|---|---|
        | Arsenal   | 3 | 2 | 1 | 0 |
        | Chelsea   | 3 | 2 | 1 | 0 |
        | Arsenal   | 3 | 2 | 1 | 0 |

        - Read more
        - Share this article
        - Read more
        - Share this article

        Advertisement
        And I will always love you
        Oh I will always love you
        And I will always love you

        Advertisement
        1,234,567 | 2,345,678 | 3,456,789 | 4,567,890 | 5,678,901
        1,234,567 | 2,345,678 | 3,456,789 | 4,567,890 | 5,678,901"""
    )
    assert remove_repeats(text) == text


def test_thresholds_are_parameters():
    line = "Five words are here now."  # 24 characters, 5 words
    text = f"{line}\nsomething between\n{line}"
    assert remove_repeats(text) == text
    assert remove_repeats(text, min_chars=20, min_words=5) == f"{line}\nsomething between"
    assert remove_repeats(text, min_chars=20, min_words=6) == text
    assert remove_repeats(text, min_chars=30, min_words=1) == text
    assert DEFAULT_MIN_CHARS == 40 and DEFAULT_MIN_WORDS == 6


def test_long_enough_counts_letters_not_numbers():
    row = "| 2019 | 12,345 | 67,890 | 1.5% | 2.5% | 3.5% | 4.5% | 5.5% | 6.5% |"
    text = f"{row}\n{row}"
    assert remove_repeats(text) == text


# ------------------------------------------------------------------------------------------ layout

P1 = "The first paragraph is long enough to be removed when it is repeated later on."
P2 = "A second paragraph says something different, and it is also long enough."
P3 = "The third paragraph closes the document with yet another long sentence."


def test_repeated_paragraph_takes_one_blank_line_with_it():
    assert remove_repeats(f"{P1}\n\n{P2}\n\n{P1}\n\n{P3}") == f"{P1}\n\n{P2}\n\n{P3}"
    assert remove_repeats(f"{P1}\n\n{P2}\n\n{P1}\n\n{P3}\n") == f"{P1}\n\n{P2}\n\n{P3}\n"


def test_repeated_last_paragraph_leaves_no_trailing_blank_line():
    assert remove_repeats(f"{P1}\n\n{P2}\n\n{P1}") == f"{P1}\n\n{P2}"
    assert remove_repeats(f"{P1}\n\n{P2}\n\n{P1}\n") == f"{P1}\n\n{P2}\n"


def test_repeated_lines_inside_a_paragraph():
    assert remove_repeats(f"{P1}\n{P2}\n{P1}\n{P3}") == f"{P1}\n{P2}\n{P3}"
    assert remove_repeats(f"{P1}\n{P2}\n{P3}\n{P1}") == f"{P1}\n{P2}\n{P3}"
    assert remove_repeats(f"{P1}\n{P2}\n{P3}\n{P2}\n{P1}\n") == f"{P1}\n{P2}\n{P3}\n"


def test_paragraph_made_only_of_repeated_lines_goes_with_its_blank_line():
    text = f"{P1}\n{P2}\n\n{P3}\n\n{P2}\n{P1}\n\nShort end."
    assert remove_repeats(text) == f"{P1}\n{P2}\n\n{P3}\n\nShort end."


def test_multiline_paragraph_repeated_with_other_wrapping():
    wrapped = textwrap.fill(f"{P1} {P2}", 50)
    text = f"{P1}\n{P2}\n\n{P3}\n\n{wrapped}"
    result = repair(text)
    assert result.text == f"{P1}\n{P2}\n\n{P3}"
    assert [b.kind for b in result.removed] == ["paragraph"]


def test_repeat_of_a_whole_multiline_paragraph_reported_once():
    text = f"{P1}\n{P2}\n\n{P3}\n\n{P1}\n{P2}"
    result = repair(text)
    assert result.text == f"{P1}\n{P2}\n\n{P3}"
    (block,) = result.removed
    assert block.kind == "paragraph"
    assert block.repeat_of == (0, len(P1) + 1 + len(P2))
    assert text[block.start : block.end] == f"\n\n{P1}\n{P2}"


def test_crlf_input_is_repaired_too():
    text = f"{P1}\r\n{P2}\r\n{P1}\r\n{P3}"
    assert remove_repeats(text) == f"{P1}\r\n{P2}\r\n{P3}"


def test_unnormalised_blank_runs_are_not_created():
    text = f"{P1}\n\n\n{P2}\n \n\n{P1}\n\n\n{P3}"
    out = remove_repeats(text)
    assert out == f"{P1}\n\n\n{P2}\n \n\n{P3}"


def test_empty_and_trivial_inputs():
    assert repair("") == Repaired("", [])
    assert remove_repeats("\n\n\n") == "\n\n\n"
    assert remove_repeats(P1) == P1


def test_third_copy_points_at_the_first():
    text = f"{P1}\n{P2}\n{P1}\n{P1}"
    result = repair(text)
    assert result.text == f"{P1}\n{P2}"
    assert [b.repeat_of for b in result.removed] == [(0, len(P1))] * 2


def test_removed_block_is_frozen():
    block = RemovedBlock(1, 2, "line", (0, 1), 1.0)
    with pytest.raises(AttributeError):
        block.start = 3  # type: ignore[misc]


# ------------------------------------------------------------------------------------ near repeats

NEAR = (
    "Shares of the company rose sharply on Tuesday after it reported quarterly earnings that beat "
    "analyst expectations by a wide margin, lifting the whole sector."
)


@pytest.mark.parametrize(
    "later",
    [
        NEAR.replace("sharply", "strongly"),  # one word changed
        NEAR + " Reuter",  # trailing agency name
        NEAR + " Advertisement",
        "Advertisement " + NEAR,
        NEAR.replace("Tuesday", "Wednesday").replace("wide", "broad"),  # two words in 24
    ],
)
def test_near_repeat_is_removed_when_asked_for(later):
    text = f"{NEAR}\n\n{P2}\n\n{later}\n\n{P3}"
    result = repair(text, near_threshold=0.9)
    assert result.text == f"{NEAR}\n\n{P2}\n\n{P3}"
    (block,) = result.removed
    assert 0.9 <= block.similarity < 1.0
    assert block.repeat_of == (0, len(NEAR))


def test_near_repeat_of_a_headline_line_when_asked_for():
    head = "Ex-Engineer Sentenced to Death for Selling Secrets to Foreign Agencies, China Reports"
    text = f"{head}\n{NEAR}\n{head} - Reuters\n{BODY[0]}"
    assert remove_repeats(text, near_threshold=0.9) == f"{head}\n{NEAR}\n{BODY[0]}"
    assert remove_repeats(text) == text  # by default a line with a word more is content


@pytest.mark.parametrize(
    "later",
    [
        NEAR.replace("sharply", "strongly"),
        NEAR.replace("Tuesday", "Wednesday"),
        NEAR.replace("quarterly", "annual"),
    ],
)
def test_a_block_that_differs_in_one_word_is_kept_by_default(later):
    text = f"{NEAR}\n\n{P2}\n\n{later}\n\n{P3}"
    assert repair(text).text == text


def test_two_facts_that_differ_in_a_name_are_both_kept():
    """Issue 14's case: the second line says something else (another director), not the same thing again."""
    lines = [
        f"critic - Film: The Aviator; director - {name}; actor - Jamie Foxx; year - 2004; studio - Warner Bros"
        for name in ("Clint Eastwood", "Martin Scorsese")
    ]
    text = "\n".join(lines) + "\n"
    assert repair(text).text == text
    assert repair(text + lines[0] + "\n").text == text  # the first line again, word for word, goes


def test_alike_fragments_of_hard_wrapped_text_are_not_near_repeats():
    toc = textwrap.dedent(
        """\
        CHAPTER XI
        OF THE STRANGE ADVENTURE WHICH THE VALIANT DON QUIXOTE HAD WITH
        THE CAR OR CART OF "THE CORTES OF DEATH"

        CHAPTER XII
        OF THE STRANGE ADVENTURE WHICH BEFELL THE VALIANT DON QUIXOTE WITH
        THE BOLD KNIGHT OF THE MIRRORS"""
    )
    assert remove_repeats(toc) == toc


def test_different_template_sentences_are_not_near_repeats():
    a = "The weather in London on Monday will be sunny with highs of 20 degrees and lows of 12 degrees."
    b = "The weather in London on Tuesday will be cloudy with highs of 18 degrees and lows of 11 degrees."
    text = f"{a}\n{b}"
    assert remove_repeats(text) == text


def test_near_threshold_parameter():
    later = NEAR.replace("Tuesday", "Wednesday").replace("wide", "broad").replace("whole", "entire")
    text = f"{NEAR}\n\n{later}"
    assert remove_repeats(text) == text  # 3 of 24 words: ratio 0.875
    assert remove_repeats(text, near_threshold=0.85) == NEAR
    text = f"{NEAR}\n\n{NEAR} Reuter"
    assert remove_repeats(text, near_threshold=1.01, min_run_chars=10**6) == text  # both searches off
    # near search off: the repeated sentence is still a long repeated run, and it goes on its own
    assert remove_repeats(text, near_threshold=1.01) == f"{NEAR}\n\nReuter"


# ------------------------------------------------------------------------------------ sentence runs

BODY = [
    "China has sentenced a former engineer to death for selling classified information to foreign "
    "intelligence agencies. The man, identified only by his surname Liu, had resigned from a research "
    "institute after a dispute with his superiors.",
    "Before leaving, he secretly copied a large number of classified documents. He later sold them to a "
    "foreign agency at a low price, then looked for other buyers!",
    "Over six months he travelled through several countries. The ministry said his actions severely "
    "compromised national secrets. Is this the end of the story? Analysts doubt it.",
]


def test_body_pasted_twice_with_hard_wrapping():
    first = "\n".join(BODY)
    second = "\n\n".join(textwrap.fill(p, 70) for p in BODY)
    text = f"Headline of the story\n\n{first}\n\n{second}\n\nRelated: more stories"
    result = repair(text)
    assert result.text == f"Headline of the story\n\n{first}\n\nRelated: more stories"
    # Each wrapped paragraph has the key of one line of the first copy: plain paragraph repeats.
    assert {b.kind for b in result.removed} == {"paragraph"}
    check_spans(text, result)


def test_body_pasted_twice_with_different_paragraph_breaks():
    first = "\n".join(BODY)
    joined = " ".join(BODY)
    cut = joined.index("He later sold")  # the second copy breaks its paragraphs elsewhere
    second = textwrap.fill(joined[:cut], 70) + "\n\n" + textwrap.fill(joined[cut:], 70)
    text = f"Headline of the story\n\n{first}\n\n{second}\n\nRelated: more stories"
    result = repair(text)
    assert result.text == f"Headline of the story\n\n{first}\n\nRelated: more stories"
    assert {b.kind for b in result.removed} == {"sentences"}
    check_spans(text, result)


def test_body_pasted_twice_with_paragraphs_joined():
    first = "\n\n".join(BODY)
    second = textwrap.fill(" ".join(BODY), 60)
    text = f"{first}\n\n{second}"
    assert remove_repeats(text) == first


def test_run_inside_wrapped_lines_is_cut_at_sentence_boundaries():
    tail = "This closing sentence is new and must stay."
    lead = "A new opening sentence stays as well."
    second = textwrap.fill(f"{lead} {BODY[0]} {BODY[1]} {tail}", 64)
    first = "\n".join(BODY)
    text = f"{first}\n\n{second}"
    result = repair(text)
    out = result.text
    assert out.startswith(f"{first}\n\n")
    # exactly the new sentences are left of the second copy, one space between them
    assert block_key(out[len(first) + 2 :]) == block_key(f"{lead} {tail}")
    assert "  " not in out and " \n" not in out
    (block,) = result.removed
    assert block.kind == "sentences"
    assert block_key(text[block.start : block.end]) == block_key(f"{BODY[0]} {BODY[1]}")
    assert text[slice(*block.repeat_of)] == f"{BODY[0]}\n{BODY[1]}"
    check_spans(text, result)


def test_run_reaching_the_end_of_a_paragraph_takes_the_space_before_it():
    # (long enough that the paragraph is not a near repeat of BODY[0] as a whole)
    lead = "A new opening sentence, long enough to matter on its own, stays where it is in this paragraph."
    wrapped = textwrap.fill(f"{lead} {BODY[0]}", 64)
    text = f"{BODY[0]}\n\n{wrapped}\n\nThe end."
    kept = wrapped[: wrapped.index("paragraph.") + len("paragraph.")]  # the lead, as it was wrapped
    assert remove_repeats(text) == f"{BODY[0]}\n\n{kept}\n\nThe end."


def test_short_repeated_sentences_do_not_make_a_run():
    text = "Yes. No. Maybe.\nHe said many things that day.\nYes. No.\nMaybe."
    assert remove_repeats(text) == text


# ------------------------------------------------------------------------------------ properties

_POOL = [P1, P2, P3, NEAR, *BODY, "Advertisement", "| a | b |", "- item", "Short line.", "Yes. No."]


def _variant(draw_case: int, s: str) -> str:
    return [s, s.upper(), s.replace("'", "\u2019"), s.replace(" ", "  "), s.lower()][draw_case % 5]


@st.composite
def documents(draw) -> str:
    parts = draw(
        st.lists(
            st.tuples(
                st.sampled_from(_POOL), st.integers(0, 4), st.sampled_from(["\n", "\n\n", " ", "\n\n\n", "\r\n", ""])
            ),
            max_size=12,
        )
    )
    text = "".join(_variant(case, s) + sep for s, case, sep in parts)
    if draw(st.booleans()):
        text = textwrap.fill(text, draw(st.integers(20, 90))) if text.strip() else text
    return text


_PROPS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(documents())
@_PROPS
def test_property_only_deletes_and_is_idempotent(text):
    result = repair(text)
    check_spans(text, result)
    assert remove_repeats(result.text) == result.text
    assert (result.text == text) == (result.removed == [])


@given(st.text(max_size=400))
@_PROPS
def test_property_arbitrary_text_never_raises(text):
    result = repair(text)
    check_spans(text, result)
    assert remove_repeats(result.text) == result.text


@given(st.lists(st.text(alphabet="abcdefgh .\n", min_size=1, max_size=60), max_size=30).map("\n".join))
@_PROPS
def test_property_small_alphabet_with_low_thresholds(text):
    options = {"min_chars": 3, "min_words": 1, "near_threshold": 0.5, "min_run_chars": 4}
    result = repair(text, **options)
    check_spans(text, result)
    assert repair(result.text, **options).removed == []


@given(st.lists(st.integers(0, 10**9), unique=True, max_size=40))
@_PROPS
def test_property_text_without_repeats_is_unchanged(numbers):
    lines = [f"Line number {n} says something unique about item {n * 7 + 3} today." for n in numbers]
    text = "\n".join(lines)
    assert repair(text) == Repaired(text, [])


@given(documents() | st.lists(st.text(alphabet="abc \n", max_size=30), max_size=20).map("\n".join), st.integers(1, 50))
@_PROPS
def test_property_fast_checks_never_hide_a_repeat(text, min_chars):
    joined, keys = keyed(text)
    assert keys == line_keys(text) and joined == "\n".join(keys)
    paras = paragraphs(keys)
    opts = Options(min_chars, 1, 0.5, min_chars)
    if block_pass(keys, paras, opts):
        assert may_have_block_repeats(joined, keys, min_chars)
    if sentence_pass(joined, keys, paras, opts):
        assert may_have_sentence_repeats(sentence_text(joined))


@given(
    documents()
    | st.text(alphabet=st.sampled_from('ab .!?\n\n\t\u00a0\u2019A\u00e9")'), max_size=120)
    | st.text(max_size=200),
    st.integers(1, 50),
)
@_PROPS
def test_property_compiled_checks_equal_the_python_checks(text, min_chars):
    joined, keys = keyed(text)
    sentences = sentence_text(joined)
    python = (may_have_block_repeats(joined, keys, min_chars), may_have_sentence_repeats(sentences))
    assert fast_checks(text, min_chars) == python


_SENTENCES = [
    "The council approved the new budget for the harbour district on Monday.",
    "Residents said the plan would raise rents for small shops near the water.",
    "The mayor promised a second vote after the summer recess next year.",
    "Critics called the figures optimistic and asked for an independent review.",
    "Construction is due to start in the spring if the funds are released.",
]
_VARIANTS = {"Monday": "Tuesday", "rents": "taxes", "second": "third", "optimistic": "misleading"}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(_SENTENCES) - 1), st.booleans(), st.sampled_from(["\n", "\n\n", " "])),
        min_size=1,
        max_size=12,
    )
)
def test_property_only_word_for_word_repeats_are_removed(parts):
    """Issue 14: whatever goes was already there word for word. Blocks are sentences, some with one word
    changed (a different fact), joined into lines and paragraphs; every sentence of every removed block
    (a block may hold several removals merged, e.g. a line repeated inside a paragraph that then repeats
    an earlier one) occurs, word for word, earlier in the text."""
    text = ""
    for index, varied, sep in parts:
        sentence = _SENTENCES[index]
        if varied:
            word = next(w for w in _VARIANTS if w in sentence) if any(w in sentence for w in _VARIANTS) else None
            sentence = sentence.replace(word, _VARIANTS[word]) if word else sentence
        text += sentence + sep
    for block in repair(text).removed:
        before = _words(text[: block.start])
        pieces = [p for p in re.split(r"(?<=\.)\s+|\n+", text[block.start : block.end]) if _words(p)]
        assert pieces, block
        for piece in pieces:
            said = _words(piece)
            assert any(before[i : i + len(said)] == said for i in range(len(before) - len(said) + 1)), block
