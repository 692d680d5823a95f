"""The OTOP shortlist notebook, run with papermill and exported like the report site (no code).

One small synthetic warehouse (a stored shortlist run, one individual producer, one group whose
name is markup) rendered three ways: from the stored run, scored live under a changed otop.yml,
and on an empty warehouse.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import nbformat
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


def _html(wh: Path, out: Path) -> str:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        kernel_name="python3",
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
        parameters={"warehouse": str(wh), "month": MONTH, "fiscal_year": FY, "province_code": "54"},
    )
    c = Config()
    c.HTMLExporter.template_name = "basic"
    c.TemplateExporter.exclude_input = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = ("remove",)
    body, _ = HTMLExporter(config=c).from_notebook_node(nbformat.read(out, as_version=4))
    return body


def _listed(html: str) -> Counter:
    """(name, tier) of every row of the ranked list."""
    soup = BeautifulSoup(html, "html.parser")
    return Counter(
        (tr.find_all("td")[3].get_text(), tr["class"][0].removeprefix("otop-"))
        for tr in soup.select("tr[class^=otop-]")
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
    generate(tmp / "raw", villages=6, months=4, seed=1, mess=0)
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
    otop.shortlist(con, FY, AS_OF)  # the stored run, with today's otop.yml
    names = dict(con.execute("SELECT citizen_id, full_name FROM household").fetchall())
    stored = Counter(
        (_name(k, g, c, names), t)
        for k, g, c, t in con.execute(
            "SELECT kind, group_name, citizen_id, tier FROM otop_candidate WHERE province_code = '54'"
        ).fetchall()
    )
    run_id = con.execute("SELECT run_id FROM otop_candidate LIMIT 1").fetchone()[0]

    # A changed otop.yml (weights moved, tiers lowered), for a second project root.
    cfg = yaml.safe_load(otop.CONFIG_FILE.read_text(encoding="utf-8"))
    cfg["criteria"]["standard"]["weight"], cfg["criteria"]["sustained"]["weight"] = 27, 13
    cfg["tiers"]["ready"]["min_score"], cfg["tiers"]["nearly_ready"]["min_score"] = 60, 40
    home = tmp / "home"
    home.mkdir()
    (home / "otop.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    shutil.copy(config.CONFIG_FILE, home / "sammachip.yml")
    live = Counter(
        (_name(s.facts["kind"], s.facts["group_name"], s.facts["citizen_id"], names), s.tier)
        for s in otop.rank(con, FY, AS_OF, config_path=home / "otop.yml")
        if s.facts["province_code"] == "54"
    )
    con.close()

    empty = tmp / "empty.duckdb"
    warehouse.connect(empty).close()

    mp = pytest.MonkeyPatch()
    mp.setenv("SAMMACHIP_RENDER", "1")  # as the report site renders: no inline stylesheet
    html = {"stored": _html(wh, tmp / "stored.ipynb")}
    html["empty"] = _html(empty, tmp / "empty.ipynb")
    mp.setenv("SAMMACHIP_HOME", str(home))  # the kernel reads otop.yml from there
    html["live"] = _html(wh, tmp / "live.ipynb")
    mp.undo()
    return {
        "wh": wh,
        "html": html,
        "stored": stored,
        "live": live,
        "run_id": run_id,
        "solo": solo,
        "solo_name": names[solo],
    }


def test_stored_run_listed_as_in_otop_candidate(rendered):
    html, expected = rendered["html"]["stored"], rendered["stored"]
    assert sum(t == "nearly_ready" for _, t in expected.elements()) and sum(
        t == "ready" for _, t in expected.elements()
    )
    assert _listed(html) == expected
    cards = _cards(html)
    for tier, th in otop.TIER_TH.items():
        assert cards[th] == str(sum(n for (_, t), n in expected.items() if t == tier))
    assert rendered["run_id"] in html and "คำนวณคะแนนขณะจัดทำรายงาน" not in html
    assert "มกราคม 2569" in html and "ปีงบประมาณ 2569" in html
    assert html.count('class="plotly-graph-div"') >= 3  # by district, components, OTOP types
    assert "เกือบพร้อม: สิ่งที่ยังขาด" in html and "วิธีคิดคะแนนความพร้อม" in html
    assert "import " not in html and "jp-InputArea" not in html


def test_changed_config_is_scored_live_and_explained_without_writing(rendered):
    html, expected = rendered["html"]["live"], rendered["live"]
    assert _listed(html) == expected != rendered["stored"]
    assert "คำนวณคะแนนขณะจัดทำรายงาน" in html and "เกณฑ์ในไฟล์ otop.yml เปลี่ยนไป" in html
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
