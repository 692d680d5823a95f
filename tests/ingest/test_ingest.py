"""Ingest of hand-made workbooks: exact values, lineage, re-sends, refusals."""

import datetime as dt
import shutil
from decimal import Decimal

from conftest import COVER, citizen_id, ingest_one, village_sheets, write_xlsx


def test_clean_workbook_loads_exact_values(con, tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", village_sheets(months=2))
    o = ingest_one(con, path)
    assert (o.status, o.village_code, o.fiscal_year, o.report_month) == (
        "loaded",
        "54010301",
        2569,
        dt.date(2025, 11, 1),  # the cover reports November, the last month followed up
    )
    assert (o.rows_loaded, o.rows_rejected, o.rows_skipped) == (5 + 20 + 40, 0, 0)
    assert con.execute("SELECT count(*), count(*) FILTER (WHERE role = 'sage') FROM trainer").fetchone() == (5, 1)
    row = con.execute(
        "SELECT full_name, house_no, members, occupation_group, trained_on, income_before, status "
        "FROM household WHERE citizen_id = ?",
        [citizen_id("154010101003")],
    ).fetchone()
    assert row == ("ครัวเรือน3 ทดสอบ", "4/1", 4, "processing", dt.date(2025, 10, 5), Decimal("5300.00"), "active")
    trainer = con.execute(
        "SELECT trainer_citizen_id FROM household WHERE citizen_id = ?", [citizen_id("154010101005")]
    ).fetchone()[0]
    assert trainer == citizen_id("354010100001")  # household 5 → trainer 5 // 4 = 1, referenced by name with title
    fu = con.execute(
        "SELECT practising, income, standards, channels FROM followup WHERE citizen_id = ? "
        "AND month = DATE '2025-11-01'",
        [citizen_id("154010101002")],
    ).fetchone()
    assert fu == (True, Decimal("6250.00"), ["มผช."], ["ตลาดชุมชน", "ออนไลน์"])
    # lineage: every row knows its file, sheet and spreadsheet row
    assert con.execute(
        "SELECT sheet, row_number FROM household_row WHERE citizen_id = ?", [citizen_id("154010101000")]
    ).fetchone() == ("ครัวเรือน", 2)


def test_village_month_kpis(con, tmp_path):
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", village_sheets(months=1)))
    vm = con.execute(
        "SELECT households_enrolled, households_reported, households_practising, practising_rate, "
        "avg_income, avg_income_before, income_change_pct FROM village_month"
    ).fetchone()
    practising = [h for h in range(20) if h % 10 != 9]
    avg_income = sum(6000 + 100 * h for h in practising) / len(practising)
    avg_before = sum(5000 + 100 * h for h in practising) / len(practising)
    assert vm[:4] == (20, 20, 18, 0.9)
    assert vm[4] == Decimal(f"{avg_income:.2f}") and vm[5] == Decimal(f"{avg_before:.2f}")
    assert abs(vm[6] - 100 * (avg_income - avg_before) / avg_before) < 1e-9


def test_same_bytes_are_a_duplicate(con, tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", village_sheets())
    ingest_one(con, path)
    copy = tmp_path / "copy of v.xlsx"
    shutil.copy(path, copy)
    o = ingest_one(con, copy)
    assert o.status == "duplicate" and o.rows_loaded == 0
    assert con.execute("SELECT count(*) FROM household").fetchone()[0] == 20
    assert con.execute("SELECT count(*) FROM followup").fetchone()[0] == 20


def test_newer_file_replaces_rosters_and_its_months_keeping_history(con, tmp_path):
    ingest_one(con, write_xlsx(tmp_path / "oct.xlsx", village_sheets(months=2)))
    newer = village_sheets(months=1)
    newer["ติดตาม"][1][3] = 9999  # first household, October income changed
    o = ingest_one(con, write_xlsx(tmp_path / "nov.xlsx", newer))
    assert o.status == "replaced"
    assert con.execute("SELECT count(*) FROM household").fetchone()[0] == 20
    # October replaced by the newer file, November (not carried) kept
    assert con.execute("SELECT count(*) FROM followup").fetchone()[0] == 40
    assert con.execute(
        "SELECT income FROM followup WHERE month = DATE '2025-10-01' AND citizen_id = ?", [citizen_id("154010101000")]
    ).fetchone()[0] == Decimal("9999.00")
    # history: the old rows are still there, marked superseded by the newer file
    assert con.execute("SELECT count(*) FROM household_row WHERE superseded_by = ?", [o.file_id]).fetchone()[0] == 20
    assert con.execute("SELECT count(*) FROM followup_row WHERE superseded_by = ?", [o.file_id]).fetchone()[0] == 20
    old = con.execute(
        "SELECT income, path FROM followup_history WHERE NOT is_current AND month = DATE '2025-10-01' "
        "AND citizen_id = ?",
        [citizen_id("154010101000")],
    ).fetchone()
    assert old[0] == Decimal("6000.00") and old[1].endswith("oct.xlsx")


def test_bad_values_are_rejected_with_sheet_row_and_column(con, tmp_path):
    sheets = village_sheets()
    sheets["ครัวเรือน"][3][10] = "ไม่ทราบ"  # income_before of household 2, spreadsheet row 4
    sheets["ครัวเรือน"][5][3] = "1234567890123"  # bad check digit, row 6
    sheets["ครัวเรือน"].insert(8, [None] * 5)  # blank row, skipped
    sheets["ครัวเรือน"].append(["รวม", None, None, None, None, 80])  # totals row, skipped
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (o.status, o.rows_rejected, o.rows_skipped) == ("loaded", 2 + 2, 2)  # 2 households + their follow-up
    rej = con.execute(
        "SELECT sheet, row_number, column_name, value FROM rejected_row ORDER BY sheet, row_number"
    ).fetchall()
    assert ("ครัวเรือน", 4, "income_before", "ไม่ทราบ") in rej
    assert ("ครัวเรือน", 6, "citizen_id", "1234567890123") in rej
    assert sum(r[0] == "ติดตาม" and r[2] == "citizen_id" for r in rej) == 2
    assert con.execute("SELECT count(*) FROM household").fetchone()[0] == 18


def test_village_by_names_when_subdistrict_name_repeats(con, tmp_path):
    sheets = village_sheets()
    sheets["ข้อมูลหมู่บ้าน"] = [
        ["จังหวัด", "แพร่"],
        ["อำเภอ", "อ.สูงเม่น"],
        ["ตำบล", "ต.น้ำชำ"],
        ["หมู่ที่", "๑"],
        ["ปีงบประมาณ", "พ.ศ. 2569"],
    ]
    assert ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets)).village_code == "54040201"


def test_code_and_names_disagree_is_refused(con, tmp_path):
    sheets = village_sheets()
    sheets["ข้อมูลหมู่บ้าน"] = [r if r[0] != "อำเภอ" else ["อำเภอ", "สูงเม่น"] for r in COVER]
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert o.status == "refused" and "อำเภอ" in o.message
    assert con.execute("SELECT count(*) FROM trainer_row").fetchone()[0] == 0
    assert con.execute("SELECT status FROM source_file").fetchone()[0] == "refused"


def test_unreadable_files_are_refused_and_warehouse_untouched(con, tmp_path):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    good = write_xlsx(tmp_path / "good.xlsx", village_sheets())
    (tmp_path / "cut.xlsx").write_bytes(good.read_bytes()[:2000])
    for name in ("empty.xlsx", "notes.xlsx", "cut.xlsx"):
        o = ingest_one(con, tmp_path / name)
        assert o.status == "refused" and o.unreadable and o.message, name
    assert con.execute("SELECT count(*) FROM trainer_row").fetchone()[0] == 0


def test_references_by_id_and_followup_only_file_uses_current_roster(con, tmp_path):
    from conftest import FOLLOWUP_HEADER
    from conftest import citizen_id as cid

    sheets = village_sheets()
    for row in sheets["ครัวเรือน"][1:]:  # trainer given by citizen ID, with dashes
        idx = int(row[6].removeprefix("นายวิทยากร").split()[0])
        t = sheets["วิทยากร"][idx + 1][3]
        row[6] = f"{t[0]}-{t[1:5]}-{t[5:10]}-{t[10:12]}-{t[12]}"
    del sheets["ติดตาม"]
    ingest_one(con, write_xlsx(tmp_path / "roster.xlsx", sheets))
    assert con.execute("SELECT count(DISTINCT trainer_citizen_id) FROM household").fetchone()[0] == 5
    follow = [
        FOLLOWUP_HEADER,
        [cid("154010101000"), "ธ.ค. 68", "ทำ", "7,000", "2,000", None, None, None, None, None, None],
        [cid("154010101999"), "ธ.ค. 68", "ทำ", "7,000", "2,000", None, None, None, None, None, None],
    ]
    cover = village_sheets(months=3)["ข้อมูลหมู่บ้าน"]  # reports December
    o = ingest_one(con, write_xlsx(tmp_path / "dec.xlsx", {"ข้อมูลหมู่บ้าน": cover, "ติดตาม": follow}))
    assert (o.status, o.rows_loaded, o.rows_rejected) == ("loaded", 1, 1)
    assert con.execute("SELECT column_name, row_number FROM rejected_row").fetchone() == ("citizen_id", 3)
    assert con.execute("SELECT count(*) FROM household").fetchone()[0] == 20  # roster untouched


def test_withdrawn_household_and_its_replacement(con, tmp_path):
    sheets = village_sheets()
    sheets["ครัวเรือน"][3][12] = "ถอนตัว"
    extra = list(sheets["ครัวเรือน"][3])
    extra[3], extra[12], extra[2] = citizen_id("154010101999"), "ทดแทน", "ทดแทน หนึ่ง"
    sheets["ครัวเรือน"].append(extra)
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    statuses = dict(con.execute("SELECT status, count(*) FROM household GROUP BY status").fetchall())
    assert statuses == {"active": 19, "withdrawn": 1, "replacement": 1}
    assert con.execute("SELECT households_enrolled FROM village_month").fetchone()[0] == 20
