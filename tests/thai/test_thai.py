"""Value parsers: one rule each, plus property tests for dates, money and IDs."""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import citizen_id
from hypothesis import given
from hypothesis import strategies as st

from pipelines.thai import parse

THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@pytest.mark.parametrize(
    "raw",
    [
        "15/10/2568",
        "15-10-68",
        "15 ต.ค. 2568",
        "15 ตุลาคม 2568",
        "2025-10-15",
        "๑๕/๑๐/๒๕๖๘",
        45945.0,
        dt.date(2568, 10, 15),
        dt.datetime(2025, 10, 15),
    ],
)
def test_date_forms(raw):
    assert parse.date(raw) == dt.date(2025, 10, 15)


@pytest.mark.parametrize("raw", ["ตุลาคม 2568", "ต.ค. 68", "10/2568", "2025-10", "ต.ค.68", "๑๐/๒๕๖๘"])
def test_month_forms(raw):
    assert parse.month(raw) == dt.date(2025, 10, 1)


@pytest.mark.parametrize(
    "raw,want",
    [
        ("1,500", "1500.00"),
        ("1500.50", "1500.50"),
        ("1,500 บาท", "1500.00"),
        ("฿1,500", "1500.00"),
        (1500, "1500.00"),
        ("๑,๕๐๐", "1500.00"),
    ],
)
def test_money_forms(raw, want):
    assert parse.money(raw) == Decimal(want)


@pytest.mark.parametrize("raw", ["-", "ไม่ทราบ", "-5", "abc"])
def test_money_refused(raw):
    with pytest.raises(ValueError):
        parse.money(raw)


def test_citizen_id_forms():
    cid = citizen_id("354010012345")
    dashed = f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"
    for raw in [cid, dashed, dashed.replace("-", " "), cid.translate(THAI), float(cid), int(cid), cid + ".0"]:
        assert parse.citizen_id(raw) == cid


@pytest.mark.parametrize("raw", ["3.5401E+12", "354010012345", "3540100123450", 3.5401e12 + 0.5])
def test_citizen_id_refused(raw):
    with pytest.raises(ValueError):
        parse.citizen_id(raw)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_round_trip_every_written_form(day):
    be = day.year + 543
    forms = [
        f"{day.day}/{day.month}/{be}",
        f"{day:%Y-%m-%d}",
        f"{day.day} {parse.THAI_MONTHS_FULL[day.month - 1]} {be}",
        f"{day.day} {parse.THAI_MONTHS_ABBR[day.month - 1]} {be}",
        f"{day.day}/{day.month}/{be}".translate(THAI),
        (day - parse.EXCEL_EPOCH).days,
    ]
    if 2500 <= be <= 2599:
        forms.append(f"{day.day:02d}-{day.month:02d}-{be % 100:02d}")
    for form in forms:
        assert parse.date(form) == day, form


@given(st.decimals(min_value=0, max_value=9_999_999, places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trip(amount):
    assert parse.money(f"{amount:,}") == amount
    assert parse.money(f"฿{amount:,} บาท".translate(THAI)) == amount


@given(st.integers(min_value=10**11, max_value=10**12 - 1))
def test_citizen_id_numbers_recovered_exactly(n):
    cid = citizen_id(f"{n:012d}")
    assert parse.citizen_id(float(cid)) == cid


def test_yes_no_and_codes():
    assert all(parse.yes_no(v) for v in ["ใช่", "ทำ", "✓", "/", "1", "Y", "yes", "true", 1])
    assert not any(parse.yes_no(v) for v in ["ไม่ใช่", "ไม่ทำ", "✗", "x", "0", "N", "no", "false", 0])
    assert parse.role("ปราชญ์ชุมชน") == "sage" and parse.role("ทีมวิทยากร") == "team"
    assert parse.occupation_group("ภาคการเกษตร") == "agriculture"
    assert parse.occupation_group("การแปรรูป") == "processing"
    assert parse.household_status(None) == "active" and parse.household_status("ถอนตัว") == "withdrawn"
    assert parse.standards("อย., มผช.") == ["อย.", "มผช."] and parse.standards("ไม่มี") == []
    assert parse.channels("ตลาดชุมชน/ออนไลน์") == ["ตลาดชุมชน", "ออนไลน์"]


def test_text_normalised():
    assert parse.text("  เเม่   ก่่า ") == "แม่ ก่า"
    assert parse.strip_title("นางสาวสมศรี ใจดี") == ("นางสาว", "สมศรี ใจดี")
    assert parse.fiscal_year("พ.ศ. 2569") == parse.fiscal_year("2026") == parse.fiscal_year("๒๕๖๙") == 2569
    assert parse.fiscal_year_of(dt.date(2025, 10, 1)) == 2569 and parse.fiscal_year_of(dt.date(2025, 9, 30)) == 2568
