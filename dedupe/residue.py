"""
Scraping-residue rules for the normalisation stage: the markup debris that
HTML-to-text converters leave behind in otherwise good prose.

Each rule here is a pure function ``fix_*(text, explain) -> (text, count,
details)``. ``count`` is how many occurrences the rule changed. ``details`` is
empty unless ``explain`` is true; then it lists one ``(line, before, after,
count)`` tuple per changed line, where ``line`` is 1-based and counted in the
text the rule was given (lines are split on ``"\\n"`` only), and ``after`` is
``None`` when the line was removed. The text a rule returns never depends on
``explain``: the flag only decides whether the rule also writes the report.

A "line removed" here means the line *and its line break* disappear, so that
removing residue between two paragraphs never invents a paragraph break; the
``blank_lines`` rule tidies whatever blank lines are left around it.

The rules look at the whole text only through cheap gates (a substring test,
one compiled regex) and do per-line Python work only on the few lines those
gates point at, because most documents contain no residue at all.
"""

from __future__ import annotations

import re
import unicodedata

import regex

LineChange = tuple[int, str, "str | None", int]
Result = tuple[str, int, list[LineChange]]

# A letter or a digit (``\w`` minus the underscore): what makes a line "have words".
_ALNUM_RE = re.compile(r"[^\W_]")


def has_alnum(text: str) -> bool:
    """True when ``text`` contains a letter or a digit (an underscore is not enough)."""
    return _ALNUM_RE.search(text) is not None


def is_table_row(line: str) -> bool:
    """
    A markdown/plain-text table row is a line whose pipes separate at least two
    cells that contain a letter or digit (``a | b``, ``| a | b |``).

    The definition is shared by ``symbol_lines`` (whose table-separator
    exception needs real rows around it) and ``dangling_pipes`` (which must
    leave rows alone), so the two rules agree and running them again changes
    nothing: ``Symbolic Image |`` and ``| Photo credit |`` have only one such
    cell, so they are not rows.
    """
    if "|" not in line:
        return False
    cells = 0
    for cell in line.split("|"):
        if has_alnum(cell):
            cells += 1
            if cells == 2:
                return True
    return False


def _line_spans(text: str, pattern: re.Pattern[str]):
    """
    Yield ``(index, start, end)`` for each line that ``pattern`` matches in,
    once per line, with ``index`` 0-based and ``[start, end)`` the line without
    its ``\\n``. The pattern must not match across a line break.
    """
    pos = 0
    index = 0
    counted_to = 0
    while True:
        m = pattern.search(text, pos)
        if m is None:
            return
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.start())
        if end == -1:
            end = len(text)
        index += text.count("\n", counted_to, start)
        counted_to = start
        yield index, start, end
        pos = end + 1
        if pos > len(text):
            return


def _rebuild(text: str, edits: dict[int, tuple[int, int, str | None]]) -> str:
    """
    Apply per-line edits ``{index: (start, end, new_line_or_None)}`` to ``text``.
    A ``None`` removes the line with its line break (the following one, or the
    preceding one for the last line), which is what dropping an item from
    ``text.split("\\n")`` and joining again does.
    """
    lines: list[str | None] = list(text.split("\n"))
    for index, (_start, _end, new) in edits.items():
        lines[index] = new
    return "\n".join(line for line in lines if line is not None)


# --- empty_links -------------------------------------------------------------------------------------------

# ``![]()``, ``[]()``, ``![](  )``, ``![]( <> )``, ``[ ]()``: no text and no target, so nothing a reader
# could see or follow. A run of them (spaces between allowed) is one match; the spaces after each go with it.
_EMPTY_LINK_RE = re.compile(r"(?:!?\[[ \t]*\]\([ \t]*(?:<[ \t]*>[ \t]*)?\)[ \t]*)+")
_EMPTY_LINK_PIECE_RE = re.compile(r"\]\(")
_WORD_CHAR_RE = re.compile(r"\w")


def _drop_empty_links(line: str) -> tuple[str, int]:
    """Remove the empty links of one line; return the line and how many links went."""
    total = 0
    for _ in range(8):  # "[![]()]()" needs two rounds; the bound only guards against surprises
        found = 0

        def repl(m: re.Match[str]) -> str:
            nonlocal found
            found += len(_EMPTY_LINK_PIECE_RE.findall(m.group()))
            # "foo![]()bar" must not become the invented word "foobar" (nor "™![]()x" the word "TMx" under
            # NFKC, which is how words are compared downstream).
            before = unicodedata.normalize("NFKC", m.string[m.start() - 1 : m.start()])[-1:]
            after = unicodedata.normalize("NFKC", m.string[m.end() : m.end() + 1])[:1]
            return " " if _WORD_CHAR_RE.match(before) and _WORD_CHAR_RE.match(after) else ""

        line = _EMPTY_LINK_RE.sub(repl, line)
        if not found:
            break
        total += found
    return line, total


def fix_empty_links(text: str, explain: bool) -> Result:
    """
    Remove empty markdown links and images, which converters emit for images
    whose ``src`` was lazy-loaded or stripped: they carry no text and no target.

    A line that holds nothing but empty links (and spaces) is removed with its
    line break, so a stray ``![]()`` between two lines of a paragraph does not
    split it. What else is left on a line (``![]() |`` leaves ``|``) is for
    the later rules.
    """
    if "](" not in text:
        return text, 0, []
    edits: dict[int, tuple[int, int, str | None]] = {}
    details: list[LineChange] = []
    total = 0
    for index, start, end in _line_spans(text, _EMPTY_LINK_RE):
        line = text[start:end]
        new, n = _drop_empty_links(line)
        if not n:
            continue
        after: str | None = None if not new.strip(" \t") else new
        edits[index] = (start, end, after)
        total += n
        if explain:
            details.append((index + 1, line, after, n))
    if not edits:
        return text, 0, []
    return _rebuild(text, edits), total, details


# --- symbol_lines ------------------------------------------------------------------------------------------

# Candidate lines: not blank, no letter or digit. The exact decision is made in Python (``_is_residue``).
_SYMBOL_CANDIDATE_RE = re.compile(r"^[ \t]*(?:[^\w\s]|_)(?:[^\w\n]|_)*$", re.MULTILINE)
# "* * *", "***", "⁂": scene breaks in fiction are structure, not residue.
_SCENE_BREAK_RE = re.compile(r"(?:\*[ \t]*){2,}|\u2042")
# "|---|:--:|", "---|---", "| :-- |": a markdown table's header separator.
_TABLE_SEPARATOR_RE = re.compile(r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?")
# Brackets mean code ("}", "});") or maths; quotes mean dialogue ('"?"', "“…”"). Neither is residue.
_KEEP_CHARS = frozenset("()[]{}\"'\u00ab\u00bb\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2039\u203a")
_EMOJI_RE = regex.compile(r"\p{Extended_Pictographic}")


def _is_residue(stripped: str) -> bool:
    """
    True for a (stripped, non-empty) line made only of punctuation and symbols
    that nobody would miss. See :func:`fix_symbol_lines` for the exceptions.
    """
    for ch in stripped:
        if ch in _KEEP_CHARS:
            return False
        if not unicodedata.category(ch).startswith(("P", "S")) and not ch.isspace():
            return False
    if _SCENE_BREAK_RE.fullmatch(stripped):
        return False
    return _EMOJI_RE.search(stripped) is None


def fix_symbol_lines(text: str, explain: bool) -> Result:
    """
    Remove lines made only of punctuation and symbols (no letter, no digit):
    the ``|``, ``| |``, ``•``, ``---``, ``____`` and ``>`` that are
    left when a converter drops a table cell, a list item's text or a
    decoration. Horizontal rules (``---``, ``___``) in scraped prose are
    layout, not content, so they go too.

    Kept, because they are content or structure:

    - a markdown table separator (``|---|:--:|``) directly between two table
      rows (see :func:`is_table_row`);
    - scene breaks in fiction: two or more asterisks with optional spaces
      (``* * *``, ``***``) and ``⁂``;
    - lines with brackets (``}``, ``});``: code) or quotation marks
      (``"?"``, ``“…”``: dialogue);
    - lines with an emoji (``🎉🎉``), or with any character that is not
      punctuation, a symbol or a space (a combining mark, a format
      character...).

    The table check looks at the neighbouring lines of the text this rule was
    given, before any line is removed.
    """
    candidates = list(_line_spans(text, _SYMBOL_CANDIDATE_RE))
    if not candidates:
        return text, 0, []
    edits: dict[int, tuple[int, int, str | None]] = {}
    details: list[LineChange] = []
    lines: list[str] | None = None
    for index, start, end in candidates:
        line = text[start:end]
        stripped = line.strip()
        if not stripped or not _is_residue(stripped):
            continue
        if "|" in stripped and "-" in stripped and _TABLE_SEPARATOR_RE.fullmatch(stripped):
            if lines is None:
                lines = text.split("\n")
            if (
                0 < index < len(lines) - 1
                and is_table_row(lines[index - 1])
                and is_table_row(lines[index + 1])
            ):
                continue
        edits[index] = (start, end, None)
        if explain:
            details.append((index + 1, line, None, 1))
    if not edits:
        return text, 0, []
    return _rebuild(text, edits), len(edits), details


# --- dangling_pipes ----------------------------------------------------------------------------------------

# A pipe at the start or at the end of a line (spaces around it allowed).
_PIPE_EDGE_RE = re.compile(r"^[ \t]*\||\|[ \t]*$", re.MULTILINE)


def _strip_pipes(line: str) -> tuple[str, int]:
    """Drop the pipes dangling at either end of a non-table line that has words; keep its indentation."""
    if is_table_row(line):
        return line, 0
    n = 0
    core = line.rstrip(" \t|")
    if "|" in line[len(core) :] and has_alnum(core):
        line = core
        n += 1
    body = line.lstrip(" \t|")
    lead = line[: len(line) - len(body)]
    if "|" in lead and has_alnum(body):
        indent = lead[: len(lead) - len(lead.lstrip(" \t"))]
        line = indent + body
        n += 1
    return line, n


def fix_dangling_pipes(text: str, explain: bool) -> Result:
    """
    Remove a table pipe left dangling at the end of a line after words
    (``Symbolic Image |`` becomes ``Symbolic Image``) or at its start before
    words (``| Photo credit`` becomes ``Photo credit``): converters leave them
    when a one-cell layout table (a caption, a credit) is flattened.

    Real table rows (:func:`is_table_row`: at least two cells with words) are
    left alone, as are lines whose only content is pipes (``symbol_lines``
    removes those). The spaces next to a removed pipe go with it; the line's
    indentation stays.
    """
    if "|" not in text:
        return text, 0, []
    edits: dict[int, tuple[int, int, str | None]] = {}
    details: list[LineChange] = []
    total = 0
    for index, start, end in _line_spans(text, _PIPE_EDGE_RE):
        line = text[start:end]
        new, n = _strip_pipes(line)
        if n:
            edits[index] = (start, end, new)
            total += n
            if explain:
                details.append((index + 1, line, new, n))
    if not edits:
        return text, 0, []
    return _rebuild(text, edits), total, details
