"""The compiled pre-check: which documents the passes may change.

Most documents have no repeats.  For them the whole cost is deciding so, and in Python that needs some
twenty C-level passes over the text (`precheck.may_have_block_repeats`,
`precheck.may_have_sentence_repeats`).  The kernel here decides it in one compiled pass and two stages:

1. `key_text.build_keys` writes ``"\\n".join(keys)`` (see its docstring), with the line bounds and the
   full stops; `key_text.pieces` cuts it into the sentences of `passes.sentence_text` without building
   that text.  Then the two cheap necessary conditions: `_anchors_collide` on hashes of anchors,
   `_sentences_collide` comparing sentences exactly.  Their answer is the Python checks' (tests compare
   them).
2. Only for the few documents that pass one (about 6 % of book text: boilerplate with alike lines, lines
   that share a first word group) it replays the decisions of the passes themselves, without a key
   string or a dict: `_block_hit` visits blocks in `passes.block_pass`'s order with its exact-key set and
   its "first block with this anchor" maps, and bounds the similarity of the candidates by their token
   counts and by difflib's ``quick_ratio`` (both upper bounds of the ratio); `_run_hit` looks for a run
   of repeated sentences that `passes.sentence_pass` would flag.  Without this stage, a document that
   merely has alike lines would cost the full Python passes.

Both stages are necessary conditions, never sufficient ones: equal strings always get equal hashes, so a
hash collision can only send a document to the Python passes, which then find nothing, and where stage 2
cannot count safely (scripts written without spaces) it answers "maybe".  So the output never depends on
the kernel, only the time does (tests compare with the unfiltered path).

`scan_many` runs the kernel over many texts concatenated, so that `repair_many` pays the numba call and
the work arrays once per batch rather than once per document, as `signatures` does.  It writes each key
text as bytes; the few texts whose key needs wider characters (Greek, Cyrillic, CJK: flag `WIDE`) or
`keys.normalise` (`NEEDS_PYTHON`) are scanned again by `scan_wide`, with the key text as code points.  That
is a second kernel, called from Python only for them, because numba compiles every function a kernel
calls, for its argument types, when the kernel is first called: within `scan_many` the code-point
specialisation of `_analyse` would be compiled on every first run.  For the same reason helpers are given
their constant arguments as numpy scalars (`_AS_IS`, `_PREFIX` ...), which numba compiles once, not per
literal value.  Integers in the hot
loops are unsigned: with signed indices numba adds a negative-index check to every access.  The options
that are constants of the passes (`passes.ANCHOR`, `passes.WRAP_WIDTH`, `passes.MIN_SENTENCE`) are read
from there, so they are defined once (numba compiles them in: see `dedupe.compiled` about its cache).
"""

from __future__ import annotations

import numpy as np

from dedupe.cleaning.repeats.hashing import GOLDEN, ONE, hash_set, hash_span, sample_hash, set_add, set_has
from dedupe.cleaning.repeats.intrinsics import bytewise
from dedupe.cleaning.repeats.key_text import SLACK, build_keys, pieces
from dedupe.cleaning.repeats.passes import ANCHOR, MIN_SENTENCE, WRAP_WIDTH
from dedupe.compiled import jit

# Code points from here on may belong to a script written without spaces (the passes' list of them starts
# with Thai at U+0E00), whose characters the passes count as single words: stage 2 then does not count.
_SPACELESS = 0x0E00

# Arguments of the helpers below as numpy scalars, not Python literals: numba compiles a helper once for each
# literal value it is called with, but once for all values of a numpy scalar type.  `hash_span`'s modes:
_AS_IS = np.int64(0)  # key characters as they are
_PARAGRAPH = np.int64(1)  # "\n" read as " " (a paragraph's key)
_SENTENCES = np.int64(2)  # also "!" and "?" read as "." (`passes.sentence_text`)
# Which anchor of a block an anchor map holds (`_anchor_slot`):
_PREFIX = np.bool_(False)
_SUFFIX = np.bool_(True)

# Kernel flags, one byte per text.
BLOCK = 1  # stage 1: two long blocks share anchors (implied by precheck.may_have_block_repeats)
SENTENCE = 2  # stage 1: a sentence of MIN_SENTENCE+ characters occurs twice (implied by ..._sentence_repeats)
BLOCK_HIT = 4  # stage 2: passes.block_pass may find a block to remove
RUN_HIT = 8  # stage 2: passes.sentence_pass may find a run of repeated sentences
NEEDS_PYTHON = 16  # a character only keys.normalise handles: scan the normalised text's code points instead
WIDE = 32  # a key character wider than a byte: scan the UTF-8 again with the key text as code points


@jit
def _near_lines(starts, ends, lines, wrap_width):  # type: ignore[no-untyped-def]
    """Which lines take part in near matching: not those of a wrapped paragraph (see passes.WRAP_WIDTH)."""
    near_line = np.ones(lines, np.bool_)
    j = 0
    while j < lines:
        last = j
        width = ends[j] - starts[j]
        while width > 0 and last + 1 < lines and ends[last + 1] > starts[last + 1]:
            last += 1
            width = max(width, ends[last] - starts[last])
        if last > j and width <= wrap_width:
            near_line[j : last + 1] = False
        j = last + 1
    return near_line


@jit
def _paragraph_end(starts, ends, lines, j):  # type: ignore[no-untyped-def]
    """The last line of the paragraph (run of non-blank lines) that starts at line ``j``."""
    last = j
    while last + 1 < lines and ends[last + 1] > starts[last + 1]:
        last += 1
    return last


# Salts that keep the six sets of `_anchors_collide` apart in one hash table.
_SALTS = np.array(
    [0, 0x5BD1E9955BD1E995, 0x27D4EB2F165667C5, 0x165667B19E3779F9, 0x85EBCA77C2B2AE63, 0xC2B2AE3D27D4EB4F], np.uint64
)


@jit
def _anchors_collide(out, starts, ends, lines, near_line, min_chars, anchor):  # type: ignore[no-untyped-def]
    """Stage 1 for blocks: `precheck.may_have_block_repeats` on anchor hashes (six sets in one table)."""
    both, pre, suf, pboth, ppre, psuf = _SALTS[0], _SALTS[1], _SALTS[2], _SALTS[3], _SALTS[4], _SALTS[5]
    table = hash_set(3 * lines)
    # Lines: (a) equal keys have equal (prefix, suffix); (b) near lines must not share an anchor.
    for j in range(lines):
        length = ends[j] - starts[j]
        if length >= min_chars:
            a = min(anchor, length)
            hp = hash_span(out, starts[j], starts[j] + a, _AS_IS)
            hs = hash_span(out, ends[j] - a, ends[j], _AS_IS)
            hb = hp * GOLDEN ^ hs
            if set_add(table, hb ^ both) or (near_line[j] and (set_add(table, hp ^ pre) or set_add(table, hs ^ suf))):
                return True
    # Paragraphs of several lines: the same with their keys (line breaks read as spaces), except that a
    # paragraph may share anchors with its own first and last line.
    need = max(min_chars, anchor)
    j = 0
    while j < lines:
        if ends[j] == starts[j]:
            j += 1
            continue
        last = _paragraph_end(starts, ends, lines, j)
        s0 = starts[j]
        e0 = ends[last]
        if last > j and e0 - s0 >= min_chars:
            a = min(anchor, e0 - s0)
            hp = hash_span(out, s0, s0 + a, _PARAGRAPH)
            hs = hash_span(out, e0 - a, e0, _PARAGRAPH)
            hb = hp * GOLDEN ^ hs
            own = near_line[j]  # an unwrapped paragraph: its lines are near lines
            if (
                set_has(table, hb ^ both)
                or set_add(table, hb ^ pboth)
                or set_add(table, hp ^ ppre)
                or set_add(table, hs ^ psuf)
                or (set_has(table, hp ^ pre) and not (own and ends[j] - starts[j] >= need))
                or (set_has(table, hs ^ suf) and not (own and ends[last] - starts[last] >= need))
            ):
                return True
        j = last + 1
    return False


@jit
def _same(buf, a, b, length, mode):  # type: ignore[no-untyped-def]
    """``buf[a:a + length]`` and ``buf[b:b + length]`` are equal strings when read as `hash_span` ``mode``
    says (a line feed as a space; in mode 2 "!" and "?" as "." too)."""
    for t in range(length):
        x, y = buf[a + t], buf[b + t]
        if x != y:
            x = 32 if x == 10 else 46 if mode == 2 and (x == 33 or x == 63) else x
            y = 32 if y == 10 else 46 if mode == 2 and (y == 33 or y == 63) else y
            if x != y:
                return False
    return True


@jit
def _sentences_collide(out, first, last, count, min_sentence):  # type: ignore[no-untyped-def]
    """Stage 1 for sentences: `precheck.may_have_sentence_repeats`, exactly: pieces of ``min_sentence`` or more
    characters are indexed by `sample_hash`, and those with equal samples compared in full."""
    keys = hash_set(count)
    index = np.empty(keys.shape[0], np.int64)
    mask = keys.shape[0] - 1
    for p in range(count):
        length = last[p] - first[p]
        if length < min_sentence:
            continue
        h = sample_hash(out, first[p], last[p], _SENTENCES) | ONE
        k = int(h >> np.uint64(40)) & mask
        while keys[k] != 0:
            q = index[k]
            if keys[k] == h and last[q] - first[q] == length and _same(out, first[q], first[p], length, _SENTENCES):
                return True
            k = (k + 1) & mask
        keys[k] = h
        index[k] = p
    return False


@jit
def _token_stats(buf, s, e):  # type: ignore[no-untyped-def]
    """(tokens, words, countable) of the key ``buf[s:e]`` (line feeds read as spaces): its whitespace
    tokens, those with a letter (as the passes count words; any non-ASCII character is taken for a letter, so ``words``
    is never too low), and whether ``tokens`` is the passes' token count (False when a character may belong to a
    script written without spaces, which the passes cut into single characters)."""
    tokens = 0
    words = 0
    inside = False
    letter = False
    countable = True
    for i in range(s, e):
        c = buf[i]
        if c == 32 or c == 10:
            if inside:
                tokens += 1
                words += letter
            inside = False
            letter = False
            continue
        inside = True
        letter = letter or (97 <= c <= 122) or (65 <= c <= 90) or c >= 128
        countable = countable and c < _SPACELESS
    if inside:
        tokens += 1
        words += letter
    return tokens, words, countable


@jit
def _token_slot(keys, counts, h):  # type: ignore[no-untyped-def]
    """The slot of token hash ``h`` in the multiset of `_common_tokens` (``counts`` 0: a free slot)."""
    mask = keys.shape[0] - 1
    k = int(h >> np.uint64(40)) & mask
    while counts[k] != 0 and keys[k] != h:
        k = (k + 1) & mask
    return k


@jit
def _common_tokens(buf, s1, e1, s2, e2, na):  # type: ignore[no-untyped-def]
    """How many whitespace tokens (line feeds read as spaces) the keys ``buf[s1:e1]``, which has ``na`` of
    them, and ``buf[s2:e2]`` have in common, counted as multisets of token hashes: those of the first go
    into a hash table with their counts, each of the second takes one from its count.  A hash table, not
    sorted arrays, so that no sort is compiled."""
    keys = hash_set(na)
    counts = np.zeros(keys.shape[0], np.int64)  # 1 + the tokens with this hash not yet matched
    matches = 0
    for second in range(2):
        s, e = (s2, e2) if second else (s1, e1)
        i = s
        while i < e:
            if buf[i] == 32 or buf[i] == 10:
                i += 1
                continue
            j = i
            while j < e and buf[j] != 32 and buf[j] != 10:
                j += 1
            h = hash_span(buf, i, j, _AS_IS)
            k = _token_slot(keys, counts, h)
            if not second:
                keys[k] = h
                counts[k] = max(counts[k], 1) + 1
            elif counts[k] > 1:
                counts[k] -= 1
                matches += 1
            i = j
    return matches


@jit
def _may_be_similar(buf, s1, e1, s2, e2, threshold):  # type: ignore[no-untyped-def]
    """False only if the passes' similarity of the two keys is surely below ``threshold``: the same length bound,
    then difflib's ``quick_ratio`` (matched tokens counted as a multiset, computed the same way), which
    bounds the ratio from above.  A token hash collision can only raise the count."""
    na, _, plain_a = _token_stats(buf, s1, e1)
    nb, _, plain_b = _token_stats(buf, s2, e2)
    if not (plain_a and plain_b):
        return True
    if 2 * min(na, nb) < threshold * (na + nb):
        return False
    matches = _common_tokens(buf, s1, e1, s2, e2, na)
    return not (2.0 * matches / (na + nb) < threshold)


@jit
def _long_enough(buf, s, e, min_words):  # type: ignore[no-untyped-def]
    """`passes.Options.long_enough` less its length test (the caller's), never False where that is True."""
    _, words, countable = _token_stats(buf, s, e)
    return words >= min_words or not countable


@jit
def _anchor_slot(keys, first, last, h, buf, a0, a1, suffix, anchor):  # type: ignore[no-untyped-def]
    """The slot of anchor ``buf[a0:a1]`` (hash ``h``) in a map from prefixes (or suffixes) to the first
    block that has it (its key bounds ``first``/``last``), or the free slot where it goes.  The anchors
    themselves are compared, not only their hashes: a collision must not hide the block `passes.block_pass`
    compares with."""
    h = h | ONE
    mask = keys.shape[0] - 1
    k = int(h >> np.uint64(40)) & mask
    length = a1 - a0
    while keys[k] != 0:
        if keys[k] == h:
            b = min(anchor, last[k] - first[k])
            b0 = last[k] - b if suffix else first[k]
            same = b == length
            t = 0
            while same and t < length:
                x, y = buf[a0 + t], buf[b0 + t]
                same = (32 if x == 10 else x) == (32 if y == 10 else y)
                t += 1
            if same:
                return k
        k = (k + 1) & mask
    return k


@jit
def _anchor_map(size):  # type: ignore[no-untyped-def]
    """An empty map for `_anchor_slot`: hashes (0: free), first and last key offset of the block."""
    keys = hash_set(size)
    return keys, np.empty(keys.shape[0], np.int64), np.empty(keys.shape[0], np.int64)


@jit
def _first_with(amap, buf, a0, a1, suffix, anchor):  # type: ignore[no-untyped-def]
    """(first, last) of the first registered block with this anchor, or (-1, -1)."""
    keys, first, last = amap
    k = _anchor_slot(keys, first, last, hash_span(buf, a0, a1, _PARAGRAPH), buf, a0, a1, suffix, anchor)
    return (first[k], last[k]) if keys[k] != 0 else (-1, -1)


@jit
def _set_default(amap, buf, a0, a1, suffix, anchor, s, e):  # type: ignore[no-untyped-def]
    """Register block ``buf[s:e]`` under its anchor ``buf[a0:a1]`` unless a block has it already."""
    keys, first, last = amap
    h = hash_span(buf, a0, a1, _PARAGRAPH)
    k = _anchor_slot(keys, first, last, h, buf, a0, a1, suffix, anchor)
    if keys[k] == 0:
        keys[k] = h | ONE
        first[k] = s
        last[k] = e


@jit
def _block_hit(out, starts, ends, lines, near_line, min_chars, min_words, threshold, anchor):  # type: ignore[no-untyped-def]
    """Stage 2 for blocks: False only if `passes.block_pass` surely removes nothing.

    Blocks are visited as `passes.block_pass` visits them (a paragraph of several lines, then its lines, then
    the paragraph is registered), with the same registrations: every long block until the first hit (the
    pass skips blocks with no anchor in common with another, which could neither find nor be found).  A
    block hits if its key equals a registered key and it is long enough, or if it is a near block, long
    enough, and may be similar to the first registered near block with its prefix or the first with its
    suffix.  ``threshold`` > 1 switches near matching off, as in the pass.
    """
    near = threshold <= 1.0
    exact = hash_set(2 * lines)
    prefixes = _anchor_map(2 * lines)
    suffixes = _anchor_map(2 * lines)
    j = 0
    while j < lines:
        if ends[j] == starts[j]:
            j += 1
            continue
        end = _paragraph_end(starts, ends, lines, j)
        # A paragraph of several lines is looked up as n = j - 1 and registered as n = end + 1.
        multi = end > j
        for n in range(j - multi, end + 1 + multi):
            whole = n < j or n > end
            s = starts[j] if whole else starts[n]
            e = ends[end] if whole else ends[n]
            if e - s < min_chars:
                continue
            near_ok = near and (whole or near_line[n])
            a = min(anchor, e - s)
            h = hash_span(out, s, e, _PARAGRAPH)
            if n <= end:  # look the block up
                if set_has(exact, h):
                    if _long_enough(out, s, e, min_words):
                        return True
                elif near_ok:
                    p0, p1 = _first_with(prefixes, out, s, s + a, _PREFIX, anchor)
                    s0, s1 = _first_with(suffixes, out, e - a, e, _SUFFIX, anchor)
                    if (p0 >= 0 or s0 >= 0) and _long_enough(out, s, e, min_words):
                        if p0 >= 0 and _may_be_similar(out, s, e, p0, p1, threshold):
                            return True
                        if s0 >= 0 and _may_be_similar(out, s, e, s0, s1, threshold):
                            return True
            if n >= j:  # register it
                set_add(exact, h)
                if near_ok:
                    _set_default(prefixes, out, s, s + a, _PREFIX, anchor, s, e)
                    _set_default(suffixes, out, e - a, e, _SUFFIX, anchor, s, e)
        j = end + 1
    return False


@jit
def _run_hit(out, first, last, count, min_chars, min_words, min_run_chars, min_sentence):  # type: ignore[no-untyped-def]
    """Stage 2 for sentences: False only if `passes.sentence_pass` surely flags no run.

    A run is a maximal sequence of sentences that all occurred earlier; the pass flags it if one of its
    sentences has ``min_sentence`` characters, and its text (sentences joined by a space) has
    ``min_run_chars`` characters and is long enough (`passes.Options.long_enough`).
    """
    seen = hash_set(count)
    need = max(min_run_chars, min_chars)
    length = -1  # the current run's length; -1: no run
    anchored = False
    words = 0
    countable = True
    for p in range(count + 1):
        if p < count and set_add(seen, hash_span(out, first[p], last[p], _SENTENCES)):
            _, w, c = _token_stats(out, first[p], last[p])
            length += 1 + last[p] - first[p]
            anchored = anchored or last[p] - first[p] >= min_sentence
            words += w
            countable = countable and c
            continue
        if anchored and length >= need and (words >= min_words or not countable):
            return True
        length, anchored, words, countable = -1, False, 0, True
    return False


@jit
def _analyse(out, m, lines, nstops, work, min_chars, min_words, threshold, min_run_chars, precise):  # type: ignore[no-untyped-def]
    """The kernel flags (see `BLOCK` ...) of a key text ``out[:m]`` that `build_keys` wrote."""
    _, _, starts, ends, stops, first, last = work
    near_line = _near_lines(starts, ends, lines, WRAP_WIDTH)
    flags = 0
    if _anchors_collide(out, starts, ends, lines, near_line, min_chars, ANCHOR):
        flags |= BLOCK
        if precise and _block_hit(out, starts, ends, lines, near_line, min_chars, min_words, threshold, ANCHOR):
            flags |= BLOCK_HIT
    count = pieces(out, m, stops, nstops, starts, ends, lines, first, last)
    if _sentences_collide(out, first, last, count, MIN_SENTENCE):
        flags |= SENTENCE
        # The sentence pass runs only where the block pass finds nothing: after a block hit a "maybe" is
        # as good as the replay, and cheaper.
        if flags & BLOCK_HIT or (
            precise and _run_hit(out, first, last, count, min_chars, min_words, min_run_chars, MIN_SENTENCE)
        ):
            flags |= RUN_HIT
    return flags


@jit
def _scan_one(cu, n, work, table, min_chars, min_words, threshold, min_run_chars, precise):  # type: ignore[no-untyped-def]
    """The kernel flags of the UTF-8 text ``cu[:n]`` with its key text as bytes; `WIDE` where a key character
    does not fit in one (the caller scans those texts again with `scan_wide`)."""
    out8, _, starts, ends, stops, _, _ = work
    m, lines, nstops = build_keys(cu, n, out8, starts, ends, stops, table)
    if lines >= 0:
        return _analyse(out8, m, lines, nstops, work, min_chars, min_words, threshold, min_run_chars, precise)
    return NEEDS_PYTHON if lines == -1 else WIDE


@jit
def _scan_wide_one(cu, n, work, table, min_chars, min_words, threshold, min_run_chars, precise):  # type: ignore[no-untyped-def]
    """The kernel flags of the text ``cu[:n]`` (UTF-8, or the code points of a normalised text) with its key
    text as code points."""
    _, out32, starts, ends, stops, _, _ = work
    m, lines, nstops = build_keys(cu, n, out32, starts, ends, stops, table)
    if lines < 0:
        return NEEDS_PYTHON
    return _analyse(out32, m, lines, nstops, work, min_chars, min_words, threshold, min_run_chars, precise)


@jit
def _work(size, wide):  # type: ignore[no-untyped-def]
    """Work arrays for texts of up to ``size`` code units: the key text as bytes and as code points (with
    room for the 64-byte steps; the latter only if ``wide``), line bounds, full stops and sentence pieces
    (views of one array: one allocation, not five)."""
    out8 = np.empty(size + SLACK + 1, np.uint8)
    out32 = np.empty(size + SLACK + 1 if wide else 0, np.uint32)
    index = np.empty(5 * (size + 2), np.int64)
    starts, ends, stops, first, last = index.reshape(5, size + 2)
    return out8, out32, starts, ends, stops, first, last


@jit
def scan_text(cu, n, table, min_chars, min_words, threshold, min_run_chars, precise):  # type: ignore[no-untyped-def]
    """The flags of the one UTF-8 text ``cu[:n]``: `scan_many` without building bounds in Python."""
    return _scan_one(cu, n, _work(n, False), table, min_chars, min_words, threshold, min_run_chars, precise)


@jit
def _longest(sizes):  # type: ignore[no-untyped-def]
    """The largest of ``sizes`` (0 if none): a loop, as numba compiles ``max`` of an array in many parts."""
    size = 0
    for d in range(sizes.shape[0]):
        size = max(size, sizes[d])
    return size


@jit
def scan_many(data, sizes, table, min_chars, min_words, threshold, min_run_chars, precise):  # type: ignore[no-untyped-def]
    """Flags of each UTF-8 text of ``data``, the texts of these sizes one after the other; the work arrays
    are allocated once.  The caller passes the texts flagged `WIDE` to `scan_wide`, and the code points of
    those flagged `NEEDS_PYTHON`, normalised, too."""
    work = _work(_longest(sizes), False)
    flags = np.empty(sizes.shape[0], np.uint8)
    params = (min_chars, min_words, threshold, min_run_chars, precise)
    start = 0
    for d in range(sizes.shape[0]):
        flags[d] = _scan_one(data[start:], sizes[d], work, table, *params)
        start += sizes[d]
    return flags


@jit
def scan_wide(data, sizes, flags, table, min_chars, min_words, threshold, min_run_chars, precise):  # type: ignore[no-untyped-def]
    """Scan the texts of ``data`` (as for `scan_many`: UTF-8, or the code points of normalised texts) whose
    flag is `WIDE` with their key text as code points, replacing their flags.  A kernel of its own, called
    from Python only when some text needs it, so that numba compiles the code-point specialisation of
    `_analyse` then, not with `scan_many`."""
    work = _work(_longest(sizes), True)
    params = (min_chars, min_words, threshold, min_run_chars, precise)
    start = 0
    for d in range(sizes.shape[0]):
        if flags[d] == WIDE:
            flags[d] = _scan_wide_one(data[start:], sizes[d], work, table, *params)
        start += sizes[d]


@jit
def kernel_view(cu, n, table):  # type: ignore[no-untyped-def]
    """What the kernel builds for ``cu[:n]``: (status, key text as code points, line starts, line ends,
    full stops, piece starts, piece ends); status is `build_keys`'s line count or its -1.  For tests."""
    out8, out32, starts, ends, stops, first, last = _work(n, True)
    m, lines, nstops = build_keys(cu, n, out8, starts, ends, stops, table)
    if lines >= 0:
        out32[:m] = out8[:m]
    elif lines == -2 or not bytewise(cu):
        m, lines, nstops = build_keys(cu, n, out32, starts, ends, stops, table)
    if lines < 0:
        return lines, out32[:0], starts[:0], ends[:0], stops[:0], first[:0], last[:0]
    count = pieces(out32, m, stops, nstops, starts, ends, lines, first, last)
    return lines, out32[:m], starts[:lines], ends[:lines], stops[:nstops], first[:count], last[:count]
