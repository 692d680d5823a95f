"""Great Expectations Data Docs made readable offline, inside the report site.

GX's pages load Bootstrap, jQuery, bootstrap-table and Vega from CDNs; on an office PC
without internet (or from a USB stick) the index stays empty. The validation pages are
rendered server-side, so we drop the remote assets, add one local stylesheet, and write our
own Thai index in place of GX's (whose table is filled in by bootstrap-table).
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.IGNORECASE)
_REMOTE_LINK = re.compile(r"<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*>", re.IGNORECASE)
# GX's logo (fetched from its S3 bucket with the data context id in the query) and CSS backgrounds.
_REMOTE_IMG = re.compile(r"<img\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>", re.IGNORECASE)
_REMOTE_URL = re.compile(r"url\(\s*['\"]?https?://[^)]*\)", re.IGNORECASE)
# Inline scripts drive jQuery/bootstrap-table widgets that are not shipped: dropped, the
# content they would toggle is rendered server-side and stays visible.
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
CSS_NAME = "static/styles/sammachip-docs.css"

CSS = """
body { font-family: "TH Sarabun New", Sarabun, "Noto Sans Thai", Loma, sans-serif; margin: 1.5rem; color: #222;
       font-size: 16px; line-height: 1.45; }
a { color: #0b5394; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #f2f4f7; }
.card { border: 1px solid #ddd; border-radius: 4px; margin: 0 0 1rem; padding: .5rem 1rem; }
.card-header { font-weight: bold; }
.fixed-top, .navbar, nav.navbar { position: static !important; }
.text-danger, .fa-times { color: #b00020; } .text-success, .fa-check-circle { color: #137333; }
.container-fluid, .row, .col-12 { display: block; width: auto; }
img { max-width: 200px; }
.sm-fail { color: #b00020; font-weight: bold; } .sm-ok { color: #137333; font-weight: bold; }
/* Font Awesome is not shipped: the two status icons GX uses, as characters. */
.fas.fa-check-circle::before { content: "✔"; } .fas.fa-times::before { content: "✘"; }
.collapse { display: block; }
"""


def make_offline(site: Path, issues: list[dict], title: str) -> Path:
    """Strip remote assets from every page, add the local stylesheet, write our index."""
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
        ):
            text = pattern.sub(repl, text)
        text = text.replace("</head>", f'<link rel="stylesheet" href="{rel}"></head>', 1)
        page.write_text(text, encoding="utf-8")
        pages.append(page.relative_to(site).as_posix())
    index = site / "index.html"
    index.write_text(_index(pages, issues, title), encoding="utf-8")
    return index


def _index(pages: list[str], issues: list[dict], title: str) -> str:
    results = sorted(p for p in pages if p.startswith("validations/"))
    suites = sorted(p for p in pages if p.startswith("expectations/"))
    counts: dict[tuple[str, str], int] = {}
    for i in issues:
        counts[(i["check_name"], i["severity"])] = counts.get((i["check_name"], i["severity"]), 0) + 1
    rows = "".join(
        f"<tr><td>{html.escape(c)}</td><td class='{'sm-fail' if s == 'error' else ''}'>{html.escape(s)}</td>"
        f"<td>{n}</td></tr>"
        for (c, s), n in sorted(counts.items())
    )
    summary = (
        f"<table><tr><th>การตรวจ (check)</th><th>ระดับ (severity)</th><th>จำนวนหมู่บ้าน (villages)</th></tr>{rows}</table>"
        if rows
        else "<p class='sm-ok'>ผ่านทุกการตรวจ (every check passed)</p>"
    )

    def links(items: list[str]) -> str:
        return "<ul>" + "".join(f'<li><a href="{html.escape(p)}">{html.escape(p)}</a></li>' for p in items) + "</ul>"

    return f"""<!DOCTYPE html>
<html lang="th"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<link rel="stylesheet" href="{CSS_NAME}"></head><body>
<h1>{html.escape(title)}</h1>
<p>ผลการตรวจคุณภาพข้อมูลด้วย Great Expectations (Data Docs)</p>
<h2>สรุปสิ่งที่ไม่ผ่าน (failed checks)</h2>{summary}
<h2>ผลการตรวจ (validation results)</h2>{links(results)}
<h2>ชุดการตรวจ (expectation suites)</h2>{links(suites)}
</body></html>
"""
