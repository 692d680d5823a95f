"""Rules of the tracking-workbook spec that no other test held (docs/spec-tests.md maps every
rule to its tests): required columns left blank, the listed OTOP types and standards, header
text with line breaks, the free-text reporter, and the contract views' names and types."""

import datetime as dt

import pytest
from conftest import ingest_one, village_sheets, write_xlsx

from pipelines.thai.parse import OTOP_TYPES

HH_ID, HH_MEMBERS, HH_TRAINED, HH_BEFORE, HH_EXPENSE_BEFORE = 3, 5, 9, 10, 11
FU_OTOP, FU_STANDARD = 8, 9


def _rejected(con) -> list[tuple]:
    return con.execute("SELECT sheet, row_number, column_name FROM rejected_row ORDER BY sheet, row_number").fetchall()


@pytest.mark.parametrize(
    "sheet, column, key",
    [
        ("วิทยากร", 3, "citizen_id"),
        ("ครัวเรือน", HH_ID, "citizen_id"),
        ("ครัวเรือน", HH_MEMBERS, "members"),
        ("ครัวเรือน", HH_TRAINED, "trained_on"),
        ("ครัวเรือน", HH_BEFORE, "income_before"),
        ("ครัวเรือน", HH_EXPENSE_BEFORE, "expense_before"),
        ("ติดตาม", 0, "citizen_id"),
    ],
)
def test_a_required_value_left_blank_refuses_its_row_on_that_column(con, tmp_path, sheet, column, key):
    """Spec, each sheet's `required` column (blank for zero only where the rule says so)."""
    sheets = village_sheets()
    if sheet == "วิทยากร":  # its households then name no trainer: only the trainer row is at stake
        sheets["วิทยากร"].append(list(sheets["วิทยากร"][1]))
        sheets["วิทยากร"][-1][2] = "วิทยากรเพิ่ม ทดสอบ"
        sheets["วิทยากร"][-1][column] = None
        row = len(sheets["วิทยากร"])
    else:
        sheets[sheet][3][column] = "  "  # spreadsheet row 4: spaces only are blank too
        row = 4
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (sheet, row, key) in _rejected(con)


def test_blank_savings_is_no_savings_not_zero_and_not_a_refusal(con, tmp_path):
    sheets = village_sheets()
    sheets["ติดตาม"][1][5] = None
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert o.rows_rejected == 0
    assert con.execute("SELECT count(*) FROM followup WHERE savings IS NULL").fetchone() == (1,)


def test_every_otop_type_the_spec_lists_loads(con, tmp_path):
    sheets = village_sheets()
    rows = sheets["ติดตาม"][1:]
    for row, kind in zip(rows, OTOP_TYPES):
        row[FU_OTOP] = kind
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert o.rows_rejected == 0
    got = {t for (t,) in con.execute("SELECT DISTINCT otop_type FROM followup").fetchall()}
    assert set(OTOP_TYPES) <= got and len(OTOP_TYPES) == 5


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("อย., มผช.", ["อย.", "มผช."]),
        ("GAP/GMP", ["GAP", "GMP"]),
        ("มอก. , ฮาลาล", ["มอก.", "ฮาลาล"]),
        ("ไม่มี", []),
        ("มผช., มผช.", ["มผช."]),
    ],
)
def test_standards_are_a_list_in_the_order_written(con, tmp_path, typed, stored):
    sheets = village_sheets()
    sheets["ติดตาม"][1][FU_STANDARD] = typed
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert con.execute("SELECT standards FROM followup_row WHERE row_number = 2").fetchone() == (stored,)


def test_a_standard_outside_the_list_refuses_its_row(con, tmp_path):
    sheets = village_sheets()
    sheets["ติดตาม"][4][FU_STANDARD] = "มผช., ISO 9001"
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert _rejected(con) == [("ติดตาม", 5, "standards")]


def test_header_text_with_line_breaks_maps_to_its_column(con, tmp_path):
    sheets = village_sheets()
    header = sheets["ครัวเรือน"][0]
    header[HH_BEFORE], header[HH_EXPENSE_BEFORE] = "รายได้ก่อนฝึก\n(บาท/เดือน)", "รายจ่าย\nก่อนฝึก (บาท/เดือน)"
    header[HH_TRAINED] = "วันที่\nฝึกอบรม"
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (o.rows_loaded, o.rows_rejected) == (45, 0)
    assert con.execute("SELECT min(income_before), max(expense_before) FROM household").fetchone() == (5000, 3000)
    assert con.execute("SELECT DISTINCT trained_on FROM household").fetchall() == [(dt.date(2025, 10, 5),)]


def test_the_reporter_is_free_text_and_sheets_may_name_different_ones(con, tmp_path):
    """ผู้รายงาน is read as free text; unlike the village's identification it need not agree
    between the cover and the block above a table."""
    sheets = village_sheets()
    sheets["ข้อมูลหมู่บ้าน"] = [r if r[0] != "ผู้รายงาน" else ["ผู้รายงาน", "=ผู้ใหญ่บ้าน"] for r in sheets["ข้อมูลหมู่บ้าน"]]
    sheets["วิทยากร"] = [["ผู้รายงาน", "นายอื่น คนหนึ่ง"], []] + sheets["วิทยากร"]
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (o.status, o.village_code, o.rows_loaded) == ("loaded", "54010301", 45)


# ----------------------------------------------------------------------------- contract views

VIEWS = {
    "village": {
        "village_code": "VARCHAR",
        "village_no": "INTEGER",
        "village_name": "VARCHAR",
        "subdistrict_code": "VARCHAR",
        "subdistrict_name": "VARCHAR",
        "district_code": "VARCHAR",
        "district_name": "VARCHAR",
        "province_code": "VARCHAR",
        "province_name": "VARCHAR",
    },
    "trainer": {
        "fiscal_year": "INTEGER",
        "village_code": "VARCHAR",
        "citizen_id": "VARCHAR",
        "full_name": "VARCHAR",
        "role": "VARCHAR",
    },
    "household": {
        "fiscal_year": "INTEGER",
        "village_code": "VARCHAR",
        "citizen_id": "VARCHAR",
        "full_name": "VARCHAR",
        "house_no": "VARCHAR",
        "members": None,
        "trainer_citizen_id": "VARCHAR",
        "occupation": "VARCHAR",
        "occupation_group": "VARCHAR",
        "trained_on": "DATE",
        "income_before": "DECIMAL(12,2)",
        "expense_before": "DECIMAL(12,2)",
        "status": "VARCHAR",
    },
    "followup": {
        "fiscal_year": "INTEGER",
        "village_code": "VARCHAR",
        "citizen_id": "VARCHAR",
        "month": "DATE",
        "practising": "BOOLEAN",
        "income": "DECIMAL(12,2)",
        "expense": "DECIMAL(12,2)",
        "savings": "DECIMAL(12,2)",
        "group_name": "VARCHAR",
        "product": "VARCHAR",
        "otop_type": "VARCHAR",
        "standards": "VARCHAR[]",
        "channels": "VARCHAR[]",
    },
    "source_file": dict.fromkeys(
        "file_id path sha256 village_code fiscal_year report_month status rows_loaded rows_rejected "
        "rows_skipped message ingested_at".split()
    )
    | {"village_code": "VARCHAR", "fiscal_year": "INTEGER", "report_month": "DATE"},
    "rejected_row": dict.fromkeys("file_id sheet row_number column_name value reason".split()),
    "village_month": dict.fromkeys(
        "fiscal_year village_code month households_enrolled households_reported households_practising "
        "practising_rate avg_income avg_income_before income_change_pct".split()
    )
    | {"fiscal_year": "INTEGER", "village_code": "VARCHAR", "month": "DATE", "avg_income": "DECIMAL(12,2)"},
    "validation_issue": dict.fromkeys("run_id check_name severity fiscal_year village_code month detail".split()),
    "village_funnel": dict.fromkeys(
        "fiscal_year month village_code district_code households_reported households_practising practising_rate "
        "province_rate lower95 upper95 lower998 upper998 position".split()
    ),
    "outcome_by_group": dict.fromkeys(
        "fiscal_year month province_code dimension group_value households_reported households_practising "
        "practising_rate rate_lower95 rate_upper95 avg_income avg_income_before income_change_pct".split()
    ),
}


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_contract_views_keep_their_names_and_types(con, view):
    """contract.md: rename or remove nothing listed; codes VARCHAR, money DECIMAL(12,2), the BE
    fiscal_year INTEGER, month the DATE of the month's first day, lists VARCHAR[]."""
    got = {name: kind for name, kind, *_ in con.execute(f"DESCRIBE {view}").fetchall()}
    missing = [c for c in VIEWS[view] if c not in got]
    assert not missing, f"{view} lacks {missing}"
    for column, kind in VIEWS[view].items():
        if kind is not None:
            assert got[column] == kind, (view, column, got[column])


def test_the_village_view_names_every_level_from_the_official_lists(con):
    rows = con.execute(
        "SELECT village_code, village_no, village_name, subdistrict_code, subdistrict_name, district_code, "
        "district_name, province_code, province_name FROM village ORDER BY village_code"
    ).fetchall()
    assert [r[0] for r in rows] == ["54010301", "54010302", "54040201"]
    first = rows[0]
    assert first[1:3] == (1, "บ้านน้ำชำ")
    assert (first[3], first[5], first[7]) == ("540103", "5401", "54")
    assert (first[4], first[6], first[8]) == ("น้ำชำ", "เมืองแพร่", "แพร่")
    assert (rows[2][4], rows[2][6]) == ("น้ำชำ", "สูงเม่น")  # the same subdistrict name, another district
