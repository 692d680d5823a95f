"""The DuckDB warehouse: schema and views live as .sql files under warehouse/."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from pipelines import config


def _sql_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.sql"))


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables, bring an older warehouse up to date, then (re)create every
    view; safe to run on every connect, and all or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        tables = _tables(con)
        had_current = "followup_current" in tables
        legacy = _rows_with_superseded_by(con)
        if legacy:
            _drop_views(con)
            for table in legacy.values():
                con.execute(f"ALTER TABLE {table}_row RENAME TO {table}_data")
        for path in _sql_files(config.SCHEMA_DIR):
            con.execute(path.read_text(encoding="utf-8"))
        if legacy:
            record_carried(con, legacy, marked=True)
            for table in legacy.values():
                con.execute(f"ALTER TABLE {table}_data DROP COLUMN superseded_by")
                # made by the schema above from the table that still had the column
                con.execute(f"CREATE OR REPLACE TABLE {table}_current AS SELECT * FROM {table}_data LIMIT 0")
        if not had_current or legacy:  # a warehouse from before the current tables: fill them once
            rebuild_current(con)
        for path in _sql_files(config.VIEWS_DIR):
            con.execute(path.read_text(encoding="utf-8"))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


_ROW_TABLES = {"trainers": "trainer", "households": "household", "followup": "followup"}


def _tables(con) -> set[str]:
    return {
        name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
    }


def _rows_with_superseded_by(con) -> dict[str, str]:
    """Row tables in the layout before `carried` (each row marked superseded_by): kind → name."""
    tables = _tables(con)
    return {kind: t for kind, t in _ROW_TABLES.items() if f"{t}_row" in tables}


def _drop_views(con) -> None:
    for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'"
    ).fetchall():
        con.execute(f'DROP VIEW IF EXISTS "{name}"')


def record_carried(con, kinds: dict[str, str] = _ROW_TABLES, marked: bool = False) -> None:
    """Fill `carried` from the rows of the *_data tables: one row per file and roster, or per
    file and follow-up month. `marked`: the rows still hold the superseded_by of the layout
    before `carried` (migration); otherwise nothing is superseded (a warehouse filled by
    hand: test fixtures, benchmarks)."""
    for kind, table in kinds.items():
        month = "month" if kind == "followup" else "NULL::DATE"
        by = "file_id, village_code, fiscal_year" + (", month" if kind == "followup" else "")
        con.execute(f"""
            INSERT INTO carried (file_id, kind, village_code, fiscal_year, month, rows_loaded, superseded_by)
            SELECT file_id, '{kind}', village_code, fiscal_year, {month}, count(*),
                   {"max(superseded_by)" if marked else "NULL"}
            FROM {table}_data GROUP BY {by}""")
    if not marked:
        rebuild_current(con)


def rebuild_current(con) -> None:
    """The *_current tables from the rows nothing has superseded (carried), in village order:
    after a migration, or after rows were written by hand (test fixtures, benchmarks)."""
    for kind, table in _ROW_TABLES.items():
        month = " AND c.month = d.month" if kind == "followup" else ""
        con.execute(f"DELETE FROM {table}_current")
        con.execute(f"""
            INSERT INTO {table}_current
            SELECT d.* FROM {table}_data d
            JOIN carried c ON c.file_id = d.file_id AND c.kind = '{kind}'{month}
            WHERE c.superseded_by IS NULL
            ORDER BY d.village_code, d.fiscal_year""")


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writer also makes sure the schema and views are current."""
    path = Path(path)
    if read_only:
        if not path.exists():
            raise FileNotFoundError(f"warehouse not found: {path} (run `sammachip ingest` or `sammachip demo` first)")
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    apply_schema(con)
    return con


def _connect_when_free(path: Path, deadline: float) -> duckdb.DuckDBPyConnection:
    """DuckDB refuses a writer while any process has the file open, even read-only (a report
    kernel finishing, a planner's notebook): wait for it, then say who holds it."""
    pause = 0.1
    while True:
        try:
            return connect(path)
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise
            if time.monotonic() >= deadline:
                holder = re.search(r"\(PID (\d+)\)", str(e))
                raise WarehouseBusy(
                    f"the warehouse {path} is open in another program"
                    + (f" (process {holder[1]})" if holder else "")
                    + "; close it (a notebook or DuckDB session) and run again"
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


class WarehouseBusy(RuntimeError):
    """Another sammachip process holds the warehouse for writing."""


@contextlib.contextmanager
def writer(path: str | Path, wait_seconds: float = 600) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, held under a lock file so two writers queue instead of failing.

    DuckDB itself allows one read-write process per file; the lock turns a second
    writer's crash into a wait (up to ``wait_seconds``) and then a clear refusal.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path) + ".lock")
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise WarehouseBusy(
            f"the warehouse {path} is in use by another sammachip run; waited {wait_seconds:.0f} s"
        ) from None
    try:
        con = _connect_when_free(path, time.monotonic() + wait_seconds)
        try:
            yield con
        finally:
            con.close()
    finally:
        lock.release()
