"""HTML pieces of a report page: titles, sections, notes, KPI cards, badges and tables with
Thai headers; ``Fmt`` says how a column looks on the page and in its spreadsheet copy."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pipelines.report.kit.rows import records
from pipelines.thai import fmt as tf


def esc(value) -> str:
    return html.escape("" if tf.is_missing(value) else str(value))


def show_html(*parts: str) -> None:
    from IPython.display import HTML, display

    display(HTML("".join(parts)))


def title(heading: str, subtitle: str = "", meta: Iterable[str] = ()) -> str:
    items = "".join(f"<span>{esc(m)}</span>" for m in meta if m)
    return (
        f'<header class="rk-title"><h1>{esc(heading)}</h1>'
        + (f'<p class="rk-subtitle">{esc(subtitle)}</p>' if subtitle else "")
        + (f'<p class="rk-meta">{items}</p>' if items else "")
        + "</header>"
    )


def section(heading: str, intro: str = "") -> str:
    return f'<h2 class="rk-section">{esc(heading)}</h2>' + (f'<p class="rk-intro">{esc(intro)}</p>' if intro else "")


def subsection(heading: str, intro: str = "") -> str:
    return f'<h3 class="rk-subsection">{esc(heading)}</h3>' + (f'<p class="rk-intro">{esc(intro)}</p>' if intro else "")


def note(text: str, kind: str = "info") -> str:
    """A message box: info, warn, error, ok (also the 'no data yet' message)."""
    return f'<div class="rk-note rk-note-{kind}">{esc(text)}</div>'


@dataclass
class Card:
    label: str
    value: str
    detail: str = ""
    status: str = "neutral"  # good | bad | warn | neutral | none
    flag: str = ""  # replaces the default words of the status line


def status_of(value, target, higher_is_better: bool = True) -> str:
    if tf.is_missing(value) or tf.is_missing(target):
        return "none"
    return "good" if (float(value) >= float(target)) == higher_is_better else "bad"


def kpi_cards(cards: list[Card]) -> str:
    mark = {"good": "✔ ผ่านเป้าหมาย", "bad": "✘ ต่ำกว่าเป้าหมาย", "warn": "! ควรตรวจสอบ"}
    out = []
    for c in cards:
        words = c.flag or mark.get(c.status, "")
        flag = f'<div class="rk-flag">{esc(words)}</div>' if words and c.status in mark else ""
        out.append(
            f'<div class="rk-card rk-{c.status}"><div class="rk-label">{esc(c.label)}</div>'
            f'<div class="rk-value">{esc(c.value)}</div>'
            f'<div class="rk-detail">{esc(c.detail)}</div>{flag}</div>'
        )
    return f'<div class="rk-cards">{"".join(out)}</div>'


def badge(ok: bool | None, yes: str = "ครบ", no: str = "ไม่ครบ") -> str:
    if ok is None:
        return f'<span class="rk-badge rk-none">{tf.DASH}</span>'
    return f'<span class="rk-badge rk-{"good" if ok else "bad"}">{esc(yes if ok else no)}</span>'


class Raw(str):
    """A table cell already in HTML (a badge); not escaped again.

    Return it from a ``formats`` function: a frame column would turn it back into plain str.
    """


@dataclass(frozen=True)
class Fmt:
    """A column's look: ``show`` gives the page's text; with ``excel`` (a number format) the
    spreadsheet copy keeps the number itself, sortable and summable. ``value`` picks what
    goes into the spreadsheet cell when the frame holds something richer than a number."""

    show: Callable
    excel: str | None = None
    value: Callable | None = None

    def __call__(self, v):
        return self.show(v)


INT = Fmt(tf.number, "#,##0")


BAHT = INT  # whole baht look the same


BAHT2 = Fmt(lambda v: tf.number(v, 2), "#,##0.00")


RATE = Fmt(lambda v: tf.percent(v, ratio=True), "0.0%")  # a ratio: 0.85 → 85.0%


# A change in % (+5.2): shown "+5.2%", stored in a spreadsheet as the ratio 0.052 with a percent format.
CHANGE = Fmt(tf.signed_percent, "+0.0%;-0.0%;0.0%", lambda v: None if tf.is_missing(v) else float(v) / 100)


def page_href(kind: str, code) -> str:
    """From one report page to another of the same month's site (pages sit in <kind>/<code>.html)."""
    return f"../{kind}/{code}.html"


def table(
    df,
    columns: dict[str, str],
    formats: dict[str, Callable] | None = None,
    numeric: Iterable[str] = (),
    row_class: Callable | None = None,
    caption: str = "",
    nowrap: Iterable[str] = (),
    sortable: bool | None = None,
    links: dict[str, Callable] | None = None,
) -> str:
    """An HTML table with Thai headers: columns maps frame column → header, in display order.

    A table of more than five rows is sortable and, past ten, filterable on the page
    (``sortable`` decides otherwise); numbers sort by their value, not their text. Rows whose
    class is ``total`` stay at the foot whatever the order. ``links`` maps a column to a
    function of the row giving the page its text links to (None: no link).
    """
    formats = formats or {}
    numeric, nowrap = set(numeric), set(nowrap)
    css = {c: " ".join(k for k, on in (("num", c in numeric), ("nowrap", c in nowrap)) if on) for c in columns}
    head = "".join(f'<th class="{css[c]}">{esc(h)}</th>' for c, h in columns.items())
    rows, totals = [], []
    for rec in records(df):
        cells = []
        for c in columns:
            raw = rec.get(c)
            v = formats[c](raw) if c in formats else (tf.DASH if tf.is_missing(raw) else raw)
            text = v if isinstance(v, Raw) else esc(v)
            href = links[c](rec) if links and c in links else None
            if href:
                text = f'<a href="{esc(href)}">{text}</a>'
            key = order_key(raw, formats.get(c)) if c in numeric else None
            order = f' data-order="{key!r}"' if key is not None else ""
            cells.append(f'<td class="{css[c]}"{order}>{text}</td>')
        cls = (row_class(rec) if row_class else "") or ""
        (totals if cls == "total" else rows).append(f'<tr class="{cls}">{"".join(cells)}</tr>')
    if sortable is None:
        sortable = len(rows) > 5
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    foot = f"<tfoot>{''.join(totals)}</tfoot>" if totals else ""
    return (
        f'<div class="rk-table-wrap"><table class="rk-table{" rk-dt" if sortable else ""}">{cap}'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>{foot}</table></div>"
    )


def order_key(value, fmt=None) -> float | None:
    """The number a cell sorts by: the column's own value (``Fmt.value``) where it has one."""
    if isinstance(fmt, Fmt) and fmt.value is not None:
        value = fmt.value(value)
    if tf.is_missing(value) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def area_cards(
    k, villages_total: int, villages_roster: int, enrolled: int, target_rate: float, target_pct: float, interval=None
) -> str:
    """The KPI cards of a district or province for the report month (``k``: its row of
    ``area_kpis``, or None when nothing was reported; ``interval``: a row with the income
    change's 95 % interval, ``change_low`` and ``change_high``)."""
    ci = ""
    if interval is not None and not tf.is_missing(interval["change_low"]):
        low, high = tf.signed_percent(interval["change_low"]), tf.signed_percent(interval["change_high"])
        ci = f"ช่วงความเชื่อมั่น 95%: {low} ถึง {high} · "
    reported = 0 if k is None else int(k.households_reported)
    rate = None if k is None else k.practising_rate
    change = None if k is None else k.income_change_pct
    return kpi_cards(
        [
            Card(
                "หมู่บ้านที่รายงานผลเดือนนี้",
                f"{tf.number(0 if k is None else k.villages_reported)} / {tf.number(villages_roster)}",
                f"หมู่บ้านที่ส่งรายชื่อแล้ว {tf.number(villages_roster)} จาก {tf.number(villages_total)} หมู่บ้านในทะเบียน",
            ),
            Card(
                "ครัวเรือนเป้าหมาย",
                tf.number(enrolled),
                f"รายงานผลเดือนนี้ {tf.number(reported)} ครัวเรือน"
                + (f" ({tf.percent(reported / enrolled, ratio=True)})" if enrolled else ""),
            ),
            Card(
                "ครัวเรือนที่ประกอบอาชีพ",
                tf.percent(rate, ratio=True),
                (
                    f"{tf.number(k.households_practising)} จาก {tf.number(reported)} ครัวเรือนที่รายงาน · "
                    if k is not None
                    else ""
                )
                + f"เป้าหมาย ≥ {tf.percent(target_rate, 0, ratio=True)}",
                status_of(rate, target_rate),
            ),
            Card(
                "รายได้เพิ่มขึ้นจากก่อนฝึกอาชีพ",
                tf.signed_percent(change),
                (
                    f"เฉลี่ย {tf.baht(k.avg_income, 2)}/เดือน จากเดิม {tf.baht(k.avg_income_before, 2)} · "
                    if k is not None
                    else ""
                )
                + ci
                + f"เป้าหมาย ≥ {tf.number(target_pct, 0)}%",
                status_of(change, target_pct),
            ),
        ]
    )


def lead(text: str) -> str:
    """The page's finding in one or two sentences, first thing under the title."""
    return f'<p class="rk-lead">{esc(text)}</p>'
