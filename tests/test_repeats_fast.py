"""The compiled checks of dedupe.cleaning.repeats only save time: every output equals the unfiltered reference.

`repair` runs the Python passes only on texts a compiled pre-check lets through (`precheck.checks`);
`repair_reference` runs them on every text, every round.  These tests compare the two (and
`repair_many`) on a varied corpus, and check the kernel's pieces against the Python definitions: its key
text against `keys.keyed`, its full stops and sentence pieces against `passes.SENT_SPLIT`, its stage 1
against the Python checks, and its stage 2 against the passes themselves.
"""

from __future__ import annotations

import gzip
import json
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe.cleaning.repeats import kernels, precheck, repair, repair_many, repair_reference
from dedupe.cleaning.repeats.keys import keyed
from dedupe.cleaning.repeats.passes import SENT_SPLIT, Options, block_pass, paragraphs, sentence_pass, sentence_text
from dedupe.cleaning.repeats.precheck import checks, kernel_keys, python_checks
from dedupe.compiled import HAVE_NUMBA

ROOT = Path(__file__).resolve().parent.parent
GUTENBERG = ROOT / "tests/golden/inputs/gutenberg.jsonl.gz"
DEFAULT = Options(40, 6, 0.9, 100)
# Options that make the passes find much more (so the checks have more to miss).
LOOSE = Options(3, 1, 0.5, 4)

pytestmark = pytest.mark.skipif(not HAVE_NUMBA, reason="the compiled checks need numba")


# -------------------------------------------------------------------------------------------- corpus

_PARAGRAPHS = [
    "The committee published its report on Tuesday, and the findings were clearer than expected.",
    "Residents said the new bridge had cut their commute by half, although traffic is still heavy.",
    "Officials declined to say when the remaining funds would be released to the city council.",
]
# One sentence in many scripts and spellings: accents, Greek, Cyrillic, CJK (no spaces), fullwidth
# forms, curly quotes, dashes, NBSP and other spaces, zero-width characters, combining marks, ligatures.
_SCRIPTS = [
    "Le comité a publié son rapport mardi — les résultats sont « très clairs », a-t-il dit.",
    "Η επιτροπή δημοσίευσε την έκθεσή της την Τρίτη και τα ευρήματα ήταν σαφή.",
    "Комитет опубликовал свой доклад во вторник, и выводы оказались ясными.",
    "委员会周二发布了报告。结论比预期更清楚。居民说新桥缩短了通勤时间。",
    "委員会は火曜日に報告書を公表した。結論は予想より明確だった。",
    "ＴＨＥ　ＣＯＭＭＩＴＴＥＥ’Ｓ　ＲＥＰＯＲＴ　ＷＡＳ　ＣＬＥＡＲ．",
    "The committee\u2019s report \u2013 \u201cclear\u201d \u2014 was published\u00a0on\u2009Tuesday\u2026 really.",
    "Zero\u200bwidth\u200cjoiners\u200d and a BOM\ufeff inside the sentence that repeats itself here.",
    "Cafe\u0301 na\u0308ive co\u0302te\u0301 with combining marks, then ﬁne ﬂour and ½ cup.",
    "Straße, İstanbul, ǅemal and ŉ: characters whose case folding is longer than themselves.",
    "คณะกรรมการเผยแพร่รายงานเมื่อวันอังคาร และผลการศึกษาชัดเจนกว่าที่คาดไว้",
    "Emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 from other planes, plus a lone surrogate \ud800 in the middle of it.",
    "Tabs\tand\x0bvertical\x0cfeeds\x1cand\x85next line\u2028line separator\u2029paragraph separator.",
]


def _constructed() -> list[str]:
    """Documents with repeats of every kind the passes find, in several scripts and layouts."""
    p1, p2, p3 = _PARAGRAPHS
    docs = [
        f"{p1}\n\n{p2}\n\n{p1}",  # a repeated paragraph
        f"{p1}\n{p2}\n{p1}\n{p3}",  # a repeated line
        f"{p1}\n\n{p2.replace('half', 'a half')}\n\n{p3}\n\n{p2}",  # a near repeat
        textwrap.fill(f"{p1} {p2} {p3}", 60) + "\n\n" + textwrap.fill(f"{p1} {p2} {p3}", 75),  # re-wrapped
        f"{p1} {p2}\n\n{p3}\n\n{p1}\n{p2}",  # other paragraph breaks
        f"{p1.upper()}\n\n{p2}\n\n{p1.replace(' ', '  ')}",  # case and spacing variants
        f"{p1}\r\n\r\n{p2}\r\n\r\n{p1}\r\n",  # CRLF
        f"  {p1}  \n\n\t{p2}\n\n   {p1}\t\n\n\n",  # stray whitespace around lines
        "Yes. No. Maybe.\nHe said many things that day.\nYes. No.\nMaybe.",
        "",
        "\n\n\n",
        "Short line.\nShort line.\nShort line.",
    ]
    for s in _SCRIPTS:
        docs.append(f"{s}\n\n{p1}\n\n{s}")
        docs.append(f"{s} {p2} {s}")
        docs.append(f"{s}\n{s.upper()}\n{s.lower()}")
        docs.append(textwrap.fill(f"{s} {p3} {s} {p3}", 50))
    return docs


def _corpus() -> list[str]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    gate = [d["text"] for d in json.loads((ROOT / "tests/data/normalize/ftfy_gate_corpus.json").read_text())]
    return seeds + gate + _constructed()


def _gutenberg(limit: int = 400) -> list[str]:
    """Real book text: the pieces of the golden test's Gutenberg sample as shipped (CRLF line ends), then
    with LF line ends, as the pipeline's normaliser leaves them, cut into paragraph-aligned ~3 KB slices."""
    with gzip.open(GUTENBERG, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    docs = list(texts)
    for text in texts:
        part: list[str] = []
        for para in text.replace("\r\n", "\n").split("\n\n"):
            part.append(para)
            if sum(map(len, part)) >= 3000:
                docs.append("\n\n".join(part))
                part = []
    return docs[:limit]


CORPUS = _corpus()


# ------------------------------------------------------------------------------- output is the same


@pytest.mark.parametrize("opts", [DEFAULT, LOOSE, Options(40, 6, 1.5, 10**9)], ids=["default", "loose", "exact-only"])
def test_repair_equals_the_unfiltered_reference(opts):
    options = opts._asdict()
    for text in CORPUS:
        assert repair(text, **options) == repair_reference(text, **options), text[:80]


def test_repair_equals_the_reference_on_gutenberg():
    for text in _gutenberg():
        assert repair(text) == repair_reference(text), text[:80]


@pytest.mark.parametrize("opts", [DEFAULT, LOOSE], ids=["default", "loose"])
def test_repair_many_equals_repair(opts):
    options = opts._asdict()
    texts = CORPUS + _gutenberg(100)
    assert repair_many(texts, **options) == [repair(t, **options) for t in texts]
    assert repair_many(iter(texts[:7]), **options) == [repair(t, **options) for t in texts[:7]]
    assert repair_many([]) == []


@pytest.mark.parametrize(
    "options",
    [{"min_run_chars": 10**30}, {"min_words": 10**20}, {"min_chars": 10**30}, {"min_run_chars": float("inf")},
     {"min_chars": 40.5, "min_words": 5.5}, {"min_chars": -1, "min_words": -1}, {"min_run_chars": float("nan")}],
)  # fmt: skip
def test_any_option_values(options):
    """Option values beyond 64 bits, or not integers, mean for the kernel what they mean for the passes."""
    texts = _constructed()[:12]
    for text in texts:
        assert repair(text, **options) == repair_reference(text, **options)
    assert repair_many(texts, **options) == [repair_reference(t, **options) for t in texts]


def test_repair_many_without_numba(monkeypatch):
    monkeypatch.setattr(precheck, "HAVE_NUMBA", False)
    texts = _constructed()
    assert repair_many(texts) == [repair(t) for t in texts]
    assert [checks(t, DEFAULT) for t in texts] == [python_checks(t, DEFAULT) for t in texts]


def test_most_text_never_leaves_the_kernel():
    """Accented Latin, Greek, Cyrillic, CJK, fullwidth forms and the quotes replaced before NFKC get their
    keys in the kernel; combining marks (also Thai's), longer case foldings and other planes go to
    `keys.normalise`."""
    for s in _SCRIPTS[:8] + _SCRIPTS[12:]:
        assert kernel_keys(s) is not None, s
    for s in _SCRIPTS[8:12]:
        assert kernel_keys(s) is None, s


# ------------------------------------------------------------------------------- the kernel's pieces


def _python_view(text: str) -> tuple[str, list[int], list[tuple[int, int]]]:
    """What `kernel_keys` must return: the key text, its full stops and its sentence pieces."""
    joined, _ = keyed(text)
    sentences = sentence_text(joined)
    stops = [i for i, c in enumerate(joined) if c in ".!?"]
    lo = len(sentences) - len(sentences.lstrip(" "))
    hi = len(sentences.rstrip(" "))
    pieces, pos = [], lo
    for m in [*SENT_SPLIT.finditer(sentences, lo, hi), None]:
        end = m.start() if m else hi
        if end > pos:
            pieces.append((pos, end))
        if m:
            pos = m.end()
    return joined, stops, pieces


_ALPHABET = st.sampled_from(
    list("ab Ab.!?\n\n\t\r\"')]")
    + ["  ", "\n\n\n", ".\n", "!)"]
    + list("é\u00e0ÉñæœΣσςДдж中文。．ａＢ")
    + list("\u00a0\u2019\u201c\u2014\u2026\u3000\u2002\u200b\u0301\u00dfİ\u0085\u2028")
    + ["😀"]
)
_TEXTS = st.lists(_ALPHABET, max_size=80).map("".join) | st.text(max_size=120)
_PROPS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(_TEXTS)
@_PROPS
def test_kernel_keys_stops_and_pieces_match_python(text):
    view = kernel_keys(text)
    if view is not None:
        assert view == _python_view(text)
        assert kernel_keys(text, padded=False) == view


@given(_TEXTS, st.integers(0, 200))
@_PROPS
def test_kernel_keys_over_64_byte_steps(text, width):
    """Long texts, so that the 64-byte steps meet every kind of character at every offset."""
    text = (text + " word" * (width % 7)) * (1 + width // 20)
    view = kernel_keys(text, padded=width % 2 == 0)
    if view is not None:
        assert view == _python_view(text)


# ---------------------------------------------------------------------------- the kernel's decisions


@st.composite
def _documents(draw) -> str:
    """Texts made of repeated, near-repeated and re-wrapped lines from a small pool, in any script."""
    pool = [*_PARAGRAPHS, *_SCRIPTS[:8], "Yes. No.", "A short line.", "| 1 | 2 |", "Advertisement"]
    parts = draw(
        st.lists(
            st.tuples(
                st.sampled_from(pool), st.integers(0, 5), st.sampled_from(["\n", "\n\n", " ", "\n\n\n", "\r\n", ". "])
            ),
            max_size=10,
        )
    )
    variants = [str, str.upper, str.lower, lambda s: s.replace(" ", "  "), lambda s: s.replace("a", "o", 1),
                lambda s: s[: len(s) // 2]]  # fmt: skip
    text = "".join(variants[v](s) + sep for s, v, sep in parts)
    if draw(st.booleans()) and text.strip():
        text = textwrap.fill(text, draw(st.integers(15, 110)))
    return text


_OPTIONS = st.builds(Options, st.integers(1, 60), st.integers(0, 8), st.sampled_from([0.0, 0.5, 0.8, 0.9, 1.0, 2.0]),
                     st.integers(1, 150))  # fmt: skip


@given(_documents() | _TEXTS, _OPTIONS)
@_PROPS
def test_stage_two_never_hides_what_the_passes_find(text, opts):
    joined, keys = keyed(text)
    paras = paragraphs(keys)
    maybe_block, maybe_sentence = checks(text, opts)
    if block_pass(keys, paras, opts):
        assert maybe_block
    if sentence_pass(joined, keys, paras, opts):
        assert maybe_sentence


@given(_documents(), _OPTIONS)
@_PROPS
def test_repair_equals_the_reference_with_any_options(text, opts):
    options = opts._asdict()
    assert repair(text, **options) == repair_reference(text, **options)


def test_stage_two_stops_alike_lines_that_do_not_repeat():
    """Lines that share a first word group (stage 1 says "maybe") but differ too much for a near repeat
    (stage 2 says no), so the text never reaches the Python passes."""
    text = "\n".join(
        f"Project Gutenberg volunteers and donations help keep item {n} free: {tail}"
        for n, tail in enumerate(["it is cheap to copy", "nobody owns it", "anyone may read it", "we thank you"])
    )
    assert precheck.fast_checks(text, 40) == (True, False)
    assert checks(text, DEFAULT) == (False, False)
    assert repair(text).removed == []


# ------------------------------------------------------------------------ texts that need code points


def test_a_batch_with_wide_and_normalised_texts_gives_each_text_its_own_flags():
    """`scan_many` leaves texts with a key character wider than a byte (Greek, CJK: flag `WIDE`) to
    `scan_wide` over the same bytes, and those only `normalise` handles to `scan_wide` over code points;
    in one batch among plain texts each gets the flags it gets alone, and the repair is the reference's.
    A text may take both ways (the first character that needs `normalise` after a wide one)."""
    p1, p2, _ = _PARAGRAPHS
    plain = [f"{p1}\n\n{p2}\n\n{p1}", f"{p1}\n{p2}", "Short line.\nShort line."]
    wide = [f"{s}\n\n{p1}\n\n{s}" for s in _SCRIPTS[1:5]]
    normalised = [f"{s}\n\n{p2}\n\n{s}" for s in _SCRIPTS[8:12]]
    texts = [t for group in zip(plain + plain[:1], wide, normalised, strict=True) for t in group]
    texts.append(f"{wide[0]}\n{p2}")
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    data = np.frombuffer(b"".join([*encoded, bytes(64)]), np.uint8)
    sizes = np.array([len(e) for e in encoded], np.int64)
    params = precheck._kernel_params(DEFAULT, True)
    first = kernels.scan_many(data, sizes, precheck.key_table(), *params).tolist()
    kind = dict(zip(texts, first, strict=True))
    assert {kind[t] for t in wide} == {kernels.WIDE}
    assert {kind[t] for t in normalised} == {kernels.WIDE, kernels.NEEDS_PYTHON}  # Thai: wide, then normalised
    assert not any(kind[t] & (kernels.WIDE | kernels.NEEDS_PYTHON) for t in plain)
    for opts in (DEFAULT, LOOSE):
        flags = precheck._scan_texts(texts, opts)
        assert not any(f & (kernels.WIDE | kernels.NEEDS_PYTHON) for f in flags)
        assert flags == [precheck._scan(t, opts) for t in texts]
        assert repair_many(texts, **opts._asdict()) == [repair_reference(t, **opts._asdict()) for t in texts]


_WORDS = st.lists(st.sampled_from(["a", "bb", "ccc", "a.", "Σσ", "中文", "😀", "x" * 30]), max_size=40)


@given(_WORDS, _WORDS, st.sampled_from([np.uint8, np.uint32]))
@_PROPS
def test_common_tokens_counts_the_tokens_two_keys_share(first, second, units):
    """`kernels._common_tokens` is the size of the multiset intersection of the two keys' tokens (difflib's
    ``quick_ratio`` matches), over key bytes and over code points."""
    a, b = " ".join(first), "\n".join(second)
    if units == np.uint8:
        a_units, b_units = a.encode(), b.encode()
        buf = np.frombuffer(a_units + b" " + b_units + bytes(8), np.uint8)
    else:
        a_units, b_units = a.encode("utf-32-le"), b.encode("utf-32-le")
        buf = np.frombuffer(a_units + " ".encode("utf-32-le") + b_units, np.uint32)
    na = len(a_units) // np.dtype(units).itemsize
    nb = len(b_units) // np.dtype(units).itemsize
    common = kernels._common_tokens(buf, 0, na, na + 1, na + 1 + nb, len(first))
    assert common == sum((Counter(a.split()) & Counter(b.split())).values())
