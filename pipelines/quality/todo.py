"""A to-do list of data to fix, one workbook per district office, from validation_issue."""

from __future__ import annotations

from pathlib import Path

import duckdb
import xlsxwriter

from pipelines.thai.fmt import inert, mask_ids
from pipelines.thai.parse import THAI_MONTHS_ABBR

CHECK_TH = {
    "quota_trainers": "จำนวนวิทยากร",
    "quota_sages": "จำนวนปราชญ์ชุมชน",
    "quota_households": "จำนวนครัวเรือนเป้าหมาย",
    "quota_households_per_trainer": "วิทยากร 1 คนต่อ 4 ครัวเรือน",
    "quota_trainer_in_village": "วิทยากรผู้ดูแลอยู่นอกรายชื่อ",
    "completeness_month_missing": "ไม่ส่งข้อมูลรายเดือน",
    "completeness_reporting_rate": "รายงานไม่ครบทุกครัวเรือน",
    "completeness_rejected_rows": "แถวที่นำเข้าไม่ได้",
    "timeliness_late": "ส่งข้อมูลล่าช้า",
    "validity_money_range": "จำนวนเงินผิดปกติ",
    "validity_income_before_range": "รายได้ก่อนฝึกผิดปกติ",
    "validity_income_not_practising": "ไม่ประกอบอาชีพแต่มีรายได้",
    "uniqueness_household": "ครัวเรือนซ้ำข้ามหมู่บ้าน",
    "uniqueness_trainer_household": "เป็นทั้งวิทยากรและครัวเรือน",
    "outlier_income": "รายได้ผิดปกติเทียบอาชีพเดียวกัน",
    "outlier_income_jump": "รายได้เปลี่ยนแปลงผิดปกติ",
    "validity_followup_household_in_roster": "ติดตามครัวเรือนนอกรายชื่อ",
}


def write_todo(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Path]:
    """reports/<month>/todo/<district_code>.xlsx, one sheet of issues sorted errors first."""
    rows = con.execute(
        "SELECT district_code, district_name, village_code, village_no, village_name, subdistrict_name, severity, "
        "check_name, month, detail FROM data_todo"
    ).fetchall()
    by_district: dict[str, list] = {}
    for r in rows:
        by_district.setdefault(r[0] or "unknown", []).append(r)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    headers = ["ระดับ", "อำเภอ", "ตำบล", "หมู่ที่", "หมู่บ้าน", "รหัสหมู่บ้าน", "เรื่อง", "เดือน", "สิ่งที่ต้องแก้ไข"]
    for code, items in sorted(by_district.items()):
        path = out_dir / f"{code}.xlsx"
        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        ws = wb.add_worksheet("สิ่งที่ต้องแก้ไข")
        head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        error = wb.add_format({"font_color": "#B00020", "bold": True, "valign": "top"})
        ws.write_row(0, 0, headers, head)
        items.sort(key=lambda r: (r[6] != "error", r[2] or "", r[7], r[8] or 0))
        for i, r in enumerate(items, start=1):
            month = f"{THAI_MONTHS_ABBR[r[8].month - 1]} {r[8].year + 543}" if r[8] else ""
            values = [
                "ต้องแก้ไข" if r[6] == "error" else "ควรตรวจสอบ",
                r[1],
                r[5],
                r[3],
                r[4],
                r[2],
                CHECK_TH.get(r[7], r[7]),
                month,
                mask_ids(r[9] or ""),
            ]
            for c, v in enumerate(values):
                ws.write(i, c, inert(v), error if (c == 0 and r[6] == "error") else wrap)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(items), len(headers) - 1)
        ws.set_column(0, 0, 12)
        ws.set_column(1, 2, 14)
        ws.set_column(3, 3, 7)
        ws.set_column(4, 4, 18)
        ws.set_column(5, 5, 12)
        ws.set_column(6, 7, 22)
        ws.set_column(8, 8, 90)
        wb.close()
        written.append(path)
    return written
