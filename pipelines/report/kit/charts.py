"""Charts in the report style: a lean Thai template, target lines, and the figures the
notebooks share. Figures are shown with ``show`` (never ``fig.show()``: under papermill
Plotly's own renderer writes only a mimetype nbconvert drops)."""

from __future__ import annotations

import html
import json
import math
import os
from functools import cache

import plotly.graph_objects as go
import plotly.io as pio

from pipelines.report.kit.rows import records
from pipelines.thai import fmt as tf

FONT_FAMILY = "TH Sarabun New, Sarabun, Noto Sans Thai, Loma, sans-serif"


COLOURS = {
    "good": "#2e7d32",  # meets the target
    "bad": "#c62828",  # below the target
    "warn": "#ef6c00",
    "main": "#1f5fa8",  # after training / this month
    "muted": "#9e9e9e",  # before training / not reported
    "target": "#c62828",
}


# No mode bar: on a phone it covered the chart's top; the chart still zooms by dragging and
# resets on a double click.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}


def register_template() -> None:
    """A lean white template of our own: "plotly_white+..." is merged and validated again for
    every figure, which made charts the slowest part of a report (18 ms a figure against 2)."""
    if pio.templates.default == "sammachip" and "sammachip" in pio.templates:
        return  # a kernel rendering its next report
    axis = dict(
        gridcolor="#e6ebf2",
        linecolor="#c9d2de",
        zerolinecolor="#c9d2de",
        zerolinewidth=1.5,
        ticks="",
        automargin=True,
        title_standoff=12,
    )
    template = go.layout.Template()
    template.layout = go.Layout(
        font=dict(family=FONT_FAMILY, size=16, color="#222"),
        title=dict(font=dict(size=20), x=0, xanchor="left"),
        colorway=[COLOURS["main"], COLOURS["muted"], COLOURS["good"], COLOURS["warn"], "#6a1b9a", "#00838f"],
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=axis,
        yaxis=axis,
        margin=dict(l=60, r=30, t=60, b=50),
        legend=dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=15), align="left"),
        separators=".,",
    )
    pio.templates["sammachip"] = template
    pio.templates.default = "sammachip"


# Set by the batch renderer: the site brings its own stylesheet, and a chart needs only its
# HTML (JupyterLab also gets the Plotly JSON, to draw it by hand).
RENDER_ENV = "SAMMACHIP_RENDER"


@cache
def _template() -> dict:
    register_template()
    return pio.templates["sammachip"].to_plotly_json()


def show(fig, height: int | None = None) -> None:
    """Display a figure (a go.Figure, or a plain figure dict: no validation, a tenth of the
    cost) as a bundle both JupyterLab (plotly JSON) and the site (HTML) render.

    Plotly's own renderer under papermill emits only a mimetype nbconvert drops, so the
    charts vanished from the HTML; never call fig.show() in a report notebook. The title is
    shown as a heading above the chart, where it wraps on a phone instead of being cut off.
    """
    from IPython.display import HTML, display

    if isinstance(fig, dict):
        spec = {"data": fig["data"], "layout": {"template": _template(), **fig["layout"]}}
    else:
        spec = json.loads(pio.to_json(fig, validate=False))
    layout = spec["layout"]
    title = (layout.pop("title", None) or {}).get("text") or ""
    if title:
        display(HTML(f'<p class="rk-chart-title">{html.escape(title)}</p>'))
        layout["margin"] = {**layout.get("margin", {}), "t": min(layout.get("margin", {}).get("t") or 60, 24)}
    height = height or layout.get("height") or 380
    layout["height"] = height
    html_div = pio.to_html(
        spec,
        include_plotlyjs=False,
        full_html=False,
        config=PLOTLY_CONFIG,
        default_width="100%",
        default_height=f"{height}px",
        validate=False,
    )
    bundle = {"text/html": html_div, "text/plain": f"<กราฟ: {title}>"}
    if not os.environ.get(RENDER_ENV):
        bundle["application/vnd.plotly.v1+json"] = {**spec, "config": PLOTLY_CONFIG}
    display(bundle, raw=True)


def _target_shape(value: float, text: str) -> tuple[dict, dict]:
    """A dashed target line across the plot and its label right of it (figure dicts)."""
    line = {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": value,
        "y1": value,
        "line": {"dash": "dash", "color": COLOURS["target"], "width": 2},
    }
    label = {
        "text": text.replace(" ", "<br>", 1),
        "xref": "paper",
        "x": 1,
        "xanchor": "left",
        "yref": "y",
        "y": value,
        "showarrow": False,
        "font": {"color": COLOURS["target"]},
    }
    return line, label


def month_labels(months) -> list[str]:
    return [tf.month_be(m, abbr=True, short_year=True) for m in months]


def _target_line(fig: go.Figure, value: float, text: str, horizontal: bool = True) -> None:
    style = dict(line_dash="dash", line_color=COLOURS["target"], line_width=2)
    if horizontal:  # the label right of the plot, where no bar can sit under it
        fig.add_hline(
            y=value,
            annotation_text=text.replace(" ", "<br>", 1),
            annotation_position="right",
            annotation_font_color=COLOURS["target"],
            **style,
        )
        fig.update_layout(margin=dict(r=90))
    else:
        fig.add_vline(
            x=value, annotation_text=text, annotation_position="top", annotation_font_color=COLOURS["target"], **style
        )


def rate_trend(df, months, target_rate: float, title_text: str) -> dict:
    """Practising rate per month of the fiscal year so far, bars against the target line."""
    by_month = {tf.parse_month(r["month"]): r for r in records(df)}
    y, colours, text, hover = [], [], [], []
    for m in months:
        r = by_month.get(m)
        rate = None if r is None or tf.is_missing(r["practising_rate"]) else float(r["practising_rate"]) * 100
        y.append(rate if rate is not None else 0)
        colours.append(COLOURS["good"] if rate is not None and rate >= target_rate * 100 else COLOURS["warn"])
        text.append(tf.percent(rate) if rate is not None else "ไม่มีข้อมูล")
        hover.append(
            f"ประกอบอาชีพ {tf.number(r['households_practising'])} จาก "
            f"{tf.number(r['households_reported'])} ครัวเรือนที่รายงาน"
            if r is not None
            else "ไม่มีข้อมูล"
        )
    line, label = _target_shape(target_rate * 100, f"เป้าหมาย {tf.percent(target_rate, 0, ratio=True)}")
    bar = {
        "type": "bar",
        "x": month_labels(months),
        "y": y,
        "marker": {"color": colours},
        "text": text,
        "textposition": "outside",
        "hovertext": hover,
        "hoverinfo": "x+text",
        "name": "ร้อยละที่ประกอบอาชีพ",
    }
    return {
        "data": [bar],
        "layout": {
            "title": {"text": title_text},
            "shapes": [line],
            "annotations": [label],
            "margin": {"r": 90},
            "yaxis": {"title": {"text": "ร้อยละ"}, "range": [0, 110], "ticksuffix": "%"},
            "xaxis": {"title": {"text": ""}, "type": "category"},
            "showlegend": False,
        },
    }


def income_trend(df, months, target_pct: float, title_text: str) -> dict:
    """Mean income of practising households against their mean income before, per month."""
    by_month = {tf.parse_month(r["month"]): r for r in records(df)}
    x = month_labels(months)

    def col(name):
        return [
            None if by_month.get(m) is None or tf.is_missing(by_month[m][name]) else float(by_month[m][name])
            for m in months
        ]

    before, after, change = col("avg_income_before"), col("avg_income"), col("income_change_pct")
    target = [b * (1 + target_pct / 100) if b is not None else None for b in before]
    top = max([v for v in before + after + target if v is not None] or [1])
    data = [
        {
            "type": "bar",
            "x": x,
            "y": before,
            "name": "รายได้เฉลี่ยก่อนฝึกอาชีพ",
            "marker": {"color": COLOURS["muted"]},
            "hovertemplate": "%{y:,.2f} บาท<extra>ก่อนฝึก</extra>",
        },
        {
            "type": "bar",
            "x": x,
            "y": after,
            "name": "รายได้เฉลี่ยเดือนนั้น",
            "marker": {"color": COLOURS["main"]},
            "text": [tf.signed_percent(c) if c is not None else "" for c in change],
            "textposition": "outside",
            "hovertemplate": "%{y:,.2f} บาท<extra>หลังฝึก</extra>",
        },
        {
            "type": "scatter",
            "x": x,
            "y": target,
            "name": f"เป้าหมาย (เพิ่ม {tf.number(target_pct, 0)}%)",
            "mode": "markers",
            "hovertemplate": "%{y:,.2f} บาท<extra>เป้าหมาย</extra>",
            "marker": {
                "symbol": "line-ew-open",
                "size": 38,
                "color": COLOURS["target"],
                "line": {"width": 3, "color": COLOURS["target"]},
            },
        },
    ]
    return {
        "data": data,
        "layout": {
            "title": {"text": title_text},
            "barmode": "group",
            "bargap": 0.35,
            "margin": {"b": 90},
            "yaxis": {"title": {"text": "บาท/เดือน"}, "tickformat": ",.0f", "range": [0, round(top * 1.18, 2)]},
            "xaxis": {"type": "category"},
        },
    }


def ranking(
    df,
    label: str,
    value: str,
    target: float,
    title_text: str,
    percent_of_ratio: bool = False,
    hover: str | None = None,
    signed: bool = False,
) -> go.Figure:
    """Areas ranked by a KPI, horizontal bars coloured by the target, the target as a line."""
    d = df.dropna(subset=[value]).copy()
    vals = [float(v) * (100 if percent_of_ratio else 1) for v in d[value]]
    tgt = target * (100 if percent_of_ratio else 1)
    order = sorted(range(len(vals)), key=lambda i: vals[i])
    labels = [str(d[label].iloc[i]) for i in order]
    xs = [vals[i] for i in order]
    fmt = tf.signed_percent if signed else tf.percent
    fig = go.Figure(
        go.Bar(
            x=xs,
            y=labels,
            orientation="h",
            text=[fmt(v) for v in xs],
            textposition="outside",
            marker_color=[COLOURS["good"] if v >= tgt else COLOURS["warn"] for v in xs],
            hovertext=[str(d[hover].iloc[i]) for i in order] if hover else None,
            hoverinfo="text+y" if hover else "x+y",
        )
    )
    _target_line(fig, tgt, f"เป้าหมาย {tf.number(tgt, 0)}%", horizontal=False)
    lo = min(xs + [0, tgt])
    hi = max(xs + [tgt])
    span = hi - lo or 1
    many = len(xs) > 30  # a district of 90 villages: smaller type, every name shown
    fig.update_traces(textfont_size=11 if many else 14)
    fig.update_layout(
        title=title_text,
        showlegend=False,
        height=max(280, 110 + (18 if many else 26) * len(xs)),
        xaxis=dict(ticksuffix="%", range=[round(lo - (0.15 * span if lo < 0 else 0), 2), round(hi + 0.18 * span, 2)]),
        yaxis=dict(type="category", automargin=True, dtick=1, tickfont_size=12 if many else 15),
        margin=dict(l=10),
    )
    return fig


def occupation_chart(df, title_text: str) -> dict:
    """Households per occupation group: practising / not practising / not reported (stacked)."""
    groups = [str(g) for g in df["group_th"]]
    data = [
        {
            "type": "bar",
            "y": groups,
            "x": [int(v) for v in df[col]],
            "name": name,
            "orientation": "h",
            "marker": {"color": colour},
            "text": [int(v) if v else "" for v in df[col]],
            "textposition": "inside",
        }
        for col, name, colour in (
            ("practising", "ประกอบอาชีพ", COLOURS["good"]),
            ("not_practising", "ไม่ได้ประกอบอาชีพ", COLOURS["warn"]),
            ("not_reported", "ยังไม่รายงาน", COLOURS["muted"]),
        )
    ]
    return {
        "data": data,
        "layout": {
            "title": {"text": title_text},
            "barmode": "stack",
            "height": max(260, 150 + 45 * len(df)),
            "margin": {"b": 80},
            "legend": {"traceorder": "normal"},
            "xaxis": {"dtick": 2},
            "yaxis": {"type": "category", "automargin": True},
        },
    }


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
    lo, hi = np.percentile(x, [1, 99]) if len(x) >= 100 else (x.min(), x.max())
    lo, hi = min(lo, 0.0, target_pct), max(hi, target_pct, 0.0)
    step = _nice_step(hi - lo)
    start, end = math.floor(lo / step) * step, (math.floor(hi / step) + 1) * step
    edges = np.arange(start, end + step / 2, step)
    counts, _ = np.histogram(np.clip(x, start, end - step / 2), bins=edges)
    left, right = edges[:-1], edges[1:]
    colours = [
        COLOURS["good"] if a >= target_pct else COLOURS["bad"] if b <= 0 else COLOURS["warn"]
        for a, b in zip(left, right)
    ]
    hover = [f"{tf.signed_percent(a)} ถึง {tf.signed_percent(b)}: {n} ครัวเรือน" for a, b, n in zip(left, right, counts)]
    fig.add_bar(
        x=(left + right) / 2,
        y=counts,
        width=step * 0.92,
        marker_color=colours,
        hovertext=hover,
        hoverinfo="text",
        text=[str(n) if n else "" for n in counts],
        textposition="outside",
        name="ครัวเรือน",
    )
    fig.add_vline(
        x=target_pct,
        line_dash="dash",
        line_color=COLOURS["target"],
        line_width=2,
        annotation_text=f"เป้าหมาย {tf.signed_percent(target_pct, 0)}",
        annotation_position="top left",
        annotation_font_color=COLOURS["target"],
    )
    if median is not None:
        fig.add_vline(
            x=median,
            line_color=COLOURS["main"],
            line_width=2,
            annotation_text=f"มัธยฐาน {tf.signed_percent(median)}",
            annotation_position="top right",
            annotation_font_color=COLOURS["main"],
        )
    clipped = int((x < start).sum() + (x >= end).sum())
    fig.update_layout(
        title=title_text,
        showlegend=False,
        bargap=0,
        xaxis=dict(title="รายได้เปลี่ยนแปลงจากก่อนฝึกอาชีพ (%)", ticksuffix="%"),
        yaxis=dict(title="จำนวนครัวเรือน", rangemode="tozero", range=[0, int(counts.max()) * 1.22 + 1]),
        margin=dict(b=80 if clipped else 50),
    )
    if clipped:
        fig.add_annotation(
            text=f"ค่าที่อยู่นอกช่วง {clipped} ครัวเรือน นับรวมไว้ที่แท่งริมสุด",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0,
            y=-0.28,
            xanchor="left",
            font_size=13,
        )
    return fig


def change_boxes(df, label: str, title_text: str, target_pct: float) -> go.Figure:
    """A box per area (quartiles and whiskers computed here: the page carries no raw values)."""
    import numpy as np

    fig = go.Figure()
    groups = [
        (str(k), np.array([float(v) for v in part["change_pct"] if not tf.is_missing(v)]))
        for k, part in df.groupby(label, sort=True)
    ]
    groups = [(k, x) for k, x in groups if len(x)]
    if not groups:
        return fig
    q1, med, q3, low, high, mean = ([] for _ in range(6))
    for _, x in groups:
        a, m, b = np.percentile(x, [25, 50, 75])
        q1.append(a)
        med.append(m)
        q3.append(b)
        mean.append(float(x.mean()))
        low.append(float(x[x >= a - 1.5 * (b - a)].min()))
        high.append(float(x[x <= b + 1.5 * (b - a)].max()))
    fig.add_box(
        y=[k for k, _ in groups],
        q1=q1,
        median=med,
        q3=q3,
        lowerfence=low,
        upperfence=high,
        mean=mean,
        orientation="h",
        marker_color=COLOURS["main"],
        boxpoints=False,
        name="",
        hoverinfo="y+x",
    )
    _target_line(fig, target_pct, f"เป้าหมาย {tf.signed_percent(target_pct, 0)}", horizontal=False)
    fig.update_layout(
        title=title_text,
        showlegend=False,
        height=max(260, 120 + 34 * len(groups)),
        xaxis=dict(title="รายได้เปลี่ยนแปลงจากก่อนฝึกอาชีพ (%)", ticksuffix="%"),
        yaxis=dict(type="category", automargin=True, autorange="reversed"),
    )
    return fig
