"""The OTOP score in Thai words: tier and criterion names, the ranking rule, how each
criterion is scored (from otop.yml's settings), and a candidate's reasons per criterion.

Shared by the workbook (``workbook.py``) and the shortlist page (``page.py``, the notebook),
so both say the same thing the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipelines.thai import fmt as tf
from pipelines.thai.parse import OTOP_TYPES

TIER_TH = {"ready": "พร้อม", "nearly_ready": "เกือบพร้อม", "not_yet": "ยังไม่พร้อม"}
KIND_TH = {"group": "กลุ่ม", "individual": "รายบุคคล"}

# The criteria in the order ``score`` adds them (its reasons come in this order too).
CRITERIA = (
    "otop_type",
    "standard",
    "sustained",
    "income_trend",
    "margin",
    "savings",
    "group_size",
    "channels",
    "age_months",
)
LABEL_TH = {
    "otop_type": "ประเภท OTOP",
    "standard": "มาตรฐานผลิตภัณฑ์",
    "sustained": "ผลิตต่อเนื่อง",
    "income_trend": "รายได้เพิ่มขึ้น",
    "margin": "กำไร",
    "savings": "เงินออม",
    "group_size": "ขนาดกลุ่ม",
    "channels": "ช่องทางจำหน่าย",
    "age_months": "ระยะเวลาดำเนินการ",
}

RANK_TH = "อันดับทั้งจังหวัด"
RANKING_TH = (
    "อันดับนับทั้งจังหวัด เรียงตามคะแนนจากมากไปน้อย "
    "คะแนนเท่ากันเรียงตามรหัสตำบลและชื่อกลุ่ม (ผู้ผลิตรายบุคคลต่อจากกลุ่ม) "
    "หน้ารายงานและไฟล์ Excel ใช้อันดับเดียวกัน"
)

_POINTS = re.compile(r"\s*\(\+[\d.]+/[\d.]+\)\s*$")


def label(key: str) -> str:
    return LABEL_TH.get(key, key)


def village_text(name, no) -> str:
    """ "บ้านน้ำชำ ม.1" (the name alone when the number is unknown)."""
    text = "" if tf.is_missing(name) else str(name)
    return f"{text} ม.{int(no)}".strip() if not tf.is_missing(no) else text


def _pct(x) -> str:
    return tf.percent(x, 0, ratio=True)


def how(key: str, c: dict) -> str:
    """What full points take for one criterion, in the words of otop.yml's settings."""
    if key == "otop_type":
        return f"ผลิตภัณฑ์อยู่ใน {len(OTOP_TYPES)} ประเภทของ OTOP ({' / '.join(OTOP_TYPES)}) ได้เต็ม ไม่ระบุได้ 0"
    if key == "standard":
        return f"มีมาตรฐานผลิตภัณฑ์อย่างน้อยหนึ่งอย่างจาก {', '.join(c.get('accepted', []))} ได้เต็ม ไม่มีได้ 0"
    if key == "sustained":
        return (
            "เดือนที่ผลิตจากเดือนที่มีข้อมูลติดตามผลในปีงบประมาณ "
            f"(ไม่เกิน {tf.number(c.get('lookback_months', 6))} เดือนล่าสุด): แต่ละเดือนนับสัดส่วนสมาชิกที่รายงานว่า"
            "ยังประกอบอาชีพ เดือนที่ไม่ได้รายงานนับ 0 แล้วเฉลี่ยทุกเดือน "
            f"ตั้งแต่ {_pct(c['full_at'])} ได้เต็ม ต่ำกว่านั้นได้ตามสัดส่วน"
        )
    if key == "income_trend":
        return (
            f"รายได้เฉลี่ยเดือนล่าสุดเทียบกับก่อนฝึกอาชีพ: เพิ่มตั้งแต่ {tf.number(c['full_at_pct'])}% ได้เต็ม ไม่เพิ่มได้ 0 ระหว่างนั้นตามสัดส่วน"
        )
    if key == "margin":
        return f"กำไรต่อรายได้ ((รายได้ − รายจ่าย) ÷ รายได้) เดือนล่าสุด: ตั้งแต่ {_pct(c['full_at'])} ได้เต็ม ขาดทุนหรือเท่าทุนได้ 0"
    if key == "savings":
        return "สัดส่วนสมาชิกที่มีเงินออมในเดือนล่าสุด: ออมทุกคนได้เต็ม ได้ตามสัดส่วน"
    if key == "group_size":
        return f"จำนวนสมาชิก: ตั้งแต่ {tf.number(c['full_at'])} คนได้เต็ม ได้ตามสัดส่วน (ผู้ผลิตรายเดียวนับ 1 คน)"
    if key == "channels":
        return f"จำนวนช่องทางจำหน่าย: ตั้งแต่ {tf.number(c['full_at'])} ช่องทางได้เต็ม ได้ตามสัดส่วน"
    if key == "age_months":
        return f"ระยะเวลานับจากรายงานผลครั้งแรก: ตั้งแต่ {tf.number(c['full_at'])} เดือนได้เต็ม ได้ตามสัดส่วน"
    return ", ".join(f"{k} = {v}" for k, v in c.items() if k != "weight")


def method(cfg: dict) -> list[tuple[str, float, str]]:
    """(criterion, full points, how it is scored) per criterion of the config."""
    lookback = cfg.get("lookback_months", 6)
    return [(label(k), c["weight"], how(k, {"lookback_months": lookback, **c})) for k, c in cfg["criteria"].items()]


def tier_rules(cfg: dict) -> list[str]:
    """The score's total and the three tiers, one sentence each."""
    crit, ready, nearly = cfg["criteria"], cfg["tiers"]["ready"], cfg["tiers"]["nearly_ready"]
    total = sum(float(c["weight"]) for c in crit.values())
    requires = ready.get("requires", [])
    return [
        f"คะแนนเต็ม {tf.number(total)} คะแนน: แต่ละเกณฑ์ให้ค่าระหว่าง 0 ถึง 1 แล้วคูณด้วยน้ำหนักของเกณฑ์ "
        f"คิดจากข้อมูลติดตามผลของเดือนที่มีข้อมูล ไม่เกิน {tf.number(cfg.get('lookback_months', 6))} เดือน"
        "ถึงเดือนที่ประเมิน",
        f"{TIER_TH['ready']}: คะแนนตั้งแต่ {tf.number(ready['min_score'])}"
        + (f" และต้องได้คะแนนด้าน{' และ'.join(label(r) for r in requires)}" if requires else ""),
        f"{TIER_TH['nearly_ready']}: คะแนนตั้งแต่ {tf.number(nearly['min_score'])} แต่ยังไม่เข้าเกณฑ์{TIER_TH['ready']}",
        f"{TIER_TH['not_yet']}: คะแนนต่ำกว่า {tf.number(nearly['min_score'])}",
    ]


def reasons_by_criterion(reasons, keys: Iterable[str] = CRITERIA) -> dict[str, str]:
    """A candidate's reasons (one line per criterion, in ``score``'s order) by criterion,
    without the "(+points/weight)" that the points column shows."""
    lines = [] if tf.is_missing(reasons) else str(reasons).splitlines()
    return {k: _POINTS.sub("", line).strip() for k, line in zip(keys, lines)}


def zero_criteria(points: Iterable[dict], keys: Iterable[str]) -> list[str]:
    """The criteria every candidate scored zero on (their column would say nothing)."""
    rows = list(points)
    return [k for k in keys if rows and all(not float((p or {}).get(k) or 0) for p in rows)]
