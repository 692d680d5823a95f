"""Export the contract views for other tools: Parquet (Power BI, Looker Studio, Spark) and
CSV with a BOM (so Excel opens Thai text correctly).

Text that looks like a formula (= + - @ first) is data: Parquet keeps it as typed; in CSV,
which Excel opens and evaluates, it is made inert with a leading ' as in every workbook
sammachip writes (spec: "made inert only where it is exported to a spreadsheet").

PDPA: exports never carry whole citizen IDs or names. Each ID column becomes a masked ID
for people to read (3-5401-xxxxx-xx-1) and a `*_key`: a salted hash, stable within this
warehouse, so tables still join. The salt lives only in the warehouse.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import duckdb

VIEWS = [
    "village",
    "trainer",
    "household",
    "followup",
    "source_file",
    "rejected_row",
    "village_month",
    "validation_issue",
    "otop_candidate",
    "data_todo",
    "village_funnel",
    "outcome_by_group",
]
ID_COLUMNS = {"citizen_id", "trainer_citizen_id"}
NAME_COLUMNS = {"full_name"}


def _salt(con: duckdb.DuckDBPyConnection) -> str:
    con.execute("CREATE TABLE IF NOT EXISTS export_secret (salt VARCHAR NOT NULL)")
    row = con.execute("SELECT salt FROM export_secret").fetchone()
    if row:
        return row[0]
    salt = secrets.token_hex(16)
    con.execute("INSERT INTO export_secret VALUES (?)", [salt])
    return salt


def _select(con: duckdb.DuckDBPyConnection, view: str, salt: str) -> str:
    cols = [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description]
    out = []
    for c in cols:
        if c in ID_COLUMNS:
            out.append(
                f"CASE WHEN {c} IS NULL THEN NULL ELSE substr({c}, 1, 1) || '-' || substr({c}, 2, 4) "
                f"|| '-xxxxx-xx-' || substr({c}, 13, 1) END AS {c}"
            )
            key = c.removesuffix("citizen_id") + "person_key"
            # Hex digits written as letters: a key must never contain a run that reads as an ID.
            out.append(
                f"CASE WHEN {c} IS NULL THEN NULL ELSE translate(substr(sha256('{salt}' || {c}), 1, 16), "
                f"'0123456789', 'ghijklmnop') END AS {key}"
            )
        elif c in NAME_COLUMNS:
            continue
        elif c in ("value", "detail", "path"):
            out.append(
                f"regexp_replace({c}, '(\\d)(\\d{{4}})(\\d{{5}})(\\d{{2}})(\\d)', '\\1-\\2-xxxxx-xx-\\5', 'g') AS {c}"
            )
        else:
            out.append(c)
    return f"SELECT {', '.join(out)} FROM {view}"


def _inert(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """query with each text cell that would start a formula in a spreadsheet prefixed by '."""
    cols = []
    for name, kind, *_ in con.execute(f"DESCRIBE {query}").fetchall():
        c = '"' + name.replace('"', '""') + '"'
        cols.append(
            f"CASE WHEN left({c}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || {c} ELSE {c} END AS {c}"
            if kind == "VARCHAR"
            else c
        )
    return f"SELECT {', '.join(cols)} FROM ({query})"


def export(con: duckdb.DuckDBPyConnection, out_dir: Path, formats: tuple[str, ...] = ("parquet", "csv")) -> list[Path]:
    """One file per view and format under out_dir; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    salt = _salt(con)
    written = []
    for view in VIEWS:
        query = _select(con, view, salt)
        if "parquet" in formats:
            path = out_dir / f"{view}.parquet"
            con.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
            written.append(path)
        if "csv" in formats:
            path = out_dir / f"{view}.csv"
            tmp = path.with_suffix(".csv.tmp")
            con.execute(f"COPY ({_inert(con, query)}) TO '{tmp}' (FORMAT csv, HEADER true)")
            with open(path, "wb") as fh, open(tmp, "rb") as src:
                fh.write(b"\xef\xbb\xbf")  # Excel reads UTF-8 Thai only with a BOM
                shutil.copyfileobj(src, fh)
            tmp.unlink()
            written.append(path)
    return written
