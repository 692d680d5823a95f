"""OTOP shortlist: hand-computed scores and tiers, config-driven, inert export; continuity over
the months that exist; one province-wide ranking in the workbook, with village names."""

import datetime as dt
import re

import openpyxl
import pytest
import yaml
from conftest import village_sheets, write_xlsx

from pipelines import ingest, otop

CFG, _ = otop.load_config()


def test_hand_computed_group_score():
    facts = {
        "kind": "group",
        "otop_type": "ผ้าและเครื่องแต่งกาย",
        "standards": ["มผช."],
        "practising_share": 5 / 6,
        "income_change_pct": 10.0,
        "margin": 0.15,
        "saving_share": 0.5,
        "members": 8,
        "channels": ["ตลาดชุมชน", "ออนไลน์"],
        "age_months": 6,
    }
    s = otop.score(facts, CFG)
    # 15 + 20 + 20*5/6 + 10*10/20 + 10*0.15/0.30 + 5*0.5 + 10*8/10 + 5*2/3 + 5*6/6
    expected = 15 + 20 + 20 * 5 / 6 + 5 + 5 + 2.5 + 8 + 5 * 2 / 3 + 5
    assert s.score == pytest.approx(expected, abs=0.02)
    assert s.tier == "ready" and any("มผช." in r for r in s.reasons)
    assert list(s.points) == list(otop.CRITERIA) and len(s.reasons) == len(otop.CRITERIA)  # pages pair them by order


def test_no_standard_is_never_ready_and_says_what_is_missing():
    facts = {
        "kind": "group",
        "otop_type": "อาหาร",
        "standards": ["GAP"],
        "practising_share": 1.0,
        "income_change_pct": 40.0,
        "margin": 0.5,
        "saving_share": 1.0,
        "members": 12,
        "channels": ["ตลาดชุมชน", "ออนไลน์", "ร้านค้า"],
        "age_months": 12,
    }
    s = otop.score(facts, CFG)
    assert s.score == pytest.approx(80.0)
    assert s.tier == "nearly_ready" and any("มาตรฐาน" in m for m in s.missing)


def test_not_yet():
    s = otop.score({"kind": "individual", "members": 1, "practising_share": 0.5}, CFG)
    assert s.tier == "not_yet" and s.score == pytest.approx(20 * 0.5 + 10 * 0.1)


def test_shortlist_from_warehouse_config_change_and_inert_export(con, tmp_path):
    sheets = village_sheets(months=3)
    for r in sheets["ติดตาม"][1:6]:
        r[6] = "=cmd|' /C calc'!A0"  # a hostile group name typed into the sheet
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", sheets)])
    scored = otop.shortlist(con, 2569)
    groups = {s.facts["group_name"]: s for s in scored if s.facts["kind"] == "group"}
    assert set(groups) == {"กลุ่มหม้อห้อม", "=cmd|' /C calc'!A0"}
    g = groups["กลุ่มหม้อห้อม"]
    assert g.facts["members"] == 20 and g.facts["otop_type"] == "ผ้าและเครื่องแต่งกาย"
    assert con.execute("SELECT count(*), max(score) FROM otop_candidate").fetchone() == (len(scored), scored[0].score)

    # Changing the config changes the shortlist, no code change.
    cfg = yaml.safe_load(open(otop.CONFIG_FILE, encoding="utf-8"))
    cfg["tiers"]["ready"]["min_score"] = 101
    alt = tmp_path / "otop.yml"
    alt.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    again = otop.shortlist(con, 2569, config_path=alt)
    assert not any(s.tier == "ready" for s in again)
    assert con.execute("SELECT count(*) FROM otop_candidate WHERE tier = 'ready'").fetchone()[0] == 0

    out = otop.export_xlsx(scored, tmp_path / "shortlist.xlsx", 2569, dt.date(2025, 12, 1))
    wb = openpyxl.load_workbook(out)
    ws = wb["ทั้งจังหวัด"]
    assert ws.freeze_panes == "F2" and ws.auto_filter.ref  # header row, and rank to name stay in view
    cells = [c for name in wb.sheetnames for row in wb[name].iter_rows(values_only=True) for c in row]
    texts = [c for c in cells if isinstance(c, str)]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in texts)
    assert any("cmd|" in c for c in texts)
    assert not any(re.search(r"(?<!\d)\d{13}(?!\d)", c) for c in texts)


# ----------------------------------------------------------------------------- continuity


def _rows_of(sheets, citizen_id):
    return [r for r in sheets["ติดตาม"][1:] if r[0] == citizen_id]


def test_continuity_counts_the_months_that_exist_not_lookback_months(con, tmp_path):
    """Three months of data: "3 of 3", never "6 of 6"; a month not reported is a month without production."""
    sheets = village_sheets(months=3)
    solo = sheets["ครัวเรือน"][1][3]  # household 0 makes the product alone, and skips December
    for r in _rows_of(sheets, solo):
        r[6] = None
    sheets["ติดตาม"].remove(_rows_of(sheets, solo)[-1])
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", sheets)])
    by_kind = {s.facts["kind"]: s for s in otop.shortlist(con, 2569, dt.date(2025, 12, 1))}
    group, alone = by_kind["group"], by_kind["individual"]

    assert "ผลิตต่อเนื่อง 3 จาก 3 เดือน" in group.reasons[2]
    # 17 of 19 members practise each month (every tenth household does not): 17/19 of 20 points
    assert group.facts["practising_share"] == pytest.approx(17 / 19)
    assert group.points["sustained"] == pytest.approx(20 * 17 / 19, abs=0.01)
    assert "ผลิตต่อเนื่อง 2 จาก 3 เดือน" in alone.reasons[2] and "(67%)" in alone.reasons[2]
    assert alone.points["sustained"] == pytest.approx(20 * 2 / 3, abs=0.01)
    assert not any("จาก 6 เดือน" in r for s in (group, alone) for r in s.reasons)
    stored = con.execute("SELECT reasons FROM otop_candidate WHERE kind = 'individual'").fetchone()[0]
    assert "ผลิตต่อเนื่อง 2 จาก 3 เดือน" in stored
    assert (group.facts["months_window"], group.facts["months_practising"], alone.facts["months_practising"]) == (
        3,
        3,
        2,
    )


def test_continuity_window_is_at_most_lookback_months(con, tmp_path):
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", village_sheets(months=3))])
    cfg = yaml.safe_load(open(otop.CONFIG_FILE, encoding="utf-8"))
    cfg["lookback_months"] = 2
    alt = tmp_path / "otop.yml"
    alt.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    (group,) = otop.rank(con, 2569, dt.date(2025, 12, 1), config_path=alt)
    assert "ผลิตต่อเนื่อง 2 จาก 2 เดือน" in group.reasons[2] and group.facts["months_window"] == 2


# ----------------------------------------------------------------------------- one ranking, the workbook


def _village(serial: int, code: str, standard: str, savings=500) -> dict:
    sheets = village_sheets(village_serial=serial, months=3)
    sheets["ข้อมูลหมู่บ้าน"] = [
        r for r in sheets["ข้อมูลหมู่บ้าน"] if r[0] not in {"อำเภอ", "ตำบล", "หมู่ที่", "ชื่อหมู่บ้าน", "รหัสหมู่บ้าน"}
    ] + [["รหัสหมู่บ้าน", code]]  # its cover reports December, the last month followed up
    for r in sheets["ติดตาม"][1:]:
        r[5], r[9] = savings, standard
    return sheets


@pytest.fixture
def two_districts(con, tmp_path):
    """The same group name in two districts: in Mueang Phrae without a product standard (fewer
    points), in Sung Men with one. Mueang Phrae's group is 1st in its district, 2nd in the
    province. Nobody saves."""
    files = [
        write_xlsx(tmp_path / f"{code}.xlsx", _village(serial, code, standard, savings=None))
        for serial, code, standard in ((1, "54010301", "ไม่มี"), (3, "54040201", "มผช."))
    ]
    assert [o.status for o in ingest.ingest(con, files)] == ["loaded", "loaded"]
    scored = otop.shortlist(con, 2569, dt.date(2025, 12, 1))
    return scored, otop.export_xlsx(scored, tmp_path / "otop.xlsx", 2569, dt.date(2025, 12, 1))


def _sheet(wb, name) -> list[dict]:
    rows = list(wb[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_rank_is_province_wide_and_the_same_on_every_sheet(two_districts):
    scored, path = two_districts
    wb = openpyxl.load_workbook(path)
    # Mueang Phrae's only group is 2nd in the province: its district sheet says 2, not 1.
    (district,) = [n for n in wb.sheetnames if "เมืองแพร่" in n]
    assert [r[0] for r in wb[district].iter_rows(min_row=2, values_only=True)] == [2]
    assert [s.rank for s in scored] == list(range(1, len(scored) + 1))
    assert [s.facts["district_code"] for s in scored] == ["5404", "5401"]
    assert wb.sheetnames == ["อ่านก่อน", "ทั้งจังหวัด", "คะแนนและเหตุผลรายเกณฑ์", "อ.เมืองแพร่", "อ.สูงเม่น"]
    rank = otop.RANK_TH
    listed = [(r[rank], r["ชื่อกลุ่ม / ผู้ผลิต"], r["อำเภอ"]) for r in _sheet(wb, "ทั้งจังหวัด")]
    assert listed == [(s.rank, s.facts["group_name"], s.facts["district_name"]) for s in scored]
    # The district sheet keeps the province-wide rank: Mueang Phrae's best is 2nd, not 1st.
    (mueang,) = _sheet(wb, "อ.เมืองแพร่")
    assert mueang[rank] == 2 and mueang["ระดับความพร้อม"] == otop.TIER_TH[scored[1].tier]
    assert [r[rank] for r in _sheet(wb, "คะแนนและเหตุผลรายเกณฑ์")] == [1, 2]
    about = [c for row in wb["อ่านก่อน"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(otop.RANKING_TH in c for c in about)


def test_workbook_has_village_names_ratios_and_no_column_always_zero(two_districts):
    scored, path = two_districts
    wb = openpyxl.load_workbook(path)
    rows = _sheet(wb, "ทั้งจังหวัด")
    where = [(r["หมู่บ้าน"], r["หมู่ที่"], r["รหัสหมู่บ้าน"], r["ตำบล"], r["อำเภอ"]) for r in rows]
    assert where == [("บ้านน้ำชำใต้", 1, "54040201", "น้ำชำ", "สูงเม่น"), ("บ้านน้ำชำ", 1, "54010301", "น้ำชำ", "เมืองแพร่")]

    # Shares and changes are ratios with a percent format, not 90.0 next to a "%".
    ws = wb["ทั้งจังหวัด"]
    head = [c.value for c in ws[1]]
    share = ws.cell(2, head.index("ผลิตต่อเนื่อง (สัดส่วน)") + 1)
    assert share.value == pytest.approx(scored[0].facts["practising_share"]) and share.value <= 1
    assert share.number_format == "0.0%"
    change = ws.cell(2, head.index("รายได้เปลี่ยนจากก่อนฝึก") + 1)
    assert change.value == pytest.approx(scored[0].facts["income_change_pct"] / 100)
    assert 0 < change.value < 1 and change.number_format == "+0.0%;-0.0%;0.0%"
    margin = ws.cell(2, head.index("กำไรต่อรายได้") + 1)
    assert margin.value == pytest.approx(scored[0].facts["margin"]) and margin.number_format == "0.0%"
    assert not any(isinstance(c, str) and c.rstrip().endswith("%") for r in rows for c in r.values())

    # Nobody saves: the savings points are zero for everyone, so no column says so; the rest are there.
    assert all(s.points["savings"] == 0 for s in scored)
    headers = [h for name in wb.sheetnames[1:] for h in next(wb[name].iter_rows(values_only=True))]
    assert not any("เงินออม" in h for h in headers)
    assert "คะแนนมาตรฐานผลิตภัณฑ์ (เต็ม 20)" in head and "เหตุผล: มาตรฐานผลิตภัณฑ์" in headers
    for name in ("ทั้งจังหวัด", "คะแนนและเหตุผลรายเกณฑ์"):  # district sheets keep the province's columns
        for col in wb[name].iter_cols(min_row=1, values_only=True):
            if str(col[0]).startswith("คะแนน"):
                assert any(v for v in col[1:]), (name, col[0])
    reasons = _sheet(wb, "คะแนนและเหตุผลรายเกณฑ์")
    assert reasons[0]["เหตุผล: ผลิตต่อเนื่อง"].startswith("ผลิตต่อเนื่อง 3 จาก 3 เดือน")
    assert reasons[1]["เหตุผล: มาตรฐานผลิตภัณฑ์"].startswith("ยังไม่มีมาตรฐานผลิตภัณฑ์")


def test_rank_numbers_count_within_the_province_and_break_ties_by_key():
    rows = [("54", 80.0, "G:540102:b"), ("55", 90.0, "G:550101:a"), ("54", 80.0, "G:540101:z"), ("54", 91.5, "H:1")]
    assert otop.rank_numbers(rows) == [3, 1, 2, 1]
    assert otop.rank_numbers(reversed(rows)) == [1, 2, 1, 3]  # the same ranks whatever the input order


def test_a_month_without_any_group_or_product_stores_an_empty_shortlist(con, tmp_path):
    sheets = village_sheets(months=2)
    for r in sheets["ติดตาม"][1:]:
        r[6] = r[7] = None  # no group, no product: nobody to put forward
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", sheets)])
    assert otop.shortlist(con, 2569) == []
    assert con.execute("SELECT count(*) FROM otop_run").fetchone()[0] == 1  # the run is recorded
    assert con.execute("SELECT count(*) FROM otop_candidate").fetchone()[0] == 0
