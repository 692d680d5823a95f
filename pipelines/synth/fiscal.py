"""The fiscal year's months and the Thai ways of writing dates, months and digits."""

from __future__ import annotations

import datetime as dt

BE_OFFSET = 543

MONTHS_FULL = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
]
MONTHS_ABBR = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]

_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def thai_digits(text: str) -> str:
    return text.translate(_THAI_DIGITS)


def start(fiscal_year: int) -> dt.date:
    """FY 2569 starts 2025-10-01."""
    return dt.date(fiscal_year - BE_OFFSET - 1, 10, 1)


def end(fiscal_year: int) -> dt.date:
    return dt.date(fiscal_year - BE_OFFSET, 9, 30)


def month_start(fiscal_year: int, month: int) -> dt.date:
    """First day of month 1..12 of the fiscal year (1 = October)."""
    first = start(fiscal_year)
    index = first.month - 1 + month - 1
    return dt.date(first.year + index // 12, index % 12 + 1, 1)


def month_end(fiscal_year: int, month: int) -> dt.date:
    nxt = month_start(fiscal_year, month + 1) if month < 12 else dt.date(end(fiscal_year).year, 10, 1)
    return nxt - dt.timedelta(days=1)


def excel_serial(day: dt.date) -> int:
    """Excel's 1900 date system (valid after 1900-03-01, which is all we write)."""
    return (day - dt.date(1899, 12, 30)).days


def month_abbr(day: dt.date) -> str:
    """`ต.ค. 68`: abbreviated month and two-digit BE year, as volunteers type it."""
    return f"{MONTHS_ABBR[day.month - 1]} {(day.year + BE_OFFSET) % 100:02d}"


def month_full(day: dt.date) -> str:
    """`ตุลาคม 2568`."""
    return f"{MONTHS_FULL[day.month - 1]} {day.year + BE_OFFSET}"
