"""Values out: what people read. Month names, Buddhist Era dates, numbers, baht and
percentages; citizen IDs masked (PDPA); spreadsheet cells that never start a formula.

The reverse of ``pipelines.thai.parse`` (which reads what villages type).
Missing values (None, NaN, NA) are shown as a dash, never as "nan".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
from decimal import Decimal
from pathlib import Path

from pipelines.thai.parse import BE_OFFSET, THAI_MONTHS_ABBR, THAI_MONTHS_FULL, fiscal_year_of

DASH = "–"

__all__ = [
    "BE_OFFSET",
    "DASH",
    "baht",
    "date_be",
    "fiscal_months",
    "fiscal_year",
    "inert",
    "is_missing",
    "mask_citizen_id",
    "mask_ids",
    "month_be",
    "month_name",
    "number",
    "parse_month",
    "percent",
    "signed_percent",
]


def is_missing(value) -> bool:
    """None, NaN and pandas' NA/NaT alike."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT, pd.NA raise or compare unequal to themselves
    except (TypeError, ValueError):
        return True


def parse_month(value: str | dt.date) -> dt.date:
    """`2025-12` (CE) or `2568-12` (BE), or a date → the month's first day."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*", str(value))
    if not m or not 1 <= int(m[2]) <= 12:
        raise ValueError(f"'{value}' ไม่ใช่เดือนในรูปแบบ YYYY-MM (not a month like 2025-12)")
    year = int(m[1])
    return dt.date(year - BE_OFFSET if year > 2400 else year, int(m[2]), 1)


def fiscal_year(month: str | dt.date) -> int:
    """BE fiscal year of a month: FY 2569 = 2025-10 .. 2026-09."""
    return fiscal_year_of(parse_month(month))


def fiscal_months(month: str | dt.date) -> list[dt.date]:
    """First days of the fiscal year's months from October up to ``month`` inclusive."""
    end = parse_month(month)
    d = dt.date(end.year if end.month >= 10 else end.year - 1, 10, 1)
    out = []
    while d <= end:
        out.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def month_name(month: int, abbr: bool = False) -> str:
    return (THAI_MONTHS_ABBR if abbr else THAI_MONTHS_FULL)[month - 1]


def month_be(value: str | dt.date, abbr: bool = False, short_year: bool = False) -> str:
    """ "ธันวาคม 2568"; abbr → "ธ.ค. 2568"; short_year → "ธ.ค. 68" (chart axes)."""
    d = parse_month(value)
    year = d.year + BE_OFFSET
    return f"{month_name(d.month, abbr)} {year % 100:02d}" if short_year else f"{month_name(d.month, abbr)} {year}"


def date_be(value: dt.date | dt.datetime | str | None, abbr: bool = True, time: bool = False) -> str:
    """ "15 ต.ค. 2568" (abbr) or "15 ตุลาคม 2568"; time adds " 14:05 น." for a datetime."""
    if is_missing(value):
        return DASH
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    text = f"{value.day} {month_name(value.month, abbr)} {value.year + BE_OFFSET}"
    if time and isinstance(value, dt.datetime):
        text += f" {value:%H:%M} น."
    return text


def _float(value) -> float | None:
    if is_missing(value):
        return None
    return float(value) if not isinstance(value, Decimal) else float(value)


def number(value, decimals: int = 0) -> str:
    """12,345 or 12,345.50; a dash when missing."""
    x = _float(value)
    if x is None or math.isinf(x):
        return DASH
    return f"{x:,.{decimals}f}"


def baht(value, decimals: int = 0, unit: str = "บาท") -> str:
    """ "12,345 บาท"."""
    text = number(value, decimals)
    return text if text == DASH else f"{text} {unit}"


def percent(value, decimals: int = 1, ratio: bool = False) -> str:
    """ "85.0%"; ratio=True reads 0.85 as 85 %."""
    x = _float(value)
    if x is None or math.isinf(x):
        return DASH
    return f"{x * 100 if ratio else x:,.{decimals}f}%"


def signed_percent(value, decimals: int = 1) -> str:
    """ "+12.3%" / "−4.0%" (a change)."""
    x = _float(value)
    if x is None or math.isinf(x):
        return DASH
    sign = "+" if x > 0 else ("−" if x < 0 else "")
    return f"{sign}{abs(x):,.{decimals}f}%"


# ----------------------------------------------------------------------------- PDPA and spreadsheet cells

_ID = re.compile(r"(?<!\d)(\d)(\d{4})(\d{5})(\d{2})(\d)(?!\d)")


def mask_citizen_id(cid) -> str:
    """3-5401-xxxxx-xx-1: first digit, province and district digits, last digit (PDPA)."""
    if is_missing(cid):
        return DASH
    d = re.sub(r"\D", "", str(cid))
    if len(d) != 13:
        return "x-xxxx-xxxxx-xx-x"
    return f"{d[0]}-{d[1:5]}-xxxxx-xx-{d[12]}"


def mask_ids(text) -> str:
    """Free text (validation details) with every 13-digit run shown as 3-5401-xxxxx-xx-1
    (PDPA: full IDs stay in the warehouse)."""
    if is_missing(text):
        return ""
    return _ID.sub(lambda m: f"{m[1]}-{m[2]}-xxxxx-xx-{m[5]}", str(text))


def inert(value):
    """Spreadsheet cells never start a formula, whatever the data holds."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@contextlib.contextmanager
def workbook(path: Path):
    """An xlsxwriter workbook for ``path``, written whole or not at all (built beside it and
    moved into place; a reader never opens half a file, and an error leaves the old one). Text
    stays text: no string becomes a formula, a link or a number (``inert`` the cells too)."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.xlsx")
    wb = xlsxwriter.Workbook(
        str(tmp),
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    try:
        yield wb
        wb.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
