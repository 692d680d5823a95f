"""The value parsers at their edges: each case here killed a mutant of pipelines/thai/parse.py
that every other test let live (mutmut, docs/spec-tests.md): two-digit BE years in month
text, negative amounts as numbers, where "BE" starts (a year > 2400), the bounds of serials,
fiscal years and counts, rounding to the satang, and the reason each refusal gives."""

import datetime as dt
from decimal import Decimal

import pytest

from pipelines.thai import parse

OCT = dt.date(2025, 10, 1)


def _refused(fn, value, reason: str) -> None:
    with pytest.raises(ValueError) as exc:
        fn(value)
    assert str(exc.value) == reason, (value, str(exc.value))


# ----------------------------------------------------------------------------- months


@pytest.mark.parametrize(
    "raw, want",
    [
        ("10/68", OCT),  # the spec: a two-digit year is BE (68 → 2568)
        ("๑๐/๖๘", OCT),
        ("10-68", OCT),
        ("10.68", OCT),
        ("1/69", dt.date(2026, 1, 1)),
        ("9 / 69", dt.date(2026, 9, 1)),
        ("10/2568", OCT),
        ("10/2025", OCT),  # a four-digit CE year stays CE
        ("2568-10", OCT),
        ("2025/10", OCT),
        ("ตุลาคม พ.ศ. 2568", OCT),
        ("ต.ค. 2568", OCT),
        ("Oct 2025", OCT),
        ("oct. 68", OCT),
        ("15/10/2568", OCT),  # a day in the month
        ("15 ต.ค. 68", OCT),
        (dt.date(2568, 10, 15), OCT),
        (dt.datetime(2025, 10, 31, 23, 59), OCT),
        (45945, OCT),
        (45945.0, OCT),
    ],
)
def test_month_forms_at_their_edges(raw, want):
    assert parse.month(raw) == want


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("13/68", "เดือนไม่ถูกต้อง (no such month)"),
        ("0/2568", "เดือนไม่ถูกต้อง (no such month)"),
        ("2568-13", "เดือนไม่ถูกต้อง (no such month)"),
        ("ตุลา", "อ่านเดือนไม่ได้ (unreadable month)"),
        ("", "อ่านเดือนไม่ได้ (unreadable month)"),
        (True, "อ่านเดือนไม่ได้ (unreadable month)"),  # a TRUE cell is no month, though it equals 1
    ],
)
def test_month_refusals_say_why(raw, reason):
    _refused(parse.month, raw, reason)


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw, want",
    [
        ("15/10/68", dt.date(2025, 10, 15)),
        ("15.10.2568", dt.date(2025, 10, 15)),
        ("15 / 10 / 2568", dt.date(2025, 10, 15)),
        ("15ต.ค.68", dt.date(2025, 10, 15)),
        ("15 ตุลาคม พ.ศ. 2568", dt.date(2025, 10, 15)),
        ("15 ตุลาคม, 2568", dt.date(2025, 10, 15)),
        ("15 Oct 2025", dt.date(2025, 10, 15)),
        ("2025-10-15 00:00:00", dt.date(2025, 10, 15)),
        ("2025-10-15T00:00", dt.date(2025, 10, 15)),
        ("2568-10-15", dt.date(2025, 10, 15)),
        ("45945", dt.date(2025, 10, 15)),  # a serial typed as text
        ("45945.75", dt.date(2025, 10, 15)),
        (45945.75, dt.date(2025, 10, 15)),  # the time of day does not move the date
        (1, dt.date(1899, 12, 31)),
        (2_958_465, dt.date(9456, 12, 31)),  # the last serial: 9999-12-31, a year > 2400, so BE
        (244_272, dt.date(2025, 10, 15)),  # 15/10/2568 typed into Excel: the serial of a BE year
        ("1/1/2400", dt.date(2400, 1, 1)),  # 2400 itself is CE: only a year > 2400 is BE
        ("1/1/2401", dt.date(1858, 1, 1)),
        (dt.date(2400, 1, 1), dt.date(2400, 1, 1)),
        (dt.date(2401, 1, 1), dt.date(1858, 1, 1)),
        (dt.datetime(2568, 10, 15, 9, 30), dt.date(2025, 10, 15)),
        (dt.date(2567, 2, 28), dt.date(2024, 2, 28)),
    ],
)
def test_date_forms_at_their_edges(raw, want):
    got = parse.date(raw)
    assert got == want and type(got) is dt.date


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("31/2/2568", "วันที่ไม่มีอยู่จริง (no such date)"),
        ("15/13/2568", "วันที่ไม่มีอยู่จริง (no such date)"),
        (dt.date(2568, 2, 29), "วันที่ไม่มีอยู่จริง (no such date)"),  # 29 Feb 2568 BE: 2025 is no leap year
        ("วันนี้", "อ่านวันที่ไม่ได้ (unreadable date)"),
        ("15/10", "อ่านวันที่ไม่ได้ (unreadable date)"),
        (True, "อ่านวันที่ไม่ได้ (unreadable date)"),
        (0, "ไม่ใช่วันที่ (not a date)"),
        (-5, "ไม่ใช่วันที่ (not a date)"),
        (2_958_466, "ไม่ใช่วันที่ (not a date)"),
    ],
)
def test_date_refusals_say_why(raw, reason):
    _refused(parse.date, raw, reason)


# ----------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    "raw, want",
    [
        (0, "0.00"),
        ("0", "0.00"),
        (1500, "1500.00"),
        (1500.5, "1500.50"),
        (2.675, "2.68"),  # the float as written (2.675), not its binary neighbour 2.67499…
        ("2.665", "2.67"),  # half up, not half to even
        ("0.125", "0.13"),
        ("1,500.255", "1500.26"),
        ("1500 THB", "1500.00"),
        ("1,500 Baht", "1500.00"),
        ("฿ 1 500", "1500.00"),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_money_forms_at_their_edges(raw, want):
    assert parse.money(raw) == Decimal(want)
    assert str(parse.money(raw)) == want  # always two decimals


@pytest.mark.parametrize(
    "raw, reason",
    [
        (-1, "จำนวนเงินติดลบ (negative amount)"),  # a negative number in a number cell
        (-1500.0, "จำนวนเงินติดลบ (negative amount)"),
        (-0.01, "จำนวนเงินติดลบ (negative amount)"),
        ("-0.01", "จำนวนเงินติดลบ (negative amount)"),
        ("-1,500 บาท", "จำนวนเงินติดลบ (negative amount)"),
        (10_000_000_000, "จำนวนเงินสูงเกินจริง (amount too large)"),
        ("10000000000", "จำนวนเงินสูงเกินจริง (amount too large)"),
        (True, "ไม่ใช่จำนวนเงิน (not an amount)"),
        (False, "ไม่ใช่จำนวนเงิน (not an amount)"),
        ("ไม่ทราบ", "ไม่ใช่จำนวนเงิน (not an amount in baht)"),
        ("-", "ไม่ใช่จำนวนเงิน (not an amount in baht)"),
        ("1500.", "ไม่ใช่จำนวนเงิน (not an amount in baht)"),
        ("+1500", "ไม่ใช่จำนวนเงิน (not an amount in baht)"),
        ("", "ไม่ใช่จำนวนเงิน (not an amount in baht)"),
    ],
)
def test_money_refusals_say_why(raw, reason):
    _refused(parse.money, raw, reason)


class _Unhashable(str):
    __hash__ = None


def test_an_unhashable_cell_is_parsed_as_it_is():
    """The parsers remember values they have seen; a value that cannot be remembered is read all the same."""
    assert parse.money(_Unhashable("1,500")) == Decimal("1500.00")
    assert parse.citizen_id(_Unhashable("3-5401-00123-45-7")) == "3540100123457"
    with pytest.raises(ValueError):
        parse.money(_Unhashable("ไม่ทราบ"))


def test_a_refusal_is_remembered_and_given_again():
    for _ in range(2):
        _refused(parse.money, "-5", "จำนวนเงินติดลบ (negative amount)")
    assert parse.money.__name__ == "money" and parse.money.__wrapped__("5") == Decimal("5.00")


# ----------------------------------------------------------------------------- citizen IDs

CID = "3540100123457"


@pytest.mark.parametrize(
    "raw",
    [CID, int(CID), float(CID), CID + ".0", CID + ".00", "3.5401.00123.45.7", " 3 5401 00123 45 7 ", "๓๕๔๐๑๐๐๑๒๓๔๕๗"],
)
def test_citizen_id_forms_at_their_edges(raw):
    assert parse.citizen_id(raw) == CID


@pytest.mark.parametrize(
    "raw, reason",
    [
        (True, "เลขประจำตัวประชาชนไม่ถูกต้อง (invalid citizen ID)"),
        (3540100123457.5, "เลขประจำตัวประชาชนถูกปัดเศษ (citizen ID stored as a rounded number)"),
        ("3.5401E+12", "เลขประจำตัวประชาชนถูกแสดงแบบ E+ ตัวเลขสูญหาย (citizen ID lost to scientific notation)"),
        ("3.5401e12", "เลขประจำตัวประชาชนถูกแสดงแบบ E+ ตัวเลขสูญหาย (citizen ID lost to scientific notation)"),
        ("354010012345", "เลขประจำตัวประชาชนต้องมี 13 หลัก (citizen ID must have 13 digits)"),
        ("35401001234510", "เลขประจำตัวประชาชนต้องมี 13 หลัก (citizen ID must have 13 digits)"),
        ("354010012345x", "เลขประจำตัวประชาชนต้องมี 13 หลัก (citizen ID must have 13 digits)"),
        (354010012345, "เลขประจำตัวประชาชนต้องมี 13 หลัก (citizen ID must have 13 digits)"),
        ("3540100123450", "เลขประจำตัวประชาชนหลักตรวจสอบไม่ถูกต้อง (citizen ID check digit is wrong)"),
    ],
)
def test_citizen_id_refusals_say_why(raw, reason):
    _refused(parse.citizen_id, raw, reason)


@pytest.mark.parametrize(
    "cid, valid",
    [
        ("3540100123457", True),
        ("1101700203450", True),  # check digit 0: (11 - 1) % 10
        ("1000000000001", False),
        ("1000000000000", False),
        ("0000000000001", True),  # sum 0: (11 - 0) % 10 = 1
        ("354010012345", False),
        ("35401001234510", False),
        ("354010012345a", False),
    ],
)
def test_the_check_digit(cid, valid):
    assert parse.citizen_id_valid(cid) is valid


# ----------------------------------------------------------------------------- fiscal years


@pytest.mark.parametrize(
    "raw, want",
    [
        ("2569", 2569),
        ("ปีงบประมาณ 2569", 2569),
        ("ปีงบ 69", 2569),
        ("69", 2569),
        ("๖๙", 2569),
        ("2026", 2569),  # CE: the year the fiscal year ends
        ("ค.ศ. 2026", 2569),
        ("FY2026", 2569),
        ("fy 69", 2569),
        ("2569.0", 2569),
        (2569, 2569),
        ("2500", 2500),
        ("2700", 2700),
        ("1957", 2500),
    ],
)
def test_fiscal_year_forms_at_their_edges(raw, want):
    assert parse.fiscal_year(raw) == want


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("2499", "ปีงบประมาณไม่อยู่ในช่วงที่เป็นไปได้ (fiscal year out of range)"),
        ("2701", "ปีงบประมาณไม่อยู่ในช่วงที่เป็นไปได้ (fiscal year out of range)"),
        ("2158", "ปีงบประมาณไม่อยู่ในช่วงที่เป็นไปได้ (fiscal year out of range)"),  # CE 2158 → BE 2701
        ("569", "อ่านปีงบประมาณไม่ได้ (unreadable fiscal year)"),
        ("2569.5", "อ่านปีงบประมาณไม่ได้ (unreadable fiscal year)"),
        ("ปีหน้า", "อ่านปีงบประมาณไม่ได้ (unreadable fiscal year)"),
    ],
)
def test_fiscal_year_refusals_say_why(raw, reason):
    _refused(parse.fiscal_year, raw, reason)


def test_fiscal_year_of_a_day_and_its_bounds():
    assert parse.fiscal_year_of(dt.date(2025, 9, 30)) == 2568
    assert parse.fiscal_year_of(dt.date(2025, 10, 1)) == 2569
    assert parse.fiscal_year_of(dt.date(2025, 12, 31)) == 2569
    assert parse.fiscal_year_of(dt.date(2026, 1, 1)) == 2569
    assert parse.fiscal_year_bounds(2569) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))


# ----------------------------------------------------------------------------- counts, answers, codes, text


@pytest.mark.parametrize(
    "raw, want",
    [
        (1, 1),
        (30, 30),
        (4.0, 4),
        ("4", 4),
        ("๔", 4),
        ("4 คน", 4),
        ("4คน", 4),
        ("2 ราย", 2),
        ("1,000", 1000),
        ("4.00", 4),
    ],
)
def test_integer_forms_and_inclusive_bounds(raw, want):
    assert parse.integer(raw, 1, 1000) == want


@pytest.mark.parametrize(
    "raw, reason",
    [
        (0, "ต้องอยู่ระหว่าง 1 ถึง 30 (must be 1..30)"),
        (31, "ต้องอยู่ระหว่าง 1 ถึง 30 (must be 1..30)"),
        ("31 คน", "ต้องอยู่ระหว่าง 1 ถึง 30 (must be 1..30)"),
        (4.5, "ต้องเป็นจำนวนเต็ม (must be a whole number)"),
        ("4.5", "ไม่ใช่จำนวนเต็ม (not a whole number)"),
        ("สี่", "ไม่ใช่จำนวนเต็ม (not a whole number)"),
        ("-3", "ไม่ใช่จำนวนเต็ม (not a whole number)"),
        (True, "ไม่ใช่ตัวเลข (not a number)"),
    ],
)
def test_integer_refusals_say_why(raw, reason):
    _refused(lambda v: parse.integer(v, 1, 30), raw, reason)


def test_integer_without_bounds():
    assert parse.integer(0) == 0 and parse.integer(10**9) == 10**9
    assert parse.integer(5, lo=5) == 5 and parse.integer(5, hi=5) == 5
    with pytest.raises(ValueError):
        parse.integer(4, lo=5)
    with pytest.raises(ValueError):
        parse.integer(6, hi=5)


@pytest.mark.parametrize(
    "raw, want", [(1, True), (1.0, True), (0, False), (0.0, False), (True, True), (False, False), ("YES", True)]
)
def test_yes_no_numbers_and_case(raw, want):
    assert parse.yes_no(raw) is want


@pytest.mark.parametrize("raw", [2, -1, 0.5, "", "อาจจะ", None])
def test_yes_no_refusals_say_why(raw):
    _refused(parse.yes_no, raw, "ต้องเป็น ใช่/ไม่ใช่ (must be yes or no)")


def test_codes_ignore_case_spaces_and_dots():
    assert parse.role("ปราชญ์ ชุมชน") == "sage" and parse.role("SAGE") == "sage" and parse.role(" ทีม ") == "team"
    assert parse.occupation_group("อื่น ๆ") == "other" and parse.occupation_group("Community Tourism") == (
        "community_tourism"
    )
    assert parse.otop_type("ผ้า") == "ผ้าและเครื่องแต่งกาย" and parse.otop_type("ของใช้") == "ของใช้/ของตกแต่ง/ของที่ระลึก"
    _refused(parse.role, "ผู้ช่วย", "บทบาทไม่อยู่ในรายการ (บทบาท not in the list)")
    _refused(parse.occupation_group, None, "ประเภทอาชีพไม่อยู่ในรายการ (ประเภทอาชีพ not in the list)")
    assert parse.household_status(None) == parse.household_status("  ") == "active"
    assert parse.household_status("ออก") == "withdrawn" and parse.household_status("ทดแทน") == "replacement"
    _refused(parse.household_status, "ลาออกชั่วคราว", "สถานะไม่อยู่ในรายการ (สถานะ not in the list)")


@pytest.mark.parametrize(
    "raw, want",
    [
        ("อย. และ มผช.", ["อย.", "มผช."]),
        ("อย.  GMP", ["อย.", "GMP"]),
        ("อย. มผช.", ["อย.", "มผช."]),
        ("อย.;gmp", ["อย.", "GMP"]),
        ("fda\nhalal", ["อย.", "ฮาลาล"]),
        ("มผช., มผช", ["มผช."]),
        ("-", []),
        ("none", []),
        ("ไม่มี, อย.", ["อย."]),
        ("GAP, อย. มผช.", ["GAP", "อย.", "มผช."]),  # after the comma a space, then two
        ("ไม่มี อย.", ["อย."]),  # a "none" among the words is passed over, not the end of them
        ("", []),
        (None, []),
    ],
)
def test_standards_listing(raw, want):
    assert parse.standards(raw) == want


def test_a_word_outside_a_list_is_named_with_the_list_it_is_not_in():
    _refused(parse.standards, "ISO", "มาตรฐาน 'ISO' ไม่อยู่ในรายการ (not in the list)")
    _refused(parse.otop_type, "ยานยนต์", OTOP_REFUSAL)


OTOP_REFUSAL = "ประเภท OTOPไม่อยู่ในรายการ (ประเภท OTOP not in the list)"


def test_channels_listing():
    assert parse.channels("ตลาด ชุมชน, online") == ["ตลาดชุมชน", "ออนไลน์"]
    assert parse.channels("อื่น ๆ / ส่งออก") == ["อื่นๆ", "ส่งออก"]
    _refused(parse.channels, "ไม่มี", "ช่องทางจำหน่าย 'ไม่มี' ไม่อยู่ในรายการ (not in the list)")
    _refused(parse.channels, "ขายส่ง", "ช่องทางจำหน่าย 'ขายส่ง' ไม่อยู่ในรายการ (not in the list)")


def test_text_titles_phones_and_house_numbers():
    assert parse.text(None) is None and parse.text("   ") is None and parse.text("") is None
    assert parse.text(12.0) == "12" and parse.text(12.5) == "12.5" and parse.text(7) == "7"
    assert parse.text(dt.date(2025, 10, 5)) == "2025-10-05"
    assert parse.text(" a \t b\n c ") == "a b c"
    assert parse.text("Cafe\u0301") == "Caf\u00e9"
    assert parse.is_blank(None) and parse.is_blank(" \t") and not parse.is_blank(0) and not parse.is_blank("x")
    assert parse.digits("๑๒/๓") == "12/3"
    assert parse.strip_title("นาย") == (None, "นาย")  # a title alone is a name, not a title
    assert parse.strip_title("MR. John Smith") == ("MR.", "John Smith")
    assert parse.strip_title("น.ส.สมศรี ใจดี") == ("น.ส.", "สมศรี ใจดี")
    assert parse.strip_title("สมชาย ใจดี") == (None, "สมชาย ใจดี")
    assert parse.phone(812345678) == "0812345678" and parse.phone(812345678.0) == "0812345678"
    assert parse.phone(21234567) == "21234567" and parse.phone("๐๘๑-๒๓๔-๕๖๗๘") == "081-234-5678"
    assert parse.phone("") is None and parse.phone(None) is None
    assert parse.house_no(12) == "12" and parse.house_no(12.0) == "12" and parse.house_no(" ๑๒/๓ ") == "12/3"
    _refused(parse.house_no, dt.date(2025, 3, 12), "บ้านเลขที่ถูกแปลงเป็นวันที่ (house number turned into a date by Excel)")
    _refused(parse.house_no, 12.3, "บ้านเลขที่ถูกแปลงเป็นตัวเลข (house number turned into a number)")
    _refused(parse.house_no, " ", "ไม่มีบ้านเลขที่ (house number missing)")


# ----------------------------------------------------------------------------- numbers that are no numbers


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), float("-inf")])
def test_a_nan_or_infinite_number_cell_is_refused_with_a_reason(raw):
    """Found writing these tests: money(NaN) raised decimal.InvalidOperation and phone(inf)
    OverflowError, neither a ValueError, so a file holding one would have stopped the run."""
    for parser in (parse.money, parse.integer, parse.date, parse.month, parse.citizen_id, parse.house_no, parse.phone):
        with pytest.raises(ValueError):
            parser(raw)
    _refused(parse.money, float("nan"), "ไม่ใช่จำนวนเงิน (not an amount)")
    _refused(parse.phone, raw, "ไม่ใช่เบอร์โทรศัพท์ (not a phone number)")


def test_a_phone_number_cell_with_a_fraction_is_no_phone_number():
    _refused(parse.phone, 81234567.5, "ไม่ใช่เบอร์โทรศัพท์ (not a phone number)")
