"""Every word the parsers know, written out here again (not read from parse.py's own tables,
so a word lost or garbled there fails here): the month names, titles, yes/no answers, roles,
occupation types, statuses, OTOP types, standards and sales channels of the spec."""

import datetime as dt

import pytest

from pipelines.thai import parse

MONTHS = [  # (full, abbreviation, English), January first
    ("มกราคม", "ม.ค.", "jan"),
    ("กุมภาพันธ์", "ก.พ.", "feb"),
    ("มีนาคม", "มี.ค.", "mar"),
    ("เมษายน", "เม.ย.", "apr"),
    ("พฤษภาคม", "พ.ค.", "may"),
    ("มิถุนายน", "มิ.ย.", "jun"),
    ("กรกฎาคม", "ก.ค.", "jul"),
    ("สิงหาคม", "ส.ค.", "aug"),
    ("กันยายน", "ก.ย.", "sep"),
    ("ตุลาคม", "ต.ค.", "oct"),
    ("พฤศจิกายน", "พ.ย.", "nov"),
    ("ธันวาคม", "ธ.ค.", "dec"),
]


@pytest.mark.parametrize("number, names", list(enumerate(MONTHS, start=1)))
def test_every_month_name(number, names):
    full, abbr, english = names
    for name in names:
        assert parse.month(f"{name} 2569") == dt.date(2026, number, 1), name
        assert parse.date(f"3 {name} 69") == dt.date(2026, number, 3), name
    assert parse.month(f"{english.upper()} 2026") == dt.date(2026, number, 1)
    assert parse.THAI_MONTHS_FULL[number - 1] == full and parse.THAI_MONTHS_ABBR[number - 1] == abbr


@pytest.mark.parametrize(
    "title",
    [
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
    ],
)
def test_every_title_is_split_off(title):
    assert parse.strip_title(f"{title} สมศรี ใจดี") == (title, "สมศรี ใจดี")
    assert parse.strip_title(f"{title.upper()}สมศรี ใจดี") == (title.upper(), "สมศรี ใจดี")


YES = ["ใช่", "ทำ", "✓", "✔", "/", "1", "y", "yes", "true", "ประกอบอาชีพ", "ทำอยู่"]
NO = ["ไม่ใช่", "ไม่ทำ", "✗", "✘", "x", "0", "n", "no", "false", "ไม่ได้ทำ", "ไม่ประกอบอาชีพ"]


@pytest.mark.parametrize("word, answer", [(w, True) for w in YES] + [(w, False) for w in NO])
def test_every_yes_and_no_word(word, answer):
    assert parse.yes_no(word) is answer
    assert parse.yes_no(f" {word.upper()} ") is answer


CODES = {
    "role": {
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
    "occupation_group": {
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
        "community tourism": "community_tourism",
        "อื่นๆ": "other",
        "อื่น ๆ": "other",
        "อื่น": "other",
        "other": "other",
    },
    "household_status": {
        "ปกติ": "active",
        "active": "active",
        "ถอนตัว": "withdrawn",
        "ออก": "withdrawn",
        "withdrawn": "withdrawn",
        "ทดแทน": "replacement",
        "replacement": "replacement",
    },
    "otop_type": {
        "อาหาร": "อาหาร",
        "เครื่องดื่ม": "เครื่องดื่ม",
        "ผ้าและเครื่องแต่งกาย": "ผ้าและเครื่องแต่งกาย",
        "ของใช้/ของตกแต่ง/ของที่ระลึก": "ของใช้/ของตกแต่ง/ของที่ระลึก",
        "สมุนไพรที่ไม่ใช่อาหาร": "สมุนไพรที่ไม่ใช่อาหาร",
        "ผ้า": "ผ้าและเครื่องแต่งกาย",
        "ของใช้": "ของใช้/ของตกแต่ง/ของที่ระลึก",
    },
}


@pytest.mark.parametrize("parser, word, code", [(p, w, c) for p, table in CODES.items() for w, c in table.items()])
def test_every_coded_word(parser, word, code):
    assert getattr(parse, parser)(word) == code


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


@pytest.mark.parametrize("word, code", list(STANDARDS.items()))
def test_every_standard(word, code):
    assert parse.standards(word) == [code]
    assert parse.standards(f"{word.upper()}, ไม่มี") == [code]


@pytest.mark.parametrize("word, code", list(CHANNELS.items()))
def test_every_channel(word, code):
    assert parse.channels(word) == [code]


@pytest.mark.parametrize("none", ["ไม่มี", "none", "NONE", "-"])
def test_every_way_of_writing_no_standard(none):
    assert parse.standards(none) == []
    with pytest.raises(ValueError):
        parse.channels(none)  # a sale needs a channel: "none" is no channel


def test_the_lists_hold_what_the_spec_lists():
    assert parse.OTOP_TYPES == list(CODES["otop_type"])[:5]
    assert set(parse.STANDARDS.values()) == set(STANDARDS.values())
    assert set(parse.CHANNELS.values()) == set(CHANNELS.values())
