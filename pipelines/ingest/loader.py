"""Load village files into the warehouse: each file whole or not at all, with lineage.

Flow per file: hash → duplicate? → read and parse (village_file, in worker processes for a
big run) → one transaction per batch that supersedes what its files replace and inserts
what they carry. Choices where the spec is silent: docs/decisions.md.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from pipelines.ingest import arrow, records
from pipelines.ingest.discover import discover
from pipelines.ingest.register import Register
from pipelines.ingest.village_file import Parsed
from pipelines.ingest.workbook import Table, column_letter
from pipelines.ingest.workers import PARALLEL_FROM, Job, parse_ahead, read_and_parse, size_caches

if TYPE_CHECKING:
    import duckdb


@dataclass
class Outcome:
    """What became of one file; what `sammachip ingest` prints and source_file keeps."""

    path: str
    status: str  # loaded | replaced | duplicate | refused
    file_id: int | None = None
    village_code: str | None = None
    fiscal_year: int | None = None
    report_month: dt.date | None = None
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    message: str | None = None
    unreadable: bool = False  # refused because it could not be read at all
    received_at: dt.datetime | None = None


def _register_and_insert(con, table: str, data: pa.Table, *also: str) -> None:
    """Insert an Arrow table into ``table`` (and the same rows into each of ``also``)."""
    con.register("_incoming", data)
    try:
        for name in (table, *also):
            con.execute(f"INSERT INTO {name} ({', '.join(data.schema.names)}) SELECT * FROM _incoming")
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
    duplicate_of: _Pending | int | None = None


# Superseding: the rows of a (village, fiscal year) roster, or of a (village, fiscal year,
# month) of follow-up, are replaced by the next file in file_id (= arrival) order that carries
# the same roster (or month). Rows are never changed: `carried` has one row per file and what
# it carried, and its superseded_by points at the replacing file. The writer keeps, per key,
# the file that is current, so a batch finds what it replaces without a scan.
_CARRIED = pa.schema(
    [
        ("file_id", pa.int64()),
        ("kind", pa.string()),
        ("village_code", pa.string()),
        ("fiscal_year", pa.int32()),
        ("month", pa.date32()),
        ("rows_loaded", pa.int32()),
    ]
)
_MOVES = pa.schema([("old_id", pa.int64()), ("new_id", pa.int64()), ("kind", pa.string()), ("month", pa.date32())])


def _current_files(con) -> dict[tuple, list[int]]:
    """Per (kind, village, fiscal year, month or None), the file(s) nothing has superseded yet."""
    current: dict[tuple, list[int]] = {}
    for fid, *key in con.execute(
        "SELECT file_id, kind, village_code, fiscal_year, month FROM carried "
        "WHERE superseded_by IS NULL ORDER BY file_id"
    ).fetchall():
        current.setdefault(tuple(key), []).append(fid)
    return current


def _supersede(con, moves: list[tuple]) -> set[int]:
    """Mark what each (old file, new file, kind, month) move replaces; the new files that
    replaced any rows (a file whose roster had no loadable rows replaces nothing)."""
    if not moves:
        return set()
    con.register("_moves", arrow.arrow_rows(_MOVES, moves))
    try:
        rows = con.execute("""
            UPDATE carried AS c SET superseded_by = m.new_id FROM _moves m
            WHERE c.file_id = m.old_id AND c.kind = m.kind AND c.month IS NOT DISTINCT FROM m.month
              AND c.superseded_by IS NULL
            RETURNING c.superseded_by, c.rows_loaded""").fetchall()
        # What is superseded leaves the current rows in the same transaction.
        con.execute("""DELETE FROM trainer_current WHERE file_id IN
                       (SELECT old_id FROM _moves WHERE kind = 'trainers')""")
        con.execute("""DELETE FROM household_current WHERE file_id IN
                       (SELECT old_id FROM _moves WHERE kind = 'households')""")
        con.execute("""DELETE FROM followup_current WHERE (file_id, month) IN
                       (SELECT (old_id, month) FROM _moves WHERE kind = 'followup')""")
    finally:
        con.unregister("_moves")
    return {new for new, n in rows if n}


_CURRENT = {
    "trainer_data": "trainer_current",
    "household_data": "household_current",
    "followup_data": "followup_current",
}


def cluster_current(con) -> None:
    """The current rows in village order again (a run appends and deletes as files come), so
    a query of one village reads that village's row groups."""
    for table in _CURRENT.values():
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table} ORDER BY village_code, fiscal_year")


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

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        batch_files: int | None = None,
        batch_rows: int = BATCH_ROWS,
        batch_seconds: float = 5.0,
    ):
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
            "WHERE status IN ('loaded', 'replaced') ORDER BY file_id DESC"
        ).fetchall():
            self.known[sha] = (fid, code, fy, month)
        self.batch_known: dict[str, _Pending] = {}
        self.current = _current_files(con)

    def current_roster(self, what: str, village_code: str, fy: int) -> records.People:
        self.flush()  # what earlier files of this run carry must be visible first
        rows = self.con.execute(
            f"SELECT citizen_id, full_name FROM {what} WHERE village_code = ? AND fiscal_year = ?", [village_code, fy]
        ).fetchall()
        return records.People(rows)

    def take(self, path: Path, job: Job | None = None) -> Outcome:
        """One file into the pending batch (parsed here, or already by a worker: `job`);
        its outcome is final once its batch is flushed."""
        job = job or read_and_parse(path, self.register, self.current_roster)
        if job.needs_roster:  # a worker could not see what this run loaded before it
            job = read_and_parse(path, self.register, self.current_roster)
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
            return self._add(
                _Pending(o, sha, size, duplicate_of=earlier if earlier is not None else self.known[sha][0])
            )
        parsed = job.parsed
        if parsed is None:
            o.message, o.unreadable = job.message, job.unreadable
            return self._add(_Pending(o, sha, size))
        o.status = "loaded"  # or "replaced", known when its batch is written
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
        if (
            len(self.pending) >= self.batch_files
            or self._rows >= self.batch_rows
            or time.monotonic() - self._since >= self.batch_seconds
        ):
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
        carriers, parts, rejections, sheets = [], {t: [] for t in arrow.SCHEMAS}, [], []
        for item in loaded:
            fid, parsed = item.outcome.file_id, item.parsed
            code, fy = parsed.village.code, parsed.fiscal_year
            for sheet in parsed.sheets:
                if sheet.kind == "followup":
                    carriers += [(fid, "followup", code, fy, m, n) for m, n in sheet.months.items()]
                else:
                    carriers.append((fid, sheet.kind, code, fy, None, sheet.n))
                if sheet.n:
                    parts[arrow.TABLE_OF[sheet.kind]].append((fid, sheet, parsed.arrow.get(sheet.kind)))
                rejections += [(fid, r.sheet, r.row_number, r.column_name, r.value, r.reason) for r in sheet.rejected]
            sheets += [
                (
                    fid,
                    sh.sheet,
                    sh.kind,
                    t.header_rows[-1] + 1,
                    {k: column_letter(c) for k, c in t.columns.items()},
                    sh.n,
                    len(sh.rejected),
                    sh.skipped,
                )
                for sh, t in zip(parsed.sheets, _tables_in_order(parsed))
            ]
            sheets += [(fid, name, "ignored", None, None, 0, 0, 0) for name in parsed.ignored]
        for table, sheets_of in parts.items():
            if sheets_of:  # every version in *_data; the current ones also in *_current
                _register_and_insert(con, table, arrow.batch_table(table, sheets_of), _CURRENT[table])
        moves: list[tuple] = []
        staged: dict[tuple, list[int]] = {}
        for fid, kind, code, fy, month, _ in carriers:  # in file_id (= arrival) order
            key = (kind, code, fy, month)
            moves += [(old, fid, kind, month) for old in staged.get(key, self.current.get(key, []))]
            staged[key] = [fid]
        if carriers:
            _register_and_insert(con, "carried", arrow.arrow_rows(_CARRIED, carriers))
        replacing = _supersede(con, moves)
        for item in loaded:
            item.outcome.status = "replaced" if item.outcome.file_id in replacing else "loaded"
        if rejections:
            _register_and_insert(con, "rejected", arrow.tuples_table("rejected", rejections))
        if sheets:
            _register_and_insert(con, "file_sheet", arrow.tuples_table("file_sheet", sheets))
        files = []
        for item in batch:
            o = item.outcome
            dup = item.duplicate_of
            dup_id = dup.outcome.file_id if isinstance(dup, _Pending) else dup
            if o.status == "duplicate":
                o.message = f"เนื้อหาเหมือนไฟล์ #{dup_id} ที่นำเข้าแล้ว (same content as file #{dup_id})"
            files.append(
                (
                    o.file_id,
                    o.path,
                    item.sha,
                    item.size,
                    o.village_code,
                    o.fiscal_year,
                    o.report_month,
                    o.status,
                    o.rows_loaded,
                    o.rows_rejected,
                    o.rows_skipped,
                    o.message,
                    dup_id,
                    o.received_at,
                )
            )
        _register_and_insert(con, "ingested_file", arrow.tuples_table("ingested_file", files))
        return staged

    def run(
        self,
        files: list[Path],
        on_file: Callable[[Outcome], None] | None = None,
        workers: int | None = None,
        ahead: int | None = None,
        on_taken: Callable[[Path], None] | None = None,
    ) -> list[Outcome]:
        """Every file in order. With workers > 1 (default: the machine's cores, for runs of more
        than a few dozen files), files are read and parsed ahead in worker processes while
        this one writes; results are taken strictly in arrival order. on_taken(path): a file
        is read and waits for its batch's commit, after which on_file(outcome) reports it."""
        self.on_file = on_file
        outcomes: list[Outcome] = []
        size_caches(self.register, len(files))  # this process parses too (alone, or again with earlier files)
        workers = workers if workers is not None else (os.cpu_count() or 1) if len(files) >= PARALLEL_FROM else 1
        try:
            jobs = parse_ahead(files, self.register, workers, ahead) if workers > 1 else ((p, None) for p in files)
            self.on_taken = on_taken
            for path, job in jobs:
                outcomes.append(self.take(path, job))
        finally:
            try:
                self.flush()  # whatever was parsed before a failure is still committed whole
            finally:
                self.on_file = self.on_taken = None
        if any(o.status in ("loaded", "replaced") for o in outcomes):
            cluster_current(self.con)
        return outcomes


def ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    on_file: Callable[[Outcome], None] | None = None,
    workers: int | None = None,
    ahead: int | None = None,
    **batching,
) -> list[Outcome]:
    """Ingest every file under paths in arrival order; one outcome per file."""
    ingestor = Ingestor(con, **batching)
    if not len(ingestor.register):
        raise RuntimeError("the village register is empty: load it first with `sammachip register --csv FILE`")
    return ingestor.run(discover(paths), on_file, workers, ahead)
