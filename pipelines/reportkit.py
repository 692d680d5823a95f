"""What the report notebooks share: display helpers, the Thai chart style, masked IDs.

Notebooks keep the SQL and the story; this module keeps presentation, so the three
notebooks look alike and a change of style is made once. Every helper returns HTML or
displays it; only ``connect`` and ``query`` touch the warehouse (read-only).
"""

from __future__ import annotations

import html
import json
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import plotly.graph_objects as go
import plotly.io as pio

from pipelines import config, thaifmt as tf

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


def connect(path: str | os.PathLike):
    """A read-only connection: reports never write the warehouse."""
    from pipelines import warehouse

    con = warehouse.connect(resolve_warehouse(path), read_only=True)
    # Report queries are small; one thread avoids waking a pool per query while other
    # reports render in parallel on the same cores.
    con.execute("SET threads TO 1")
    return con


# ----------------------------------------------------------------------------- identities

_ID13 = re.compile(r"(?<!\d)(\d)(\d{4})(\d{5})(\d{2})(\d)(?!\d)")


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
    return _ID13.sub(lambda m: f"{m[1]}-{m[2]}-xxxxx-xx-{m[5]}", str(text))


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


# ----------------------------------------------------------------------------- charts


def show(fig: go.Figure, height: int | None = None) -> None:
    """Display a figure as a bundle both JupyterLab (plotly JSON) and nbconvert (HTML) render.

    Plotly's own renderer under papermill emits only a mimetype nbconvert drops, so the
    charts vanished from the HTML; never call fig.show() in a report notebook.
    """
    from IPython.display import display

    height = height or fig.layout.height or 380
    fig.update_layout(height=height)
    html_div = fig.to_html(include_plotlyjs=False, full_html=False, config=PLOTLY_CONFIG,
                           default_width="100%", default_height=f"{height}px")
    spec = json.loads(pio.to_json(fig, validate=False))
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
