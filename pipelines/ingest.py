"""Load village files into the warehouse: each file whole or not at all, with lineage.

Flow per file: hash → duplicate? → read grids → locate tables → resolve the village →
parse records (references looked up in the file, then in the current roster) → one
transaction that supersedes what the file replaces and inserts what it carries.
Choices where the spec is silent: docs/decisions.md.
"""

from __future__ import annotations

import datetime as dt
import re
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import duckdb
import pyarrow as pa

from pipelines import records, thai
from pipelines.register import Register, Village
from pipelines.workbook import FileRefused, Grid, Table, header_block, locate, read, sheet_kind_by_name, synonyms, column_letter

DATA_KINDS = ("trainers", "households", "followup")
KIND_RANK = {"trainers": 0, "households": 1, "followup": 2}
SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}


@dataclass
class Outcome:
    """What became of one file; what `sammachip ingest` prints and source_file keeps."""

    path: str
    status: str                     # loaded | replaced | duplicate | refused
    file_id: int | None = None
    village_code: str | None = None
    fiscal_year: int | None = None
    report_month: dt.date | None = None
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    message: str | None = None
    unreadable: bool = False        # refused because it could not be read at all
    received_at: dt.datetime | None = None


@dataclass
class Parsed:
    village: Village
    fiscal_year: int
    report_month: dt.date | None
    sheets: list[records.SheetResult] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


class Refused(Exception):
    """The file is refused for its content (village, year, layout); message says why."""


# ----------------------------------------------------------------------------- discovery


def hidden(path: Path, root: Path) -> bool:
    """Not village data: hidden or lock files, and folders starting with '.' or '_' (e.g. _truth)."""
    parts = path.relative_to(root).parts
    return path.name.startswith((".", "~$")) or any(p.startswith((".", "_")) for p in parts[:-1])


def is_register(path: Path) -> bool:
    """The province's village register CSV travels in raw/ too; it is loaded, not ingested."""
    return path.suffix.lower() == ".csv" and path.name.lower().startswith("register")


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and village files found recursively under folders named; in arrival order."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if (f.is_file() and f.suffix.lower() in SUFFIXES and not hidden(f, p)
                        and not is_register(f)):
                    found.append(f)
        else:
            found.append(p)
    unique = list(dict.fromkeys(found))
    return _arrival_order(unique)


def _arrival_order(files: list[Path]) -> list[Path]:
    """By modification time then path; CSV sheets of one village-month go trainers → households → follow-up."""
    def mtime(p: Path) -> int:
        try:
            return p.stat().st_mtime_ns
        except OSError:
            return 0

    ordered = sorted(files, key=lambda p: (mtime(p), str(p)))
    bundles: dict[tuple, list[int]] = {}
    kinds: dict[int, int] = {}
    for i, p in enumerate(ordered):
        if p.suffix.lower() != ".csv":
            continue
        peek = _peek_csv(p)
        if peek:
            bundle, kind = peek
            bundles.setdefault((str(p.parent), bundle), []).append(i)
            kinds[i] = KIND_RANK[kind]
    for slots in bundles.values():
        members = sorted(slots, key=lambda i: kinds[i])
        for slot, member in zip(sorted(slots), [ordered[i] for i in members]):
            ordered[slot] = member
    return ordered


def _peek_csv(path: Path):
    try:
        grid = read(path)[0]
        table = locate(grid, None)
    except Exception:  # an unreadable CSV is refused later, with its reason
        return None
    if table is None:
        return None
    block = header_block(grid, table.header_rows[0])
    key = tuple(sorted((k, str(v)) for k, (v, _) in block.items() if k != "reported_by"))
    return key, table.kind


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ----------------------------------------------------------------------------- parsing


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
                    f"(header blocks disagree on {key}: '{merged[key][0]}' vs '{value}' in sheet {sheet}, cell {cell})")
            merged.setdefault(key, (value, f"{sheet}!{cell}"))
    return merged


def _same(a, b, key) -> bool:
    try:
        if key == "fiscal_year":
            return thai.fiscal_year(a) == thai.fiscal_year(b)
        if key == "report_month":
            return thai.month(a) == thai.month(b)
        if key == "village_no":
            return thai.integer(a) == thai.integer(b)
    except ValueError:
        pass
    from pipelines.register import _name
    a, b = thai.text(a) or "", thai.text(b) or ""    # a code typed as a number cell is 54060407.0
    if key == "village_code":
        a, b = (re.sub(r"[\s-]", "", thai.digits(x)) for x in (a, b))
    return _name(a) == _name(b)


def _year_and_month(block: dict) -> tuple[int, dt.date | None]:
    month = fy = None
    if "report_month" in block:
        value, cell = block["report_month"]
        try:
            month = thai.month(value)
        except ValueError as exc:
            raise Refused(f"เดือนที่รายงาน '{value}' ({cell}): {exc}") from None
    if "fiscal_year" in block:
        value, cell = block["fiscal_year"]
        try:
            fy = thai.fiscal_year(value)
        except ValueError as exc:
            raise Refused(f"ปีงบประมาณ '{value}' ({cell}): {exc}") from None
    if fy is None and month is None:
        raise Refused("ไม่ได้ระบุปีงบประมาณหรือเดือนที่รายงาน (neither fiscal year nor report month given)")
    if fy is None:
        fy = thai.fiscal_year_of(month)
    if month is not None and thai.fiscal_year_of(month) != fy:
        raise Refused(f"เดือนที่รายงาน {month:%Y-%m} ไม่อยู่ในปีงบประมาณ {fy} "
                      f"(report month {month:%Y-%m} is outside fiscal year {fy})")
    return fy, month


def parse(path: Path, register: Register, current_roster: Callable[[str, str, int], records.People]) -> Parsed:
    """Read and parse a file without touching the warehouse; Refused/FileRefused end it."""
    grids = read(path)
    tables: list[Table] = []
    ignored: list[str] = []
    for g in grids:
        kind = sheet_kind_by_name(g.name)
        if kind == "cover":
            continue
        t = locate(g, kind if kind in DATA_KINDS else None)
        if t is None:
            if kind in DATA_KINDS:
                raise Refused(f"ชีต '{g.name}': ไม่พบแถวหัวตาราง (sheet '{g.name}': no header row found in the first rows)")
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
            raise Refused(f"ชีต '{t.grid.name}' ไม่มีคอลัมน์ {', '.join(missing)} (sheet '{t.grid.name}' lacks column(s) {', '.join(missing)})")
    block = _block(grids, tables)
    try:
        village = register.resolve(block)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    fy, month = _year_and_month(block)
    parsed = Parsed(village, fy, month, tables=tables, ignored=ignored)

    by_kind = {t.kind: t for t in tables}
    code = village.code
    if "trainers" in by_kind:
        tr = records.trainers(by_kind["trainers"], code, fy)
        parsed.sheets.append(tr)
        trainers_known = records.People([(r["citizen_id"], r["full_name"]) for r in tr.records])
    else:
        trainers_known = current_roster("trainer", code, fy)
    if "households" in by_kind:
        hh = records.households(by_kind["households"], code, fy, trainers_known)
        parsed.sheets.append(hh)
        households_known = records.People([(r["citizen_id"], r["full_name"]) for r in hh.records])
    else:
        households_known = current_roster("household", code, fy)
    if "followup" in by_kind:
        parsed.sheets.append(records.followup(by_kind["followup"], code, fy, households_known, set()))
    return parsed


# ----------------------------------------------------------------------------- writing

_ARROW = {
    "trainer_row": pa.schema([
        ("file_id", pa.int64()), ("sheet", pa.string()), ("row_number", pa.int32()),
        ("fiscal_year", pa.int32()), ("village_code", pa.string()), ("seq", pa.int32()),
        ("title", pa.string()), ("full_name", pa.string()), ("citizen_id", pa.string()),
        ("role", pa.string()), ("expertise", pa.string()), ("phone", pa.string()),
    ]),
    "household_row": pa.schema([
        ("file_id", pa.int64()), ("sheet", pa.string()), ("row_number", pa.int32()),
        ("fiscal_year", pa.int32()), ("village_code", pa.string()), ("seq", pa.int32()),
        ("title", pa.string()), ("full_name", pa.string()), ("citizen_id", pa.string()),
        ("house_no", pa.string()), ("members", pa.int32()), ("trainer_citizen_id", pa.string()),
        ("occupation", pa.string()), ("occupation_group", pa.string()), ("trained_on", pa.date32()),
        ("income_before", pa.decimal128(12, 2)), ("expense_before", pa.decimal128(12, 2)),
        ("status", pa.string()), ("note", pa.string()),
    ]),
    "followup_row": pa.schema([
        ("file_id", pa.int64()), ("sheet", pa.string()), ("row_number", pa.int32()),
        ("fiscal_year", pa.int32()), ("village_code", pa.string()), ("citizen_id", pa.string()),
        ("month", pa.date32()), ("practising", pa.bool_()), ("income", pa.decimal128(12, 2)),
        ("expense", pa.decimal128(12, 2)), ("savings", pa.decimal128(12, 2)),
        ("group_name", pa.string()), ("product", pa.string()), ("otop_type", pa.string()),
        ("standards", pa.list_(pa.string())), ("channels", pa.list_(pa.string())),
    ]),
}
_TABLE_OF = {"trainers": "trainer_row", "households": "household_row", "followup": "followup_row"}


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], file_id: int) -> None:
    if not rows:
        return
    schema = _ARROW[table]
    data = pa.Table.from_pylist([{**r, "file_id": file_id} for r in rows], schema=schema)
    con.register("_incoming", data)
    try:
        cols = ", ".join(schema.names)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
    finally:
        con.unregister("_incoming")


_ROWS = {
    "rejected": pa.schema([("file_id", pa.int64()), ("sheet", pa.string()), ("row_number", pa.int32()),
                           ("column_name", pa.string()), ("value", pa.string()), ("reason", pa.string())]),
    "file_sheet": pa.schema([("file_id", pa.int64()), ("sheet", pa.string()), ("kind", pa.string()),
                             ("header_row", pa.int32()), ("columns", pa.map_(pa.string(), pa.string())),
                             ("rows_loaded", pa.int32()), ("rows_rejected", pa.int32()), ("rows_skipped", pa.int32())]),
}


def _insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Tuples in the table's column order, in one statement (executemany pays per row)."""
    schema = _ROWS[table]
    columns = list(zip(*rows))
    data = pa.Table.from_arrays(
        [pa.array([None if v is None else list(v.items()) for v in col] if f.type == pa.map_(pa.string(), pa.string())
                  else list(col), type=f.type) for f, col in zip(schema, columns)], schema=schema)
    con.register("_incoming_rows", data)
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(schema.names)}) SELECT * FROM _incoming_rows")
    finally:
        con.unregister("_incoming_rows")


def _record_file(con, o: Outcome, sha: str, size: int, duplicate_of: int | None = None) -> None:
    con.execute(
        "INSERT INTO ingested_file (file_id, path, sha256, size_bytes, village_code, fiscal_year, report_month, "
        "status, rows_loaded, rows_rejected, rows_skipped, message, duplicate_of, received_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [o.file_id, o.path, sha, size, o.village_code, o.fiscal_year, o.report_month, o.status,
         o.rows_loaded, o.rows_rejected, o.rows_skipped, o.message, duplicate_of, o.received_at],
    )


def _write(con: duckdb.DuckDBPyConnection, o: Outcome, parsed: Parsed, sha: str, size: int) -> None:
    """One transaction: supersede what the file replaces, insert what it carries."""
    code, fy = parsed.village.code, parsed.fiscal_year
    replaced = 0
    con.execute("BEGIN TRANSACTION")
    try:
        for sheet in parsed.sheets:
            table = _TABLE_OF[sheet.kind]
            if sheet.kind == "followup":
                months = sorted({r["month"] for r in sheet.records})
                if months:
                    n = con.execute(
                        "UPDATE followup_row SET superseded_by = ? WHERE village_code = ? AND fiscal_year = ? "
                        "AND superseded_by IS NULL AND month IN (SELECT unnest(?::DATE[]))",
                        [o.file_id, code, fy, months]).fetchone()[0]
                    replaced += n
            else:
                replaced += con.execute(
                    f"UPDATE {table} SET superseded_by = ? WHERE village_code = ? AND fiscal_year = ? "
                    "AND superseded_by IS NULL", [o.file_id, code, fy]).fetchone()[0]
            _insert(con, table, sheet.records, o.file_id)
        rejections = [(o.file_id, r.sheet, r.row_number, r.column_name, r.value, r.reason)
                      for s in parsed.sheets for r in s.rejected]
        if rejections:
            _insert_rows(con, "rejected", rejections)
        sheets = [(o.file_id, s.sheet, s.kind, t.header_rows[-1] + 1,
                   {k: column_letter(c) for k, c in t.columns.items()}, len(s.records), len(s.rejected), s.skipped)
                  for s, t in zip(parsed.sheets, _tables_in_order(parsed))]
        sheets += [(o.file_id, name, "ignored", None, None, 0, 0, 0) for name in parsed.ignored]
        _insert_rows(con, "file_sheet", sheets)
        o.status = "replaced" if replaced else "loaded"
        _record_file(con, o, sha, size)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _tables_in_order(parsed: Parsed) -> list[Table]:
    by_kind = {t.kind: t for t in parsed.tables}
    return [by_kind[s.kind] for s in parsed.sheets]


class Ingestor:
    """Ingest files one by one into an open read-write connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.register = Register(con)

    def current_roster(self, what: str, village_code: str, fy: int) -> records.People:
        rows = self.con.execute(
            f"SELECT citizen_id, full_name FROM {what} WHERE village_code = ? AND fiscal_year = ?",
            [village_code, fy]).fetchall()
        return records.People(rows)

    def ingest_file(self, path: Path) -> Outcome:
        o = Outcome(path=str(path), status="refused")
        try:
            stat = path.stat()
            size = stat.st_size
            o.received_at = dt.datetime.fromtimestamp(stat.st_mtime)
            sha = sha256(path)
        except OSError as exc:
            o.message, o.unreadable = f"อ่านไฟล์ไม่ได้ (cannot read the file): {exc.strerror}", True
            self._refuse(o, "", 0)
            return o
        dup = self.con.execute(
            "SELECT file_id FROM ingested_file WHERE sha256 = ? AND status IN ('loaded', 'replaced') "
            "ORDER BY file_id LIMIT 1", [sha]).fetchone()
        o.file_id = self.con.execute("SELECT nextval('file_id_seq')").fetchone()[0]
        if dup:
            o.status = "duplicate"
            o.message = f"เนื้อหาเหมือนไฟล์ #{dup[0]} ที่นำเข้าแล้ว (same content as file #{dup[0]})"
            prior = self.con.execute("SELECT village_code, fiscal_year, report_month FROM ingested_file WHERE file_id = ?",
                                     [dup[0]]).fetchone()
            o.village_code, o.fiscal_year, o.report_month = prior
            _record_file(self.con, o, sha, size, duplicate_of=dup[0])
            return o
        try:
            parsed = parse(path, self.register, self.current_roster)
        except FileRefused as exc:
            o.message, o.unreadable = str(exc), True
            self._refuse(o, sha, size)
            return o
        except Refused as exc:
            o.message = str(exc)
            self._refuse(o, sha, size)
            return o
        o.village_code, o.fiscal_year, o.report_month = parsed.village.code, parsed.fiscal_year, parsed.report_month
        o.rows_loaded = sum(len(s.records) for s in parsed.sheets)
        o.rows_rejected = sum(len(s.rejected) for s in parsed.sheets)
        o.rows_skipped = sum(s.skipped for s in parsed.sheets)
        if parsed.ignored:
            o.message = "ข้ามชีต (ignored sheets): " + ", ".join(parsed.ignored)
        _write(self.con, o, parsed, sha, size)
        return o

    def _refuse(self, o: Outcome, sha: str, size: int) -> None:
        if o.file_id is None:
            o.file_id = self.con.execute("SELECT nextval('file_id_seq')").fetchone()[0]
        _record_file(self.con, o, sha, size)


def ingest(con: duckdb.DuckDBPyConnection, paths: Iterable[str | Path],
           on_file: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Ingest every file under paths in arrival order; one outcome per file."""
    ingestor = Ingestor(con)
    if not len(ingestor.register):
        raise RuntimeError("the village register is empty: load it first with `sammachip register --csv FILE`")
    outcomes = []
    for path in discover(paths):
        o = ingestor.ingest_file(path)
        outcomes.append(o)
        if on_file:
            on_file(o)
    return outcomes
