"""The report site as a planner uses it, clicked in a real browser (Playwright driving the
system Chromium, no network): index → province → district → village by links on a desktop
and on a phone; the search box finds a village by name; a table sorts; and printed on A4
the pages stay short (province ≤ 12, district ≤ 10, OTOP ≤ 15, village ≤ 6, quality ≤ 6).

The site is a synthetic province of 150 villages with the demo's mess (quota breaches and
bad rows to find); the long lists of its pages are what the A4 limits are about.
"""

from __future__ import annotations

import re

import pytest
from browser import require_chromium

from pipelines import ingest, warehouse
from pipelines.ingest import register
from pipelines.quality import todo, validate
from pipelines.report import render_reports
from pipelines.synth import generate

pytestmark = pytest.mark.browser

MONTH = "2025-12"
A4_LIMITS = {"province": 12, "district": 10, "otop": 15, "village": 6, "quality": 6}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 412, "height": 900}}
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A province of 150 villages, validated, with its to-do lists and shortlist, and the
    reports a planner clicks through: the province, its pages, the biggest district and its
    villages."""
    from pipelines import otop

    tmp = tmp_path_factory.mktemp("nav")
    generate(tmp / "raw", villages=150, months=3, seed=5, mess=2)
    wh = tmp / "w.duckdb"
    con = warehouse.connect(wh)
    register.load_register(con, tmp / "raw" / "register.csv")
    ingest.ingest(con, [tmp / "raw"])
    root = tmp / "reports" / MONTH
    validate.validate(con, month=MONTH, docs_dir=root / "data_docs")
    todo.write_todo(con, root / "todo")
    otop.export_xlsx(
        otop.shortlist(con, 2569, otop.latest_month(con, 2569)),
        root / "otop_shortlist_2569.xlsx",
        2569,
        otop.latest_month(con, 2569),
    )
    (district,) = con.execute(
        "SELECT district_code FROM village v JOIN household h USING (village_code) "
        "GROUP BY ALL ORDER BY count(DISTINCT village_code) DESC, 1 LIMIT 1"
    ).fetchone()
    villages = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT h.village_code FROM household h JOIN village v "
            "USING (village_code) WHERE v.district_code = ? ORDER BY 1",
            [district],
        ).fetchall()
    ]
    con.close()
    summary = render_reports(wh, MONTH, tmp / "reports", villages=villages, districts=[district], province="54")
    assert not summary.failed, summary.failed
    return root, district, villages


@pytest.fixture(scope="module")
def browser():
    chromium = require_chromium()
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=FLAGS)
        yield b
        b.close()


def _open(browser, url, viewport="desktop"):
    page = browser.new_page(viewport=VIEWPORTS[viewport], is_mobile=viewport == "phone", has_touch=viewport == "phone")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, errors


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_index_to_province_to_district_to_village_by_links(site, browser, viewport):
    root, district, villages = site
    page, errors = _open(browser, (root / "index.html").as_uri(), viewport)
    page.get_by_role("link", name="รายงานจังหวัดแพร่").click()
    page.wait_for_url("**/province/54.html")
    assert "จังหวัดแพร่" in page.locator("h1").inner_text()
    menu = page.locator("nav.toc details")
    assert menu.evaluate("d => d.open") == (viewport == "desktop")  # folded on a phone
    if viewport == "phone":  # the menu opens, and takes the reader to a section
        menu.locator("summary").click()
        menu.get_by_role("link", name=re.compile("^อำเภอ")).click()
        assert page.evaluate("location.hash") == "#s3"
    page.locator(f'a[href="../district/{district}.html"]').first.click()
    page.wait_for_url(f"**/district/{district}.html")
    assert "อำเภอ" in page.locator("h1").inner_text()
    link = page.locator('table a[href^="../village/"]').first
    target = link.get_attribute("href").split("/")[-1]
    link.click()
    page.wait_for_url(f"**/village/{target}")
    assert target[:-5] in villages and "รายงานผลโครงการสร้างสัมมาชีพชุมชน" in page.locator("h1").inner_text()
    # The top bar leads to the province's other pages from every page.
    assert page.locator('.site-links a[href="../quality/54.html"]').count() == 1
    assert page.locator('.site-links a[href="../otop/54.html"]').count() == 1
    if viewport == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 412  # nothing wider than the phone
    assert not errors
    page.close()


def test_the_search_box_finds_a_village_by_name_offline(site, browser):
    root, _, villages = site
    page, errors = _open(browser, (root / "index.html").as_uri())
    name = page.evaluate(
        f"JSON.parse(document.getElementById('village-list').textContent).find(v => v.code === '{villages[0]}').name"
    )
    word = name.replace("บ้าน", "").split(" หมู่ที่")[0]
    page.locator("#find").fill(word)
    hits = page.locator("#found a")
    assert hits.count() >= 1
    assert any(a.get_attribute("href") == f"village/{villages[0]}.html" for a in hits.all())
    page.locator(f'#found a[href="village/{villages[0]}.html"]').click()
    page.wait_for_url(f"**/village/{villages[0]}.html")
    page.go_back()
    page.locator("#find").fill(villages[1])  # by its code too
    assert page.locator(f'#found a[href="village/{villages[1]}.html"]').count() == 1
    page.locator("#find").fill("ไม่มีหมู่บ้านนี้แน่นอน")
    assert page.locator("#found a").count() == 0 and page.locator("#found-none").is_visible()
    assert not errors
    page.close()


def test_a_table_sorts_by_value(site, browser):
    root, district, _ = site
    page, errors = _open(browser, (root / "district" / f"{district}.html").as_uri())
    table = page.locator("table.rk-dt.dataTable").filter(has=page.locator("th", has_text="ประกอบอาชีพ")).first
    header = table.locator("thead th", has_text="ประกอบอาชีพ").first
    column = table.locator("thead th").all_inner_texts().index(header.inner_text())

    def values() -> list[float]:
        cells = table.locator(f"tbody tr td:nth-child({column + 1})")
        return [float(c) for c in cells.evaluate_all("cs => cs.map(c => c.dataset.order).filter(v => v !== undefined)")]

    header.click()
    page.wait_for_function("th => th.getAttribute('aria-sort') === 'ascending'", arg=header.element_handle())
    ascending = values()
    assert len(ascending) > 5 and ascending == sorted(ascending)
    page.wait_for_timeout(600)  # two clicks apart, not a double click
    header.click()
    page.wait_for_function("th => th.getAttribute('aria-sort') === 'descending'", arg=header.element_handle())
    assert values() == sorted(ascending, reverse=True)
    assert not errors
    page.close()


def _printed_pages(browser, url) -> int:
    page, errors = _open(browser, url)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    assert not errors, errors
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_printed_on_a4_the_pages_stay_short(site, browser):
    root, district, villages = site
    pages = {
        "province": root / "province" / "54.html",
        "district": root / "district" / f"{district}.html",
        "otop": root / "otop" / "54.html",
        "quality": root / "quality" / "54.html",
        "village": root / "village" / f"{villages[0]}.html",
    }
    counts = {kind: _printed_pages(browser, path.as_uri()) for kind, path in pages.items()}
    assert all(counts[k] <= A4_LIMITS[k] for k in counts), counts
    assert all(n >= 1 for n in counts.values())
