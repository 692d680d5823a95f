"""One village file, read and parsed without the warehouse: grids → tables → the village
header block → the village and its fiscal year → records (references looked up in the file,
then in the current roster the caller gives)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.ingest import followup, records
from pipelines.ingest.register import Register, Village, area_name, code_text
from pipelines.ingest.workbook import (
    Grid,
    Table,
    header_block,
    locate,
    read,
    sheet_kind_by_name,
    synonyms,
)
from pipelines.thai import parse

if TYPE_CHECKING:
    import pyarrow as pa

DATA_KINDS = ("trainers", "households", "followup")


def this_month() -> dt.date:
    """The month a file is ingested in (a follow-up month after it has not come yet);
    SAMMACHIP_TODAY (YYYY-MM-DD) sets the day, for tests and for re-running an old month."""
    day = os.environ.get("SAMMACHIP_TODAY")
    today = dt.date.fromisoformat(day) if day else dt.date.today()
    return today.replace(day=1)


@dataclass
class Parsed:
    village: Village
    fiscal_year: int
    report_month: dt.date | None
    sheets: list[records.SheetResult] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    # Records already in Arrow (parsed by a worker), per sheet kind; else sheets[i].columns.
    arrow: dict[str, pa.Table] = field(default_factory=dict)


class Refused(Exception):
    """The file is refused for its content (village, year, layout); message says why."""


def _block(grids: list[Grid], tables: list[Table]) -> dict:
    """The village header block: from the cover sheet and above each table; they must agree."""
    merged: dict = {}
    sources = []
    for g in grids:
        if sheet_kind_by_name(g.name) == "cover":
            sources.append((g.name, header_block(g)))
    for t in tables:
        sources.append((t.grid.name, header_block(t.grid, t.header_rows[0])))
    for sheet, block in sources:
        for key, (value, cell) in block.items():
            if key == "reported_by":
                merged.setdefault(key, (value, cell))
                continue
            if key in merged and _same(merged[key][0], value, key) is False:
                raise Refused(
                    f"ข้อมูลหมู่บ้านไม่ตรงกันระหว่างชีต: {key} = '{merged[key][0]}' และ '{value}' ที่ชีต {sheet} เซลล์ {cell} "
                    f"(header blocks disagree on {key}: '{merged[key][0]}' vs '{value}' in sheet {sheet}, cell {cell})"
                )
            merged.setdefault(key, (value, f"{sheet}!{cell}"))
    return merged


def _same(a, b, key) -> bool:
    try:
        if key == "fiscal_year":
            return parse.fiscal_year(a) == parse.fiscal_year(b)
        if key == "report_month":
            return parse.month(a) == parse.month(b)
        if key == "village_no":
            return parse.integer(a) == parse.integer(b)
    except ValueError:
        pass
    if key == "village_code":  # a code typed as a number cell is 54060407.0
        return code_text(a) == code_text(b)
    return area_name(a) == area_name(b)


def _year_and_month(block: dict) -> tuple[int, dt.date | None]:
    month = fy = None
    if "report_month" in block:
        value, cell = block["report_month"]
        try:
            month = parse.month(value)
        except ValueError as exc:
            raise Refused(f"เดือนที่รายงาน '{value}' ({cell}): {exc}") from None
    if "fiscal_year" in block:
        value, cell = block["fiscal_year"]
        try:
            fy = parse.fiscal_year(value)
        except ValueError as exc:
            raise Refused(f"ปีงบประมาณ '{value}' ({cell}): {exc}") from None
    if fy is None and month is None:
        raise Refused("ไม่ได้ระบุปีงบประมาณหรือเดือนที่รายงาน (neither fiscal year nor report month given)")
    if fy is None:
        fy = parse.fiscal_year_of(month)
    if month is not None and parse.fiscal_year_of(month) != fy:
        raise Refused(
            f"เดือนที่รายงาน {month:%Y-%m} ไม่อยู่ในปีงบประมาณ {fy} (report month {month:%Y-%m} is outside fiscal year {fy})"
        )
    return fy, month


def parse_file(
    path: Path, register: Register, current_roster: Callable[[str, str, int], records.People], data: bytes | None = None
) -> Parsed:
    """Read (from `data`, the file's bytes, if given) and parse a file without touching the
    warehouse; Refused/FileRefused end it."""
    grids = read(path, data)
    tables: list[Table] = []
    ignored: list[str] = []
    for g in grids:
        kind = sheet_kind_by_name(g.name)
        if kind == "cover":
            continue
        t = locate(g, kind if kind in DATA_KINDS else None)
        if t is None:
            if kind in DATA_KINDS:
                raise Refused(
                    f"ชีต '{g.name}': ไม่พบแถวหัวตาราง (sheet '{g.name}': no header row found in the first rows)"
                )
            ignored.append(g.name)
            continue
        if any(o.kind == t.kind for o in tables):
            raise Refused(f"มีชีต {t.kind} มากกว่าหนึ่งชีต ('{g.name}') (more than one {t.kind} sheet)")
        tables.append(t)
    if not tables:
        raise Refused("ไม่พบชีตวิทยากร ครัวเรือน หรือติดตาม (no trainers, households or follow-up sheet found)")
    for t in tables:
        missing = [k for k in synonyms()["required"][t.kind] if k not in t.columns]
        if t.kind == "followup" and not t.wide and "month" not in t.columns:
            missing.append("month")
        if t.kind == "followup" and t.wide:
            missing = [k for k in missing if k not in {m for _, m, _ in t.wide}]
        if missing:
            raise Refused(
                f"ชีต '{t.grid.name}' ไม่มีคอลัมน์ {', '.join(missing)} "
                f"(sheet '{t.grid.name}' lacks column(s) {', '.join(missing)})"
            )
    block = _block(grids, tables)
    try:
        village = register.resolve(block)
    except ValueError as exc:
        covers = [g.name for g in grids if sheet_kind_by_name(g.name) == "cover"]
        if covers or all(k in block for k in ("district", "subdistrict")):
            raise Refused(str(exc)) from None
        found = ", ".join(f"'{g.name}'" for g in grids)
        raise Refused(  # the spec's names for the cover sheet
            f"{exc} · ไม่พบชีตข้อมูลหมู่บ้าน: มองหาชีตชื่อ 'ข้อมูลหมู่บ้าน' (หรือ 'cover') แต่ชีตในไฟล์คือ {found} "
            f"(no village cover sheet: looked for a sheet named 'ข้อมูลหมู่บ้าน' or 'cover'; the file has {found})"
        ) from None
    fy, month = _year_and_month(block)
    parsed = Parsed(village, fy, month, tables=tables, ignored=ignored)

    by_kind = {t.kind: t for t in tables}
    code = village.code
    if "trainers" in by_kind:
        tr = records.trainers(by_kind["trainers"], code, fy)
        parsed.sheets.append(tr)
        trainers_known = records.people_of(tr)
    else:
        trainers_known = current_roster("trainer", code, fy)
    if "households" in by_kind:
        hh = records.households(by_kind["households"], code, fy, trainers_known)
        parsed.sheets.append(hh)
        households_known = records.people_of(hh)
    else:
        households_known = current_roster("household", code, fy)
    if "followup" in by_kind:
        parsed.sheets.append(
            followup.followup(by_kind["followup"], code, fy, households_known, set(), month, this_month())
        )
    return parsed
