"""A province's village register: official areas from geothai, villages invented.

DOPA publishes provinces, districts and subdistricts (geothai carries them); the villages
(หมู่) under each subdistrict are the province's own list, so we make a plausible one.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

import geothai

# Words Northern village names are built from: a landscape word, then a qualifier.
_HEADS = [
    "ทุ่ง",
    "ป่า",
    "ดอน",
    "หนอง",
    "ห้วย",
    "แม่",
    "นา",
    "สัน",
    "ต้น",
    "วัง",
    "ไร่",
    "เวียง",
    "ปง",
    "บ่อ",
    "ร่อง",
    "ท่า",
    "ดง",
    "โป่ง",
    "น้ำ",
    "ผา",
    "ม่อน",
    "แพะ",
    "หัวฝาย",
    "ทุ่งนา",
]
_TAILS = [
    "ม่วง",
    "ขาม",
    "แดง",
    "บง",
    "เด่น",
    "ยาง",
    "ไผ่",
    "ตอง",
    "ลาน",
    "แก้ว",
    "ทอง",
    "หลวง",
    "สัก",
    "ค่า",
    "ชุม",
    "เย็น",
    "ฮ่อง",
    "โฮ้ง",
    "กวาว",
    "ปิน",
    "เปา",
    "ผึ้ง",
    "กอก",
    "จั๊วะ",
    "หม้อ",
    "เกี๋ยง",
    "ลัวะ",
    "มุ่น",
    "ริน",
    "ขาว",
    "คำ",
    "งิ้ว",
    "ป๋วย",
    "ช้าง",
    "ม้า",
    "เตา",
    "แหน",
]
_SUFFIXES = ["ใหม่", "เหนือ", "ใต้", "กลาง", "ตะวันออก", "ตก", "พัฒนา"]


@dataclass(frozen=True)
class Village:
    code: str  # 8 digits: subdistrict code + หมู่ number
    no: int
    name: str  # with the prefix บ้าน, as in the register CSV
    subdistrict_code: str
    subdistrict_name: str
    district_code: str
    district_name: str
    province_code: str
    province_name: str

    @property
    def bare_name(self) -> str:
        return self.name.removeprefix("บ้าน")


def villages(province: str = "54", seed: int = 0) -> list[Village]:
    """Every village of the province, in code order; the same list for the same seed."""
    prov = geothai.province(province)
    if prov is None:
        raise ValueError(f"no province with DOPA code {province!r}")
    rng = random.Random(f"{seed}:register:{province}")
    out: list[Village] = []
    for district in sorted(geothai.districts(prov.code), key=lambda d: d.code):
        for sub in sorted(geothai.subdistricts(district.code), key=lambda s: s.code):
            # Mode 8, range 5..14: about 9 villages a subdistrict, ~700 for Phrae's 78.
            count = min(14, int(rng.triangular(5, 15, 8)))
            for no, name in enumerate(_names(rng, sub.name_th, count), start=1):
                out.append(
                    Village(
                        f"{sub.code}{no:02d}",
                        no,
                        name,
                        sub.code,
                        sub.name_th,
                        district.code,
                        district.name_th,
                        prov.code,
                        prov.name_th,
                    )
                )
    return out


def _names(rng: random.Random, subdistrict_name: str, count: int) -> list[str]:
    """Distinct names; หมู่ 1 usually carries the subdistrict's own name, as in real registers."""
    names: list[str] = []
    if rng.random() < 0.7:
        names.append("บ้าน" + subdistrict_name.removeprefix("บ้าน"))
    while len(names) < count:
        name = "บ้าน" + rng.choice(_HEADS) + rng.choice(_TAILS)
        if rng.random() < 0.15:
            name += rng.choice(_SUFFIXES)
        if name not in names:
            names.append(name)
    return names


def write(out: Path, register: list[Village]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "register.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["village_code", "village_no", "village_name"])
        for v in register:
            w.writerow([v.code, v.no, v.name])
    return path


def write_register(out: Path, province: str = "54", seed: int = 0) -> Path:
    """out/register.csv for the whole province; returns its path."""
    return write(Path(out), villages(province, seed))
