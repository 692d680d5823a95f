"""What villages send, round 2 (issue 18): months that have not come, rows that refer to a
refused row, an ID Excel turned into 3.54E+12 on the follow-up sheet, a renamed cover sheet,
the exit codes of a batch with a refused file, and the template opening on its cover."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner
from conftest import citizen_id, ingest_one, village_sheets, write_xlsx

from pipelines.cli import main

FU_MONTH, HH_INCOME_BEFORE, HH_TRAINER, TR_ID = 1, 10, 6, 3


def _rejected(con) -> dict:
    return {
        (sheet, row): (column, value, reason)
        for sheet, row, column, value, reason in con.execute(
            "SELECT sheet, row_number, column_name, value, reason FROM rejected_row"
        ).fetchall()
    }


def test_a_month_after_the_report_month_is_a_typing_error(con, tmp_path):
    sheets = village_sheets(months=2)  # the cover reports November 2568
    sheets["ติดตาม"][3][FU_MONTH] = "12/2568"  # December: after the month the file reports
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    column, value, reason = _rejected(con)[("ติดตาม", 4)]
    assert (o.rows_rejected, column, value) == (1, "month", "12/2568")
    assert "หลังเดือนที่ไฟล์นี้รายงาน" in reason and "2025-12" in reason
    assert con.execute("SELECT max(month) FROM followup").fetchone()[0].isoformat() == "2025-11-01"


def test_a_month_that_has_not_come_yet_is_a_typing_error(con, tmp_path, monkeypatch):
    """An FY 2570 file reporting December 2569, ingested in December 2026, with March 2027."""
    monkeypatch.setenv("SAMMACHIP_TODAY", "2026-12-05")
    sheets = village_sheets(months=1)
    sheets["ข้อมูลหมู่บ้าน"] = [
        ["ปีงบประมาณ", 2570] if r[0] == "ปีงบประมาณ" else ["ประจำเดือน", "ธันวาคม 2569"] if r[0] == "ประจำเดือน" else r
        for r in sheets["ข้อมูลหมู่บ้าน"]
    ]
    for row in sheets["ครัวเรือน"][1:]:
        row[9] = row[9].replace(year=2026)  # trained in October 2026, FY 2570
    for i, row in enumerate(sheets["ติดตาม"][1:]):
        row[FU_MONTH] = "มี.ค. 70" if i == 0 else "ธ.ค. 69"
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    column, value, reason = _rejected(con)[("ติดตาม", 2)]
    assert (o.status, o.rows_rejected, column) == ("loaded", 1, "month")
    assert "ยังมาไม่ถึง" in reason and "2027-03" in reason
    assert con.execute("SELECT DISTINCT month FROM followup").fetchall()[0][0].isoformat() == "2026-12-01"


def test_rows_that_refer_to_a_refused_row_name_it(con, tmp_path):
    sheets = village_sheets(months=2)
    sheets["ครัวเรือน"][13][HH_INCOME_BEFORE] = "-"  # the 14th household, sheet row 14
    sheets["วิทยากร"][3][TR_ID] = "1234"  # the third trainer's ID, sheet row 4: all its households
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    rej = _rejected(con)
    assert rej[("ครัวเรือน", 14)][0] == "income_before"
    household_id = sheets["ครัวเรือน"][13][3]
    followed = [r for (sheet, row), r in rej.items() if sheet == "ติดตาม" and r[1] == household_id]
    assert len(followed) == 2  # October and November
    assert all(r[0] == "citizen_id" and "ชีต ครัวเรือน แถว 14" in r[2] and "was rejected" in r[2] for r in followed)
    # Households 8..11 were looked after by the third trainer (village_sheets: h // 4): named too.
    by_trainer = [rej[("ครัวเรือน", h + 2)] for h in (8, 9, 10, 11)]
    assert all(r[0] == "trainer" and "ชีต วิทยากร แถว 4" in r[2] for r in by_trainer)
    assert not any("not found" in r[2] for r in rej.values())


def test_an_id_excel_showed_as_3_54e12_on_the_follow_up_sheet_gets_the_id_s_own_reason(con, tmp_path):
    sheets = village_sheets(months=1)
    sheets["ติดตาม"][2][0] = "1.54010E+12"
    sheets["ครัวเรือน"][3][3] = "1.54010E+12"
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    rej = _rejected(con)
    household, followup = rej[("ครัวเรือน", 4)], rej[("ติดตาม", 3)]
    assert household[0] == followup[0] == "citizen_id"
    assert household[2] == followup[2] and "E+" in followup[2]  # the same reason: the digits are gone


def test_a_renamed_cover_sheet_is_named_in_the_refusal(con, tmp_path):
    sheets = village_sheets(months=1)
    sheets["ข้อมูล หมู่บ้าน ปี 69"] = sheets.pop("ข้อมูลหมู่บ้าน")
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert o.status == "refused"
    assert "'ข้อมูลหมู่บ้าน'" in o.message and "'ข้อมูล หมู่บ้าน ปี 69'" in o.message and "'ติดตาม'" in o.message
    assert con.execute("SELECT count(*) FROM followup").fetchone()[0] == 0


def _cli(tmp_path, *args):
    return CliRunner().invoke(
        main, ["--warehouse", str(tmp_path / "w.duckdb"), "--reports", str(tmp_path / "r"), *args]
    )


def test_a_refused_file_among_others_exits_1_and_alone_exits_2(tmp_path, register_csv):
    """Contract: 1 when the command went on with its other inputs, whatever the reason; 2 when
    not one input could be read."""
    assert _cli(tmp_path, "register", "--csv", str(register_csv)).exit_code == 0
    batch = tmp_path / "batch"
    batch.mkdir()
    write_xlsx(batch / "good.xlsx", village_sheets())
    (batch / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    assert _cli(tmp_path, "ingest", str(batch)).exit_code == 1
    assert _cli(tmp_path, "ingest", str(batch / "broken.xlsx")).exit_code == 2


def test_the_template_opens_on_its_cover_with_the_lists_hidden(con, tmp_path):
    from pipelines.ops import template

    wb = openpyxl.load_workbook(template.write_template(con, "54010301", 2569, tmp_path / "t.xlsx"))
    assert wb.active.title == "ข้อมูลหมู่บ้าน" and wb.active.sheet_state == "visible"
    assert wb["รายการ"].sheet_state == "hidden"


def test_a_village_the_cover_names_and_a_household_id_with_dashes(con, tmp_path):
    """A reference by ID with dashes still finds its trainer (the refused-row lookup does
    not shadow an ordinary match)."""
    sheets = village_sheets(months=1)
    t = citizen_id("354010100001")
    sheets["ครัวเรือน"][5][HH_TRAINER] = f"{t[0]}-{t[1:5]}-{t[5:10]}-{t[10:12]}-{t[12]}"
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (o.status, o.rows_rejected) == ("loaded", 0)
