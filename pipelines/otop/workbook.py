"""The OTOP shortlist workbook: the province's ranked list (the same rank the page shows), a
sheet per district with that rank, the points and reasons per criterion, and how the score
works. Shares and changes are ratios with a percent format, IDs masked, no cell a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from pipelines.otop.explain import (
    CRITERIA,
    KIND_TH,
    RANK_TH,
    RANKING_TH,
    TIER_TH,
    label,
    method,
    reasons_by_criterion,
    tier_rules,
    village_text,
    zero_criteria,
)
from pipelines.thai import fmt as tf
from pipelines.thai.fmt import inert, mask_citizen_id, mask_ids

# Number formats: a share or a change is stored as a ratio (0.857, +0.093), shown as a percent.
SHARE = "0.0%"
CHANGE = "+0.0%;-0.0%;0.0%"
INT = "#,##0"
POINTS = "0.00"
_SHEET_BAD = set("[]:*?/\\")


@dataclass(frozen=True)
class Col:
    header: str
    value: Callable  # Scored -> cell value (number, text or None)
    num_format: str | None = None
    width: float = 12


def who(s) -> str:
    """The group's name, or the individual producer's name and masked citizen ID."""
    f = s.facts
    if f.get("kind") == "group":
        return str(f.get("group_name") or "")
    name = f.get("full_name") or ""
    return f"{name} ({mask_citizen_id(f.get('citizen_id'))})".strip()


def _other_villages(f: dict) -> str:
    rest = (f.get("village_list") or [])[1:]
    return ", ".join(
        f"{village_text(v.get('village_name'), v.get('village_no'))} ({v.get('village_code')})" for v in rest
    )


def _ratio(x):
    return None if tf.is_missing(x) else float(x)


def _pct_change(x):
    return None if tf.is_missing(x) else float(x) / 100


def _listed(xs) -> str:
    return ", ".join(str(x) for x in (xs or []))


def columns(cfg: dict, shown: list[str]) -> list[Col]:
    """The ranked list's columns: who and where, then points per criterion (``shown``),
    then the facts behind them."""
    crit = cfg["criteria"]
    cols = [
        Col(RANK_TH, lambda s: s.rank, INT, 9),
        Col("ระดับความพร้อม", lambda s: TIER_TH.get(s.tier, s.tier), None, 11),
        Col("คะแนน", lambda s: s.score, POINTS, 8),
        Col("ประเภท", lambda s: KIND_TH.get(s.facts.get("kind"), ""), None, 9),
        Col("ชื่อกลุ่ม / ผู้ผลิต", who, None, 30),
        Col("ผลิตภัณฑ์", lambda s: s.facts.get("product"), None, 20),
        Col("ประเภท OTOP", lambda s: s.facts.get("otop_type"), None, 18),
        Col("หมู่บ้าน", lambda s: s.facts.get("village_name"), None, 18),
        Col("หมู่ที่", lambda s: s.facts.get("village_no"), INT, 7),
        Col("ตำบล", lambda s: s.facts.get("subdistrict_name"), None, 12),
        Col("อำเภอ", lambda s: s.facts.get("district_name"), None, 12),
        Col("รหัสหมู่บ้าน", lambda s: s.facts.get("village_code"), None, 11),
        Col("หมู่บ้านอื่นของสมาชิก", lambda s: _other_villages(s.facts), None, 30),
        Col("สมาชิก (คน)", lambda s: s.facts.get("members"), INT, 8),
        Col("สิ่งที่ยังขาด", lambda s: ", ".join(s.missing), None, 36),
    ]
    cols += [
        Col(f"คะแนน{label(k)} (เต็ม {tf.number(crit[k]['weight'])})", lambda s, k=k: s.points.get(k), POINTS, 11)
        for k in shown
    ]
    cols += [
        Col("เดือนที่ผลิต", lambda s: s.facts.get("months_practising"), INT, 9),
        Col("เดือนที่มีข้อมูล", lambda s: s.facts.get("months_window"), INT, 9),
        Col("ผลิตต่อเนื่อง (สัดส่วน)", lambda s: _ratio(s.facts.get("practising_share")), SHARE, 11),
        Col("รายได้เปลี่ยนจากก่อนฝึก", lambda s: _pct_change(s.facts.get("income_change_pct")), CHANGE, 11),
        Col("กำไรต่อรายได้", lambda s: _ratio(s.facts.get("margin")), SHARE, 10),
        Col("สมาชิกที่มีเงินออม (สัดส่วน)", lambda s: _ratio(s.facts.get("saving_share")), SHARE, 11),
        Col("มาตรฐานผลิตภัณฑ์", lambda s: _listed(s.facts.get("standards")), None, 16),
        Col("ช่องทางจำหน่าย", lambda s: _listed(s.facts.get("channels")), None, 24),
        Col("ดำเนินการมาแล้ว (เดือน)", lambda s: s.facts.get("age_months"), INT, 9),
    ]
    return cols


def reason_columns(cfg: dict, shown: list[str]) -> list[Col]:
    """The reasons sheet: who, then each criterion's points and reason."""
    crit = cfg["criteria"]
    cols = [
        Col(RANK_TH, lambda s: s.rank, INT, 9),
        Col("ระดับความพร้อม", lambda s: TIER_TH.get(s.tier, s.tier), None, 11),
        Col("คะแนน", lambda s: s.score, POINTS, 8),
        Col("ชื่อกลุ่ม / ผู้ผลิต", who, None, 30),
        Col("หมู่บ้าน", lambda s: village_text(s.facts.get("village_name"), s.facts.get("village_no")), None, 18),
        Col("อำเภอ", lambda s: s.facts.get("district_name"), None, 12),
    ]
    for k in shown:
        cols.append(
            Col(f"คะแนน{label(k)} (เต็ม {tf.number(crit[k]['weight'])})", lambda s, k=k: s.points.get(k), POINTS, 10)
        )
        cols.append(
            Col(f"เหตุผล: {label(k)}", lambda s, k=k: reasons_by_criterion("\n".join(s.reasons)).get(k), None, 34)
        )
    return cols


def _says_something(v) -> bool:
    return not (tf.is_missing(v) or v == "" or (isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0))


def informative(cols: list[Col], items: list) -> list[Col]:
    """The columns with something to say: one that is zero or empty for every row is left out."""
    return [c for c in cols if any(_says_something(c.value(s)) for s in items)] if items else cols


def _sheet_name(name: str, taken: set[str]) -> str:
    base = ("".join("_" if ch in _SHEET_BAD else ch for ch in name).strip(" '")[:31]) or "ตาราง"
    out, n = base, 2
    while out.lower() in taken:
        out = f"{base[: 31 - len(str(n)) - 1]} {n}"
        n += 1
    taken.add(out.lower())
    return out


class _Writer:
    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self.head = wb.add_format(
            {"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.text = wb.add_format({"valign": "top", "text_wrap": True})
        self.tier = {
            "ready": wb.add_format({"bold": True, "font_color": "#137333", "valign": "top"}),
            "nearly_ready": wb.add_format({"bold": True, "font_color": "#B06000", "valign": "top"}),
            "not_yet": wb.add_format({"valign": "top"}),
        }
        self._num: dict[str, object] = {}

    def num(self, fmt: str | None):
        if fmt not in self._num:
            self._num[fmt] = self.wb.add_format({"num_format": fmt or "General", "valign": "top"})
        return self._num[fmt]

    def cell(self, ws, r: int, c: int, value, fmt: str | None = None, style=None) -> None:
        if tf.is_missing(value) or value == "":
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(r, c, float(value), style or self.num(fmt))
        else:
            ws.write_string(r, c, inert(mask_ids(str(value))), style or self.text)

    def listing(self, ws, items: list, cols: list[Col], freeze_cols: int) -> None:
        ws.write_row(0, 0, [inert(c.header) for c in cols], self.head)
        for r, s in enumerate(items, start=1):
            for c, col in enumerate(cols):
                style = self.tier.get(s.tier) if col.header == "ระดับความพร้อม" else None
                self.cell(ws, r, c, col.value(s), col.num_format, style)
        for c, col in enumerate(cols):
            ws.set_column(c, c, col.width)
        ws.freeze_panes(1, freeze_cols)
        ws.autofilter(0, 0, max(1, len(items)), len(cols) - 1)


def write(scored: list, path: Path, fiscal_year: int, month: dt.date, cfg: dict) -> Path:
    """Write the workbook whole or not at all (a reader never opens half a file)."""
    path = Path(path)
    with tf.workbook(path) as wb:
        _fill(wb, list(scored), fiscal_year, month, cfg)
    return path


def _fill(wb: xlsxwriter.Workbook, scored: list, fiscal_year: int, month: dt.date, cfg: dict) -> None:
    w = _Writer(wb)
    keys = [k for k in CRITERIA if k in cfg["criteria"]]
    zero = zero_criteria((s.points for s in scored), keys)
    shown = [k for k in keys if k not in zero]
    ordered = sorted(scored, key=lambda s: (str(s.facts.get("province_code")), s.rank or 0))
    provinces: dict[str, list] = {}
    for s in ordered:
        provinces.setdefault(str(s.facts.get("province_code")), []).append(s)
    taken: set[str] = set()

    about = wb.add_worksheet(_sheet_name("อ่านก่อน", taken))
    sheets = []
    for pcode, items in provinces.items():
        pname = items[0].facts.get("province_name") or pcode
        many = len(provinces) > 1
        main = _sheet_name(f"จ.{pname} ทั้งจังหวัด" if many else "ทั้งจังหวัด", taken)
        cols, why = informative(columns(cfg, shown), items), informative(reason_columns(cfg, shown), items)
        w.listing(wb.add_worksheet(main), items, cols, 5)
        sheets.append((main, f"กลุ่มและผู้ผลิตทั้งหมดของจังหวัด{pname} เรียงตาม{RANK_TH}"))
        reasons = _sheet_name(f"เหตุผล จ.{pname}" if many else "คะแนนและเหตุผลรายเกณฑ์", taken)
        w.listing(wb.add_worksheet(reasons), items, why, 4)
        sheets.append((reasons, "คะแนนและเหตุผลของแต่ละเกณฑ์ เรียงตามอันดับเดียวกัน"))
        districts: dict[str, list] = {}
        for s in items:
            districts.setdefault(str(s.facts.get("district_code")), []).append(s)
        for dcode, ditems in sorted(districts.items()):
            dname = ditems[0].facts.get("district_name") or dcode
            name = _sheet_name(f"อ.{dname}", taken)
            w.listing(wb.add_worksheet(name), ditems, cols, 5)
            sheets.append((name, f"อำเภอ{dname} ({tf.number(len(ditems))} ราย) อันดับในแผ่นงานนี้เป็น{RANK_TH}"))
    _about(w, about, scored, fiscal_year, month, cfg, sheets, zero)


def _about(w: _Writer, ws, scored, fiscal_year, month, cfg, sheets, zero) -> None:
    title = w.wb.add_format({"bold": True, "font_size": 14})
    bold = w.wb.add_format({"bold": True, "valign": "top"})
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 2, 90)
    r = 0

    def line(text, style=None, col=0):
        nonlocal r
        w.cell(ws, r, col, text, style=style)
        r += 1

    line(f"บัญชีกลุ่มอาชีพที่มีศักยภาพเข้าสู่ OTOP ปีงบประมาณ {fiscal_year}", title)
    line(f"ข้อมูลติดตามผลถึงเดือน{tf.month_be(month)}" if month else "")
    line(f"การจัดอันดับ: {RANKING_TH}", bold)
    r += 1
    line("จำนวนตามระดับความพร้อม", bold)
    for t, th in TIER_TH.items():
        w.cell(ws, r, 0, th)
        w.cell(ws, r, 1, sum(s.tier == t for s in scored), INT)
        r += 1
    w.cell(ws, r, 0, "รวม", style=bold)
    w.cell(ws, r, 1, len(scored), INT)
    r += 2
    line("แผ่นงานในไฟล์นี้", bold)
    for name, text in sheets:
        w.cell(ws, r, 0, name)
        w.cell(ws, r, 2, text)
        r += 1
    r += 1
    line("ข้อมูลส่วนบุคคล: เลขประจำตัวประชาชนแสดงแบบปิดบัง")
    if zero:
        line("เกณฑ์ที่ทุกกลุ่มและผู้ผลิตได้ 0 คะแนน จึงไม่แสดงเป็นคอลัมน์: " + ", ".join(label(k) for k in zero))
    r += 1
    line("วิธีคิดคะแนน", bold)
    for text in tier_rules(cfg):
        line(text)
    ws.write_row(r, 0, ["เกณฑ์", "คะแนนเต็ม", "วิธีให้คะแนน"], w.head)
    r += 1
    for crit, weight, how in method(cfg):
        w.cell(ws, r, 0, crit)
        w.cell(ws, r, 1, weight, INT)
        w.cell(ws, r, 2, how)
        r += 1
    r += 1
    line("น้ำหนักและเกณฑ์ทั้งหมดกำหนดในไฟล์ otop.yml ของโครงการ")
