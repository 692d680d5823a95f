"""Statistics a planner can defend: a mean with its confidence interval, a share with its
Wilson interval, the programme's income change (a ratio of means over the same households)
with its interval, whether two figures differ by more than chance, and the distribution of
each practising household's income change over its own income before."""

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


def wilson(x: int, n: int, z: float = NORMAL_Z) -> tuple[float | None, float | None]:
    """The Wilson score interval of a share x / n (as the outcome_by_group view computes it):
    it stays inside [0, 1] and holds up for the 4 or 20 households of a trainer or a village."""
    if not n:
        return None, None
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class ChangeCI:
    """The income change of the programme's KPI, 100 × (Σ income − Σ income before) / Σ income
    before over the same households (a ratio of means), with its confidence interval."""

    n: int
    change: float | None  # %
    low: float | None
    high: float | None
    se: float | None = None  # of the change, in percentage points


def change_ci(
    n: int, sum_income, sum_before, sum_income2, sum_before2, sum_income_before, level: float = 0.95
) -> ChangeCI:
    """From the sums outcome_sums keeps: R = Σy / Σx, and by the delta method
    Var(R) ≈ Σ(y − R·x)² / (n (n − 1) x̄²), with Σ(y − R·x)² = Σy² − 2R·Σxy + R²·Σx²;
    the interval is R ± t(n − 1)·se (docs/decisions.md; its coverage is simulated in the
    tests)."""
    if not n or tf.is_missing(sum_before) or not float(sum_before):
        return ChangeCI(int(n or 0), None, None, None)
    y, x = float(sum_income), float(sum_before)
    r = y / x
    if n < 2:
        return ChangeCI(n, 100 * (r - 1), None, None)
    ss = max(0.0, float(sum_income2) - 2 * r * float(sum_income_before) + r * r * float(sum_before2))
    se = math.sqrt(ss / (n * (n - 1))) / (x / n)
    q, _ = t_critical(n - 1, level)
    return ChangeCI(n, 100 * (r - 1), 100 * (r - q * se - 1), 100 * (r + q * se - 1), 100 * se)


def change_ci_of(income, before, level: float = 0.95) -> ChangeCI:
    """``change_ci`` from the households' own incomes and incomes before (paired)."""
    pairs = [(float(y), float(x)) for y, x in zip(income, before) if not tf.is_missing(y) and not tf.is_missing(x)]
    return change_ci(
        len(pairs),
        math.fsum(y for y, _ in pairs),
        math.fsum(x for _, x in pairs),
        math.fsum(y * y for y, _ in pairs),
        math.fsum(x * x for _, x in pairs),
        math.fsum(y * x for y, x in pairs),
        level,
    )


def two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def shares_differ(x1: int, n1: int, x2: int, n2: int, alpha: float = 0.05) -> bool | None:
    """Whether two shares differ by more than chance (two-proportion z-test); None when one
    has no households."""
    if not n1 or not n2:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if not se:
        return x1 / n1 != x2 / n2
    return two_sided_p((x1 / n1 - x2 / n2) / se) < alpha


def changes_differ(a: ChangeCI, b: ChangeCI, alpha: float = 0.05) -> bool | None:
    """Whether two income changes of different households differ by more than chance."""
    if a.se is None or b.se is None or a.change is None or b.change is None:
        return None
    se = math.hypot(a.se, b.se)
    if not se:
        return a.change != b.change
    return two_sided_p((a.change - b.change) / se) < alpha


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
