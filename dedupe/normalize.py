"""
The normalisation stage: pure ``str -> str`` clean-up of scraped text, with an
account of what each rule changed.

Normalising before de-duplication is what lets two copies of a page that
differ only in invisible ways (a no-break space, CRLF line ends, mojibake, a
stray ``![]()``) hash to the same thing. Every rule has a stable short name
(:data:`RULES`), can be switched off (``skip=``), and reports its changes as
:class:`Change` records so a user can see *why* a document changed
(``dedupe explain``).

The rules run in the order of :data:`RULES`. Later rules can expose work for
earlier ones (removing a zero-width space from ``Ã\\u200b©`` exposes the
mojibake ``Ã©``; removing a symbol line that held the only ``<`` re-enables
ftfy's HTML unescaping), so :func:`normalize` repeats the whole sequence until
a pass changes nothing (at most :data:`MAX_PASSES` passes). That is what makes
``clean(clean(x)) == clean(x)``. Clean text costs one pass of cheap checks;
changed text usually two.

Speed comes from gates: each rule first asks a cheap question of the whole
text (``str.isascii``, a substring test, one compiled regex) and does real
work only where the answer points. The gate in front of ftfy is exact: see
:func:`ftfy_gate`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import ftfy
from ftfy.badness import MOJIBAKE_CATEGORIES
from ftfy.chardata import HTML_ENTITY_RE, LIGATURES, WIDTH_MAP

from dedupe.residue import LineChange, Result, fix_dangling_pipes, fix_empty_links, fix_symbol_lines

__all__ = [
    "MAX_PASSES",
    "RULES",
    "RULE_DESCRIPTIONS",
    "Change",
    "Normalized",
    "clean",
    "explain",
    "format_change",
    "ftfy_config",
    "ftfy_gate",
    "gated_fix_text",
    "normalize",
]

RULES: tuple[str, ...] = (
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

RULE_DESCRIPTIONS: dict[str, str] = {
    "ftfy": "repair mojibake, HTML entities, terminal escapes, surrogates and Latin ligatures (ftfy)",
    "unicode_form": "Unicode normalisation form (NFC by default, NFKC on request)",
    "odd_spaces": "no-break and other Unicode spaces to ' '; drop zero-width spaces, BOMs and soft hyphens",
    "control_chars": "CRLF, CR, U+2028/9, VT, FF, NEL to '\\n'; drop other C0/C1 control characters",
    "empty_links": "drop empty markdown links and images such as ![]() and [ ]( <> )",
    "symbol_lines": "drop lines of only symbols/punctuation (|, •, ---); keep table separators, * * *",
    "dangling_pipes": "drop a table pipe dangling at the start or end of a line that is not a table row",
    "trailing_whitespace": "drop spaces and tabs at line ends",
    "blank_lines": "collapse runs of blank lines to one; no blank lines or newline at either end",
}

# The most passes normalize() makes while later rules keep exposing work for earlier ones.
MAX_PASSES = 6

# How many characters of a line a Change shows.
SNIPPET_CHARS = 80


@dataclass(frozen=True)
class Change:
    """
    One change a rule made.

    ``line`` is 1-based and counts ``"\\n"``-separated lines of the text *that
    rule was given*, in the pass that made the change (so after earlier rules
    and passes; best effort, not a position in the original document). It is
    0 in the one-per-rule summaries of the fast path. ``before`` and ``after``
    are short snippets of the line with invisible characters written as
    ``<U+00A0>``; ``after`` is ``""`` when the line was removed. ``count`` is
    how many occurrences this Change stands for.
    """

    rule: str
    line: int
    before: str
    after: str
    count: int = 1


class Normalized(NamedTuple):
    """The normalised text and the changes that produced it."""

    text: str
    changes: list[Change]


# --- ftfy and its exact gate ------------------------------------------------------------------------------


def ftfy_config(straight_quotes: bool = False, max_decode_length: int = 1_000_000) -> ftfy.TextFixerConfig:
    """
    The ftfy configuration of the ``ftfy`` rule. It differs from ftfy's
    defaults only where one of our own rules does the job, so that the job is
    counted under that rule's name, or where the default would damage text:

    - ``uncurl_quotes=straight_quotes`` (False by default): curly quotes are
      real typography, not breakage.
    - ``fix_line_breaks=False``: ``control_chars`` converts CR, CRLF,
      U+2028/9 and NEL.
    - ``remove_control_chars=False``: ``control_chars`` and ``odd_spaces``
      remove them (ftfy's set plus the C1 controls ftfy leaves).
    - ``normalization=None``: ``unicode_form`` normalises.
    - ``fix_character_width=False``: fullwidth punctuation (``，。：``) is
      normal in Chinese and Japanese text and halfwidth katakana is a
      legitimate form; rewriting them is a compatibility normalisation, which
      ``form="NFKC"`` does on request. (U+3000 becomes a space in
      ``odd_spaces``.)
    - ``explain=False``: we only want the text.

    Everything else stays at ftfy's default: HTML entities are decoded unless
    the text has a ``<`` (``unescape_html="auto"``, which ftfy applies from the
    first line with a ``<`` to the end of the text), terminal escapes are
    removed, mojibake and C1 controls are decoded, surrogates are paired,
    Latin ligatures (``ﬁ``) are split.
    """
    return ftfy.TextFixerConfig(
        unescape_html="auto",
        remove_terminal_escapes=True,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=True,
        fix_character_width=False,
        uncurl_quotes=straight_quotes,
        fix_line_breaks=False,
        fix_surrogates=True,
        remove_control_chars=False,
        normalization=None,
        max_decode_length=max_decode_length,
        explain=False,
    )


def _class(chars: Iterable[str]) -> str:
    """Character-class body for single characters, escaped (surrogates included)."""
    return "".join(f"\\U{ord(ch):08x}" for ch in sorted(set(chars)))


@lru_cache(maxsize=8)
def ftfy_gate(config: ftfy.TextFixerConfig) -> re.Pattern[str]:
    """
    The exact gate in front of ftfy: a regex such that any line (ftfy
    segment) it does not match is returned unchanged by ftfy with ``config``.

    ftfy fixes text segment by segment (a line with its ``\\n``; lines over
    ``max_decode_length`` in chunks), and within a segment applies each fixer
    until nothing changes, so a segment on which every enabled fixer is a
    no-op comes back as is. Fixer by fixer (ftfy 6.3, ``fixes.py``,
    ``chardata.py``, ``badness.py``):

    - ``unescape_html`` changes only text matching ``HTML_ENTITY_RE``
      (``&#?[0-9A-Za-z]{1,24};``): that pattern is a branch of the gate.
    - ``remove_terminal_escapes`` needs ``\\x1b``; ``fix_surrogates`` needs
      U+D800-U+DFFF; ``fix_latin_ligatures`` needs a ``LIGATURES`` key;
      ``fix_c1_controls`` needs U+0080-U+009F; ``uncurl_quotes`` (if on)
      needs U+02BC or U+2018-U+201F; ``fix_character_width`` (if on) needs a
      ``WIDTH_MAP`` key. All are in the gate's character class.
    - ``fix_encoding`` returns its input unless ``badness.is_bad(segment)``,
      i.e. unless ``BADNESS_RE`` matches. Every alternative of ``BADNESS_RE``
      needs at least one character from a set we choose per alternative
      (a "hitting set"), chosen to avoid letters of clean text: the
      categories ``c1``, ``bad``, ``upper_accented``, ``box``, ``currency``,
      ``numeric`` plus ``°œÙЂ‚``. Three kinds of alternative need only common
      characters (curly quotes, lower-case accented letters) and are covered
      by two 2-character branches instead: an ``end_punctuation`` character
      followed by a ``lower_accented`` or ``start_punctuation`` one, and a
      ``lower_accented``/``ВГРС``/``ΒΓΞΟ`` letter followed by start or end
      punctuation. So clean French, Russian, Greek, CJK and English with
      curly quotes pass the gate untouched.

    So the gate is::

        [\\x1b C1 surrogates ligatures (quotes) (widths) c1 bad upper_accented box currency numeric °œÙЂ‚]
        | [end_punctuation][lower_accented start_punctuation]
        | [lower_accented ВГРС ΒΓΞΟ][start_punctuation end_punctuation]
        | &#?[0-9A-Za-z]{1,24};

    ASCII text can only be changed through ``&`` or ``\\x1b``, which
    :func:`gated_fix_text` checks first with ``str.isascii``. The test suite
    checks that the gate matches wherever ``BADNESS_RE`` does and that gated
    output equals ``ftfy.fix_text`` on a corpus and on generated text; it
    pins a hash of ``BADNESS_RE`` so an ftfy upgrade that changes the
    heuristic fails loudly instead of silently making the gate inexact.
    """
    cat = MOJIBAKE_CATEGORIES
    single = "\x1b" + "\ud800-\udfff" + "\x80-\x9f" + _class(chr(k) for k in LIGATURES)
    if config.uncurl_quotes:
        single += "\u02bc\u2018-\u201f"
    if config.fix_character_width:
        single += _class(chr(k) for k in WIDTH_MAP)
    # The category strings are regex class fragments (some hold ranges such as "Ò-Ö").
    single += cat["c1"] + cat["bad"] + cat["upper_accented"] + cat["box"] + cat["currency"] + cat["numeric"]
    single += "\u00b0\u0153\u00d9\u0402\u201a"  # ° œ Ù Ђ ‚
    end, start, lower = cat["end_punctuation"], cat["start_punctuation"], cat["lower_accented"]
    pattern = (
        f"[{single}]"
        f"|[{end}][{lower}{start}]"
        f"|[{lower}\u0412\u0413\u0420\u0421\u0392\u0393\u039e\u039f][{start}{end}]"
        f"|{HTML_ENTITY_RE.pattern}"
    )
    return re.compile(pattern)


def gated_fix_text(text: str, config: ftfy.TextFixerConfig) -> tuple[str, list[tuple[int, str, str]]]:
    """
    ``ftfy.fix_text(text, config)``, computed by running ftfy only on the
    lines :func:`ftfy_gate` points at. Returns the text and, for each segment
    that changed, ``(start_offset, before, after)``.

    The result is identical to ``ftfy.fix_text``: segments are cut exactly as
    ftfy cuts them, and the ``unescape_html="auto"`` switch (off from the
    first segment containing ``<`` onwards) is reproduced from the position of
    the first ``<``. Lines longer than ``max_decode_length`` would be cut into
    chunks whose starts the gate cannot see, so such texts go to ftfy whole.
    """
    if text.isascii() and "&" not in text and "\x1b" not in text:
        return text, []
    max_len = config.max_decode_length
    if len(text) > max_len and any(len(line) >= max_len for line in text.split("\n")):
        fixed = ftfy.fix_text(text, config)
        return fixed, ([] if fixed == text else [(0, text, fixed)])
    gate = ftfy_gate(config)
    first_lt = text.find("<") if config.unescape_html == "auto" else -1
    no_html = config._replace(unescape_html=False)
    out: list[str] = []
    segments: list[tuple[int, str, str]] = []
    pos = 0
    m = gate.search(text)
    while m is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", max(m.end() - 1, m.start()))
        end = len(text) if end == -1 else end + 1
        out.append(text[pos:start])
        seg_start = start
        while seg_start < end:  # the lines of [start, end), one ftfy segment each
            seg_end = text.find("\n", seg_start, end)
            seg_end = end if seg_end == -1 else seg_end + 1
            segment = text[seg_start:seg_end]
            seg_config = no_html if 0 <= first_lt < seg_end else config
            fixed = ftfy.fix_and_explain(segment, seg_config).text
            if fixed != segment:
                segments.append((seg_start, segment, fixed))
            out.append(fixed)
            seg_start = seg_end
        pos = end
        m = gate.search(text, end) if end < len(text) else None
    if not segments:
        return text, []
    out.append(text[pos:])
    return "".join(out), segments


def _rule_ftfy(text: str, explain: bool, config: ftfy.TextFixerConfig) -> Result:
    """Repair broken Unicode with ftfy, through the exact gate; one change per line ftfy altered."""
    fixed, segments = gated_fix_text(text, config)
    if not segments:
        return text, 0, []
    details: list[LineChange] = []
    if explain:
        line, counted_to = 1, 0
        for start, before, after in segments:
            line += text.count("\n", counted_to, start)
            counted_to = start
            details.append((line, before.rstrip("\n"), after.rstrip("\n"), 1))
    return fixed, len(segments), details


# --- unicode_form ---------------------------------------------------------------------------------------


def _rule_unicode_form(text: str, explain: bool, form: str) -> Result:
    """
    Normalise to NFC (or NFKC) so that the same visible text has one code
    point sequence: "é" typed as one character and as "e" plus a combining
    accent must hash alike. NFC never changes what a reader sees; NFKC also
    folds compatibility variants (fullwidth letters, ligatures, superscripts,
    "…" to "...") and is for users who want that. Normalisation never crosses
    a line break, so the text is normalised whole and only compared line by
    line when explaining.
    """
    if text.isascii() or unicodedata.is_normalized(form, text):
        return text, 0, []
    new = unicodedata.normalize(form, text)
    old_lines, new_lines = text.split("\n"), new.split("\n")
    if len(old_lines) != len(new_lines):  # not expected; report the document as one change
        return new, 1, ([(1, text, new, 1)] if explain else [])
    details: list[LineChange] = []
    count = 0
    for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)):
        if a != b:
            count += 1
            if explain:
                details.append((i + 1, a, b, 1))
    return new, count, details


# --- odd_spaces and control_chars: whole-text translations --------------------------------------------------

# No-break spaces (U+00A0, U+202F, U+2007) and the other Unicode spaces: an ASCII space, because that is what
# they look like and what tokenisers expect. U+3000 IDEOGRAPHIC SPACE too (as ftfy's width fixer would do):
# in CJK text it indents or separates, and a space keeps the separation.
_SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
# Invisible characters with no job in plain text: ZERO WIDTH SPACE, WORD JOINER, BYTE ORDER MARK (at the start
# or inside) and SOFT HYPHEN, a hyphenation hint that only shows at a line break the renderer chooses and
# otherwise splits "hy\u00adphen" from "hyphen". ZWNJ/ZWJ (U+200C/D) are kept: they carry meaning in emoji
# sequences and in Persian and Indic scripts. So are LRM/RLM and the bidi controls.
_INVISIBLE = "\u00ad\u200b\u2060\ufeff"
_ODD_SPACE_RE = re.compile(f"[{_SPACES}{_INVISIBLE}]")
_ODD_SPACE_TABLE = {
    **{cp: " " for cp in [0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000]},
    **{ord(ch): None for ch in _INVISIBLE},
}

# Line breaks other than LF: VT and FF (page structure in old text files; removing them would glue words),
# NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR. CR and CRLF are handled separately.
_NEWLINES = "\x0b\x0c\x85\u2028\u2029"
# Removed: the other C0 controls and DEL, the other C1 controls, and the invisible characters ftfy's own
# remove_control_chars would take (deprecated Arabic format controls, interlinear annotation marks, the
# object replacement character). Tab and LF stay.
_CONTROLS = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u206a-\u206f\ufff9-\ufffc"
_CONTROL_RE = re.compile(f"[\r{_NEWLINES}{_CONTROLS}]")
_CONTROL_TABLE = {
    ord("\r"): "\n",
    **{ord(ch): "\n" for ch in _NEWLINES},
    **{cp: None for cp in [*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0x85), *range(0x86, 0xA0)]},
    **{cp: None for cp in [*range(0x206A, 0x2070), *range(0xFFF9, 0xFFFD)]},
}


def _explain_lines(text: str, pattern: re.Pattern[str], fix: Callable[[str, bool], tuple[str, int]]):
    """
    Per-line report for a rule whose text is computed on the whole document:
    ``fix(line, is_last)`` shows what happens to each line ``pattern`` hits.
    Used only when explaining.
    """
    details: list[LineChange] = []
    line_no, counted_to, pos = 1, 0, 0
    while (m := pattern.search(text, pos)) is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.start())
        is_last = end == -1
        end = len(text) if is_last else end
        line_no += text.count("\n", counted_to, start)
        counted_to = start
        line = text[start:end]
        after, n = fix(line, is_last)
        if n:
            details.append((line_no, line, after, n))
        pos = end + 1
    return details


def _fix_odd_spaces_line(line: str, is_last: bool) -> tuple[str, int]:
    return line.translate(_ODD_SPACE_TABLE), len(_ODD_SPACE_RE.findall(line))


def _rule_odd_spaces(text: str, explain: bool) -> Result:
    """Map Unicode spaces to ' ' and drop invisible zero-width characters (``_SPACES``, ``_INVISIBLE``)."""
    if _ODD_SPACE_RE.search(text) is None:
        return text, 0, []
    new = text.translate(_ODD_SPACE_TABLE)
    if explain:
        details = _explain_lines(text, _ODD_SPACE_RE, _fix_odd_spaces_line)
        return new, sum(d[3] for d in details), details
    return new, len(_ODD_SPACE_RE.findall(text)), []


def _fix_controls_line(line: str, is_last: bool) -> tuple[str, int]:
    n = 0
    if not is_last and line.endswith("\r"):  # the CR of a CRLF: the LF is the line break already
        line, n = line[:-1], 1
    return line.translate(_CONTROL_TABLE), n + len(_CONTROL_RE.findall(line))


def _rule_control_chars(text: str, explain: bool) -> Result:
    """
    One line break, LF, and no invisible control characters. CRLF and lone CR
    (and VT, FF, NEL, U+2028, U+2029) become LF, so that documents from
    Windows, old Macs and word processors split into the same lines; other
    C0 and C1 controls are removed (tab and LF stay). ftfy runs first and
    decodes C1 controls that are mojibake (``\\x85`` is usually "…"), so the
    ones left here are junk.
    """
    if _CONTROL_RE.search(text) is None:
        return text, 0, []
    new = text.replace("\r\n", "\n").translate(_CONTROL_TABLE)
    if explain:
        details = _explain_lines(text, _CONTROL_RE, _fix_controls_line)
        return new, sum(d[3] for d in details), details
    return new, len(_CONTROL_RE.findall(text)), []


# --- trailing_whitespace and blank_lines -----------------------------------------------------------------

# The look-behind makes each run of spaces start a match only once, so long runs stay linear.
_TRAILING_WS_RE = re.compile(r"(?<![ \t])[ \t]+$", re.MULTILINE)


def _fix_trailing_line(line: str, is_last: bool) -> tuple[str, int]:
    stripped = line.rstrip(" \t")
    return stripped, int(stripped != line)


def _rule_trailing_whitespace(text: str, explain: bool) -> Result:
    """
    Remove spaces and tabs at line ends: invisible, and the commonest way two
    copies of a page differ. (Unicode spaces are already ASCII spaces after
    ``odd_spaces``; a line of only spaces becomes empty, for ``blank_lines``.)
    """
    if " \n" not in text and "\t\n" not in text and not text.endswith((" ", "\t")):
        return text, 0, []
    new, n = _TRAILING_WS_RE.subn("", text)
    details = _explain_lines(text, _TRAILING_WS_RE, _fix_trailing_line) if explain else []
    return new, n, details


# Two or more blank (empty or spaces/tabs only) lines in a row, between content.
_BLANK_RUN_RE = re.compile(r"\n(?:[ \t]*\n){2,}")


def _rule_blank_lines(text: str, explain: bool) -> Result:
    """
    At most one blank line in a row (a paragraph break stays a paragraph
    break; three are layout), none at the start, and no blank line or line
    break at the end: the document ends with its last character of content,
    like most JSONL ``text`` fields, so a copy with a final newline and one
    without compare equal. Blank means empty or only spaces and tabs; a
    collapsed run becomes one empty line. (Trailing spaces on the last line
    of content are ``trailing_whitespace``'s business and stay if that rule
    is off.) Each leading region, trailing region and collapsed run counts
    as one occurrence.
    """
    details: list[LineChange] = []
    count = 0
    # Leading blank lines: everything up to the last "\n" before the first content.
    body = text.lstrip(" \t\n")
    lead = text.rfind("\n", 0, len(text) - len(body)) + 1
    lead_lines = 0
    if lead:
        count += 1
        lead_lines = text.count("\n", 0, lead)
        if explain:
            details.append((1, text[: lead - 1], None, 1))
        text = text[lead:]
    # Trailing blank lines and the final line break: from the first "\n" after the last content.
    tail = text.find("\n", len(text.rstrip(" \t\n")))
    if tail != -1:
        count += 1
        if explain:
            details.append((lead_lines + text.count("\n", 0, tail) + 2, text[tail + 1 :], None, 1))
        text = text[:tail]
    if _BLANK_RUN_RE.search(text) is not None:
        if explain:
            for m in _BLANK_RUN_RE.finditer(text):
                line = lead_lines + text.count("\n", 0, m.start()) + 3
                details.append((line, m.group()[1:-1], None, 1))
        text, n = _BLANK_RUN_RE.subn("\n\n", text)
        count += n
    return text, count, details


# --- the pipeline ---------------------------------------------------------------------------------------


def _visible(text: str) -> str:
    """Write characters a reader cannot see (other than the plain space) as ``<U+XXXX>``."""
    return "".join(ch if ch.isprintable() else f"<U+{ord(ch):04X}>" for ch in text)


def _snippets(before: str, after: str | None) -> tuple[str, str]:
    """Short before/after views of a line, cut around the first difference so it stays visible."""
    after_text = "" if after is None else after
    if len(before) <= SNIPPET_CHARS and len(after_text) <= SNIPPET_CHARS:
        return _visible(before), _visible(after_text)
    diff = len(os.path.commonprefix([before, after_text]))
    lo = max(0, diff - SNIPPET_CHARS // 3)

    def cut(s: str) -> str:
        piece = s[lo : lo + SNIPPET_CHARS]
        return ("…" if lo else "") + _visible(piece) + ("…" if lo + SNIPPET_CHARS < len(s) else "")

    return cut(before), cut(after_text) if after is not None else ""


def _check_skip(skip: Collection[str]) -> frozenset[str]:
    names = frozenset([skip] if isinstance(skip, str) else skip)
    unknown = names.difference(RULES)
    if unknown:
        raise ValueError(f"unknown rule name(s) {sorted(unknown)}; valid names: {', '.join(RULES)}")
    return names


def _rule_functions(
    skip: frozenset[str], straight_quotes: bool, form: str
) -> list[tuple[str, Callable[[str, bool], Result]]]:
    config = ftfy_config(straight_quotes)
    table: dict[str, Callable[[str, bool], Result]] = {
        "ftfy": lambda text, ex: _rule_ftfy(text, ex, config),
        "unicode_form": lambda text, ex: _rule_unicode_form(text, ex, form),
        "odd_spaces": _rule_odd_spaces,
        "control_chars": _rule_control_chars,
        "empty_links": fix_empty_links,
        "symbol_lines": fix_symbol_lines,
        "dangling_pipes": fix_dangling_pipes,
        "trailing_whitespace": _rule_trailing_whitespace,
        "blank_lines": _rule_blank_lines,
    }
    return [(name, table[name]) for name in RULES if name not in skip]


def normalize(
    text: str,
    *,
    skip: Collection[str] = (),
    straight_quotes: bool = False,
    form: str = "NFC",
    explain: bool = False,
) -> Normalized:
    """
    Run the normalisation rules over ``text``, in the order of :data:`RULES`,
    repeating until a pass changes nothing (at most :data:`MAX_PASSES`).

    ``skip`` names rules to leave out (``ValueError`` for unknown names).
    ``straight_quotes`` lets ftfy turn curly quotes straight. ``form`` is
    ``"NFC"`` or ``"NFKC"``. With ``explain=False`` (the fast path) the
    changes are one summary :class:`Change` per rule that changed anything
    (``line=0``, ``count`` = occurrences over all passes); with
    ``explain=True`` they are per line, pass by pass. The text is the same
    either way.
    """
    skipped = _check_skip(skip)
    if form not in ("NFC", "NFKC"):
        raise ValueError(f"form must be 'NFC' or 'NFKC', not {form!r}")
    rules = _rule_functions(skipped, straight_quotes, form)
    changes: list[Change] = []
    totals: dict[str, int] = {}
    for _ in range(MAX_PASSES):
        changed = False
        for name, rule in rules:
            text, count, details = rule(text, explain)
            if not count:
                continue
            changed = True
            totals[name] = totals.get(name, 0) + count
            for line, before, after, n in details:
                changes.append(Change(name, line, *_snippets(before, after), n))
        if not changed:
            break
    if not explain:
        changes = [Change(name, 0, "", "", totals[name]) for name in RULES if name in totals]
    return Normalized(text, changes)


def clean(text: str, **options: Any) -> str:
    """The normalised text alone: ``normalize(text, **options).text``."""
    return normalize(text, **options).text


def explain(text: str, **options: Any) -> list[Change]:
    """The detailed, per-line changes: ``normalize(text, explain=True, **options).changes``."""
    options["explain"] = True
    return normalize(text, **options).changes


def format_change(change: Change) -> str:
    """
    One human-readable line for a change, e.g.
    ``line 3    odd_spaces           'a<U+00A0>b' -> 'a b'`` (removed lines show
    ``(line removed)``; summaries show ``odd_spaces: 12 occurrences``).
    """
    times = f"  (x{change.count})" if change.count > 1 else ""
    if change.line == 0 and not change.before and not change.after:
        unit = "occurrence" if change.count == 1 else "occurrences"
        return f"{change.rule}: {change.count} {unit}"
    after = f"'{change.after}'" if change.after or change.rule not in _REMOVING_RULES else "(line removed)"
    return f"line {change.line:<4} {change.rule:<19} '{change.before}' -> {after}{times}"


# Rules whose changes can remove a whole line (an empty "after" then means "line removed").
_REMOVING_RULES = frozenset({"empty_links", "symbol_lines", "blank_lines"})
