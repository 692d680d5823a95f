"""Read what villages send into plain grids, and find the tables.

A file is read by what its content is, whatever its name (`formats.sniff`): a workbook
python-calamine reads (xlsx, xlsm, xls, ods), an HTML page of tables or an Excel 2003 XML
Spreadsheet (`markup`), or text (CSV in UTF-8 or cp874, Excel's UTF-16 "Unicode Text").

A grid keeps every cell at its spreadsheet position (row 1 = index 0), so a value can
always be traced back to its cell. Nothing here knows what a value means: that is
`pipelines.thai` (values) and `pipelines.records` (rows).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

import python_calamine as calamine
import yaml

from pipelines.ingest import formats, markup
from pipelines.ingest.formats import MAX_UNZIPPED_BYTES, MAX_ZIP_RATIO, decode_text
from pipelines.ingest.grid import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, FileRefused, Grid, check_size
from pipelines.thai import parse

__all__ = [  # what other modules take from here (Grid and FileRefused live in grid.py)
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "MAX_ZIP_RATIO",
    "FileRefused",
    "Grid",
    "Table",
    "decode_text",
    "header_block",
    "locate",
    "read",
    "sheet_kind_by_name",
    "synonyms",
]

HEADER_SCAN_ROWS = 40
MAX_TEXT_BYTES = 128 * 1024 * 1024  # a CSV, HTML or XML file is read whole: past this it is refused
# Names a zip or OLE2 workbook goes by: text under these names is a damaged workbook, not a CSV.
_ZIPPED_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".ods"}


# ----------------------------------------------------------------------------- synonyms


@cache
def synonyms() -> dict:
    with open(Path(__file__).with_name("headers.yml"), encoding="utf-8") as fh:
        table = yaml.safe_load(fh)
    norm = lambda words: {norm_header(w): k for k, ws in words.items() for w in ws}  # noqa: E731
    return {
        "sheet_names": norm(table["sheet_names"]),
        "header_block": norm(table["header_block"]),
        "columns": {kind: norm(cols) for kind, cols in table["columns"].items()},
        "signature": table["signature"],
        "required": table["required"],
        "wide_measures": table["wide_measures"],
        "totals": {norm_header(w) for w in table["totals"]},
    }


@cache
def column_th(key: str) -> str:
    """A column's name as villages write it (its first header in headers.yml), for messages
    people read: income_before → รายได้ก่อนฝึก. A key that is no column is returned as it is."""
    with open(Path(__file__).with_name("headers.yml"), encoding="utf-8") as fh:
        table = yaml.safe_load(fh)
    for columns in table["columns"].values():
        if key in columns:
            return columns[key][0]
    return key


_BRACKETS = re.compile(r"[(\[（].*?[)\]）]")
_NOISE = re.compile(r"[\s.\-–_:*'\"]+")


def norm_header(value) -> str:
    """Header text in one comparable form: no case, spaces, dots, dashes or (units)."""
    if value is None:
        return ""
    return _norm_header(str(value))


# Bounded, and sized to the run by size_caches: data cells pass through _norm_header too (the
# search for repeated header rows), and _match_texts sees the rows above a table, which name
# the village; past about 1,000 villages fixed bounds overflowed between a village's re-sends.
NORM_MIN, MATCH_MIN = 1 << 16, 4096


def size_caches(entries: int, villages: int) -> None:
    """Room for a run's distinct cell texts (`entries`, as parse.size_caches) and header
    searches (a few per village); never below the defaults, emptied when the size changes."""
    global _norm_header, _match_texts
    _norm_header = parse.resized(_norm_header, max(NORM_MIN, 2 * entries))
    _match_texts = parse.resized(_match_texts, max(MATCH_MIN, 4 * villages))


@lru_cache(maxsize=NORM_MIN)
def _norm_header(value: str) -> str:
    s = unicodedata.normalize("NFC", value).lower()
    s = _BRACKETS.sub("", s)
    return _NOISE.sub("", parse.digits(s))


# ----------------------------------------------------------------------------- reading


def read(path: Path, data: bytes | None = None) -> list[Grid]:
    """Every sheet of a file as a grid; FileRefused when it is not a workbook we can read.
    `data`: the file's bytes, when the caller has read them already (to hash them)."""
    try:
        if data is None:
            size = path.stat().st_size
            with open(path, "rb") as fh:
                head = fh.read(formats.HEAD_BYTES)
        else:
            size, head = len(data), data[: formats.HEAD_BYTES]
    except OSError as exc:
        raise FileRefused(f"อ่านไฟล์ไม่ได้ (cannot read the file): {exc.strerror}") from None
    kind, reason = formats.sniff(head)
    suffix = path.suffix.lower()
    if kind == formats.EMPTY:
        raise FileRefused(reason)
    source = path if data is None else io.BytesIO(data)
    if kind in (formats.ZIP, formats.OLE2):
        inspect = formats.inspect_zip if kind == formats.ZIP else formats.inspect_ole2
        reason = inspect(source)
        if reason is None:
            return _read_calamine(source)
        raise FileRefused(reason)
    if kind == formats.OTHER:
        raise FileRefused(reason)
    if kind == formats.TEXT and suffix in _ZIPPED_SUFFIXES:
        raise FileRefused(f"ไฟล์ไม่ใช่ {suffix} ที่ถูกต้องหรือไฟล์เสียหาย (not a valid {suffix} file, or truncated)")
    if data is None:
        if size > MAX_TEXT_BYTES:
            raise FileRefused(f"ไฟล์ใหญ่ผิดปกติ ({size:,} ไบต์) (the file is implausibly large: {size:,} bytes)")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FileRefused(f"อ่านไฟล์ไม่ได้ (cannot read the file): {exc.strerror}") from None
    if kind == formats.HTML:
        grids = markup.read_html(formats.decode_markup(data), path.name)
        if not grids:
            raise FileRefused("หน้าเว็บไม่มีตาราง (an HTML page without tables)")
        return grids
    if kind == formats.XML_SPREADSHEET:
        return markup.read_xml_spreadsheet(data)
    return [_read_csv(path, data)]


def _read_calamine(source: Path | io.BytesIO) -> list[Grid]:
    try:
        if isinstance(source, io.BytesIO):
            source.seek(0)
            wb = calamine.CalamineWorkbook.from_filelike(source)
        else:
            wb = calamine.CalamineWorkbook.from_path(str(source))
    except calamine.PasswordError:
        raise FileRefused(formats.PASSWORD) from None
    except Exception as exc:  # calamine raises several error types for broken files
        raise FileRefused(
            f"เปิดไฟล์ไม่ได้ ไฟล์อาจเสียหายหรือติดรหัสผ่าน (cannot open the workbook: {type(exc).__name__})"
        ) from None
    grids = []
    try:
        for meta in wb.sheets_metadata:
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            try:
                sheet = wb.get_sheet_by_name(meta.name)
            except calamine.PasswordError:
                raise FileRefused(formats.PASSWORD) from None
            except Exception as exc:
                raise FileRefused(
                    f"อ่านชีต '{meta.name}' ไม่ได้ (cannot read sheet '{meta.name}': {type(exc).__name__})"
                ) from None
            n_rows, n_cols = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
            check_size(meta.name, n_rows, n_cols)
            rows = sheet.to_python(skip_empty_area=False)
            grids.append(Grid(meta.name, rows, list(sheet.merged_cell_ranges or [])))
    finally:
        wb.close()
    return grids


def _read_csv(path: Path, data: bytes | None = None) -> Grid:
    text = decode_text(path.read_bytes() if data is None else data)
    sample = text[:4096]
    delimiter = max([",", ";", "\t"], key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, lines = [], []
    try:
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if len(rows) >= MAX_ROWS or len(row) > MAX_COLUMNS:
                raise FileRefused("ไฟล์ CSV มีขนาดผิดปกติ (the CSV is implausibly large)")
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        raise FileRefused(
            f"อ่านไฟล์ CSV ไม่ได้ บรรทัด {reader.line_num} (unreadable CSV at line {reader.line_num}: {exc})"
        ) from None
    return Grid(path.name, rows, lines=lines)


# ----------------------------------------------------------------------------- locating tables


@dataclass
class Table:
    """Where a sheet's table sits and what its columns mean."""

    grid: Grid
    kind: str  # trainers | households | followup
    header_rows: tuple[int, ...]  # 0-based indexes of the header row(s)
    columns: dict[str, int]  # key -> column index
    wide: list[tuple[int, str, object]]  # (column index, measure key, month date)
    header_text: dict[int, set[str]]  # normalised header texts per column (both rows of two)

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1

    @cached_property
    def columns_in_order(self) -> list[tuple[str, int]]:
        """(key, column index) left to right: the order a row's faults are reported in."""
        return sorted(self.columns.items(), key=lambda kv: kv[1])


def sheet_kind_by_name(name: str) -> str | None:
    return synonyms()["sheet_names"].get(norm_header(name))


def _cell_text(v) -> str:
    if v.__class__ is str:
        return v.strip()
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _merged_parent(grid: Grid, r: int) -> dict[int, str]:
    """Row r's text spread across the columns its merged cells cover."""
    row = grid.rows[r]
    out = {c: t for c, v in enumerate(row) if (t := _cell_text(v))}
    for (r0, c0), (r1, c1) in grid.merged:
        if r0 <= r <= r1 and c0 < len(row):
            top = _cell_text(grid.rows[r0][c0]) if r0 < len(grid.rows) else ""
            for c in range(c0, c1 + 1):
                out.setdefault(c, top)
    return out


_MONTH_TAIL = re.compile(
    r"^(?P<measure>.*?)[\s(\[]*(?P<month>(?:"
    + parse._MONTH_ALT
    + r")\s*(?:พศ|คศ)?\s*\d{2,4}|\d{1,2}\s*/\s*\d{2,4}|\d{4}-\d{1,2})[)\]]?$",
    re.IGNORECASE,
)


_HAS_DIGIT = re.compile(r"[0-9๐-๙]")


def wide_column(text: str, table: dict[str, str], measures: list[str]):
    """'รายได้ ต.ค. 68' → ('income', 2025-10-01); None when the header is not a measure + month."""
    if not _HAS_DIGIT.search(text):  # every month form carries a year
        return None
    s = parse.digits(unicodedata.normalize("NFC", text)).replace(".", "")
    s = re.sub(r"\s+", " ", s).strip()
    m = _MONTH_TAIL.match(s)
    if not m or not m["measure"].strip():
        return None
    key = table.get(norm_header(m["measure"]))
    if key not in measures:
        return None
    try:
        return key, parse.month(m["month"])
    except ValueError:
        return None


def _match_row(texts: dict[int, list[str]], kind: str):
    """Map columns to keys; each column offers candidate texts, the first that matches wins."""
    columns, wide = _match_texts(tuple((c, tuple(texts[c])) for c in sorted(texts)), kind)
    return dict(columns), list(wide)


@lru_cache(maxsize=MATCH_MIN)  # every file of one layout offers the same header row
def _match_texts(texts: tuple[tuple[int, tuple[str, ...]], ...], kind: str):
    table = synonyms()["columns"][kind]
    measures = synonyms()["wide_measures"]
    columns: dict[str, int] = {}
    wide = []
    for c, candidates in texts:
        for t in candidates:
            key = table.get(norm_header(t))
            if key and key not in columns:
                columns[key] = c
                break
            if kind == "followup" and key is None and (w := wide_column(t, table, measures)):
                wide.append((c, w[0], w[1]))
                break
    return columns, wide


def _two_row_texts(grid: Grid, r: int) -> dict[int, list[str]]:
    """Candidate texts of a two-row header at rows r, r+1 (a group header over its children)."""
    parent = _merged_parent(grid, r)
    row = grid.rows[r]
    # Columns under a group header: a horizontal merge, or a header typed once and carried right.
    grouped = {c for (r0, c0), (r1, c1) in grid.merged if r0 <= r <= r1 and c1 > c0 for c in range(c0, c1 + 1)}
    child = {c: t for c, v in enumerate(grid.rows[r + 1]) if (t := _cell_text(v))}
    carried, last, start = {}, "", None
    for c in range(max(list(parent) + list(child) + [-1]) + 1):
        if c in parent:
            last, start = parent[c], c
        elif c in child and last:
            carried[c] = last
            grouped.update({start, c})
        else:
            last = ""
    out: dict[int, list[str]] = {}
    for c in set(parent) | set(child):
        p, ch = parent.get(c) or carried.get(c, ""), child.get(c, "")
        if ch and p and p != ch:
            # The lower cell read alone only under a group header: under a plain one-column
            # header it is a data row ("no" under "ประกอบอาชีพ ต.ค. 68" is an answer, not "No.").
            alone = [ch] if c in grouped or not _cell_text(row[c] if c < len(row) else None) else []
            out[c] = [ch + p, p + ch] + alone + ([p] if c in parent else [])
        else:
            out[c] = [ch or p]
    return out


# Tables located before, by what decided them: every file of one layout (and every re-send
# of one workbook) puts the same header in the same place. Keyed by the first `depth` rows
# (cells with their types: 1, 1.0 and True read differently), the merged ranges and the
# row count up to the scan limit; `depth` is how many rows locating that sheet looked at.
_LOCATED: dict = {}
_LOCATED_MAX = 4096
_DEPTHS: dict[str | None, list[int]] = {}
_NOT_FOUND = object()


def typed_rows(rows: list[list]) -> tuple:
    """Rows as a hashable key that tells cells apart as a reader does: 1, 1.0 and TRUE are
    equal in Python, but read as different values."""
    return tuple(map(tuple, rows)), tuple(tuple(map(type, row)) for row in rows)


def _located_key(grid: Grid, kind_hint: str | None, depth: int):
    rows = grid.rows[:depth]
    if len(rows) < depth:
        return None
    try:
        key = (kind_hint, depth, min(len(grid.rows), HEADER_SCAN_ROWS + 1), typed_rows(rows), tuple(grid.merged))
        hash(key)
    except TypeError:
        return None
    return key


def locate(grid: Grid, kind_hint: str | None) -> Table | None:
    """Find the header row(s) in the first rows and map the columns; None if no table."""
    for depth in _DEPTHS.get(kind_hint, ()):
        key = _located_key(grid, kind_hint, depth)
        hit = _LOCATED.get(key) if key is not None else None
        if hit is not None:
            return None if hit is _NOT_FOUND else dataclasses.replace(hit, grid=grid)
    table, depth = _locate(grid, kind_hint)
    key = _located_key(grid, kind_hint, depth)
    if key is not None:
        if len(_LOCATED) >= _LOCATED_MAX:
            _LOCATED.clear()
        _LOCATED[key] = _NOT_FOUND if table is None else dataclasses.replace(table, grid=None)
        depths = _DEPTHS.setdefault(kind_hint, [])
        if depth not in depths:
            depths.insert(0, depth)
            del depths[4:]  # a few layouts at a time; others are located afresh
    return table


def _score(texts: dict[int, list[str]], kind: str, kind_hint: str | None):
    """(score, columns, wide) of candidate header texts read as a `kind` table; None when they
    do not read as its header."""
    columns, wide = _match_row(texts, kind)
    if not ({"citizen_id", "full_name", "first_name"} & set(columns)):
        return None
    sig = set(synonyms()["signature"][kind]) & set(columns)
    if not kind_hint and not (sig or (kind == "followup" and wide)):
        return None
    score = len(columns) + (3 if wide else 0) + len(sig)
    return (score, columns, wide) if score >= 3 else None


def _locate(grid: Grid, kind_hint: str | None) -> tuple[Table | None, int]:
    """locate(), and how many rows from the top it looked at."""
    kinds = [kind_hint] if kind_hint else ["trainers", "households", "followup"]
    best = None
    n = min(len(grid.rows), HEADER_SCAN_ROWS)
    depth = 0
    for r in range(n):
        if best is not None and r > best[1].header_rows[0]:
            break  # the first row that reads as a header wins (with the row under it)
        depth = r + 1
        single = {c: [t] for c, v in enumerate(grid.rows[r]) if (t := _cell_text(v))}
        if len(single) < 2:
            continue
        candidates = [((r,), single)]
        if r + 1 < len(grid.rows):
            depth = r + 2
            candidates.append(((r, r + 1), _two_row_texts(grid, r)))
        for rows, texts in candidates:
            for kind in kinds:
                scored = _score(texts, kind, kind_hint)
                if scored is None:
                    continue
                score, columns, wide = scored
                if len(rows) == 2:
                    # A row above the header that adds no match (a header-block line such as
                    # "ปีงบประมาณ 2569", a title) is no group header: the row under it is the header.
                    below = _score(
                        {c: [t] for c, v in enumerate(grid.rows[r + 1]) if (t := _cell_text(v))}, kind, kind_hint
                    )
                    if below is not None and below[0] >= score:
                        continue
                # Ties go to the single row: a data row under a header never adds a match.
                if best is None or score > best[0]:
                    norm: dict[int, set[str]] = {}
                    for hr in rows:
                        for c, v in enumerate(grid.rows[hr]):
                            if _cell_text(v):
                                norm.setdefault(c, set()).add(norm_header(v))
                    best = (score, Table(grid, kind, rows, columns, wide, norm))
    return (best[1] if best else None), depth


# ----------------------------------------------------------------------------- header block


def header_block(grid: Grid, stop_row: int | None = None) -> dict[str, tuple[object, str]]:
    """Label → (value, cell) pairs above the table: label then value, or 'label: value'."""
    labels = synonyms()["header_block"]
    found: dict[str, tuple[object, str]] = {}
    last = len(grid.rows) if stop_row is None else stop_row
    for r in range(min(last, HEADER_SCAN_ROWS)):
        row = grid.rows[r]
        for c, v in enumerate(row):
            t = _cell_text(v)
            if not t:
                continue
            key = labels.get(norm_header(t.rstrip(":： ")))
            if key:
                for c2 in range(c + 1, len(row)):
                    if _cell_text(row[c2]):
                        value = row[c2]
                        if key not in found:
                            found[key] = (value, cell_name(r, c2))
                        break
                continue
            if ":" in t or "：" in t:
                label, value = re.split(r"[:：]", t, maxsplit=1)
                key = labels.get(norm_header(label))
                if key and value.strip() and key not in found:
                    found[key] = (value.strip(), cell_name(r, c))
    return found


@cache
def column_letter(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def cell_name(r: int, c: int) -> str:
    return f"{column_letter(c)}{r + 1}"
