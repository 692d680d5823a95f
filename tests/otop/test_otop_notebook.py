"""The OTOP shortlist notebook, run with papermill and exported like the report site (no code).

One small synthetic warehouse (a stored shortlist run and its workbook, one individual producer,
one group whose name is markup, nobody saving) rendered three ways: from the stored run, scored
live under a changed otop.yml, and on an empty warehouse.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import nbformat
import openpyxl
import papermill as pm
import pytest
import yaml
from bs4 import BeautifulSoup

from pipelines import config, ingest, otop, warehouse
from pipelines.ingest import register
from pipelines.report import kit as rk
from pipelines.synth import generate

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "otop_shortlist.ipynb"
MONTH, FY = "2026-01", 2569
AS_OF = dt.date(2026, 1, 1)
HOSTILE = '<b>กลุ่ม & "ทดสอบ"</b>'
FULL_ID = re.compile(r"(?<![\d.])\d{13}(?!\d)")
TOP_READY, TOP_NEARLY = 50, 25  # the page lists the first of each tier; the workbook has everyone


def _html(wh: Path, out: Path, output_dir: Path) -> str:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        kernel_name="python3",
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
        parameters={
            "warehouse": str(wh),
            "month": MONTH,
            "fiscal_year": FY,
            "province_code": "54",
            "output_dir": str(output_dir),
        },
    )
    c = Config()
    c.HTMLExporter.template_name = "basic"
    c.TemplateExporter.exclude_input = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = ("remove",)
    body, _ = HTMLExporter(config=c).from_notebook_node(nbformat.read(out, as_version=4))
    return body


def _rows(html: str):
    return BeautifulSoup(html, "html.parser").select("table.otop-list > tbody > tr")


def _listed(html: str) -> Counter:
    """(name, tier) of every row of the candidate lists."""
    return Counter((tr.select_one(".otop-who").get_text(), tr["class"][0].removeprefix("otop-")) for tr in _rows(html))


def _on_page(ranked: list[tuple]) -> Counter:
    """What the page lists of (rank, name, tier) rows: the first ready and nearly ready."""
    ranked = sorted(ranked)
    return Counter(
        (name, tier)
        for want, limit in (("ready", TOP_READY), ("nearly_ready", TOP_NEARLY))
        for _, name, tier in [r for r in ranked if r[2] == want][:limit]
    )


def _cards(html: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {c.select_one(".rk-label").get_text(): c.select_one(".rk-value").get_text() for c in soup.select(".rk-card")}


def _name(kind: str, group_name, citizen_id, names: dict) -> str:
    if kind == "group":
        return group_name
    return f"{names[citizen_id]} ({rk.mask_citizen_id(citizen_id)})"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("otop_nb")
    generate(tmp / "raw", villages=6, months=4, seed=5, mess=0)  # a seed whose groups fall in every tier
    wh = tmp / "w.duckdb"
    con = warehouse.connect(wh)
    register.load_register(con, tmp / "raw" / "register.csv")
    ingest.ingest(con, [tmp / "raw"])
    # One grouped producer works alone from now on; one group's name is markup.
    solo = con.execute(
        "SELECT citizen_id FROM followup WHERE product IS NOT NULL AND group_name IS NOT NULL "
        "ORDER BY citizen_id LIMIT 1"
    ).fetchone()[0]
    con.execute("UPDATE followup_data SET group_name = NULL WHERE citizen_id = ?", [solo])
    victim = con.execute("SELECT min(group_name) FROM followup WHERE group_name IS NOT NULL").fetchone()[0]
    con.execute("UPDATE followup_data SET group_name = ? WHERE group_name = ?", [HOSTILE, victim])
    con.execute("UPDATE followup_data SET savings = NULL")  # nobody saves: a criterion worth 0 for everyone
    warehouse.rebuild_current(con)  # rows changed by hand: the current rows follow
    scored = otop.shortlist(con, FY, AS_OF)  # the stored run, with today's otop.yml, and its workbook
    site = tmp / "site"
    book = otop.export_xlsx(scored, site / f"otop_shortlist_{FY}.xlsx", FY, AS_OF)
    names = dict(con.execute("SELECT citizen_id, full_name FROM household").fetchall())
    rows = con.execute(
        "SELECT kind, group_name, citizen_id, tier, score, candidate_key, province_code, village_code "
        "FROM otop_candidate"
    ).fetchall()
    ranks = otop.rank_numbers((r[6], r[4], r[5]) for r in rows)
    stored = [(n, _name(r[0], r[1], r[2], names), r[3], r[7]) for n, r in zip(ranks, rows) if r[6] == "54"]
    run_id = con.execute("SELECT run_id FROM otop_candidate LIMIT 1").fetchone()[0]

    # A changed otop.yml (weights moved, tiers lowered), for a second project root.
    cfg = yaml.safe_load(otop.CONFIG_FILE.read_text(encoding="utf-8"))
    cfg["criteria"]["standard"]["weight"], cfg["criteria"]["sustained"]["weight"] = 27, 13
    cfg["tiers"]["ready"]["min_score"], cfg["tiers"]["nearly_ready"]["min_score"] = 60, 40
    home = tmp / "home"
    home.mkdir()
    (home / "otop.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    shutil.copy(config.CONFIG_FILE, home / "sammachip.yml")
    live = [
        (s.rank, _name(s.facts["kind"], s.facts["group_name"], s.facts["citizen_id"], names), s.tier)
        for s in otop.rank(con, FY, AS_OF, config_path=home / "otop.yml")
        if s.facts["province_code"] == "54"
    ]
    con.close()

    empty = tmp / "empty.duckdb"
    warehouse.connect(empty).close()

    mp = pytest.MonkeyPatch()
    mp.setenv("SAMMACHIP_RENDER", "1")  # as the report site renders: no inline stylesheet
    html = {"stored": _html(wh, tmp / "stored.ipynb", site / "otop")}
    html["empty"] = _html(empty, tmp / "empty.ipynb", tmp / "empty_site" / "otop")
    mp.setenv("SAMMACHIP_HOME", str(home))  # the kernel reads otop.yml from there
    html["live"] = _html(wh, tmp / "live.ipynb", site / "otop")
    mp.undo()
    return {
        "wh": wh,
        "html": html,
        "stored": stored,
        "live": live,
        "run_id": run_id,
        "book": book,
        "solo": solo,
        "solo_name": names[solo],
    }


def test_stored_run_listed_as_in_otop_candidate(rendered):
    html, stored = rendered["html"]["stored"], rendered["stored"]
    tiers = Counter(t for _, _, t, _ in stored)
    assert tiers["nearly_ready"] and tiers["ready"] and tiers["not_yet"]
    assert _listed(html) == _on_page([r[:3] for r in stored])  # the not-yet-ready are in the workbook only
    cards = _cards(html)
    for tier, th in otop.TIER_TH.items():
        assert cards[th] == str(tiers[tier])
    assert rendered["run_id"] not in html and "คำนวณคะแนนขณะจัดทำรายงาน" not in html
    assert "มกราคม 2569" in html and "ปีงบประมาณ 2569" in html
    assert html.count('class="plotly-graph-div"') >= 3  # by district, points by criterion, OTOP types
    assert "เกือบพร้อม: สิ่งที่ยังขาด" in html and "วิธีคิดคะแนนความพร้อม" in html
    assert "import " not in html and "jp-InputArea" not in html
    assert "word-break: keep-all" in html  # Thai words are not broken mid-word in the lists


def test_page_and_workbook_share_one_province_wide_ranking(rendered):
    html, stored = rendered["html"]["stored"], rendered["stored"]
    assert otop.RANKING_TH in html
    shown = {
        int(tr["id"].removeprefix("g-")): (tr.select_one(".otop-who").get_text(), tr.select_one("td").get_text())
        for tr in _rows(html)
    }
    assert shown and all(name_rank[1] == str(n) for n, name_rank in shown.items())  # row id g-<rank>
    wb = openpyxl.load_workbook(rendered["book"])
    sheet = list(wb["ทั้งจังหวัด"].iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(sheet[0])}
    in_book = {r[col[otop.RANK_TH]]: r[col["ชื่อกลุ่ม / ผู้ผลิต"]] for r in sheet[1:]}
    assert len(in_book) == len(stored)
    for n, (name, _) in shown.items():
        assert in_book[n] == name, n
    # The district sheets carry the same rank, not a rank within the district.
    for name in wb.sheetnames[3:]:
        for r in list(wb[name].iter_rows(values_only=True))[1:]:
            assert in_book[r[col[otop.RANK_TH]]] == r[col["ชื่อกลุ่ม / ผู้ผลิต"]]
    assert 'href="../otop_shortlist_2569.xlsx"' in html  # the whole list, one level up from otop/


def test_each_group_links_to_its_village_and_folds_out_its_points(rendered):
    html, stored = rendered["html"]["stored"], rendered["stored"]
    villages = {n: code for n, _, _, code in stored}
    con = duckdb.connect(str(rendered["wh"]), read_only=True)
    names = dict(con.execute("SELECT village_code, village_name FROM village").fetchall())
    con.close()
    for tr in _rows(html):
        n = int(tr["id"].removeprefix("g-"))
        link = tr.select_one('a[href^="../village/"]')
        assert link["href"] == f"../village/{villages[n]}.html"
        assert link.get_text().startswith(names[villages[n]])
        assert [th.get_text() for th in tr.select("details.otop-why th")] == [
            otop.LABEL_TH[k] for k in otop.CRITERIA if k != "savings"
        ]  # nobody saves: that criterion says nothing, on no row
    lists = BeautifulSoup(html, "html.parser").select("table.otop-list")
    assert len(lists) == 2  # the ready, the nearly ready
    assert [th.get_text() for th in lists[0].select("thead th")] == [
        "อันดับ",
        "ระดับ",
        "คะแนน",
        "กลุ่ม / ผู้ผลิต",
        "หมู่บ้าน",
        "ผลิตภัณฑ์",
        "สิ่งที่ยังขาด",
    ]
    assert "ไม่แสดงในรายชื่อและกราฟ: เงินออม" in html


def test_changed_config_is_scored_live_and_explained_without_writing(rendered):
    html, live = rendered["html"]["live"], rendered["live"]
    assert _listed(html) == _on_page(live) != _on_page([r[:3] for r in rendered["stored"]])
    assert "คำนวณคะแนนขณะจัดทำรายงาน" in html and "เกณฑ์การให้คะแนนเปลี่ยนไป" in html
    assert "otop_shortlist_2569.xlsx" not in html  # the workbook holds the stored run's scores, not these
    soup = BeautifulSoup(html, "html.parser")
    weights = {
        tr.find_all("td")[0].get_text(): tr.find_all("td")[1].get_text()
        for tr in soup.find("th", string="วิธีให้คะแนน").find_parent("table").select("tbody tr")
    }
    assert weights["มาตรฐานผลิตภัณฑ์"] == "27" and weights["ผลิตต่อเนื่อง"] == "13"
    assert "พร้อม: คะแนนตั้งแต่ 60" in html and "ยังไม่พร้อม: คะแนนต่ำกว่า 40" in html
    con = duckdb.connect(str(rendered["wh"]), read_only=True)
    assert con.execute("SELECT count(*) FROM otop_run").fetchone()[0] == 1  # the notebook stored nothing
    con.close()


@pytest.mark.parametrize("case", ["stored", "live"])
def test_ids_masked_and_data_text_escaped(rendered, case):
    html = rendered["html"][case]
    assert not FULL_ID.search(html)
    assert f"{rendered['solo_name']} ({rk.mask_citizen_id(rendered['solo'])})" in html
    assert "&lt;b&gt;กลุ่ม &amp; " in html and "<b>กลุ่ม" not in html  # nbconvert writes &quot; back as "


def test_empty_warehouse_says_so_in_thai(rendered):
    html = rendered["html"]["empty"]
    assert "ยังไม่มีข้อมูลการติดตามผลของปีงบประมาณ 2569" in html
    assert not _listed(html) and "plotly-graph-div" not in html
