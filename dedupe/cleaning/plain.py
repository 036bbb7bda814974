"""Plain text: a text that no normalisation rule would change, recognised in one quick look.

Most documents of a news or web corpus need no repair at all, yet asking each of the nine rules in turn
costs more than all the later steps for a short document. :func:`is_plain` answers for all of them at once,
and only ever says yes when every rule's own gate would say "nothing to do", whatever the options (a
skipped rule changes nothing either):

- **ASCII only**, so ``ftfy`` (without ``&`` or ESC it has nothing to fix in ASCII: its exact gate),
  ``unicode_form`` and ``odd_spaces`` have nothing to do;
- **printable characters and line breaks only**, and none of ``& | [`` (no control characters, no HTML
  entity, no table pipe, no markdown link): ``control_chars``, ``dangling_pipes`` and ``empty_links``
  have nothing to do;
- **no space at a line's end** (tabs are not printable here): ``trailing_whitespace`` has nothing to do,
  and so no line is blank but empty ones;
- **no blank line at the start, at most one line break at the end, never two blank lines in a row**:
  ``blank_lines`` has nothing to do;
- **no line of symbols without a letter or digit**: ``symbol_lines`` has nothing to do.

Anything else takes the rules one by one, which give the same text for a plain one
(``tests/test_normalize_properties.py`` checks this on generated texts).
"""

from __future__ import annotations

from dedupe.cleaning.residue import has_symbol_candidates

# Printable ASCII and the line break, less the characters some rule looks for.
_PLAIN_BYTES = bytes(sorted(set(range(0x20, 0x7F)) - set(b"&|[") | {0x0A}))


def is_plain(text: str) -> bool:
    """True only for a text that every normalisation rule leaves as it is (see the module doc)."""
    if not text.isascii() or text[:1] in ("", " ", "\n"):
        return False
    if text.encode("ascii").translate(None, _PLAIN_BYTES):
        return False  # a character outside the plain set
    if text.endswith((" ", "\n\n")) or " \n" in text or "\n\n\n" in text:
        return False
    return not has_symbol_candidates(text)
