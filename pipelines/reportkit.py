"""What the report notebooks share: display helpers, the Thai chart style, masked IDs.

Notebooks keep the SQL and the story; this module keeps presentation, so the three
notebooks look alike and a change of style is made once. Every helper returns HTML or
displays it. The warehouse is read (never written) by ``connect``/``query`` and by the few
queries the district and province reports share (``area_kpis``, ``household_incomes``,
``reporting_matrix``, ``quota_breaches``, ``todo_items``: one area level as a parameter).
``Downloads`` writes each table shown as an .xlsx beside the report.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
import re
import statistics
import warnings
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

import plotly.graph_objects as go
import plotly.io as pio

from pipelines import config, thaifmt as tf
from pipelines import todo
from pipelines.todo import inert      # one rule for spreadsheet cells, shared with the to-do workbooks

FONT_FAMILY = "TH Sarabun New, Sarabun, Noto Sans Thai, Loma, sans-serif"
COLOURS = {
    "good": "#2e7d32",     # meets the target
    "bad": "#c62828",      # below the target
    "warn": "#ef6c00",
    "main": "#1f5fa8",     # after training / this month
    "muted": "#9e9e9e",    # before training / not reported
    "target": "#c62828",
}
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}
# Set by the batch renderer: the report site brings its own stylesheet (assets/report.css).
RENDER_ENV = "SAMMACHIP_RENDER"
SITE_CSS = Path(__file__).parent / "site" / "report.css"


# ----------------------------------------------------------------------------- set-up


def _register_template() -> None:
    """A lean white template of our own: "plotly_white+..." is merged and validated again for
    every figure, which made charts the slowest part of a report (18 ms a figure against 2)."""
    if pio.templates.default == "sammachip" and "sammachip" in pio.templates:
        return                                   # a kernel rendering its next report
    axis = dict(gridcolor="#e6ebf2", linecolor="#c9d2de", zerolinecolor="#c9d2de", zerolinewidth=1.5,
                ticks="", automargin=True, title_standoff=12)
    template = go.layout.Template()
    template.layout = go.Layout(
        font=dict(family=FONT_FAMILY, size=16, color="#222"),
        title=dict(font=dict(size=20), x=0, xanchor="left"),
        colorway=[COLOURS["main"], COLOURS["muted"], COLOURS["good"], COLOURS["warn"], "#6a1b9a", "#00838f"],
        paper_bgcolor="white", plot_bgcolor="white", xaxis=axis, yaxis=axis,
        margin=dict(l=60, r=30, t=60, b=50),
        legend=dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=15), align="left"),
        separators=".,",
    )
    pio.templates["sammachip"] = template
    pio.templates.default = "sammachip"


def setup() -> None:
    """Chart template, quiet warnings; by hand in JupyterLab also the report stylesheet."""
    _register_template()
    if not any(f[0] == "ignore" and f[2] is Warning for f in warnings.filters[:1]):
        warnings.simplefilter("ignore")          # once per kernel, not once per report
    if not os.environ.get(RENDER_ENV) and SITE_CSS.exists():
        from IPython.display import HTML, display

        display(HTML(f"<style>{SITE_CSS.read_text(encoding='utf-8')}</style>"))


def programme() -> dict:
    """Quotas and targets from sammachip.yml (values live there, not in notebooks)."""
    return config.settings()["programme"]


def resolve_warehouse(path: str | os.PathLike) -> Path:
    """The warehouse path as given, else relative to the notebooks folder or the project root."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    for base in (config.NOTEBOOKS_DIR, config.PROJECT_ROOT):
        if (base / p).exists():
            return (base / p).resolve()
    return p                                     # warehouse.connect says it is missing, and what to run


_SHARED: dict = {}      # batch rendering: one open database per kernel, a fresh cursor per report


def connect(path: str | os.PathLike):
    """A read-only connection: reports never write the warehouse.

    Under the batch renderer the database stays open in the kernel between reports (opening
    it costs more than many a query) and each report gets its own cursor, so no registered
    frame or temporary table of one report is seen by the next. By hand it is a plain
    connection, closed by the notebook, so nothing keeps the file open behind a planner.
    """
    from pipelines import warehouse

    p = resolve_warehouse(path)
    if not os.environ.get(RENDER_ENV):
        return _single_thread(warehouse.connect(p, read_only=True))
    try:
        st = p.stat()
        key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        key = None
    if key is None or _SHARED.get("key") != key:
        if _SHARED.get("con") is not None:
            _SHARED.pop("con").close()
        _SHARED["con"] = _single_thread(warehouse.connect(p, read_only=True))
        _SHARED["key"] = key
    return _SHARED["con"].cursor()


def _single_thread(con):
    # Report queries are small; one thread avoids waking a pool per query while other
    # reports render in parallel on the same cores.
    con.execute("SET threads TO 1")
    return con


# ----------------------------------------------------------------------------- identities



def mask_citizen_id(cid) -> str:
    """3-5401-xxxxx-xx-1: first digit, province and district digits, last digit (PDPA)."""
    if tf.is_missing(cid):
        return tf.DASH
    d = re.sub(r"\D", "", str(cid))
    if len(d) != 13:
        return "x-xxxx-xxxxx-xx-x"
    return f"{d[0]}-{d[1:5]}-xxxxx-xx-{d[12]}"


def mask_ids(text) -> str:
    """Free text (validation details) with every 13-digit run masked."""
    if tf.is_missing(text):
        return ""
    return todo.mask_ids(str(text))


# ----------------------------------------------------------------------------- HTML pieces


def esc(value) -> str:
    return html.escape("" if tf.is_missing(value) else str(value))


def show_html(*parts: str) -> None:
    from IPython.display import HTML, display

    display(HTML("".join(parts)))


def title(heading: str, subtitle: str = "", meta: Iterable[str] = ()) -> str:
    items = "".join(f"<span>{esc(m)}</span>" for m in meta if m)
    return (f'<header class="rk-title"><h1>{esc(heading)}</h1>'
            + (f'<p class="rk-subtitle">{esc(subtitle)}</p>' if subtitle else "")
            + (f'<p class="rk-meta">{items}</p>' if items else "") + "</header>")


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
    status: str = "neutral"      # good | bad | warn | neutral | none
    flag: str = ""               # replaces the default words of the status line


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
        out.append(f'<div class="rk-card rk-{c.status}"><div class="rk-label">{esc(c.label)}</div>'
                   f'<div class="rk-value">{esc(c.value)}</div>'
                   f'<div class="rk-detail">{esc(c.detail)}</div>{flag}</div>')
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
BAHT = INT                                                        # whole baht look the same
BAHT2 = Fmt(lambda v: tf.number(v, 2), "#,##0.00")
RATE = Fmt(lambda v: tf.percent(v, ratio=True), "0.0%")          # a ratio: 0.85 → 85.0%
CHANGE = Fmt(tf.signed_percent, '+0.0"%";-0.0"%";0.0"%"')         # a change in %: +5.2%


def table(df, columns: dict[str, str], formats: dict[str, Callable] | None = None,
          numeric: Iterable[str] = (), row_class: Callable | None = None, caption: str = "",
          nowrap: Iterable[str] = ()) -> str:
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
    return (f'<div class="rk-table-wrap"><table class="rk-table">{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


# ----------------------------------------------------------------------------- tables as .xlsx

_NAME = re.compile(r"[a-z0-9_]+")
_TAG = re.compile(r"<[^>]*>")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


class Downloads:
    """Every table a report shows, also as an .xlsx beside it, linked under the table.

    Files: ``<output_dir>/<code>/<code>_<name>.xlsx``; ``output_dir`` is the folder of the
    report's HTML (report.py passes it). Empty when the notebook runs by hand: then
    ``reports/<YYYY-MM>/<kind>/`` with links relative to the notebook. A report's files of an
    earlier run go first, so no table it no longer shows is left behind.
    """

    def __init__(self, output_dir, kind: str, code: str, month):
        base = Path(output_dir) if output_dir else config.REPORTS_DIR / f"{tf.parse_month(month):%Y-%m}" / kind
        self.code = str(code)
        self.folder = base.resolve() / self.code
        self.link_from = (Path(output_dir) if output_dir else Path.cwd()).resolve()
        if self.folder.is_dir():
            for old in self.folder.glob(f"{self.code}_*.xlsx"):
                old.unlink(missing_ok=True)

    def path(self, name: str) -> Path:
        if not _NAME.fullmatch(name):
            raise ValueError(f"table name {name!r}: lower-case letters, digits and _ only")
        return self.folder / f"{self.code}_{name}.xlsx"

    def table(self, name: str, df, columns: dict[str, str], *, limit: int | None = None, caption: str = "",
              sheet: str = "", xlsx_columns: dict[str, str] | None = None, **kwargs) -> str:
        """``table(...)`` and its download link; ``limit`` shortens the page, never the file;
        ``xlsx_columns`` when the file should carry other columns (numbers the page joins into text)."""
        shown = df
        if limit is not None and len(df) > limit:
            shown = df.head(limit)
            caption = (caption + " " if caption else "") + \
                f"(แสดง {tf.number(limit)} จาก {tf.number(len(df))} รายการ ทั้งหมดอยู่ในไฟล์ Excel)"
        return (table(shown, columns, caption=caption, **kwargs)
                + self.link(name, df, xlsx_columns or columns, formats=kwargs.get("formats"), sheet=sheet))

    def link(self, name: str, df, columns: dict[str, str], formats: dict | None = None, sheet: str = "") -> str:
        """Write the .xlsx of a frame and return the link to it."""
        path = self.path(name)
        write_xlsx(path, df, columns, formats, sheet)
        href = Path(os.path.relpath(path, self.link_from)).as_posix()
        return (f'<p class="rk-download"><a href="{esc(href)}" download>'
                f'ดาวน์โหลดตารางนี้ (Excel .xlsx)</a></p>')


def _is_number(v) -> bool:
    import numpy as np

    return isinstance(v, (int, float, Decimal, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def excel_value(v, fmt=None):
    """What one spreadsheet cell holds: (number, number format), (text, None) or (None, None).

    Text is what the page shows, without its HTML; citizen IDs masked, and never a formula
    (a leading = + - @ made inert, as in the district to-do lists).
    """
    if isinstance(fmt, Fmt) and fmt.value is not None:     # the column says what its cells hold
        v = fmt.value(v)
        if tf.is_missing(v):
            return None, None
        if _is_number(v) and fmt.excel:
            return float(v), fmt.excel
        return inert(mask_ids(str(v))), None
    if tf.is_missing(v):
        return None, None
    if _is_number(v):
        if isinstance(fmt, Fmt) and fmt.excel:
            return float(v), fmt.excel
        if fmt is None:
            if float(v).is_integer() and len(str(int(v))) == 13:     # an ID typed as a number
                return mask_citizen_id(int(v)), None
            return (int(v) if float(v).is_integer() and not isinstance(v, (float, Decimal)) else float(v)), None
    if fmt is not None:
        text = fmt(v)
    elif isinstance(v, (dt.date, dt.datetime)):
        text = tf.date_be(v)
    elif isinstance(v, bool):
        text = "ใช่" if v else "ไม่ใช่"
    else:
        text = v
    text = html.unescape(_TAG.sub(" ", text)).strip() if isinstance(text, Raw) else str(text)
    text = re.sub(r"\s{2,}", " ", text)
    return inert(mask_ids(text)), None


def write_xlsx(path: Path, df, columns: dict[str, str], formats: dict | None = None, sheet: str = "") -> Path:
    """One sheet: the Thai headers of the page, a row per frame row; written whole or not at all."""
    import xlsxwriter

    formats = formats or {}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    try:
        ws = wb.add_worksheet((_SHEET_BAD.sub(" ", sheet).strip(" '")[:31]) or "ตาราง")
        head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "top"})
        text_fmt = wb.add_format({"valign": "top"})
        num_fmts: dict[str, object] = {}
        widths = [len(h) for h in columns.values()]
        ws.write_row(0, 0, [inert(h) for h in columns.values()], head)
        for r, rec in enumerate(df.to_dict("records"), start=1):
            for c, col in enumerate(columns):
                value, number_format = excel_value(rec.get(col), formats.get(col))
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value, text_fmt)
                    widths[c] = max(widths[c], len(value))
                else:
                    if number_format and number_format not in num_fmts:
                        num_fmts[number_format] = wb.add_format({"num_format": number_format, "valign": "top"})
                    ws.write_number(r, c, value, num_fmts.get(number_format))
                    widths[c] = max(widths[c], len(f"{value:,.2f}"))
        for c, w in enumerate(widths):
            ws.set_column(c, c, min(60, max(8, w * 1.1)))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(1, len(df)), max(0, len(columns) - 1))
        wb.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


# ----------------------------------------------------------------------------- charts


def show(fig: go.Figure, height: int | None = None) -> None:
    """Display a figure as a bundle both JupyterLab (plotly JSON) and nbconvert (HTML) render.

    Plotly's own renderer under papermill emits only a mimetype nbconvert drops, so the
    charts vanished from the HTML; never call fig.show() in a report notebook.
    """
    from IPython.display import display

    height = height or fig.layout.height or 380
    fig.update_layout(height=height)
    spec = json.loads(pio.to_json(fig, validate=False))      # serialised once, used twice
    html_div = pio.to_html(spec, include_plotlyjs=False, full_html=False, config=PLOTLY_CONFIG,
                           default_width="100%", default_height=f"{height}px", validate=False)
    spec["config"] = PLOTLY_CONFIG
    display({"application/vnd.plotly.v1+json": spec, "text/html": html_div,
             "text/plain": f"<กราฟ: {fig.layout.title.text or ''}>"}, raw=True)


def month_labels(months) -> list[str]:
    return [tf.month_be(m, abbr=True, short_year=True) for m in months]


def _target_line(fig: go.Figure, value: float, text: str, horizontal: bool = True) -> None:
    style = dict(line_dash="dash", line_color=COLOURS["target"], line_width=2)
    if horizontal:       # the label right of the plot, where no bar can sit under it
        fig.add_hline(y=value, annotation_text=text.replace(" ", "<br>", 1), annotation_position="right",
                      annotation_font_color=COLOURS["target"], **style)
        fig.update_layout(margin=dict(r=90))
    else:
        fig.add_vline(x=value, annotation_text=text, annotation_position="top",
                      annotation_font_color=COLOURS["target"], **style)


def rate_trend(df, months, target_rate: float, title_text: str) -> go.Figure:
    """Practising rate per month of the fiscal year so far, bars against the target line."""
    by_month = {tf.parse_month(r["month"]): r for r in df.to_dict("records")}
    x = month_labels(months)
    y, colours, text, hover = [], [], [], []
    for m in months:
        r = by_month.get(m)
        rate = None if r is None or tf.is_missing(r["practising_rate"]) else float(r["practising_rate"]) * 100
        y.append(rate)
        colours.append(COLOURS["good"] if rate is not None and rate >= target_rate * 100 else COLOURS["warn"])
        text.append(tf.percent(rate) if rate is not None else "ไม่มีข้อมูล")
        hover.append(f"ประกอบอาชีพ {tf.number(r['households_practising'])} จาก "
                     f"{tf.number(r['households_reported'])} ครัวเรือนที่รายงาน" if r is not None else "ไม่มีข้อมูล")
    fig = go.Figure(go.Bar(x=x, y=[v if v is not None else 0 for v in y], marker_color=colours, text=text,
                           textposition="outside", hovertext=hover, hoverinfo="x+text", name="ร้อยละที่ประกอบอาชีพ"))
    _target_line(fig, target_rate * 100, f"เป้าหมาย {tf.percent(target_rate, 0, ratio=True)}")
    fig.update_layout(title=title_text, yaxis=dict(title="ร้อยละ", range=[0, 110], ticksuffix="%"),
                      xaxis=dict(title="", type="category"), showlegend=False)
    return fig


def income_trend(df, months, target_pct: float, title_text: str) -> go.Figure:
    """Mean income of practising households against their mean income before, per month."""
    by_month = {tf.parse_month(r["month"]): r for r in df.to_dict("records")}
    x = month_labels(months)

    def col(name):
        return [None if by_month.get(m) is None or tf.is_missing(by_month[m][name]) else float(by_month[m][name])
                for m in months]

    before, after, change = col("avg_income_before"), col("avg_income"), col("income_change_pct")
    target = [b * (1 + target_pct / 100) if b is not None else None for b in before]
    fig = go.Figure()
    fig.add_bar(x=x, y=before, name="รายได้เฉลี่ยก่อนฝึกอาชีพ", marker_color=COLOURS["muted"],
                hovertemplate="%{y:,.2f} บาท<extra>ก่อนฝึก</extra>")
    fig.add_bar(x=x, y=after, name="รายได้เฉลี่ยเดือนนั้น", marker_color=COLOURS["main"],
                text=[tf.signed_percent(c) if c is not None else "" for c in change], textposition="outside",
                hovertemplate="%{y:,.2f} บาท<extra>หลังฝึก</extra>")
    fig.add_scatter(x=x, y=target, name=f"เป้าหมาย (เพิ่ม {tf.number(target_pct, 0)}%)", mode="markers",
                    marker=dict(symbol="line-ew-open", size=38, color=COLOURS["target"], line=dict(width=3, color=COLOURS["target"])),
                    hovertemplate="%{y:,.2f} บาท<extra>เป้าหมาย</extra>")
    top = max([v for v in before + after + target if v is not None] or [1])
    fig.update_layout(title=title_text, barmode="group", bargap=0.35,
                      margin=dict(b=90),
                      yaxis=dict(title="บาท/เดือน", tickformat=",.0f",
                                 range=[0, round(top * 1.18, 2)]),
                      xaxis=dict(type="category"))
    return fig


def ranking(df, label: str, value: str, target: float, title_text: str, percent_of_ratio: bool = False,
            hover: str | None = None, signed: bool = False) -> go.Figure:
    """Areas ranked by a KPI, horizontal bars coloured by the target, the target as a line."""
    d = df.dropna(subset=[value]).copy()
    vals = [float(v) * (100 if percent_of_ratio else 1) for v in d[value]]
    tgt = target * (100 if percent_of_ratio else 1)
    order = sorted(range(len(vals)), key=lambda i: vals[i])
    labels = [str(d[label].iloc[i]) for i in order]
    xs = [vals[i] for i in order]
    fmt = tf.signed_percent if signed else tf.percent
    fig = go.Figure(go.Bar(
        x=xs, y=labels, orientation="h", text=[fmt(v) for v in xs], textposition="outside",
        marker_color=[COLOURS["good"] if v >= tgt else COLOURS["warn"] for v in xs],
        hovertext=[str(d[hover].iloc[i]) for i in order] if hover else None,
        hoverinfo="text+y" if hover else "x+y"))
    _target_line(fig, tgt, f"เป้าหมาย {tf.number(tgt, 0)}%", horizontal=False)
    lo = min(xs + [0, tgt])
    hi = max(xs + [tgt])
    span = hi - lo or 1
    many = len(xs) > 30                           # a district of 90 villages: smaller type, every name shown
    fig.update_traces(textfont_size=11 if many else 14)
    fig.update_layout(title=title_text, showlegend=False, height=max(280, 110 + (18 if many else 26) * len(xs)),
                      xaxis=dict(ticksuffix="%", range=[round(lo - (0.15 * span if lo < 0 else 0), 2),
                                                        round(hi + 0.18 * span, 2)]),
                      yaxis=dict(type="category", automargin=True, dtick=1, tickfont_size=12 if many else 15),
                      margin=dict(l=10))
    return fig


def occupation_chart(df, title_text: str) -> go.Figure:
    """Households per occupation group: practising / not practising / not reported (stacked)."""
    fig = go.Figure()
    for col, name, colour in (("practising", "ประกอบอาชีพ", COLOURS["good"]),
                              ("not_practising", "ไม่ได้ประกอบอาชีพ", COLOURS["warn"]),
                              ("not_reported", "ยังไม่รายงาน", COLOURS["muted"])):
        fig.add_bar(y=df["group_th"], x=df[col], name=name, orientation="h", marker_color=colour,
                    text=[v if v else "" for v in df[col]], textposition="inside")
    fig.update_layout(title=title_text, barmode="stack", height=max(260, 150 + 45 * len(df)), margin=dict(b=80),
                      legend=dict(traceorder="normal"), xaxis=dict(dtick=2),
                      yaxis=dict(type="category", automargin=True))
    return fig


# ----------------------------------------------------------------------------- household distributions

NORMAL_Z = 1.959963984540054          # 97.5th percentile of the normal distribution


def t_critical(dof: int, level: float = 0.95) -> tuple[float, str]:
    """Two-sided critical value: Student's t with scipy, else the normal approximation."""
    try:
        from scipy.special import stdtrit     # scipy.special: 0.2 s to import once a kernel (scipy.stats: 1 s)
    except ImportError:
        return NORMAL_Z, "normal"
    return float(stdtrit(dof, 1 - (1 - level) / 2)), "t"


@dataclass
class MeanCI:
    n: int
    mean: float | None
    low: float | None
    high: float | None
    method: str = ""                  # "t" | "normal" | "" (fewer than two values)


def mean_ci(values, level: float = 0.95) -> MeanCI:
    """Mean and its confidence interval (t-interval on n − 1 degrees of freedom)."""
    x = [float(v) for v in values if not tf.is_missing(v)]
    n = len(x)
    if not n:
        return MeanCI(0, None, None, None)
    mean = math.fsum(x) / n
    if n < 2:
        return MeanCI(n, mean, None, None)
    q, method = t_critical(n - 1, level)
    half = q * statistics.stdev(x) / math.sqrt(n)
    return MeanCI(n, mean, mean - half, mean + half, method)


@dataclass
class IncomeSummary:
    """Households practising in the month, one by one (not the mean of the village means)."""
    households: int                   # practising this month
    change: MeanCI                    # mean of each household's change over its own income before
    median: float | None              # median of those changes
    reaching: int                     # households whose change ≥ the target
    basic_n: int                      # households with an income and a member count
    above_line: int                   # … whose income per person per year ≥ the basic-needs line
    line: float | None

    @property
    def share_reaching(self) -> float | None:
        return self.reaching / self.change.n if self.change.n else None

    @property
    def share_above(self) -> float | None:
        return self.above_line / self.basic_n if self.basic_n and self.line is not None else None


def income_summary(df, target_pct: float, line: float | None) -> IncomeSummary:
    """From ``household_incomes`` rows: change_pct and income_per_person_year per household."""
    change = [float(v) for v in df["change_pct"] if not tf.is_missing(v)]
    per_person = [float(v) for v in df["income_per_person_year"] if not tf.is_missing(v)]
    return IncomeSummary(
        households=len(df), change=mean_ci(change), median=statistics.median(change) if change else None,
        reaching=sum(c >= target_pct for c in change), basic_n=len(per_person),
        above_line=sum(p >= line for p in per_person) if line is not None else 0, line=line)


def income_summary_table(df, by: list[str], target_pct: float, line: float | None, total_label: dict | None = None):
    """One row per group (and a total row when ``total_label`` names its label columns)."""
    import pandas as pd

    def row(keys: dict, part, total: bool = False) -> dict:
        s = income_summary(part, target_pct, line)
        return {**keys, "is_total": total, "households": s.households, "n_change": s.change.n, "median": s.median,
                "mean": s.change.mean, "ci_low": s.change.low, "ci_high": s.change.high, "reaching": s.reaching,
                "share_reaching": s.share_reaching, "basic_n": s.basic_n,
                "above_line": s.above_line if line is not None else None, "share_above": s.share_above}

    rows = [row(dict(zip(by, k if isinstance(k, tuple) else (k,))), part)
            for k, part in df.groupby(by, sort=True, dropna=False)] if len(df) else []
    if total_label is not None:
        rows.append(row(total_label, df, total=True))
    return pd.DataFrame(rows, columns=[*by, "is_total", "households", "n_change", "median", "mean", "ci_low", "ci_high",
                                       "reaching", "share_reaching", "basic_n", "above_line", "share_above"])


def basic_needs_line(fiscal_year: int) -> float | None:
    """The basic-needs (จปฐ.) income line of a fiscal year, baht per person per year (sammachip.yml)."""
    lines = programme().get("basic_needs_income_line") or {}
    value = lines.get(int(fiscal_year), lines.get(str(fiscal_year)))
    return None if value is None else float(value)


def follow_up_reasons(rec: dict, month, prev_month) -> list[str]:
    """Why a household needs a visit: not practising two months running, or its income falling
    (below the month before, or below its income before training). Missing months say nothing."""
    def no(v) -> bool:
        return not tf.is_missing(v) and not bool(v)

    reasons = []
    if no(rec.get("practising")) and no(rec.get("prev_practising")):
        reasons.append(f"ไม่ได้ประกอบอาชีพ 2 เดือนติดต่อกัน ({tf.month_be(prev_month, abbr=True, short_year=True)}"
                       f" และ {tf.month_be(month, abbr=True, short_year=True)})")
    income, prev, before = rec.get("income"), rec.get("prev_income"), rec.get("income_before")
    if not tf.is_missing(income):
        if not tf.is_missing(prev) and float(income) < float(prev):
            reasons.append("รายได้ลดลงจากเดือนก่อน")
        if not tf.is_missing(before) and float(income) < float(before):
            reasons.append("รายได้ต่ำกว่าก่อนฝึกอาชีพ")
    return reasons


def _nice_step(span: float, bins: int = 24) -> float:
    raw = max(span, 1e-9) / bins
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if raw <= m * mag)


def change_histogram(values, target_pct: float, median: float | None, title_text: str) -> go.Figure:
    """Households by income change (%), binned here (the page carries counts, not every value);
    the 1st–99th percentile range, values beyond it counted in the edge bars."""
    import numpy as np

    x = np.array([float(v) for v in values if not tf.is_missing(v)])
    fig = go.Figure()
    if not len(x):
        return fig
    lo, hi = (np.percentile(x, [1, 99]) if len(x) >= 100 else (x.min(), x.max()))
    lo, hi = min(lo, 0.0, target_pct), max(hi, target_pct, 0.0)
    step = _nice_step(hi - lo)
    start, end = math.floor(lo / step) * step, (math.floor(hi / step) + 1) * step
    edges = np.arange(start, end + step / 2, step)
    counts, _ = np.histogram(np.clip(x, start, end - step / 2), bins=edges)
    left, right = edges[:-1], edges[1:]
    colours = [COLOURS["good"] if a >= target_pct else COLOURS["bad"] if b <= 0 else COLOURS["warn"]
               for a, b in zip(left, right)]
    hover = [f"{tf.signed_percent(a)} ถึง {tf.signed_percent(b)}: {n} ครัวเรือน" for a, b, n in zip(left, right, counts)]
    fig.add_bar(x=(left + right) / 2, y=counts, width=step * 0.92, marker_color=colours, hovertext=hover,
                hoverinfo="text", text=[str(n) if n else "" for n in counts], textposition="outside",
                name="ครัวเรือน")
    fig.add_vline(x=target_pct, line_dash="dash", line_color=COLOURS["target"], line_width=2,
                  annotation_text=f"เป้าหมาย {tf.signed_percent(target_pct, 0)}", annotation_position="top left",
                  annotation_font_color=COLOURS["target"])
    if median is not None:
        fig.add_vline(x=median, line_color=COLOURS["main"], line_width=2,
                      annotation_text=f"มัธยฐาน {tf.signed_percent(median)}", annotation_position="top right",
                      annotation_font_color=COLOURS["main"])
    clipped = int((x < start).sum() + (x >= end).sum())
    fig.update_layout(title=title_text, showlegend=False, bargap=0,
                      xaxis=dict(title="รายได้เปลี่ยนแปลงจากก่อนฝึกอาชีพ (%)", ticksuffix="%"),
                      yaxis=dict(title="จำนวนครัวเรือน", rangemode="tozero", range=[0, int(counts.max()) * 1.22 + 1]),
                      margin=dict(b=80 if clipped else 50))
    if clipped:
        fig.add_annotation(text=f"ค่าที่อยู่นอกช่วง {clipped} ครัวเรือน นับรวมไว้ที่แท่งริมสุด", showarrow=False,
                           xref="paper", yref="paper", x=0, y=-0.28, xanchor="left", font_size=13)
    return fig


def change_boxes(df, label: str, title_text: str, target_pct: float) -> go.Figure:
    """A box per area (quartiles and whiskers computed here: the page carries no raw values)."""
    import numpy as np

    fig = go.Figure()
    groups = [(str(k), np.array([float(v) for v in part["change_pct"] if not tf.is_missing(v)]))
              for k, part in df.groupby(label, sort=True)]
    groups = [(k, x) for k, x in groups if len(x)]
    if not groups:
        return fig
    q1, med, q3, low, high, mean = ([] for _ in range(6))
    for _, x in groups:
        a, m, b = np.percentile(x, [25, 50, 75])
        q1.append(a); med.append(m); q3.append(b); mean.append(float(x.mean()))
        low.append(float(x[x >= a - 1.5 * (b - a)].min())); high.append(float(x[x <= b + 1.5 * (b - a)].max()))
    fig.add_box(y=[k for k, _ in groups], q1=q1, median=med, q3=q3, lowerfence=low, upperfence=high, mean=mean,
                orientation="h", marker_color=COLOURS["main"], boxpoints=False, name="",
                hoverinfo="y+x")
    _target_line(fig, target_pct, f"เป้าหมาย {tf.signed_percent(target_pct, 0)}", horizontal=False)
    fig.update_layout(title=title_text, showlegend=False, height=max(260, 120 + 34 * len(groups)),
                      xaxis=dict(title="รายได้เปลี่ยนแปลงจากก่อนฝึกอาชีพ (%)", ticksuffix="%"),
                      yaxis=dict(type="category", automargin=True, autorange="reversed"))
    return fig


def income_cards(s: IncomeSummary, target_pct: float) -> str:
    """The distribution in four cards: median, share reaching the target, mean with its CI,
    share above the basic-needs line."""
    ci = s.change
    if ci.low is None:
        ci_status, ci_flag = "none", ""
    elif ci.low >= target_pct:
        ci_status, ci_flag = "good", "✔ สูงกว่าเป้าหมายอย่างมีนัยสำคัญ"
    elif ci.high < target_pct:
        ci_status, ci_flag = "bad", "✘ ต่ำกว่าเป้าหมายอย่างมีนัยสำคัญ"
    else:
        ci_status, ci_flag = "warn", "! ยังสรุปไม่ได้ว่าถึงเป้าหมาย"
    method = {"t": "ช่วงความเชื่อมั่น 95% (การแจกแจง t)", "normal": "ช่วงความเชื่อมั่น 95% (ประมาณด้วยการแจกแจงปกติ)"}
    line = s.line
    return kpi_cards([
        Card("มัธยฐานของรายได้ที่เปลี่ยนแปลง", tf.signed_percent(s.median),
             f"ครึ่งหนึ่งของ {tf.number(ci.n)} ครัวเรือนมีรายได้เพิ่มขึ้นอย่างน้อยเท่านี้ · เป้าหมาย ≥ {tf.number(target_pct, 0)}%",
             status_of(s.median, target_pct)),
        Card("ครัวเรือนที่รายได้เพิ่มถึงเป้าหมาย", tf.percent(s.share_reaching, ratio=True),
             f"{tf.number(s.reaching)} จาก {tf.number(ci.n)} ครัวเรือน มีรายได้เพิ่มขึ้น ≥ {tf.number(target_pct, 0)}% "
             "จากรายได้ก่อนฝึกของตนเอง"),
        Card("ค่าเฉลี่ยของรายได้ที่เปลี่ยนแปลงรายครัวเรือน", tf.signed_percent(ci.mean),
             (f"{method.get(ci.method, '')}: {tf.signed_percent(ci.low)} ถึง {tf.signed_percent(ci.high)}"
              if ci.low is not None else "ข้อมูลน้อยเกินกว่าจะคำนวณช่วงความเชื่อมั่น"),
             ci_status, ci_flag),
        Card("ครัวเรือนที่มีรายได้ผ่านเกณฑ์ จปฐ.", tf.percent(s.share_above, ratio=True),
             (f"{tf.number(s.above_line)} จาก {tf.number(s.basic_n)} ครัวเรือน มีรายได้ ≥ {tf.number(line)} บาท/คน/ปี"
              if line is not None else "ยังไม่ได้กำหนดเกณฑ์ของปีงบประมาณนี้ใน sammachip.yml")),
    ])


def income_method_th(s: IncomeSummary, month_th: str, line: float | None, fiscal_year: int) -> str:
    """How the distribution figures are made, and what they assume, in Thai for the reader."""
    left_out = s.households - s.change.n
    text = (f"วิธีคิด: รายได้ที่เปลี่ยนแปลงของแต่ละครัวเรือน = (รายได้เดือน{month_th} − รายได้ก่อนฝึก) ÷ รายได้ก่อนฝึก × 100 "
            "ค่าเฉลี่ยของค่านี้จึงต่างจาก “รายได้เพิ่มขึ้นจากก่อนฝึกอาชีพ” ในสรุปผลด้านบน ซึ่งเทียบรายได้เฉลี่ยของทุกครัวเรือนรวมกัน"
            "ตามนิยามของโครงการ · ช่วงความเชื่อมั่น 95% ของค่าเฉลี่ย: ถ้าติดตามครัวเรือนลักษณะเดียวกันซ้ำหลายครั้ง "
            "ช่วงที่คำนวณแบบนี้จะครอบค่าเฉลี่ยจริงราว 95 ครั้งใน 100 ครั้ง")
    if left_out:
        text += f" · ไม่นับ {tf.number(left_out)} ครัวเรือนที่ไม่มีรายได้ก่อนฝึก (เป็น 0 หรือไม่พบในรายชื่อครัวเรือน)"
    if line is None:
        return text + f" · ยังไม่ได้กำหนดเกณฑ์รายได้ จปฐ. ของปีงบประมาณ {fiscal_year} ใน sammachip.yml"
    return text + (f" · เกณฑ์ จปฐ.: รายได้ต่อคนต่อปี = รายได้จากอาชีพเดือน{month_th} × 12 ÷ จำนวนสมาชิกในครัวเรือน "
                   "(สมมติว่ารายได้เดือนนี้เท่ากันทุกเดือนตลอดปี และนับเฉพาะรายได้ที่รายงานในสมุดติดตาม) "
                   f"เทียบกับเกณฑ์ความจำเป็นพื้นฐาน (จปฐ.) {tf.number(line)} บาทต่อคนต่อปี ของปีงบประมาณ {fiscal_year} "
                   "(ตั้งไว้ใน sammachip.yml)")


def income_table(dl: "Downloads", name: str, df, label: str, label_header: str, target_pct: float,
                 line: float | None, caption: str = "") -> str:
    """``income_summary_table`` rows on the page (the interval and counts as text) and in the
    spreadsheet (every figure a number of its own)."""
    def share(n, total, s):
        return f"{tf.percent(s, ratio=True)} ({tf.number(n)}/{tf.number(total)})" if total else tf.DASH

    d = df.assign(
        mean_ci=[tf.signed_percent(m) + (f" ({tf.signed_percent(lo)} ถึง {tf.signed_percent(hi)})"
                                         if not tf.is_missing(lo) else "")
                 for m, lo, hi in zip(df["mean"], df.ci_low, df.ci_high)],
        reaching_text=[share(n, t, s) for n, t, s in zip(df.reaching, df.n_change, df.share_reaching)],
        above_text=[share(n, t, s) if line is not None else tf.DASH
                    for n, t, s in zip(df.above_line, df.basic_n, df.share_above)])
    line_text = f"{tf.number(line)} บาท/คน/ปี" if line is not None else "ยังไม่กำหนด"
    return dl.table(
        name, d,
        {label: label_header, "households": "ครัวเรือนที่ประกอบอาชีพ", "median": "มัธยฐาน",
         "mean_ci": "ค่าเฉลี่ย (ช่วงความเชื่อมั่น 95%)", "reaching_text": f"รายได้เพิ่ม ≥ {tf.number(target_pct, 0)}%",
         "above_text": "ผ่านเกณฑ์ จปฐ."},
        xlsx_columns={label: label_header, "households": "ครัวเรือนที่ประกอบอาชีพ",
                      "n_change": "ครัวเรือนที่เทียบกับรายได้ก่อนฝึกได้", "median": "มัธยฐานรายได้ที่เปลี่ยนแปลง (%)",
                      "mean": "ค่าเฉลี่ยรายได้ที่เปลี่ยนแปลง (%)", "ci_low": "ช่วงความเชื่อมั่น 95% ขอบล่าง (%)",
                      "ci_high": "ช่วงความเชื่อมั่น 95% ขอบบน (%)",
                      "reaching": f"ครัวเรือนที่รายได้เพิ่ม ≥ {tf.number(target_pct, 0)}%",
                      "share_reaching": f"สัดส่วนที่รายได้เพิ่ม ≥ {tf.number(target_pct, 0)}%",
                      "basic_n": "ครัวเรือนที่คำนวณรายได้ต่อคนได้", "above_line": f"ครัวเรือนที่ผ่านเกณฑ์ จปฐ. ({line_text})",
                      "share_above": "สัดส่วนที่ผ่านเกณฑ์ จปฐ."},
        formats={"households": INT, "n_change": INT, "median": CHANGE, "mean": CHANGE, "ci_low": CHANGE,
                 "ci_high": CHANGE, "reaching": INT, "share_reaching": RATE, "basic_n": INT, "above_line": INT,
                 "share_above": RATE},
        numeric=["households", "median", "mean_ci", "reaching_text", "above_text"],
        row_class=lambda r: "total" if r["is_total"] else "",
        caption=caption, sheet="การกระจายของรายได้")


# ----------------------------------------------------------------------------- reporting completeness


@dataclass(frozen=True)
class Reporting:
    """One cell of the completeness heatmap: a village-month, or an area's month (villages summed)."""
    reported: int
    enrolled: int
    sent: bool                        # any follow-up row that month
    villages: int = 1
    silent: int = 0                   # villages that sent nothing that month

    @property
    def rate(self) -> float | None:
        return self.reported / self.enrolled if self.enrolled else None


HEAT_LEVELS = ((1.0, "h-full", "ครบทุกครัวเรือน"), (0.85, "h-high", "85–99%"), (0.5, "h-mid", "50–84%"),
               (0.0, "h-low", "ต่ำกว่า 50%"))


def _heat_html(c: Reporting) -> Raw:
    title_text = f"รายงาน {tf.number(c.reported)} จาก {tf.number(c.enrolled)} ครัวเรือน"
    if not c.sent:
        cls, text = "h-none", "ไม่ส่ง"
    elif c.rate is None:
        cls, text = "h-none", tf.DASH
    else:
        cls = next(k for floor, k, _ in HEAT_LEVELS if c.rate >= floor)
        text = tf.percent(c.rate, 0, ratio=True)
        if text == "100%" and c.rate < 1:             # 799 of 800 is not "100%"
            text = tf.percent(min(c.rate, 0.999), 1, ratio=True)
    if c.villages > 1 and c.silent:
        title_text += f"; {c.silent} หมู่บ้านไม่ส่งข้อมูล"
        text += f'<small>ไม่ส่ง {c.silent} หมู่บ้าน</small>' if c.sent else f"<small>{c.silent} หมู่บ้าน</small>"
    return Raw(f'<span class="rk-heat {cls}" title="{esc(title_text)}">{text}</span>')


# Rate in the spreadsheet copy; "ไม่ส่ง" where nothing came.
HEAT = Fmt(_heat_html, "0%", lambda c: (c.rate if c.sent else "ไม่ส่ง") if isinstance(c, Reporting) else c)


def heat_legend() -> str:
    items = [f'<span class="rk-heat {cls}">{esc(text)}</span>' for _, cls, text in HEAT_LEVELS]
    items.append('<span class="rk-heat h-none">ไม่ส่งข้อมูลเดือนนั้นเลย</span>')
    return f'<div class="rk-heat-legend">ร้อยละของครัวเรือนที่รายงานผล: {"".join(items)}</div>'


def reporting_heat(long, keys: list[str], months) -> "pd.DataFrame":
    """Rows = ``keys`` (a village, or a district summed), one column per month (YYYY-MM) of
    ``Reporting`` cells, from ``reporting_matrix`` rows."""
    import pandas as pd

    cols = [f"{m:%Y-%m}" for m in months]
    rows: dict[tuple, dict] = {}
    for r in long.to_dict("records"):
        k = tuple(r[c] for c in keys)
        row = rows.setdefault(k, {**{c: r[c] for c in keys}, **{m: Reporting(0, 0, False, 0, 0) for m in cols}})
        key = f"{tf.parse_month(r['month']):%Y-%m}"
        if key not in row:
            continue
        old = row[key]
        row[key] = Reporting(old.reported + int(r["reported"]), old.enrolled + int(r["enrolled"]),
                             old.sent or bool(r["sent"]), old.villages + 1, old.silent + (not r["sent"]))
    return pd.DataFrame(list(rows.values()), columns=[*keys, *cols])


def heat_columns(months) -> dict[str, str]:
    return {f"{m:%Y-%m}": tf.month_be(m, abbr=True, short_year=True) for m in months}


def incomplete(heat, months) -> "pd.Series":
    """Rows with a month not fully reported, or not sent at all."""
    cols = [f"{m:%Y-%m}" for m in months]
    return heat[cols].apply(lambda r: any((not c.sent) or (c.rate is not None and c.rate < 1) for c in r), axis=1)


# ----------------------------------------------------------------------------- the to-do list

# The sheet (spec name) an officer opens for each check; rows come from the detail.
CHECK_SHEET = {
    "quota_trainers": "trainer", "quota_sages": "trainer",
    "quota_households": "household", "quota_households_per_trainer": "household",
    "quota_trainer_in_village": "household", "uniqueness_household": "household",
    "uniqueness_trainer_household": "household", "validity_income_before_range": "household",
    "completeness_month_missing": "followup", "completeness_reporting_rate": "followup",
    "timeliness_late": "followup", "validity_money_range": "followup", "validity_income_not_practising": "followup",
    "outlier_income": "followup", "outlier_income_jump": "followup", "validity_followup_household_in_roster": "followup",
}
SHEET_TH = {"trainer": "วิทยากร", "household": "ครัวเรือน", "followup": "ติดตาม"}
MONTH_CHECKS = {"completeness_month_missing", "completeness_reporting_rate", "timeliness_late"}
_ROW = re.compile(r"แถว (\d+)")


def todo_where(check: str, detail: str, month=None) -> tuple[str, str]:
    """(which file kind, where in it) for one issue: the sheet, and the rows its detail names."""
    if check == "completeness_rejected_rows":
        return "", "ตามรายละเอียด (ไฟล์ แผ่นงาน และแถว)"
    sheet = CHECK_SHEET.get(check, "")
    where = f"แผ่นงาน {SHEET_TH[sheet]}" if sheet else ""
    rows = list(dict.fromkeys(_ROW.findall(detail or "")))
    if rows:
        where += " แถว " + ", ".join(rows[:10]) + (" …" if len(rows) > 10 else "")
    elif check in MONTH_CHECKS and not tf.is_missing(month):
        where += f" เดือน {tf.month_be(month, abbr=True)}"
    return ("followup_month" if check in MONTH_CHECKS else sheet), where.strip()


# ----------------------------------------------------------------------------- Thai labels

ROLE_TH = {"sage": "ปราชญ์ชุมชน", "team": "ทีมวิทยากร"}
STATUS_TH = {"active": "ร่วมโครงการ", "withdrawn": "ถอนตัว", "replacement": "ครัวเรือนทดแทน"}
GROUP_TH = {"agriculture": "เกษตร", "processing": "แปรรูป", "community_tourism": "ท่องเที่ยวชุมชน", "other": "อื่นๆ"}
SEVERITY_TH = {"error": "ต้องแก้ไข", "warning": "ควรตรวจสอบ"}
FILE_STATUS_TH = {"loaded": "นำเข้าแล้ว", "duplicate": "ไฟล์ซ้ำ", "replaced": "แทนที่ข้อมูลเดิม", "refused": "ไม่รับไฟล์"}


def check_th(check_name: str) -> str:
    from pipelines.todo import CHECK_TH

    return CHECK_TH.get(check_name, check_name)


def query(con, sql: str, **params):
    """A frame from SQL with named parameters ($name); the grouping stays in SQL."""
    return con.execute(sql, params).df()


# ----------------------------------------------------------------------------- queries the area reports share

AREA_COLUMN = {"village": "village_code", "district": "district_code", "province": "province_code"}


def _area(level: str) -> str:
    if level not in AREA_COLUMN:
        raise ValueError(f"area level {level!r}: one of {', '.join(AREA_COLUMN)}")
    return AREA_COLUMN[level]


def area_kpis(con, fy: int, level: str, code: str, *, until=None, month=None, by: str | None = None):
    """village_month over an area's villages: counts added, incomes weighted by practising households.

    The contract defines the KPIs per village (village_month); an area's mean income over its
    practising households is its villages' means weighted by how many practising households
    each mean is taken over (those on the current roster: village_month_income), so an
    area report always agrees with the view. ``until``: one row per month of the fiscal year
    up to it; ``month`` and ``by`` (``district``): one row per district for that month.
    """
    col = _area(level)
    if by is not None:
        group, when = f"v.{_area(by)}", "m.month = $month"
    else:
        group, when = "m.month", "m.month <= $month"
    return query(con, f"""
        WITH a AS (
            SELECT {group} AS grp,
                   count(*)                                      AS villages_reported,
                   sum(m.households_reported)::INTEGER           AS households_reported,
                   sum(m.households_practising)::INTEGER         AS households_practising,
                   sum(m.avg_income * i.households_counted)::DOUBLE
                       / nullif(sum(i.households_counted) FILTER (WHERE m.avg_income IS NOT NULL), 0)        AS avg_income,
                   sum(m.avg_income_before * i.households_counted)::DOUBLE
                       / nullif(sum(i.households_counted) FILTER (WHERE m.avg_income_before IS NOT NULL), 0) AS avg_income_before
            FROM village_month m JOIN village v USING (village_code)
            LEFT JOIN village_month_income i USING (fiscal_year, village_code, month)
            WHERE v.{col} = $code AND m.fiscal_year = $fy AND {when}
            GROUP BY {group}
        )
        SELECT grp AS {"month" if by is None else _area(by)}, villages_reported, households_reported, households_practising,
               households_practising::DOUBLE / nullif(households_reported, 0)            AS practising_rate,
               avg_income, avg_income_before,
               100 * (avg_income - avg_income_before) / nullif(avg_income_before, 0)     AS income_change_pct
        FROM a ORDER BY grp""", code=code, fy=fy, month=tf.parse_month(month if by is not None else until))


def household_incomes(con, fy: int, month, level: str, code: str):
    """Each household practising in the month: its change over its own income before (%), and
    its income per person per year (the month's income × 12 ÷ members). No names, no IDs."""
    return query(con, f"""
        SELECT v.district_code, v.district_name, v.subdistrict_code, v.subdistrict_name, v.village_code,
               v.village_no, v.village_name, f.income::DOUBLE AS income, h.income_before::DOUBLE AS income_before,
               h.members,
               100 * (f.income - h.income_before)::DOUBLE / nullif(h.income_before, 0)::DOUBLE AS change_pct,
               12 * f.income::DOUBLE / nullif(h.members, 0)                                   AS income_per_person_year
        FROM followup f
        JOIN village v USING (village_code)
        LEFT JOIN household h
               ON h.fiscal_year = f.fiscal_year AND h.village_code = f.village_code AND h.citizen_id = f.citizen_id
        WHERE v.{_area(level)} = $code AND f.fiscal_year = $fy AND f.month = $month AND f.practising
        ORDER BY v.village_code""", code=code, fy=fy, month=tf.parse_month(month))


def reporting_matrix(con, fy: int, month, level: str, code: str):
    """Villages in the programme this fiscal year (a roster or a follow-up) × months up to
    ``month``: reported and enrolled as village_month counts them; ``sent`` false where the
    view has no row, i.e. the village sent nothing for the month (enrolled then from the roster)."""
    m = tf.parse_month(month)
    return query(con, f"""
        WITH v AS (SELECT * FROM village WHERE {_area(level)} = $code),
        programme AS (
            SELECT village_code FROM household WHERE fiscal_year = $fy AND village_code IN (SELECT village_code FROM v)
            UNION
            SELECT village_code FROM followup WHERE fiscal_year = $fy AND village_code IN (SELECT village_code FROM v)
        ),
        roster AS (
            SELECT village_code, count(*) FILTER (WHERE status <> 'withdrawn') AS enrolled
            FROM household WHERE fiscal_year = $fy GROUP BY village_code
        ),
        months AS (SELECT unnest(generate_series($start, $month, INTERVAL 1 MONTH))::DATE AS month)
        SELECT v.district_code, v.district_name, v.subdistrict_code, v.subdistrict_name, v.village_code, v.village_no,
               v.village_name, months.month,
               coalesce(vm.households_reported, 0)                       AS reported,
               coalesce(vm.households_enrolled, r.enrolled, 0)           AS enrolled,
               vm.village_code IS NOT NULL                               AS sent
        FROM programme p JOIN v USING (village_code)
        CROSS JOIN months
        LEFT JOIN roster r USING (village_code)
        LEFT JOIN village_month vm
               ON vm.fiscal_year = $fy AND vm.village_code = p.village_code AND vm.month = months.month
        ORDER BY v.district_code, v.subdistrict_code, v.village_no, v.village_code, months.month""",
                 code=code, fy=fy, start=tf.fiscal_months(m)[0], month=m)


def quota_breaches(con, fy: int, level: str, code: str):
    """The latest validation run's quota checks that failed in the area (IDs masked)."""
    df = query(con, f"""
        SELECT v.district_code, v.district_name, v.subdistrict_name, v.village_no, v.village_name, i.village_code,
               i.check_name, i.detail
        FROM validation_issue i JOIN village v USING (village_code)
        WHERE v.{_area(level)} = $code AND starts_with(i.check_name, 'quota_')
          AND (i.fiscal_year = $fy OR i.fiscal_year IS NULL)
        ORDER BY v.district_code, v.subdistrict_code, v.village_no, i.check_name""", code=code, fy=fy)
    df["detail"] = df.detail.map(mask_ids)
    df["check_th"] = df.check_name.map(check_th)
    df["village"] = village_labels(df)
    return df


def todo_items(con, fy: int, level: str, code: str):
    """What to fix, from data_todo (the rows of the district to-do workbooks), with the file
    to open and where in it: the file that carries the current roster or follow-up month."""
    where = (f"{_area(level)} = $code" if level != "province"        # data_todo carries village and district codes
             else "village_code IN (SELECT village_code FROM village WHERE province_code = $code)")
    df = query(con, f"""
        SELECT district_code, district_name, subdistrict_name, village_no, village_name, village_code,
               severity, check_name, month, detail
        FROM data_todo
        WHERE {where} AND (fiscal_year = $fy OR fiscal_year IS NULL)
        ORDER BY district_code, severity, village_code, check_name, month""", code=code, fy=fy)
    files: dict[tuple, str] = {}
    if len(df):       # the current file of each sheet (and follow-up month) of the villages with an issue
        for sheet, village, month, name in con.execute("""
            WITH f AS (
                SELECT 'trainer' AS sheet, village_code, NULL::DATE AS month, file_id, path FROM trainer_history
                WHERE is_current AND fiscal_year = $fy AND village_code IN (SELECT unnest($villages))
                UNION ALL
                SELECT 'household', village_code, NULL, file_id, path FROM household_history
                WHERE is_current AND fiscal_year = $fy AND village_code IN (SELECT unnest($villages))
                UNION ALL
                SELECT 'followup_month', village_code, month, file_id, path FROM followup_history
                WHERE is_current AND fiscal_year = $fy AND village_code IN (SELECT unnest($villages))
            )
            SELECT sheet, village_code, month, parse_filename(arg_max(path, file_id), false, 'both_slash') FROM f GROUP BY ALL
            UNION ALL      -- the follow-up file of the latest month
            SELECT 'followup', village_code, NULL, parse_filename(arg_max(path, (month, file_id)), false, 'both_slash')
            FROM f WHERE sheet = 'followup_month' GROUP BY ALL""",
                {"fy": fy, "villages": sorted(set(df.village_code))}).fetchall():
            files[(sheet, village, month)] = name
    file_col, where_col = [], []
    for r in df.to_dict("records"):
        kind, where = todo_where(r["check_name"], r["detail"], r["month"])
        month = tf.parse_month(r["month"]) if kind == "followup_month" and not tf.is_missing(r["month"]) else None
        file_col.append(mask_ids(files.get((kind, r["village_code"], month)) or "") or tf.DASH)
        where_col.append(where)
    df["file"], df["where"] = file_col, where_col
    df["detail"] = df.detail.map(mask_ids)
    df["severity_th"] = df.severity.map(SEVERITY_TH)
    df["check_th"] = df.check_name.map(check_th)
    df["month_th"] = [tf.month_be(m, abbr=True) if c in MONTH_CHECKS and not tf.is_missing(m) else ""
                      for c, m in zip(df.check_name, df.month)]
    df["village"] = village_labels(df)
    return df


def village_labels(df) -> list[str]:
    """"บ้านทดสอบ ม.1 ต.ในเวียง" for rows carrying village_name, village_no, subdistrict_name."""
    return [f"{n} ม.{no} ต.{s}" if not tf.is_missing(n) else tf.DASH
            for n, no, s in zip(df.village_name, df.village_no, df.subdistrict_name)]
