"""The follow-up sheet to records, long form and wide alike: one record per household and
month, its household found in the file's household sheet or the current roster.

Rules: ../shared/spec/tracking-workbook.md; choices where it is silent: docs/decisions.md.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from pipelines.ingest.records import (
    BLANK,
    Fault,
    People,
    Rejection,
    RowFault,
    Rows,
    SheetResult,
    column,
    not_found,
    parse_fields,
    raw_text,
    satang,
)
from pipelines.ingest.workbook import Table
from pipelines.thai import parse
from pipelines.thai.fmt import month_be

_FOLLOWUP_VALUES = {
    "practising": parse.yes_no,
    "income": satang,
    "expense": satang,
    "savings": satang,
    "group_name": parse.text,
    "product": parse.text,
    "otop_type": parse.otop_type,
    "standards": parse.standards,
    "channels": parse.channels,
}
_FOLLOWUP_FIELDS = ("row_number", "citizen_id", "month", *_FOLLOWUP_VALUES)


def followup(
    table: Table,
    village_code: str,
    fy: int,
    households_known: People,
    seen: set[tuple[str, dt.date]],
    report_month: dt.date | None = None,
    this_month: dt.date | None = None,
) -> SheetResult:
    """Long or wide form to the same records: one per household and month. A month after
    ``this_month`` (the month the file is ingested) or after the file's ``report_month`` is a
    typing error: the row is refused on its month."""
    result = SheetResult(table.grid.name, "followup")
    result.constants = {"sheet": result.sheet, "fiscal_year": fy, "village_code": village_code}
    start, end = parse.fiscal_year_bounds(fy)
    rows = Rows(table, result)
    households_of = _households_of(table, rows, households_known)
    out = {k: [] for k in _FOLLOWUP_FIELDS}
    pending: list[tuple[int, int, Rejection]] = []  # (row, order within the row, refusal)

    def reject(i: int, order: int, fault: RowFault) -> None:
        pending.append((i, order, Rejection(result.sheet, rows.numbers[i], fault.column, fault.value, fault.reason)))

    def in_year(v) -> dt.date:
        m = parse.month(v)
        if not start <= m <= end:
            raise ValueError(f"เดือนอยู่นอกปีงบประมาณ {fy} (month outside fiscal year {fy})")
        if this_month is not None and m > this_month:
            raise ValueError(
                f"เดือน {month_be(m)} ยังมาไม่ถึง: พิมพ์เดือนผิดหรือไม่ (month {m:%Y-%m} has not come yet: a typing error?)"
            )
        if report_month is not None and m > report_month:
            raise ValueError(
                f"เดือน {month_be(m)} อยู่หลังเดือนที่ไฟล์นี้รายงาน ({month_be(report_month)}): "
                f"พิมพ์เดือนผิดหรือไม่ (month {m:%Y-%m} is after the file's report month {report_month:%Y-%m})"
            )
        return m

    def finish(i: int, order: int, cid: str, month: dt.date, values: dict) -> None:
        fault = _record_fault(cid, month, values.get("practising"), values.get("income"), values.get("expense"), seen)
        if fault is not None:
            reject(i, order, fault)
            return
        seen.add((cid, month))
        out["row_number"].append(rows.numbers[i])
        out["citizen_id"].append(cid)
        out["month"].append(month)
        for k in _FOLLOWUP_VALUES:
            out[k].append(values.get(k))

    if not table.wide:
        parsers = _FOLLOWUP_VALUES | {"month": in_year}
        values, faults = parse_fields(table, rows, parsers, {"month", "practising"})
        months, practising = values["month"], values["practising"]
        blank = [None] * rows.n
        income, expense = values.get("income", blank), values.get("expense", blank)
        keep = []
        for i, cid in enumerate(households_of):
            fault = faults.get(i) if faults else None
            if fault is None:
                fault = (
                    cid
                    if cid.__class__ is RowFault
                    else _record_fault(cid, months[i], practising[i], income[i], expense[i], seen)
                )
            if fault is not None:
                reject(i, 0, fault)
                continue
            seen.add((cid, months[i]))
            keep.append(i)
        everything = len(keep) == rows.n
        out["row_number"] = rows.numbers if everything else [rows.numbers[i] for i in keep]
        out["citizen_id"] = households_of if everything else [households_of[i] for i in keep]
        for k in ("month", *_FOLLOWUP_VALUES):
            col = values.get(k)
            out[k] = [None] * len(keep) if col is None else col if everything else [col[i] for i in keep]
    else:
        _wide(table, rows, households_of, in_year, reject, finish)

    pending.sort(key=lambda p: (p[0], p[1]))
    result.rejected = [r for _, _, r in pending]
    result.columns, result.n = out, len(out["month"])
    result.months = dict(sorted(Counter(out["month"]).items()))
    return result


def _record_fault(cid: str, month: dt.date, practising, income, expense, seen: set) -> RowFault | None:
    """What refuses a follow-up record whose cells all parsed, long form or wide alike."""
    if practising is None:
        return RowFault("practising", None, "ไม่ได้กรอกการประกอบอาชีพ (practising missing)")
    if practising and (income is None or expense is None):
        key = "income" if income is None else "expense"
        return RowFault(
            key,
            None,
            "ประกอบอาชีพแต่ไม่ได้กรอก" + ("รายได้" if key == "income" else "รายจ่าย") + f" ({key} required when practising)",
        )
    if (cid, month) in seen:
        return RowFault("month", month.isoformat(), "ข้อมูลครัวเรือนนี้ในเดือนนี้ซ้ำ (this household and month already given)")
    return None


def _households_of(table: Table, rows: Rows, known: People) -> list:
    """Per row: the household's citizen ID, or the RowFault that refuses the row. A row names
    its household by citizen ID, else by full name, else by first and last name."""

    def find(v):
        cid = known.find(v)
        if cid is None:
            raise not_found(
                known,
                v,
                "ครัวเรือน",
                "household",
                "ไม่พบครัวเรือนนี้ในรายชื่อครัวเรือน (household not found in the household list)",
            )
        return cid

    by_id, refused = column(rows.col(table.columns.get("citizen_id")), find, blank=BLANK)
    if not refused and BLANK not in by_id:
        return by_id  # every row names a known household by ID
    by_name, _ = column(rows.col(table.columns.get("full_name")), find, blank=BLANK)
    out: list = []
    for i in range(rows.n):
        got, key = by_id[i], "citizen_id"
        if got is BLANK:
            got, key = by_name[i], "full_name"
        if got is BLANK and "first_name" in table.columns:
            first = rows.col(table.columns["first_name"])[i]
            if not parse.is_blank(first):
                last = rows.col(table.columns.get("last_name"))[i]
                v = " ".join(filter(None, (parse.text(first), None if parse.is_blank(last) else parse.text(last))))
                try:
                    got = find(v)
                except ValueError as exc:
                    got = Fault(raw_text(v), str(exc))
        if got is BLANK:
            out.append(RowFault("citizen_id", None, "ไม่ได้ระบุครัวเรือน (household not given)"))
        elif got.__class__ is Fault:
            out.append(RowFault(key, got.value, got.reason))
        else:
            out.append(got)
    return out


def _wide(table: Table, rows: Rows, households_of: list, in_year: Callable, reject, finish) -> None:
    """Wide form: per row, one record for each month that has any value."""
    single = _FOLLOWUP_VALUES
    months = sorted({m for _, _, m in table.wide})
    order = {m: j for j, m in enumerate(months)}
    shared, faults = parse_fields(table, rows, {k: p for k, p in single.items() if k in table.columns}, set())
    cells: dict[dt.date, dict[str, tuple[int, list]]] = {m: {} for m in months}
    for c, key, m in sorted(table.wide):
        values, _ = column(rows.col(c), single[key], blank=BLANK)
        if key in cells[m]:  # the same measure and month twice: the later cell written wins
            values = [v if v is not BLANK else e for v, e in zip(values, cells[m][key][1])]
        cells[m][key] = (c, values)
    by_month = {m: [(key, v) for key, (_, v) in sorted(cells[m].items(), key=lambda kv: kv[1][0])] for m in months}
    wrong_year = {}
    for m in months:
        try:
            in_year(m)
        except ValueError as exc:
            wrong_year[m] = RowFault("month", m.isoformat(), str(exc))
    shared_keys = list(shared)
    for i in range(rows.n):
        filled = [m for m in months if any(v[i] is not BLANK for _, v in by_month[m])]
        if not filled:
            reject(i, -1, RowFault(None, None, "แถวนี้ไม่มีข้อมูลรายเดือน (no monthly values in this row)"))
            continue
        fault = faults.get(i) or households_of[i]
        if fault.__class__ is RowFault:
            for m in filled:
                reject(i, order[m], fault)
            continue
        cid = households_of[i]
        base = {k: shared[k][i] for k in shared_keys}
        for m in filled:
            if m in wrong_year:
                reject(i, order[m], wrong_year[m])
                continue
            values = dict(base)
            bad = None
            for key, col in by_month[m]:
                v = col[i]
                if v is BLANK:
                    continue
                if v.__class__ is Fault:
                    bad = RowFault(key, v.value, v.reason)
                    break
                values[key] = v
            if bad is not None:
                reject(i, order[m], bad)
                continue
            finish(i, order[m], cid, m, values)
