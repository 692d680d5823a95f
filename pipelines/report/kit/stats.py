"""Household-level statistics: a mean with its confidence interval, and the distribution
of each practising household's income change over its own income before."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from pipelines.thai import fmt as tf

NORMAL_Z = 1.959963984540054  # 97.5th percentile of the normal distribution


def t_critical(dof: int, level: float = 0.95) -> tuple[float, str]:
    """Two-sided critical value: Student's t with scipy, else the normal approximation."""
    try:
        from scipy.special import stdtrit  # scipy.special: 0.2 s to import once a kernel (scipy.stats: 1 s)
    except ImportError:
        return NORMAL_Z, "normal"
    return float(stdtrit(dof, 1 - (1 - level) / 2)), "t"


@dataclass
class MeanCI:
    n: int
    mean: float | None
    low: float | None
    high: float | None
    method: str = ""  # "t" | "normal" | "" (fewer than two values)


def mean_ci(values, level: float = 0.95) -> MeanCI:
    """Mean and its confidence interval (t-interval on n − 1 degrees of freedom)."""
    x = [float(v) for v in values if not tf.is_missing(v)]
    n = len(x)
    if not n:
        return MeanCI(0, None, None, None)
    mean = math.fsum(x) / n
    if n < 2:
        return MeanCI(n, mean, None, None)
    q, method = t_critical(n - 1, level)
    half = q * statistics.stdev(x) / math.sqrt(n)
    return MeanCI(n, mean, mean - half, mean + half, method)


@dataclass
class IncomeSummary:
    """Households practising in the month, one by one (not the mean of the village means)."""

    households: int  # practising this month
    change: MeanCI  # mean of each household's change over its own income before
    median: float | None  # median of those changes
    reaching: int  # households whose change ≥ the target
    basic_n: int  # households with an income and a member count
    above_line: int  # … whose income per person per year ≥ the basic-needs line
    line: float | None

    @property
    def share_reaching(self) -> float | None:
        return self.reaching / self.change.n if self.change.n else None

    @property
    def share_above(self) -> float | None:
        return self.above_line / self.basic_n if self.basic_n and self.line is not None else None


def income_summary(df, target_pct: float, line: float | None) -> IncomeSummary:
    """From ``household_incomes`` rows: change_pct and income_per_person_year per household."""
    change = [float(v) for v in df["change_pct"] if not tf.is_missing(v)]
    per_person = [float(v) for v in df["income_per_person_year"] if not tf.is_missing(v)]
    return IncomeSummary(
        households=len(df),
        change=mean_ci(change),
        median=statistics.median(change) if change else None,
        reaching=sum(c >= target_pct for c in change),
        basic_n=len(per_person),
        above_line=sum(p >= line for p in per_person) if line is not None else 0,
        line=line,
    )


def income_summary_table(df, by: list[str], target_pct: float, line: float | None, total_label: dict | None = None):
    """One row per group (and a total row when ``total_label`` names its label columns)."""
    import pandas as pd

    def row(keys: dict, part, total: bool = False) -> dict:
        s = income_summary(part, target_pct, line)
        return {
            **keys,
            "is_total": total,
            "households": s.households,
            "n_change": s.change.n,
            "median": s.median,
            "mean": s.change.mean,
            "ci_low": s.change.low,
            "ci_high": s.change.high,
            "reaching": s.reaching,
            "share_reaching": s.share_reaching,
            "basic_n": s.basic_n,
            "above_line": s.above_line if line is not None else None,
            "share_above": s.share_above,
        }

    rows = (
        [
            row(dict(zip(by, k if isinstance(k, tuple) else (k,))), part)
            for k, part in df.groupby(by, sort=True, dropna=False)
        ]
        if len(df)
        else []
    )
    if total_label is not None:
        rows.append(row(total_label, df, total=True))
    return pd.DataFrame(
        rows,
        columns=[
            *by,
            "is_total",
            "households",
            "n_change",
            "median",
            "mean",
            "ci_low",
            "ci_high",
            "reaching",
            "share_reaching",
            "basic_n",
            "above_line",
            "share_above",
        ],
    )
