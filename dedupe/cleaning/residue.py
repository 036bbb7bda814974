"""
Line-level rules for the normalisation stage: the scraping residue that
HTML-to-text converters leave behind in otherwise good prose (empty links,
symbol-only lines, dangling table pipes) and the layout clean-up after it
(trailing whitespace, blank lines).

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
    Apply per-line edits ``{index: (start, end, new_line_or_None)}`` to ``text``
    by slicing. ``None`` removes the line with one line break, which gives
    what dropping the item from ``text.split("\\n")`` and joining again
    gives: a line other than the first goes with the ``"\\n"`` before it;
    the first goes alone, and then the ``"\\n"`` that would lead the output
    goes too.
    """
    out: list[str] = []
    pos = 0
    for index, (start, end, new) in sorted(edits.items()):
        if new is None:
            cut = start - 1 if index else start
            out.append(text[pos:cut])
        else:
            out.append(text[pos:start])
            out.append(new)
        pos = end
    out.append(text[pos:])
    result = "".join(out)
    if 0 in edits and edits[0][2] is None and result.startswith("\n"):
        result = result[1:]
    return result


# --- empty_links -------------------------------------------------------------------------------------------

# ``![]()``, ``[]()``, ``![](  )``, ``![]( <> )``, ``[ ]()``, ``[![]()]()``: no text and no target, so
# nothing a reader could see or follow. The spaces after each go with it.
# Finds the lines to look at: every line with an empty link has a flat one (the innermost).
_EMPTY_LINK_RE = re.compile(r"!?\[[ \t]*\]\([ \t]*(?:<[ \t]*>[ \t]*)?\)")
_WORD_CHAR_RE = re.compile(r"\w")


def _joins(ch: str) -> bool:
    """A character that would merge with its neighbour into one word: a word character or a combining mark."""
    return bool(ch) and (_WORD_CHAR_RE.match(ch) is not None or unicodedata.category(ch).startswith("M"))


# The pieces of a line that matter for nesting: an opener, a "]" with an empty target, another "]", spaces,
# and anything else (which makes the innermost open bracket non-empty).
_LINK_TOKEN_RE = re.compile(
    r"(?P<open>!?\[)|(?P<close>\]\([ \t]*(?:<[ \t]*>[ \t]*)?\))|(?P<bracket>\])|(?P<space>[ \t]+)|[^\[\] \t!]+|!"
)


def _empty_link_spans(line: str) -> tuple[list[tuple[int, int]], int]:
    """
    The outermost empty links of a line as ``(start, end)`` spans, and how
    many links (nested ones included) they hold. A bracket whose content is
    only spaces and empty links is empty too (``[![]()]()``), so the line is
    parsed with a stack in one linear pass rather than by repeated regex
    substitution, which deep nesting would make quadratic.
    """
    stack: list[list[int]] = []  # [start, is_empty_so_far]
    spans: list[tuple[int, int]] = []
    links = 0
    for m in _LINK_TOKEN_RE.finditer(line):
        kind = m.lastgroup
        if kind == "space":
            continue
        if kind == "open":
            stack.append([m.start(), 1])
            continue
        if kind == "close" and stack and stack[-1][1]:
            start = stack.pop()[0]
            links += 1
            while spans and spans[-1][0] >= start:  # links nested in this one
                spans.pop()
            spans.append((start, m.end()))
            continue
        if kind in ("close", "bracket") and stack:
            stack.pop()
        if stack:  # text, or a bracket that was not an empty link: the enclosing bracket has content
            stack[-1][1] = 0
    return spans, links


def _drop_empty_links(line: str) -> tuple[str, int]:
    """Remove the empty links of one line (and the spaces after each); return the line and the link count."""
    spans, links = _empty_link_spans(line)
    if not links:
        return line, 0
    out: list[str] = []
    pos = 0
    i = 0
    while i < len(spans):
        start, end = spans[i]
        while True:  # swallow the spaces after the link, and any link right after them
            while end < len(line) and line[end] in " \t":
                end += 1
            if i + 1 < len(spans) and spans[i + 1][0] == end:
                i += 1
                end = spans[i][1]
            else:
                break
        out.append(line[pos:start])
        # "foo![]()bar" must not become the invented word "foobar" (nor "™![]()x" the word "TMx" under
        # NFKC, which is how words are compared downstream).
        before = unicodedata.normalize("NFKC", line[start - 1 : start])[-1:] if start else ""
        after = unicodedata.normalize("NFKC", line[end : end + 1])[:1]
        out.append(" " if _joins(before) and _joins(after) else "")
        pos = end
        i += 1
    out.append(line[pos:])
    return "".join(out), links


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
# (The body after a "\n" rather than a multi-line "^": a literal first character lets the regex engine skip
# ahead, which makes this scan four times faster; the first line is matched on its own.)
_SYMBOL_LINE_BODY = r"[ \t]*(?:[^\w\s]|_)(?:[^\w\n]|_)*(?=\n|\Z)"
_SYMBOL_CANDIDATE_RE = re.compile(r"\n" + _SYMBOL_LINE_BODY)
_SYMBOL_FIRST_LINE_RE = re.compile(_SYMBOL_LINE_BODY)
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


def has_symbol_candidates(text: str) -> bool:
    """Whether any line has no letter or digit but some symbol: without one, ``symbol_lines`` has nothing
    to look at."""
    return _SYMBOL_FIRST_LINE_RE.match(text) is not None or _SYMBOL_CANDIDATE_RE.search(text) is not None


def _symbol_candidates(text: str):
    """``(index, start, end)`` of the lines with no letter or digit but some symbol (see ``_line_spans``)."""
    if _SYMBOL_FIRST_LINE_RE.match(text):
        end = text.find("\n")
        yield 0, 0, len(text) if end == -1 else end
    index, counted_to = 0, 0
    for m in _SYMBOL_CANDIDATE_RE.finditer(text):
        start = m.start() + 1
        index += text.count("\n", counted_to, start)
        counted_to = start
        yield index, start, m.end()


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
    candidates = list(_symbol_candidates(text))
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
            if 0 < index < len(lines) - 1 and is_table_row(lines[index - 1]) and is_table_row(lines[index + 1]):
                continue
        edits[index] = (start, end, None)
        if explain:
            details.append((index + 1, line, None, 1))
    if not edits:
        return text, 0, []
    return _rebuild(text, edits), len(edits), details


# --- dangling_pipes ----------------------------------------------------------------------------------------


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


def _pipe_lines(text: str):
    """``(index, start, end)`` of each line with a ``|`` (see ``_line_spans``), found with ``str.find``."""
    index, counted_to, pos = 0, 0, 0
    while (p := text.find("|", pos)) != -1:
        start = text.rfind("\n", 0, p) + 1
        end = text.find("\n", p)
        end = len(text) if end == -1 else end
        index += text.count("\n", counted_to, start)
        counted_to = start
        yield index, start, end
        pos = end + 1


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
    for index, start, end in _pipe_lines(text):
        line = text[start:end]
        if not (line.lstrip(" \t").startswith("|") or line.rstrip(" \t").endswith("|")):
            continue
        new, n = _strip_pipes(line)
        if n:
            edits[index] = (start, end, new)
            total += n
            if explain:
                details.append((index + 1, line, new, n))
    if not edits:
        return text, 0, []
    return _rebuild(text, edits), total, details


# --- trailing_whitespace and blank_lines -------------------------------------------------------------------


def fix_trailing_whitespace(text: str, explain: bool) -> Result:
    """
    Remove spaces and tabs at line ends: invisible, and the commonest way two
    copies of a page differ. (Unicode spaces are already ASCII spaces after
    ``odd_spaces``; a line of only spaces becomes empty, for ``blank_lines``.)
    """
    if " \n" not in text and "\t\n" not in text and not text.endswith((" ", "\t")):
        return text, 0, []
    # A loop over the lines beats a regex here: the regex would try every space in the text.
    lines = text.split("\n")
    details: list[LineChange] = []
    n = 0
    for i, line in enumerate(lines):
        if line.endswith((" ", "\t")):
            lines[i] = line.rstrip(" \t")
            n += 1
            if explain:
                details.append((i + 1, line, lines[i], 1))
    return "\n".join(lines), n, details


# Two or more blank (empty or spaces/tabs only) lines in a row, between content.
_BLANK_RUN_RE = re.compile(r"\n(?:[ \t]*\n){2,}")


def fix_blank_lines(text: str, explain: bool) -> Result:
    """
    At most one blank line in a row (a paragraph break stays a paragraph
    break; three are layout), none at the start and none at the end. A text
    file's final line break is part of the file's form, not content, so it
    is kept and is no change: the document ends with its last line of
    content and, when the input had one, a single line break. (The exact
    duplicate key ignores that line break, so a copy with a final newline
    and one without are still exact copies.) Blank means empty or only
    spaces and tabs; a collapsed run becomes one empty line. (Trailing
    spaces on the last line of content are ``trailing_whitespace``'s
    business and stay if that rule is off.) Each leading region, trailing
    region and collapsed run counts as one occurrence.
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
    # Trailing blank lines: everything after the first "\n" that follows the last content.
    tail = text.find("\n", len(text.rstrip(" \t\n")))
    if tail != -1 and tail + 1 < len(text):
        count += 1
        if explain:
            details.append((lead_lines + text.count("\n", 0, tail) + 2, text[tail + 1 :], None, 1))
        text = text[: tail + 1]
    if _BLANK_RUN_RE.search(text) is not None:
        if explain:
            for m in _BLANK_RUN_RE.finditer(text):
                line = lead_lines + text.count("\n", 0, m.start()) + 3
                details.append((line, m.group()[1:-1], None, 1))
        text, n = _BLANK_RUN_RE.subn("\n\n", text)
        count += n
    return text, count, details
