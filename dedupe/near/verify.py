"""The candidate check: when a candidate pair counts as near-duplicates, defined once for both engines.

The local index (:mod:`dedupe.near.index`) calls these one document at a time; the Spark engine calls the
same functions on whole columns of pairs. Every function takes a float or a numpy array alike, so the two
engines compute the same floats with the same operations.

- The **estimate** comes from 4-bit signature values (see :func:`nibbles`): the share of equal values,
  corrected for the 1/16 chance that two different values agree in their low 4 bits.
- **verify** says who decides: ``none`` the estimate; ``auto`` the estimate when it is more than
  :data:`MARGIN` away from the threshold, else the exact Jaccard of the two shingle sets; ``exact`` the
  exact Jaccard for every candidate the estimate puts no more than ``MARGIN`` below the threshold.
- Candidates are tried **most similar first** by estimate, ties to the earliest kept document, and
  never below ``threshold - MARGIN``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np

from dedupe.near.lsh import recall_bands

VERIFY_MODES = ("auto", "exact", "none")
MARGIN = 0.1
"""How far from the threshold the estimate must be to decide alone under ``verify="auto"``: the estimate
from 128 permutations has a standard deviation of about 0.035 near 0.8."""

_CHANCE = 1 / 16  # two different values agree in their low 4 bits this often

F = TypeVar("F", float, np.ndarray)


def banding(num_perm: int, threshold: float, bands: int | None = None, rows: int | None = None) -> tuple[int, int]:
    """The (bands, rows) of a run: the given ones, the rest from :func:`~dedupe.near.lsh.recall_bands`."""
    if bands is None or rows is None:
        auto_bands, auto_rows = recall_bands(threshold, num_perm)
        bands = bands or auto_bands
        rows = rows or min(auto_rows, num_perm // bands)
    if bands * rows > num_perm:
        raise ValueError(f"{bands} bands x {rows} rows needs more than {num_perm} permutations")
    return bands, rows


def check_verify(verify: str) -> None:
    if verify not in VERIFY_MODES:
        raise ValueError(f"verify must be one of {', '.join(VERIFY_MODES)}, got {verify!r}")


def nibbles(signatures: np.ndarray) -> np.ndarray:
    """Low 4 bits of every value, two per byte, along the last axis: what the estimate compares (a kept
    document costs 64 bytes at 128 permutations instead of 512)."""
    low = (np.asarray(signatures) & 0x0F).astype(np.uint8)
    if low.shape[-1] % 2:
        low = np.concatenate([low, np.zeros(low.shape[:-1] + (1,), dtype=np.uint8)], axis=-1)
    return low[..., 0::2] | (low[..., 1::2] << 4)


def estimate(a: np.ndarray, b: np.ndarray, num_perm: int) -> np.ndarray:
    """Estimated Jaccard of each row of ``a`` with ``b`` (one row, or one row per row of ``a``), from 4-bit
    signatures, corrected for chance agreement."""
    diff = a ^ b
    equal = ((diff & 0x0F) == 0).sum(axis=1) + ((diff & 0xF0) == 0).sum(axis=1)
    if num_perm % 2:
        equal -= 1  # the padding nibble of an odd width always agrees
    share = equal / num_perm
    return np.clip((share - _CHANCE) / (1 - _CHANCE), 0.0, 1.0)


def candidate_order(estimates: np.ndarray) -> np.ndarray:
    """Positions of candidates (given in kept order) most similar first; ties keep the earlier kept one."""
    return np.argsort(-estimates, kind="stable")


def worth_checking(e: F, threshold: float, margin: float = MARGIN) -> F:
    """Whether a candidate at estimate ``e`` can pass at all (candidates in :func:`candidate_order` stop at
    the first that cannot)."""
    return e >= threshold - margin


def needs_exact(e: F, threshold: float, verify: str, margin: float = MARGIN) -> F:
    """Whether the exact Jaccard, not the estimate ``e``, decides a candidate."""
    if verify == "none":
        return np.zeros_like(e, dtype=bool) if isinstance(e, np.ndarray) else False
    low = worth_checking(e, threshold, margin)
    return low & (e < threshold + margin) if verify == "auto" else low


def passes(e: F, exact: F, threshold: float, verify: str, margin: float = MARGIN) -> F:
    """Whether candidates pass: ``exact`` is the exact Jaccard where :func:`needs_exact` (anything, NaN
    included, elsewhere)."""
    need = needs_exact(e, threshold, verify, margin)
    if isinstance(need, np.ndarray):
        with np.errstate(invalid="ignore"):
            return np.where(need, exact >= threshold, e >= threshold)
    return exact >= threshold if need else e >= threshold


def check(
    e: float, threshold: float, verify: str, exact: Callable[[], float], margin: float = MARGIN
) -> tuple[float, bool] | None:
    """(similarity, exactly computed) when one candidate at estimate ``e`` passes, else None. ``exact`` is
    called only when the exact Jaccard decides."""
    if not needs_exact(e, threshold, verify, margin):
        return (e, False) if e >= threshold else None
    x = exact()
    return (x, True) if x >= threshold else None
