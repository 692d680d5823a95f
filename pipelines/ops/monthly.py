"""The monthly run: new files → warehouse → validation → reports → manifest. Safe to re-run."""

from __future__ import annotations

import datetime as dt
import json
import logging
import platform
import time
import uuid
from importlib import metadata
from pathlib import Path

from filelock import FileLock, Timeout

from pipelines import config, otop, warehouse
from pipelines import ingest as ing
from pipelines.ops import steps
from pipelines.ops.console import Ctx, err, print_ignored, print_outcomes

log = logging.getLogger("sammachip.monthly")


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for pkg in ("sammachip", "duckdb", "pandas", "great-expectations", "papermill", "plotly", "python-calamine"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def register_files(raw_dir: Path) -> list[Path]:
    return sorted(p for p in raw_dir.rglob("register*.csv") if not ing.hidden(p, raw_dir))


def new_files(con, raw_dir: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files under raw/ not yet offered to ingest (same path and same bytes), and the files
    there that are not tracking files at all, with why (listed, never ingested)."""
    seen = {(p, s) for p, s in con.execute("SELECT path, sha256 FROM ingested_file").fetchall()}
    files, ignored = ing.discover_with_ignored([raw_dir])
    return [p for p in files if (str(p), ing.sha256(p)) not in seen], ignored


def fingerprint(con, month: str) -> str:
    """Everything a month's outputs depend on: the files taken in (and what became of
    them), the register, the configuration, the suites, the notebooks and the code version.
    Equal fingerprints mean a re-run would write the same site, so it can be skipped."""
    import hashlib

    h = hashlib.sha256(month.encode())
    for query in (
        "SELECT file_id, sha256, status FROM ingested_file ORDER BY file_id",
        "SELECT count(*), hash(list(village_code || village_no || village_name ORDER BY village_code)) "
        "FROM register_village",
    ):
        h.update(repr(con.execute(query).fetchall()).encode())
    package = Path(__file__).resolve().parents[1]  # the code itself: an update with the same version number
    inputs = [
        config.CONFIG_FILE,
        otop.CONFIG_FILE,
        *sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")),
        *sorted((config.EXPECTATIONS_DIR).rglob("*.json")),
        *sorted(config.EXPECTATIONS_DIR.rglob("*.sql")),
        *sorted(p for p in package.rglob("*") if p.suffix in (".py", ".yml", ".sql", ".j2", ".css")),
        *sorted(config.VIEWS_DIR.glob("*.sql")),
    ]
    for path in inputs:
        if path.is_file():
            h.update(path.name.encode() + path.read_bytes())
    h.update(repr(_versions()).encode())
    return h.hexdigest()


def _unchanged(ctx, month: str, fp: str) -> dict | None:
    """The previous manifest of this month if it finished with the same fingerprint and its
    site is all there; a run killed mid-way never wrote one, so it is redone."""
    try:
        manifest = json.loads((ctx.reports / month / "manifest.json").read_text(encoding="utf-8"))
        rendered = json.loads((ctx.reports / month / "render_summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("fingerprint") != fp or manifest.get("exit_status") not in (0, 1):
        return None
    if not (ctx.reports / month / "index.html").is_file():
        return None
    if any(not Path(r["path"]).is_file() for r in rendered.get("ok", [])):
        return None
    return manifest


def _record_run(
    con,
    run_id: str,
    month: str,
    started: dt.datetime,
    errors: int,
    warnings: int,
    reports_ok: int,
    exit_status: int,
    manifest: Path,
    files_new: int = 0,
    files_refused: int = 0,
    rows_loaded: int = 0,
    rows_rejected: int = 0,
    reports_failed: int = 0,
) -> None:
    """One row of the run history (monthly_run); a skipped re-run takes nothing new in."""
    con.execute(
        "INSERT INTO monthly_run VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            dt.date.fromisoformat(month + "-01"),
            started,
            dt.datetime.now(),
            files_new,
            files_refused,
            rows_loaded,
            rows_rejected,
            errors,
            warnings,
            reports_ok,
            reports_failed,
            exit_status,
            str(manifest),
        ],
    )


def run(ctx: Ctx, month: str, raw_dir: Path) -> int:
    """Returns the exit code: 0 clean, 1 data problems of error severity, 2 could not run."""
    if not raw_dir.is_dir():
        err.print(f"[red]error:[/] raw folder not found: {raw_dir}")
        return 2
    lock = FileLock(str(ctx.warehouse) + ".monthly.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        err.print(
            "[red]error:[/] another `sammachip monthly` run is in progress (lock "
            f"{ctx.warehouse}.monthly.lock); not starting a second one"
        )
        return 2
    try:
        return _run(ctx, month, raw_dir)
    finally:
        lock.release()


def _run(ctx: Ctx, month: str, raw_dir: Path) -> int:
    run_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    started = dt.datetime.now()
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    with warehouse.writer(ctx.warehouse) as con:
        for path in register_files(raw_dir):
            ing.load_register(con, path)
        pending, ignored = new_files(con, raw_dir)
    timings["register"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    outcomes = steps.run_ingest(ctx, pending) if pending else []
    timings["ingest"] = time.perf_counter() - t0
    with warehouse.writer(ctx.warehouse) as con:
        fp = fingerprint(con, month)
        previous = None if outcomes else _unchanged(ctx, month, fp)
        if previous is not None:
            # Nothing new since a complete run of this month: its site, to-do lists and
            # shortlist stand as they are. The run is still recorded in the history.
            _record_run(
                con,
                run_id,
                month,
                started,
                previous["validation"]["errors"],
                previous["validation"]["warnings"],
                previous["reports"]["ok"],
                previous["exit_status"],
                ctx.reports / month / "manifest.json",
            )
    if previous is not None:
        ctx.say(
            f"ไม่มีไฟล์ใหม่และไม่มีอะไรเปลี่ยน (nothing new since run {previous['run_id']}): "
            f"{ctx.reports / month / 'index.html'} is current"
        )
        log.info("monthly %s: unchanged since run %s, nothing redone", month, previous["run_id"])
        return previous["exit_status"]
    print_ignored(ctx, ignored)
    if outcomes:
        print_outcomes(ctx, outcomes)
    ctx.say(f"ไฟล์ใหม่ (new files): {len(outcomes)}")

    t0 = time.perf_counter()
    validation = steps.run_validate(ctx, None, month)
    timings["validate"] = time.perf_counter() - t0
    ctx.say(f"ตรวจคุณภาพข้อมูล (validation): {validation.errors} errors, {validation.warnings} warnings")
    todo_files = steps.write_todo(ctx, month)

    t0 = time.perf_counter()
    shortlist_path = ctx.reports / month / f"otop_shortlist_{validation.fiscal_year}.xlsx"
    scored = steps.run_shortlist(ctx, validation.fiscal_year, month, shortlist_path) if validation.fiscal_year else []
    timings["shortlist"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    reports = steps.run_report(ctx, month)
    timings["report"] = time.perf_counter() - t0

    refused = [o for o in outcomes if o.status == "refused"]
    exit_status = 1 if (validation.errors or refused or reports.failed) else 0
    manifest = {
        "run_id": run_id,
        "month": month,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
        "raw_dir": str(raw_dir),
        "warehouse": str(ctx.warehouse),
        "inputs": [
            {
                "path": o.path,
                "file_id": o.file_id,
                "status": o.status,
                "village_code": o.village_code,
                "rows_loaded": o.rows_loaded,
                "rows_rejected": o.rows_rejected,
                "rows_skipped": o.rows_skipped,
                "message": o.message,
            }
            for o in outcomes
        ],
        "ignored": [{"path": str(path), "reason": why} for path, why in ignored],
        "counts": {s: sum(o.status == s for o in outcomes) for s in ("loaded", "replaced", "duplicate", "refused")},
        "rows": {k: sum(getattr(o, k) for o in outcomes) for k in ("rows_loaded", "rows_rejected", "rows_skipped")},
        "validation": {
            "run_id": validation.run_id,
            "fiscal_year": validation.fiscal_year,
            "errors": validation.errors,
            "warnings": validation.warnings,
        },
        "reports": {"ok": len(reports.ok), "failed": [str(f) for f in reports.failed]},
        "todo": [str(p) for p in todo_files],
        "otop_shortlist": {
            "path": str(shortlist_path) if scored else None,
            "candidates": len(scored),
            "ready": sum(s.tier == "ready" for s in scored),
        },
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "versions": _versions(),
        "fingerprint": fp,
        "exit_status": exit_status,
    }
    with warehouse.writer(ctx.warehouse) as con:
        sha = {p: s for p, s in con.execute("SELECT path, sha256 FROM ingested_file").fetchall()}
        for item in manifest["inputs"]:
            item["sha256"] = sha.get(item["path"])
        out = ctx.reports / month / "manifest.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        tmp.replace(out)
        _record_run(
            con,
            run_id,
            month,
            started,
            validation.errors,
            validation.warnings,
            len(reports.ok),
            exit_status,
            out,
            files_new=len(outcomes),
            files_refused=len(refused),
            rows_loaded=manifest["rows"]["rows_loaded"],
            rows_rejected=manifest["rows"]["rows_rejected"],
            reports_failed=len(reports.failed),
        )
    log.info(
        "monthly %s finished: exit %d, %d new files, %d errors, %d warnings, %d reports",
        month,
        exit_status,
        len(outcomes),
        validation.errors,
        validation.warnings,
        len(reports.ok),
    )
    ctx.say(f"manifest: {out}")
    return exit_status
