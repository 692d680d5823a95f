"""Frames as rows of plain values, quickly: a page turns many small frames into table rows."""

from __future__ import annotations

import pandas as pd


def records(df: pd.DataFrame) -> list[dict]:
    """The same rows as ``df.to_dict("records")`` (missing values of nullable columns as None),
    in a fraction of its time on a page's small frames: pandas 3 boxes every column of every
    row through ``iloc`` there, which was a fifth of a village report."""
    cols = list(df.columns)
    if not cols:
        return [{} for _ in range(len(df))]
    rows = df.to_numpy(dtype=object).tolist()
    nullable = [i for i, t in enumerate(df.dtypes) if isinstance(t, pd.api.extensions.ExtensionDtype)]
    if nullable:
        na = pd.NA
        for row in rows:
            for i in nullable:
                if row[i] is na:
                    row[i] = None
    return [dict(zip(cols, row)) for row in rows]
