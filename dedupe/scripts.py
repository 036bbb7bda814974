"""The scripts written without spaces between words, defined once for every part of dedupe that splits words.

Chinese, Japanese, Thai, Lao, Khmer and Burmese run a sentence's words together, so a "word" found by
splitting at spaces or at non-letters is a whole phrase or sentence, and two copies of an article share
almost none. Wherever dedupe counts or compares words (near-duplicate shingles, repeated blocks), a
character of these scripts is therefore a word of its own: a character is about a syllable, and a few
consecutive ones are about as selective as a few words elsewhere. Hangul is not here: Korean separates
its words with spaces.

The set is Unicode Script properties as the ``regex`` module knows them (``Script``, not
``Script_Extensions``): Han includes the CJK compatibility ideographs, radicals and the iteration mark
``々``; Katakana includes the halfwidth forms. Characters that Unicode assigns to the Common script stay
outside, though Japanese uses them, among them the prolonged sound mark ``ー`` and the halfwidth voicing
marks; between characters of these scripts they still end up alone.

Other scripts written without spaces (Yi, Tai Tham, New Tai Lue, Tai Le, Tai Viet, Javanese, Balinese)
are not in the set: adding one changes repeat repair and every signature of its texts, a decision for
when text in it turns up. Tibetan is left out too: a tsheg (``་``) separates its syllables, and is not
``\\w``, so near-duplicate tokens are no longer than a syllable already.

Changing the set changes signatures (a saved index records its tokenisation, ``dedupe.run.saved_index``)
and repeat repair, whose compiled pre-check assumes that no such script starts below Thai (U+0E00).
"""

from __future__ import annotations

import regex

__all__ = ["SPACELESS_SCRIPTS", "split_spaceless"]

SPACELESS_SCRIPTS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
"""The body of a ``regex`` character class: ``f"[{SPACELESS_SCRIPTS}]"`` matches one such character."""

_PIECES = regex.compile(rf"[{SPACELESS_SCRIPTS}]|[^{SPACELESS_SCRIPTS}]+")


def split_spaceless(run: str) -> list[str]:
    """``run`` cut before and after every character of a script written without spaces (see the module)."""
    return _PIECES.findall(run)
