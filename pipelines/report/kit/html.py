"""HTML pieces of a report page: titles, sections, notes, KPI cards, badges and tables with
Thai headers; ``Fmt`` says how a column looks on the page and in its spreadsheet copy."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass

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


CHANGE = Fmt(tf.signed_percent, '+0.0"%";-0.0"%";0.0"%"')  # a change in %: +5.2%


def table(
    df,
    columns: dict[str, str],
    formats: dict[str, Callable] | None = None,
    numeric: Iterable[str] = (),
    row_class: Callable | None = None,
    caption: str = "",
    nowrap: Iterable[str] = (),
) -> str:
    """An HTML table with Thai headers: columns maps frame column → header, in display order."""
    formats = formats or {}
    numeric, nowrap = set(numeric), set(nowrap)
    css = {c: " ".join(k for k, on in (("num", c in numeric), ("nowrap", c in nowrap)) if on) for c in columns}
    head = "".join(f'<th class="{css[c]}">{esc(h)}</th>' for c, h in columns.items())
    rows = []
    for rec in df.to_dict("records"):
        cells = []
        for c in columns:
            v = rec.get(c)
            v = formats[c](v) if c in formats else (tf.DASH if tf.is_missing(v) else v)
            text = v if isinstance(v, Raw) else esc(v)
            cells.append(f'<td class="{css[c]}">{text}</td>')
        cls = row_class(rec) if row_class else ""
        rows.append(f'<tr class="{cls or ""}">{"".join(cells)}</tr>')
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="rk-table-wrap"><table class="rk-table">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
