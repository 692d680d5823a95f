"""Shared fixtures: a tiny register, a temp warehouse, and a small-workbook writer."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

os.environ.setdefault("TQDM_DISABLE", "1")

# Two villages in Mueang Phrae and one in Sung Men whose subdistrict name (น้ำชำ) repeats.
REGISTER = [
    ("54010301", 1, "บ้านน้ำชำ"),
    ("54010302", 2, "บ้านทุ่งกวาว"),
    ("54040201", 1, "บ้านน้ำชำใต้"),
]


# The household table's header as a messy workbook has it: two rows (ก่อนฝึก over รายได้ /
# รายจ่าย), a line break inside a cell, units in brackets.
TWO_ROW_HEADER = [
    [
        "ลำดับ",
        "คำนำหน้า",
        "ชื่อ-สกุล",
        "เลขประจำตัวประชาชน",
        "บ้านเลขที่",
        "สมาชิกในครัวเรือน\n(คน)",
        "วิทยากรพี่เลี้ยง",
        "อาชีพที่ได้รับการฝึก",
        "ประเภทอาชีพ",
        "วันที่ฝึกอาชีพ",
        "ก่อนฝึก (บาท/เดือน)",
        None,
        "สถานะ",
        "หมายเหตุ",
    ],
    [None] * 10 + ["รายได้", "รายจ่าย", None, None],
]


def citizen_id(prefix12: str) -> str:
    total = sum(int(prefix12[i]) * (13 - i) for i in range(12))
    return prefix12 + str((11 - total % 11) % 10)


@pytest.fixture
def register_csv(tmp_path: Path) -> Path:
    path = tmp_path / "register.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["village_code", "village_no", "village_name"])
        w.writerows(REGISTER)
    return path


@pytest.fixture
def con(tmp_path: Path, register_csv: Path):
    from pipelines import warehouse
    from pipelines.ingest import register

    c = warehouse.connect(tmp_path / "w.duckdb")
    register.load_register(c, register_csv)
    yield c
    c.close()


def ingest_one(con, path: Path):
    """Ingest one file; its outcome."""
    from pipelines import ingest

    (o,) = ingest.ingest(con, [path])
    return o


def loaded(con) -> dict:
    """What a warehouse holds, to compare two ingests of the same content: the contract views'
    rows, the rejected rows and the file outcomes, each in a set order."""
    out = {v: con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in ("trainer", "household", "followup")}
    out["rejected"] = con.execute(
        "SELECT sheet, row_number, column_name, value, reason FROM rejected_row ORDER BY ALL"
    ).fetchall()
    out["files"] = con.execute(
        "SELECT status, village_code, fiscal_year, report_month, rows_loaded, rows_rejected, rows_skipped "
        "FROM source_file ORDER BY file_id"
    ).fetchall()
    return out


def write_xlsx(path: Path, sheets: dict[str, list[list]], merged: dict[str, list[str]] | None = None) -> Path:
    """A workbook from plain rows (written with openpyxl, independent of ingest)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for row in ws.iter_rows():
            for cell in row:  # text typed with a leading = is text, not a formula
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        for rng in (merged or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


COVER = [
    ["จังหวัด", "แพร่"],
    ["อำเภอ", "เมืองแพร่"],
    ["ตำบล", "น้ำชำ"],
    ["หมู่ที่", 1],
    ["ชื่อหมู่บ้าน", "บ้านน้ำชำ"],
    ["รหัสหมู่บ้าน", "54010301"],
    ["ปีงบประมาณ", 2569],
    ["ประจำเดือน", "ตุลาคม 2568"],
    ["ผู้รายงาน", "นางสาวทดสอบ ระบบ"],
]
THAI_MONTHS = [
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
TRAINER_HEADER = ["ลำดับ", "คำนำหน้า", "ชื่อ-สกุล", "เลขประจำตัวประชาชน", "บทบาท", "ความเชี่ยวชาญ", "โทรศัพท์"]
HOUSEHOLD_HEADER = [
    "ลำดับ",
    "คำนำหน้า",
    "ชื่อ-สกุล",
    "เลขประจำตัวประชาชน",
    "บ้านเลขที่",
    "จำนวนสมาชิก",
    "วิทยากรผู้ดูแล",
    "อาชีพที่ฝึก",
    "ประเภทอาชีพ",
    "วันที่ฝึกอบรม",
    "รายได้ก่อนฝึก (บาท/เดือน)",
    "รายจ่ายก่อนฝึก (บาท/เดือน)",
    "สถานะ",
    "หมายเหตุ",
]
FOLLOWUP_HEADER = [
    "เลขประจำตัวประชาชน",
    "เดือน",
    "ประกอบอาชีพ",
    "รายได้ (บาท/เดือน)",
    "รายจ่าย (บาท/เดือน)",
    "เงินออม (บาท/เดือน)",
    "กลุ่มอาชีพ",
    "ผลิตภัณฑ์",
    "ประเภทผลิตภัณฑ์ OTOP",
    "มาตรฐานผลิตภัณฑ์",
    "ช่องทางจำหน่าย",
]


def village_sheets(
    village_serial: int = 1, months: int = 1, households: int = 20, trainers: int = 5, sages: int = 1
) -> dict[str, list[list]]:
    """A clean village workbook's sheets with known values (income_before 5000 + 100 i)."""
    tr_ids = [citizen_id(f"35401{village_serial:02d}00{t:03d}") for t in range(trainers)]
    trainer_rows = [list(TRAINER_HEADER)] + [
        [t + 1, "นาย", f"วิทยากร{t} ทดสอบ", tr_ids[t], "ปราชญ์ชุมชน" if t < sages else "ทีมวิทยากร", "ผ้า", "0812345678"]
        for t in range(trainers)
    ]
    hh_ids = [citizen_id(f"15401{village_serial:02d}01{h:03d}") for h in range(households)]
    household_rows = [list(HOUSEHOLD_HEADER)] + [
        [
            h + 1,
            "นาง",
            f"ครัวเรือน{h} ทดสอบ",
            hh_ids[h],
            f"{h + 1}/1",
            4,
            f"นายวิทยากร{h // 4 % trainers} ทดสอบ",
            "ย้อมผ้าหม้อห้อม",
            "แปรรูป",
            dt.datetime(2025, 10, 5),
            5000 + 100 * h,
            3000,
            "",
            "",
        ]
        for h in range(households)
    ]
    followup_rows = [list(FOLLOWUP_HEADER)]
    for m in range(months):
        month = dt.date(2025 + (9 + m) // 12, (9 + m) % 12 + 1, 1)
        for h in range(households):
            practising = h % 10 != 9
            followup_rows.append(
                [
                    hh_ids[h],
                    f"{month.month}/{month.year + 543}",
                    "ใช่" if practising else "ไม่ใช่",
                    6000 + 100 * h + 50 * m if practising else None,
                    2000 if practising else None,
                    500,
                    "กลุ่มหม้อห้อม",
                    "เสื้อหม้อห้อม",
                    "ผ้าและเครื่องแต่งกาย",
                    "มผช.",
                    "ตลาดชุมชน, ออนไลน์",
                ]
            )
    # fresh lists throughout: a test that edits its sheets never edits the module's headers;
    # the cover reports the last month followed up (a later month would be refused as a typo)
    last = dt.date(2025 + (9 + months - 1) // 12, (9 + months - 1) % 12 + 1, 1)
    return {
        "ข้อมูลหมู่บ้าน": [
            ["ประจำเดือน", f"{THAI_MONTHS[last.month - 1]} {last.year + 543}"] if r[0] == "ประจำเดือน" else list(r)
            for r in COVER
        ],
        "วิทยากร": trainer_rows,
        "ครัวเรือน": household_rows,
        "ติดตาม": followup_rows,
    }


def write_xls(path: Path, sheets: dict[str, list[list]]) -> Path:
    """The same rows as an Excel 97 .xls (xlwt); dates as real date cells."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="D/M/YYYY")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, (dt.date, dt.datetime)):
                    ws.write(r, c, v, date_style)
                elif v is not None:
                    ws.write(r, c, v)
    wb.save(str(path))
    return path


def write_ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    """The same rows as an OpenDocument spreadsheet (pandas + odfpy)."""
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            width = max(len(r) for r in rows)
            pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows]).to_excel(
                writer, sheet_name=name, header=False, index=False
            )
    return path
