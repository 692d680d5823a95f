"""Grids of cells written as .xlsx / .xlsm (xlsxwriter), .ods (odfpy) or .csv.

A cell is str (text, never a formula), int/float (number), bool, datetime.date (a date
cell; its year may be BE) or None (blank). A row that is [] is entirely blank.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from odf import teletype
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P


@dataclass
class Grid:
    name: str
    rows: list[list] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based, inclusive

    def append(self, cells: list) -> int:
        """Adds a row; returns its 1-based spreadsheet row number."""
        self.rows.append(cells)
        return len(self.rows)

    def merge(self, row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge from a 1-based row number; the value stays in the top-left cell."""
        if (row, first_col) != (last_row, last_col):
            self.merges.append((row - 1, first_col, last_row - 1, last_col))


def write(path: Path, grids: list[Grid], created: dt.datetime, encoding: str = "utf-8") -> None:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        write_xlsx(path, grids, created)
    elif suffix == ".ods":
        write_ods(path, grids)
    elif suffix == ".csv":
        assert len(grids) == 1, "a CSV file is one sheet"
        write_csv(path, grids[0], encoding)
    else:
        raise ValueError(f"cannot write {path.suffix}")


def write_xlsx(path: Path, grids: list[Grid], created: dt.datetime) -> None:
    # A plain workbook saved under .xlsm is still a macro-free xlsx inside: what we want to test.
    wb = xlsxwriter.Workbook(
        str(path),
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    wb.set_properties({"created": created, "author": "sammachip synth"})  # fixed: reproducible bytes
    date_fmt = wb.add_format({"num_format": "d/m/yyyy"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    for g in grids:
        ws = wb.add_worksheet(g.name)
        covered = set()
        for r1, c1, r2, c2 in g.merges:
            value = g.rows[r1][c1] if c1 < len(g.rows[r1]) else None
            ws.merge_range(r1, c1, r2, c2, "" if value is None else str(value), wrap)
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for r, row in enumerate(g.rows):
            for c, v in enumerate(row):
                if v is None or (r, c) in covered:
                    continue
                if isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, v, date_fmt)
                else:
                    ws.write_string(r, c, v, wrap if "\n" in v else None)
    wb.close()


def write_ods(path: Path, grids: list[Grid]) -> None:
    doc = OpenDocumentSpreadsheet()
    for g in grids:
        table = Table(name=g.name)
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in g.merges}
        covered = {(r, c) for r1, c1, r2, c2 in g.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - set(
            spans
        )
        for r, row in enumerate(g.rows):
            width = max([len(row)] + [c + 1 for (rr, c) in covered if rr == r])
            tr = TableRow()
            for c in range(width):
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                v = row[c] if c < len(row) else None
                attrs = {}
                if (r, c) in spans:
                    attrs = {"numberrowsspanned": spans[(r, c)][0], "numbercolumnsspanned": spans[(r, c)][1]}
                tr.addElement(_ods_cell(v, attrs))
            if not row and not width:
                tr.addElement(TableCell())
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


def _ods_cell(v, attrs: dict) -> TableCell:
    if v is None:
        return TableCell(**attrs)
    if isinstance(v, bool):
        cell, text = TableCell(valuetype="boolean", booleanvalue=str(v).lower(), **attrs), str(v).upper()
    elif isinstance(v, (int, float)):
        cell, text = TableCell(valuetype="float", value=repr(v), **attrs), str(v)
    elif isinstance(v, dt.date):
        cell, text = TableCell(valuetype="date", datevalue=v.isoformat(), **attrs), f"{v.day}/{v.month}/{v.year}"
    else:
        cell, text = TableCell(valuetype="string", **attrs), v
    p = P()
    teletype.addTextToElement(p, text)
    cell.addElement(p)
    return cell


def write_csv(path: Path, grid: Grid, encoding: str) -> None:
    width = max(len(r) for r in grid.rows)
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        for row in grid.rows:
            w.writerow([_csv_text(v) for v in row] if row else [""] * width)


def _csv_text(v) -> str:
    if v is None:
        return ""
    assert not isinstance(v, (bool, dt.date, float)), f"CSV cells are text: {v!r}"
    text = str(v)
    assert "\n" not in text, "a line break would shift CSV line numbers"
    return text
