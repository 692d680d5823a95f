"""The report site in a real browser, offline: charts drawn, Thai shown, Data Docs readable.

A small warehouse (conftest_report) is validated (Data Docs into reports/<month>/data_docs,
where `sammachip validate --month` puts them) and rendered; then headless Chromium opens
the pages from file:// with the network cut off and the tests look at the DOM after the
scripts ran. Needs Chromium (`apt-get install -y chromium fonts-thai-tlwg`): skipped
without it, except in CI (CI=true), where a missing browser fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import IN_CI, THAI, Dom, local_target, open_page, remote_refs, require_chromium, thai_fonts
from conftest_report import build_warehouse

pytestmark = pytest.mark.browser

MONTH = "2025-12"
MONTH_TH = "ธันวาคม 2568"
VILLAGES = {"54010101": "บ้านทดสอบเหนือ", "54010102": "บ้านทดสอบใต้", "54010103": "บ้านยังไม่ส่ง"}
WITH_DATA = ("54010101", "54010102")
AREAS = {("district", "5401"): "เมืองแพร่", ("province", "54"): "แพร่"}
REPORTS = [("village", c) for c in VILLAGES] + list(AREAS)


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium) -> Path:
    """reports/<month>/ with Data Docs and every report of the small warehouse."""
    from pipelines import warehouse
    from pipelines.quality import validate
    from pipelines.report import render_reports

    tmp = tmp_path_factory.mktemp("browser")
    wh = build_warehouse(tmp / "w.duckdb")
    root = tmp / "reports" / MONTH
    con = warehouse.connect(wh)
    try:
        summary = validate.validate(con, month=MONTH, docs_dir=root / "data_docs")  # as cli.run_validate
    finally:
        con.close()
    assert summary.docs_index == root / "data_docs" / "index.html"
    rendered = render_reports(
        wh, MONTH, tmp / "reports", villages=list(VILLAGES), districts=["5401"], province="54", workers=2
    )
    assert not rendered.failed, [str(r) for r in rendered.failed]
    return root


@pytest.fixture(scope="module")
def pages(site, chromium) -> dict[str, object]:
    """Every page of the site opened once (one browser per page), by path relative to the site."""
    wanted = [site / "index.html", site / "data_docs" / "index.html"]
    wanted += [site / kind / f"{code}.html" for kind, code in REPORTS] + [site / "otop" / "54.html"]
    wanted += sorted((site / "data_docs").glob("validations/**/*.html"))
    wanted += sorted((site / "data_docs").glob("expectations/*.html"))
    return {p.relative_to(site).as_posix(): open_page(p, chromium) for p in wanted}


def _plot_ids(html: str) -> list[str]:
    return list(Dom(html).plots)


# ----------------------------------------------------------------------------- the harness itself


def test_the_network_is_cut_off_and_a_cdn_load_is_seen(tmp_path, chromium):
    """The NetLog check is not vacuous: a page that wants a CDN is caught, and gets nothing."""
    page = tmp_path / "cdn.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<script src="https://cdn.plot.ly/plotly-2.35.2.min.js"></script>'
        '<link rel="stylesheet" href="https://example.com/site.css"></head><body>'
        '<img src="http://example.org/logo.png"><p id="p">ยังไม่โหลด</p>'
        '<script>document.getElementById("p").textContent = '
        'typeof Plotly === "undefined" ? "ไม่มี Plotly" : "มี Plotly";</script></body></html>',
        encoding="utf-8",
    )
    got = open_page(page, chromium)
    assert "ไม่มี Plotly" in got.dom.text  # the script ran; the CDN gave nothing
    assert {
        "https://cdn.plot.ly/plotly-2.35.2.min.js",
        "https://example.com/site.css",
        "http://example.org/logo.png",
    } <= set(got.network), got.network
    assert remote_refs(page.read_text(encoding="utf-8"))


def test_report_font_stack_draws_thai_glyphs(site, chromium, tmp_path):
    """The report's font stack reaches a font with Thai glyphs (not boxes of .notdef)."""
    if not thai_fonts():
        msg = "no Thai font installed (apt-get install -y fonts-thai-tlwg): Thai would show as boxes"
        pytest.fail(msg, pytrace=False) if IN_CI else pytest.skip(msg)
    probe = site / "_font_probe.html"
    probe.write_text(
        '<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><link rel="stylesheet" href="assets/report.css">'
        '</head><body><p>สัมมาชีพชุมชน</p><pre id="out"></pre><script>'
        'const c = document.createElement("canvas").getContext("2d");'
        'c.font = "40px " + getComputedStyle(document.body).fontFamily;'
        "const w = s => c.measureText(s).width;"
        'const thai = ["ก", "ม", "า", "ส", "ช", "ุ"].map(w);'
        'document.getElementById("out").textContent = JSON.stringify({thai, notdef: w("\\u0378")});'
        "</script></body></html>",
        encoding="utf-8",
    )
    try:
        got = open_page(probe, chromium)
    finally:
        probe.unlink()
    import json

    m = re.search(r'<pre id="out">(.*?)</pre>', got.html)
    assert m, got.html[-2000:]
    widths = json.loads(m[1])
    thai, notdef = widths["thai"], widths["notdef"]
    # Boxes are all one width, the .notdef's; real Thai letters differ (า is narrow, ุ is a mark).
    assert len(set(thai)) > 2 and not all(abs(x - notdef) < 0.01 for x in thai), widths


# ----------------------------------------------------------------------------- the reports


@pytest.mark.parametrize("kind,code", REPORTS, ids=[f"{k}-{c}" for k, c in REPORTS])
def test_report_draws_every_chart_offline(site, pages, kind, code):
    rel = f"{kind}/{code}.html"
    source = (site / rel).read_text(encoding="utf-8")
    page = pages[rel]
    assert not remote_refs(source), remote_refs(source)
    assert page.network == [], f"{rel} asked the network for {page.network}"
    assert not page.errors, f"{rel}: script errors in the browser: {page.errors}"

    expected = _plot_ids(source)
    assert len(expected) == source.count("Plotly.newPlot("), "a chart div without its script or the reverse"
    if kind != "village" or code in WITH_DATA:
        assert expected, f"{rel} has no chart at all"
    plots = page.dom.plots
    assert sorted(plots) == sorted(expected)
    undrawn = [p for p in plots.values() if not p.drawn]
    assert not undrawn, f"{rel}: {len(undrawn)} of {len(plots)} charts not drawn offline: {undrawn}"
    assert page.html.count('class="main-svg"') >= len(expected)


@pytest.mark.parametrize("kind,code", REPORTS, ids=[f"{k}-{c}" for k, c in REPORTS])
def test_report_shows_its_thai_title_and_data_quality(pages, kind, code):
    dom = pages[f"{kind}/{code}.html"].dom
    name = VILLAGES[code] if kind == "village" else AREAS[(kind, code)]
    assert name in dom.title and MONTH_TH in dom.title, dom.title
    h1 = [t for tag, t in dom.headings if tag == "h1"]
    assert h1 and THAI.search(h1[0]) and name in h1[0], dom.headings
    assert MONTH_TH in dom.text
    # The data-quality section (validation_issue of the latest run) is in the page, drawn as text.
    assert any("คุณภาพข้อมูล" in t for _, t in dom.headings), [t for _, t in dom.headings]


def test_report_links_and_assets_resolve(site, pages):
    for kind, code in REPORTS:
        rel = f"{kind}/{code}.html"
        dom = pages[rel].dom
        assert dom.scripts and dom.stylesheets, rel
        for ref in dom.scripts + dom.stylesheets + dom.images + dom.links:
            target = local_target(site / rel, ref)
            assert target is None or target.is_file(), f"{rel}: {ref} points at nothing"


# ----------------------------------------------------------------------------- the index


def test_index_opens_offline_and_links_every_report_and_the_data_docs(site, pages):
    page = pages["index.html"]
    dom = page.dom
    assert page.network == [] and not page.errors, (page.network, page.errors)
    assert not remote_refs((site / "index.html").read_text(encoding="utf-8"))
    assert THAI.search(dom.title) and MONTH_TH in dom.title
    assert any(tag == "h1" and THAI.search(t) for tag, t in dom.headings)
    for kind, code in REPORTS:
        if kind != "village" or code in WITH_DATA:
            assert f"{kind}/{code}.html" in dom.links, (kind, code, dom.links)
    assert "data_docs/index.html" in dom.links
    for ref in dom.links + dom.stylesheets:
        target = local_target(site / "index.html", ref)
        assert target is None or target.is_file(), f"index.html: {ref} points at nothing"


# ----------------------------------------------------------------------------- Data Docs


def test_data_docs_index_opens_offline(site, pages):
    page = pages["data_docs/index.html"]
    dom = page.dom
    assert page.network == [] and not page.errors, (page.network, page.errors)
    assert THAI.search(dom.title) and "2569" in dom.title
    assert dom.tables >= 1 or "ผ่านทุกการตรวจ" in dom.text  # the failed-checks summary
    results = [h for h in dom.links if h.startswith("validations/")]
    suites = [h for h in dom.links if h.startswith("expectations/")]
    assert len(results) >= 6 and len(suites) >= 6, dom.links
    for ref in dom.links + dom.stylesheets:
        target = local_target(site / "data_docs" / "index.html", ref)
        assert target is None or target.is_file(), f"data_docs/index.html: {ref} points at nothing"


def test_data_docs_pages_show_their_results_offline(site, pages):
    docs = {rel: p for rel, p in pages.items() if rel.startswith("data_docs/") and rel != "data_docs/index.html"}
    assert len(docs) >= 12, sorted(docs)
    for rel, page in docs.items():
        dom = page.dom
        # GX renders these pages server-side: the expectations are tables in the HTML itself.
        assert dom.tables >= 1 and "Expectation" in dom.text, f"{rel} shows no results"
        assert any(s.endswith("sammachip-docs.css") for s in dom.stylesheets), rel
        for ref in dom.stylesheets + dom.scripts:
            target = local_target(site / rel, ref)
            assert target is None or target.is_file(), f"{rel}: {ref} points at nothing"


def test_data_docs_load_nothing_from_the_internet(site, pages):
    """No CDN script or stylesheet, no remote image (GX's logo is a tracking URL): nothing at all."""
    offenders = {}
    for path in sorted((site / "data_docs").rglob("*.html")):
        refs = remote_refs(path.read_text(encoding="utf-8"))
        if refs:
            offenders[path.relative_to(site).as_posix()] = refs
    asked = {rel: p.network for rel, p in pages.items() if rel.startswith("data_docs/") and p.network}

    def urls(found: dict[str, list[str]]) -> list[str]:
        return sorted({u.split("?", 1)[0] for refs in found.values() for u in refs})

    assert not offenders and not asked, (
        f"{len(offenders)} Data Docs pages reference {urls(offenders)}; "
        f"{len(asked)} of the opened pages asked the network for {urls(asked)}"
    )


def test_otop_shortlist_page_opens_offline(site, pages):
    page = pages["otop/54.html"]
    assert page.network == [] and not page.errors, (page.network, page.errors)
    assert "OTOP" in page.dom.title and MONTH_TH in page.dom.text
    undrawn = [p for p in page.dom.plots.values() if not p.drawn]
    assert not undrawn
