"""People of a village: Northern Thai names, titles, phone numbers and citizen IDs."""

from __future__ import annotations

import random
from dataclasses import dataclass

MALE = [
    "สมชาย",
    "บุญมา",
    "ประสิทธิ์",
    "สมศักดิ์",
    "อินถา",
    "คำปัน",
    "บุญเรือง",
    "สุรชัย",
    "ณรงค์",
    "วิชัย",
    "ประยูร",
    "สมบูรณ์",
    "บุญส่ง",
    "จันทร์แก้ว",
    "ศรีทน",
    "เสาร์แก้ว",
    "อุดม",
    "ทองสุข",
    "มานพ",
    "ชูชาติ",
    "สมพงษ์",
    "ธนากร",
    "กิตติพงษ์",
    "อนุชา",
    "ปัญญา",
    "สุริยา",
    "เกียรติศักดิ์",
    "วีระพงษ์",
    "ดวงดี",
    "คำอ้าย",
    "บุญทา",
    "ศักดิ์ชัย",
    "ไพโรจน์",
    "สุเทพ",
    "ชัยวัฒน์",
    "พิชิต",
    "นิพนธ์",
    "ทวีศักดิ์",
    "ปรีชา",
    "สายัณห์",
]
FEMALE = [
    "บัวผัน",
    "ศรีพรรณ",
    "จันทร์เพ็ญ",
    "แสงดาว",
    "บุญศรี",
    "คำมูล",
    "ศรีนวล",
    "บัวคำ",
    "สุพรรณี",
    "วันเพ็ญ",
    "มาลัย",
    "อำพร",
    "สมศรี",
    "ดอกแก้ว",
    "บัวเขียว",
    "คำแปง",
    "จันทร์ฟอง",
    "ประไพ",
    "ลำดวน",
    "ทองใบ",
    "สุนันทา",
    "พิมพ์ใจ",
    "กาญจนา",
    "อรุณี",
    "ยุพิน",
    "บุษบา",
    "เรณู",
    "ศิริพร",
    "นงลักษณ์",
    "รัชนี",
    "ปราณี",
    "สมหมาย",
    "อัมพร",
    "พรทิพย์",
    "เพ็ญศรี",
    "ดารุณี",
    "จิราพร",
    "ธิดารัตน์",
    "ขวัญใจ",
    "แก้วตา",
]
SURNAMES = [
    "อินต๊ะ",
    "ปัญญาวงศ์",
    "คำมา",
    "ใจมา",
    "กันทะวงศ์",
    "ศรีวิชัย",
    "ธรรมสอน",
    "ไชยวงศ์",
    "อุ่นเรือน",
    "ปินตา",
    "จันทร์ต๊ะ",
    "ยาวิชัย",
    "ทาแก้ว",
    "สิทธิวงศ์",
    "วงศ์ใหญ่",
    "ใจคำ",
    "มูลเมือง",
    "นันทะ",
    "ชัยลังกา",
    "อินทร์แก้ว",
    "คำปวน",
    "ปัญญาดี",
    "สุวรรณคำ",
    "ศรีบุญเรือง",
    "กาวิละ",
    "ธิวงศ์",
    "จินะ",
    "แก้วมูล",
    "ปงลังกา",
    "ใจยะ",
    "เทพวงศ์",
    "บุญยืน",
    "ต๊ะแก้ว",
    "สมบูรณ์ชัย",
    "ขัติยะ",
    "วงศ์ษา",
    "พรหมมินทร์",
    "อุตตะมะ",
    "ทะนันไชย",
    "สายสุข",
    "เมืองมูล",
    "ติ๊บปะละ",
    "จันทร์ทิพย์",
    "ศรีใจ",
    "ปาระมี",
    "คำแดง",
    "อ้ายเสาร์",
    "ไชยมงคล",
    "ยศปัญญา",
    "หน่อแก้ว",
]


@dataclass(frozen=True)
class Person:
    citizen_id: str
    title: str  # นาย / นาง / นางสาว
    first: str
    last: str
    phone: str

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


def check_digit(first12: str) -> str:
    """d13 = (11 - sum(d_i * (14 - i)) mod 11) mod 10, i = 1..12."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return str((11 - total % 11) % 10)


def valid_citizen_id(cid: str) -> bool:
    return len(cid) == 13 and cid.isdigit() and cid[12] == check_digit(cid[:12])


def wrong_check_digit(cid: str, rng: random.Random) -> str:
    """The same ID with a typo in the last digit: what a bad check digit looks like."""
    return cid[:12] + str((int(cid[12]) + rng.randint(1, 9)) % 10)


def citizen_id(rng: random.Random, village_code: str, slot: int) -> str:
    """Unique per (village, slot) by construction: district, subdistrict, หมู่ and slot sit in the ID."""
    first = rng.choice("13")  # 3: registered before 1984; 1: born later
    body = f"{first}{village_code[:4]}{village_code[4:8]}{slot:03d}"
    return body + check_digit(body)


class Villagers:
    """Hands out people with names distinct within one village (references go by name)."""

    def __init__(self, rng: random.Random, village_code: str):
        self.rng = rng
        self.code = village_code
        self.slots = rng.sample(range(1, 1000), 60)
        self.names: set[str] = set()

    def person(self, sex: str | None = None) -> Person:
        rng = self.rng
        sex = sex or rng.choice("MF")
        while True:
            first = rng.choice(MALE if sex == "M" else FEMALE)
            last = rng.choice(SURNAMES)
            if f"{first} {last}" not in self.names:
                break
        self.names.add(f"{first} {last}")
        title = "นาย" if sex == "M" else ("นาง" if rng.random() < 0.7 else "นางสาว")
        phone = f"0{rng.choice('689')}{rng.randint(0, 99999999):08d}"
        return Person(citizen_id(rng, self.code, self.slots.pop()), title, first, last, phone)

    def stranger_name(self) -> str:
        """A name nobody in the village has: an unknown trainer."""
        while True:
            name = f"{self.rng.choice(MALE + FEMALE)} {self.rng.choice(SURNAMES)}"
            if name not in self.names:
                return name
