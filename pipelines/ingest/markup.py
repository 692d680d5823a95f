"""Spreadsheets written as markup: an HTML page of tables (what web systems and LibreOffice
export, often saved as .xls) and an Excel 2003 XML Spreadsheet. Each becomes grids that look
to the rest of ingest exactly like calamine's: rectangular rows, blank cells as "", a merged
cell's value in its top-left cell with the range in `merged`, numbers as floats, dates as
date (datetime when the time is not midnight).

HTML (tracking-workbook.md, "Files"): each <table> is a sheet, named by its <caption>, else
by the heading just above it (LibreOffice writes `<h1>Sheet 2: <em>ครัวเรือน</em></h1>`; the
name is what follows "Sheet 2:"), else unnamed: the file's name when it is the only table,
"ตาราง n" (table n) otherwise; its kind then comes from its columns, as for a CSV. Row
numbers count the table's <tr> rows from 1. colspan and rowspan become merged ranges, <br>
a line break; a table inside a cell is a sheet of its own. Cells are text, except where
LibreOffice wrote the value itself (`sdval`, with its number format in `sdnum`).

XML Spreadsheet: each <Worksheet ss:Name> is a sheet; ss:Index skips cells and rows,
ss:MergeAcross / ss:MergeDown merge, ss:Type says Number, DateTime, Boolean or String. Read
with defusedxml: no DTD, no entity expansion, nothing fetched; a hostile file is refused.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from pipelines.ingest.grid import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_SHEETS, FileRefused, Grid, check_size

EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _too_many_sheets(n: int) -> FileRefused:
    return FileRefused(f"ไฟล์มีตารางมากผิดปกติ ({n}) (the file holds an implausible number of sheets: {n})")


def _serial(value: float, time_only: bool = False):
    """A spreadsheet serial day number as calamine gives it: a date, a datetime (time not
    midnight), or a time of day."""
    moment = EXCEL_EPOCH + dt.timedelta(days=value)
    moment = moment.replace(microsecond=0) + dt.timedelta(seconds=round(moment.microsecond / 1e6))
    if time_only:
        return moment.time()
    return moment.date() if moment.time() == dt.time(0) else moment


# ----------------------------------------------------------------------------- HTML

_WS = re.compile(r"[ \t\n\r\f]+")
_BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SECTIONS = {"thead", "tbody", "tfoot"}
_SKIP = {"script", "style", "template", "noscript"}
# "Sheet 2: ครัวเรือน" (LibreOffice; in another language another word): the name follows the colon.
_SHEET_HEADING = re.compile(r"^[^\d:：]{1,24}?\s*\d+\s*[:：]\s*(?P<name>\S.*)$")
# A number format that shows a date or a time (quoted text and [brackets] left out).
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


class _Cell:
    __slots__ = ("parts", "colspan", "rowspan", "sdval", "sdnum", "overflow")

    def __init__(self, attrs: dict):
        self.parts: list[str] = []
        self.colspan = _span(attrs.get("colspan"), MAX_COLUMNS)
        self.rowspan = _span(attrs.get("rowspan"), MAX_ROWS)
        self.sdval, self.sdnum = attrs.get("sdval"), attrs.get("sdnum")
        # Excel's HTML spans a cell whose text runs over its empty neighbours, saying so: no merge.
        self.overflow = "mso-ignore:colspan" in (attrs.get("style") or "").replace(" ", "")

    def value(self):
        if self.sdval is not None:
            typed = _libreoffice_value(self.sdval, self.sdnum or "")
            if typed is not None:
                return typed
        return _clean("".join(self.parts))


def _span(raw: str | None, limit: int) -> int:
    try:
        n = int(str(raw).strip().rstrip(";")) if raw is not None else 1
    except ValueError:
        return 1
    return min(max(n, 1), limit + 1)  # 0 (span to the end of the section) reads as 1


def _clean(text: str) -> str:
    """A cell's text: markup whitespace collapsed, <br> line breaks kept, edges trimmed."""
    if "\n" not in text:
        return text.strip()
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _libreoffice_value(sdval: str, sdnum: str):
    """LibreOffice's value of a number cell (`sdval`), typed by its format (`sdnum`:
    "locale;locale;format"): a date or time format gives a date, datetime or time."""
    try:
        number = float(sdval)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    fmt = _FORMAT_NOISE.sub("", sdnum.split(";", 2)[2] if sdnum.count(";") >= 2 else "").upper()
    fmt = fmt.replace("GENERAL", "").replace("STANDARD", "")  # the default format's name in some languages
    has_date = any(ch in fmt for ch in "YDวดป")  # Thai format codes: ว (day), ด (month), ป (year)
    has_time = "H" in fmt or "S" in fmt or "ช" in fmt
    if (has_date or has_time) and -1 < number < 2_958_466:  # up to 9999-12-31
        try:
            return _serial(number, time_only=has_time and not has_date)
        except (OverflowError, ValueError):
            return None
    return number


class _Table:
    __slots__ = ("rows", "row", "cell", "caption", "heading", "in_caption")

    def __init__(self, heading: str | None):
        self.rows: list[list[_Cell]] = []
        self.row: list[_Cell] | None = None
        self.cell: _Cell | None = None
        self.caption: list[str] = []
        self.heading = heading
        self.in_caption = False

    def close_cell(self) -> None:
        self.cell = None

    def close_row(self) -> None:
        self.cell, self.row = None, None

    def open_row(self) -> None:
        self.close_row()
        if len(self.rows) >= MAX_ROWS:
            raise FileRefused(
                f"ตารางมีแถวมากผิดปกติ เกิน {MAX_ROWS} แถว (a table is implausibly long: over {MAX_ROWS} rows)"
            )
        self.row = []
        self.rows.append(self.row)

    def open_cell(self, attrs: dict) -> None:
        if self.row is None:  # a cell outside any <tr>: browsers give it a row of its own
            self.open_row()
        if len(self.row) >= MAX_COLUMNS:
            raise FileRefused(
                f"ตารางมีคอลัมน์มากผิดปกติ เกิน {MAX_COLUMNS} คอลัมน์ (a table is implausibly wide: over {MAX_COLUMNS} columns)"
            )
        self.cell = _Cell(attrs)
        self.row.append(self.cell)


class _Tables(HTMLParser):
    """Every <table> of a page, in the order they open, with what names it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self.open: list[_Table] = []  # innermost last
        self.skip = 0
        self.heading: list[str] | None = None  # the text of an open h1..h6 outside any cell
        self.last_heading: str | None = None

    # the innermost open table and its open cell, if any
    def _cell(self) -> _Cell | None:
        return self.open[-1].cell if self.open else None

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
            return
        cell = self._cell()
        table = self.open[-1] if self.open else None
        if tag == "table":
            if len(self.tables) >= MAX_SHEETS:
                raise _too_many_sheets(len(self.tables) + 1)
            new = _Table(None if table else self.last_heading)
            self.last_heading = None
            self.tables.append(new)
            self.open.append(new)
        elif table is None:
            if tag in _HEADINGS:
                self.heading = []
            elif tag == "br" and self.heading is not None:
                self.heading.append(" ")
        elif tag == "tr":
            table.open_row()
        elif tag in ("td", "th"):
            table.open_cell(dict(attrs))
        elif tag in _SECTIONS:
            table.close_row()
        elif tag == "caption":
            table.close_row()
            table.in_caption = True
        elif cell is not None:
            if tag == "br":
                cell.parts.append("\n")
            elif tag in _BLOCKS and cell.parts and not cell.parts[-1].endswith("\n"):
                cell.parts.append("\n")
        elif tag == "br" and table.in_caption:
            table.caption.append(" ")

    def handle_startendtag(self, tag, attrs):  # <br/>, or XHTML's <td/>
        self.handle_starttag(tag, attrs)
        if tag != "br":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        table = self.open[-1] if self.open else None
        if tag == "table":
            if table is not None:
                self.open.pop()
                self.last_heading = None  # a heading above an earlier table names no later one
        elif table is None:
            if tag in _HEADINGS and self.heading is not None:
                text = _WS.sub(" ", "".join(self.heading)).strip()
                m = _SHEET_HEADING.match(text)
                self.last_heading = (m["name"].strip() if m else text) or None
                self.heading = None
        elif tag in ("td", "th"):
            table.close_cell()
        elif tag == "tr" or tag in _SECTIONS:
            table.close_row()
        elif tag == "caption":
            table.in_caption = False
        elif tag in _BLOCKS and table.cell is not None:
            parts = table.cell.parts
            if parts and not parts[-1].endswith("\n"):
                parts.append("\n")

    def handle_data(self, data):
        if self.skip:
            return
        data = _WS.sub(" ", data.replace("\xa0", " "))
        if not self.open:
            if self.heading is not None:
                self.heading.append(data)
            return
        table = self.open[-1]
        if table.cell is not None:
            table.cell.parts.append(data)
        elif table.in_caption:
            table.caption.append(data)


def _html_grid(table: _Table, name: str) -> Grid:
    """A table's cells placed as a browser places them: a cell takes the next column that no
    rowspan from above holds; a spanned cell is a merged range (value in its top-left)."""
    n = len(table.rows)
    busy: list[int] = []  # per column: the last row a rowspan from above holds it to
    placed: list[dict[int, object]] = []
    merged = []
    width = 0
    for r, row in enumerate(table.rows):
        line: dict[int, object] = {}
        c = 0
        for cell in row:
            while c < len(busy) and busy[c] >= r:
                c += 1
            cs, rs = cell.colspan, min(cell.rowspan, n - r)
            if c + cs > MAX_COLUMNS:
                raise FileRefused(
                    f"ตารางมีคอลัมน์มากผิดปกติ เกิน {MAX_COLUMNS} คอลัมน์ "
                    f"(a table is implausibly wide: over {MAX_COLUMNS} columns)"
                )
            line[c] = cell.value()
            if rs > 1 or (cs > 1 and not cell.overflow):
                merged.append(((r, c), (r + rs - 1, c + cs - 1)))
            if rs > 1:
                if len(busy) < c + cs:
                    busy.extend([-1] * (c + cs - len(busy)))
                for k in range(c, c + cs):
                    busy[k] = r + rs - 1
            c += cs
        width = max(width, c)  # a rowspan's columns were counted in the row it starts in
        if (r + 1) * width > MAX_CELLS:
            check_size(name, n, width)
        placed.append(line)
    check_size(name, n, width)
    rows = []
    for line in placed:
        out = [""] * width
        for c, v in line.items():
            out[c] = v
        rows.append(out)
    return Grid(name, rows, merged)


def _blank(table: _Table) -> bool:
    return not any(cell.sdval is not None or _clean("".join(cell.parts)) for row in table.rows for cell in row)


def read_html(text: str, file_name: str) -> list[Grid]:
    """Every table with something in it, as a grid named as the module says."""
    parser = _Tables()
    try:
        parser.feed(text)
        parser.close()
    except AssertionError:  # html.parser's own complaint about malformed markup
        raise FileRefused("อ่านหน้าเว็บไม่ได้ (unreadable HTML)") from None
    tables = [t for t in parser.tables if not _blank(t)]
    grids: list[Grid] = []
    seen: set[str] = set()
    for i, t in enumerate(tables, start=1):
        name = _WS.sub(" ", "".join(t.caption)).strip() or t.heading
        if not name:
            name = file_name if len(tables) == 1 else f"ตาราง {i}"
        unique, k = name, 1
        while unique in seen:
            k += 1
            unique = f"{name} ({k})"
        seen.add(unique)
        grids.append(_html_grid(t, unique))
    return grids


# ----------------------------------------------------------------------------- XML Spreadsheet 2003

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(elem, name: str) -> str | None:
    value = elem.get(_SS + name)
    return elem.get(name) if value is None else value


def _index(elem, name: str, limit: int, what: str) -> int | None:
    raw = _attr(elem, name)
    if raw is None:
        return None
    try:
        n = int(raw)
    except ValueError:
        raise FileRefused(
            f"ไฟล์ XML เสียหาย: {name}='{raw[:20]}' (damaged XML Spreadsheet: {name}='{raw[:20]}')"
        ) from None
    if not 0 <= n <= limit:
        raise FileRefused(f"ไฟล์มี{what}เกินขนาดที่รับได้ ({name}={n}) (the XML Spreadsheet goes implausibly far: {name}={n})")
    return n


def _xml_value(data):
    """A <Data ss:Type> element's value as calamine would give it."""
    if data is None:
        return ""
    text = "".join(data.itertext())
    kind = _attr(data, "Type")
    if kind == "Number":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "DateTime":
        try:
            moment = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            return text
        return moment.date() if moment.time() == dt.time(0) else moment
    if kind == "Boolean":
        t = text.strip().lower()
        return t in ("1", "true") if t in ("0", "1", "true", "false") else text
    return text


def read_xml_spreadsheet(source: bytes) -> list[Grid]:
    """Every <Worksheet> as a grid, streamed (rows are freed as they are read)."""
    grids: list[Grid] = []
    cells: dict[int, dict[int, object]] = {}
    merged: list = []
    name, r, c, width = "", -1, -1, 0
    try:
        for event, elem in iterparse(io.BytesIO(source), events=("start", "end"), forbid_dtd=True):
            tag = _local(elem.tag)
            if event == "start":
                if tag == "Worksheet":
                    if len(grids) >= MAX_SHEETS:
                        raise _too_many_sheets(len(grids) + 1)
                    name = _attr(elem, "Name") or f"Sheet{len(grids) + 1}"
                    cells, merged, r, width = {}, [], -1, 0
                elif tag == "Row":
                    idx = _index(elem, "Index", MAX_ROWS, "แถว")
                    r, c = (idx - 1 if idx else r + 1), -1
                    if r >= MAX_ROWS:
                        raise FileRefused(
                            f"ชีต '{name}' มีแถวมากผิดปกติ เกิน {MAX_ROWS} แถว (sheet '{name}' has over {MAX_ROWS} rows)"
                        )
                continue
            if tag == "Cell":
                idx = _index(elem, "Index", MAX_COLUMNS, "คอลัมน์")
                c = idx - 1 if idx else c + 1
                across = _index(elem, "MergeAcross", MAX_COLUMNS, "คอลัมน์") or 0
                down = _index(elem, "MergeDown", MAX_ROWS, "แถว") or 0
                if c + across >= MAX_COLUMNS or r + down >= MAX_ROWS:
                    raise FileRefused(
                        f"ชีต '{name}' กว้างหรือยาวผิดปกติ (sheet '{name}' reaches past {MAX_ROWS} rows "
                        f"or {MAX_COLUMNS} columns)"
                    )
                r = max(r, 0)  # a cell outside any <Row> (not Excel's) goes to the first row
                data = next((child for child in elem if _local(child.tag) == "Data"), None)
                if data is not None:  # a cell with a style only is no cell to calamine either
                    cells.setdefault(r, {})[c] = _xml_value(data)
                    width = max(width, c + 1)
                    if len(cells) * width > MAX_CELLS:
                        check_size(name, max(cells) + 1, width)
                if across or down:
                    merged.append(((r, c), (r + down, c + across)))
                c += across
                elem.clear()
            elif tag == "Row":
                span = _index(elem, "Span", MAX_ROWS, "แถว")
                if span:
                    r += span  # Span: this row's definition covers the next `span` rows too
                elem.clear()
            elif tag == "Worksheet":
                n = max(cells) + 1 if cells else 0
                check_size(name, n, width)
                rows = [[""] * width for _ in range(n)]
                for rr, line in cells.items():
                    out = rows[rr]
                    for cc, v in line.items():
                        out[cc] = v
                grids.append(Grid(name, rows, merged))
                cells = {}
                elem.clear()
    except (ParseError, DefusedXmlException) as exc:
        raise FileRefused(
            f"อ่านไฟล์ XML ไม่ได้ ไฟล์เสียหายหรือไม่ปลอดภัย (unreadable or unsafe XML Spreadsheet: {type(exc).__name__})"
        ) from None
    return grids
