"""Household incomes on the page: the distribution cards and table, how they are computed
(in Thai), the basic-needs (จปฐ.) line, and why a household needs a visit."""

from __future__ import annotations

from pipelines.report.kit.html import CHANGE, INT, RATE, Card, kpi_cards, status_of
from pipelines.report.kit.session import programme
from pipelines.report.kit.stats import IncomeSummary
from pipelines.report.kit.xlsx import Downloads
from pipelines.thai import fmt as tf


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
        reasons.append(
            f"ไม่ได้ประกอบอาชีพ 2 เดือนติดต่อกัน ({tf.month_be(prev_month, abbr=True, short_year=True)}"
            f" และ {tf.month_be(month, abbr=True, short_year=True)})"
        )
    income, prev, before = rec.get("income"), rec.get("prev_income"), rec.get("income_before")
    if not tf.is_missing(income):
        if not tf.is_missing(prev) and float(income) < float(prev):
            reasons.append("รายได้ลดลงจากเดือนก่อน")
        if not tf.is_missing(before) and float(income) < float(before):
            reasons.append("รายได้ต่ำกว่าก่อนฝึกอาชีพ")
    return reasons


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
    return kpi_cards(
        [
            Card(
                "มัธยฐานของรายได้ที่เปลี่ยนแปลง",
                tf.signed_percent(s.median),
                f"ครึ่งหนึ่งของ {tf.number(ci.n)} ครัวเรือนมีรายได้เพิ่มขึ้นอย่างน้อยเท่านี้ · เป้าหมาย ≥ {tf.number(target_pct, 0)}%",
                status_of(s.median, target_pct),
            ),
            Card(
                "ครัวเรือนที่รายได้เพิ่มถึงเป้าหมาย",
                tf.percent(s.share_reaching, ratio=True),
                f"{tf.number(s.reaching)} จาก {tf.number(ci.n)} ครัวเรือน มีรายได้เพิ่มขึ้น ≥ {tf.number(target_pct, 0)}% "
                "จากรายได้ก่อนฝึกของตนเอง",
            ),
            Card(
                "ค่าเฉลี่ยของรายได้ที่เปลี่ยนแปลงรายครัวเรือน",
                tf.signed_percent(ci.mean),
                (
                    f"{method.get(ci.method, '')}: {tf.signed_percent(ci.low)} ถึง {tf.signed_percent(ci.high)}"
                    if ci.low is not None
                    else "ข้อมูลน้อยเกินกว่าจะคำนวณช่วงความเชื่อมั่น"
                ),
                ci_status,
                ci_flag,
            ),
            Card(
                "ครัวเรือนที่มีรายได้ผ่านเกณฑ์ จปฐ.",
                tf.percent(s.share_above, ratio=True),
                (
                    f"{tf.number(s.above_line)} จาก {tf.number(s.basic_n)} ครัวเรือน มีรายได้ ≥ {tf.number(line)} บาท/คน/ปี"
                    if line is not None
                    else "ยังไม่ได้กำหนดเกณฑ์ของปีงบประมาณนี้ใน sammachip.yml"
                ),
            ),
        ]
    )


def income_method_th(s: IncomeSummary, month_th: str, line: float | None, fiscal_year: int) -> str:
    """How the distribution figures are made, and what they assume, in Thai for the reader."""
    left_out = s.households - s.change.n
    text = (
        f"วิธีคิด: รายได้ที่เปลี่ยนแปลงของแต่ละครัวเรือน = (รายได้เดือน{month_th} − รายได้ก่อนฝึก) ÷ รายได้ก่อนฝึก × 100 "
        "ค่าเฉลี่ยของค่านี้จึงต่างจาก “รายได้เพิ่มขึ้นจากก่อนฝึกอาชีพ” ในสรุปผลด้านบน ซึ่งเทียบรายได้เฉลี่ยของทุกครัวเรือนรวมกัน"
        "ตามนิยามของโครงการ · ช่วงความเชื่อมั่น 95% ของค่าเฉลี่ย: ถ้าติดตามครัวเรือนลักษณะเดียวกันซ้ำหลายครั้ง "
        "ช่วงที่คำนวณแบบนี้จะครอบค่าเฉลี่ยจริงราว 95 ครั้งใน 100 ครั้ง"
        " · รายได้ก่อนฝึกเป็นตัวเลขรายเดือนตัวเดียวที่ครัวเรือนแจ้งตอนเข้าร่วมโครงการ ส่วนรายได้หลังฝึกเป็นของเดือนที่รายงาน "
        "อาชีพที่รายได้ขึ้นกับฤดูกาล (เช่น เกษตร ท่องเที่ยว) รายได้เดือนหนึ่งอาจสูงหรือต่ำกว่าปกติ "
        "การเทียบเดือนเดียวกับรายได้ก่อนฝึกจึงอาจคลาดได้ ควรดูแนวโน้มหลายเดือนและเทียบกับเดือนเดียวกันของปีก่อนประกอบ"
    )
    if left_out:
        text += f" · ไม่นับ {tf.number(left_out)} ครัวเรือนที่ไม่มีรายได้ก่อนฝึก (เป็น 0 หรือไม่พบในรายชื่อครัวเรือน)"
    if line is None:
        return text + f" · ยังไม่ได้กำหนดเกณฑ์รายได้ จปฐ. ของปีงบประมาณ {fiscal_year} ใน sammachip.yml"
    return text + (
        f" · เกณฑ์ จปฐ.: รายได้ต่อคนต่อปี = รายได้จากอาชีพเดือน{month_th} × 12 ÷ จำนวนสมาชิกในครัวเรือน "
        "(สมมติว่ารายได้เดือนนี้เท่ากันทุกเดือนตลอดปี และนับเฉพาะรายได้ที่รายงานในสมุดติดตาม) "
        f"เทียบกับเกณฑ์ความจำเป็นพื้นฐาน (จปฐ.) {tf.number(line)} บาทต่อคนต่อปี ของปีงบประมาณ {fiscal_year} "
        "(ตั้งไว้ใน sammachip.yml)"
    )


def income_table(
    dl: Downloads,
    name: str,
    df,
    label: str,
    label_header: str,
    target_pct: float,
    line: float | None,
    caption: str = "",
    limit: int | None = None,
    links: dict | None = None,
) -> str:
    """``income_summary_table`` rows on the page (the interval and counts as text; the first
    ``limit`` rows; ``links`` as in ``table``) and in the spreadsheet (every row, every figure
    a number of its own)."""

    def share(n, total, s):
        return f"{tf.percent(s, ratio=True)} ({tf.number(n)}/{tf.number(total)})" if total else tf.DASH

    d = df.assign(
        mean_ci=[
            tf.signed_percent(m)
            + (f" ({tf.signed_percent(lo)} ถึง {tf.signed_percent(hi)})" if not tf.is_missing(lo) else "")
            for m, lo, hi in zip(df["mean"], df.ci_low, df.ci_high)
        ],
        reaching_text=[share(n, t, s) for n, t, s in zip(df.reaching, df.n_change, df.share_reaching)],
        above_text=[
            share(n, t, s) if line is not None else tf.DASH
            for n, t, s in zip(df.above_line, df.basic_n, df.share_above)
        ],
    )
    line_text = f"{tf.number(line)} บาท/คน/ปี" if line is not None else "ยังไม่กำหนด"
    return dl.table(
        name,
        d,
        {
            label: label_header,
            "households": "ครัวเรือนที่ประกอบอาชีพ",
            "median": "มัธยฐาน",
            "mean_ci": "ค่าเฉลี่ย (ช่วงความเชื่อมั่น 95%)",
            "reaching_text": f"รายได้เพิ่ม ≥ {tf.number(target_pct, 0)}%",
            "above_text": "ผ่านเกณฑ์ จปฐ.",
        },
        xlsx_columns={
            label: label_header,
            "households": "ครัวเรือนที่ประกอบอาชีพ",
            "n_change": "ครัวเรือนที่เทียบกับรายได้ก่อนฝึกได้",
            "median": "มัธยฐานรายได้ที่เปลี่ยนแปลง (%)",
            "mean": "ค่าเฉลี่ยรายได้ที่เปลี่ยนแปลง (%)",
            "ci_low": "ช่วงความเชื่อมั่น 95% ขอบล่าง (%)",
            "ci_high": "ช่วงความเชื่อมั่น 95% ขอบบน (%)",
            "reaching": f"ครัวเรือนที่รายได้เพิ่ม ≥ {tf.number(target_pct, 0)}%",
            "share_reaching": f"สัดส่วนที่รายได้เพิ่ม ≥ {tf.number(target_pct, 0)}%",
            "basic_n": "ครัวเรือนที่คำนวณรายได้ต่อคนได้",
            "above_line": f"ครัวเรือนที่ผ่านเกณฑ์ จปฐ. ({line_text})",
            "share_above": "สัดส่วนที่ผ่านเกณฑ์ จปฐ.",
        },
        formats={
            "households": INT,
            "n_change": INT,
            "median": CHANGE,
            "mean": CHANGE,
            "ci_low": CHANGE,
            "ci_high": CHANGE,
            "reaching": INT,
            "share_reaching": RATE,
            "basic_n": INT,
            "above_line": INT,
            "share_above": RATE,
        },
        numeric=["households", "median", "mean_ci", "reaching_text", "above_text"],
        row_class=lambda r: "total" if r["is_total"] else "",
        caption=caption,
        limit=limit,
        links=links,
        sheet="การกระจายของรายได้",
    )
