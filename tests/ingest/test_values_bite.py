"""Values as they come, held at the warehouse (spec, "Values as they come"): a month typed
with a two-digit BE year, and a negative amount typed in a number cell, whichever of
ingest's two ways of reading a money column (parse.money, or one numpy pass over plain
numbers) reads it. Each test failed with the bug it names planted by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import citizen_id, ingest_one, village_sheets, write_xlsx

from pipelines.ingest import records

OCT, NOV = dt.date(2025, 10, 1), dt.date(2025, 11, 1)


def _months(con) -> list[tuple]:
    return con.execute("SELECT month, count(*) FROM followup GROUP BY month ORDER BY month").fetchall()


# ----------------------------------------------------------------------------- two-digit BE year


def test_a_month_typed_with_a_two_digit_be_year_loads_in_its_month(con, tmp_path):
    """`10/68` is October 2568 (2025), not October of the year 68; Thai digits alike.
    Bug killed: the two-digit year of `M/YY` read as it stands (row refused as outside the year)."""
    sheets = village_sheets(months=2)
    for row in sheets["ติดตาม"][1:]:
        row[1] = {"10/2568": "10/68", "11/2568": "๑๑/๖๘"}[row[1]]
    sheets["ข้อมูลหมู่บ้าน"] = [r if r[0] != "ประจำเดือน" else ["ประจำเดือน", "11/68"] for r in sheets["ข้อมูลหมู่บ้าน"]]
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (o.status, o.report_month, o.rows_rejected) == ("loaded", NOV, 0)
    assert _months(con) == [(OCT, 20), (NOV, 20)]
    assert con.execute("SELECT report_month FROM source_file").fetchone()[0] == NOV


# ----------------------------------------------------------------------------- negative amounts


@pytest.mark.parametrize("negative", [-4500, -4500.0, -0.5])
def test_a_negative_amount_in_a_number_cell_of_a_roster_is_refused(con, tmp_path, negative):
    """The household's income before is a number cell holding a negative amount; every other
    cell of the column is a plain number, so the column goes through the one numpy pass.
    Bug killed: the numpy pass (or parse.money) accepting a negative amount."""
    sheets = village_sheets()
    sheets["ครัวเรือน"][4][10] = negative  # household 3, spreadsheet row 5
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    rejected = con.execute("SELECT sheet, row_number, column_name, value, reason FROM rejected_row").fetchall()
    refused = [r for r in rejected if r[0] == "ครัวเรือน"]
    assert [r[:3] for r in refused] == [("ครัวเรือน", 5, "income_before")]
    assert "ติดลบ" in refused[0][4]
    hh = citizen_id("154010101003")
    assert con.execute("SELECT count(*) FROM household WHERE citizen_id = ?", [hh]).fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM household").fetchone()[0] == 19
    assert con.execute("SELECT min(income_before) FROM household").fetchone()[0] >= 0
    assert o.rows_rejected == 2  # the household, and its follow-up row that names it


@pytest.mark.parametrize("column", [3, 4, 5])  # income, expense, savings
def test_a_negative_amount_in_a_number_cell_of_the_follow_up_is_refused(con, tmp_path, column):
    sheets = village_sheets()
    sheets["ติดตาม"][3][column] = -250.0  # household 2, spreadsheet row 4
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    key = {3: "income", 4: "expense", 5: "savings"}[column]
    assert con.execute("SELECT sheet, row_number, column_name FROM rejected_row").fetchall() == [("ติดตาม", 4, key)]
    assert con.execute("SELECT count(*) FROM followup").fetchone()[0] == 19
    assert con.execute("SELECT count(*) FROM followup WHERE income < 0 OR expense < 0 OR savings < 0").fetchone() == (
        0,
    )


def test_a_negative_amount_typed_as_text_is_refused_too(con, tmp_path):
    sheets = village_sheets()
    sheets["ครัวเรือน"][2][10] = "-1,500 บาท"
    sheets["ครัวเรือน"][3][11] = "−300"  # a minus sign, not a hyphen: not an amount either
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    refused = con.execute(
        "SELECT row_number, column_name FROM rejected_row WHERE sheet = 'ครัวเรือน' ORDER BY row_number"
    ).fetchall()
    assert refused == [(3, "income_before"), (4, "expense_before")]


def test_a_money_column_of_plain_numbers_refuses_exactly_its_negative_cells():
    """records.column over a money column: the one-pass reading and the cell-by-cell one agree."""
    values, faulty = records.column([1500, 1500.5, -1.0, None, 0, -0.01], records.satang, required=False)
    assert faulty
    assert values[0] == 150000 and values[1] == 150050 and values[3] is None and values[4] == 0
    assert all(isinstance(values[i], records.Fault) for i in (2, 5))
    clean, faulty = records.column([1500, 1500.5, None, 0], records.satang, required=False)
    assert clean == [150000, 150050, None, 0] and not faulty


def test_amounts_keep_their_satang(con, tmp_path):
    sheets = village_sheets()
    sheets["ครัวเรือน"][1][10] = 4500.25
    sheets["ติดตาม"][1][3] = 6000.75
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    hh = citizen_id("154010101000")
    assert con.execute("SELECT income_before FROM household WHERE citizen_id = ?", [hh]).fetchone() == (
        Decimal("4500.25"),
    )
    assert con.execute("SELECT income FROM followup WHERE citizen_id = ?", [hh]).fetchone() == (Decimal("6000.75"),)
