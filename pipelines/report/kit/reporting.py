"""Reporting completeness: a heatmap of households reported per village (or area) and month."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipelines.report.kit.html import Fmt, Raw, esc
from pipelines.report.kit.rows import records
from pipelines.thai import fmt as tf

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Reporting:
    """One cell of the completeness heatmap: a village-month, or an area's month (villages summed)."""

    reported: int
    enrolled: int
    sent: bool  # any follow-up row that month
    villages: int = 1
    silent: int = 0  # villages that sent nothing that month

    @property
    def rate(self) -> float | None:
        return self.reported / self.enrolled if self.enrolled else None


HEAT_LEVELS = (
    (1.0, "h-full", "ครบทุกครัวเรือน"),
    (0.85, "h-high", "85–99%"),
    (0.5, "h-mid", "50–84%"),
    (0.0, "h-low", "ต่ำกว่า 50%"),
)


def _heat_html(c: Reporting) -> Raw:
    title_text = f"รายงาน {tf.number(c.reported)} จาก {tf.number(c.enrolled)} ครัวเรือน"
    if not c.sent:
        cls, text = "h-none", "ไม่ส่ง"
    elif c.rate is None:
        cls, text = "h-none", tf.DASH
    else:
        cls = next(k for floor, k, _ in HEAT_LEVELS if c.rate >= floor)
        text = tf.percent(c.rate, 0, ratio=True)
        if text == "100%" and c.rate < 1:  # 799 of 800 is not "100%"
            text = tf.percent(min(c.rate, 0.999), 1, ratio=True)
    if c.villages > 1 and c.silent:
        title_text += f"; {c.silent} หมู่บ้านไม่ส่งข้อมูล"
        text += f"<small>ไม่ส่ง {c.silent} หมู่บ้าน</small>" if c.sent else f"<small>{c.silent} หมู่บ้าน</small>"
    return Raw(f'<span class="rk-heat {cls}" title="{esc(title_text)}">{text}</span>')


# Rate in the spreadsheet copy; "ไม่ส่ง" where nothing came.
HEAT = Fmt(_heat_html, "0%", lambda c: (c.rate if c.sent else "ไม่ส่ง") if isinstance(c, Reporting) else c)


def heat_legend() -> str:
    items = [f'<span class="rk-heat {cls}">{esc(text)}</span>' for _, cls, text in HEAT_LEVELS]
    items.append('<span class="rk-heat h-none">ไม่ส่งข้อมูลเดือนนั้นเลย</span>')
    return f'<div class="rk-heat-legend">ร้อยละของครัวเรือนที่รายงานผล: {"".join(items)}</div>'


def reporting_heat(long, keys: list[str], months) -> pd.DataFrame:
    """Rows = ``keys`` (a village, or a district summed), one column per month (YYYY-MM) of
    ``Reporting`` cells, from ``reporting_matrix`` rows."""
    import pandas as pd

    cols = [f"{m:%Y-%m}" for m in months]
    rows: dict[tuple, dict] = {}
    for r in records(long):
        k = tuple(r[c] for c in keys)
        row = rows.setdefault(k, {**{c: r[c] for c in keys}, **{m: Reporting(0, 0, False, 0, 0) for m in cols}})
        key = f"{tf.parse_month(r['month']):%Y-%m}"
        if key not in row:
            continue
        old = row[key]
        row[key] = Reporting(
            old.reported + int(r["reported"]),
            old.enrolled + int(r["enrolled"]),
            old.sent or bool(r["sent"]),
            old.villages + 1,
            old.silent + (not r["sent"]),
        )
    return pd.DataFrame(list(rows.values()), columns=[*keys, *cols])


def heat_columns(months) -> dict[str, str]:
    return {f"{m:%Y-%m}": tf.month_be(m, abbr=True, short_year=True) for m in months}


def incomplete(heat, months) -> pd.Series:
    """Rows with a month not fully reported, or not sent at all."""
    cols = [f"{m:%Y-%m}" for m in months]
    return heat[cols].apply(lambda r: any((not c.sent) or (c.rate is not None and c.rate < 1) for c in r), axis=1)
