"""Turn the rows of a located table into typed records, refusals and skips.

Rules: ../shared/spec/tracking-workbook.md; choices where it is silent: docs/decisions.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from pipelines import thai
from pipelines.workbook import Table, _cell_text, norm_header, synonyms


@dataclass
class Rejection:
    sheet: str
    row_number: int            # 1-based spreadsheet row (CSV: line number)
    column_name: str | None    # spec key, or None when the whole row is at fault
    value: str | None
    reason: str


@dataclass
class SheetResult:
    sheet: str
    kind: str
    records: list[dict] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    skipped: int = 0


class RowFault(Exception):
    def __init__(self, column: str | None, value, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def _raw(value) -> str | None:
    if thai.is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def name_key(name: str | None) -> str:
    """How names are compared: no title, no spaces."""
    if not name:
        return ""
    return thai.strip_title(thai.text(name) or "")[1].replace(" ", "")


# ----------------------------------------------------------------------------- rows


def _classify(table: Table, row: list) -> str | None:
    """'blank', 'header' or 'total' for rows to skip; None for a data row."""
    cells = [_cell_text(v) for v in row]
    filled = [t for t in cells if t]
    if not filled:
        return "blank"
    header = table.header_text
    same = sum(1 for c, t in enumerate(cells) if t and norm_header(t) in header.get(c, ()))
    if same >= max(2, len(filled) // 2):
        return "header"
    totals = synonyms()["totals"]
    if any(norm_header(t) in totals for t in filled[:3]):
        return "total"
    return None


def _data_rows(table: Table, result: SheetResult):
    """(row_number, cells) of each data row; blank, header and total rows are counted as skipped."""
    for r in range(table.first_data_row, len(table.grid.rows)):
        row = table.grid.rows[r]
        if _classify(table, row):
            result.skipped += 1
            continue
        yield table.grid.row_number(r), row


def _get(table: Table, row: list, key: str):
    c = table.columns.get(key)
    if c is None or c >= len(row):
        return None
    v = row[c]
    return None if thai.is_blank(v) else v


def _parse_fields(table: Table, row: list, parsers: dict[str, Callable], required: set[str]) -> dict:
    """Parse each mapped column in sheet order; the first fault refuses the row."""
    out: dict = {}
    for key, c in table.columns_in_order:
        if key not in parsers:
            continue
        v = row[c] if c < len(row) else None
        if thai.is_blank(v):
            if key in required:
                raise RowFault(key, None, "ไม่ได้กรอกข้อมูลที่จำเป็น (required value missing)")
            out[key] = None
            continue
        try:
            out[key] = parsers[key](v)
        except ValueError as exc:
            raise RowFault(key, _raw(v), str(exc)) from None
    return out


def _person(table: Table, row: list, fields: dict) -> None:
    """full_name (or first + last) without title; the title kept apart."""
    title = thai.text(_get(table, row, "title"))
    name = thai.text(_get(table, row, "full_name"))
    if not name:
        first, last = thai.text(_get(table, row, "first_name")), thai.text(_get(table, row, "last_name"))
        name = " ".join(p for p in (first, last) if p) or None
    if not name:
        raise RowFault("full_name", None, "ไม่ได้กรอกชื่อ-สกุล (name missing)")
    if not title or name.startswith(title):
        t, name = thai.strip_title(name)
        title = title or t
    fields["title"], fields["full_name"] = title, name


_PERSON = {"seq": lambda v: thai.integer(v), "citizen_id": thai.citizen_id}


def _people(table: Table, result: SheetResult, parsers: dict, required: set[str]):
    """(row number, fields) of each person row of a roster sheet; faulty rows and a citizen
    ID repeated in the sheet go to result.rejected."""
    seen: set[str] = set()
    for rn, row in _data_rows(table, result):
        try:
            f = _parse_fields(table, row, parsers, required)
            _person(table, row, f)
            if f["citizen_id"] in seen:
                raise RowFault("citizen_id", f["citizen_id"],
                               "เลขประจำตัวประชาชนซ้ำในชีตเดียวกัน (citizen ID repeated in this sheet)")
        except RowFault as fault:
            result.rejected.append(Rejection(result.sheet, rn, fault.column, fault.value, fault.reason))
            continue
        seen.add(f["citizen_id"])
        yield rn, f


# ----------------------------------------------------------------------------- sheets


def trainers(table: Table, village_code: str, fy: int) -> SheetResult:
    result = SheetResult(table.grid.name, "trainers")
    parsers = _PERSON | {"role": thai.role, "expertise": thai.text, "phone": thai.phone,
                         "title": thai.text, "full_name": thai.text, "first_name": thai.text,
                         "last_name": thai.text}
    for rn, f in _people(table, result, parsers, {"citizen_id", "role"}):
        result.records.append({
            "sheet": result.sheet, "row_number": rn, "fiscal_year": fy, "village_code": village_code,
            "seq": f.get("seq"), "title": f["title"], "full_name": f["full_name"],
            "citizen_id": f["citizen_id"], "role": f["role"], "expertise": f.get("expertise"),
            "phone": f.get("phone"),
        })
    return result


class People:
    """Look people up by citizen ID or by name (with or without title, any spacing)."""

    def __init__(self, rows: list[tuple[str, str]]):
        self.ids = {cid for cid, _ in rows}
        self.by_name: dict[str, set[str]] = {}
        for cid, name in rows:
            self.by_name.setdefault(name_key(name), set()).add(cid)

    def find(self, value) -> str | None:
        raw = thai.digits(thai.text(value) or "")
        try:
            cid = thai.citizen_id(value)
        except ValueError:
            cid = None
        if cid and cid in self.ids:
            return cid
        if raw.replace("-", "").replace(" ", "").isdigit():
            return None
        hits = self.by_name.get(name_key(raw), set())
        return next(iter(hits)) if len(hits) == 1 else None


def households(table: Table, village_code: str, fy: int, trainers_known: People) -> SheetResult:
    result = SheetResult(table.grid.name, "households")
    start, end = thai.fiscal_year_bounds(fy)

    def trained_on(v):
        d = thai.date(v)
        if not start <= d <= end:
            raise ValueError(f"วันที่ฝึกอยู่นอกปีงบประมาณ {fy} (training date outside fiscal year {fy})")
        return d

    def trainer(v):
        cid = trainers_known.find(v)
        if cid is None:
            raise ValueError("ไม่พบวิทยากรผู้ดูแลนี้ในรายชื่อวิทยากร (trainer not found in the trainer list)")
        return cid

    parsers = _PERSON | {
        "house_no": thai.house_no, "members": lambda v: thai.integer(v, 1, 30), "trainer": trainer,
        "occupation": thai.text, "occupation_group": thai.occupation_group, "trained_on": trained_on,
        "income_before": thai.money, "expense_before": thai.money, "status": thai.household_status,
        "note": thai.text, "title": thai.text, "full_name": thai.text, "first_name": thai.text,
        "last_name": thai.text,
    }
    required = set(synonyms()["required"]["households"])
    for rn, f in _people(table, result, parsers, required):
        result.records.append({
            "sheet": result.sheet, "row_number": rn, "fiscal_year": fy, "village_code": village_code,
            "seq": f.get("seq"), "title": f["title"], "full_name": f["full_name"],
            "citizen_id": f["citizen_id"], "house_no": f["house_no"], "members": f["members"],
            "trainer_citizen_id": f["trainer"], "occupation": f["occupation"],
            "occupation_group": f["occupation_group"], "trained_on": f["trained_on"],
            "income_before": f["income_before"], "expense_before": f["expense_before"],
            "status": f.get("status") or "active", "note": f.get("note"),
        })
    return result


_FOLLOWUP_VALUES = {
    "practising": thai.yes_no, "income": thai.money, "expense": thai.money, "savings": thai.money,
    "group_name": thai.text, "product": thai.text, "otop_type": thai.otop_type,
    "standards": thai.standards, "channels": thai.channels,
}


def followup(table: Table, village_code: str, fy: int, households_known: People,
             seen: set[tuple[str, dt.date]]) -> SheetResult:
    """Long or wide form to the same records: one per household and month."""
    result = SheetResult(table.grid.name, "followup")
    start, end = thai.fiscal_year_bounds(fy)

    def in_year(v) -> dt.date:
        m = thai.month(v)
        if not start <= m <= end:
            raise ValueError(f"เดือนอยู่นอกปีงบประมาณ {fy} (month outside fiscal year {fy})")
        return m

    def household_of(row) -> str:
        v = _get(table, row, "citizen_id")
        key = "citizen_id"
        if v is None:
            v, key = _get(table, row, "full_name"), "full_name"
            if v is None and _get(table, row, "first_name"):
                v = " ".join(filter(None, (thai.text(_get(table, row, "first_name")), thai.text(_get(table, row, "last_name")))))
        if v is None:
            raise RowFault("citizen_id", None, "ไม่ได้ระบุครัวเรือน (household not given)")
        cid = households_known.find(v)
        if cid is None:
            raise RowFault(key, _raw(v), "ไม่พบครัวเรือนนี้ในรายชื่อครัวเรือน (household not found in the household list)")
        return cid

    def finish(rn: int, cid: str, month: dt.date, values: dict) -> None:
        if values.get("practising") is None:
            raise RowFault("practising", None, "ไม่ได้กรอกการประกอบอาชีพ (practising missing)")
        if values["practising"]:
            for key in ("income", "expense"):
                if values.get(key) is None:
                    raise RowFault(key, None, "ประกอบอาชีพแต่ไม่ได้กรอก" + ("รายได้" if key == "income" else "รายจ่าย")
                                   + f" ({key} required when practising)")
        if (cid, month) in seen:
            raise RowFault("month", month.isoformat(), "ข้อมูลครัวเรือนนี้ในเดือนนี้ซ้ำ (this household and month already given)")
        seen.add((cid, month))
        result.records.append({
            "sheet": result.sheet, "row_number": rn, "fiscal_year": fy, "village_code": village_code,
            "citizen_id": cid, "month": month, **{k: values.get(k) for k in _FOLLOWUP_VALUES},
        })

    def reject(rn: int, fault: RowFault) -> None:
        result.rejected.append(Rejection(result.sheet, rn, fault.column, fault.value, fault.reason))

    single = {k: p for k, p in _FOLLOWUP_VALUES.items()}
    if not table.wide:
        parsers = single | {"month": in_year, "citizen_id": lambda v: v, "full_name": lambda v: v}
        for rn, row in _data_rows(table, result):
            try:
                f = _parse_fields(table, row, parsers, {"month", "practising"})
                cid = household_of(row)
                finish(rn, cid, f["month"], f)
            except RowFault as fault:
                reject(rn, fault)
        return result

    # Wide form: per row, one record for each month that has any value.
    months = sorted({m for _, _, m in table.wide})
    for rn, row in _data_rows(table, result):
        cells = {m: {} for m in months}
        for c, key, m in table.wide:
            v = row[c] if c < len(row) else None
            if not thai.is_blank(v):
                cells[m][key] = (c, v)
        filled = [m for m in months if cells[m]]
        if not filled:
            result.rejected.append(Rejection(result.sheet, rn, None, None, "แถวนี้ไม่มีข้อมูลรายเดือน (no monthly values in this row)"))
            continue
        try:
            shared = _parse_fields(table, row, {k: p for k, p in single.items() if k in table.columns}, set())
            cid = household_of(row)
        except RowFault as fault:
            for _ in filled:
                reject(rn, fault)
            continue
        for m in filled:
            try:
                if not start <= m <= end:
                    raise RowFault("month", m.isoformat(), f"เดือนอยู่นอกปีงบประมาณ {fy} (month outside fiscal year {fy})")
                values = dict(shared)
                for key, (c, v) in sorted(cells[m].items(), key=lambda kv: kv[1][0]):
                    try:
                        values[key] = single[key](v)
                    except ValueError as exc:
                        raise RowFault(key, _raw(v), str(exc)) from None
                finish(rn, cid, m, values)
            except RowFault as fault:
                reject(rn, fault)
    return result
