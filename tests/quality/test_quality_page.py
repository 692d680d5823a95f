"""The data-quality page (notebooks/quality.ipynb) and the Data Docs around it.

A small province is ingested and validated for real (Data Docs into reports/<month>/data_docs,
as `sammachip validate --month` does): village A is clean, B breaks the trainer quotas
(errors), C reports only part of its households (a warning only), and four villages outside
the register were late (warnings added to the run). The page is rendered where the site puts
it, reports/<month>/quality/54.html, and the tests read its HTML, its spreadsheets and the
Data Docs pages; a headless Chromium (when there is one) lays them out 412 px wide.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from conftest import COVER, REGISTER, village_sheets, write_xlsx

MONTH = "2025-11"
ON_TIME = dt.datetime(2025, 11, 5, 9, 0).timestamp()  # before October's due date (10 Nov)
CLEAN, BREACH, PARTIAL = "54010301", "54010302", "54040201"
UNREGISTERED = [f"5401990{i}" for i in range(1, 5)]  # late, and not in the register
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "quality.ipynb"
FULL_ID = re.compile(r"(?<!\d)\d{13}(?!\d)")


def _sheets(code: str, serial: int, **kw):
    sheets = village_sheets(village_serial=serial, months=2, **kw)
    sheets["ข้อมูลหมู่บ้าน"] = [r for r in COVER if r[0] in ("จังหวัด", "ปีงบประมาณ")] + [["รหัสหมู่บ้าน", code]]
    return sheets


class Links(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(reports/<month>/, the page's HTML, validation_issue rows as dicts)."""
    from pipelines import ingest, warehouse
    from pipelines.ingest import register
    from pipelines.quality import validate
    from pipelines.report import render_one

    tmp = tmp_path_factory.mktemp("quality_page")
    with open(tmp / "register.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["village_code", "village_no", "village_name"])
        w.writerows(REGISTER)
    partial = _sheets(PARTIAL, 3)
    partial["ติดตาม"] = partial["ติดตาม"][:-5]  # November: 15 of 20 households reported
    files = [
        write_xlsx(tmp / "a.xlsx", _sheets(CLEAN, 1)),
        write_xlsx(tmp / "b.xlsx", _sheets(BREACH, 2, trainers=4)),  # 4 trainers, one with 8 households
        write_xlsx(tmp / "c.xlsx", partial),
    ]
    for f in files:
        os.utime(f, (ON_TIME, ON_TIME))
    con = warehouse.connect(tmp / "w.duckdb")
    root = tmp / "reports" / MONTH
    try:
        register.load_register(con, tmp / "register.csv")
        ingest.ingest(con, files)
        validate.validate(con, month=MONTH, docs_dir=root / "data_docs")
        (run_id,) = con.execute("SELECT run_id FROM validation_run ORDER BY started_at DESC LIMIT 1").fetchone()
        for code in UNREGISTERED:
            con.execute(
                "INSERT INTO validation_result VALUES (?, 'timeliness_late', 'warning', 2569, ?, DATE '2025-10-01', ?)",
                [run_id, code, "ข้อมูลเดือน 10/2568 มาถึงช้า ผู้ส่ง 3540100123457"],
            )
        cur = con.execute("SELECT check_name, severity, village_code FROM validation_issue")
        cols = [d[0] for d in cur.description]
        issues = [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()
    res = render_one(
        NOTEBOOK,
        {"warehouse": str(tmp / "w.duckdb"), "month": MONTH, "province_code": "54"},
        root / "quality" / "54.html",
        "คุณภาพข้อมูล",
    )
    assert res.ok, res.error
    return root, (root / "quality" / "54.html").read_text(encoding="utf-8"), issues


def _section(html: str, heading: str) -> str:
    """The HTML from a section's heading to the next section."""
    start = html.index(f">{heading}</h2>")
    nxt = html.find('class="rk-section"', start)
    return html[start : nxt if nxt > 0 else len(html)]


def test_the_fixture_has_errors_warnings_and_a_clean_village(site):
    _, _, issues = site
    assert {i["village_code"] for i in issues if i["severity"] == "error"} == {BREACH}
    assert {i["village_code"] for i in issues if i["severity"] == "warning"} == {PARTIAL, *UNREGISTERED}
    assert {"quota_trainers", "quota_households_per_trainer"} <= {i["check_name"] for i in issues}


def test_the_page_opens_with_a_sentence_to_act_on(site):
    _, html, _ = site
    lead = re.search(r'<p class="rk-lead">(.*?)</p>', html, re.S)[1]
    # 3 villages with data and 4 more with an issue; B must fix, C and the 4 late ones only check.
    assert "จาก 7 หมู่บ้าน" in lead
    assert "มี 1 หมู่บ้านที่ต้องแก้ไขข้อมูล" in lead and "อีก 5 หมู่บ้านมีเพียงรายการที่ควรตรวจสอบ" in lead
    # The check reaching most villages (late, a warning), then the error reaching most.
    assert "มากที่สุดคือ “ส่งข้อมูลล่าช้า” (4 หมู่บ้าน)" in lead
    assert re.search(r"ส่วนเรื่องที่ต้องแก้ไขที่พบมากที่สุดคือ “(จำนวนวิทยากร|วิทยากร 1 คนต่อ 4 ครัวเรือน)” \(1 หมู่บ้าน\)", lead)


def test_every_check_is_listed_in_thai_errors_first(site):
    from pipelines.quality import checks

    _, html, issues = site
    table = _section(html, "เรื่องที่ตรวจและหมู่บ้านที่ไม่ผ่าน")
    names = {c: checks.describe(c)["name_th"] for c in checks.all_checks()}
    assert len(names) == 17
    for check, name in names.items():
        assert name in table, check
        assert checks.describe(check)["action_th"] in table, check
    failing = {i["check_name"] for i in issues}
    assert f"พบปัญหา {len(failing)} จาก 17 เรื่อง" in table
    assert table.count("ผ่านทุกหมู่บ้าน") == 17 - len(failing)
    assert table.count("ต้องแก้ไข</span>") == sum(checks.severity(c) == "error" for c in names)
    # Errors with villages, then errors that passed, then warnings with villages, then the rest.
    pos = {c: table.index(f"<b>{names[c]}</b>") for c in names}
    assert pos["quota_trainers"] < pos["completeness_month_missing"] < pos["timeliness_late"]
    assert pos["timeliness_late"] < pos["completeness_reporting_rate"] < pos["validity_money_range"]


def test_failing_villages_are_named_and_linked_to_their_pages(site):
    _, html, _ = site
    table = _section(html, "เรื่องที่ตรวจและหมู่บ้านที่ไม่ผ่าน")
    hrefs = Links(table).hrefs
    assert f"../village/{BREACH}.html" in hrefs and f"../village/{PARTIAL}.html" in hrefs
    assert f"../village/{CLEAN}.html" not in hrefs  # a clean village is not accused
    assert "บ้านทุ่งกวาว ม.2" in table and "บ้านน้ำชำใต้ ม.1" in table
    # Four late villages: three named (not in the register: no page, no link), then the count.
    assert "<b>4 หมู่บ้าน</b>" in table and "และอีก 1 หมู่บ้าน" in table
    assert "(ไม่อยู่ในทะเบียน)" in table
    assert not any("5401990" in h for h in hrefs)


def test_districts_link_their_page_and_their_todo_workbook(site):
    _, html, _ = site
    part = _section(html, "แยกตามสำนักงานพัฒนาชุมชนอำเภอ")
    hrefs = Links(part).hrefs
    for district in ("5401", "5404"):
        assert f"../district/{district}.html" in hrefs
        assert f"../todo/{district}.xlsx" in hrefs
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", part, re.S)
    cells = {r: [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows}
    mueang = next(c for r, c in cells.items() if "../district/5401.html" in r)
    sung_men = next(c for r, c in cells.items() if "../district/5404.html" in r)
    assert mueang[1:] == ["2", "1", "0"]  # villages with data, with errors, with warnings only
    assert sung_men[1:] == ["1", "0", "1"]


def test_the_technical_appendix_and_the_method_close_the_page(site):
    root, html, _ = site
    hrefs = Links(html).hrefs
    assert "../data_docs/index.html" in hrefs
    assert (root / "quality" / "../data_docs/index.html").resolve().is_file()
    assert "รายละเอียดทางเทคนิค (Great Expectations Data Docs)" in html
    method = _section(html, "วิธีตรวจสอบ")
    assert "ปีงบประมาณ 2569" in method and "ตรวจเมื่อ" in method


def test_no_full_citizen_id_and_every_table_also_as_xlsx(site):
    root, html, _ = site
    assert not FULL_ID.search(html)
    book = root / "quality" / "54" / "54_checks.xlsx"
    assert book.is_file() and (root / "quality" / "54" / "54_districts.xlsx").is_file()
    for href in re.findall(r'href="([^"]+\.xlsx)"', html):
        if not href.startswith("../todo/"):
            assert (root / "quality" / href).is_file(), href
    rows = list(openpyxl.load_workbook(book).active.iter_rows(values_only=True))
    assert rows[0][0] == "เรื่องที่ตรวจ" and len(rows) == 1 + 17
    text = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "quota_trainers" in text and "บ้านทุ่งกวาว ม.2" in text and not FULL_ID.search(text)


# ----------------------------------------------------------------------------- Data Docs


def test_every_data_docs_page_links_back_in_thai(site):
    root, _, _ = site
    docs = root / "data_docs"
    pages = sorted(docs.rglob("*.html"))
    assert len(pages) >= 13
    for page in pages:
        text = page.read_text(encoding="utf-8")
        hrefs = Links(text).hrefs
        back = [h for h in hrefs if h.endswith("quality/54.html")]
        assert back, page
        assert (page.parent / back[0]).resolve() == (root / "quality" / "54.html").resolve(), (page, back[0])
        home = [h for h in hrefs if (page.parent / h).resolve() == (root / "index.html").resolve()]
        assert home, f"{page}: no link to the site index"
        assert "หน้าคุณภาพข้อมูล จังหวัดแพร่" in text and "หน้าหลักของรายงาน" in text
        assert 'name="viewport"' in text
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "จำนวนวิทยากร" in index and "quota_trainers" in index  # Thai name and the check's code


def test_make_offline_links_every_province_at_every_depth(tmp_path):
    from pipelines.quality import datadocs

    site = tmp_path / "2025-12" / "data_docs"
    for rel in ("expectations/quota.html", "validations/quota/__none__/20251201T000000Z/warehouse-quota.html"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text("<!DOCTYPE html><html><head></head><body><table></table></body></html>")
    datadocs.make_offline(site, [], "คุณภาพข้อมูล", [("54", "แพร่"), ("55", "น่าน")])
    for page in site.rglob("*.html"):
        hrefs = Links(page.read_text(encoding="utf-8")).hrefs
        targets = {(page.parent / h).resolve() for h in hrefs}
        for code in ("54", "55"):
            assert (tmp_path / "2025-12" / "quality" / f"{code}.html").resolve() in targets, page
        assert (tmp_path / "2025-12" / "index.html").resolve() in targets, page


def test_provinces_come_from_the_register(con):
    from pipelines.quality import datadocs

    assert datadocs.provinces(con, 2569) == [("54", "แพร่")]  # no data yet: every province of the register


# ----------------------------------------------------------------------------- on a phone


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _phone_widths(page: Path, chromium: str, width: int = 412) -> dict:
    """The page in an iframe ``width`` px wide: its own width and its content's (scrollWidth)."""
    probe = page.parent / f"_phone_probe_{page.name}"
    probe.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="{page.name}" '
        f'style="width:{width}px;height:900px;border:0"></iframe><script>'
        "addEventListener('load', () => { let r; try { const d = document.getElementById('f')"
        ".contentDocument.documentElement; r = {scroll: d.scrollWidth, client: d.clientWidth}; }"
        " catch (e) { r = {error: String(e)}; }"
        " document.body.insertAdjacentHTML('beforeend', '<pre id=\"probe\">' + JSON.stringify(r) + '</pre>'); });"
        "</script></body></html>",
        encoding="utf-8",
    )
    try:
        with tempfile.TemporaryDirectory(prefix="smc-phone-") as profile:
            out = subprocess.run(
                [
                    chromium,
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--hide-scrollbars",  # the page's own width is the iframe's
                    "--allow-file-access-from-files",  # the probe reads its iframe's layout
                    "--host-resolver-rules=MAP * ~NOTFOUND",
                    "--proxy-server=127.0.0.1:9",
                    f"--user-data-dir={profile}",
                    "--window-size=1024,1000",
                    "--virtual-time-budget=8000",
                    "--dump-dom",
                    probe.as_uri(),
                ],
                capture_output=True,
                timeout=90,
                stdin=subprocess.DEVNULL,
            ).stdout.decode("utf-8", "replace")
    finally:
        probe.unlink()
    found = re.findall(r'<pre id="probe">(\{.*?\})</pre>', out)  # not the script's own text
    assert found, f"{page}: the probe did not report ({out[-500:]})"
    return json.loads(found[-1])


@pytest.mark.browser
def test_quality_page_and_data_docs_fit_a_phone(site):
    chromium = _chromium()
    if not chromium:
        msg = "no headless Chromium (apt-get install -y chromium)"
        pytest.fail(msg) if os.environ.get("CI", "").lower() == "true" else pytest.skip(msg)
    root, _, _ = site
    pages = [root / "quality" / "54.html", root / "data_docs" / "index.html"]
    pages += sorted((root / "data_docs").glob("expectations/*.html"))[:2]
    pages += sorted((root / "data_docs").glob("validations/**/*.html"))
    for page in pages:
        w = _phone_widths(page, chromium)
        assert "error" not in w, (page, w)
        assert w["client"] == 412 and w["scroll"] <= w["client"], f"{page.relative_to(root)} overflows a phone: {w}"
