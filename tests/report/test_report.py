"""The report site: notebooks rendered on reused kernels into offline, masked, Thai HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import nbformat
import pytest
from conftest_report import all_ids, household_ids, rendered_site

from pipelines.report import kit as rk
from pipelines.thai import fmt as tf

MONTH = "2025-12"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return rendered_site(tmp_path_factory, MONTH)  # shared with test_report_analyses.py


def _html(root: Path, kind: str, code: str) -> str:
    return (root / kind / f"{code}.html").read_text(encoding="utf-8")


def test_summary_lists_every_report_and_the_unknown_code(site):
    _, root, summary, calls = site
    assert sorted((r.kind, r.code) for r in summary.ok) == [
        ("district", "5401"),
        ("otop", "54"),
        ("province", "54"),
        ("quality", "54"),
        ("village", "54010101"),
        ("village", "54010102"),
        ("village", "54010103"),
    ]
    assert [(r.kind, r.code) for r in summary.failed] == [("village", "54019999")]
    assert "54019999" in str(summary.failed[0]) and summary.failed[0].error
    assert calls[-1] == (7, 7)
    data = json.loads((root / "render_summary.json").read_text(encoding="utf-8"))
    assert data["counts"]["ok"] == 7 and data["counts"]["failed"] == 1 and data["counts"]["otop"] == 1
    assert data["counts"]["quality"] == 1  # the data-quality page goes with its province report


@pytest.mark.parametrize("kind,code", [("village", "54010101"), ("district", "5401"), ("province", "54")])
def test_reports_are_offline_html_with_charts(site, kind, code):
    _, root, _, _ = site
    path = root / kind / f"{code}.html"
    html = path.read_text(encoding="utf-8")
    assert '<html lang="th">' in html and "ธันวาคม 2568" in html
    assert "Plotly.newPlot" in html  # charts survived the export
    srcs = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert srcs == ["../assets/plotly.min.js", "../assets/tables.js"]  # charts, sortable tables: shipped once
    assert all((path.parent / src).resolve().is_file() for src in srcs)
    assert (path.parent / "../assets/report.css").resolve().is_file()
    assert (path.parent / "../assets/tables.css").resolve().is_file()
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)  # no CDN
    assert "jp-InputArea" not in html and "import " not in html  # no code shown


def test_no_full_citizen_id_anywhere(site):
    _, root, _, _ = site
    ids = all_ids()
    for path in root.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not any(i in html for i in ids), path
        assert not re.search(r"(?<![\d.])\d{13}(?!\d)", html), path  # a decimal's tail is no ID
    village = _html(root, "village", "54010101")
    assert rk.mask_citizen_id(household_ids("54010101")[0]) in village  # 1-5401-xxxxx-xx-d
    assert "-xxxxx-xx-" in _html(root, "village", "54010102")  # the validation detail, masked


def test_village_kpis_match_village_month(site):
    wh, root, _, _ = site
    con = duckdb.connect(str(wh), read_only=True)
    rate, avg_income, change = con.execute(
        "SELECT practising_rate, avg_income, income_change_pct FROM village_month "
        "WHERE village_code = '54010101' AND month = DATE '2025-12-01'"
    ).fetchone()
    con.close()
    assert (rate, float(avg_income)) == (0.85, 6100.0)  # 17 of 20; mean of 5300..6900 + 300
    html = _html(root, "village", "54010101")
    assert "85.0%" in html and "6,100.00" in html and tf.signed_percent(change) in html  # +5.2%
    assert "บ้านทดสอบเหนือ" in html and "ตำบลในเวียง" in html
    assert "+6.0%" in html  # household 1: 5,000 → 5,300 baht


def test_area_kpis_sum_counts_not_average_rates(site):
    _, root, _, _ = site
    # (17 + 14) / (20 + 20) = 77.5 %; incomes over all 31 practising households.
    before = (sum(5000 + 100 * h for h in range(17)) + sum(5000 + 100 * h for h in range(14))) / 31
    expected = tf.signed_percent(100 * 300 / before)
    for kind, code in (("district", "5401"), ("province", "54")):
        html = _html(root, kind, code)
        assert "77.5%" in html and expected in html, kind


def test_empty_village_renders_a_thai_message(site):
    _, root, _, _ = site
    html = _html(root, "village", "54010103")
    assert "ยังไม่มีข้อมูลการติดตามผล" in html and "ยังไม่ได้ส่งรายชื่อ" in html


def test_index_links_every_report(site):
    _, root, _, _ = site
    index = (root / "index.html").read_text(encoding="utf-8")
    for href in ("province/54.html", "district/5401.html", "village/54010101.html", "village/54010103.html"):
        assert f'href="{href}"' in index
    assert "ธันวาคม 2568" in index and "54019999" in index  # the failure is shown too
    assert 'href="otop/54.html"' in index


def test_otop_shortlist_page_goes_with_the_province(site):
    _, root, _, _ = site
    html = _html(root, "otop", "54")
    assert '<html lang="th">' in html and "OTOP" in html and "ธันวาคม 2568" in html
    assert 'href="../province/54.html"' in html  # breadcrumb back to the province
    assert "DuckDBPyConnection" not in html and "jp-InputArea" not in html


def test_render_one_records_a_failing_notebook(tmp_path):
    from pipelines.report import render_one

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("raise ValueError(f'boom {x}')"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    res = render_one(path, {"x": 2}, tmp_path / "out" / "bad.html")
    assert not res.ok and res.error == "ValueError: boom 2" and res.attempts == 2
    assert not (tmp_path / "out" / "bad.html").exists()


def test_one_kernel_serves_many_reports_without_leaking_state(tmp_path):
    from pipelines.report import render

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("n = 0", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(
                "import os\nassert 'left_over' not in globals(), 'state leaked'\n"
                "left_over = n\nprint('pid', os.getpid(), 'n', n)"
            ),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "nb.ipynb")
    page = {"title": "t", "crumbs": [], "related": [], "related_title": ""}
    jobs = [
        render.Job("village", str(i), str(tmp_path / "nb.ipynb"), {"n": i}, str(tmp_path / f"{i}.html"), page)
        for i in range(3)
    ]
    results = []
    render.run_parallel(jobs, 1, tmp_path, results.append)
    assert [r.ok for r in results] == [True] * 3 and all(r.attempts == 1 for r in results)
    pids = {re.search(r"pid (\d+) n (\d)", (tmp_path / f"{i}.html").read_text())[1] for i in range(3)}
    assert len(pids) == 1  # the same kernel ran all three


def test_thai_formatting():
    assert tf.month_be("2025-12") == "ธันวาคม 2568"
    assert tf.month_be("2568-10", abbr=True) == "ต.ค. 2568"
    assert tf.date_be(__import__("datetime").date(2025, 10, 15)) == "15 ต.ค. 2568"
    assert tf.fiscal_year("2025-10") == 2569 and tf.fiscal_year("2026-09") == 2569
    assert [m.month for m in tf.fiscal_months("2025-12")] == [10, 11, 12]
    assert tf.baht(12345.5, 2) == "12,345.50 บาท" and tf.percent(0.85, ratio=True) == "85.0%"
    assert tf.number(None) == tf.number(float("nan")) == "–"
    assert rk.mask_citizen_id("3540100123457") == "3-5401-xxxxx-xx-7"
    assert rk.mask_ids("ซ้ำ 3540100123457 และ 1540100000018") == "ซ้ำ 3-5401-xxxxx-xx-7 และ 1-5401-xxxxx-xx-8"
