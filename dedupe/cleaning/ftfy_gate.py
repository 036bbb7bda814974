"""The exact gate in front of ftfy: which lines ftfy could change at all, so that clean text never pays for
ftfy. :func:`gated_fix_text` gives exactly ``ftfy.fix_text``'s result; :func:`ftfy_gate` says why that holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import ftfy
from ftfy.badness import MOJIBAKE_CATEGORIES
from ftfy.chardata import HTML_ENTITY_RE, LIGATURES, WIDTH_MAP

__all__ = ["FtfyGate", "ftfy_config", "ftfy_gate", "gated_fix_text"]


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
def ftfy_gate(config: ftfy.TextFixerConfig) -> FtfyGate:
    """
    The exact gate in front of ftfy: a matcher (:class:`FtfyGate`) such that
    any line (ftfy segment) it finds nothing in is returned unchanged by ftfy
    with ``config``.

    ftfy fixes text segment by segment (a line with its ``\\n``; lines over
    ``max_decode_length`` in chunks), and within a segment applies each fixer
    until nothing changes, so a segment on which every enabled fixer is a
    no-op comes back as is. Fixer by fixer (ftfy 6.3, ``fixes.py``,
    ``chardata.py``, ``badness.py``):

    - ``unescape_html`` changes only text matching ``HTML_ENTITY_RE``
      (``&#?[0-9A-Za-z]{1,24};``): that pattern is a branch of the gate
      (left out when unescaping is off, as it is from the first ``<`` on).
    - ``remove_terminal_escapes`` needs ``\\x1b``; ``fix_surrogates`` needs
      U+D800-U+DFFF; ``fix_latin_ligatures`` needs a ``LIGATURES`` key;
      ``fix_c1_controls`` needs U+0080-U+009F; ``uncurl_quotes`` (if on)
      needs U+02BC or U+2018-U+201F; ``fix_character_width`` (if on) needs a
      ``WIDTH_MAP`` key. All are in the gate's character class.
    - ``fix_encoding`` returns its input unless ``badness.is_bad(segment)``,
      i.e. unless ``BADNESS_RE`` matches. Every alternative of ``BADNESS_RE``
      needs at least one character from a set we choose per alternative
      (a "hitting set"), chosen to avoid letters of clean text: the
      categories ``c1``, ``bad``, ``box``, ``currency``, ``numeric`` plus
      ``°œŒÙЂ‚`` and the mojibake leaders ``ÂÃÎÐØ`` (their alternatives go on
      with characters clean text has). The alternatives that need only common
      characters (curly quotes, accented letters) are covered by 2-character
      branches instead: an ``end_punctuation`` character followed by a
      ``lower_accented`` or ``start_punctuation`` one; a ``lower_accented``/
      ``ВГРС``/``ΒΓΞΟ`` letter followed by start or end punctuation; and for
      ``upper_accented`` letters, which clean German, French or Spanish text
      has at the start of words (``Über``, ``École``, ``Ángel``), the pairs
      those alternatives need: one after a ``lower_accented`` or Greek or
      Cyrillic lower-case letter or end punctuation, or one before start or
      end punctuation or ``law`` (``¶§``); every other alternative with an
      upper-case accented letter also needs a character of the hitting set.
      So clean French, German, Spanish, Russian, Greek, CJK and English with
      curly quotes pass the gate untouched.

    So the gate is::

        [\\x1b C1 surrogates ligatures (quotes) (widths) c1 bad box currency numeric °œŒÙЂ‚ ÂÃÎÐØ]
        | [end_punctuation][lower_accented start_punctuation]
        | [lower_accented ВГРС ΒΓΞΟ][start_punctuation end_punctuation]
        | [lower_accented lower_common end_punctuation][upper_accented]
        | [upper_accented][start_punctuation end_punctuation law]
        | &#?[0-9A-Za-z]{1,24};

    run as one character-class scan plus a check at each hit (see
    :class:`FtfyGate`).

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
    single += cat["c1"] + cat["bad"] + cat["box"] + cat["currency"] + cat["numeric"]
    single += "\u00b0\u0153\u00d9\u0402\u201a"  # ° œ Ù Ђ ‚
    single += "\u00c2\u00c3\u00ce\u00d0\u00d8\u0152"  # Â Ã Î Ð Ø Œ
    end, start, lower = cat["end_punctuation"], cat["start_punctuation"], cat["lower_accented"]
    upper, law = cat["upper_accented"], cat["law"]
    quotes = start + end
    pairs = (
        f"[{end}][{lower}{start}]|[{lower}\u0412\u0413\u0420\u0421\u0392\u0393\u039e\u039f][{quotes}]"
        f"|[{lower}{cat['lower_common']}{end}][{upper}]|[{upper}][{quotes}{law}]"
    )
    entities = config.unescape_html is not False  # with unescaping off, "&" cannot change anything
    scan = f"[{single}{quotes}{upper}{'&' if entities else ''}]"
    return FtfyGate(re.compile(scan), re.compile(f"[{single}]"), re.compile(pairs), entities)


class FtfyGate:
    """
    The compiled gate (see :func:`ftfy_gate`). One character-class scan finds
    every character that could start or end a gate match (the single
    characters, ``&``, start and end punctuation); a hit on a single
    character is a match, other hits are confirmed with the entity or pair
    pattern at that spot. One scan is four times faster than a regex with
    four alternatives, and curly quotes in clean text cost one cheap check.
    """

    __slots__ = ("full", "pairs", "scan", "single")

    # After this many scan hits that were not matches (a text dense in "&" or quotes), one regex with the
    # alternatives spelled out is cheaper than a Python-level check per hit.
    MISSES_BEFORE_FULL_REGEX = 32

    def __init__(
        self, scan: re.Pattern[str], single: re.Pattern[str], pairs: re.Pattern[str], entities: bool = True
    ) -> None:
        self.scan, self.single, self.pairs = scan, single, pairs
        full = f"{single.pattern}|{pairs.pattern}" + (f"|{HTML_ENTITY_RE.pattern}" if entities else "")
        self.full = re.compile(full)

    def search(self, text: str, pos: int = 0) -> tuple[int, int] | None:
        """``(start, end)`` of the first gate match at or after ``pos``, or None."""
        scan, single, pairs = self.scan, self.single, self.pairs
        misses = 0
        while (m := scan.search(text, pos)) is not None:
            if misses == self.MISSES_BEFORE_FULL_REGEX:
                full = self.full.search(text, pos)
                return None if full is None else full.span()
            misses += 1
            i = m.start()
            if single.match(text, i):
                return i, i + 1
            if text[i] == "&":
                if (entity := HTML_ENTITY_RE.match(text, i)) is not None:
                    return i, entity.end()
            elif pairs.match(text, i):
                return i, i + 2
            elif i > pos and pairs.match(text, i - 1):
                return i - 1, i + 1
            pos = i + 1
        return None


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
    first_lt = text.find("<") if config.unescape_html == "auto" else -1
    no_html = config._replace(unescape_html=False)
    # From the line with the first "<" on, ftfy does not unescape, so "&" stops mattering there.
    gate, gate_after_lt = ftfy_gate(config), ftfy_gate(no_html)
    lt_line = text.rfind("\n", 0, first_lt) + 1 if first_lt >= 0 else len(text) + 1

    def find(pos: int) -> tuple[int, int] | None:
        if pos < lt_line:
            hit = gate.search(text, pos)
            if hit is None or hit[0] < lt_line:  # (no hit at all means none for the narrower gate either)
                return hit
            pos = lt_line
        return gate_after_lt.search(text, pos)

    out: list[str] = []
    segments: list[tuple[int, str, str]] = []
    pos = 0
    hit = find(0)
    while hit is not None:
        start = text.rfind("\n", 0, hit[0]) + 1
        end = text.find("\n", hit[1] - 1)
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
        hit = find(end) if end < len(text) else None
    if not segments:
        return text, []
    out.append(text[pos:])
    return "".join(out), segments
