"""Which documents need the passes at all: most have no repeats, and for them deciding so is the whole
cost of the stage.

Each text gets two answers, "the block pass may find something" and "the sentence pass may find
something".  Both are necessary conditions, never sufficient ones: a wrong "maybe" only costs the time of
passes that then find nothing, a wrong "no" would change the output, so every check errs towards "maybe"
(the tests compare `repair` with `repair_reference`, which runs the passes on every text).  With numba the
answers come from `kernels`, in one compiled call per text or per batch (one more for the texts whose key
needs code points); without it (and for a small input, see `dedupe.compiled.kernels_for`) from
`may_have_block_repeats` and `may_have_sentence_repeats`, a few C-level string passes that are also the
reference the kernel's first stage is tested against.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from itertools import chain, compress, filterfalse, repeat
from operator import methodcaller, sub

import numpy as np

from dedupe.cleaning.repeats.kernels import (
    BLOCK,
    BLOCK_HIT,
    NEEDS_PYTHON,
    RUN_HIT,
    SENTENCE,
    WIDE,
    kernel_view,
    scan_many,
    scan_text,
    scan_wide,
)
from dedupe.cleaning.repeats.key_text import SLACK
from dedupe.cleaning.repeats.keys import key_table, keyed, normalise
from dedupe.cleaning.repeats.passes import (
    ANCHOR,
    DEFAULT_OPTIONS,
    MIN_SENTENCE,
    PREFIX,
    SENT_SPLIT,
    SUFFIX,
    WRAP_WIDTH,
    Options,
    sentence_text,
)
from dedupe.compiled import HAVE_NUMBA, kernels_on

# The bytes after a text's end that the 64-byte steps of `key_text.build_keys` may read (never used).
_PAD_BYTES = bytes(SLACK)


# A pre-check as `repair` takes it: (text, options) -> (block pass may find something, sentence pass
# may find something).
Checks = Callable[[str, Options], tuple[bool, bool]]


def checks(text: str, opts: Options) -> tuple[bool, bool]:
    """(the block pass may find something, the sentence pass may find something) for ``text``."""
    if not (HAVE_NUMBA and kernels_on()):
        return python_checks(text, opts)
    flags = _scan(text, opts)
    return bool(flags & BLOCK_HIT), bool(flags & RUN_HIT)


def checks_many(texts: list[str], opts: Options) -> list[tuple[bool, bool]]:
    """`checks` of each text; with numba in one kernel call for them all (`_scan_texts`)."""
    if not (HAVE_NUMBA and kernels_on()):
        return [python_checks(t, opts) for t in texts]
    return [(bool(f & BLOCK_HIT), bool(f & RUN_HIT)) for f in _scan_texts(texts, opts)]


def no_checks(text: str, opts: Options) -> tuple[bool, bool]:
    """Run both passes on every round: the reference the checks must never change the output of."""
    return True, True


def fast_checks(text: str, min_chars: int) -> tuple[bool, bool]:
    """(`may_have_block_repeats`, `may_have_sentence_repeats`) of ``text``, or where numba is present
    stage 1 of the kernel, which is never False where they are True (tests compare them)."""
    opts = Options(min_chars, 0, 0.0, 0)
    if not HAVE_NUMBA:
        return python_checks(text, opts)
    flags = _scan(text, opts, precise=False)
    return bool(flags & BLOCK), bool(flags & SENTENCE)


def python_checks(text: str, opts: Options) -> tuple[bool, bool]:
    """The cheap necessary conditions in Python: the reference of stage 1, and the path without numba."""
    joined, keys = keyed(text)
    block = may_have_block_repeats(joined, keys, opts.min_chars)
    return block, may_have_sentence_repeats(sentence_text(joined))


_STRIP_NL = methodcaller("strip", "\n")


def _flat(anchors: Iterable[str], joined: str) -> list[str]:
    """``[a.replace("\\n", " ") for a in anchors]``, with one join/replace/split when ``\\x00`` is free."""
    if "\x00" in joined:
        return [a.replace("\n", " ") for a in anchors]
    return "\x00".join(anchors).replace("\n", " ").split("\x00")


def may_have_block_repeats(joined: str, keys: list[str], min_chars: int) -> bool:
    """A cheap necessary condition for `passes.block_pass` finding anything; False for most documents.

    The block pass only removes a block of at least ``min_chars`` characters that (a) has the key of
    another block, so the same first and last ``ANCHOR`` characters, or (b) nearly repeats another
    block, where both take part in near matching (paragraphs, and lines of paragraphs that are not
    wrapped, see `WRAP_WIDTH`) and share their first or their last ``ANCHOR`` characters.  This tests
    both with set building and C-level iteration (Python steps only per paragraph of several lines).  A
    paragraph shares anchors with its own first or last line, which the block pass never compares with
    it (it registers a paragraph after its lines), so exactly those collisions are allowed.
    """
    long_lines = list(compress(keys, map(min_chars.__le__, map(len, keys))))
    anchors = set(zip(map(PREFIX, long_lines), map(SUFFIX, long_lines), strict=True))
    if len(anchors) < len(long_lines):
        return True  # (a) between lines; from here on the long lines are all different
    # Paragraphs of several lines, as text with "\n" inside (stripped: runs of blank lines).
    pieces = list(map(_STRIP_NL, joined.split("\n\n")))
    multi = list(compress(pieces, map(str.__contains__, pieces, repeat("\n"))))
    wrapped = [p for p in multi if max(map(len, p.split("\n"))) <= WRAP_WIDTH]
    near_lines = long_lines
    if wrapped:
        wrapped_lines = set(chain.from_iterable(p.split("\n") for p in wrapped))
        near_lines = list(filterfalse(wrapped_lines.__contains__, long_lines))
    prefixes, suffixes = set(map(PREFIX, near_lines)), set(map(SUFFIX, near_lines))
    if len(prefixes) < len(near_lines) or len(suffixes) < len(near_lines):
        return True  # (b) between lines
    multi = list(compress(multi, map(min_chars.__le__, map(len, multi))))
    if not multi:
        return False
    # Paragraph anchors as they are in the key (line breaks read as spaces).
    pre, suf = _flat(map(PREFIX, multi), joined), _flat(map(SUFFIX, multi), joined)
    para_anchors = set(zip(pre, suf, strict=True))
    if len(para_anchors) < len(multi) or not anchors.isdisjoint(para_anchors):
        return True  # (a) with a paragraph
    if len(set(pre)) < len(multi) or len(set(suf)) < len(multi):
        return True  # (b) between paragraphs
    # (b) between a paragraph and a line: allowed only with the paragraph's own first (last) line, which
    # is a near line with the paragraph's prefix (suffix) exactly when the paragraph is not wrapped and
    # that line is long enough for both.
    need = max(min_chars, ANCHOR)
    unwrapped = [p for p in multi if max(map(len, p.split("\n"))) > WRAP_WIDTH]
    own_first = sum(map(need.__le__, map(str.find, unwrapped, repeat("\n"))))
    last_lens = map(sub, map(len, unwrapped), map(str.rfind, unwrapped, repeat("\n")))  # last length + 1
    own_last = sum(map((need + 1).__le__, last_lens))
    return sum(map(prefixes.__contains__, pre)) > own_first or sum(map(suffixes.__contains__, suf)) > own_last


def may_have_sentence_repeats(text: str) -> bool:
    """A cheap necessary condition for `passes.sentence_pass` finding anything: some sentence of at least
    ``MIN_SENTENCE`` characters occurs twice (every qualifying run holds one)."""
    pieces = SENT_SPLIT.split(text.strip(" "))
    pieces = list(compress(pieces, map(MIN_SENTENCE.__le__, map(len, pieces))))
    return len(set(pieces)) < len(pieces)


def kernel_keys(text: str, padded: bool = True) -> tuple[str, list[int], list[tuple[int, int]]] | None:
    """(``"\\n".join(keys)``, full stop offsets, sentence piece bounds) as the kernel sees ``text`` (with
    the batch's `SLACK` bytes after it, or without, as for one text), or None where it leaves the text to
    `normalise`: the tests compare this with the Python definitions."""
    encoded = text.encode("utf-8", "surrogatepass")
    cu = encoded + _PAD_BYTES if padded else encoded
    status, codes, _, _, stops, first, last = kernel_view(cu, len(encoded), key_table())
    if status < 0:
        return None
    joined = codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    return joined, stops.tolist(), list(zip(first.tolist(), last.tolist(), strict=True))


def _scan_texts(texts: list[str], opts: Options, precise: bool = True) -> list[int]:
    """Kernel flags of each text: one kernel call over the UTF-8 of them all, then `scan_wide` over the same
    bytes for those with a key character wider than a byte, and over the normalised code points of those
    with a character only `normalise` handles.  (Each text is encoded on its own: an ASCII text encodes as
    a copy, while one non-ASCII text in a joined string would make the whole string encode character by
    character.)"""
    params = _kernel_params(opts, precise)
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    data = np.frombuffer(b"".join([*encoded, _PAD_BYTES]), np.uint8)
    sizes = _sizes(encoded)
    found = scan_many(data, sizes, key_table(), *params)
    if (found & WIDE).any():
        scan_wide(data, sizes, found, key_table(), *params)
    flags = found.tolist()
    redo = [i for i, f in enumerate(flags) if f & NEEDS_PYTHON]
    if redo:
        normalised = [normalise(texts[i]) for i in redo]
        codes = np.frombuffer("".join(normalised).encode("utf-32-le", "surrogatepass"), np.uint32)
        found = np.full(len(redo), WIDE, np.uint8)
        scan_wide(codes, _sizes(normalised), found, key_table(), *params)
        for i, f in zip(redo, found.tolist(), strict=True):
            flags[i] = f
    return flags


def _sizes(texts: list[bytes] | list[str]) -> np.ndarray:
    """The lengths of the texts, as `scan_many` and `scan_wide` take them."""
    return np.fromiter(map(len, texts), np.int64, len(texts))


def _scan(text: str, opts: Options, precise: bool = True) -> int:
    """`_scan_texts` of one text, without the batch's packing (a dozen small numpy calls).  The bytes go to
    numba as the read-only array that `scan_many` cuts its texts from, so that one compiled `_scan_one`
    serves both (a ``bytes`` object would make numba compile all of it once more on a first run).  The
    rare texts that need code points go to `scan_wide` as a batch of one."""
    params = _kernel_params(opts, precise) if opts is not DEFAULT_OPTIONS else _DEFAULT_PARAMS[precise]
    encoded = np.frombuffer(text.encode("utf-8", "surrogatepass"), np.uint8)
    flags = scan_text(encoded, encoded.shape[0], key_table(), *params)
    if flags & WIDE:
        flags = _scan_wide_one(encoded, params)
    if flags & NEEDS_PYTHON:
        flags = _scan_wide_one(np.frombuffer(normalise(text).encode("utf-32-le", "surrogatepass"), np.uint32), params)
    return int(flags)


def _scan_wide_one(units: np.ndarray, params: tuple[int, int, float, int, bool]) -> int:
    """The flags `scan_wide` gives the one text ``units``."""
    found = np.full(1, WIDE, np.uint8)
    scan_wide(units, np.full(1, units.shape[0], np.int64), found, key_table(), *params)
    return int(found[0])


_BIG = 2**62  # beyond any length or count; the kernel takes 64-bit integers


def _count(limit: float) -> int:
    """A length or word-count threshold as the integer with the same meaning for integer counts (the
    kernel gets one type, so no option value makes numba compile it again): ``n >= 40.5`` iff
    ``n >= 41``; infinities and numbers beyond any count are clamped."""
    if math.isnan(limit):
        return _BIG  # nothing is >= nan
    if math.isinf(limit):
        return _BIG if limit > 0 else -_BIG
    return max(-_BIG, min(_BIG, math.ceil(limit)))


def _kernel_params(opts: Options, precise: bool) -> tuple[int, int, float, int, bool]:
    """The options as the kernel takes them (after the texts and the key table)."""
    return (
        _count(opts.min_chars),
        _count(opts.min_words),
        float(opts.near_threshold),
        _count(opts.min_run_chars),
        precise,
    )


_DEFAULT_PARAMS = {precise: _kernel_params(DEFAULT_OPTIONS, precise) for precise in (False, True)}
