"""Which document of a duplicate group is kept: the order in which documents claim their place.

The document a policy prefers claims its place first, and the others are removed as its duplicates.
``first``: input order. ``longest``: longest cleaned text first. ``keep_by``: highest value of a record
field first (numbers numerically, strings as text, so ISO dates put the newest first; strings rank above
numbers when a field holds both), records without the field last. Ties always go to input order.

The order is defined once, as a byte string per document (:func:`rank_key`) that sorts ascending in
policy order; the local engine sorts those keys, the Spark engine sorts a column of them.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any

# rank_key's first byte: strings rank above numbers, and both above a record without the field
_STRING, _NUMBER, _MISSING = b"\x00", b"\x01", b"\x02"


def keep_by_value(record: Mapping[str, Any] | None, field: str) -> tuple[int, float | str] | None:
    """A record's ``keep_by`` value as (0, number) or (1, string); None when it has no usable one (booleans,
    lists and objects do not rank)."""
    value = None if record is None else record.get(field)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return (0, float(value))
    if isinstance(value, str):
        return (1, value)
    return None


def rank_key(value: tuple[int, float | str] | int | None) -> bytes:
    """An ascending sort key for a policy value: a ``keep_by_value`` (highest first, missing last) or a
    length (longest first); None (keep first) ranks every document alike."""
    if value is None:
        return _MISSING
    if isinstance(value, int):
        return _NUMBER + _descending_number(float(value))
    kind, v = value
    if kind == 0:
        return _NUMBER + _descending_number(float(v))
    assert isinstance(v, str)
    # each byte inverted (UTF-8 bytes are at most 0xF4, so 254 - b is at least 0x0A), then a terminator
    # above every inverted byte: a longer string that starts with a shorter one ranks first, as the greater
    return _STRING + bytes(254 - b for b in v.encode("utf-8", "surrogatepass")) + b"\xff"


def _descending_number(x: float) -> bytes:
    """8 bytes that sort ascending as ``x`` descends (IEEE 754 bits made order-preserving, then inverted)."""
    (bits,) = struct.unpack(">Q", struct.pack(">d", x + 0.0))  # + 0.0 turns -0.0 into 0.0
    ordered = bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | 1 << 63
    return struct.pack(">Q", ordered ^ 0xFFFFFFFFFFFFFFFF)


def policy_value(text: str, record: Mapping[str, Any] | None, keep: str, keep_by: str | None) -> Any:
    """What the policy ranks a document by (see :func:`rank_key`)."""
    if keep_by is not None:
        return keep_by_value(record, keep_by)
    if keep == "longest":
        return len(text)
    return None


def policy_order(keys: Sequence[bytes]) -> list[int]:
    """Positions (into input order) in the order documents claim their place, from their rank keys."""
    return sorted(range(len(keys)), key=keys.__getitem__)
