"""The programme quotas (expectations/frames/village_quota.sql with quota.json) and the KPIs of
village_month (warehouse/views/07_village_month.sql), each held by a case that tells the rule
from a near miss: no sage at all, a trainer without households, a withdrawal and its
replacement, reported households fewer than enrolled, a person on two rosters. Every test
here failed with a bug planted by hand in that SQL or JSON (docs/spec-tests.md lists them)."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from conftest import citizen_id, village_sheets, write_xlsx

from pipelines import ingest
from pipelines.quality import validate

A, B = "54010301", "54010302"
QUOTA = ("quota_trainers", "quota_sages", "quota_households", "quota_households_per_trainer")
OCT = dt.date(2025, 10, 1)


def _cover(code: str, fiscal_year: int = 2569, report_month: str = "ตุลาคม 2568") -> list[list]:
    return [["จังหวัด", "แพร่"], ["รหัสหมู่บ้าน", code], ["ปีงบประมาณ", fiscal_year], ["ประจำเดือน", report_month]]


def _village(code: str, serial: int, **kw) -> dict:
    sheets = village_sheets(village_serial=serial, **kw)
    sheets["ข้อมูลหมู่บ้าน"] = _cover(code)
    return sheets


def _load(con, tmp_path, *villages: dict, name: str = "v") -> None:
    ingest.ingest(con, [write_xlsx(tmp_path / f"{name}{i}.xlsx", s) for i, s in enumerate(villages)])


def _quota_issues(con) -> dict[tuple[str, str], tuple[str, str]]:
    """(check, village) → (severity, detail) of the latest run's quota breaches."""
    validate.validate(con, fiscal_year=2569)
    rows = con.execute(
        "SELECT check_name, village_code, severity, detail FROM validation_issue WHERE check_name IN ?", [list(QUOTA)]
    ).fetchall()
    return {(c, v): (s, d) for c, v, s, d in rows}


def _withdraw(sheets: dict, row: int, replacement_id: str, report: bool = True) -> None:
    """The household on spreadsheet row `row` withdraws; a replacement with the same trainer
    takes its place (and reports, when `report`)."""
    hh = sheets["ครัวเรือน"]
    gone = hh[row - 1]
    gone[12] = "ถอนตัว"
    new = list(gone)
    new[2], new[3], new[4], new[12] = "ทดแทน หนึ่ง", replacement_id, "99/9", "ทดแทน"
    hh.append(new)
    followup = sheets["ติดตาม"]
    old = next(r for r in followup[1:] if r[0] == gone[3])
    followup.remove(old)
    if report:
        followup.append([replacement_id] + old[1:])


# ----------------------------------------------------------------------------- quotas


def test_a_village_without_a_sage_is_flagged_and_for_nothing_else(con, tmp_path):
    """Five team trainers, no sage: one error, quota_sages, for that village only.
    Bug killed: quota.json's sage bounds allowing 0 (only "too many sages" was tested)."""
    _load(con, tmp_path, _village(A, 1), _village(B, 2, sages=0))
    assert con.execute("SELECT count(*) FROM trainer WHERE village_code = ? AND role = 'sage'", [B]).fetchone() == (0,)
    issues = _quota_issues(con)
    assert set(issues) == {("quota_sages", B)}
    severity, detail = issues[("quota_sages", B)]
    assert severity == "error" and "ปราชญ์ชุมชน 0 คน" in detail


def test_four_trainers_are_a_trainer_short(con, tmp_path):
    """Four trainers looking after 4 households each (16): trainers ≠ 5 and households ≠ 20,
    nothing else."""
    _load(con, tmp_path, _village(A, 1), _village(B, 2, trainers=4, households=16))
    issues = _quota_issues(con)
    assert set(issues) == {("quota_trainers", B), ("quota_households", B)}
    assert "มีวิทยากร 4 คน" in issues[("quota_trainers", B)][1]


def test_a_trainer_without_households_is_named_with_zero(con, tmp_path):
    """A sixth trainer who looks after nobody: trainers ≠ 5 and a trainer off the 1 : 4 ratio
    with 0 households (the LEFT JOIN keeps them; count of households, not of joined rows)."""
    _load(con, tmp_path, _village(A, 1), _village(B, 2, trainers=6))
    issues = _quota_issues(con)
    assert set(issues) == {("quota_trainers", B), ("quota_households_per_trainer", B)}
    assert "วิทยากร 6 คน" in issues[("quota_trainers", B)][1]
    sixth = citizen_id("354010200005")
    masked = f"{sixth[0]}-{sixth[1:5]}-xxxxx-xx-{sixth[12]}"
    assert issues[("quota_households_per_trainer", B)][1].endswith(f"{masked} ดูแล 0 ครัวเรือน")


def test_a_trainer_with_three_households_is_off_the_ratio(con, tmp_path):
    """19 households: one trainer looks after 3, none after more than 4."""
    short = _village(B, 2)
    del short["ครัวเรือน"][20]  # the 20th household (trainer 4's fourth)
    short["ติดตาม"] = [r for r in short["ติดตาม"] if r[0] != citizen_id("154010201019")]
    _load(con, tmp_path, _village(A, 1), short)
    issues = _quota_issues(con)
    assert set(issues) == {("quota_households", B), ("quota_households_per_trainer", B)}
    assert "19 ครัวเรือน" in issues[("quota_households", B)][1]
    assert issues[("quota_households_per_trainer", B)][1].endswith("ดูแล 3 ครัวเรือน")


def test_a_withdrawal_with_its_replacement_keeps_every_quota(con, tmp_path):
    """The withdrawn household stays in history but counts toward neither the village's 20
    nor its trainer's 4; the replacement counts toward both."""
    b = _village(B, 2)
    _withdraw(b, 5, citizen_id("154010209999"))  # household 3, trainer 0
    _load(con, tmp_path, _village(A, 1), b)
    statuses = dict(
        con.execute("SELECT status, count(*) FROM household WHERE village_code = ? GROUP BY ALL", [B]).fetchall()
    )
    assert statuses == {"active": 19, "withdrawn": 1, "replacement": 1}
    assert _quota_issues(con) == {}


def test_a_withdrawal_without_replacement_is_a_village_and_a_trainer_short(con, tmp_path):
    b = _village(B, 2)
    _withdraw(b, 5, citizen_id("154010209999"))
    b["ครัวเรือน"].pop()  # the replacement never came
    b["ติดตาม"].pop()
    _load(con, tmp_path, _village(A, 1), b)
    issues = _quota_issues(con)
    assert set(issues) == {("quota_households", B), ("quota_households_per_trainer", B)}
    assert issues[("quota_households_per_trainer", B)][1].endswith("ดูแล 3 ครัวเรือน")


def test_completeness_counts_the_enrolled_households_without_the_withdrawn_one(con, tmp_path):
    """20 enrolled (19 + the replacement) and 20 reported: the month is complete."""
    b = _village(B, 2)
    _withdraw(b, 5, citizen_id("154010209999"))
    _load(con, tmp_path, _village(A, 1), b)
    validate.validate(con, fiscal_year=2569, month="2025-10")
    checks = {
        (c, v)
        for c, v in con.execute(
            "SELECT check_name, village_code FROM validation_issue WHERE check_name LIKE 'completeness%'"
        ).fetchall()
    }
    assert checks == set()
    short = _village(B, 2)
    short["ติดตาม"] = short["ติดตาม"][:-1]  # one household not reported
    _load(con, tmp_path, short, name="resent")
    validate.validate(con, fiscal_year=2569, month="2025-10")
    (detail,) = con.execute(
        "SELECT detail FROM validation_issue WHERE check_name = 'completeness_reporting_rate' AND village_code = ?", [B]
    ).fetchone()
    assert "รายงานผลเพียง 19 จาก 20 ครัวเรือน" in detail


@pytest.mark.parametrize("day, late", [(10, None), (11, 1), (13, 3)])
def test_a_month_is_late_from_the_day_after_its_due_date(con, tmp_path, day, late):
    """October is due on 10 November (due_days = 10): a file that lands that day is on time,
    one that lands on the 11th is a day late."""
    a, b = write_xlsx(tmp_path / "a.xlsx", _village(A, 1)), write_xlsx(tmp_path / "b.xlsx", _village(B, 2))
    for path, when in ((a, dt.datetime(2025, 11, 5, 12)), (b, dt.datetime(2025, 11, day, 12))):
        os.utime(path, (when.timestamp(), when.timestamp()))
    ingest.ingest(con, [a, b])
    validate.validate(con, fiscal_year=2569, month="2025-10")
    rows = con.execute(
        "SELECT village_code, month, detail FROM validation_issue WHERE check_name = 'timeliness_late'"
    ).fetchall()
    if late is None:
        assert rows == []
    else:
        assert [(v, m) for v, m, _ in rows] == [(B, OCT)]
        assert f"(10/11/2568) {late} วัน" in rows[0][2]


# ----------------------------------------------------------------------------- village_month


def _vm(con, village: str, month: dt.date = OCT, fiscal_year: int = 2569) -> dict:
    cols = [
        "households_enrolled",
        "households_reported",
        "households_practising",
        "practising_rate",
        "avg_income",
        "avg_income_before",
        "income_change_pct",
    ]
    row = con.execute(
        f"SELECT {', '.join(cols)} FROM village_month WHERE fiscal_year = ? AND village_code = ? AND month = ?",
        [fiscal_year, village, month],
    ).fetchone()
    return dict(zip(cols, row))


def _means(practising: list[int], income, before) -> tuple[Decimal, Decimal, float]:
    inc = sum(income(h) for h in practising) / len(practising)
    bef = sum(before(h) for h in practising) / len(practising)
    return Decimal(f"{inc:.2f}"), Decimal(f"{bef:.2f}"), 100 * (inc - bef) / bef


def test_practising_rate_is_over_the_households_reported_not_enrolled(con, tmp_path):
    """20 enrolled, 15 reported this month, 13 of them practising: 13/15, not 13/20.
    Bug killed: practising_rate divided by households enrolled."""
    sheets = _village(A, 1)
    ids = [citizen_id(f"15401010100{h}") for h in range(5)]
    sheets["ติดตาม"] = [r for r in sheets["ติดตาม"] if r[0] not in ids]  # households 0..4 did not report
    _load(con, tmp_path, sheets)
    vm = _vm(con, A)
    practising = [h for h in range(5, 20) if h % 10 != 9]
    assert (vm["households_enrolled"], vm["households_reported"], vm["households_practising"]) == (20, 15, 13)
    assert vm["practising_rate"] == pytest.approx(13 / 15)
    income, before, change = _means(practising, lambda h: 6000 + 100 * h, lambda h: 5000 + 100 * h)
    assert (vm["avg_income"], vm["avg_income_before"]) == (income, before)
    assert vm["income_change_pct"] == pytest.approx(change)


def test_village_month_takes_each_village_s_own_roster(con, tmp_path):
    """The same citizen ID on the rosters of two villages (a uniqueness breach, still loaded):
    each village's means take its own household row, once."""
    a, b = _village(A, 1), _village(B, 2)
    shared = a["ครัวเรือน"][1][3]
    old = b["ครัวเรือน"][1][3]
    b["ครัวเรือน"][1][3], b["ครัวเรือน"][1][10] = shared, 9000
    for r in b["ติดตาม"][1:]:
        r[0] = shared if r[0] == old else r[0]
    _load(con, tmp_path, a, b)
    practising = [h for h in range(20) if h % 10 != 9]
    for village, before in (
        (A, lambda h: 5000 + 100 * h),
        (B, lambda h: 9000 if h == 0 else 5000 + 100 * h),
    ):
        vm = _vm(con, village)
        assert (vm["households_reported"], vm["households_practising"]) == (20, 18), village
        income, avg_before, change = _means(practising, lambda h: 6000 + 100 * h, before)
        assert (vm["avg_income"], vm["avg_income_before"]) == (income, avg_before), village
        assert vm["income_change_pct"] == pytest.approx(change), village


def test_village_month_takes_the_roster_of_the_same_fiscal_year(con, tmp_path):
    """The same households a year earlier, with other incomes before training: FY 2569's means
    take FY 2569's roster, and each year has its own 20 enrolled."""
    earlier = _village(A, 1)
    earlier["ข้อมูลหมู่บ้าน"] = _cover(A, 2568, "ตุลาคม 2567")
    for r in earlier["ครัวเรือน"][1:]:
        r[9], r[10] = dt.datetime(2024, 10, 5), 2000
    for r in earlier["ติดตาม"][1:]:
        r[1] = "10/2567"
    _load(con, tmp_path, earlier, _village(A, 1))
    practising = [h for h in range(20) if h % 10 != 9]
    now = _vm(con, A)
    assert (now["households_enrolled"], now["households_reported"]) == (20, 20)
    income, before, _ = _means(practising, lambda h: 6000 + 100 * h, lambda h: 5000 + 100 * h)
    assert (now["avg_income"], now["avg_income_before"]) == (income, before)
    then = _vm(con, A, dt.date(2024, 10, 1), 2568)
    assert (then["households_enrolled"], then["avg_income_before"]) == (20, Decimal("2000.00"))
