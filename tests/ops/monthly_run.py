"""The monthly run as cron runs it, for tests/ops/test_monthly*.py: a real process on a small
synthetic province, and what a finished run leaves behind (warehouse rows, site pages)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines.synth import generate

MONTH = "2025-11"

# What a finished run leaves in the warehouse, without ids and clocks that differ run to run.
STATE = {
    "trainer": "SELECT * FROM trainer",
    "household": "SELECT * FROM household",
    "followup": "SELECT * FROM followup",
    "village_month": "SELECT * FROM village_month",
    "source_file": "SELECT path, sha256, village_code, fiscal_year, report_month, status, rows_loaded, "
    "rows_rejected, rows_skipped, message FROM source_file",
    "rejected_row": "SELECT f.path, r.sheet, r.row_number, r.column_name, r.value, r.reason "
    "FROM rejected_row r JOIN source_file f USING (file_id)",
    "validation_issue": "SELECT check_name, severity, fiscal_year, village_code, month, detail FROM validation_issue",
    "otop_candidate": "SELECT * EXCLUDE (run_id) FROM otop_candidate",
}


def province(out: Path) -> Path:
    """The raw/ folder the monthly tests run on: 4 villages, 2 months, messy."""
    generate(out, villages=4, months=2, seed=7, mess=3)
    return out


def cmd(root: Path, raw: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pipelines",
        "--warehouse",
        str(root / "w.duckdb"),
        "--reports",
        str(root / "reports"),
        "monthly",
        "--month",
        MONTH,
        "--raw",
        str(raw),
    ]


def env(root: Path, batch: int | None = None) -> dict:
    return {
        **os.environ,
        "SAMMACHIP_LOG_DIR": str(root / "logs"),
        **({"SAMMACHIP_INGEST_BATCH": str(batch)} if batch else {}),
    }


def run(root: Path, raw: Path) -> int:
    p = subprocess.run(cmd(root, raw), env=env(root), capture_output=True, text=True, timeout=600)
    assert p.returncode in (0, 1), p.stderr[-3000:]
    assert "Traceback" not in p.stderr, p.stderr[-3000:]
    return p.returncode


def state(root: Path) -> dict:
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        return {name: sorted(map(repr, con.execute(q).fetchall())) for name, q in STATE.items()}
    finally:
        con.close()


def site(root: Path) -> dict[str, tuple[float, str]]:
    """Every page of the month's site: its modification time and a digest of its bytes."""
    folder = root / "reports" / MONTH
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in folder.rglob("*")
        if p.is_file()
    }


def pages(root: Path) -> set[str]:
    """The site's file names, with the timestamp GX puts in a validation page's path left out."""
    return {re.sub(r"/\d{8}T\d{6}\.\d+Z/", "/<run>/", p) for p in site(root)}
