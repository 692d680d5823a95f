"""Every data-quality check in plain Thai, in one place: its name, what it means, what to do.

A check is named by the ``check_name`` in the ``meta`` of its expectation
(``expectations/gx/expectations/*.json``); that name is what ``validation_issue`` carries
and what ``sammachip.yml`` gives a severity. The texts here are for planners and
district officers: the data-quality page (``notebooks/quality.ipynb``) and the Data Docs
index read them from ``CHECKS``; ``CHECK_TH`` holds the names alone, as the district to-do
workbooks have them. Numbers in ``{braces}`` are settings from ``sammachip.yml``
(``programme`` and ``validation``), filled in by ``describe``: a threshold changed there is
changed on every page.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines import config

SEVERITY_TH = {"error": "ต้องแก้ไข", "warning": "ควรตรวจสอบ"}

# The suites (expectations/gx/expectations/<suite>.json) in Thai, for the Data Docs index.
SUITE_TH = {
    "quota": "โควตาของโครงการ",
    "completeness": "ความครบถ้วนของการรายงานรายเดือน",
    "completeness_rows": "แถวที่นำเข้าไม่ได้",
    "timeliness": "ความตรงเวลาของการส่งข้อมูล",
    "validity": "ความสมเหตุสมผลของข้อมูล",
    "uniqueness": "บุคคลซ้ำ",
    "outliers": "รายได้ผิดปกติ",
}

# check_name → the suite that reports it, its Thai name (as in the to-do workbooks), what it
# means in one sentence, and what the village or the district office should do.
CHECKS: dict[str, dict[str, str]] = {
    "quota_trainers": {
        "suite": "quota",
        "name_th": "จำนวนวิทยากร",
        "meaning_th": "หมู่บ้านต้องมีวิทยากรสัมมาชีพชุมชน {trainers_per_village} คน "
        "(ปราชญ์ชุมชน {sages_per_village} คน และทีมวิทยากร {team_per_village} คน) ในแผ่นงานวิทยากร",
        "action_th": "หมู่บ้านเพิ่มหรือลบรายชื่อในแผ่นงานวิทยากรให้ครบ {trainers_per_village} คน แล้วส่งสมุดติดตามใหม่",
    },
    "quota_sages": {
        "suite": "quota",
        "name_th": "จำนวนปราชญ์ชุมชน",
        "meaning_th": "ในรายชื่อวิทยากรต้องมีผู้มีบทบาทปราชญ์ชุมชน {sages_per_village} คนพอดี",
        "action_th": "หมู่บ้านแก้คอลัมน์บทบาทในแผ่นงานวิทยากร ให้มีปราชญ์ชุมชน {sages_per_village} คน ที่เหลือเป็นทีมวิทยากร",
    },
    "quota_households": {
        "suite": "quota",
        "name_th": "จำนวนครัวเรือนเป้าหมาย",
        "meaning_th": "หมู่บ้านต้องมีครัวเรือนเป้าหมาย {households_per_village} ครัวเรือน ไม่นับครัวเรือนที่ถอนตัว",
        "action_th": "หมู่บ้านเพิ่มครัวเรือนทดแทนหรือแก้สถานะในแผ่นงานครัวเรือนให้ครบ {households_per_village} ครัวเรือน",
    },
    "quota_households_per_trainer": {
        "suite": "quota",
        "name_th": "วิทยากร 1 คนต่อ 4 ครัวเรือน",
        "meaning_th": "วิทยากรแต่ละคนต้องดูแลครัวเรือนเป้าหมาย {households_per_trainer} ครัวเรือน",
        "action_th": "หมู่บ้านแก้คอลัมน์วิทยากรผู้ดูแลในแผ่นงานครัวเรือน ให้วิทยากรทุกคนดูแลคนละ {households_per_trainer} ครัวเรือน",
    },
    "quota_trainer_in_village": {
        "suite": "validity",
        "name_th": "วิทยากรผู้ดูแลอยู่นอกรายชื่อ",
        "meaning_th": "วิทยากรผู้ดูแลที่ระบุในแผ่นงานครัวเรือนไม่อยู่ในรายชื่อวิทยากรของหมู่บ้าน",
        "action_th": "หมู่บ้านแก้ชื่อวิทยากรผู้ดูแลให้ตรงกับแผ่นงานวิทยากร หรือเพิ่มวิทยากรคนนั้นในแผ่นงานวิทยากร",
    },
    "completeness_month_missing": {
        "suite": "completeness",
        "name_th": "ไม่ส่งข้อมูลรายเดือน",
        "meaning_th": "หมู่บ้านยังไม่ได้ส่งผลการติดตามของเดือนนั้นเลย",
        "action_th": "หมู่บ้านกรอกผลการติดตามของเดือนที่ขาดในแผ่นงานติดตาม แล้วส่งผ่านสำนักงานพัฒนาชุมชนอำเภอ",
    },
    "completeness_reporting_rate": {
        "suite": "completeness",
        "name_th": "รายงานไม่ครบทุกครัวเรือน",
        "meaning_th": "ผลการติดตามของเดือนนั้นมีไม่ครบทุกครัวเรือนเป้าหมาย",
        "action_th": "หมู่บ้านเพิ่มผลการติดตามของครัวเรือนที่ยังไม่มีข้อมูลในเดือนนั้น",
    },
    "completeness_rejected_rows": {
        "suite": "completeness_rows",
        "name_th": "แถวที่นำเข้าไม่ได้",
        "meaning_th": "บางแถวในไฟล์ที่ส่งมามีค่าผิดรูปแบบหรือขาดค่าที่ต้องกรอก จึงนำเข้าระบบไม่ได้",
        "action_th": "หมู่บ้านเปิดไฟล์ตามแผ่นงานและแถวที่ระบุในรายการที่ต้องแก้ไข แก้ค่าให้ถูกต้อง แล้วส่งไฟล์ใหม่",
    },
    "timeliness_late": {
        "suite": "timeliness",
        "name_th": "ส่งข้อมูลล่าช้า",
        "meaning_th": "ข้อมูลของเดือนมาถึงหลังกำหนดส่ง ({due_days} วันหลังสิ้นเดือน)",
        "action_th": "สำนักงานพัฒนาชุมชนอำเภอติดตามหมู่บ้านให้ส่งข้อมูลเดือนต่อไปทันกำหนด",
    },
    "validity_money_range": {
        "suite": "validity",
        "name_th": "จำนวนเงินผิดปกติ",
        "meaning_th": "รายได้ รายจ่าย หรือเงินออมของเดือนสูงเกิน {income_max} บาท ซึ่งไม่น่าเป็นไปได้สำหรับครัวเรือน (มักพิมพ์ตัวเลขเกิน)",
        "action_th": "หมู่บ้านตรวจตัวเลขกับครัวเรือน แล้วแก้ในแผ่นงานติดตามตามแถวที่ระบุ",
    },
    "validity_income_before_range": {
        "suite": "validity",
        "name_th": "รายได้ก่อนฝึกผิดปกติ",
        "meaning_th": "รายได้หรือรายจ่ายก่อนฝึกอาชีพสูงเกิน {income_max} บาทต่อเดือน ซึ่งไม่น่าเป็นไปได้",
        "action_th": "หมู่บ้านตรวจตัวเลขกับครัวเรือน แล้วแก้ในแผ่นงานครัวเรือนตามแถวที่ระบุ",
    },
    "validity_income_not_practising": {
        "suite": "validity",
        "name_th": "ไม่ประกอบอาชีพแต่มีรายได้",
        "meaning_th": "ครัวเรือนบันทึกว่าไม่ได้ประกอบอาชีพ แต่มีรายได้จากอาชีพในเดือนนั้น",
        "action_th": "หมู่บ้านแก้ช่องประกอบอาชีพหรือช่องรายได้ในแผ่นงานติดตามให้ตรงกัน",
    },
    "uniqueness_household": {
        "suite": "uniqueness",
        "name_th": "ครัวเรือนซ้ำข้ามหมู่บ้าน",
        "meaning_th": "เลขประจำตัวประชาชนเดียวกันเป็นครัวเรือนเป้าหมายมากกว่า 1 หมู่บ้านในปีงบประมาณเดียวกัน",
        "action_th": "สำนักงานพัฒนาชุมชนอำเภอตรวจว่าครัวเรือนอยู่หมู่บ้านใด แล้วให้อีกหมู่บ้านเอารายชื่อออกหรือแก้เลขที่พิมพ์ผิด",
    },
    "uniqueness_trainer_household": {
        "suite": "uniqueness",
        "name_th": "เป็นทั้งวิทยากรและครัวเรือน",
        "meaning_th": "บุคคลเดียวกันเป็นทั้งวิทยากรและครัวเรือนเป้าหมายในปีเดียวกัน ซึ่งโครงการไม่อนุญาต",
        "action_th": "หมู่บ้านเลือกบทบาทเดียว แล้วแก้แผ่นงานวิทยากรหรือแผ่นงานครัวเรือน",
    },
    "outlier_income": {
        "suite": "outliers",
        "name_th": "รายได้ผิดปกติเทียบอาชีพเดียวกัน",
        "meaning_th": "รายได้ต่างจากครัวเรือนที่ประกอบอาชีพเดียวกันในเดือนเดียวกันมากผิดปกติ (อาจถูกต้องก็ได้)",
        "action_th": "หมู่บ้านสอบถามครัวเรือนว่าตัวเลขถูกต้องหรือไม่ ถ้าผิดให้แก้ในแผ่นงานติดตาม",
    },
    "outlier_income_jump": {
        "suite": "outliers",
        "name_th": "รายได้เปลี่ยนแปลงผิดปกติ",
        "meaning_th": "รายได้ของครัวเรือนเพิ่มขึ้นหรือลดลงจากเดือนก่อนเกิน {jump_factor} เท่า",
        "action_th": "หมู่บ้านตรวจสอบกับครัวเรือน ถ้ากรอกผิดให้แก้ในแผ่นงานติดตาม",
    },
    "validity_followup_household_in_roster": {
        "suite": "validity",
        "name_th": "ติดตามครัวเรือนนอกรายชื่อ",
        "meaning_th": "มีผลการติดตามของครัวเรือนที่ไม่อยู่ในรายชื่อครัวเรือนปัจจุบัน จึงไม่นับในรายได้เฉลี่ย",
        "action_th": "หมู่บ้านเพิ่มครัวเรือนนั้นในแผ่นงานครัวเรือน หรือเอาแถวติดตามออกถ้าไม่ใช่ครัวเรือนเป้าหมาย",
    },
}

# The Thai name alone, keyed like pipelines.quality.todo.CHECK_TH.
CHECK_TH = {name: c["name_th"] for name, c in CHECKS.items()}


def suites_dir() -> Path:
    return config.EXPECTATIONS_DIR / "gx" / "expectations"


def suite_checks(folder: Path | None = None) -> dict[str, str]:
    """check_name → suite name, for every expectation of every suite (in file order)."""
    found: dict[str, str] = {}
    for path in sorted(Path(folder or suites_dir()).glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        for e in suite.get("expectations", []):
            # validate.py names an issue by meta.check_name, else by the expectation's type
            found.setdefault((e.get("meta") or {}).get("check_name") or e["type"], suite.get("name", path.stem))
    return found


def severity(check: str) -> str:
    """``error`` or ``warning``, as sammachip.yml gives it (validate.py's rule)."""
    table = config.settings().get("validation", {}).get("severity", {})
    return table.get(check, table.get("default", "error"))


def _values() -> dict:
    s = config.settings()
    p, v = s.get("programme", {}), s.get("validation", {})
    return {
        **p,
        "team_per_village": p.get("trainers_per_village", 5) - p.get("sages_per_village", 1),
        "due_days": v.get("due_days", 10),
        "income_max": f"{v.get('income_max', 200_000):,}",
        "jump_factor": f"{v.get('jump_factor', 3.0):g}",
    }


def describe(check: str) -> dict[str, str]:
    """A check's Thai texts with the settings filled in; a check not listed here keeps its
    name (a suite added without its texts still shows, under its check_name)."""
    c = CHECKS.get(check)
    if c is None:
        return {
            "check_name": check,
            "suite": suite_checks().get(check, ""),
            "name_th": check,
            "meaning_th": "",
            "action_th": "",
            "severity": severity(check),
        }
    values = _values()
    out = {k: (t.format(**values) if k.endswith("_th") else t) for k, t in c.items()}
    return {"check_name": check, **out, "severity": severity(check)}


def all_checks() -> list[str]:
    """Every check a suite can report, and any listed here: suites' order first."""
    return list(dict.fromkeys([*suite_checks(), *CHECKS]))
