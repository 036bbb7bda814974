"""Examples for each normalisation rule, the API, and the two real seed documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from dedupe.cleaning.normalize import (
    RULE_DESCRIPTIONS,
    RULES,
    Change,
    Normalized,
    clean,
    explain,
    format_change,
    normalize,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def only(rule: str, text: str, **options) -> str:
    """Run one rule alone (every other rule skipped)."""
    return clean(text, skip=[r for r in RULES if r != rule], **options)


# --- API ---------------------------------------------------------------------------------------------------


def test_rules_and_descriptions():
    assert RULES == (
        "ftfy",
        "unicode_form",
        "odd_spaces",
        "control_chars",
        "empty_links",
        "symbol_lines",
        "dangling_pipes",
        "trailing_whitespace",
        "blank_lines",
    )
    assert set(RULE_DESCRIPTIONS) == set(RULES)
    assert all("\n" not in d and 0 < len(d) <= 100 for d in RULE_DESCRIPTIONS.values())


def test_unknown_skip_names_raise_listing_valid_names():
    with pytest.raises(ValueError, match="odd_spaces") as info:
        normalize("x", skip=["ftfy", "nope"])
    assert "nope" in str(info.value)
    with pytest.raises(ValueError):
        normalize("x", skip="nope")
    assert clean("a\u00a0b", skip="odd_spaces") == "a\u00a0b"  # a bare string is one name


def test_form_is_checked():
    with pytest.raises(ValueError):
        normalize("x", form="NFD")
    assert clean("e\u0301") == "\u00e9"
    assert clean("x\u00b2 \ufb01", form="NFKC", skip=["ftfy"]) == "x2 fi"
    assert clean("x\u00b2") == "x\u00b2"


def test_fast_path_gives_one_summary_per_rule():
    result = normalize("a\u00a0b\u00a0c  \nd\u00a0e\r\n\n")
    assert isinstance(result, Normalized)
    assert result.text == "a b c\nd e\n"
    assert [(c.rule, c.line, c.count) for c in result.changes] == [
        ("odd_spaces", 0, 3),
        ("control_chars", 0, 1),
        ("trailing_whitespace", 0, 1),
        ("blank_lines", 0, 1),
    ]
    assert normalize("clean text").changes == []


def test_explain_gives_per_line_changes_with_visible_invisibles():
    changes = explain("ok\na\u00a0b\u00a0c\n")
    first = changes[0]
    assert first == Change("odd_spaces", 2, "a<U+00A0>b<U+00A0>c", "a b c", 2)
    line = format_change(first)
    assert line.startswith("line 2") and "odd_spaces" in line and "<U+00A0>" in line and "(x2)" in line
    assert format_change(Change("odd_spaces", 0, "", "", 12)) == "odd_spaces: 12 occurrences"
    removed = [c for c in explain("a\n| |\nb") if c.rule == "symbol_lines"]
    assert removed == [Change("symbol_lines", 2, "| |", "", 1)]
    assert "(line removed)" in format_change(removed[0])


def test_long_lines_are_cut_around_the_change():
    text = "x" * 200 + "\u00a0" + "y" * 200
    (change,) = explain(text)
    assert "<U+00A0>" in change.before and " " in change.after
    assert len(change.before) < 100


# --- rules -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sch\u00c3\u00b6n", "sch\u00f6n"),  # UTF-8 read as Latin-1
        ("\u00e2\u20ac\u0153quoted\u00e2\u20ac\u009d", "\u201cquoted\u201d"),  # curly quotes kept
        ("caf\u00c3\u00a9 &amp; bar", "caf\u00e9 & bar"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("\ufb01ne \ufb02ow", "fine flow"),
        ("\ud83d\ude00", "\U0001f600"),  # a surrogate pair
        ("a < b &amp; c", "a < b &amp; c"),  # '<' means HTML: entities kept (ftfy's "auto")
    ],
)
def test_ftfy(text, expected):
    assert only("ftfy", text) == expected


def test_ftfy_straight_quotes_and_widths():
    assert only("ftfy", "\u201chi\u201d it\u2019s") == "\u201chi\u201d it\u2019s"
    assert only("ftfy", "\u201chi\u201d it\u2019s", straight_quotes=True) == '"hi" it\'s'
    assert only("ftfy", "\u4f60\u597d\uff0c\u4e16\u754c\u3002") == "\u4f60\u597d\uff0c\u4e16\u754c\u3002"


def test_ftfy_leaves_line_breaks_and_controls_to_our_rules():
    text = "a\r\nb\u2028c\x00d"
    assert only("ftfy", text) == text
    changes = explain(text)
    assert {c.rule for c in changes} == {"control_chars"}


def test_odd_spaces():
    text = "a\u00a0b\u202fc\u2007d\u2003e\u205ff\u1680g\u3000h"
    assert only("odd_spaces", text) == "a b c d e f g h"
    assert only("odd_spaces", "\ufeffzero\u200bwidth\u2060joiner soft\u00adhyphen") == ("zerowidthjoiner softhyphen")
    kept = "\U0001f468\u200d\U0001f469 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWJ emoji, Persian ZWNJ
    assert only("odd_spaces", kept) == kept


def test_control_chars():
    assert only("control_chars", "a\r\nb\rc\u2028d\u2029e\x0bf\x0cg") == "a\nb\nc\nd\ne\nf\ng"
    assert only("control_chars", "a\x00b\x07c\x1fd\x7fe\x81f\x9fg\th\n") == "abcdefg\th\n"
    assert only("control_chars", "a\r\r\nb") == "a\n\nb"
    assert only("control_chars", "x\ufffcy\u206az") == "xyz"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("![]()", ""),
        ("a\n![]()\nb", "a\nb"),  # the line disappears, no paragraph break is invented
        ("a\n  []()  \nb", "a\nb"),
        ("see ![]( <> ) here", "see here"),
        ("see [ ](  ) and ![](<>)", "see and "),
        ("x![]()y", "x y"),  # no invented word
        ("[![]()]()", ""),
        ("a " + "[" * 30 + "![]( )" + "]()" * 30 + " b", "a b"),  # nested: one linear pass
        ("[a![]()]()", "[a]()"),
        ("![alt]()", "![alt]()"),  # has text: not empty
        ("[](http://x)", "[](http://x)"),  # has a target
        ("![]() |", "|"),
    ],
)
def test_empty_links(text, expected):
    assert only("empty_links", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\n|\nb", "a\nb"),
        ("a\n| |\n\u2022\n---\n____\n>\nb", "a\nb"),
        ("\u00bb\n\u00ab \u00bb", "\u00bb\n\u00ab \u00bb"),  # guillemets are quotes
        ("a\n* * *\nb\n***\nc\n\u2042", "a\n* * *\nb\n***\nc\n\u2042"),  # scene breaks
        ('}\n});\n"?"\n\u201c\u2026\u201d', '}\n});\n"?"\n\u201c\u2026\u201d'),  # code, dialogue
        ("\U0001f389\U0001f389", "\U0001f389\U0001f389"),  # emoji
        ("x\n|\n", "x\n"),
        ("|\nx", "x"),
        ("x\n|", "x"),
    ],
)
def test_symbol_lines(text, expected):
    assert only("symbol_lines", text) == expected


def test_symbol_lines_keeps_table_separators_between_rows():
    table = "| Name | Age |\n|---|:--:|\n| Ann | 31 |"
    assert only("symbol_lines", table) == table
    plain = "Name | Age\n--- | ---\nAnn | 31"
    assert only("symbol_lines", plain) == plain
    assert only("symbol_lines", "Some prose.\n|---|---|\nMore prose.") == "Some prose.\nMore prose."
    assert only("symbol_lines", "| a | b |\n|---|---|") == "| a | b |"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Symbolic Image |", "Symbolic Image"),
        ("| Photo credit", "Photo credit"),
        ("| Photo credit |", "Photo credit"),
        ("  | indented", "  indented"),
        ("words | |", "words"),
        ("| a | b |", "| a | b |"),  # a table row
        ("a | b", "a | b"),
        ("|", "|"),  # no words: symbol_lines' business
        ("x || y", "x || y"),
    ],
)
def test_dangling_pipes(text, expected):
    assert only("dangling_pipes", text) == expected


def test_trailing_whitespace():
    assert only("trailing_whitespace", "a  \nb\t\n  \nc ") == "a\nb\n\nc"
    assert only("trailing_whitespace", "  indented") == "  indented"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\n\n  \na\n\n\n\nb\n \n\t\nc\n\n", "a\n\nb\n\nc\n"),
        ("a\nb\n", "a\nb\n"),  # a text file's final line break is kept
        ("a\nb", "a\nb"),
        ("a\nb  \n \n", "a\nb  \n"),
        ("a\n\nb", "a\n\nb"),
        ("  a", "  a"),  # indentation of the first line is not a blank line
        ("\n\n", ""),
        ("", ""),
    ],
)
def test_blank_lines(text, expected):
    assert only("blank_lines", text) == expected


def test_a_final_newline_is_kept_and_is_no_change():
    """Every file of a folder ends with a line break; keeping it is not an edit (issue 14)."""
    for text in ("One line of text.\n", "Two\n\nparagraphs.\n", "No final line break"):
        result = normalize(text)
        assert result.text == text and result.changes == []
    assert normalize("Text.\n\n\n").text == "Text.\n"


def test_whole_pipeline_example():
    text = (
        "\ufeffTitle\u00a0 \r\n\r\n\r\n![]() |\r\ncaf\u00c3\u00a9 \u2014 na\u00efve |\r\n"
        "| a | b |\r\n|---|---|\r\n| 1 | 2 |\r\n\u2022\r\n"
    )
    assert clean(text) == "Title\n\ncaf\u00e9 \u2014 na\u00efve\n| a | b |\n|---|---|\n| 1 | 2 |\n"


def test_exposed_mojibake_is_fixed_by_a_later_pass():
    assert clean("caf\u00c3\u200b\u00a9") == "caf\u00e9"
    assert clean(clean("<\n&amp;")) == clean("<\n&amp;")


# --- seeds -------------------------------------------------------------------------------------------------


def read_seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def test_seed_001_empty_image_line_and_dangling_pipe():
    text = read_seed("001_015dd3622083cb52.txt")
    lines = text.split("\n")
    assert lines[1] == "![]() |" and lines[2].endswith(" Symbolic Image |")
    out = clean(text)
    expected = [lines[0], lines[2][: -len(" |")], *lines[3:]]
    assert out.split("\n") == expected
    assert out.split() == [w for w in text.split() if w not in ("![]()", "|")]
    assert [(c.rule, c.line) for c in explain(text)] == [
        ("empty_links", 2),
        ("symbol_lines", 2),
        ("dangling_pipes", 2),  # line 3 of the file, line 2 once the residue line is gone
    ]


def test_seed_002_no_break_spaces_and_trailing_spaces():
    text = read_seed("002_24a38be4caa4bfe8.txt")
    lines = text.split("\n")
    nbsp_lines = [i for i, line in enumerate(lines) if "\u00a0" in line]
    assert nbsp_lines == [26, 28, 30]
    out = clean(text)
    out_lines = out.split("\n")
    assert len(out_lines) == len(lines)
    for i, (a, b) in enumerate(zip(lines, out_lines, strict=True)):
        if i in nbsp_lines:
            assert a.endswith("\u00a0") and b == a.rstrip("\u00a0 ")
        else:
            assert a == b
    assert out.split() == text.split()
    changes = explain(text)
    assert [(c.rule, c.line) for c in changes] == [
        ("odd_spaces", 27),
        ("odd_spaces", 29),
        ("odd_spaces", 31),
        ("trailing_whitespace", 27),
        ("trailing_whitespace", 29),
        ("trailing_whitespace", 31),
    ]


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_seeds_are_stable(path):
    text = path.read_text(encoding="utf-8")
    out = clean(text)
    assert clean(out) == out
    assert normalize(text, explain=True).text == out
