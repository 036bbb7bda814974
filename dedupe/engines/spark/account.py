"""The run's account from the decisions, document by document through :meth:`dedupe.document.Account.add`
(the local engine's own method) on the executors, one partial account per partition, merged here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dedupe.document import Account, Removal
from dedupe.engines.spark import columns as c

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pyspark.sql import DataFrame


def account_of(decisions: DataFrame) -> Account:
    """The account of every decided item: read, kept, removed, rejected and each stage's counts."""
    rows = decisions.select("status", "step", c.LENGTH, c.CHARS_IN, c.EDITS)
    total = Account()
    for part in rows.mapInPandas(_partial_accounts, "account string").collect():
        total.merge(Account.from_json(json.loads(part.account)))
    return total


def _partial_accounts(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    import pandas as pd

    account = Account()
    for pdf in frames:
        for status, step, length, chars_in, edits in pdf.itertuples(index=False, name=None):
            account.read += 1
            removal = None if status == "kept" else Removal("", step, "", rejected=status == "rejected")
            account.add(
                removal,
                chars_out=0 if removal is not None else int(length),
                chars_in=0 if pd.isna(chars_in) else int(chars_in),
                edits=None if edits is None else json.loads(edits),
            )
    yield pd.DataFrame({"account": [json.dumps(account.to_json())]})
