"""Validation with Great Expectations, on frames aggregated in DuckDB first.

GX's SQL datasource cannot validate DuckDB (upstream #10738, #11579), so each suite
validates a pandas frame built by a SQL file under expectations/frames/ (one row per
village for the quota checks). Suites are the JSON files under expectations/gx/expectations/;
each expectation's `meta` names its check and the Thai detail an officer acts on;
severities come from sammachip.yml.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines import config

os.environ.setdefault("TQDM_DISABLE", "1")  # GX draws a progress bar per metric
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

GX_ROOT = config.EXPECTATIONS_DIR
FRAMES_DIR = config.EXPECTATIONS_DIR / "frames"

# suite name → (frame SQL file, columns that identify a row in validation_issue)
VILLAGE = ["fiscal_year", "village_code"]
VILLAGE_MONTH = ["fiscal_year", "village_code", "month"]
SUITES: dict[str, tuple[str, list[str]]] = {
    "quota": ("village_quota.sql", VILLAGE),
    "completeness": ("village_month_reporting.sql", VILLAGE_MONTH),
    "completeness_rows": ("village_rejected.sql", VILLAGE),
    "timeliness": ("village_month_reporting.sql", VILLAGE_MONTH),
    "validity": ("village_validity.sql", VILLAGE),
    "uniqueness": ("village_uniqueness.sql", VILLAGE),
    "outliers": ("village_outliers.sql", VILLAGE),
}


@dataclass
class ValidationSummary:
    run_id: str
    fiscal_year: int | None
    errors: int = 0
    warnings: int = 0
    docs_index: Path | None = None
    issues: list[dict] = field(default_factory=list)


def _severity(check: str) -> str:
    table = config.settings().get("validation", {}).get("severity", {})
    return table.get(check, table.get("default", "error"))


def _context(workspace: Path):
    """The file context of expectations/, copied into a fresh workspace for this run.

    Suites and checkpoints come from expectations/gx (reviewed, committed); results and
    Data Docs of this run are written only in the workspace, so runs never pile up in the
    repository, never see each other's results, and can run side by side.
    """
    import great_expectations as gx

    shutil.copytree(GX_ROOT / "gx", workspace / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    return gx.get_context(mode="file", project_root_dir=str(workspace))


def _params(fiscal_year: int | None, month: dt.date | None) -> dict:
    cfg = config.settings().get("validation", {})
    return {
        "fiscal_year": fiscal_year,
        "month": month,
        "due_days": cfg.get("due_days", 10),
        "income_max": cfg.get("income_max", 200_000),
        "outlier_z": cfg.get("outlier_z", 3.5),
        "jump_factor": cfg.get("jump_factor", 3.0),
    }


def frame(con: duckdb.DuckDBPyConnection, suite: str, fiscal_year: int | None, month: dt.date | None = None):
    """The frame a suite validates, aggregated in DuckDB from the SQL file under expectations/frames/."""
    sql = (FRAMES_DIR / SUITES[suite][0]).read_text(encoding="utf-8")
    used = set(re.findall(r"\$([a-z_]+)", sql))
    return con.execute(sql, {k: v for k, v in _params(fiscal_year, month).items() if k in used}).df()


def _latest_fiscal_year(con) -> int | None:
    row = con.execute(
        "SELECT max(fiscal_year) FROM (SELECT fiscal_year FROM household UNION ALL "
        "SELECT fiscal_year FROM trainer UNION ALL SELECT fiscal_year FROM followup)"
    ).fetchone()
    return row[0]


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    return value.date() if hasattr(value, "date") else value


def _detail(template: str, row: dict) -> str:
    try:
        return template.format(**row)
    except (KeyError, IndexError, ValueError):
        return template


def _get_or_add(getter, adder):
    """Reuse what the file context already has, so a run never rewrites tracked files."""
    try:
        return getter()
    except Exception:  # GX raises a different not-found error for each kind of object
        return adder()


def _run_suite(context, name: str, df, index_cols: list[str]):
    """Validate one frame with its suite through a checkpoint that also updates Data Docs."""
    import great_expectations as gx

    source = _get_or_add(
        lambda: context.data_sources.get("warehouse"), lambda: context.data_sources.add_pandas("warehouse")
    )
    asset = _get_or_add(lambda: source.get_asset(name), lambda: source.add_dataframe_asset(name))
    batch = _get_or_add(
        lambda: asset.get_batch_definition("whole"), lambda: asset.add_batch_definition_whole_dataframe("whole")
    )
    suite = context.suites.get(name)
    vd = _get_or_add(
        lambda: context.validation_definitions.get(name),
        lambda: context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite)),
    )
    checkpoint = _get_or_add(
        lambda: context.checkpoints.get(name),
        lambda: context.checkpoints.add(
            gx.Checkpoint(
                name=name,
                validation_definitions=[vd],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")],
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": index_cols},
            )
        ),
    )
    return checkpoint.run(batch_parameters={"dataframe": df})


def validate(
    con: duckdb.DuckDBPyConnection,
    fiscal_year: int | None = None,
    month: str | None = None,
    docs_dir: Path | None = None,
) -> ValidationSummary:
    """Run every suite, store one row per failed check and village, build Data Docs."""
    if month and fiscal_year is None:
        y, m = map(int, month.split("-"))
        fiscal_year = y + 543 + (1 if m >= 10 else 0)
    fiscal_year = fiscal_year or _latest_fiscal_year(con)
    run_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    started = dt.datetime.now()
    summary = ValidationSummary(run_id, fiscal_year)
    month_date = dt.date.fromisoformat(month + "-01") if month else None
    with tempfile.TemporaryDirectory(prefix="sammachip-gx-") as workspace:
        context = _context(Path(workspace))
        _validate_suites(con, context, summary, fiscal_year, month_date, run_id)
        if docs_dir is not None:
            summary.docs_index = publish_docs(context, docs_dir, summary.issues, fiscal_year, con)
    summary.errors = sum(i["severity"] == "error" for i in summary.issues)
    summary.warnings = sum(i["severity"] == "warning" for i in summary.issues)
    con.execute("BEGIN TRANSACTION")
    con.execute(
        "INSERT INTO validation_run VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, started, dt.datetime.now(), fiscal_year, month_date, list(SUITES), summary.errors, summary.warnings],
    )
    if summary.issues:
        cols = ["run_id", "check_name", "severity", "fiscal_year", "village_code", "month", "detail"]
        con.executemany(
            f"INSERT INTO validation_result ({', '.join(cols)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[i[c] for c in cols] for i in summary.issues],
        )
    con.execute("COMMIT")
    return summary


def _validate_suites(con, context, summary: ValidationSummary, fiscal_year, month_date, run_id) -> None:
    frames: dict[str, object] = {}
    for name, (sql_file, index_cols) in SUITES.items():
        if sql_file not in frames:  # suites sharing a frame aggregate it once
            frames[sql_file] = frame(con, name, fiscal_year, month_date)
        df = frames[sql_file]
        if df.empty:
            continue
        result = _run_suite(context, name, df, index_cols)
        by_key = df.set_index(index_cols).to_dict("index")
        for vr in result.run_results.values():
            for er in vr.results:
                if er.success:
                    continue
                meta = er.expectation_config.meta or {}
                check = meta.get("check_name", er.expectation_config.type)
                severity = _severity(check)
                unexpected = er.result.get("unexpected_index_list") or [None]
                for hit in unexpected:
                    if hit is None:
                        row, key = {}, {}
                    else:
                        key = {c: hit[c] for c in index_cols}
                        row = {**by_key.get(tuple(key[c] for c in index_cols), {}), **key}
                    summary.issues.append(
                        {
                            "run_id": run_id,
                            "check_name": check,
                            "severity": severity,
                            "fiscal_year": int(row["fiscal_year"])
                            if row.get("fiscal_year") is not None
                            else fiscal_year,
                            "village_code": row.get("village_code"),
                            "month": _as_date(row.get("month")) or month_date,
                            "detail": _detail(meta.get("detail_th", check), row),
                        }
                    )


def publish_docs(context, docs_dir: Path, issues: list[dict], fiscal_year: int | None, con=None) -> Path | None:
    """Copy this run's Data Docs into the report site, made readable offline, each page linking
    back to the data-quality page of the provinces in the warehouse (``con``)."""
    from pipelines.quality import datadocs

    sites = context.get_docs_sites_urls()
    if not sites:
        return None
    src = Path(sites[0]["site_url"].removeprefix("file://")).parent
    tmp = docs_dir.with_name(docs_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    provinces = datadocs.provinces(con, fiscal_year) if con is not None else []
    datadocs.make_offline(tmp, issues, f"คุณภาพข้อมูล ปีงบประมาณ {fiscal_year or ''}".strip(), provinces)
    shutil.rmtree(docs_dir, ignore_errors=True)
    tmp.rename(docs_dir)
    return docs_dir / "index.html"
