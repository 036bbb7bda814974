"""The decision rules both engines share (near/verify.py, decide/keep.py, decide/ids.py, Account.add): each
against a plain statement of the rule, on generated cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.decide import keep
from dedupe.decide.ids import IdCounter, numbered_id
from dedupe.document import Account, Removal
from dedupe.near import verify
from dedupe.near.lsh import recall_bands

THRESHOLDS = st.floats(0.05, 0.95)
MODES = st.sampled_from(verify.VERIFY_MODES)
SIMS = st.floats(0.0, 1.0)


@given(SIMS, SIMS, THRESHOLDS, MODES)
def test_the_column_rule_and_the_one_candidate_rule_agree(e, x, t, mode):
    """What Spark computes on columns (passes) is what the local index decides one candidate at a time."""
    one = verify.check(e, t, mode, lambda: x)
    column = verify.passes(np.array([e]), np.array([x]), t, mode)[0]
    assert bool(column) == (one is not None)
    if one is not None:
        similarity, exact = one
        assert exact == bool(verify.needs_exact(e, t, mode))
        assert similarity == (x if exact else e)


@given(SIMS, THRESHOLDS, MODES)
def test_who_decides_follows_the_verify_mode(e, t, mode):
    need = bool(verify.needs_exact(e, t, mode))
    if mode == "none":
        assert not need
    elif mode == "exact":
        assert need == (e >= t - verify.MARGIN)
    else:
        assert need == (t - verify.MARGIN <= e < t + verify.MARGIN)


def test_the_exact_jaccard_is_only_asked_for_when_it_decides():
    asked = []

    def exact() -> float:
        asked.append(1)
        return 0.95

    assert verify.check(0.99, 0.8, "auto", exact) == (0.99, False) and not asked
    assert verify.check(0.85, 0.8, "auto", exact) == (0.95, True) and asked == [1]
    assert verify.check(0.5, 0.8, "exact", exact) is None and asked == [1]


@given(st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_the_estimate_matches_counting_equal_low_nibbles(seed, changes):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**32, size=(1, 128), dtype=np.uint64)
    b = a.copy()
    b[0, rng.choice(128, size=changes, replace=False)] += np.uint64(1)  # every change flips the low nibble
    share = 1 - changes / 128
    expected = max(0.0, (share - 1 / 16) / (1 - 1 / 16))
    assert verify.estimate(verify.nibbles(a), verify.nibbles(b)[0], 128)[0] == expected


def test_candidates_go_most_similar_first_and_ties_to_the_earlier_kept():
    assert verify.candidate_order(np.array([0.8, 0.9, 0.8, 0.95])).tolist() == [3, 1, 0, 2]


@given(THRESHOLDS, st.sampled_from([64, 128, 256]))
def test_default_banding_is_recall_bands(t, num_perm):
    assert verify.banding(num_perm, t) == recall_bands(t, num_perm)


# --- keep order --------------------------------------------------------------------------------------------

VALUES = st.one_of(
    st.none(),
    st.tuples(st.just(1), st.text(max_size=6)),
    st.tuples(st.just(0), st.floats(allow_nan=False)),
)


def reference_order(values: list) -> list[int]:
    """The rule as the README states it: highest value first (strings above numbers), missing values last,
    ties in input order."""
    present = [i for i, v in enumerate(values) if v is not None]
    present.sort(key=values.__getitem__, reverse=True)  # a stable sort keeps ties in input order
    return present + [i for i, v in enumerate(values) if v is None]


@settings(max_examples=300)
@given(st.lists(VALUES, max_size=12))
def test_rank_keys_sort_in_keep_by_order(values):
    assert keep.policy_order([keep.rank_key(v) for v in values]) == reference_order(values)


@given(st.lists(st.integers(0, 10**12), max_size=12))
def test_rank_keys_put_the_longest_first(lengths):
    order = keep.policy_order([keep.rank_key(n) for n in lengths])
    assert order == np.argsort(-np.asarray(lengths, dtype=np.int64), kind="stable").tolist()


def test_keep_by_values_rank_numbers_and_strings_only():
    record = {"n": 3, "s": "2024-01-01", "b": True, "l": [1], "z": None}
    assert [keep.keep_by_value(record, f) for f in ("n", "s", "b", "l", "z", "missing")] == [
        (0, 3.0),
        (1, "2024-01-01"),
        None,
        None,
        None,
        None,
    ]


# --- ids and the account -----------------------------------------------------------------------------------


@given(st.lists(st.sampled_from(["a", "b", "a#2", ""]), max_size=20))
def test_a_repeated_id_is_numbered_by_its_place_among_its_kind(ids):
    counter = IdCounter()
    got = [counter.rename(i) for i in ids]
    expected = [numbered_id(i, ids[: n + 1].count(i)) for n, i in enumerate(ids)]
    assert got == expected
    assert all(g is None for n, (g, i) in enumerate(zip(got, ids, strict=True)) if i not in ids[:n])


OUTCOMES = st.lists(
    st.tuples(
        st.sampled_from(["kept", "near", "exact", "read"]),
        st.integers(0, 500),
        st.dictionaries(
            st.sampled_from(["normalize:odd_spaces", "repeats:blocks", "read:duplicate_ids"]), st.integers(1, 3)
        ),
    ),
    max_size=30,
)


def _add(account: Account, outcome: tuple) -> None:
    step, chars, edits = outcome
    account.read += 1
    removal = None if step == "kept" else Removal("x", step, "why", rejected=step == "read")
    account.add(removal, chars_out=chars, chars_in=chars + 1, edits=edits)


@given(OUTCOMES, st.integers(0, 30))
def test_partial_accounts_merge_into_the_whole(outcomes, cut):
    whole, first, second = Account(), Account(), Account()
    for n, outcome in enumerate(outcomes):
        _add(whole, outcome)
        _add(first if n < cut else second, outcome)
    first.merge(second)
    assert first == whole and whole.balanced
    assert Account.from_json(whole.to_json()) == whole
