"""The near-duplicate index: banding, the 4-bit candidate check, merges, verification and memory."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch.lsh import _optimal_param

from dedupe.near.index import NearDuplicateIndex, exact_jaccard
from dedupe.near.lsh import band_keys, candidate_probability, optimal_bands, recall_bands
from dedupe.near.verify import estimate, nibbles

RNG = np.random.default_rng(0)
EMPTY_SET = np.empty(0, dtype=np.uint32)


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_recall_bands_make_pairs_at_the_threshold_candidates(threshold, num_perm):
    bands, rows = recall_bands(threshold, num_perm)
    assert bands * rows <= num_perm
    assert candidate_probability(threshold, bands, rows) >= 0.99
    if candidate_probability(threshold / 2, bands, rows) <= 0.15:
        # no banding with fewer bands reaches both targets
        for b in range(1, bands):
            for r in range(1, num_perm // b + 1):
                assert not (
                    candidate_probability(threshold, b, r) >= 0.99
                    and candidate_probability(threshold / 2, b, r) <= 0.15
                )


def test_default_banding_at_0_8():
    assert recall_bands(0.8, 128) == (12, 5)
    assert candidate_probability(0.8, 12, 5) > 0.99 > 0.4 > candidate_probability(0.8, *optimal_bands(0.8, 128))


def test_a_low_threshold_with_many_permutations_gets_a_banding_not_an_overflow():
    """At 0.05 and 256 permutations the bands one row would need overflowed a float (a traceback)."""
    for threshold in (0.05, 0.0625, 0.01):
        bands, rows = recall_bands(threshold, 256)
        assert 1 <= bands * rows <= 256


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.5, 128), (0.8, 128), (0.9, 256), (0.7, 64)])
def test_optimal_bands_match_datasketch(threshold, num_perm):
    assert optimal_bands(threshold, num_perm) == _optimal_param(threshold, num_perm, 0.5, 0.5)


def test_band_keys_depend_on_the_band_rows_and_the_band_number():
    sig = RNG.integers(0, 2**32, size=(1, 12), dtype=np.uint64).astype(np.uint32)
    same = np.tile(sig[:, :4], 3)  # three identical bands
    keys = band_keys(same, 3, 4)[0]
    assert len(set(keys.tolist())) == 3  # same rows, different band numbers
    other = sig.copy()
    other[0, 5] ^= 1
    k1, k2 = band_keys(sig, 3, 4)[0], band_keys(other, 3, 4)[0]
    assert k1[0] == k2[0] and k1[1] != k2[1] and k1[2] == k2[2]


def _random_sig(n: int = 128) -> np.ndarray:
    return RNG.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)


def _with_changes(sig: np.ndarray, k: int) -> np.ndarray:
    out = sig.copy()
    pos = RNG.choice(len(sig), size=k, replace=False)
    out[pos] = _random_sig(k)
    return out


def test_four_bit_estimate_tracks_the_full_precision_share():
    errors = []
    for k in range(0, 64, 4):
        base = _random_sig()
        other = _with_changes(base, k)
        full = float((base == other).mean())
        est = estimate(nibbles(base[None, :]), nibbles(other), 128)[0]
        errors.append(est - full)
    assert abs(np.mean(errors)) < 0.02 and max(abs(e) for e in errors) < 0.1


def _fill(index: NearDuplicateIndex, sigs: np.ndarray, batch: int = 50) -> list[str | None]:
    """Run sigs through the index like the pipeline does; return the matched label (or None) of each."""
    out: list[str | None] = []
    for start in range(0, len(sigs), batch):
        chunk = sigs[start : start + batch]
        q = index.begin(chunk)
        for i, sig in enumerate(chunk):
            m = index.match(q, i, sig, EMPTY_SET)
            out.append(m.label if m else None)
            if m is None:
                index.add(q, i, f"d{start + i}", sig, EMPTY_SET)
    return out


def test_merging_pending_entries_into_sorted_tables_changes_no_decision():
    bases = [_random_sig() for _ in range(300)]
    sigs = np.stack(bases + [_with_changes(b, 8) for b in bases] + [_with_changes(b, 70) for b in bases])
    plain = _fill(NearDuplicateIndex(128, 0.8, verify="none", pending_limit=10**9), sigs)
    merged_index = NearDuplicateIndex(128, 0.8, verify="none", pending_limit=100)
    merged = _fill(merged_index, sigs)
    assert len(merged_index._runs) > 0  # merges really happened
    assert plain == merged
    assert all(m is None for m in plain[:300])
    assert [m for m in plain[300:600]] == [f"d{i}" for i in range(300)]  # 8 of 128 changed: J ~ 0.94
    assert sum(m is not None for m in plain[600:]) == 0  # 70 of 128 changed: J ~ 0.45


def test_verify_modes_decide_with_the_exact_similarity_when_asked():
    sig = _random_sig()
    sigs = np.stack([sig, sig, _with_changes(sig, 20)])  # estimates 1.0 and ~0.84

    def run(verify: str) -> tuple[list[str | None], int]:
        index = NearDuplicateIndex(128, 0.8, verify=verify, exact_similarity=lambda a, b: 0.5)
        return _fill(index, sigs), index.exact_checks

    assert run("none") == ([None, "d0", "d0"], 0)
    assert run("exact") == ([None, None, None], 3)  # the (fake) exact similarity 0.5 overrules the estimate
    labels, checks = run("auto")
    assert labels[:2] == [None, "d0"]  # estimate 1.0 is clearly above 0.8 + margin: no exact check
    assert labels[2] is None and checks == 1  # ~0.84 is within the margin: the exact value decides


def test_exact_jaccard_matches_the_reference_definition():
    from corpora import document, edit, jaccard

    a = document(300, seed=1)
    b = edit(a, 0.02, seed=2)
    assert exact_jaccard(a, b) == pytest.approx(jaccard(a, b), abs=1e-3)
    assert exact_jaccard("", "") == 1.0 and exact_jaccard("one two", "") == 0.0


def test_memory_per_kept_document_is_under_200_bytes():
    index = NearDuplicateIndex(128, 0.8, verify="none", pending_limit=1000)
    n = 20_000
    sigs = RNG.integers(0, 2**32, size=(n, 128), dtype=np.uint64).astype(np.uint32)
    for start in range(0, n, 1000):
        q = index.begin(sigs[start : start + 1000])
        for i in range(1000):
            index.add(q, i, f"doc{start + i:08d}", sigs[start + i], EMPTY_SET)
    index.begin(sigs[:1])  # merges what is pending
    assert len(index) == n
    assert index.memory_bytes() / n < 200


def test_batch_shingle_sets_equal_one_at_a_time():
    from corpora import document

    from dedupe.near.index import shingle_set, shingle_sets

    texts = [
        "",
        "one",
        "a b c d e f g",
        document(200, seed=1),
        "日本語のテキスト 日本語",
        "a b c d e a b c d e a b c d e",
    ]
    for mode, n in (("word", 5), ("char", 3)):
        got = shingle_sets(texts, ngram=n, mode=mode)
        want = [shingle_set(t, ngram=n, mode=mode) for t in texts]
        assert all(np.array_equal(g, w) and g.dtype == w.dtype for g, w in zip(got, want, strict=True))
    assert shingle_sets([]) == []


def _reference(sigs: np.ndarray, num_perm: int = 128, threshold: float = 0.8) -> list[tuple[str | None, float]]:
    """The decision one document at a time, without batches, sorted tables or pending entries: every kept
    document that shares a band key is a candidate; the most similar passing one (ties: the earliest) wins."""
    from dedupe.near import verify as rule

    bands, rows = rule.banding(num_perm, threshold)
    keys = (band_keys(sigs, bands, rows) >> np.uint64(32)).astype(np.uint32)
    nibs = nibbles(sigs)
    kept: list[int] = []
    out: list[tuple[str | None, float]] = []
    for i in range(len(sigs)):
        cands = [k for n, k in enumerate(kept) if set(keys[k].tolist()) & set(keys[i].tolist())]
        best: tuple[str | None, float] = (None, 0.0)
        if cands:
            est = estimate(nibs[cands], nibs[i], num_perm)
            for j in rule.candidate_order(est).tolist():
                if est[j] >= threshold:
                    best = (f"d{cands[j]}", float(est[j]))
                    break
        if best[0] is None:
            kept.append(i)
        out.append(best)
    return out


@pytest.mark.parametrize("batch", [1, 7, 50, 1000])
def test_batched_decisions_equal_one_document_at_a_time(batch):
    """Batches look candidates up at once and file their kept documents at the end; a document may match one
    kept earlier in its own batch, one in the pending entries or one in a merged run: all give the reference's
    decision, whatever the batch size."""
    bases = [_random_sig() for _ in range(120)]
    copies = [_with_changes(bases[j], int(RNG.integers(0, 30))) for j in RNG.integers(0, 120, size=240)]
    sigs = np.stack(bases + copies)
    sigs = sigs[RNG.permutation(len(sigs))]
    index = NearDuplicateIndex(128, 0.8, verify="none", pending_limit=300)
    got: list[tuple[str | None, float]] = []
    for start in range(0, len(sigs), batch):
        chunk = sigs[start : start + batch]
        q = index.begin(chunk)
        for i, sig in enumerate(chunk):
            m = index.match(q, i, sig, EMPTY_SET)
            got.append((m.label, m.similarity) if m else (None, 0.0))
            if m is None:
                index.add(q, i, f"d{start + i}", sig, EMPTY_SET)
    want = _reference(sigs)
    assert got == want
    assert sum(label is not None for label, _ in want) > 100  # many documents really matched
    assert len(index) == sum(label is None for label, _ in want)
    assert [index.label(k) for k in range(3)] == [f"d{i}" for i, (label, _) in enumerate(want) if label is None][:3]
