"""Occupations trained in Northern villages, with what a group of each makes and sells."""

from __future__ import annotations

from dataclasses import dataclass

GROUP_THAI = {"agriculture": "เกษตร", "processing": "แปรรูป", "community_tourism": "ท่องเที่ยวชุมชน", "other": "อื่นๆ"}


@dataclass(frozen=True)
class Occupation:
    name: str  # as written in อาชีพที่ฝึก
    group: str  # occupation_group key
    short: str  # the word in a group's name: กลุ่ม<short><village>
    product: str | None = None
    otop_type: str | None = None
    standards: tuple[str, ...] = ()  # standards such a group may hold
    channels: tuple[str, ...] = ("ตลาดชุมชน",)
    grouped: float = 0.0  # share of households that join a group (1.0 for processing)


OCCUPATIONS = [
    Occupation(
        "ย้อมผ้าหม้อห้อม",
        "processing",
        "หม้อห้อม",
        "เสื้อผ้าหม้อห้อม",
        "ผ้าและเครื่องแต่งกาย",
        ("มผช.",),
        ("ตลาดชุมชน", "ร้านค้า", "ออนไลน์", "งานแสดงสินค้า"),
        1.0,
    ),
    Occupation(
        "ทอผ้าตีนจก",
        "processing",
        "ทอผ้าตีนจก",
        "ผ้าซิ่นตีนจก",
        "ผ้าและเครื่องแต่งกาย",
        ("มผช.",),
        ("ร้านค้า", "งานแสดงสินค้า", "ออนไลน์"),
        1.0,
    ),
    Occupation(
        "แกะสลักไม้สัก",
        "processing",
        "แกะสลักไม้สัก",
        "ช้างไม้สักแกะสลัก",
        "ของใช้/ของตกแต่ง/ของที่ระลึก",
        ("มผช.",),
        ("ร้านค้า", "งานแสดงสินค้า", "ออนไลน์", "ส่งออก"),
        1.0,
    ),
    Occupation(
        "จักสานไม้ไผ่",
        "processing",
        "จักสาน",
        "ตะกร้าไม้ไผ่",
        "ของใช้/ของตกแต่ง/ของที่ระลึก",
        ("มผช.",),
        ("ตลาดชุมชน", "ร้านค้า", "งานแสดงสินค้า"),
        1.0,
    ),
    Occupation(
        "ทำน้ำพริกหนุ่ม",
        "processing",
        "น้ำพริกหนุ่ม",
        "น้ำพริกหนุ่ม",
        "อาหาร",
        ("อย.", "มผช."),
        ("ตลาดชุมชน", "ร้านค้า", "ออนไลน์"),
        1.0,
    ),
    Occupation(
        "แปรรูปกล้วยตาก",
        "processing",
        "กล้วยตาก",
        "กล้วยตาก",
        "อาหาร",
        ("อย.", "มผช.", "GMP"),
        ("ร้านค้า", "ออนไลน์", "งานแสดงสินค้า"),
        1.0,
    ),
    Occupation("ทำไส้อั่ว", "processing", "ไส้อั่ว", "ไส้อั่ว", "อาหาร", ("อย.",), ("ตลาดชุมชน", "ร้านค้า"), 1.0),
    Occupation(
        "ทำแคบหมู", "processing", "แคบหมู", "แคบหมู", "อาหาร", ("อย.", "มผช."), ("ตลาดชุมชน", "ร้านค้า", "ออนไลน์"), 1.0
    ),
    Occupation(
        "ทำชาใบหม่อน",
        "processing",
        "ชาใบหม่อน",
        "ชาใบหม่อน",
        "เครื่องดื่ม",
        ("อย.", "มผช."),
        ("ร้านค้า", "ออนไลน์", "งานแสดงสินค้า"),
        1.0,
    ),
    Occupation(
        "ทำลูกประคบสมุนไพร",
        "processing",
        "ลูกประคบ",
        "ลูกประคบสมุนไพร",
        "สมุนไพรที่ไม่ใช่อาหาร",
        ("มผช.",),
        ("ร้านค้า", "งานแสดงสินค้า"),
        1.0,
    ),
    Occupation("เลี้ยงไก่ไข่", "agriculture", "เลี้ยงไก่ไข่", "ไข่ไก่", None, (), ("ตลาดชุมชน", "ร้านค้า"), 0.4),
    Occupation(
        "ปลูกผักปลอดสารพิษ",
        "agriculture",
        "ผักปลอดสารพิษ",
        "ผักปลอดสารพิษ",
        None,
        ("GAP",),
        ("ตลาดชุมชน", "ร้านค้า", "ออนไลน์"),
        0.5,
    ),
    Occupation("เพาะเห็ด", "agriculture", "เพาะเห็ด", "เห็ดนางฟ้า", None, (), ("ตลาดชุมชน", "ร้านค้า"), 0.4),
    Occupation("เลี้ยงปลาดุก", "agriculture", "เลี้ยงปลา", "ปลาดุก", None, (), ("ตลาดชุมชน",), 0.2),
    Occupation("เลี้ยงกบ", "agriculture", "เลี้ยงกบ", "กบ", None, (), ("ตลาดชุมชน",), 0.2),
    Occupation("โฮมสเตย์", "community_tourism", "โฮมสเตย์", None, None, (), ("ออนไลน์", "อื่นๆ"), 0.6),
    Occupation("นำเที่ยวเชิงเกษตร", "community_tourism", "ท่องเที่ยวชุมชน", None, None, (), ("ออนไลน์", "อื่นๆ"), 0.6),
    Occupation("นวดแผนไทย", "other", "นวดแผนไทย", None, None, (), ("อื่นๆ",), 0.0),
    Occupation("ซ่อมรถจักรยานยนต์", "other", "ช่างซ่อม", None, None, (), ("อื่นๆ",), 0.0),
]
# How often villages pick each kind (processing dominates the programme's OTOP aim).
WEIGHTS = {"processing": 5, "agriculture": 4, "community_tourism": 1.2, "other": 0.8}
