"""Every data-quality check: a breach in village B is caught, clean village A is not accused."""

import datetime as dt
import os

import pytest
from conftest import COVER, citizen_id, village_sheets, write_xlsx

from pipelines import ingest
from pipelines.quality import validate

A, B = "54010301", "54010302"
ON_TIME = dt.datetime(2025, 11, 5, 9, 0).timestamp()  # before October's due date (10 Nov)


def _sheets(code: str, serial: int, **kw):
    sheets = village_sheets(village_serial=serial, months=2, **kw)
    sheets["ข้อมูลหมู่บ้าน"] = [r for r in COVER if r[0] in ("จังหวัด", "ปีงบประมาณ")] + [["รหัสหมู่บ้าน", code]]
    return sheets


def _load(con, tmp_path, b_sheets, name="b.xlsx", b_mtime=ON_TIME):
    a = write_xlsx(tmp_path / "a.xlsx", _sheets(A, 1))
    b = write_xlsx(tmp_path / name, b_sheets)
    os.utime(a, (ON_TIME, ON_TIME))
    os.utime(b, (b_mtime, b_mtime))
    ingest.ingest(con, [a, b])


def _issues(con, check):
    validate.validate(con, month="2025-11")
    return {
        v for (v,) in con.execute("SELECT village_code FROM validation_issue WHERE check_name = ?", [check]).fetchall()
    }


def _followup_rows(sheets, cid):
    return [r for r in sheets["ติดตาม"][1:] if r[0] == cid]


def test_clean_villages_are_not_accused_of_anything(con, tmp_path):
    _load(con, tmp_path, _sheets(B, 2))
    validate.validate(con, month="2025-11")
    assert con.execute("SELECT check_name, village_code, detail FROM validation_issue").fetchall() == []


def _breach(kind):
    """Village B's sheets with one kind of breach; returns (sheets, extra load kwargs)."""
    s = _sheets(B, 2)
    hh = s["ครัวเรือน"]
    first = hh[1][3]
    if kind == "completeness_month_missing":
        s["ติดตาม"] = [s["ติดตาม"][0]] + [r for r in s["ติดตาม"][1:] if r[1] != "11/2568"]
    elif kind == "completeness_reporting_rate":
        s["ติดตาม"] = s["ติดตาม"][:-5]
    elif kind == "completeness_rejected_rows":
        hh[4][10] = "ไม่ทราบ"
    elif kind == "timeliness_late":
        return s, {"b_mtime": dt.datetime(2026, 1, 20).timestamp()}
    elif kind == "validity_money_range":
        _followup_rows(s, first)[0][3] = 500_000
    elif kind == "validity_income_before_range":
        hh[2][10] = 900_000
    elif kind == "validity_income_not_practising":
        row = next(r for r in s["ติดตาม"][1:] if r[2] == "ไม่ใช่")
        row[3] = 3000
    elif kind == "uniqueness_household":
        hh[1][3] = citizen_id("154010101000")  # a household of village A
        for r in s["ติดตาม"][1:]:
            r[0] = hh[1][3] if r[0] == first else r[0]
    elif kind == "uniqueness_trainer_household":
        hh[1][3] = s["วิทยากร"][2][3]  # one of B's own trainers
        for r in s["ติดตาม"][1:]:
            r[0] = hh[1][3] if r[0] == first else r[0]
    elif kind == "outlier_income":
        for r in _followup_rows(s, first):
            r[3] = 95_000
    elif kind == "outlier_income_jump":
        oct_, nov = _followup_rows(s, first)
        nov[3] = oct_[3] * 5
    return s, {}


@pytest.mark.parametrize(
    "check",
    [
        "completeness_month_missing",
        "completeness_reporting_rate",
        "completeness_rejected_rows",
        "timeliness_late",
        "validity_money_range",
        "validity_income_before_range",
        "validity_income_not_practising",
        "uniqueness_household",
        "uniqueness_trainer_household",
        "outlier_income",
        "outlier_income_jump",
    ],
)
def test_breach_caught_clean_village_not_accused(con, tmp_path, check):
    sheets, kw = _breach(check)
    _load(con, tmp_path, sheets, **kw)
    flagged = _issues(con, check)
    assert flagged == {B}


def test_household_trainer_missing_from_a_resent_roster(con, tmp_path):
    _load(con, tmp_path, _sheets(B, 2))
    resend = _sheets(B, 2)
    resend["วิทยากร"][5][3] = citizen_id("354010299999")  # trainer 4 replaced by someone new
    del resend["ครัวเรือน"], resend["ติดตาม"]
    ingest.ingest(con, [write_xlsx(tmp_path / "b2.xlsx", resend)])
    assert _issues(con, "quota_trainer_in_village") == {B}


def test_issue_details_say_what_to_fix(con, tmp_path):
    sheets, _ = _breach("completeness_rejected_rows")
    _load(con, tmp_path, sheets)
    validate.validate(con, month="2025-11")
    (detail,) = con.execute(
        "SELECT detail FROM validation_issue WHERE check_name = 'completeness_rejected_rows'"
    ).fetchone()
    assert "b.xlsx" in detail and "ครัวเรือน" in detail and "แถว 5" in detail and "income_before" in detail
    sev = dict(con.execute("SELECT check_name, severity FROM validation_issue").fetchall())
    assert sev["completeness_rejected_rows"] == "warning"


def test_followup_of_a_household_dropped_from_a_resent_roster(con, tmp_path):
    """A roster re-sent without a household leaves that household's earlier follow-up rows
    current: the check lists them, and village_month's two mean incomes leave them out, so
    income and income before are taken over the same households."""
    sheets = _sheets(B, 2)
    dropped = sheets["ครัวเรือน"][1][3]
    for row in _followup_rows(sheets, dropped):  # practising, at an income far from the others
        row[2:5] = ["ใช่", 60_000, 1_000]
    _load(con, tmp_path, sheets)
    resend = _sheets(B, 2)
    assert resend["ครัวเรือน"].pop(1)[3] == dropped
    del resend["ติดตาม"]
    ingest.ingest(con, [write_xlsx(tmp_path / "b2.xlsx", resend)])
    assert _issues(con, "validity_followup_household_in_roster") == {B}
    (detail,) = con.execute(
        "SELECT detail FROM validation_issue WHERE check_name = 'validity_followup_household_in_roster'"
    ).fetchone()
    assert f"{dropped[0]}-{dropped[1:5]}-xxxxx-xx-{dropped[12]}" in detail and dropped not in detail
    assert "2025-10" in detail and "2025-11" in detail

    assert (
        con.execute("SELECT count(*) FROM followup WHERE village_code = ? AND citizen_id = ?", [B, dropped]).fetchone()[
            0
        ]
        == 2
    )  # still current, still reported
    month = dt.date(2025, 11, 1)
    kept = con.execute(
        """
        SELECT f.income, h.income_before FROM followup f JOIN household h USING (fiscal_year, village_code, citizen_id)
        WHERE f.village_code = ? AND f.month = ? AND f.practising""",
        [B, month],
    ).fetchall()
    assert kept and dropped not in {
        r[0] for r in con.execute("SELECT citizen_id FROM household WHERE village_code = ?", [B]).fetchall()
    }
    avg_income, avg_before, reported = con.execute(
        "SELECT avg_income, avg_income_before, households_reported FROM village_month "
        "WHERE village_code = ? AND month = ?",
        [B, month],
    ).fetchone()
    assert avg_income == round(sum(i for i, _ in kept) / len(kept), 2)
    assert avg_before == round(sum(b for _, b in kept) / len(kept), 2)
    assert reported == 20

    from pipelines.report import kit as rk  # an area's means are over the same households too

    both = con.execute(
        """
        SELECT avg(f.income)::DOUBLE, avg(h.income_before)::DOUBLE
        FROM followup f JOIN household h USING (fiscal_year, village_code, citizen_id)
        WHERE f.village_code IN (?, ?) AND f.month = ? AND f.practising""",
        [A, B, month],
    ).fetchone()
    area = rk.area_kpis(con, 2569, "district", B[:4], until="2025-11").iloc[-1]
    assert area["month"].date() == month
    assert area["avg_income"] == pytest.approx(both[0]) and area["avg_income_before"] == pytest.approx(both[1])
