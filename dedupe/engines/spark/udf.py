"""Python functions as pandas UDFs: pandas_udf and applyInPandas read the kind of a function from its real
type hints, which a ``functools.partial`` has none of."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def series_udf(fn: Callable[..., Any], arity: int, result: str) -> Any:
    """``fn`` (one or two pandas Series in, one out) as a Series-to-Series pandas UDF returning ``result``."""
    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    if arity == 1:

        def call(a):
            return fn(a)

        call.__annotations__ = {"a": pd.Series, "return": pd.Series}
    else:

        def call(a, b):
            return fn(a, b)

        call.__annotations__ = {"a": pd.Series, "b": pd.Series, "return": pd.Series}
    return pandas_udf(call, result)


def grouped(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn`` (a pandas DataFrame in and out) as a plain function for applyInPandas."""

    def call(pdf):
        return fn(pdf)

    return call
