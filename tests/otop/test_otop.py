"""OTOP shortlist: hand-computed scores and tiers, config-driven, inert export."""

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
    ws = wb[wb.sheetnames[1]]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    cells = [c for row in wb[wb.sheetnames[1]].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert any("cmd|" in c for c in cells)
    assert not any(re.search(r"(?<!\d)\d{13}(?!\d)", c) for c in cells)
