"""Village reports in batches: one run of notebooks/village.ipynb renders many villages, and each
page is the page that village would get alone; a page that fails, fails alone."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest_report import rendered_site

from pipelines.report import render, render_reports
from pipelines.report.site import _village_batches

MONTH = "2025-12"
PAGE = {"title": "t", "crumbs": [], "related": [], "related_title": ""}


def _comparable(html: str) -> str:
    """A page's content without what differs between two renders of the same data: the time it
    was made and the random ids Plotly gives each chart (the breadcrumbs link only the pages
    that were rendered, so they are left out)."""
    html = html[html.index('<main class="page">') : html.index("</main>")]
    html = re.sub(r'<footer class="site-footer">.*?</footer>', "", html, flags=re.S)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", html)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return rendered_site(tmp_path_factory, MONTH)


def test_a_village_page_from_a_batch_is_the_page_it_gets_alone(site, tmp_path):
    wh, alone_root, _, _ = site  # there, each village had a run of its own (3 villages, 2 workers)
    codes = ["54010101", "54010102", "54010103"]
    summary = render_reports(wh, MONTH, tmp_path / "reports", villages=codes, workers=1)
    assert sorted(r.code for r in summary.ok) == codes and not summary.failed
    for code in codes:
        together = (summary.root / "village" / f"{code}.html").read_text(encoding="utf-8")
        alone = (alone_root / "village" / f"{code}.html").read_text(encoding="utf-8")
        assert _comparable(together) == _comparable(alone), code
    # and each page holds its own village only
    assert "บ้านทดสอบเหนือ" in (summary.root / "village" / "54010101.html").read_text(encoding="utf-8")
    assert "บ้านทดสอบเหนือ" not in (summary.root / "village" / "54010102.html").read_text(encoding="utf-8")
    # the tables: one workbook per village, none shared
    assert sorted(p.name for p in (summary.root / "village" / "54010101").glob("*.xlsx"))[0] == "54010101.xlsx"


def test_batches_keep_a_district_together_and_share_the_work():
    by_village = {f"{d}{i:04d}": (None, None, None, None, d) for d in ("5401", "5402") for i in range(10)}
    codes = sorted(by_village, reverse=True)
    jobs = _village_batches(codes, Path("/r"), MONTH, "/w.duckdb", by_village, 2, lambda c: PAGE)
    batches = [j.params["village_codes"] for j in jobs]
    assert len(batches) == 4  # two a worker: they finish together
    assert [c for b in batches for c in b] == sorted(codes)  # each village once, a district's in a row
    assert all(j.params["village_code"] == j.params["village_codes"][0] for j in jobs)
    assert [r["code"] for j in jobs for r in j.batch] == sorted(codes)


def test_a_page_that_fails_in_a_batch_fails_alone(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("village_codes = []", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(
                "from IPython.display import HTML, display\n"
                "from pipelines.report import kit as rk\n"
                "for code in village_codes:\n"
                "    with rk.page(code):\n"
                "        display(HTML(f'<p>start {code}</p>'))\n"
                "        if code == 'b':\n"
                "            raise KeyError('no village b')\n"
                "        display(HTML(f'<p>end {code}</p>'))\n"
            ),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "nb.ipynb")
    batch = [{"code": c, "out_html": str(tmp_path / f"{c}.html"), "page": PAGE} for c in "abc"]
    job = render.Job(
        "village", "a..c", str(tmp_path / "nb.ipynb"), {"village_codes": list("abc")}, batch[0]["out_html"], PAGE, batch
    )
    results = []
    render.run_parallel([job], 1, tmp_path, results.append)
    by_code = {r.code: r for r in results}
    assert sorted(by_code) == ["a", "b", "c"]
    assert by_code["a"].ok and by_code["c"].ok and not by_code["b"].ok
    assert by_code["b"].error == "KeyError: 'no village b'" and by_code["b"].attempts == 1
    assert not (tmp_path / "b.html").exists()
    a, c = ((tmp_path / f"{x}.html").read_text(encoding="utf-8") for x in "ac")
    assert "start a" in a and "end a" in a and "start b" not in a and "c</p>" not in a
    assert "start c" in c and "end c" in c and "b</p>" not in c
