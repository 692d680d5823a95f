"""The unattended monthly run, as cron runs it: a real process, killed and re-run.

Marked slow: each run ingests, validates with GX and renders a small site with kernels.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.synth import generate

pytestmark = pytest.mark.slow
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


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("monthly") / "raw"
    generate(out, villages=4, months=2, seed=7, mess=3)
    return out


def _cmd(root: Path, raw: Path) -> list[str]:
    return [sys.executable, "-m", "pipelines", "--warehouse", str(root / "w.duckdb"), "--reports",
            str(root / "reports"), "monthly", "--month", MONTH, "--raw", str(raw)]


def _env(root: Path, batch: int | None = None) -> dict:
    return {**os.environ, "SAMMACHIP_LOG_DIR": str(root / "logs"),
            **({"SAMMACHIP_INGEST_BATCH": str(batch)} if batch else {})}


def _monthly(root: Path, raw: Path) -> int:
    p = subprocess.run(_cmd(root, raw), env=_env(root), capture_output=True, text=True, timeout=600)
    assert p.returncode in (0, 1), p.stderr[-3000:]
    assert "Traceback" not in p.stderr, p.stderr[-3000:]
    return p.returncode


def _state(root: Path) -> dict:
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        return {name: sorted(map(repr, con.execute(q).fetchall())) for name, q in STATE.items()}
    finally:
        con.close()


def _site(root: Path) -> dict[str, tuple[float, str]]:
    """Every page of the month's site: its modification time and a digest of its bytes."""
    site = root / "reports" / MONTH
    return {p.relative_to(site).as_posix(): (p.stat().st_mtime, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in site.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def uninterrupted(raw, tmp_path_factory) -> tuple[Path, int]:
    root = tmp_path_factory.mktemp("straight")
    code = _monthly(root, raw)
    return root, code


def test_a_second_run_changes_nothing_and_redoes_nothing(raw, tmp_path):
    first_code = _monthly(tmp_path, raw)
    state, site = _state(tmp_path), _site(tmp_path)
    manifest = json.loads((tmp_path / "reports" / MONTH / "manifest.json").read_text())
    assert manifest["exit_status"] == first_code
    assert manifest["counts"]["loaded"] + manifest["counts"]["replaced"] == len(manifest["inputs"]) > 0
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert manifest["reports"]["ok"] >= 4 + 1 + 1 and not manifest["reports"]["failed"]

    second_code = _monthly(tmp_path, raw)
    assert second_code == first_code
    assert _state(tmp_path) == state
    assert _site(tmp_path) == site           # not one page rewritten, manifest included
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    runs = con.execute("SELECT files_new, exit_status FROM monthly_run ORDER BY started_at").fetchall()
    con.close()
    assert runs == [(len(manifest["inputs"]), first_code), (0, first_code)]


def test_a_new_file_makes_the_next_run_do_the_work_again(raw, tmp_path):
    import shutil

    partial = tmp_path / "raw"
    shutil.copytree(raw, partial)
    held_back = sorted(partial.rglob("*_2025-11.*"))[0]
    keep = tmp_path / held_back.name
    held_back.rename(keep)
    _monthly(tmp_path, partial)
    before = _state(tmp_path)
    keep.rename(held_back)
    _monthly(tmp_path, partial)
    manifest = json.loads((tmp_path / "reports" / MONTH / "manifest.json").read_text())
    assert [Path(i["path"]).name for i in manifest["inputs"]] == [held_back.name]
    assert _state(tmp_path) != before


@pytest.mark.parametrize("when", ["ingest", "report"])
def test_a_run_killed_midway_then_rerun_ends_as_an_uninterrupted_one(raw, uninterrupted, tmp_path, when):
    straight, straight_code = uninterrupted
    # Small ingest batches, so "mid-ingest" is after some commits and before others.
    proc = subprocess.Popen(_cmd(tmp_path, raw), env=_env(tmp_path, batch=2), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    # Kill the whole process group (the run and its kernels), as systemd or a power cut would.
    deadline = time.monotonic() + 300
    log = tmp_path / "logs" / "sammachip.log"
    while time.monotonic() < deadline and proc.poll() is None:
        text = log.read_text(encoding="utf-8") if log.exists() else ""
        if (when == "ingest" and "ingest 3/" in text) or (when == "report" and "report 2/" in text):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "reports" / MONTH / "manifest.json").exists()

    code = _monthly(tmp_path, raw)
    assert code == straight_code
    assert _state(tmp_path) == _state(straight)
    assert _pages(tmp_path) == _pages(straight)


def _pages(root: Path) -> set[str]:
    """The site's file names, with the timestamp GX puts in a validation page's path left out."""
    return {re.sub(r"/\d{8}T\d{6}\.\d+Z/", "/<run>/", p) for p in _site(root)}


def test_the_fingerprint_sees_settings_register_and_files(tmp_path, monkeypatch, register_csv):
    """What decides that a re-run may skip: any change of input, setting or register shows."""
    import shutil

    from pipelines import config, monthly, register, warehouse

    settings = tmp_path / "sammachip.yml"
    shutil.copy(config.CONFIG_FILE, settings)
    monkeypatch.setattr(config, "CONFIG_FILE", settings)
    con = warehouse.connect(tmp_path / "w.duckdb")
    register.load_register(con, register_csv)
    first = monthly.fingerprint(con, MONTH)
    assert monthly.fingerprint(con, MONTH) == first
    assert monthly.fingerprint(con, "2025-12") != first
    settings.write_text(settings.read_text(encoding="utf-8").replace("due_days: 10", "due_days: 15"), encoding="utf-8")
    second = monthly.fingerprint(con, MONTH)
    assert second != first
    con.execute("UPDATE register_village SET village_name = 'บ้านใหม่' WHERE village_no = 1")
    third = monthly.fingerprint(con, MONTH)
    assert third != second
    con.execute("INSERT INTO ingested_file (file_id, path, sha256, status) VALUES (99, 'x.xlsx', 'abc', 'refused')")
    assert monthly.fingerprint(con, MONTH) != third
    con.close()
