"""
Properties of the normalisation stage on generated text: it never raises, it
is idempotent, it invents no words, explaining does not change the result,
and the gate in front of ftfy is exact.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path

import ftfy
import pytest
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES
from ftfy.chardata import HTML_ENTITY_RE, LIGATURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe.cleaning.ftfy_gate import ftfy_config, ftfy_gate, gated_fix_text
from dedupe.cleaning.normalize import RULES, clean, normalize

DATA = Path(__file__).resolve().parent / "data" / "normalize"

# Every code point, surrogates included (Hypothesis leaves them out by default).
ANY_CHAR = st.characters(exclude_categories=[])

# Fragments that exercise the rules: markup residue, odd spaces, controls, line breaks, mojibake,
# entities, RTL and other scripts, combining marks, emoji sequences, lone surrogates.
PIECES = [
    "![]()", "[]()", "![]( <> )", "[ ](  )", "[![]()]()", "![alt](x)", "|", " | ", "| ", " |", "||",
    "|---|", "|:--:|", "---", "* * *", "***", "___", "\u2022", "\u00bb", "}", '"?"',
    "\n", "\n", "\n", "\r\n", "\r", "\n\n\n", " ", "  ", "\t", "\x0b", "\x0c",
    "\u00a0", "\u202f", "\u2007", "\u2003", "\u3000", "\u200b", "\u2060", "\ufeff", "\u00ad",
    "\u200c", "\u200d", "\u2028", "\u2029", "\x00", "\x1b", "\x1b[31m", "\x7f", "\x81", "\x85", "\x9d",
    "\u00c3\u00a9", "\u00c3", "\u00a9", "\u00e2\u20ac\u2122", "\u00e2\u20ac\u0153", "\u00c2", "\u00c2\u00a0",
    "\u00d0\u00bf", "\u00ef\u00bf\u00bd", "\ufffd", "&amp;", "&eacute;", "&#x2019;", "&EACUTE;", "&", ";", "<",
    "\ufb01", "\uff21", "\uff0c", "e\u0301", "\u0301", "\ud83d", "\ude00", "\ud83d\ude00",
    "\U0001f468\u200d\U0001f469", "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\u202e", "\u200f",
    "\u041f\u0440\u0438\u0432\u0435\u0442", "\u0395\u03bb\u03bb\u03ac\u03b4\u03b1", "\u4e2d\u6587",
    "word", "Word", "caf\u00e9", "123", "_", "\u00bd", "\u0130", "\u00df",
]  # fmt: skip

TEXTS = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(ANY_CHAR, max_size=4)),
    max_size=40,
).map("".join)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SKIPS = [(), *((rule,) for rule in RULES)]


@pytest.mark.parametrize("skip", SKIPS, ids=lambda s: "+".join(s) or "default")
@SETTINGS
@given(text=TEXTS)
def test_idempotent_and_explain_agrees(skip, text):
    once = normalize(text, skip=skip)
    assert isinstance(once.text, str)
    assert clean(once.text, skip=skip) == once.text
    assert normalize(text, skip=skip, explain=True).text == once.text


@SETTINGS
@given(text=TEXTS, skip=st.sets(st.sampled_from(RULES)), form=st.sampled_from(["NFC", "NFKC"]))
def test_idempotent_for_any_set_of_skipped_rules(text, skip, form):
    once = clean(text, skip=skip, form=form)
    assert clean(once, skip=skip, form=form) == once


@SETTINGS
@given(text=st.text(ANY_CHAR))
def test_never_raises_on_any_string(text):
    out = normalize(text, explain=True)
    for change in out.changes:
        assert len(change.before) < 400 and len(change.after) < 400
        change.before.encode("utf-8")  # invisible and unpaired characters are spelled out
        change.after.encode("utf-8")
    assert clean(text, form="NFKC", straight_quotes=True) == clean(
        clean(text, form="NFKC", straight_quotes=True), form="NFKC", straight_quotes=True
    )


# The rules delete format and control characters outright; they are invisible, so a reader sees the
# letters on either side as one word already (Unicode word segmentation ignores format characters).
_DELETED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060\ufeff\u206a-\u206f\ufff9-\ufffc]")
_WORD = re.compile(r"\w+")


def words(text: str) -> set[str]:
    """Lower-cased NFKC ``\\w+`` tokens (NFKC on both sides of the case fold: "™" folds to "tm")."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return set(_WORD.findall(folded))


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
@SETTINGS
@given(text=TEXTS)
def test_no_invented_words_without_ftfy(form, text):
    out = clean(text, skip=["ftfy"], form=form)
    reference = words(_DELETED.sub("", text).replace("\r\n", "\n"))
    assert words(out) <= reference


# --- the exact gate in front of ftfy -------------------------------------------------------------------------

# If ftfy's heuristic or fixers change, the gate's hitting-set argument (see ftfy_gate) must be redone.
PINNED = "9c41afbb"  # ftfy 6.3.1


def ftfy_fingerprint() -> str:
    parts = [BADNESS_RE.pattern, HTML_ENTITY_RE.pattern, repr(sorted(LIGATURES.items()))]
    parts += [repr(sorted(ftfy.FIXERS)), repr(ftfy.TextFixerConfig._fields)]  # a new fixer changes these
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:8]


def test_ftfy_heuristic_is_the_one_the_gate_was_derived_from():
    assert ftfy_fingerprint() == PINNED, "ftfy changed: re-derive ftfy_gate() and update PINNED"


CONFIGS = [ftfy_config(False), ftfy_config(True), ftfy_config(False, max_decode_length=7)]

# Characters any ftfy fixer or the badness heuristic looks at, plus ASCII that matters to it.
SUSPICIOUS = sorted(
    {ch for text in MOJIBAKE_CATEGORIES.values() for ch in text if ch != "-"}
    | {chr(c) for c in range(0x80, 0xA0)}
    | {chr(k) for k in LIGATURES}
    | set("\u00e0\u00e1\u00e2\u00e4\u00e9\u00f3\u00a0\u00ad\u2019\u201c\u201d\u2018\u0412\u0413\u0420\u0421")
    | set("\u0392\u0393\u039e\u039f\u0402\u0455\u00d8\u00d9\u00c3\u00c2\u00ce\u00d0\uff01\u3000\u02bc")
    | set("aAzZ .,?!&#;<\n\r\x1b[1m")
)
GATE_TEXTS = st.lists(
    st.one_of(
        st.sampled_from(SUSPICIOUS),
        st.sampled_from(["&amp;", "&eacute;", "&#x41;", "&EACUTE;", "\x1b[31m", "\ud83d\ude00", "\udc00"]),
        st.text(ANY_CHAR, max_size=2),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=2000, deadline=None)
@given(text=GATE_TEXTS)
def test_gate_matches_wherever_badness_does(text):
    for segment in text.split("\n"):
        if BADNESS_RE.search(segment):
            assert ftfy_gate(CONFIGS[0]).search(segment), segment


def _expanded(category: str) -> list[str]:
    """Every character of a MOJIBAKE_CATEGORIES class body, its ranges (``À-Ñ``) spelled out."""
    pattern = re.compile(f"[{category}]")
    return [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000 and pattern.match(chr(c))]


# Upper-case accented letters (which clean German, French or Spanish text has) among the characters that
# the badness heuristic pairs them with, and ordinary letters and spaces.
UPPER_CONTEXT = sorted(
    set(_expanded(MOJIBAKE_CATEGORIES["upper_accented"]))
    | set(_expanded(MOJIBAKE_CATEGORIES["lower_accented"]))
    | set(_expanded(MOJIBAKE_CATEGORIES["lower_common"])[:8])
    | set(MOJIBAKE_CATEGORIES["start_punctuation"] + MOJIBAKE_CATEGORIES["end_punctuation"])
    | set(MOJIBAKE_CATEGORIES["law"] + MOJIBAKE_CATEGORIES["currency"] + "\u00b0\u00b2\u00a0\u2014")
    | set("aeZ .,'\"(\n")
)


@settings(max_examples=3000, deadline=None)
@given(text=st.lists(st.sampled_from(UPPER_CONTEXT), max_size=12).map("".join))
def test_gate_matches_wherever_badness_does_around_upper_case_accented_letters(text):
    for config in CONFIGS[:2]:
        for segment in text.split("\n"):
            if BADNESS_RE.search(segment):
                assert ftfy_gate(config).search(segment), segment


def test_clean_european_capitals_pass_the_gate():
    """``Über``, ``École``, ``Ángel`` at the start of words are clean text: no ftfy for them."""
    gate = ftfy_gate(CONFIGS[0])
    for text in ["Über den Ärger in Österreich.", "L\u2019École et l\u2019État, «\u00a0Élise\u00a0».", "Ángel Álvarez"]:
        assert gate.search(text) is None, text
        assert gated_fix_text(text, CONFIGS[0]) == (text, [])
    for mojibake in ["cafÃ©", "Ã‰cole", "\u201dÉ", "É\u201dx", "\u00e9É", "É§", "\u0152 "]:
        assert BADNESS_RE.search(mojibake) and gate.search(mojibake) is not None, mojibake


@pytest.mark.parametrize("config", CONFIGS, ids=["curly", "straight", "tiny-segments"])
@settings(max_examples=1000, deadline=None)
@given(text=GATE_TEXTS)
def test_gated_equals_ftfy_on_generated_text(config, text):
    assert gated_fix_text(text, config)[0] == ftfy.fix_text(text, config)


def load_corpus() -> list[dict[str, str]]:
    return json.loads((DATA / "ftfy_gate_corpus.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("config", CONFIGS[:2], ids=["curly", "straight"])
def test_gated_equals_ftfy_on_corpus(config):
    corpus = load_corpus()
    assert len(corpus) >= 100
    for case in corpus:
        assert gated_fix_text(case["text"], config)[0] == ftfy.fix_text(case["text"], config), case["note"]


def test_corpus_mojibake_is_repaired_and_clean_text_skips_ftfy():
    config = CONFIGS[0]
    gate = ftfy_gate(config)
    for case in load_corpus():
        if case["kind"] == "mojibake":
            assert ftfy.fix_text(case["text"], config) == case["fixed"], case["note"]
            assert gated_fix_text(case["text"], config)[0] == case["fixed"], case["note"]
        elif case["kind"] == "clean":
            assert gate.search(case["text"]) is None, case["note"]
            assert gated_fix_text(case["text"], config) == (case["text"], [])


@pytest.mark.parametrize("filler", ["&", "\u201c\u201d ", "x\u201d", "\u2022 & "])
def test_gate_is_exact_after_many_unconfirmed_hits(filler):
    """Past MISSES_BEFORE_FULL_REGEX unconfirmed hits the gate switches to one regex; still exact."""
    config = CONFIGS[0]
    for tail in ["caf\u00c3\u00a9", "\u00e9\u201c", "\u201d\u00e9", "&eacute;", "\u201d\u201c", "plain"]:
        text = filler * 100 + tail + "\n" + filler * 50 + "\n" + tail
        hit = ftfy_gate(config).search(text)
        assert (hit is None) == (tail == "plain")
        assert gated_fix_text(text, config)[0] == ftfy.fix_text(text, config)


# --- plain text: the one quick look that stands for every rule (dedupe.cleaning.plain) -----------------------

# Prose, and near misses of each condition of is_plain: symbol lines, spaces at line ends, blank runs, the
# characters some rule looks for, a leading blank line, a final blank line, a tab, entities and controls.
PLAIN_PIECES = [
    "The", " council", " said", " on", " Tuesday", ".", ",", " (", ")", '"', "'", "-", " 5%", " $3", ":", ";",
    "?", "!", "\n", "\n", "\n\n", " ", "---", "* * *", "...", "#", "_", "<b>", "a/b", "=", "+", "@", "~",
    "\n\n\n", " \n", "\t", "&", "&amp;", "|", "[", "]", "](", "\x7f", "\x1b", "\u00e9", "\u00a0", "\r",
]  # fmt: skip
PLAIN_TEXTS = st.lists(st.sampled_from(PLAIN_PIECES), max_size=40).map("".join)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(PLAIN_TEXTS, TEXTS),
    skip=st.sampled_from(SKIPS),
    form=st.sampled_from(["NFC", "NFKC"]),
    straight=st.booleans(),
)
def test_plain_text_is_a_text_no_rule_changes(text, skip, form, straight):
    """Where is_plain says yes, the rules one by one leave the text alone; and normalize with the quick look
    gives what the rules give, for any options."""
    from unittest import mock

    from dedupe.cleaning import normalize as normalize_mod
    from dedupe.cleaning.plain import is_plain

    options = {"skip": skip, "form": form, "straight_quotes": straight}
    with mock.patch.object(normalize_mod, "is_plain", lambda _text: False):
        by_rules = normalize(text, **options)
    if is_plain(text):
        assert by_rules.text == text and by_rules.changes == []
    assert normalize(text, **options) == by_rules


def test_plain_text_is_common_prose_and_each_condition_matters():
    from dedupe.cleaning.plain import is_plain

    prose = 'WASHINGTON (AP) - The council said on Tuesday it would "review" 5% of claims.\n\nIt\'s late: 3 p.m.\n'
    assert is_plain(prose)
    near_misses = [
        prose.replace("review", "r\u00e9view"),  # not ASCII
        prose.replace(" - ", " & "),  # an entity could start
        prose.replace("(AP)", "[AP]"),  # a markdown link could start
        prose.replace(" - ", " | "),  # a table pipe
        prose.replace("claims.", "claims.\t"),  # a tab
        prose.replace("claims.", "claims. "),  # a space at a line's end
        prose.replace("\n\n", "\n\n\n"),  # two blank lines in a row
        prose + "\n",  # a blank line at the end
        "\n" + prose,  # a blank line at the start
        prose.replace("\n\n", "\n---\n"),  # a line of symbols
        prose.replace("\n\n", "\n\x0c\n"),  # a control character
        "",
    ]
    assert [is_plain(t) for t in near_misses] == [False] * len(near_misses)
