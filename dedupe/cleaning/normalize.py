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
ftfy's HTML unescaping), so :func:`normalize` runs again the rules a change
may have enabled, until none is left (at most :data:`MAX_PASSES` passes).
That is what makes ``clean(clean(x)) == clean(x)``. Clean text costs one pass
of cheap checks; changed text usually one more ftfy gate check and NFC check.

Speed comes from gates: each rule first asks a cheap question of the whole
text (``str.isascii``, a substring test, one compiled regex) and does real
work only where the answer points. The gate in front of ftfy is exact: see
:func:`ftfy_gate`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import ftfy

from dedupe.cleaning.ftfy_gate import ftfy_config, gated_fix_text
from dedupe.cleaning.plain import is_plain
from dedupe.cleaning.residue import (
    LineChange,
    Result,
    fix_blank_lines,
    fix_dangling_pipes,
    fix_empty_links,
    fix_symbol_lines,
    fix_trailing_whitespace,
)

__all__ = [
    "MAX_PASSES",
    "RULES",
    "RULE_DESCRIPTIONS",
    "Change",
    "Normalized",
    "clean",
    "explain",
    "format_change",
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
    "blank_lines": "collapse runs of blank lines to one; none at either end (a final line break stays)",
}

# The most passes normalize() makes while later rules keep exposing work for earlier ones. Real text needs
# one or two, and so did 3,000 adversarial texts from the property tests. Past the cap the text is returned.
MAX_PASSES = 8

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


# --- ftfy, through its exact gate ----------------------------------------------------------------------


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


# --- odd_spaces and control_chars: whole-text substitutions -------------------------------------------------

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
_SPACE_RE = re.compile(f"[{_SPACES}]")
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
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
_NEWLINE_RE = re.compile(f"[\r{_NEWLINES}]")
_DROP_CONTROL_RE = re.compile(f"[{_CONTROLS}]")
_ASCII_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])  # all but TAB and LF
_ASCII_DELETE_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])  # CR, VT, FF become LF
_ASCII_NEWLINE_MAP = bytes.maketrans(b"\r\x0b\x0c", b"\n\n\n")
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
    if text.isascii() or _ODD_SPACE_RE.search(text) is None:
        return text, 0, []
    # Two regex substitutions: much faster than str.translate with a dict on non-ASCII text.
    new, spaces = _SPACE_RE.subn(" ", text)
    new, invisible = _INVISIBLE_RE.subn("", new)
    details = _explain_lines(text, _ODD_SPACE_RE, _fix_odd_spaces_line) if explain else []
    return new, spaces + invisible, details


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
    crlf = text.count("\r\n")
    if text.isascii():  # bytes.translate finds and fixes ASCII controls several times faster than a regex
        data = text.encode("ascii")
        count = len(data) - len(data.translate(None, _ASCII_CONTROL_BYTES))
        if not count:
            return text, 0, []
        new = text.replace("\r\n", "\n")
        if count != crlf:  # more than CRLFs: CR, VT, FF to LF, the rest deleted
            new = new.encode("ascii").translate(_ASCII_NEWLINE_MAP, _ASCII_DELETE_BYTES).decode("ascii")
    else:
        if _CONTROL_RE.search(text) is None:
            return text, 0, []
        new, breaks = _NEWLINE_RE.subn("\n", text.replace("\r\n", "\n"))
        new, dropped = _DROP_CONTROL_RE.subn("", new)
        count = crlf + breaks + dropped
    details = _explain_lines(text, _CONTROL_RE, _fix_controls_line) if explain else []
    return new, count, details


# --- the pipeline ---------------------------------------------------------------------------------------


def _visible_char(ch: str) -> str:
    return ch if ch.isprintable() else f"<U+{ord(ch):04X}>"


def _visible(text: str) -> str:
    """Write characters a reader cannot see (other than the plain space) as ``<U+XXXX>``."""
    return text if text.isprintable() else "".join(map(_visible_char, text))


def _window(text: str, lo: int) -> str:
    """The visible form of ``text`` from ``lo``, at most :data:`SNIPPET_CHARS` long, with "…" where cut."""
    out: list[str] = ["…"] if lo else []
    used = len(out)
    for i in range(lo, len(text)):
        piece = _visible_char(text[i])
        if used + len(piece) > SNIPPET_CHARS - 1:
            out.append("…")
            break
        out.append(piece)
        used += len(piece)
    return "".join(out)


def _snippets(before: str, after: str | None) -> tuple[str, str]:
    """
    Short before/after views of a line (at most :data:`SNIPPET_CHARS`
    characters each, invisible ones spelled out), starting a little before
    the first difference so that the change is in view.
    """
    after_text = "" if after is None else after
    whole_before, whole_after = _visible(before), _visible(after_text)
    if len(whole_before) <= SNIPPET_CHARS and len(whole_after) <= SNIPPET_CHARS:
        return whole_before, whole_after
    diff = len(os.path.commonprefix([before, after_text]))
    lo = max(0, diff - SNIPPET_CHARS // 4)
    return _window(before, lo), (_window(after_text, lo) if after_text else "")


_NOTHING: frozenset[str] = frozenset()


def _check_skip(skip: Collection[str]) -> frozenset[str]:
    if not skip:
        return _NOTHING
    names = frozenset([skip] if isinstance(skip, str) else skip)
    unknown = names.difference(RULES)
    if unknown:
        raise ValueError(f"unknown rule name(s) {sorted(unknown)}; valid names: {', '.join(RULES)}")
    return names


# Which rules may need another look after a rule changes the text. Every rule *after* it in the order is
# re-run in the same pass (its earlier no-op proves nothing about the new text); the rules *up to and
# including* it that are listed here run again in the next pass. Deleting characters can join neighbours
# into mojibake ("Ã\u200b©") or into a letter and a combining mark, so deletions revisit ftfy and
# unicode_form; NFC can compose mojibake ("A\u0303©" gives "Ã©"); removing a line moves the first "<"
# (ftfy's unescape_html="auto") and removing spaces or a final "\n" changes what ftfy's heuristic sees, so
# those revisit ftfy. ftfy can turn "&#10;" into a line break, so it revisits itself; every other rule is
# idempotent alone. The idempotence tests (default and each rule skipped in turn) check this table.
_REVISIT: dict[str, frozenset[str]] = {
    "ftfy": frozenset({"ftfy"}),
    "unicode_form": frozenset({"ftfy"}),
    "odd_spaces": frozenset({"ftfy", "unicode_form"}),
    "control_chars": frozenset({"ftfy", "unicode_form"}),
    "empty_links": frozenset({"ftfy", "unicode_form"}),
    "symbol_lines": frozenset({"ftfy"}),
    "dangling_pipes": frozenset({"ftfy", "unicode_form"}),
    "trailing_whitespace": frozenset({"ftfy"}),
    "blank_lines": frozenset({"ftfy"}),
}
_EVERYTHING = frozenset(RULES)


@lru_cache(maxsize=64)
def _rule_functions(
    skip: frozenset[str], straight_quotes: bool, form: str
) -> tuple[tuple[str, Callable[[str, bool], Result]], ...]:
    config = ftfy_config(straight_quotes)
    table: dict[str, Callable[[str, bool], Result]] = {
        "ftfy": lambda text, ex: _rule_ftfy(text, ex, config),
        "unicode_form": lambda text, ex: _rule_unicode_form(text, ex, form),
        "odd_spaces": _rule_odd_spaces,
        "control_chars": _rule_control_chars,
        "empty_links": fix_empty_links,
        "symbol_lines": fix_symbol_lines,
        "dangling_pipes": fix_dangling_pipes,
        "trailing_whitespace": fix_trailing_whitespace,
        "blank_lines": fix_blank_lines,
    }
    return tuple((name, table[name]) for name in RULES if name not in skip)


def normalize(
    text: str,
    *,
    skip: Collection[str] = (),
    straight_quotes: bool = False,
    form: str = "NFC",
    explain: bool = False,
) -> Normalized:
    """
    Run the normalisation rules over ``text`` in the order of :data:`RULES`,
    then again, in that order, the rules that the changes may have enabled
    (see ``_REVISIT``), until nothing is left to do (at most
    :data:`MAX_PASSES` passes). Typically the second pass is an ftfy gate
    check and an NFC check, not a second full pass.

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
    if is_plain(text):  # no rule would change it (most documents): skip asking each one
        return Normalized(text, [])
    rules = _rule_functions(skipped, straight_quotes, form)
    changes: list[Change] = []
    totals: dict[str, int] = {}
    pending: frozenset[str] | set[str] = _EVERYTHING
    for _ in range(MAX_PASSES):
        revisit: set[str] = set()
        run_rest = False  # a rule changed the text: every later rule must look again
        for name, rule in rules:
            if not run_rest and name not in pending:
                continue
            text, count, details = rule(text, explain)
            if not count:
                continue
            totals[name] = totals.get(name, 0) + count
            for line, before, after, n in details:
                changes.append(Change(name, line, *_snippets(before, after), n))
            revisit |= _REVISIT[name]
            run_rest = True
        if not revisit:
            break
        pending = revisit
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
