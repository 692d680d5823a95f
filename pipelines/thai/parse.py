"""The one place that turns what villages type into values: Thai digits, BE dates, money, IDs.

Every parser takes a raw cell (str, int, float, bool, date, datetime or None) and returns
a clean value, or raises ValueError whose message is the reason shown to the officer.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from pythainlp.util import normalize as thai_normalize

BE_OFFSET = 543
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SPACES = re.compile(r"\s+")
_THAI_CHAR = re.compile(r"[\u0e00-\u0e7f]")
EXCEL_EPOCH = dt.date(1899, 12, 30)

THAI_MONTHS_FULL = [
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
THAI_MONTHS_ABBR = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]
_EN_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _month_key(text: str) -> str:
    return text.replace(".", "").replace(" ", "").lower()


# Every way a month name is written, without dots and spaces → month number.
MONTH_NAMES: dict[str, int] = {}
for _i, (_full, _abbr, _en) in enumerate(zip(THAI_MONTHS_FULL, THAI_MONTHS_ABBR, _EN_MONTHS), start=1):
    MONTH_NAMES[_month_key(_full)] = _i
    MONTH_NAMES[_month_key(_abbr)] = _i
    MONTH_NAMES[_en] = _i
_MONTH_ALT = "|".join(sorted((re.escape(k) for k in MONTH_NAMES), key=len, reverse=True))

TITLES = [
    "นางสาว",
    "น.ส.",
    "นส.",
    "นาง",
    "นาย",
    "ด.ช.",
    "ด.ญ.",
    "เด็กชาย",
    "เด็กหญิง",
    "mrs.",
    "mrs",
    "mr.",
    "mr",
    "ms.",
    "ms",
    "miss",
]
_TITLE_RE = re.compile(
    r"^(?:" + "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True)) + r")\s*",
    re.IGNORECASE,
)

YES = {"ใช่", "ทำ", "✓", "✔", "/", "1", "y", "yes", "true", "ประกอบอาชีพ", "ทำอยู่"}
NO = {"ไม่ใช่", "ไม่ทำ", "✗", "✘", "x", "0", "n", "no", "false", "ไม่ได้ทำ", "ไม่ประกอบอาชีพ"}


# Value caches grow with the run (size_caches): a province's distinct IDs, names and amounts
# outnumber a fixed bound past about 1,000 villages, and an overflowing LRU cache parses every
# value again (each village's re-sends come far apart in a run).
MEMO_MIN = 1 << 15
_RESIZERS: list[Callable[[int], None]] = []


def resized(cached, size: int):
    """An lru_cache'd function with room for `size` entries: itself when it has that room, else
    the same function under a new, empty cache (the caller rebinds its name to it)."""
    return cached if cached.cache_info().maxsize == size else lru_cache(maxsize=size)(cached.__wrapped__)


def _memo(fn):
    """Cache a value parser (values repeat: the same IDs, months and amounts in every re-send).
    Keyed by type too, so 1, 1.0 and True stay apart; refusals are cached as well."""

    @lru_cache(maxsize=MEMO_MIN)
    def cached(kind, value):
        try:
            return True, fn(value)
        except ValueError as exc:
            return False, str(exc)

    def resize(size: int) -> None:
        nonlocal cached
        cached = resized(cached, size)

    _RESIZERS.append(resize)

    def parse(value):
        try:
            ok, out = cached(type(value), value)
        except TypeError:  # unhashable: parse as is
            return fn(value)
        if ok:
            return out
        raise ValueError(out)

    parse.__doc__, parse.__name__, parse.__wrapped__ = fn.__doc__, fn.__name__, fn
    return parse


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def text(value) -> str | None:
    """Clean text: NFC, Thai typing errors fixed, trimmed, runs of spaces collapsed."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.isoformat()
    return _clean(str(value))


def size_caches(entries: int) -> None:
    """Size the value caches for a run that will see about `entries` distinct values of a kind
    (never below their defaults); emptied when their size changes."""
    global _clean
    size = max(MEMO_MIN, entries)
    for resize in _RESIZERS:
        resize(size)
    _clean = resized(_clean, 2 * size)


@lru_cache(maxsize=2 * MEMO_MIN)
def _clean(raw: str) -> str | None:
    # Cached: names, groups and occupations repeat in every monthly re-send.
    s = unicodedata.normalize("NFC", raw)
    if _THAI_CHAR.search(s):
        s = thai_normalize(s)
    s = _SPACES.sub(" ", s).strip()
    return s or None


def digits(s: str) -> str:
    """Thai digits → Arabic digits."""
    return s.translate(_THAI_DIGITS)


def strip_title(name: str) -> tuple[str | None, str]:
    """Split a leading title (นาย, นางสาว, น.ส., …) off a name."""
    m = _TITLE_RE.match(name)
    if m and name[m.end() :].strip():
        return name[: m.end()].strip(), name[m.end() :].strip()
    return None, name


def integer(value, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, bool):
        raise ValueError("ไม่ใช่ตัวเลข (not a number)")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("ต้องเป็นจำนวนเต็ม (must be a whole number)")
        n = int(value)
    else:
        s = digits(text(value) or "").replace(",", "").replace(" ", "")
        s = re.sub(r"(คน|ราย)$", "", s)
        if not re.fullmatch(r"\d+(\.0+)?", s):
            raise ValueError("ไม่ใช่จำนวนเต็ม (not a whole number)")
        n = int(float(s))
    if (lo is not None and n < lo) or (hi is not None and n > hi):
        raise ValueError(f"ต้องอยู่ระหว่าง {lo} ถึง {hi} (must be {lo}..{hi})")
    return n


_MONEY_NOISE = re.compile(r"(บาท|฿|thb|baht|,|\s)", re.IGNORECASE)


@_memo
def money(value) -> Decimal:
    """Baht: 1,500 / 1500.50 / 1,500 บาท / ฿1,500; never negative, never text."""
    if isinstance(value, bool):
        raise ValueError("ไม่ใช่จำนวนเงิน (not an amount)")
    if isinstance(value, (int, float)):
        d = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
    else:
        s = _MONEY_NOISE.sub("", digits(text(value) or ""))
        if not re.fullmatch(r"-?\d+(\.\d+)?", s):
            raise ValueError("ไม่ใช่จำนวนเงิน (not an amount in baht)")
        try:
            d = Decimal(s)
        except InvalidOperation:
            raise ValueError("ไม่ใช่จำนวนเงิน (not an amount in baht)") from None
    if not d.is_finite():  # a NaN or infinite number cell: comparing it would raise InvalidOperation
        raise ValueError("ไม่ใช่จำนวนเงิน (not an amount)")
    if d < 0:
        raise ValueError("จำนวนเงินติดลบ (negative amount)")
    if d >= Decimal("10000000000"):
        raise ValueError("จำนวนเงินสูงเกินจริง (amount too large)")
    return d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def citizen_id_valid(cid: str) -> bool:
    if len(cid) != 13 or not cid.isdigit():
        return False
    total = sum(int(cid[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(cid[12])


@_memo
def citizen_id(value) -> str:
    """13 digits with a valid check digit; recovered exactly from numbers, never rounded."""
    if isinstance(value, bool):
        raise ValueError("เลขประจำตัวประชาชนไม่ถูกต้อง (invalid citizen ID)")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("เลขประจำตัวประชาชนถูกปัดเศษ (citizen ID stored as a rounded number)")
        s = str(int(value))
    elif isinstance(value, int):
        s = str(value)
    else:
        raw = digits(text(value) or "")
        if re.search(r"[eE][+-]?\d", raw):
            # 3.5401E+12: Excel showed the ID in scientific notation; the digits are gone.
            raise ValueError("เลขประจำตัวประชาชนถูกแสดงแบบ E+ ตัวเลขสูญหาย (citizen ID lost to scientific notation)")
        m = re.fullmatch(r"(\d+)\.0+", raw.replace(" ", ""))  # 3540100123451.0 from a CSV export
        s = m[1] if m else re.sub(r"[\s\-.]", "", raw)
    if not s.isdigit() or len(s) != 13:
        raise ValueError("เลขประจำตัวประชาชนต้องมี 13 หลัก (citizen ID must have 13 digits)")
    if not citizen_id_valid(s):
        raise ValueError("เลขประจำตัวประชาชนหลักตรวจสอบไม่ถูกต้อง (citizen ID check digit is wrong)")
    return s


def _be_year(y: int, two_digit: bool = False) -> int:
    """A year as written → CE. Two digits are BE (68 → 2568); > 2400 is BE."""
    if two_digit:
        y += 2500
    return y - BE_OFFSET if y > 2400 else y


def _from_date(d: dt.date) -> dt.date:
    if isinstance(d, dt.datetime):
        d = d.date()
    if d.year > 2400:
        try:
            d = d.replace(year=d.year - BE_OFFSET)
        except ValueError:  # 29 Feb of a BE year that is not leap in CE
            raise ValueError("วันที่ไม่มีอยู่จริง (no such date)") from None
    return d


_DMY = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{2}|\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
# Month-name patterns match the text with its dots removed (ต.ค. → ตค, พ.ศ. → พศ).
_D_MON_Y = re.compile(rf"^(\d{{1,2}})\s*({_MONTH_ALT})\s*(?:พศ|คศ)?\s*(\d{{2}}|\d{{4}})$", re.IGNORECASE)


@_memo
def date(value) -> dt.date:
    """A day: Excel date cells (BE or CE), serials, 15/10/2568, 15-10-68, 15 ต.ค. 2568, 2025-10-15."""
    if isinstance(value, (dt.date, dt.datetime)):
        return _from_date(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2_958_466:
            raise ValueError("ไม่ใช่วันที่ (not a date)")
        return _from_date(EXCEL_EPOCH + dt.timedelta(days=int(value)))
    s = digits(text(value) or "")
    s_key = s.replace(",", " ")
    try:
        if m := _DMY.match(s_key):
            d, mo, y = int(m[1]), int(m[2]), m[3]
            return dt.date(_be_year(int(y), len(y) == 2), mo, d)
        if m := _YMD.match(s_key):
            return dt.date(_be_year(int(m[1])), int(m[2]), int(m[3]))
        if m := _D_MON_Y.match(s_key.replace(".", "")):
            y = m[3]
            return dt.date(_be_year(int(y), len(y) == 2), MONTH_NAMES[_month_key(m[2])], int(m[1]))
        if re.fullmatch(r"\d{5}(\.\d+)?", s_key):  # a serial typed or stored as text
            return date(float(s_key))
    except ValueError:
        raise ValueError("วันที่ไม่มีอยู่จริง (no such date)") from None
    raise ValueError("อ่านวันที่ไม่ได้ (unreadable date)")


_MON_Y = re.compile(rf"^({_MONTH_ALT})\s*(?:พศ|คศ)?\s*(\d{{2}}|\d{{4}})$", re.IGNORECASE)
_M_SLASH_Y = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{2}|\d{4})$")
_Y_DASH_M = re.compile(r"^(\d{4})\s*[-/]\s*(\d{1,2})$")


@_memo
def month(value) -> dt.date:
    """A month → its first day: ตุลาคม 2568, ต.ค. 68, 10/2568, 2025-10, or any date in it."""
    if isinstance(value, (dt.date, dt.datetime)) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return date(value).replace(day=1)
    s = digits(text(value) or "")
    try:
        if m := _MON_Y.match(s.replace(".", "")):
            y = m[2]
            return dt.date(_be_year(int(y), len(y) == 2), MONTH_NAMES[_month_key(m[1])], 1)
        if m := _M_SLASH_Y.match(s):
            y = m[2]
            return dt.date(_be_year(int(y), len(y) == 2), int(m[1]), 1)
        if m := _Y_DASH_M.match(s):
            return dt.date(_be_year(int(m[1])), int(m[2]), 1)
    except ValueError:
        raise ValueError("เดือนไม่ถูกต้อง (no such month)") from None
    try:
        return date(s).replace(day=1)
    except ValueError:
        raise ValueError("อ่านเดือนไม่ได้ (unreadable month)") from None


def fiscal_year_of(day: dt.date) -> int:
    """The BE fiscal year a CE date falls in: FY 2569 = 2025-10-01 .. 2026-09-30."""
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


def fiscal_year(value) -> int:
    """ปีงบประมาณ: BE (2569, พ.ศ. 2569, ๒๕๖๙) or CE (2026, the year it ends)."""
    s = digits(text(value) or "")
    s = re.sub(r"(ปีงบประมาณ|ปีงบ|พ\.?ศ\.?|ค\.?ศ\.?|fy)", "", s, flags=re.IGNORECASE).strip()
    if not re.fullmatch(r"\d{2}|\d{4}(\.0+)?", s):
        raise ValueError("อ่านปีงบประมาณไม่ได้ (unreadable fiscal year)")
    y = int(float(s))
    if y < 100:
        y += 2500
    elif y < 2400:
        y += BE_OFFSET
    if not 2500 <= y <= 2700:
        raise ValueError("ปีงบประมาณไม่อยู่ในช่วงที่เป็นไปได้ (fiscal year out of range)")
    return y


def fiscal_year_bounds(fy: int) -> tuple[dt.date, dt.date]:
    ce = fy - BE_OFFSET
    return dt.date(ce - 1, 10, 1), dt.date(ce, 9, 30)


@_memo
def yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    s = (text(value) or "").lower()
    if s in YES:
        return True
    if s in NO:
        return False
    raise ValueError("ต้องเป็น ใช่/ไม่ใช่ (must be yes or no)")


def _choice(table: dict[str, str], what: str):
    keys = {re.sub(r"[\s.]", "", k.lower()): v for k, v in table.items()}

    def parse(value) -> str:
        s = re.sub(r"[\s.]", "", (text(value) or "").lower())
        if s in keys:
            return keys[s]
        raise ValueError(f"{what}ไม่อยู่ในรายการ ({what} not in the list)")

    return parse


role = _choice(
    {
        "ปราชญ์": "sage",
        "ปราชญ์ชุมชน": "sage",
        "วิทยากรหลัก": "sage",
        "sage": "sage",
        "lead": "sage",
        "ทีม": "team",
        "ทีมวิทยากร": "team",
        "วิทยากร": "team",
        "team": "team",
        "trainer": "team",
        "วิทยากรสัมมาชีพชุมชน": "team",
    },
    "บทบาท",
)

occupation_group = _choice(
    {
        "เกษตร": "agriculture",
        "ภาคการเกษตร": "agriculture",
        "การเกษตร": "agriculture",
        "เกษตรกรรม": "agriculture",
        "agriculture": "agriculture",
        "แปรรูป": "processing",
        "การแปรรูป": "processing",
        "แปรรูปผลิตภัณฑ์": "processing",
        "processing": "processing",
        "ท่องเที่ยวชุมชน": "community_tourism",
        "ท่องเที่ยว": "community_tourism",
        "การท่องเที่ยวชุมชน": "community_tourism",
        "communitytourism": "community_tourism",
        "อื่นๆ": "other",
        "อื่น ๆ": "other",
        "อื่น": "other",
        "other": "other",
    },
    "ประเภทอาชีพ",
)

_household_status = _choice(
    {
        "ปกติ": "active",
        "active": "active",
        "ถอนตัว": "withdrawn",
        "ออก": "withdrawn",
        "withdrawn": "withdrawn",
        "ทดแทน": "replacement",
        "replacement": "replacement",
    },
    "สถานะ",
)


def household_status(value) -> str:
    return "active" if is_blank(value) else _household_status(value)


OTOP_TYPES = ["อาหาร", "เครื่องดื่ม", "ผ้าและเครื่องแต่งกาย", "ของใช้/ของตกแต่ง/ของที่ระลึก", "สมุนไพรที่ไม่ใช่อาหาร"]
_otop = _choice(
    {t: t for t in OTOP_TYPES} | {"ผ้า": "ผ้าและเครื่องแต่งกาย", "ของใช้": "ของใช้/ของตกแต่ง/ของที่ระลึก"}, "ประเภท OTOP"
)


def otop_type(value) -> str:
    return _otop(value)


STANDARDS = {
    "อย.": "อย.",
    "อย": "อย.",
    "fda": "อย.",
    "มผช.": "มผช.",
    "มผช": "มผช.",
    "มอก.": "มอก.",
    "มอก": "มอก.",
    "gap": "GAP",
    "gmp": "GMP",
    "ฮาลาล": "ฮาลาล",
    "halal": "ฮาลาล",
}
CHANNELS = {
    "ตลาดชุมชน": "ตลาดชุมชน",
    "ร้านค้า": "ร้านค้า",
    "ออนไลน์": "ออนไลน์",
    "online": "ออนไลน์",
    "งานแสดงสินค้า": "งานแสดงสินค้า",
    "ส่งออก": "ส่งออก",
    "อื่นๆ": "อื่นๆ",
    "อื่น ๆ": "อื่นๆ",
}
_NONE = {"ไม่มี", "none", "-"}


def _listing(table: dict[str, str], what: str, allow_none: bool):
    keys = {k.lower().replace(" ", ""): v for k, v in table.items()}

    def parse(value) -> list[str]:
        s = text(value) or ""
        out: list[str] = []
        for part in re.split(r"[,/;、\n]|\s{2,}|\sและ\s", s):
            # "ของใช้/ของตกแต่ง" is not a list here, and "อย. มผช." separated by a space is.
            for piece in [part] if part.strip().lower().replace(" ", "") in keys else part.split(" "):
                k = piece.strip().lower().replace(" ", "")
                if not k:
                    continue
                if allow_none and k in _NONE:
                    continue
                if k not in keys:
                    raise ValueError(f"{what} '{piece.strip()}' ไม่อยู่ในรายการ (not in the list)")
                if keys[k] not in out:
                    out.append(keys[k])
        return out

    return parse


standards = _listing(STANDARDS, "มาตรฐาน", allow_none=True)
channels = _listing(CHANNELS, "ช่องทางจำหน่าย", allow_none=False)


def phone(value) -> str | None:
    """Phone numbers as text; a number cell lost its leading 0, so put it back."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():  # NaN, infinity, 81234567.5
            raise ValueError("ไม่ใช่เบอร์โทรศัพท์ (not a phone number)")
        s = str(int(value))
        return "0" + s if len(s) == 9 else s
    s = digits(text(value) or "")
    return s or None


def house_no(value) -> str:
    """บ้านเลขที่ as text (12/3): an Excel date here means Excel mangled it, refuse."""
    if isinstance(value, (dt.date, dt.datetime)):
        raise ValueError("บ้านเลขที่ถูกแปลงเป็นวันที่ (house number turned into a date by Excel)")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("บ้านเลขที่ถูกแปลงเป็นตัวเลข (house number turned into a number)")
    s = digits(text(value) or "")
    if not s:
        raise ValueError("ไม่มีบ้านเลขที่ (house number missing)")
    return s
