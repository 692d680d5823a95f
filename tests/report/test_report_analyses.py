"""What the reports add to the means: household distributions, the basic-needs line, the
households to follow up, reporting completeness, quota breaches, the to-do list, and every
table as an .xlsx (masked, never a formula). Expected numbers are worked out here from the
fixture's own rules (conftest_report.py), not by the code under test."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import math
import re
import statistics
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from conftest_report import (
    FORMULA_DETAIL,
    HOSTILE_FILE,
    PRACTISING_IN_DECEMBER,
    all_ids,
    income,
    income_before,
    members,
    rendered_site,
)

from pipelines.report import kit as rk
from pipelines.thai import fmt as tf

MONTH = "2025-12"
DEC = dt.date(2025, 12, 1)
T_30 = 2.042272456301238  # Student's t, 97.5th percentile, 30 degrees of freedom (tables)
LINE = 38000  # sammachip.yml: basic_needs_income_line for 2569


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return rendered_site(tmp_path_factory, MONTH)


def _html(root: Path, kind: str, code: str) -> str:
    return (root / kind / f"{code}.html").read_text(encoding="utf-8")


def _xlsx(root: Path, kind: str, code: str, table: str) -> list[tuple]:
    ws = openpyxl.load_workbook(root / kind / code / f"{code}_{table}.xlsx").active
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _sheet(root: Path, code: str, sheet: str) -> list[tuple] | None:
    """A sheet of a village's workbook (one workbook a village, a sheet a table); None if absent."""
    wb = openpyxl.load_workbook(root / "village" / code / f"{code}.xlsx")
    return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)] if sheet in wb.sheetnames else None


def _households_december() -> list[dict]:
    """Every household practising in December, as the fixture built it."""
    out = []
    for village in PRACTISING_IN_DECEMBER:
        for h in range(20):
            inc = income(village, h, DEC)
            if inc is not None:
                out.append(
                    {
                        "village": village,
                        "change": 100 * (inc - income_before(h)) / income_before(h),
                        "per_person": inc * 12 / members(h),
                    }
                )
    return out


def _valid_citizen_id(d: str) -> bool:
    return (11 - sum(int(d[i]) * (13 - i) for i in range(12)) % 11) % 10 == int(d[12])


# ----------------------------------------------------------------------------- distributions


def test_district_distribution_matches_hand_computed_figures(site):
    _, root, _, _ = site
    hh = _households_december()
    changes = [h["change"] for h in hh]
    assert len(changes) == 31
    mean, sd = statistics.fmean(changes), statistics.stdev(changes)
    half = T_30 * sd / math.sqrt(31)
    median = statistics.median(changes)
    assert median == pytest.approx(100 * 300 / 5700)  # the 16th of 31: household 7 (5,700 → 6,000)
    reaching = sum(c >= 3 for c in changes)
    above = sum(h["per_person"] >= LINE for h in hh)
    assert (reaching, above) == (30, 11)  # household 16 of บ้านทดสอบเหนือ fell; 1- and 2-member homes

    rows = _xlsx(root, "district", "5401", "income_distribution")
    total = next(r for r in rows if r[0] == "รวมอำเภอเมืองแพร่")
    assert total[1:3] == (31, 31)
    # Changes are stored as ratios with a percent format (+5.3 % is 0.053), like every share.
    assert total[3] == pytest.approx(median / 100) and total[4] == pytest.approx(mean / 100)
    assert total[5] == pytest.approx((mean - half) / 100) and total[6] == pytest.approx((mean + half) / 100)
    assert total[7:] == (30, pytest.approx(30 / 31), 31, 11, pytest.approx(11 / 31))
    north = next(r for r in rows if r[0].startswith("บ้านทดสอบเหนือ"))
    north_changes = [h["change"] for h in hh if h["village"] == "54010101"]
    assert north[1] == 17 and north[3] == pytest.approx(statistics.median(north_changes) / 100)
    assert north[7:9] == (16, pytest.approx(16 / 17))

    page = _html(root, "district", "5401")
    assert tf.signed_percent(median) in page  # the median card: +5.3%
    assert tf.percent(30 / 31, ratio=True) in page  # 96.8% reach the target
    assert f"{tf.signed_percent(mean - half)} ถึง {tf.signed_percent(mean + half)}" in page
    assert tf.percent(11 / 31, ratio=True) in page and "38,000 บาท/คน/ปี" in page  # card and xlsx header
    assert "× 12 ÷ จำนวนสมาชิก" in page  # the annual-income assumption, in Thai
    assert "การแจกแจง t" in page


def test_province_distribution_and_its_box_chart(site):
    _, root, _, _ = site
    rows = _xlsx(root, "province", "54", "income_distribution")
    assert [r[0] for r in rows[1:]] == ["อ.เมืองแพร่", "รวมจังหวัดแพร่"]
    assert rows[1][1:] == rows[2][1:]  # one district: the district is the province
    page = _html(root, "province", "54")
    assert "แยกตามอำเภอ" in page and page.count("Plotly.newPlot") >= 5


def test_area_kpis_are_village_month_summed(site):
    """The district's trend is village_month's villages added up (incomes weighted by practising)."""
    wh, root, _, _ = site
    con = duckdb.connect(str(wh), read_only=True)
    vm = con.execute(
        "SELECT month, households_reported, households_practising, avg_income, avg_income_before "
        "FROM village_month WHERE month = DATE '2025-12-01'"
    ).fetchall()
    con.close()
    practising = sum(r[2] for r in vm)
    avg = sum(float(r[3]) * r[2] for r in vm) / practising
    before = sum(float(r[4]) * r[2] for r in vm) / practising
    december = next(r for r in _xlsx(root, "district", "5401", "trend") if r[0] == "ธันวาคม 2568")
    assert december[1:5] == (2, 40, 31, pytest.approx(31 / 40))
    assert december[5] == pytest.approx(before) and december[6] == pytest.approx(avg)
    assert december[7] == pytest.approx((avg - before) / before)  # a ratio, shown as a percent


# ----------------------------------------------------------------------------- follow-up list


def test_households_to_follow_up_with_a_reason_each(site):
    _, root, _, _ = site
    rows = _sheet(root, "54010101", "ครัวเรือนที่ควรติดตาม")
    assert rows[0][-1] == "เหตุที่ควรติดตาม"
    got = {r[1]: (r[5], r[6], r[7], r[8]) for r in rows[1:]}
    assert got == {
        "1/1": (5000, 5500, 5300, "รายได้ลดลงจากเดือนก่อน"),
        "17/1": (6600, 6900, 6500, "รายได้ลดลงจากเดือนก่อน; รายได้ต่ำกว่าก่อนฝึกอาชีพ"),
        "19/1": (6800, None, None, "ไม่ได้ประกอบอาชีพ 2 เดือนติดต่อกัน (พ.ย. 68 และ ธ.ค. 68)"),
        "20/1": (6900, None, None, "ไม่ได้ประกอบอาชีพ 2 เดือนติดต่อกัน (พ.ย. 68 และ ธ.ค. 68)"),
    }
    assert all(re.fullmatch(r"1-5401-xxxxx-xx-\d", r[3]) for r in rows[1:])
    page = _html(root, "village", "54010101")
    assert "ครัวเรือนที่ควรติดตามเป็นพิเศษ" in page and "รายได้ต่ำกว่าก่อนฝึกอาชีพ" in page
    # บ้านทดสอบใต้: incomes steady, and its idle households have no November row: nobody to follow up.
    south = _html(root, "village", "54010102")
    assert "ไม่มีครัวเรือนที่ต้องติดตามเป็นพิเศษ" in south
    assert _sheet(root, "54010102", "ครัวเรือนที่ควรติดตาม") is None


@pytest.mark.parametrize(
    "rec,reasons",
    [
        ({"practising": False, "prev_practising": False}, ["ไม่ได้ประกอบอาชีพ 2 เดือนติดต่อกัน (พ.ย. 68 และ ธ.ค. 68)"]),
        ({"practising": False, "prev_practising": None}, []),  # November unknown: no claim
        ({"practising": True, "prev_practising": False, "income": 900, "income_before": 1000}, ["รายได้ต่ำกว่าก่อนฝึกอาชีพ"]),
        ({"practising": True, "income": 1200, "prev_income": 1300, "income_before": 1000}, ["รายได้ลดลงจากเดือนก่อน"]),
        ({"practising": True, "income": 1300, "prev_income": 1300, "income_before": 1300}, []),
    ],
)
def test_follow_up_reasons(rec, reasons):
    assert rk.follow_up_reasons(rec, DEC, dt.date(2025, 11, 1)) == reasons


# ----------------------------------------------------------------------------- data quality


def test_completeness_heatmap(site):
    _, root, _, _ = site
    rows = _xlsx(root, "district", "5401", "completeness")
    assert rows == [  # the villages that missed a month or a household, then the district
        ("หมู่บ้าน", "ต.ค. 68", "พ.ย. 68", "ธ.ค. 68"),
        ("บ้านทดสอบใต้ ม.2 ต.ในเวียง", "ไม่ส่ง", 0.9, 1),  # nothing sent in October; 18 of 20 in November
        ("รวมอำเภอเมืองแพร่", 0.5, 0.95, 1),  # 20/40, 38/40, 40/40
    ]
    page = _html(root, "district", "5401")
    assert '<span class="rk-heat h-none" title="รายงาน 0 จาก 20 ครัวเรือน">ไม่ส่ง</span>' in page
    assert '<span class="rk-heat h-high" title="รายงาน 18 จาก 20 ครัวเรือน">90%</span>' in page
    assert "ไม่ส่ง 1 หมู่บ้าน" in page  # the district's October
    heat = page.split("การส่งข้อมูลติดตามผลรายเดือน")[1].split("</table>")[0]
    assert "บ้านยังไม่ส่ง" not in heat and "บ้านทดสอบเหนือ" not in heat  # no roster; nothing missing
    assert 'href="../village/54010102.html"' in heat  # each village links to its page
    province = _xlsx(root, "province", "54", "completeness_villages")
    assert [r[1] for r in province[1:]] == ["บ้านทดสอบใต้ ม.2 ต.ในเวียง"]  # only the village with a gap


def test_the_district_todo_list_is_one_list_on_the_page_and_in_the_workbook(site):
    """One list per district office: village, file, sheet, row, column, value, what to do and
    the month; errors first; trainers named with a masked ID; the same rows on the page."""
    _, root, _, _ = site
    todo = _xlsx(root, "district", "5401", "todo")
    assert todo[0] == (
        "ลำดับ",
        "ระดับ",
        "หมู่บ้าน",
        "รหัสหมู่บ้าน",
        "เรื่อง",
        "เดือน",
        "ไฟล์",
        "ชีต",
        "แถว",
        "คอลัมน์",
        "ค่าที่กรอก",
        "สิ่งที่ต้องทำ",
    )
    rows = todo[1:]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    severities = [r[1] for r in rows]
    assert severities == sorted(severities, key=lambda v: v != "ต้องแก้ไข") and "ควรตรวจสอบ" in severities
    by_check = {r[4]: r for r in rows}
    # The fixture's validation result names a trainer the data no longer shows off the ratio: the
    # list then carries the check's own words (masked), in the roster's file and sheet.
    trainer = by_check["วิทยากร 1 คนต่อ 4 ครัวเรือน"]
    assert trainer[2:4] == ("บ้านทดสอบเหนือ ม.1 ต.ในเวียง", "54010101") and trainer[6:8] == ("54010101.xlsx", "วิทยากร")
    assert re.search(r"3-5401-xxxxx-xx-\d ดูแล 5 ครัวเรือน", trainer[11])
    outlier = by_check["รายได้ผิดปกติเทียบอาชีพเดียวกัน"]
    assert outlier[5] == "ธ.ค. 2568" and outlier[6] == "'" + HOSTILE_FILE  # a name like a formula stays text
    assert outlier[8] == 7 and outlier[11] == "'" + FORMULA_DETAIL
    assert (root / "district" / "5401" / "5401_todo.xlsx").is_file()

    page = _html(root, "district", "5401")
    assert "<img src=x" not in page and htmllib.escape(HOSTILE_FILE, quote=False) in page
    listed = page.split('id="todo"')[1]
    assert listed.count('<tr class="bad">') == severities.count("ต้องแก้ไข")  # the same rows, errors marked
    assert 'href="../village/54010101.html"' in listed
    province = _xlsx(root, "province", "54", "todo_offices")
    assert province[1][:4] == ("อ.เมืองแพร่", 2, severities.count("ต้องแก้ไข"), severities.count("ควรตรวจสอบ"))


# ----------------------------------------------------------------------------- every table as .xlsx


@pytest.mark.parametrize(
    "kind,code", [("village", "54010101"), ("village", "54010102"), ("district", "5401"), ("province", "54")]
)
def test_every_table_has_its_xlsx(site, kind, code):
    _, root, _, _ = site
    page = _html(root, kind, code)
    links = re.findall(r'<p class="rk-download"><a [^>]*href="([^"]+)"', page)
    assert len(links) >= page.count('<table class="rk-table') > 3  # every table, and whole lists shown in part
    for href in links:
        assert href.startswith(f"{code}/{code}") and (root / kind / href).is_file()
    on_disk = {p.name for p in (root / kind / code).glob("*.xlsx")}
    assert on_disk == {Path(h).name for h in links}  # nothing left from another run
    if kind == "village":  # one workbook a village, a sheet for each of its tables (the to-do list apart)
        sheets = openpyxl.load_workbook(root / kind / code / f"{code}.xlsx").sheetnames
        named = re.findall(r"Excel \.xlsx แผ่นงาน ([^)]+)\)", page)
        assert sheets == named and len(sheets) >= 4


def test_xlsx_hold_masked_ids_and_no_formula(site):
    _, root, _, _ = site
    ids = set(all_ids())
    files = sorted(root.rglob("*.xlsx"))
    assert len(files) > 25
    masked = 0
    for path in files:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path, cell.coordinate)
                    if isinstance(cell.value, str):
                        assert cell.value[:1] not in ("=", "+", "-", "@"), (path, cell.coordinate, cell.value)
                        for d in re.findall(r"(?<!\d)\d{13}(?!\d)", cell.value):
                            assert d not in ids and not _valid_citizen_id(d), (path, cell.value)
                        masked += bool(re.search(r"\d-\d{4}-xxxxx-xx-\d", cell.value))
                    elif isinstance(cell.value, (int, float)):
                        assert not (len(str(int(cell.value))) == 13 and _valid_citizen_id(str(int(cell.value))))
    assert masked > 40  # trainers, households, details


def test_a_rerun_removes_tables_no_longer_shown(tmp_path):
    dl = rk.Downloads(tmp_path, "village", "54010101", MONTH)
    dl.link("old_table", pd.DataFrame({"a": [1]}), {"a": "ก"})
    assert (tmp_path / "54010101" / "54010101_old_table.xlsx").is_file()
    rk.Downloads(tmp_path, "village", "54010101", MONTH)
    assert not list((tmp_path / "54010101").glob("*.xlsx"))
    with pytest.raises(ValueError):
        dl.path("../escape")


def test_tables_sort_by_value_and_keep_their_total_at_the_foot():
    df = pd.DataFrame(
        {
            "name": [f"ก{i}" for i in range(6)] + ["รวม"],
            "change": [1.5, -2.0, None, 3.0, 0.0, 9.0, 2.0],
            "total": [False] * 6 + [True],
        }
    )
    html = rk.table(
        df,
        {"name": "หมู่บ้าน", "change": "เปลี่ยนแปลง"},
        formats={"change": rk.CHANGE},
        numeric=["change"],
        row_class=lambda r: "total" if r["total"] else "",
    )
    assert 'class="rk-table rk-dt"' in html  # six rows: sortable on the page
    assert f'data-order="-0.02">{tf.signed_percent(-2.0)}<' in html  # sorts by value, shows the page's text
    assert html.index("<tfoot>") < html.index(">รวม<")  # the total row is not sorted with the rest
    assert "rk-dt" not in rk.table(df.head(3), {"name": "หมู่บ้าน"})  # a short table stays as it is


def test_spreadsheet_cells():
    assert rk.excel_value(0.85, rk.RATE) == (0.85, "0.0%")
    assert rk.excel_value(None, rk.RATE) == (None, None)
    # A change in % is stored as a ratio with a percent format, like a share (not 9.33 with a literal "%").
    assert rk.excel_value(9.33, rk.CHANGE) == (pytest.approx(0.0933), "+0.0%;-0.0%;0.0%")
    assert rk.excel_value(None, rk.CHANGE) == (None, None)
    assert rk.excel_value("=cmd|' /C calc'!A0") == ("'=cmd|' /C calc'!A0", None)
    assert rk.excel_value("@SUM(A1)") == ("'@SUM(A1)", None)
    assert rk.excel_value("เลข 3540100123457 ซ้ำ") == ("เลข 3-5401-xxxxx-xx-7 ซ้ำ", None)
    assert rk.excel_value(3540100123457) == ("3-5401-xxxxx-xx-7", None)
    assert rk.excel_value(4, rk.Fmt(lambda n: rk.Raw(f"{n} {rk.badge(True)}"))) == ("4 ครบ", None)
    assert rk.excel_value(dt.date(2025, 10, 15)) == ("15 ต.ค. 2568", None)


# ----------------------------------------------------------------------------- the statistics


def test_mean_ci_t_and_normal(monkeypatch):
    ci = rk.mean_ci([1, 2, 3, 4, 5])
    half = 2.7764451051977987 * statistics.stdev([1, 2, 3, 4, 5]) / math.sqrt(5)  # t(0.975, 4)
    assert (ci.n, ci.mean, ci.method) == (5, 3, "t")
    assert (ci.low, ci.high) == (pytest.approx(3 - half), pytest.approx(3 + half))
    monkeypatch.setitem(__import__("sys").modules, "scipy.special", None)  # scipy absent
    ci = rk.mean_ci([1, 2, 3, 4, 5])
    assert ci.method == "normal" and ci.high == pytest.approx(
        3 + 1.959964 * statistics.stdev([1, 2, 3, 4, 5]) / math.sqrt(5)
    )
    assert rk.mean_ci([7]).low is None and rk.mean_ci([]).mean is None


def test_basic_needs_line_comes_from_the_settings():
    assert rk.basic_needs_line(2569) == LINE
    assert rk.basic_needs_line(2400) is None
    s = rk.income_summary(
        pd.DataFrame({"change_pct": [5.0, None], "income_per_person_year": [40000.0, 10000.0]}), 3.0, None
    )
    assert s.share_above is None and s.share_reaching == 1.0 and s.households == 2
