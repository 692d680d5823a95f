"""Load village files into the warehouse: each file whole or not at all, with lineage.

Flow per file: hash → duplicate? → read grids → locate tables → resolve the village →
parse records (references looked up in the file, then in the current roster) → one
transaction that supersedes what the file replaces and inserts what it carries.
Choices where the spec is silent: docs/decisions.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

import numpy as np
import pyarrow as pa

from pipelines import records, thai
from pipelines.register import Register, Village
from pipelines.workbook import FileRefused, Grid, Table, header_block, locate, read, sheet_kind_by_name, synonyms, column_letter

DATA_KINDS = ("trainers", "households", "followup")
KIND_RANK = {"trainers": 0, "households": 1, "followup": 2}
SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}

if TYPE_CHECKING:
    import duckdb


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
    # Records already in Arrow (parsed by a worker), per sheet kind; else sheets[i].columns.
    arrow: dict[str, pa.Table] = field(default_factory=dict)


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
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


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
    from pipelines.register import _name, code_text
    if key == "village_code":               # a code typed as a number cell is 54060407.0
        return code_text(a) == code_text(b)
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


def parse(path: Path, register: Register, current_roster: Callable[[str, str, int], records.People],
          data: bytes | None = None) -> Parsed:
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
        parsed.sheets.append(records.followup(by_kind["followup"], code, fy, households_known, set()))
    return parsed


# ----------------------------------------------------------------------------- writing

_ARROW = {
    "trainer_data": pa.schema([
        ("file_id", pa.int64()), ("sheet", pa.string()), ("row_number", pa.int32()),
        ("fiscal_year", pa.int32()), ("village_code", pa.string()), ("seq", pa.int32()),
        ("title", pa.string()), ("full_name", pa.string()), ("citizen_id", pa.string()),
        ("role", pa.string()), ("expertise", pa.string()), ("phone", pa.string()),
    ]),
    "household_data": pa.schema([
        ("file_id", pa.int64()), ("sheet", pa.string()), ("row_number", pa.int32()),
        ("fiscal_year", pa.int32()), ("village_code", pa.string()), ("seq", pa.int32()),
        ("title", pa.string()), ("full_name", pa.string()), ("citizen_id", pa.string()),
        ("house_no", pa.string()), ("members", pa.int32()), ("trainer_citizen_id", pa.string()),
        ("occupation", pa.string()), ("occupation_group", pa.string()), ("trained_on", pa.date32()),
        ("income_before", pa.decimal128(12, 2)), ("expense_before", pa.decimal128(12, 2)),
        ("status", pa.string()), ("note", pa.string()),
    ]),
    "followup_data": pa.schema([
        ("file_id", pa.int64()), ("sheet", pa.string()), ("row_number", pa.int32()),
        ("fiscal_year", pa.int32()), ("village_code", pa.string()), ("citizen_id", pa.string()),
        ("month", pa.date32()), ("practising", pa.bool_()), ("income", pa.decimal128(12, 2)),
        ("expense", pa.decimal128(12, 2)), ("savings", pa.decimal128(12, 2)),
        ("group_name", pa.string()), ("product", pa.string()), ("otop_type", pa.string()),
        ("standards", pa.list_(pa.string())), ("channels", pa.list_(pa.string())),
    ]),
}
_TABLE_OF = {"trainers": "trainer_data", "households": "household_data", "followup": "followup_data"}


_MAP = pa.map_(pa.string(), pa.string())
# Tables written from tuples (in this column order).
_ROWS = {
    "rejected": pa.schema([("file_id", pa.int64()), ("sheet", pa.string()), ("row_number", pa.int32()),
                           ("column_name", pa.string()), ("value", pa.string()), ("reason", pa.string())]),
    "file_sheet": pa.schema([("file_id", pa.int64()), ("sheet", pa.string()), ("kind", pa.string()),
                             ("header_row", pa.int32()), ("columns", _MAP),
                             ("rows_loaded", pa.int32()), ("rows_rejected", pa.int32()), ("rows_skipped", pa.int32())]),
    "ingested_file": pa.schema([
        ("file_id", pa.int64()), ("path", pa.string()), ("sha256", pa.string()), ("size_bytes", pa.int64()),
        ("village_code", pa.string()), ("fiscal_year", pa.int32()), ("report_month", pa.date32()),
        ("status", pa.string()), ("rows_loaded", pa.int32()), ("rows_rejected", pa.int32()),
        ("rows_skipped", pa.int32()), ("message", pa.string()), ("duplicate_of", pa.int64()),
        ("received_at", pa.timestamp("us"))]),
}


def _tuples_table(name: str, rows: list[tuple]) -> pa.Table:
    """Tuples in _ROWS[name]'s column order as one Arrow table (executemany pays per row)."""
    return _arrow_rows(_ROWS[name], rows)


def _arrow_rows(schema: pa.Schema, rows: list[tuple]) -> pa.Table:
    return pa.Table.from_arrays(
        [pa.array([None if v is None else list(v.items()) for v in col], type=f.type) if f.type == _MAP
         else _array(list(col), f.type) for f, col in zip(schema, zip(*rows))], schema=schema)


def _array(values: list, kind: pa.DataType) -> pa.Array:
    """Python values as an Arrow array, by the fastest road pyarrow offers for each type:
    it converts ints to int32 one by one with range checks (25x slower than to int64, then
    a cast)."""
    if kind == pa.int32():
        return pa.array(values, pa.int64()).cast(pa.int32())
    if kind == _MONEY:
        return _money_array(values)
    return pa.array(values, kind)


_MONEY = pa.decimal128(12, 2)


def _money_array(satang: list) -> pa.Array:
    """Whole satang (int or None) as Arrow DECIMAL(12,2), built from the integers' buffer:
    pyarrow converts Decimal objects one by one, about 3 µs each (a tenth of ingest)."""
    ints = pa.array(satang, pa.int64())
    low = np.frombuffer(ints.buffers()[1], dtype=np.int64)[ints.offset:ints.offset + len(ints)]
    words = np.empty((len(low), 2), dtype=np.int64)     # two's complement, little-endian 128 bit;
    words[:, 0], words[:, 1] = low, low >> 63           # slots under a null are masked out
    return pa.Array.from_buffers(_MONEY, len(low), [ints.buffers()[0], pa.py_buffer(words)],
                                 null_count=ints.null_count)


# The data tables' columns as records carry them (file_id is the writer's to give).
_RECORDS = {name: pa.schema([f for f in schema if f.name != "file_id"]) for name, schema in _ARROW.items()}


def _records_table(table: str, sheets: list[records.SheetResult]) -> pa.Table:
    """The records of several sheets as one Arrow table in the table's column order (without
    file_id): one conversion per column for them all, not per sheet."""
    arrays = []
    counts = [sheet.n for sheet in sheets]
    for f in _RECORDS[table]:
        if f.name in sheets[0].constants:       # one value per sheet (its name, village, year)
            arrays.append(pa.array([sheet.constants[f.name] for sheet in sheets], f.type)
                          .take(np.repeat(np.arange(len(sheets)), counts)))
            continue
        values: list = []
        for sheet in sheets:
            values += sheet.columns[f.name]
        arrays.append(_array(values, f.type))
    return pa.Table.from_arrays(arrays, schema=_RECORDS[table])


def _batch_table(table: str, parts: list[tuple[int, records.SheetResult, pa.Table | None]]) -> pa.Table:
    """The records of a batch's sheets, with their file ids, as one Arrow table: sheets a
    worker sent as Arrow are taken as they are, the others converted together."""
    pieces, loose = [], []
    for _, sheet, arrow in parts:
        if arrow is None:
            loose.append(sheet)
            continue
        if loose:
            pieces.append(_records_table(table, loose))
            loose = []
        pieces.append(arrow)
    if loose:
        pieces.append(_records_table(table, loose))
    data = pa.concat_tables(pieces).combine_chunks() if len(pieces) > 1 else pieces[0]
    fids = np.repeat(np.array([fid for fid, _, _ in parts], dtype=np.int64), [sheet.n for _, sheet, _ in parts])
    return data.add_column(0, "file_id", pa.array(fids, pa.int64()))


def _register_and_insert(con, table: str, data: pa.Table) -> None:
    con.register("_incoming", data)
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(data.schema.names)}) SELECT * FROM _incoming")
    finally:
        con.unregister("_incoming")


def _tables_in_order(parsed: Parsed) -> list[Table]:
    by_kind = {t.kind: t for t in parsed.tables}
    return [by_kind[s.kind] for s in parsed.sheets]


@dataclass
class _Pending:
    """A file taken in but not yet committed: what flush() writes."""
    outcome: Outcome
    sha: str
    size: int
    parsed: Parsed | None = None
    duplicate_of: "_Pending | int | None" = None


# Superseding: the rows of a (village, fiscal year) roster, or of a (village, fiscal year,
# month) of follow-up, are replaced by the next file in file_id (= arrival) order that carries
# the same roster (or month). Rows are never changed: `carried` has one row per file and what
# it carried, and its superseded_by points at the replacing file. The writer keeps, per key,
# the file that is current, so a batch finds what it replaces without a scan.
_CARRIED = pa.schema([("file_id", pa.int64()), ("kind", pa.string()), ("village_code", pa.string()),
                      ("fiscal_year", pa.int32()), ("month", pa.date32()), ("rows_loaded", pa.int32())])
_MOVES = pa.schema([("old_id", pa.int64()), ("new_id", pa.int64()), ("kind", pa.string()), ("month", pa.date32())])


def _current_files(con) -> dict[tuple, list[int]]:
    """Per (kind, village, fiscal year, month or None), the file(s) nothing has superseded yet."""
    current: dict[tuple, list[int]] = {}
    for fid, *key in con.execute(
            "SELECT file_id, kind, village_code, fiscal_year, month FROM carried "
            "WHERE superseded_by IS NULL ORDER BY file_id").fetchall():
        current.setdefault(tuple(key), []).append(fid)
    return current


def _supersede(con, moves: list[tuple]) -> set[int]:
    """Mark what each (old file, new file, kind, month) move replaces; the new files that
    replaced any rows (a file whose roster had no loadable rows replaces nothing)."""
    if not moves:
        return set()
    con.register("_moves", _arrow_rows(_MOVES, moves))
    try:
        rows = con.execute("""
            UPDATE carried AS c SET superseded_by = m.new_id FROM _moves m
            WHERE c.file_id = m.old_id AND c.kind = m.kind AND c.month IS NOT DISTINCT FROM m.month
              AND c.superseded_by IS NULL
            RETURNING c.superseded_by, c.rows_loaded""").fetchall()
    finally:
        con.unregister("_moves")
    return {new for new, n in rows if n}


# A batch is committed once it holds a DuckDB row group of rows (122,880): an append that
# large is written straight into the database file, where a smaller one is written twice
# (to the write-ahead log, then again at the checkpoint). Measured: 558,000 follow-up rows
# in batches of 40,000 cost 1.7 s to insert and commit, in batches of 122,880 0.7 s.
BATCH_ROWS = 122_880


class Ingestor:
    """Ingest files in arrival order into an open read-write connection.

    Files are committed in small batches: each file is whole or absent (a batch commits or
    rolls back as one), a batch is written in a handful of set-based statements instead of
    a dozen per file, and outcomes are reported once their batch is committed.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, batch_files: int | None = None,
                 batch_rows: int = BATCH_ROWS, batch_seconds: float = 5.0):
        self.con = con
        # SAMMACHIP_INGEST_BATCH=1 commits file by file (slower; for watching a run closely).
        batch_files = batch_files or int(os.environ.get("SAMMACHIP_INGEST_BATCH", "4096"))
        self.register = Register(con)
        self.batch_files, self.batch_rows, self.batch_seconds = batch_files, batch_rows, batch_seconds
        self.pending: list[_Pending] = []
        self._rows = 0
        self._since = time.monotonic()
        self.on_file: Callable[[Outcome], None] | None = None
        self.on_taken: Callable[[Path], None] | None = None
        # Loaded content by hash: the earliest loaded file with those bytes.
        self.known: dict[str, tuple[int, str | None, int | None, dt.date | None]] = {}
        for sha, fid, code, fy, month in con.execute(
                "SELECT sha256, file_id, village_code, fiscal_year, report_month FROM ingested_file "
                "WHERE status IN ('loaded', 'replaced') ORDER BY file_id DESC").fetchall():
            self.known[sha] = (fid, code, fy, month)
        self.batch_known: dict[str, _Pending] = {}
        self.current = _current_files(con)

    def current_roster(self, what: str, village_code: str, fy: int) -> records.People:
        self.flush()        # what earlier files of this run carry must be visible first
        rows = self.con.execute(
            f"SELECT citizen_id, full_name FROM {what} WHERE village_code = ? AND fiscal_year = ?",
            [village_code, fy]).fetchall()
        return records.People(rows)

    def take(self, path: Path, job: "_Job | None" = None) -> Outcome:
        """One file into the pending batch (parsed here, or already by a worker: `job`);
        its outcome is final once its batch is flushed."""
        job = job or _read_and_parse(path, self.register, self.current_roster)
        if job.needs_roster:        # a worker could not see what this run loaded before it
            job = _read_and_parse(path, self.register, self.current_roster)
        o = Outcome(path=str(path), status="refused", received_at=job.received_at)
        if job.sha is None:
            o.message, o.unreadable = job.message, True
            return self._add(_Pending(o, "", 0))
        sha, size = job.sha, job.size
        earlier = self.batch_known.get(sha)
        if earlier is not None or sha in self.known:
            o.status = "duplicate"
            if earlier is not None:
                src = earlier.outcome
                o.village_code, o.fiscal_year, o.report_month = src.village_code, src.fiscal_year, src.report_month
            else:
                _, o.village_code, o.fiscal_year, o.report_month = self.known[sha]
            return self._add(_Pending(o, sha, size, duplicate_of=earlier if earlier is not None else self.known[sha][0]))
        parsed = job.parsed
        if parsed is None:
            o.message, o.unreadable = job.message, job.unreadable
            return self._add(_Pending(o, sha, size))
        o.status = "loaded"         # or "replaced", known when its batch is written
        o.village_code, o.fiscal_year, o.report_month = parsed.village.code, parsed.fiscal_year, parsed.report_month
        o.rows_loaded = sum(s.n for s in parsed.sheets)
        o.rows_rejected = sum(len(s.rejected) for s in parsed.sheets)
        o.rows_skipped = sum(s.skipped for s in parsed.sheets)
        if parsed.ignored:
            o.message = "ข้ามชีต (ignored sheets): " + ", ".join(parsed.ignored)
        item = _Pending(o, sha, size, parsed=parsed)
        self.batch_known[sha] = item
        return self._add(item)

    def _add(self, item: _Pending) -> Outcome:
        self.pending.append(item)
        if self.on_taken:
            self.on_taken(Path(item.outcome.path))
        self._rows += item.outcome.rows_loaded + item.outcome.rows_rejected
        if (len(self.pending) >= self.batch_files or self._rows >= self.batch_rows
                or time.monotonic() - self._since >= self.batch_seconds):
            self.flush()
        return item.outcome

    def flush(self) -> None:
        """Write the pending files in one transaction, then report their outcomes."""
        batch, self.pending, self._rows, self.batch_known = self.pending, [], 0, {}
        self._since = time.monotonic()
        if not batch:
            return
        con = self.con
        ids = [r[0] for r in con.execute("SELECT nextval('file_id_seq') FROM range(?)", [len(batch)]).fetchall()]
        for item, fid in zip(batch, ids):
            item.outcome.file_id = fid
        con.execute("BEGIN TRANSACTION")
        try:
            now_current = self._write(batch)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            for item in batch:
                item.outcome.file_id = None
            raise
        self.current.update(now_current)
        for item in batch:
            o = item.outcome
            if o.status in ("loaded", "replaced") and item.sha not in self.known:
                self.known[item.sha] = (o.file_id, o.village_code, o.fiscal_year, o.report_month)
            if self.on_file:
                self.on_file(o)

    def _write(self, batch: list[_Pending]) -> dict[tuple, list[int]]:
        """Write a batch inside the open transaction; returns the current file of each key
        whose rows changed hands, to remember once the batch is committed."""
        con = self.con
        loaded = [i for i in batch if i.parsed is not None]
        carriers, parts, rejections, sheets = [], {t: [] for t in _ARROW}, [], []
        for item in loaded:
            fid, parsed = item.outcome.file_id, item.parsed
            code, fy = parsed.village.code, parsed.fiscal_year
            for sheet in parsed.sheets:
                if sheet.kind == "followup":
                    carriers += [(fid, "followup", code, fy, m, n) for m, n in sheet.months.items()]
                else:
                    carriers.append((fid, sheet.kind, code, fy, None, sheet.n))
                if sheet.n:
                    parts[_TABLE_OF[sheet.kind]].append((fid, sheet, parsed.arrow.get(sheet.kind)))
                rejections += [(fid, r.sheet, r.row_number, r.column_name, r.value, r.reason) for r in sheet.rejected]
            sheets += [(fid, sh.sheet, sh.kind, t.header_rows[-1] + 1,
                        {k: column_letter(c) for k, c in t.columns.items()}, sh.n, len(sh.rejected),
                        sh.skipped)
                       for sh, t in zip(parsed.sheets, _tables_in_order(parsed))]
            sheets += [(fid, name, "ignored", None, None, 0, 0, 0) for name in parsed.ignored]
        for table, sheets_of in parts.items():
            if sheets_of:
                _register_and_insert(con, table, _batch_table(table, sheets_of))
        moves: list[tuple] = []
        staged: dict[tuple, list[int]] = {}
        for fid, kind, code, fy, month, _ in carriers:      # in file_id (= arrival) order
            key = (kind, code, fy, month)
            moves += [(old, fid, kind, month) for old in staged.get(key, self.current.get(key, []))]
            staged[key] = [fid]
        if carriers:
            _register_and_insert(con, "carried", _arrow_rows(_CARRIED, carriers))
        replacing = _supersede(con, moves)
        for item in loaded:
            item.outcome.status = "replaced" if item.outcome.file_id in replacing else "loaded"
        if rejections:
            _register_and_insert(con, "rejected", _tuples_table("rejected", rejections))
        if sheets:
            _register_and_insert(con, "file_sheet", _tuples_table("file_sheet", sheets))
        files = []
        for item in batch:
            o = item.outcome
            dup = item.duplicate_of
            dup_id = dup.outcome.file_id if isinstance(dup, _Pending) else dup
            if o.status == "duplicate":
                o.message = f"เนื้อหาเหมือนไฟล์ #{dup_id} ที่นำเข้าแล้ว (same content as file #{dup_id})"
            files.append((o.file_id, o.path, item.sha, item.size, o.village_code, o.fiscal_year, o.report_month,
                          o.status, o.rows_loaded, o.rows_rejected, o.rows_skipped, o.message, dup_id,
                          o.received_at))
        _register_and_insert(con, "ingested_file", _tuples_table("ingested_file", files))
        return staged

    def run(self, files: list[Path], on_file: Callable[[Outcome], None] | None = None,
            workers: int | None = None, ahead: int | None = None,
            on_taken: Callable[[Path], None] | None = None) -> list[Outcome]:
        """Every file in order. With workers > 1 (default: the machine's cores, for runs of more
        than a few dozen files), files are read and parsed ahead in worker processes while
        this one writes; results are taken strictly in arrival order. on_taken(path): a file
        is read and waits for its batch's commit, after which on_file(outcome) reports it."""
        self.on_file = on_file
        outcomes: list[Outcome] = []
        workers = workers if workers is not None else (os.cpu_count() or 1) if len(files) >= PARALLEL_FROM else 1
        try:
            jobs = _parse_ahead(files, self.register, workers, ahead) if workers > 1 else ((p, None) for p in files)
            self.on_taken = on_taken
            for path, job in jobs:
                outcomes.append(self.take(path, job))
        finally:
            try:
                self.flush()        # whatever was parsed before a failure is still committed whole
            finally:
                self.on_file = self.on_taken = None
        return outcomes


# ----------------------------------------------------------------------------- parsing ahead

PARALLEL_FROM = 40          # fewer files than this: not worth starting worker processes
CHUNK_FILES = 16            # files per worker answer: one Arrow table per data table for them all


@dataclass
class _Job:
    """A file read, hashed and parsed (or refused) without the warehouse."""
    received_at: dt.datetime | None = None
    size: int = 0
    sha: str | None = None              # None: the file could not be read at all
    parsed: Parsed | None = None
    message: str | None = None
    unreadable: bool = False
    needs_roster: bool = False          # parse again in the writer, which sees earlier files


class WorkerDied(RuntimeError):
    """A parse worker process ended under us (a kill, the OOM killer): a machine condition."""


class _NeedsRoster(Exception):
    pass


def _no_roster(what: str, village_code: str, fy: int) -> records.People:
    raise _NeedsRoster


# Files up to this size are read once: the bytes hashed are the bytes parsed. A larger file
# (no village workbook is) is hashed and parsed from disk, so it is never held in memory.
READ_WHOLE = 64 * 1024 * 1024


def _read_and_parse(path: Path, register: Register, current_roster) -> _Job:
    job = _Job()
    data = None
    try:
        stat = path.stat()
        job.size, job.received_at = stat.st_size, dt.datetime.fromtimestamp(stat.st_mtime)
        if stat.st_size <= READ_WHOLE:
            data = path.read_bytes()
            job.size, job.sha = len(data), hashlib.sha256(data).hexdigest()
        else:
            job.sha = sha256(path)
    except OSError as exc:
        job.sha, job.message = None, f"อ่านไฟล์ไม่ได้ (cannot read the file): {exc.strerror}"
        return job
    try:
        job.parsed = parse(path, register, current_roster, data)
    except _NeedsRoster:
        job.needs_roster = True
    except FileRefused as exc:
        job.message, job.unreadable = str(exc), True
    except Refused as exc:
        job.message = str(exc)
    return job


def _worker_parse(paths: list[str], register: Register) -> tuple[list[_Job], dict[str, bytes], str | None]:
    """A worker's answer for a chunk of files: their jobs, the records of all their sheets as
    one Arrow table per data table (Arrow IPC bytes: the writer takes them as they are,
    where unpickling and converting Python values cost it more than parsing costs a worker),
    and the traceback of a bug that stopped the chunk early (jobs: the files before it)."""
    jobs: list[_Job] = []
    error = None
    for path in paths:
        try:
            jobs.append(_read_and_parse(Path(path), register, _no_roster))
        except Exception:       # a bug: the writer stops there, with this traceback
            error = f"{path}:\n{traceback.format_exc()}"
            break
    by_table: dict[str, list[records.SheetResult]] = {t: [] for t in _ARROW}
    for _, sheet, table in _chunk_order(jobs):
        by_table[table].append(sheet)
    ipc = {}
    for table, sheets in by_table.items():
        if sheets:
            sink = pa.BufferOutputStream()
            data = _records_table(table, sheets)
            with pa.ipc.new_stream(sink, data.schema) as out:
                out.write_table(data)
            ipc[table] = sink.getvalue().to_pybytes()
    for job in jobs:            # only what the writer needs travels (no grids, no values twice)
        p = job.parsed
        if p is not None:
            p.tables = [dataclasses.replace(t, grid=None, header_text={}, wide=[]) for t in p.tables]
            p.sheets = [dataclasses.replace(sh, columns={}, people=None) for sh in p.sheets]
    return jobs, ipc, error


def _chunk_order(jobs: list[_Job]):
    """(job, sheet, data table) of each sheet with records, in the order a chunk's Arrow
    tables hold them (file, then sheet): the worker writes and the writer slices by it."""
    for job in jobs:
        if job.parsed is not None:
            for sheet in job.parsed.sheets:
                if sheet.n:
                    yield job, sheet, _TABLE_OF[sheet.kind]


def _received(jobs: list[_Job], ipc: dict[str, bytes]) -> None:
    """Hand each parsed file its slice of the chunk's Arrow tables."""
    tables = {t: pa.ipc.open_stream(b).read_all() for t, b in ipc.items()}
    offsets = dict.fromkeys(tables, 0)
    for job, sheet, t in _chunk_order(jobs):
        job.parsed.arrow[sheet.kind] = tables[t].slice(offsets[t], sheet.n)
        offsets[t] += sheet.n


def _parse_ahead(files: list[Path], register: Register, workers: int, ahead: int | None = None):
    """(path, job) in the order of files, parsed by `workers` processes, at most `ahead` files
    ahead of the writer so memory stays flat however many files there are.

    Workers are plain `python -m pipelines.parse_worker` processes fed over pipes: no fork of
    a process holding DuckDB's threads, and no re-import of the caller's __main__. A thread
    per worker drains its answers as they come, so workers keep parsing while the writer
    commits a batch (a full pipe would otherwise stop them).
    """
    import pickle
    import queue as queues
    import subprocess
    import sys
    import threading
    from collections import deque

    procs = [subprocess.Popen([sys.executable, "-m", "pipelines.parse_worker"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE) for _ in range(workers)]
    answers = [queues.SimpleQueue() for _ in procs]
    _ENDED = ("ended", None)

    def drain(proc, out) -> None:
        while True:
            try:
                answer = pickle.load(proc.stdout)
            except Exception:       # EOF or a cut-off answer: the worker ended (or was told to)
                out.put(_ENDED)
                return
            if answer[0] == "ok":
                try:
                    _received(*answer[1][:2])
                except Exception:   # a bug here must reach the writer, not leave it waiting
                    answer = ("error", traceback.format_exc())
            out.put(answer)

    readers = [threading.Thread(target=drain, args=(p, q), daemon=True) for p, q in zip(procs, answers)]
    finished = False
    try:
        for p in procs:
            pickle.dump(register, p.stdin)
            p.stdin.flush()
        for t in readers:
            t.start()
        ahead = ahead or 256 * workers    # parsed files waiting: enough to outlast a commit
        size = max(1, min(CHUNK_FILES, ahead // (2 * workers)))
        chunks = (files[i:i + size] for i in range(0, len(files), size))
        pending: deque = deque()
        sent = 0

        def send() -> bool:
            nonlocal sent
            paths = next(chunks, None)
            if paths is None:
                return False
            w = sent % workers
            sent += 1
            try:
                pickle.dump([str(p) for p in paths], procs[w].stdin)
                procs[w].stdin.flush()
            except (BrokenPipeError, OSError):
                raise WorkerDied(f"ingest worker {procs[w].pid} stopped (killed, or out of memory?) before "
                                 f"{paths[0]}; files committed so far are kept: run ingest again") from None
            pending.append((paths, w))
            return True

        while len(pending) * size < ahead and send():
            pass
        while pending:
            paths, w = pending.popleft()
            kind, payload = answers[w].get()
            if kind == "ended":
                raise WorkerDied(f"ingest worker {procs[w].pid} stopped (killed, or out of memory?) while reading "
                                 f"{paths[0]}; files committed so far are kept: run ingest again")
            if kind == "error":
                raise RuntimeError(f"ingest worker failed on {paths[0]} or a file after it:\n{payload}")
            jobs, _, error = payload
            send()
            yield from zip(paths, jobs)
            if error is not None:
                raise RuntimeError(f"ingest worker failed on {error}")
        finished = True
    finally:
        for p in procs:
            if not finished:            # stopped early: a worker may be busy with files nobody will take
                p.kill()
            try:
                p.stdin.close()
            except OSError:
                pass
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for t in readers:
            t.join(timeout=10)
        for p in procs:
            p.stdout.close()


def ingest(con: duckdb.DuckDBPyConnection, paths: Iterable[str | Path],
           on_file: Callable[[Outcome], None] | None = None, workers: int | None = None,
           ahead: int | None = None, **batching) -> list[Outcome]:
    """Ingest every file under paths in arrival order; one outcome per file."""
    ingestor = Ingestor(con, **batching)
    if not len(ingestor.register):
        raise RuntimeError("the village register is empty: load it first with `sammachip register --csv FILE`")
    return ingestor.run(discover(paths), on_file, workers, ahead)
