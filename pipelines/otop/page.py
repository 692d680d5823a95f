"""The shortlist page's candidate list: a compact table (rank, tier, score, group, village,
product, what is missing) whose rows fold out the points and reasons per criterion, and
become cards on a phone. Plain HTML strings (``pipelines.otop`` does not import the report
kit); the notebook shows them with ``rk.show_html``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from pathlib import Path

from pipelines import config
from pipelines.otop.explain import CRITERIA, TIER_TH, label, reasons_by_criterion, village_text
from pipelines.thai import fmt as tf

TIER_BADGE = {"ready": "rk-good", "nearly_ready": "rk-warn", "not_yet": "rk-none"}
HEADERS = ["อันดับ", "ระดับ", "คะแนน", "กลุ่ม / ผู้ผลิต", "หมู่บ้าน", "ผลิตภัณฑ์", "สิ่งที่ยังขาด"]
_COLS = (
    '<colgroup><col><col><col><col class="otop-w-who"><col class="otop-w-village"><col class="otop-w-product">'
    '<col class="otop-w-missing"></colgroup>'
)

# The list's own look: Thai words never broken mid-word, cards on a phone, folded reasons
# left off the printed page. (Would sit in the site's report.css.)
CSS = """<style>
.otop-list { table-layout: auto; }
.otop-list th, .otop-list td { word-break: keep-all; overflow-wrap: normal; hyphens: none; }
.otop-list td.num, .otop-list td.otop-tier { white-space: nowrap; }
.otop-list .otop-sub { display: block; color: var(--muted, #666); font-size: 0.85rem; line-height: 1.35; }
.otop-list .otop-who { font-weight: bold; }
.otop-list tr[id] { scroll-margin-top: 110px; }
.otop-list tr:target td { background: #fff8d6; }
.otop-list col.otop-w-who { width: 22%; }
.otop-list col.otop-w-village { width: 19%; }
.otop-list col.otop-w-product { width: 14%; }
.otop-list col.otop-w-missing { width: 29%; }
.otop-why summary { cursor: pointer; color: var(--main, #1f5fa8); font-size: 0.85rem; white-space: nowrap; }
.otop-points { border-collapse: collapse; font-size: 0.85rem; margin: 2px 0 4px; min-width: 26em; }
.otop-points th { width: 7.5em; }
.otop-points th, .otop-points td { border: 0; border-bottom: 1px solid var(--line, #d9dee5); padding: 1px 8px 1px 0;
  text-align: left; font-weight: normal; vertical-align: top; background: none; }
.otop-points td.num { text-align: right; white-space: nowrap; }
.otop-gap { font-weight: bold; }
@media (max-width: 700px) {
  .otop-list, .otop-list > tbody, .otop-list > tbody > tr, .otop-list > tbody > tr > td { display: block; width: auto; }
  .otop-list > thead { display: none; }
  .otop-list > caption { display: block; }
  .otop-list > tbody > tr { border: 1px solid var(--line, #d9dee5); border-left: 6px solid var(--muted, #9e9e9e);
    border-radius: 6px; margin: 0 0 10px; padding: 6px 10px; }
  .otop-list > tbody > tr.otop-ready { border-left-color: var(--good, #2e7d32); }
  .otop-list > tbody > tr.otop-nearly_ready { border-left-color: var(--warn, #ef6c00); }
  .otop-list > tbody > tr > td { border: 0 !important; padding: 1px 0 !important; text-align: left; }
  .otop-list > tbody > tr > td.otop-lead { display: inline-block; margin-right: 12px; }
  .otop-list > tbody > tr > td[data-label]::before { content: attr(data-label) ": "; color: var(--muted, #666);
    font-size: 0.85rem; }
  .otop-list .otop-sub { display: inline; }
  .otop-list .otop-sub::before { content: " "; }
  .otop-points { width: 100%; min-width: 0; }
}
@media print {
  .otop-why { display: none !important; }
}
</style>"""


def esc(value) -> str:
    return html.escape("" if tf.is_missing(value) else str(value))


def workbook_name(fiscal_year: int) -> str:
    """The shortlist workbook's file name in the month's report folder."""
    return f"otop_shortlist_{fiscal_year}.xlsx"


def workbook_path(output_dir, month, fiscal_year: int) -> Path:
    """Where the month's shortlist workbook is: beside the page's folder on the site
    (``reports/<YYYY-MM>/``), or in the project's reports when the notebook runs by hand."""
    if output_dir:
        return Path(output_dir).resolve().parent / workbook_name(fiscal_year)
    return config.REPORTS_DIR / f"{tf.parse_month(month):%Y-%m}" / workbook_name(fiscal_year)


def workbook_href(output_dir, month, fiscal_year: int) -> str:
    base = Path(output_dir).resolve() if output_dir else Path.cwd().resolve()
    return Path(os.path.relpath(workbook_path(output_dir, month, fiscal_year), base)).as_posix()


def _pts(x) -> str:
    return tf.DASH if tf.is_missing(x) else f"{float(x):.2f}".rstrip("0").rstrip(".")


def _points_box(rec: dict, shown: list[str], weights: dict) -> str:
    reasons = reasons_by_criterion(rec.get("reasons"))
    points = rec.get("points") or {}
    rows = "".join(
        f'<tr><th scope="row">{esc(label(k))}</th>'
        f'<td class="num">{_pts(points.get(k))}/{_pts(weights.get(k))}</td>'
        f"<td>{esc(tf.mask_ids(reasons.get(k, '')))}</td></tr>"
        for k in shown
    )
    return (
        '<details class="otop-why"><summary>คะแนนรายเกณฑ์</summary>'
        f'<table class="otop-points"><tbody>{rows}</tbody></table></details>'
    )


def _missing(rec: dict) -> str:
    items = [x for x in ("" if tf.is_missing(rec.get("missing")) else str(rec["missing"])).splitlines() if x.strip()]
    gap = rec.get("gap") or ""
    text = " · ".join(esc(tf.mask_ids(x)) for x in items)
    if gap:
        text = f'<span class="otop-gap">{esc(gap)}</span>' + (f"<br>{text}" if text else "")
    return text or tf.DASH


def candidate_list(
    rows: Iterable[dict], shown: list[str], weights: dict, caption: str = "", village_dir: str = "../village"
) -> str:
    """The compact list. Each row: rank, tier, score, who, village, product, missing; the
    row's id is ``g-<rank>`` so other pages can link to a group; the village links to its page.

    A row's keys: rank, tier, score, who, product, otop_type, village_code, village_name,
    village_no, subdistrict_name, district_name, other_villages, missing, reasons, points,
    and optionally gap (what stands between it and the next tier).
    """
    shown = [k for k in CRITERIA if k in shown] + [k for k in shown if k not in CRITERIA]
    head = "".join(f'<th class="{"num" if i in (0, 2) else ""}">{esc(h)}</th>' for i, h in enumerate(HEADERS))
    body = []
    for r in rows:
        tier = r.get("tier")
        code = r.get("village_code")
        village = esc(village_text(r.get("village_name"), r.get("village_no")) or code)
        if code:
            village = f'<a href="{esc(village_dir)}/{esc(code)}.html">{village}</a>'
        more = int(r.get("other_villages") or 0)
        area = " ".join(
            x
            for x in (
                f"ต.{r['subdistrict_name']}" if not tf.is_missing(r.get("subdistrict_name")) else "",
                f"อ.{r['district_name']}" if not tf.is_missing(r.get("district_name")) else "",
                f"และอีก {more} หมู่บ้าน" if more else "",
            )
            if x
        )
        otop_type = r.get("otop_type")
        cells = [
            f'<td class="num otop-lead" data-label="อันดับ">{tf.number(r.get("rank"))}</td>',
            f'<td class="otop-tier otop-lead"><span class="rk-badge {TIER_BADGE.get(tier, "")}">'
            f"{esc(TIER_TH.get(tier, tier))}</span></td>",
            f'<td class="num otop-lead" data-label="คะแนน">{tf.number(r.get("score"), 2)}</td>',
            f'<td><span class="otop-who">{esc(r.get("who"))}</span>{_points_box(r, shown, weights)}</td>',
            f'<td data-label="หมู่บ้าน">{village}<span class="otop-sub">{esc(area)}</span></td>',
            f'<td data-label="ผลิตภัณฑ์">{esc(r.get("product")) or tf.DASH}'
            f'<span class="otop-sub">{esc(otop_type if not tf.is_missing(otop_type) else "ไม่ระบุประเภท OTOP")}'
            "</span></td>",
            f'<td data-label="สิ่งที่ยังขาด">{_missing(r)}</td>',
        ]
        body.append(f'<tr id="g-{int(r["rank"])}" class="otop-{esc(tier)}">{"".join(cells)}</tr>')
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="rk-table-wrap"><table class="rk-table otop-list">{cap}{_COLS}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
