"""Repair repeated content inside one document: keep the first copy, delete later copies.

Scrapers emit a page's title twice, paste the body twice, repeat a block of paragraphs at the end, or
duplicate every paragraph.  Gopher-style filters (datatrove, NeMo Curator) only *measure* this and drop
the whole document; here we *repair* it: later copies are deleted, everything else is kept byte for
byte, in its original order and formatting, and every deletion is reported (`RemovedBlock`) so that
`dedupe explain` can say what went and why.

Blocks and keys
    Text is split on ``\\n`` into lines; a paragraph is a maximal run of non-blank lines (so paragraphs
    are separated by blank lines, and one-paragraph-per-line text is one "paragraph" of many lines).
    Both lines and paragraphs are blocks.  Blocks are compared on a *key*: NFKC, case-folded, curly
    quotes / primes / guillemets unified to ``'`` and ``"``, hyphens and dashes unified to ``-``, and
    whitespace collapsed (a paragraph's key joins its lines with one space).  So case, quote style,
    spacing and line wrapping never hide a repeat.  Keys exist only for comparison; the output is cut
    from the input text itself.

What is removed (blocks first; sentence runs only in a round where no block was removed)
    1. exact: a paragraph, or a line, whose key equals the key of an earlier (kept) line or paragraph.
       A paragraph is tested as a whole first, then line by line.
    2. near (``near_threshold``, off by default): a line or paragraph that is nearly the same as an
       earlier one, e.g. one word changed or a trailing "Reuters" / "Advertisement" added.  Off, because
       a cleaning step must never delete content: a line that differs from an earlier one in one word (a
       name, a number) may be a different fact ("director - Clint Eastwood" / "director - Martin
       Scorsese"), so by default only blocks whose keys are equal (the same words; case, spacing, quote
       and dash style may differ) are removed.  A caller who wants near repeats gone passes a threshold.
       Similarity is the word-level ``difflib`` ratio ``2*M/T`` (M words matched in order, T words in
       both blocks).  We use it rather than Jaccard of word 3-grams because one edit costs 3 of the n-2
       shingles, so the 3-gram Jaccard of a 20-word line with one word changed is only 0.71, while the
       ratio is 0.95 whatever the length; the ratio is also order-aware and symmetric.  At 0.9 one word
       in ten may differ.  Template sentences that differ in a few words (weather, scores) stay below
       it.  Candidates are found without comparing all pairs: each block is indexed by the first and by
       the last 24 characters of its key, so a block with one edit shares at least one anchor with its
       earlier copy; only blocks sharing an anchor are compared (two edits, one near each end, are
       therefore not found).  The lines of a *wrapped* paragraph (several lines, none longer than 100
       characters: hard-wrapped prose, verse, a table of contents, a list) are compared exactly but take
       no part in near matching: they are fragments or items, and two of them (two chapter titles) are
       often alike without repeating anything.  The paragraph as a whole still does.
    3. sentences (``min_run_chars``): the same body pasted twice with different line wrapping or
       different paragraph breaks.  The keys, joined across line breaks (so wrapping does not matter),
       are cut into sentences after ``.``, ``!`` or ``?`` (plus closing quotes and brackets) followed by a
       space, and at blank lines.  A run of consecutive sentences that all occurred earlier, with at
       least ``min_run_chars`` characters, at least one sentence of 20 or more characters (short ones,
       like a speaker's name in a play, repeat legitimately) and passing the short-block rule, is a
       repeated run.  It is removed paragraph by paragraph, from the start of its first sentence to the
       start of the sentence after it (or the end of the paragraph), so whole lines inside the run go
       and the lines at its edges are cut at the sentence boundary: no sentence is cut in half and the
       text reads on ("... Z. W ..." where the run stood between Z and W).  A cut inside a line needs the
       line's whitespace-separated tokens to match its key's tokens one for one (NFKC can create or
       remove a space); where they do not, that piece of the run is left alone.  Default 100
       characters, about two sentences: more than a single repeated line must show before text that was
       not a repeated block is touched, yet one long re-wrapped paragraph is enough.  Text that
       puts no space after its full stops (Chinese, Japanese) is cut only at blank lines.

Short blocks are never removed
    Short repeated lines usually carry content: table rows, list items, a chorus line, "Advertisement",
    "Share this article".  A block (line, paragraph or sentence run) is removed only when its key has at
    least ``min_chars`` characters AND at least ``min_words`` words (a word is a whitespace-separated
    token containing a letter, or one CJK/Thai character, so numeric table rows count few words).
    Defaults: 40 characters and 6 words.  Why: a duplicated headline, the commonest short repeat, is
    usually 45-90 characters and 7-15 words (seed 000's is 84/12), while table rows, list items, bylines,
    "Read more" links and most refrain lines are shorter.  Keeping a short duplicate costs a few dozen
    characters; deleting a legitimate short repeat (a refrain, a repeated row) damages the document, so
    the thresholds lean towards keeping.  Known cost: a refrain line of 40+ characters that repeats on its
    own line (a villanelle's) is removed, and so is a repeated multi-line stanza or table as a whole.

Deletion keeps the layout
    Removing a line removes its line break; removing a whole paragraph removes it and the blank line(s)
    after it (or, for the last paragraph, the line break(s) before it), so no hole of blank lines is left
    and no new run of blank lines appears.  Output = input with the reported spans cut out.

Fixed point
    Deleting a block can change the blocks around it (a paragraph loses lines, and its key changes), so
    `repair` repeats the search on its own output until nothing more is found (a document without repeats
    costs one pass).  This makes it idempotent by construction: ``remove_repeats(remove_repeats(x)) ==
    remove_repeats(x)``.  Spans found in a later round are mapped back to input offsets; a later span that
    encloses an earlier one replaces it.

Speed
    Most documents have no repeats, and for them `repair` runs a compiled pre-check (numba) and stops.
    `key_text.build_keys` makes the keys in one pass over the UTF-8 bytes, 64 at a time where the text is
    its own key once lower-cased (lower-casing, whitespace, the quotes and dashes that `keys` replaces
    before NFKC, and for the other characters of the Basic Multilingual Plane that combine with nothing,
    NFKC and casefold from a table, `keys.key_table`); then come two cheap necessary conditions on
    hashes, "two long blocks share an anchor" and "a sentence of 20+ characters occurs twice", and for
    the few documents that pass one, a replay of the passes' own decisions (`kernels`: same
    registrations, similarity bounded by token counts and difflib's quick_ratio), so that only documents
    the passes may change go on.  Text the kernel cannot key (combining marks, "\u00df", other planes) is
    normalised in Python first; without numba the two conditions are a few C-level string passes
    (`precheck.may_have_block_repeats`, `precheck.may_have_sentence_repeats`).  Only documents that pass
    pay for keys, paragraphs, dict lookups and similarities, and then only for the blocks whose anchors
    collide.  `repair_many` runs the pre-check of a whole batch in one compiled call, as the signature
    step does.  Measure with ``benchmarks/bench_repeats.py``.

Modules
    The rules above are written once, in Python: `keys` (what a block's key is), `passes` (which blocks
    repeat), `spans` (what is cut for them).  The pre-check only decides which documents need the passes
    at all, so it may err towards "maybe" but never towards "no": `precheck` is its Python side (and its
    reference), `kernels` its compiled stages, on the key text of `key_text`, with `hashing` and the
    vector loads of `intrinsics`.  `keys`, `passes` and `spans` depend on nothing of the pre-check, and
    the compiled modules use only public names of the Python ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from dedupe.cleaning.repeats.keys import block_key, keyed
from dedupe.cleaning.repeats.passes import (
    DEFAULT_MIN_CHARS,
    DEFAULT_MIN_RUN_CHARS,
    DEFAULT_MIN_WORDS,
    DEFAULT_NEAR_THRESHOLD,
    DEFAULT_OPTIONS,
    Hit,
    Options,
    block_pass,
    paragraphs,
    sentence_pass,
)
from dedupe.cleaning.repeats.precheck import Checks, checks, checks_many, no_checks
from dedupe.cleaning.repeats.spans import OffsetMap, hit_spans

__all__ = [
    "DEFAULT_MIN_CHARS",
    "DEFAULT_MIN_RUN_CHARS",
    "DEFAULT_MIN_WORDS",
    "DEFAULT_NEAR_THRESHOLD",
    "RemovedBlock",
    "Repaired",
    "block_key",
    "format_removed",
    "remove_repeats",
    "repair",
    "repair_many",
    "repair_reference",
]

# Rounds of search-and-delete before giving up on reaching a fixed point.  Real documents need 1-3.
_MAX_ROUNDS = 32


@dataclass(frozen=True)
class RemovedBlock:
    """One deleted span.  Offsets are into the text given to `repair` (the input, not the output)."""

    start: int
    end: int
    kind: str  # "line" | "paragraph" | "sentences"
    repeat_of: tuple[int, int]  # the earlier copy that was kept (line-granular for "sentences")
    similarity: float  # 1.0 for exact-key repeats


class Repaired(NamedTuple):
    text: str
    removed: list[RemovedBlock]


def repair(
    text: str,
    *,
    min_chars: int = DEFAULT_MIN_CHARS,
    min_words: int = DEFAULT_MIN_WORDS,
    near_threshold: float = DEFAULT_NEAR_THRESHOLD,
    min_run_chars: int = DEFAULT_MIN_RUN_CHARS,
) -> Repaired:
    """Delete later copies of repeated lines, paragraphs and sentence runs; report what went.

    ``near_threshold`` > 1 switches near-repeat search off; ``min_run_chars`` larger than any document
    switches the sentence-run search off.  See the package docstring for the rules and defaults.
    """
    options = (min_chars, min_words, near_threshold, min_run_chars)
    opts = DEFAULT_OPTIONS if options == DEFAULT_OPTIONS else Options(*options)
    first = checks(text, opts)
    if not (first[0] or first[1]):  # most texts: nothing to look for
        return Repaired(text, [])
    return _repair(text, opts, checks, first)


def repair_many(
    texts: Iterable[str],
    *,
    min_chars: int = DEFAULT_MIN_CHARS,
    min_words: int = DEFAULT_MIN_WORDS,
    near_threshold: float = DEFAULT_NEAR_THRESHOLD,
    min_run_chars: int = DEFAULT_MIN_RUN_CHARS,
) -> list[Repaired]:
    """``[repair(t, **options) for t in texts]``, cheaper: the checks of all texts run in one compiled
    call, so the per-call cost (encoding aside) is paid once per batch, and only the texts they pass
    (a few percent) take the Python passes."""
    texts = list(texts)
    opts = Options(min_chars, min_words, near_threshold, min_run_chars)
    return [
        _repair(t, opts, checks, first) if first[0] or first[1] else Repaired(t, [])
        for t, first in zip(texts, checks_many(texts, opts), strict=True)
    ]


def repair_reference(
    text: str,
    *,
    min_chars: int = DEFAULT_MIN_CHARS,
    min_words: int = DEFAULT_MIN_WORDS,
    near_threshold: float = DEFAULT_NEAR_THRESHOLD,
    min_run_chars: int = DEFAULT_MIN_RUN_CHARS,
) -> Repaired:
    """`repair` without the pre-check: both passes run on every text, every round.  Slow; it is the
    reference that shows the pre-check only ever saves time (`repair` must return the same)."""
    return _repair(text, Options(min_chars, min_words, near_threshold, min_run_chars), no_checks)


def _repair(text: str, opts: Options, checks: Checks, first: tuple[bool, bool] | None = None) -> Repaired:
    """`repair` with the pre-checks as a parameter (``first``: their answer for ``text``, if known)."""
    current = text
    removed: list[RemovedBlock] = []
    omap: OffsetMap | None = None
    for _ in range(_MAX_ROUNDS):
        maybe_block, maybe_sentence = checks(current, opts) if first is None else first
        first = None
        if not (maybe_block or maybe_sentence):
            break
        joined, keys = keyed(current)
        hits: list[Hit] = []
        if maybe_block:
            hits = block_pass(keys, paragraphs(keys), opts)
        if not hits and maybe_sentence:
            hits = sentence_pass(joined, keys, paragraphs(keys), opts)
        if not hits:
            break
        spans = hit_spans(current, keys, hits)
        if not spans:  # only sentence cuts that could not be placed safely
            break
        if omap is None:
            omap = OffsetMap(len(current))
        new = []
        for a, b, ra, rb, h in spans:
            start, end = omap.span(a, b)
            new.append(RemovedBlock(start, end, h.kind, omap.span(ra, rb), h.similarity))
        # A later round's span may enclose spans removed earlier (a paragraph that had lost lines).
        removed = [r for r in removed if not any(n.start <= r.start and r.end <= n.end for n in new)]
        removed = sorted(removed + new, key=lambda r: r.start)
        pieces, prev = [], 0
        for a, b, *_ in spans:
            pieces.append(current[prev:a])
            prev = b
        pieces.append(current[prev:])
        current = "".join(pieces)
        omap.delete([(a, b) for a, b, *_ in spans])
    return Repaired(current, removed)


def remove_repeats(text: str, **options: object) -> str:
    """``repair(text, **options).text``."""
    return repair(text, **options).text  # type: ignore[arg-type]


def format_removed(text: str, block: RemovedBlock) -> str:
    """One human line for ``dedupe explain``; ``text`` is the input the block's offsets refer to.

    Example: ``removed line at line 12 (412 chars): repeats line 5, similarity 1.00: "Although the ..."``
    """
    body = text[block.start : block.end]
    lead = len(body) - len(body.lstrip())
    line = text.count("\n", 0, block.start + lead) + 1
    ref_line = text.count("\n", 0, block.repeat_of[0]) + 1
    words = body.split()
    snippet = " ".join(words[:8])
    if len(words) > 8:
        snippet += " ..."
    return (
        f"removed {block.kind} at line {line} ({block.end - block.start} chars): "
        f'repeats line {ref_line}, similarity {block.similarity:.2f}: "{snippet}"'
    )
