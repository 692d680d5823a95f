"""Impact a planner can defend: compared with what, for whom, and whether it lasts.

- Funnel plots: each village's (or district's) practising share against its number of
  reporting households, with the 95 % and 99.8 % limits around the province's share
  (``village_funnel``); the units outside the limits are named, the rest told apart in words.
- Who it works for: the measures by group (``outcome_sums``, the sums behind
  ``outcome_by_group``) with a Wilson interval for the share and a delta-method interval for
  the income change, "too few households to tell" where that is so, and whether a group
  differs from the rest by more than chance.
- Whether it lasts: the measures by months since training, household-months pooled.
- Year on year: the report month against the same month a year before (another cohort).

Each section's first sentence is built from the numbers, for a planner to paste into a letter.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go

from pipelines.report.kit.charts import COLOURS
from pipelines.report.kit.labels import GROUP_TH, ROLE_TH
from pipelines.report.kit.queries import _area, query
from pipelines.report.kit.rows import records
from pipelines.report.kit.stats import ChangeCI, change_ci, changes_differ, shares_differ, wilson
from pipelines.thai import fmt as tf

Z95, Z998 = 1.959964, 3.090232
TOO_FEW = 20  # fewer households than this: a share or a change says too little to tell
POSITION_TH = {
    "alarm_low": "ต่ำกว่าจังหวัดเกินความบังเอิญ (นอกขอบเขต 99.8%)",
    "warning_low": "ต่ำกว่าขอบเขต 95% (อาจเป็นความบังเอิญได้)",
    "within": "อยู่ในขอบเขต",
    "warning_high": "สูงกว่าขอบเขต 95% (อาจเป็นความบังเอิญได้)",
    "alarm_high": "สูงกว่าจังหวัดเกินความบังเอิญ (นอกขอบเขต 99.8%)",
}
SUMS = ["income_n", "sum_income", "sum_before", "sum_income2", "sum_before2", "sum_income_before"]


# ----------------------------------------------------------------------------- funnel plots


def village_funnel(con, fy: int, month, level: str, code: str):
    """village_funnel for the area's villages in the month, with their names."""
    return query(
        con,
        f"""
        SELECT f.*, v.village_name, v.village_no, v.subdistrict_name, v.district_name
        FROM village_funnel f JOIN village v USING (village_code)
        WHERE v.{_area(level)} = $code AND f.fiscal_year = $fy AND f.month = $month
        ORDER BY f.practising_rate, f.village_code""",
        code=code,
        fy=fy,
        month=tf.parse_month(month),
    )


def district_funnel(con, fy: int, month, province: str):
    """The province's districts in the month as village_funnel places villages: the same
    limits around the province's share, for each district's number of reporting households."""
    return query(
        con,
        """
        WITH d AS (
            SELECT v.district_code, any_value(v.district_name) AS district_name,
                   sum(m.households_reported) AS households_reported,
                   sum(m.households_practising) AS households_practising
            FROM village_month m JOIN village v USING (village_code)
            WHERE v.province_code = $code AND m.fiscal_year = $fy AND m.month = $month AND m.households_reported > 0
            GROUP BY v.district_code
        ),
        p AS (SELECT sum(households_practising)::DOUBLE / sum(households_reported) AS province_rate FROM d),
        l AS (
            SELECT d.*, households_practising::DOUBLE / households_reported AS practising_rate, p.province_rate,
                   sqrt(p.province_rate * (1 - p.province_rate) / households_reported) AS se
            FROM d, p
        )
        SELECT *, greatest(0.0, province_rate - $z95 * se) AS lower95,
               least(1.0, province_rate + $z95 * se) AS upper95,
               greatest(0.0, province_rate - $z998 * se) AS lower998,
               least(1.0, province_rate + $z998 * se) AS upper998,
               CASE WHEN practising_rate < province_rate - $z998 * se THEN 'alarm_low'
                    WHEN practising_rate < province_rate - $z95 * se THEN 'warning_low'
                    WHEN practising_rate > province_rate + $z998 * se THEN 'alarm_high'
                    WHEN practising_rate > province_rate + $z95 * se THEN 'warning_high'
                    ELSE 'within' END AS position
        FROM l ORDER BY practising_rate""",
        code=province,
        fy=fy,
        month=tf.parse_month(month),
        z95=Z95,
        z998=Z998,
    )


def funnel_chart(df, label: str, title_text: str) -> go.Figure:
    """Practising share against reporting households, with the funnel's 95 % and 99.8 % limits
    around the province's share; points outside the 99.8 % limits are named."""
    fig = go.Figure()
    if df.empty:
        return fig
    p = float(df.province_rate.iloc[0])
    top = max(float(df.households_reported.max()) * 1.15, 10.0)
    bottom = max(1.0, float(df.households_reported.min()) * 0.5)
    ns = [bottom + (top - bottom) * i / 120 for i in range(121)]
    plotted = list(100 * df.practising_rate)
    for z, dash, name in ((Z998, "dot", "ขอบเขต 99.8%"), (Z95, "dash", "ขอบเขต 95%")):
        for sign in (1, -1):
            ys = [100 * min(1.0, max(0.0, p + sign * z * (p * (1 - p) / n) ** 0.5)) for n in ns]
            plotted += ys
            fig.add_scatter(
                x=ns,
                y=ys,
                mode="lines",
                line=dict(color=COLOURS["muted"], dash=dash, width=1.5),
                name=name,
                showlegend=sign == 1,
                hoverinfo="skip",
            )
    fig.add_hline(y=100 * p, line_color=COLOURS["main"], line_width=1.5)
    colour = {
        "alarm_low": COLOURS["bad"],
        "warning_low": COLOURS["warn"],
        "within": COLOURS["main"],
        "warning_high": COLOURS["warn"],
        "alarm_high": COLOURS["good"],
    }
    named = df.position.isin(["alarm_low", "alarm_high"])
    if named.sum() > 6:  # too many names to read on the chart: the table below names them
        named = named & False
    fig.add_scatter(
        x=df.households_reported,
        y=100 * df.practising_rate,
        mode="markers+text",
        marker=dict(color=[colour[v] for v in df.position], size=8, opacity=0.75),
        text=[str(lbl) if n else "" for lbl, n in zip(df[label], named)],
        textposition="middle right",
        textfont_size=12,
        hovertext=[
            f"{lbl}: {tf.percent(r, ratio=True)} ({tf.number(x)} จาก {tf.number(n)} ครัวเรือน)"
            for lbl, r, x, n in zip(df[label], df.practising_rate, df.households_practising, df.households_reported)
        ],
        hoverinfo="text",
        name="ร้อยละที่ประกอบอาชีพ",
        showlegend=False,
    )
    fig.update_layout(
        title=title_text,
        xaxis=dict(title="จำนวนครัวเรือนที่รายงาน", range=[0, top]),
        yaxis=dict(
            title="ร้อยละที่ประกอบอาชีพ",
            ticksuffix="%",
            range=[max(0.0, min(plotted) - 3), min(105.0, max(plotted) + 3)],
        ),
        legend=dict(orientation="h", y=-0.22),
        margin=dict(b=90),
    )
    fig.add_annotation(
        text=f"จังหวัด {tf.percent(p, ratio=True)}",
        x=top,
        y=100 * p,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        font_color=COLOURS["main"],
    )
    return fig


def funnel_lead(df, unit: str, month_th: str) -> str:
    """One sentence: which units differ from the province by more than chance, and the rest."""
    if df.empty:
        return f"ยังไม่มี{unit}ที่รายงานผลเดือน{month_th}"
    p = float(df.province_rate.iloc[0])
    counts = df.position.value_counts()
    low, high = df[df.position == "alarm_low"], df[df.position == "alarm_high"]
    warn = int(counts.get("warning_low", 0) + counts.get("warning_high", 0))
    within = int(counts.get("within", 0))
    parts = [f"เดือน{month_th} ครัวเรือนประกอบอาชีพ {tf.percent(p, ratio=True)} ทั้งจังหวัด"]
    if len(low):
        parts.append(f"{unit}ที่ต่ำกว่าจังหวัดเกินกว่าจะเป็นความบังเอิญ (นอกขอบเขต 99.8%) มี {tf.number(len(low))} แห่ง")
    if len(high):
        parts.append(f"{unit}ที่สูงกว่าจังหวัดเกินกว่าจะเป็นความบังเอิญ {tf.number(len(high))} แห่ง")
    if not len(low) and not len(high):
        parts.append(f"ไม่มี{unit}ใดต่างจากจังหวัดเกินกว่าที่ความบังเอิญจะทำให้เกิดได้")
    if warn:
        parts.append(f"อีก {tf.number(warn)} แห่งอยู่นอกขอบเขต 95% ซึ่งเกิดได้โดยบังเอิญราว 1 ใน 20 จึงยังไม่ควรสรุปว่าต่างจริง")
    parts.append(f"ที่เหลือ {tf.number(within)} แห่งไม่ต่างจากจังหวัดเกินความบังเอิญ แม้ร้อยละจะไม่เท่ากัน")
    return " · ".join(parts)


def funnel_note() -> str:
    return (
        "อ่านกราฟ: จุดหนึ่งจุดคือหนึ่งพื้นที่ แกนนอนคือจำนวนครัวเรือนที่รายงาน เส้นประคือขอบเขตที่ร้อยละของพื้นที่ขนาดนั้น"
        "จะแกว่งไปได้เองโดยบังเอิญรอบค่าของจังหวัด (95% และ 99.8%) พื้นที่เล็กแกว่งได้มากกว่า จึงไม่ควรจัดอันดับด้วยร้อยละอย่างเดียว "
        "จุดที่อยู่นอกเส้น 99.8% คือพื้นที่ที่ต่างจากจังหวัดจริง ควรไปดูว่าเกิดอะไรขึ้น"
    )


# ----------------------------------------------------------------------------- who it works for


def _area_filter(level: str) -> str:
    return {"province": "province_code = $code", "district": "district_code = $code"}[level]


def _measures(households: int, practising: int, rate, ci) -> dict:
    """A row's measures with both 95 % intervals: the practising share (Wilson) and the income
    change (``ci``), and whether the households are too few to tell."""
    lo, hi = wilson(practising, households)
    return {
        "households": households,
        "practising": practising,
        "rate": rate,
        "rate_low": lo,
        "rate_high": hi,
        "change": ci.change,
        "change_low": ci.low,
        "change_high": ci.high,
        "change_se": ci.se,
        "too_few": households < TOO_FEW,
    }


def group_outcomes(con, fy: int, month, level: str, code: str, dimension: str, *, months=None):
    """The measures of an area's households by one dimension (outcome_sums added over the
    area's districts and, with ``months``, over those months: household-months), each with
    its Wilson interval, its income change with its interval, and whether it differs from
    the rest of the area by more than chance."""
    import pandas as pd

    when = "month IN (SELECT unnest($months))" if months is not None else "fiscal_year = $fy AND month = $month"
    params = {"code": code, "dimension": dimension}
    if months is not None:
        params["months"] = [tf.parse_month(m) for m in months]
    else:
        params.update(fy=fy, month=tf.parse_month(month))
    df = query(
        con,
        f"""
        SELECT group_value, sum(households_reported)::BIGINT AS n, sum(households_practising)::BIGINT AS x,
               {", ".join(f"sum({c}) AS {c}" for c in SUMS)}
        FROM outcome_sums
        WHERE {_area_filter(level)} AND dimension = $dimension AND {when}
        GROUP BY group_value ORDER BY n DESC, group_value""",
        **params,
    )
    total = df[["n", "x", *SUMS]].sum()
    all_ci = _ci(total)
    rows = []
    for r in records(df):
        ci = _ci(r)
        rest = {c: float(total[c]) - float(r[c] or 0) for c in ["n", "x", *SUMS]}
        rows.append(
            {
                "group_value": r["group_value"],
                **_measures(int(r["n"]), int(r["x"]), r["x"] / r["n"] if r["n"] else None, ci),
                "rate_differs": shares_differ(int(r["x"]), int(r["n"]), int(rest["x"]), int(rest["n"])),
                "change_differs": changes_differ(ci, _ci(rest)),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["total"] = {
        "households": int(total["n"]),
        "rate": float(total["x"] / total["n"]) if total["n"] else None,
        "change": all_ci,
    }
    return out


def _ci(r) -> ChangeCI:
    return change_ci(int(r["income_n"] or 0), *(r[c] for c in SUMS[1:]))


def group_labels(con, df, dimension: str) -> list[str]:
    """Thai names for a dimension's group values (trainers named, their IDs masked)."""
    if dimension == "occupation_group":
        return [GROUP_TH.get(v, "ไม่ทราบ") if not tf.is_missing(v) else "ไม่ทราบ" for v in df.group_value]
    if dimension == "trainer_role":
        return [
            (ROLE_TH.get(v, v) + ("" if v == "sage" else " (ทีม 4 คน)")) if not tf.is_missing(v) else "ไม่ทราบ"
            for v in df.group_value
        ]
    if dimension == "district_code":
        names = dict(con.execute("SELECT DISTINCT district_code, district_name FROM village").fetchall())
        return [f"อ.{names.get(v, v)}" for v in df.group_value]
    if dimension == "trainer":
        names = dict(
            con.execute(
                "SELECT citizen_id, any_value(full_name) FROM trainer "
                "WHERE citizen_id IN (SELECT unnest($ids)) GROUP BY 1",
                {"ids": [v for v in df.group_value if not tf.is_missing(v)]},
            ).fetchall()
        )
        return [f"{names.get(v, 'ไม่ทราบชื่อ')} ({tf.mask_citizen_id(v)})" for v in df.group_value]
    if dimension == "months_since_training":
        return [f"{v} เดือน" if not tf.is_missing(v) else "ไม่ทราบ" for v in df.group_value]
    return ["ไม่ทราบ" if tf.is_missing(v) else str(v) for v in df.group_value]


def share_text(r) -> str:
    if tf.is_missing(r["rate"]):
        return tf.DASH
    low, high = (tf.percent(r[k], 0, ratio=True) for k in ("rate_low", "rate_high"))
    return f"{tf.percent(r['rate'], ratio=True)} ({low}–{high})"


def change_text(r) -> str:
    if tf.is_missing(r["change"]):
        return tf.DASH
    if tf.is_missing(r["change_low"]):
        return tf.signed_percent(r["change"])
    low, high = (tf.signed_percent(r[k]) for k in ("change_low", "change_high"))
    return f"{tf.signed_percent(r['change'])} ({low} ถึง {high})"


def verdict(r) -> str:
    """What a planner may say of a group against the rest, in plain words."""
    if r["too_few"]:
        return f"ครัวเรือนน้อยเกินกว่าจะบอกได้ (ต่ำกว่า {TOO_FEW})"
    said = []
    if r.get("rate_differs"):
        said.append("ประกอบอาชีพ" + ("สูง" if r["rate"] > r["_rest_rate"] else "ต่ำ") + "กว่ากลุ่มอื่นจริง")
    if r.get("change_differs"):
        said.append("รายได้เพิ่ม" + ("มาก" if r["change"] > r["_rest_change"] else "น้อย") + "กว่ากลุ่มอื่นจริง")
    return " · ".join(said) or "ไม่ต่างเกินความบังเอิญ"


def group_table(
    dl, name: str, df, label_header: str, caption: str = "", limit: int | None = None, links=None, sortable=None
) -> str:
    """A group's measures with their intervals, and what may be said of it (page and .xlsx)."""
    from pipelines.report.kit.html import CHANGE, INT, RATE, Fmt

    total = df.attrs.get("total", {})
    rest_rate, rest_change = [], []
    for r in records(df):
        n_rest = total.get("households", 0) - r["households"]
        x_rest = (total.get("rate") or 0) * total.get("households", 0) - r["practising"]
        rest_rate.append(x_rest / n_rest if n_rest else r["rate"])
        all_change = total.get("change")
        rest_change.append(all_change.change if all_change is not None and all_change.change is not None else 0.0)
    d = df.assign(_rest_rate=rest_rate, _rest_change=rest_change)
    d = d.assign(
        share=[share_text(r) for r in records(d)],
        change_txt=[change_text(r) for r in records(d)],
        verdict=[verdict(r) for r in records(d)],
    )
    pct = Fmt(tf.signed_percent, "+0.0%;-0.0%;0.0%", lambda v: None if tf.is_missing(v) else float(v) / 100)
    columns = {
        "label": label_header,
        "households": "ครัวเรือนที่รายงาน",
        "share": "ประกอบอาชีพ (ช่วงความเชื่อมั่น 95%)",
        "change_txt": "รายได้เปลี่ยนแปลง (ช่วงความเชื่อมั่น 95%)",
        "verdict": "สรุปได้ว่า",
    }
    if "rate_differs" not in df.columns:  # rows not told apart from a rest (a year and the year before)
        columns.pop("verdict")
    return dl.table(
        name,
        d,
        columns,
        xlsx_columns={
            "label": label_header,
            "households": "ครัวเรือนที่รายงาน",
            "practising": "ครัวเรือนที่ประกอบอาชีพ",
            "rate": "ร้อยละที่ประกอบอาชีพ",
            "rate_low": "ขอบล่าง 95%",
            "rate_high": "ขอบบน 95%",
            "change": "รายได้เปลี่ยนแปลง",
            "change_low": "ขอบล่าง 95% (รายได้)",
            "change_high": "ขอบบน 95% (รายได้)",
            "verdict": "สรุปได้ว่า",
        },
        formats={
            "households": INT,
            "practising": INT,
            "rate": RATE,
            "rate_low": RATE,
            "rate_high": RATE,
            "change": CHANGE,
            "change_low": pct,
            "change_high": pct,
        },
        numeric=["households", "share", "change_txt"],
        row_class=lambda r: "muted" if r["too_few"] else "",
        caption=caption,
        limit=limit,
        links=links,
        sortable=sortable,
        sheet=name[:31],
    )


def group_lead(df, what: str) -> str:
    """ "กลุ่มแปรรูปมีรายได้เพิ่มขึ้นมากที่สุด +12 % (ช่วงความเชื่อมั่น 95 %: 9–15 %, 310 ครัวเรือน)", and
    whether that is more than chance."""
    enough = df[~df.too_few & df.change.notna()]
    if enough.empty:
        return f"ยังมีครัวเรือนไม่พอจะเปรียบเทียบราย{what}"
    best = enough.sort_values("change", ascending=False).iloc[0]
    worst = enough.sort_values("change").iloc[0]
    text = (
        f"{best.label}มีรายได้เพิ่มขึ้นมากที่สุด {tf.signed_percent(best.change)} (ช่วงความเชื่อมั่น 95%: "
        f"{tf.signed_percent(best.change_low)} ถึง {tf.signed_percent(best.change_high)}, "
        f"{tf.number(best.households)} ครัวเรือน)"
    )
    if len(enough) > 1:
        a, b = (ChangeCI(0, x.change, None, None, x.change_se) for x in (best, worst))
        differ = changes_differ(a, b)
        text += f" ส่วน{worst.label}เพิ่มขึ้นน้อยที่สุด {tf.signed_percent(worst.change)}" + (
            " ความต่างนี้มากเกินกว่าจะเป็นความบังเอิญ" if differ else " แต่ความต่างนี้ยังอยู่ในระดับที่เกิดได้โดยบังเอิญ"
        )
    rates = enough.sort_values("rate")
    low, high = rates.iloc[0], rates.iloc[-1]
    if len(enough) > 1:
        differ = shares_differ(int(low.practising), int(low.households), int(high.practising), int(high.households))
        text += (
            f" · ประกอบอาชีพ {tf.percent(low.rate, ratio=True)} ({low.label}) ถึง {tf.percent(high.rate, ratio=True)} "
            f"({high.label})" + (" ต่างกันจริง" if differ else " ไม่ต่างกันเกินความบังเอิญ")
        )
    return text


# ----------------------------------------------------------------------------- whether it lasts


def lasting_chart(df, title_text: str) -> go.Figure:
    """Practising share (with its interval) and income change by months since training."""
    d = df[df.group_value.notna()].copy()
    d["m"] = d.group_value.astype(int)
    d = d[d.m >= 0].sort_values("m")
    fig = go.Figure()
    fig.add_scatter(
        x=d.m,
        y=100 * d.rate,
        mode="lines+markers",
        name="ร้อยละที่ประกอบอาชีพ",
        line_color=COLOURS["main"],
        error_y=dict(
            type="data",
            symmetric=False,
            array=100 * (d.rate_high - d.rate),
            arrayminus=100 * (d.rate - d.rate_low),
            color=COLOURS["main"],
            thickness=1,
        ),
        hovertext=[
            f"{m} เดือน: {share_text(r)}; {tf.number(r['households'])} ครัวเรือน-เดือน" for m, r in zip(d.m, records(d))
        ],
        hoverinfo="text",
    )
    fig.add_bar(
        x=d.m,
        y=d.change,
        name="รายได้เปลี่ยนแปลง (%)",
        marker_color=COLOURS["good"],
        opacity=0.45,
        yaxis="y2",
        hovertext=[change_text(r) for r in records(d)],
        hoverinfo="text",
    )
    fig.update_layout(
        title=title_text,
        xaxis=dict(title="จำนวนเดือนหลังฝึกอาชีพ", dtick=1),
        yaxis=dict(title="ร้อยละที่ประกอบอาชีพ", ticksuffix="%", range=[0, 105]),
        yaxis2=dict(
            title="รายได้เปลี่ยนแปลง", ticksuffix="%", tickformat=".0f", overlaying="y", side="right", showgrid=False
        ),
        legend=dict(orientation="h", y=-0.25),
        margin=dict(b=100, r=60),
    )
    return fig


def lasting_lead(df) -> str:
    d = df[df.group_value.notna()].copy()
    if d.empty:
        return "ยังไม่มีข้อมูลพอจะดูว่าครัวเรือนประกอบอาชีพต่อเนื่องหรือไม่"
    d["m"] = d.group_value.astype(int)
    d = d[d.m >= 0]
    early = d[d.m <= 2]
    late = d[d.m >= max(3, int(d.m.max()) - 2)]
    if early.empty or late.empty or int(d.m.max()) < 3:
        return f"ข้อมูลยังครอบคลุมเพียง {int(d.m.max()) + 1} เดือนแรกหลังฝึกอาชีพ ยังบอกไม่ได้ว่าครัวเรือนจะประกอบอาชีพต่อเนื่องหรือไม่"
    xe, ne, xl, nl = early.practising.sum(), early.households.sum(), late.practising.sum(), late.households.sum()
    lo, hi = int(late.m.min()), int(late.m.max())
    differ = shares_differ(int(xe), int(ne), int(xl), int(nl))
    trend = "ลดลง" if xl / nl < xe / ne else "เพิ่มขึ้น"
    return (
        f"ครัวเรือนที่ฝึกอาชีพมาแล้ว {lo}–{hi} เดือน ยังประกอบอาชีพ {tf.percent(xl / nl, ratio=True)} "
        f"เทียบกับ {tf.percent(xe / ne, ratio=True)} ในสามเดือนแรกหลังฝึก "
        + (f"({trend}จริง เกินกว่าความบังเอิญ)" if differ else "(ความต่างอยู่ในระดับที่เกิดได้โดยบังเอิญ)")
    )


# ----------------------------------------------------------------------------- year on year


def a_year_before(month) -> dt.date:
    m = tf.parse_month(month)
    return m.replace(year=m.year - 1)


def year_on_year(con, fy: int, month, level: str, code: str):
    """The area's measures in the report month and in the same month a year before (the
    previous fiscal year's households: another cohort)."""
    import pandas as pd

    rows = []
    for when, year in ((tf.parse_month(month), fy), (a_year_before(month), fy - 1)):
        df = group_outcomes(con, year, when, level, code, "district_code")
        t = df.attrs["total"] if len(df) else {"households": 0, "rate": None, "change": ChangeCI(0, None, None, None)}
        x = int(df.practising.sum()) if len(df) else 0
        rows.append(
            {
                "label": f"{tf.month_be(when)} (ครัวเรือนรุ่นปีงบประมาณ {year})",
                **_measures(t["households"], x, t["rate"], t["change"]),
            }
        )
    return pd.DataFrame(rows)


def year_on_year_lead(df) -> str:
    now, before = df.iloc[0], df.iloc[1]
    if not before.households:
        return f"ยังไม่มีข้อมูลของเดือนเดียวกันในปีก่อน ({before.label.split(' (')[0]}) ให้เปรียบเทียบ"
    rate_differ = shares_differ(
        int(now.practising), int(now.households), int(before.practising), int(before.households)
    )
    a, b = (ChangeCI(0, r.change, None, None, r.change_se) for r in (now, before))
    change_differ = changes_differ(a, b)
    return (
        f"ครัวเรือนประกอบอาชีพ {tf.percent(now.rate, ratio=True)} เทียบกับ {tf.percent(before.rate, ratio=True)} "
        f"ในเดือนเดียวกันของปีก่อน"
        + (" (ต่างกันจริง)" if rate_differ else " (ไม่ต่างกันเกินความบังเอิญ)")
        + f" · รายได้เพิ่มขึ้น {tf.signed_percent(now.change)} เทียบกับ {tf.signed_percent(before.change)}"
        + (" (ต่างกันจริง)" if change_differ else " (ไม่ต่างกันเกินความบังเอิญ)")
        + " · สองปีเป็นครัวเรือนคนละรุ่น ฝึกอาชีพเมื่อต้นปีงบประมาณของตน"
    )


def returning_households(con, fy: int, level: str, code: str) -> int:
    """This year's households that were in the previous fiscal year's cohort too (by ID)."""
    return con.execute(
        f"""SELECT count(*) FROM household h JOIN village v USING (village_code)
            WHERE v.{_area(level)} = $code AND h.fiscal_year = $fy AND h.citizen_id IN
                  (SELECT citizen_id FROM household WHERE fiscal_year = $fy - 1)""",
        {"code": code, "fy": fy},
    ).fetchone()[0]
