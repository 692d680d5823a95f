"""A blank tracking workbook for one village: cut bad data at the source.

The header block is filled from the register, coded columns have drop-down lists, IDs,
dates and amounts have data validation, and the header rows are protected (the data area
stays editable). Headers are the spec's first Thai header of each column.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import xlsxwriter

from pipelines.thai import parse

ROWS = 40  # editable rows per sheet: 20 households + replacements, 5 trainers + spares

TRAINER_COLUMNS = [
    ("ลำดับ", 6, None),
    ("คำนำหน้า", 10, "title"),
    ("ชื่อ-สกุล", 24, None),
    ("เลขประจำตัวประชาชน", 18, "citizen_id"),
    ("บทบาท", 14, "role"),
    ("ความเชี่ยวชาญ", 20, None),
    ("โทรศัพท์", 14, "text"),
]
HOUSEHOLD_COLUMNS = [
    ("ลำดับ", 6, None),
    ("คำนำหน้า", 10, "title"),
    ("ชื่อ-สกุล", 24, None),
    ("เลขประจำตัวประชาชน", 18, "citizen_id"),
    ("บ้านเลขที่", 10, "text"),
    ("จำนวนสมาชิก", 10, "members"),
    ("วิทยากรผู้ดูแล", 24, None),
    ("อาชีพที่ฝึก", 22, None),
    ("ประเภทอาชีพ", 16, "occupation_group"),
    ("วันที่ฝึกอบรม", 14, "date"),
    ("รายได้ก่อนฝึก (บาท/เดือน)", 14, "money"),
    ("รายจ่ายก่อนฝึก (บาท/เดือน)", 14, "money"),
    ("สถานะ", 10, "status"),
    ("หมายเหตุ", 20, None),
]
FOLLOWUP_COLUMNS = [
    ("เลขประจำตัวประชาชน", 18, "citizen_id"),
    ("เดือน", 12, "month"),
    ("ประกอบอาชีพ", 12, "yes_no"),
    ("รายได้ (บาท/เดือน)", 12, "money"),
    ("รายจ่าย (บาท/เดือน)", 12, "money"),
    ("เงินออม (บาท/เดือน)", 12, "money"),
    ("กลุ่มอาชีพ", 22, None),
    ("ผลิตภัณฑ์", 20, None),
    ("ประเภทผลิตภัณฑ์ OTOP", 22, "otop_type"),
    ("มาตรฐานผลิตภัณฑ์", 16, "standard"),
    ("ช่องทางจำหน่าย", 20, None),
]
LISTS = {
    "title": ["นาย", "นาง", "นางสาว"],
    "role": ["ปราชญ์ชุมชน", "ทีมวิทยากร"],
    "occupation_group": ["เกษตร", "แปรรูป", "ท่องเที่ยวชุมชน", "อื่นๆ"],
    "status": ["ปกติ", "ถอนตัว", "ทดแทน"],
    "yes_no": ["ใช่", "ไม่ใช่"],
    "otop_type": parse.OTOP_TYPES,
    "standard": ["อย.", "มผช.", "มอก.", "GAP", "GMP", "ฮาลาล", "ไม่มี"],
}
INSTRUCTIONS = [
    "วิธีกรอกสมุดติดตามสัมมาชีพชุมชน",
    "1. ข้อมูลหมู่บ้านกรอกไว้ให้แล้ว (แก้ไขไม่ได้) กรุณาเลือก 'ประจำเดือน' ทุกครั้งที่ส่ง",
    "2. ชีต วิทยากร: วิทยากร 5 คน = ปราชญ์ชุมชน 1 คน + ทีมวิทยากร 4 คน",
    "3. ชีต ครัวเรือน: ครัวเรือนเป้าหมาย 20 ครัวเรือน วิทยากร 1 คนดูแล 4 ครัวเรือน; 'วิทยากรผู้ดูแล' พิมพ์ชื่อ-สกุลให้ตรงกับชีตวิทยากร",
    "4. ชีต ติดตาม: 1 แถวต่อ 1 ครัวเรือนต่อ 1 เดือน; ถ้าประกอบอาชีพ ต้องกรอกรายได้และรายจ่าย",
    "5. เลขประจำตัวประชาชน 13 หลัก พิมพ์ติดกันไม่ต้องมีขีด; วันที่เป็น วัน/เดือน/ปี พ.ศ. เช่น 15/10/2568",
    "6. จำนวนเงินเป็นบาท ตัวเลขเท่านั้น ไม่ต้องพิมพ์คำว่า บาท; ไม่ทราบให้เว้นว่าง ห้ามพิมพ์ '-'",
    "7. ครัวเรือนที่ถอนตัว ให้เลือกสถานะ 'ถอนตัว' แล้วเพิ่มครัวเรือนใหม่ สถานะ 'ทดแทน' (ห้ามลบแถวเดิม)",
    "8. มาตรฐานผลิตภัณฑ์ และ ช่องทางจำหน่าย มีหลายรายการได้ คั่นด้วยเครื่องหมายจุลภาค (,)",
]


def village_block(con: duckdb.DuckDBPyConnection, code: str) -> dict:
    row = con.execute(
        "SELECT village_code, village_no, village_name, subdistrict_name, district_name, province_name "
        "FROM village WHERE village_code = ?",
        [code],
    ).fetchone()
    if row is None:
        raise ValueError(f"village code {code} is not in the register (load it with `sammachip register --csv`)")
    return dict(zip(["code", "no", "name", "subdistrict", "district", "province"], row))


def write_template(con: duckdb.DuckDBPyConnection, village_code: str, fiscal_year: int, out: Path) -> Path:
    v = village_block(con, village_code)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False})
    f = {
        "label": wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1}),
        "fixed": wb.add_format({"border": 1, "locked": True}),
        "head": wb.add_format(
            {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "top", "locked": True}
        ),
        "open": wb.add_format({"locked": False, "border": 1, "num_format": "@"}),
        "date": wb.add_format({"locked": False, "border": 1, "num_format": "d/m/yyyy"}),
        "num": wb.add_format({"locked": False, "border": 1, "num_format": "#,##0.00"}),
        "int": wb.add_format({"locked": False, "border": 1, "num_format": "0"}),
        "title": wb.add_format({"bold": True, "font_size": 14}),
    }
    lists = wb.add_worksheet("รายการ")  # source of the drop-down lists, hidden
    for c, (key, items) in enumerate(LISTS.items()):
        lists.write_column(0, c, items)
        wb.define_name(f"list_{key}", f"='รายการ'!${_col(c)}$1:${_col(c)}${len(items)}")

    cover = wb.add_worksheet("ข้อมูลหมู่บ้าน")
    # Opens on the cover: a hidden sheet cannot be the active one, and xlsxwriter makes the
    # first sheet added active, so the lists' sheet is hidden only once the cover is active.
    cover.activate()
    cover.set_first_sheet()
    lists.hide()
    cover.write(0, 0, "สมุดติดตามสัมมาชีพชุมชน", f["title"])
    block = [
        ("จังหวัด", v["province"]),
        ("อำเภอ", v["district"]),
        ("ตำบล", v["subdistrict"]),
        ("หมู่ที่", v["no"]),
        ("ชื่อหมู่บ้าน", v["name"]),
        ("รหัสหมู่บ้าน", v["code"]),
        ("ปีงบประมาณ", fiscal_year),
    ]
    for r, (label, value) in enumerate(block, start=2):
        cover.write(r, 0, label, f["label"])
        cover.write_string(r, 1, str(value), f["fixed"])
    months = [f"{parse.THAI_MONTHS_FULL[(9 + i) % 12]} {fiscal_year - (1 if i < 3 else 0)}" for i in range(12)]
    r = 2 + len(block)
    cover.write(r, 0, "ประจำเดือน", f["label"])
    cover.write_blank(r, 1, None, f["open"])
    cover.data_validation(r, 1, r, 1, {"validate": "list", "source": months})
    cover.write(r + 1, 0, "ผู้รายงาน", f["label"])
    cover.write_blank(r + 1, 1, None, f["open"])
    cover.set_column(0, 0, 16)
    cover.set_column(1, 1, 30)
    cover.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})

    for name, columns in (("วิทยากร", TRAINER_COLUMNS), ("ครัวเรือน", HOUSEHOLD_COLUMNS), ("ติดตาม", FOLLOWUP_COLUMNS)):
        rows = ROWS * (12 if name == "ติดตาม" else 1)
        ws = wb.add_worksheet(name)
        for c, (header, width, kind) in enumerate(columns):
            ws.write(0, c, header, f["head"])
            fmt = {"date": f["date"], "money": f["num"], "members": f["int"]}.get(kind, f["open"])
            ws.set_column(c, c, width, fmt)
            _validate(ws, c, rows, kind, fiscal_year, months)
        ws.freeze_panes(1, 0)
        # Only the header row is protected; formats above unlock every data cell.
        ws.protect(
            "",
            {
                "select_locked_cells": True,
                "select_unlocked_cells": True,
                "format_columns": True,
                "sort": True,
                "autofilter": True,
            },
        )

    help_ws = wb.add_worksheet("คำแนะนำ")
    for r, line in enumerate(INSTRUCTIONS):
        help_ws.write(r, 0, line, f["title"] if r == 0 else None)
    help_ws.set_column(0, 0, 120)
    wb.close()
    return out


def _col(c: int) -> str:
    return chr(65 + c)


def _validate(ws, c: int, rows: int, kind: str | None, fiscal_year: int, months: list[str]) -> None:
    first, last = 1, rows
    if kind in LISTS:
        ws.data_validation(
            first,
            c,
            last,
            c,
            {
                "validate": "list",
                "source": f"=list_{kind}",
                "error_title": "เลือกจากรายการ",
                "error_message": "กรุณาเลือกจากรายการ",
            },
        )
    elif kind == "citizen_id":
        ws.data_validation(
            first,
            c,
            last,
            c,
            {
                "validate": "length",
                "criteria": "==",
                "value": 13,
                "error_title": "เลขประจำตัวประชาชน",
                "error_message": "ต้องเป็นตัวเลข 13 หลัก ไม่มีขีด",
            },
        )
    elif kind == "date":
        start, end = parse.fiscal_year_bounds(fiscal_year)
        ws.data_validation(
            first,
            c,
            last,
            c,
            {
                "validate": "date",
                "criteria": "between",
                "minimum": start,
                "maximum": end,
                "error_title": "วันที่",
                "error_message": f"วันที่ต้องอยู่ในปีงบประมาณ {fiscal_year}",
            },
        )
    elif kind == "money":
        ws.data_validation(
            first,
            c,
            last,
            c,
            {
                "validate": "decimal",
                "criteria": ">=",
                "value": 0,
                "error_title": "จำนวนเงิน",
                "error_message": "ตัวเลข 0 ขึ้นไป (บาท)",
            },
        )
    elif kind == "members":
        ws.data_validation(
            first,
            c,
            last,
            c,
            {
                "validate": "integer",
                "criteria": "between",
                "minimum": 1,
                "maximum": 30,
                "error_title": "จำนวนสมาชิก",
                "error_message": "จำนวนเต็ม 1 ถึง 30",
            },
        )
    elif kind == "month":
        ws.data_validation(first, c, last, c, {"validate": "list", "source": months})
