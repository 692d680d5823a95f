"""Great Expectations Data Docs made readable offline, inside the report site.

GX's pages load Bootstrap, jQuery, bootstrap-table and Vega from CDNs; on an office PC
without internet (or from a USB stick) the index stays empty. The validation pages are
rendered server-side, so we drop the remote assets, add one local stylesheet, and write our
own Thai index in place of GX's (whose table is filled in by bootstrap-table).

Data Docs are the technical appendix of the data-quality page (``quality/<province>.html``,
written by the report site): every page carries a Thai bar back to it and to the site's
index, and the stylesheet lays the pages out for a phone (tables scroll in their own box).
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from pipelines.quality import checks

_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.IGNORECASE)
_REMOTE_LINK = re.compile(r"<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*>", re.IGNORECASE)
# GX's logo (fetched from its S3 bucket with the data context id in the query) and CSS backgrounds.
_REMOTE_IMG = re.compile(r"<img\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>", re.IGNORECASE)
_REMOTE_URL = re.compile(r"url\(\s*['\"]?https?://[^)]*\)", re.IGNORECASE)
# Inline scripts drive jQuery/bootstrap-table widgets that are not shipped: dropped, the
# content they would toggle is rendered server-side and stays visible.
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
# GX's fixed footer asks readers to subscribe to its newsletter: nothing for an office, offline.
_FOOTER = re.compile(r"<footer\b[^>]*>.*?</footer>", re.IGNORECASE | re.DOTALL)
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
CSS_NAME = "static/styles/sammachip-docs.css"

CSS = """
html { -webkit-text-size-adjust: 100%; }
body { font-family: "TH Sarabun New", Sarabun, "Noto Sans Thai", Loma, sans-serif; margin: 0; color: #222;
       font-size: 16px; line-height: 1.45; }
body > * { margin-left: 1.5rem; margin-right: 1.5rem; }
a { color: #0b5394; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #f2f4f7; }
pre, code { white-space: pre-wrap; overflow-wrap: anywhere; }
.card { border: 1px solid #ddd; border-radius: 4px; margin: 0 0 1rem; padding: .5rem 1rem; }
.card-header { font-weight: bold; }
.fixed-top, .navbar, nav.navbar, .sticky { position: static !important; }
nav.navbar { height: auto !important; }
.text-danger, .fa-times { color: #b00020; } .text-success, .fa-check-circle { color: #137333; }
.container-fluid, .row, .col-12 { display: block; width: auto; max-width: 100%; }
img { max-width: 200px; }
.sm-fail { color: #b00020; font-weight: bold; } .sm-ok { color: #137333; font-weight: bold; }
/* Font Awesome is not shipped: the two status icons GX uses, as characters. */
.fas.fa-check-circle::before { content: "✔"; } .fas.fa-times::before { content: "✘"; }
.collapse { display: block; }
/* GX's "show all / failed only" filter needs its scripts, which are not shipped. */
.card:has(.btn-group-toggle) { display: none; }
/* Wide tables scroll inside their own box; the page itself never scrolls sideways. */
.table-responsive, .show-scrollbars, .sm-scroll { display: block; max-width: 100%; overflow-x: auto; }
/* The way back to the report site, on every page. */
body > .sm-back { margin: 0 0 1rem; padding: .45rem 1.5rem; background: #1f5fa8; color: #fff;
                  display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; font-size: 1.05rem; }
.sm-back a { color: #fff; font-weight: bold; text-decoration: none; }
.sm-back a:hover { text-decoration: underline; }
.sm-nowrap { white-space: nowrap; }
.sm-code { font-family: monospace; font-size: .85em; color: #555; }
@media (max-width: 700px) {
  body > * { margin-left: .75rem; margin-right: .75rem; }
  body > .sm-back { padding: .45rem .75rem; }
  .container-fluid { padding: 0 !important; }
  [class*="col-"] { padding-left: 0 !important; padding-right: 0 !important; }
  /* Every table its own scroll box: GX nests tables in cells and leaves some unwrapped. */
  table { display: block; max-width: 100%; overflow-x: auto; }
  h1 { font-size: 1.5rem; }
}
@media print {
  body > .sm-back { display: none; }
  table { display: table; }
}
"""


def provinces(con, fiscal_year: int | None = None) -> list[tuple[str, str]]:
    """(code, name) of the provinces whose data-quality pages the docs link back to.

    Validation runs per fiscal year, not per province: the provinces of the register
    (``village`` view) with programme data in the fiscal year, else every one of the register.
    """
    rows = con.execute(
        """
        WITH data AS (
            SELECT village_code FROM household WHERE $fy IS NULL OR fiscal_year = $fy
            UNION SELECT village_code FROM followup WHERE $fy IS NULL OR fiscal_year = $fy
            UNION SELECT village_code FROM trainer WHERE $fy IS NULL OR fiscal_year = $fy
        )
        SELECT province_code, any_value(province_name),
               bool_or(village_code IN (SELECT village_code FROM data)) AS with_data
        FROM village GROUP BY province_code ORDER BY province_code""",
        {"fy": fiscal_year},
    ).fetchall()
    with_data = [(c, n) for c, n, d in rows if d]
    return with_data or [(c, n) for c, n, _ in rows]


def back_bar(up: str, provinces: list[tuple[str, str]]) -> str:
    """The Thai links back to the data-quality page(s) and the site index; ``up`` leads from
    the page to the month's folder (``../`` from data_docs/index.html)."""
    links = [
        f'<a href="{up}quality/{html.escape(code)}.html">← หน้าคุณภาพข้อมูล จังหวัด{html.escape(name or code)}</a>'
        for code, name in provinces
    ]
    links.append(f'<a href="{up}index.html">หน้าหลักของรายงาน</a>')
    return f'<nav class="sm-back" lang="th" aria-label="กลับไปยังรายงาน">{"".join(links)}</nav>'


def make_offline(site: Path, issues: list[dict], title: str, provinces: list[tuple[str, str]] = ()) -> Path:
    """Strip remote assets from every page, add the local stylesheet and the way back to the
    report site, write our index."""
    provinces = list(provinces)
    (site / CSS_NAME).parent.mkdir(parents=True, exist_ok=True)
    (site / CSS_NAME).write_text(CSS, encoding="utf-8")
    pages = []
    for page in site.rglob("*.html"):
        if page == site / "index.html":
            continue
        rel = os.path.relpath(site / CSS_NAME, page.parent)
        text = page.read_text(encoding="utf-8")
        for pattern, repl in (
            (_REMOTE_SCRIPT, ""),
            (_INLINE_SCRIPT, ""),
            (_REMOTE_LINK, ""),
            (_REMOTE_IMG, ""),
            (_REMOTE_URL, "none"),
            (_FOOTER, ""),
        ):
            text = pattern.sub(repl, text)
        text = text.replace("</head>", f'<link rel="stylesheet" href="{rel}"></head>', 1)
        up = "../" * len(page.relative_to(site).parts)  # the page's folder → the month's folder
        bar = back_bar(up, provinces)
        text = _BODY.sub(lambda m, bar=bar: m[0] + bar, text, count=1)
        page.write_text(text, encoding="utf-8")
        pages.append(page.relative_to(site).as_posix())
    index = site / "index.html"
    index.write_text(_index(pages, issues, title, provinces), encoding="utf-8")
    return index


def _index(pages: list[str], issues: list[dict], title: str, provinces: list[tuple[str, str]] = ()) -> str:
    results = sorted(p for p in pages if p.startswith("validations/"))
    suites = sorted(p for p in pages if p.startswith("expectations/"))
    by_check: dict[tuple[str, str], dict] = {}
    for i in issues:
        c = by_check.setdefault((i["check_name"], i["severity"]), {"villages": set(), "items": 0})
        c["items"] += 1
        if i.get("village_code"):
            c["villages"].add(i["village_code"])
    order = {name: n for n, name in enumerate(checks.all_checks())}
    rows = "".join(
        f"<tr><td>{html.escape(checks.describe(c)['name_th'])}<br><span class='sm-code'>{html.escape(c)}</span></td>"
        f"<td class='sm-nowrap {'sm-fail' if s == 'error' else ''}'>{html.escape(checks.SEVERITY_TH.get(s, s))}</td>"
        f"<td>{len(n['villages'])}</td><td>{n['items']}</td></tr>"
        for (c, s), n in sorted(by_check.items(), key=lambda kv: (kv[0][1] != "error", order.get(kv[0][0], 99), kv[0]))
    )
    summary = (
        "<div class='sm-scroll'><table><tr><th>การตรวจ (check)</th><th>ระดับ (severity)</th>"
        f"<th>จำนวนหมู่บ้าน (villages)</th><th>จำนวนรายการ (issues)</th></tr>{rows}</table></div>"
        if rows
        else "<p class='sm-ok'>ผ่านทุกการตรวจ (every check passed)</p>"
    )

    failed_suites: dict[str, int] = {}
    suite_of = checks.suite_checks()
    for c, _ in by_check:
        failed_suites[suite_of.get(c, "")] = failed_suites.get(suite_of.get(c, ""), 0) + 1

    def suite_name(path: str) -> str:
        parts = path.split("/")
        return parts[1] if path.startswith("validations/") and len(parts) > 2 else Path(path).stem

    def links(items: list[str], what: str) -> str:
        out = []
        for p in items:
            s = suite_name(p)
            status = (
                f" <span class='sm-fail'>ไม่ผ่าน {failed_suites[s]} เรื่อง</span>"
                if what == "result" and failed_suites.get(s)
                else (" <span class='sm-ok'>ผ่าน</span>" if what == "result" else "")
            )
            out.append(
                f'<li><a href="{html.escape(p)}">{html.escape(checks.SUITE_TH.get(s, s))}</a>'
                f" <span class='sm-code'>{html.escape(s)}</span>{status}</li>"
            )
        return "<ul>" + "".join(out) + "</ul>"

    quality = " ".join(
        f'<a href="../quality/{html.escape(code)}.html">หน้าคุณภาพข้อมูล จังหวัด{html.escape(name or code)}</a>'
        for code, name in provinces
    )
    return f"""<!DOCTYPE html>
<html lang="th"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="{CSS_NAME}"></head><body>
{back_bar("../", provinces)}
<h1>{html.escape(title)}</h1>
<p>รายละเอียดทางเทคนิคของการตรวจคุณภาพข้อมูลด้วย Great Expectations (Data Docs):
เกณฑ์ของแต่ละการตรวจและค่าที่ไม่ผ่าน สำหรับผู้ดูแลระบบ
สรุปสำหรับผู้บริหารและสิ่งที่หมู่บ้านต้องแก้ไขอยู่ที่{quality or "หน้าคุณภาพข้อมูลของจังหวัด"}</p>
<h2>สรุปสิ่งที่ไม่ผ่าน (failed checks)</h2>{summary}
<h2>ผลการตรวจ (validation results)</h2>{links(results, "result")}
<h2>ชุดการตรวจ (expectation suites)</h2>{links(suites, "suite")}
</body></html>
"""
