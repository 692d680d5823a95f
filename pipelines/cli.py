"""The `sammachip` command line (contract: ../shared/spec/contract.md).

Exit codes: 0 success, 1 the job ran and found data problems of error severity,
2 bad usage or an input that could not be read at all.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from pipelines import config
from pipelines.ops.console import CannotRun, Ctx, err
from pipelines.thai import fmt, parse

log = logging.getLogger("sammachip")


def parse_month(value: str) -> str:
    """`YYYY-MM` (CE) or a BE `YYYY-MM` (2568-10), Thai digits too → CE `YYYY-MM`
    (thai.fmt.parse_month's reading, the one the reports use)."""
    try:
        return f"{fmt.parse_month(parse.digits(value)):%Y-%m}"
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a month like 2025-10 (or BE 2568-10)") from None


def _month_option(required: bool = True):
    return click.option(
        "--month",
        required=required,
        callback=lambda c, p, v: parse_month(v) if v else v,
        help="Calendar month, YYYY-MM (BE 2568-10 accepted).",
    )


def _log_to_file(log_dir: Path) -> None:
    """Unattended runs also log to logs/sammachip.log, rotated at 5 MB, ten files kept."""
    from logging.handlers import RotatingFileHandler

    log_dir.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(log_dir / "sammachip.log", maxBytes=5 * 1024 * 1024, backupCount=10, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


class _Group(click.Group):
    """Conditions of the machine or the input, not bugs, end in one clear line and exit code 2."""

    def invoke(self, ctx: click.Context):
        from pipelines.ingest import WorkerDied
        from pipelines.warehouse import WarehouseBusy

        try:
            return super().invoke(ctx)
        except (CannotRun, WarehouseBusy, WorkerDied) as exc:
            err.print(f"[red]error:[/] {exc}")
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--warehouse",
    type=click.Path(path_type=Path),
    default=config.DEFAULT_WAREHOUSE,
    show_default=True,
    help="DuckDB warehouse file.",
)
@click.option(
    "--reports",
    type=click.Path(path_type=Path),
    default=config.REPORTS_DIR,
    show_default=True,
    help="Folder of the report site.",
)
@click.option("--quiet", is_flag=True, help="Print only errors.")
@click.option("--verbose", is_flag=True, help="Log every file and report to the console, not only to the log file.")
@click.version_option(package_name="sammachip")
@click.pass_context
def main(click_ctx: click.Context, warehouse: Path, reports: Path, quiet: bool, verbose: bool) -> None:
    """sammachip: village tracking workbooks → warehouse → validation → reports.

    โครงการสร้างสัมมาชีพชุมชน — Community Right Livelihood programme.
    """
    # The console gets warnings (a cron mail stays short: the summary tables say the rest);
    # --verbose adds a line per file and report, which the log file always has.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.INFO if verbose and not quiet else logging.WARNING)
    click_ctx.obj = Ctx(warehouse, reports, quiet)


# ----------------------------------------------------------------------------- register


@main.command()
@click.option(
    "--csv",
    "csv_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Village register CSV: village_code,village_name[,village_no] (UTF-8).",
)
@click.pass_obj
def register(ctx: Ctx, csv_path: Path) -> None:
    """Load or update the village register (official areas come from geothai)."""
    from pipelines import ingest
    from pipelines.ops import steps

    try:
        n, total = steps.load_register(ctx, csv_path)
    except ingest.RegisterError as exc:
        err.print(f"[red]refused:[/] {exc}")
        sys.exit(2)
    ctx.say(f"ทะเบียนหมู่บ้าน: {n} rows from {csv_path}; {total} villages in the register")


# ----------------------------------------------------------------------------- synth


@main.command()
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--province", default="54", show_default=True, help="Two-digit DOPA province code.")
@click.option("--villages", type=int, default=None, help="How many villages (default: all in the register).")
@click.option("--months", type=int, default=3, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--mess",
    type=click.IntRange(0, 3),
    default=0,
    show_default=True,
    help="0 clean layout … 3 every real-world variant of the spec.",
)
@click.option("--fiscal-year", type=int, default=2569, show_default=True, help="BE fiscal year.")
@click.pass_obj
def synth(
    ctx: Ctx, out: Path, province: str, villages: int | None, months: int, seed: int, mess: int, fiscal_year: int
) -> None:
    """Synthetic register CSV + village workbooks (with the truth ingest should load)."""
    import geothai

    from pipelines.synth import generate

    if geothai.province(province) is None:
        raise click.BadParameter(f"no province with code '{province}'", param_hint="--province")
    if not 1 <= months <= 12:
        raise click.BadParameter("months must be 1..12", param_hint="--months")
    summary = generate(
        out, province=province, villages=villages, months=months, seed=seed, mess=mess, fiscal_year=fiscal_year
    )
    ctx.say(f"synthetic inputs in {out}: {summary}")


# ----------------------------------------------------------------------------- ingest


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def ingest(ctx: Ctx, paths: tuple[Path, ...]) -> None:
    """Load files or folders (recursively) into the warehouse."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err.print(f"[red]error:[/] not found: {', '.join(missing)}")
        sys.exit(2)
    from pipelines.ops import steps
    from pipelines.ops.console import print_outcomes

    outcomes = steps.run_ingest(ctx, paths)
    print_outcomes(ctx, outcomes)
    # Contract: 2 when not one input could be read; a refused file among others the run
    # went on with is a data problem (1), whatever its reason.
    if outcomes and all(o.unreadable for o in outcomes):
        sys.exit(2)
    if any(o.status == "refused" or o.rows_rejected for o in outcomes):
        sys.exit(1)


# ----------------------------------------------------------------------------- validate


@main.command()
@click.option("--fiscal-year", type=int, default=None, help="BE fiscal year (default: the latest with data).")
@_month_option(required=False)
@click.pass_obj
def validate(ctx: Ctx, fiscal_year: int | None, month: str | None) -> None:
    """Run the expectation suites; results to the warehouse and Data Docs."""
    from pipelines.ops import steps

    result = steps.run_validate(ctx, fiscal_year, month)
    ctx.say(
        f"validation {result.run_id}: {result.errors} errors, {result.warnings} warnings "
        f"(see the validation_issue view; Data Docs: {result.docs_index})"
    )
    if result.errors:
        sys.exit(1)


# ----------------------------------------------------------------------------- report


@main.command()
@_month_option()
@click.option("--village", "villages", multiple=True, help="Village code (repeatable).")
@click.option("--district", "districts", multiple=True, help="District code (repeatable).")
@click.option("--province", default=None, help="Province code.")
@click.option("--workers", type=int, default=2, show_default=True, help="Parallel kernels.")
@click.pass_obj
def report(ctx: Ctx, month: str, villages, districts, province, workers: int) -> None:
    """Execute the notebooks and write the HTML report site for a month."""
    from pipelines.ops import steps

    summary = steps.run_report(ctx, month, list(villages) or None, list(districts) or None, province, workers)
    if summary.failed:
        sys.exit(1)


# ----------------------------------------------------------------------------- export


@main.command("export")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format",
    "formats",
    type=click.Choice(["parquet", "csv"]),
    multiple=True,
    default=("parquet", "csv"),
    show_default=True,
)
@click.pass_obj
def export_cmd(ctx: Ctx, out: Path, formats: tuple[str, ...]) -> None:
    """The contract views as Parquet and CSV (with BOM); masked IDs, no names."""
    from pipelines.ops import steps

    files = steps.export(ctx, out, formats)
    ctx.say(f"{len(files)} files → {out}")


# ----------------------------------------------------------------------------- template


@main.command()
@click.option("--village", "village_code", required=True, help="8-digit village code.")
@click.option("--fiscal-year", type=int, required=True, help="BE fiscal year, e.g. 2569.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def template(ctx: Ctx, village_code: str, fiscal_year: int, out: Path) -> None:
    """A blank workbook for one village: header block filled, drop-down lists, checks."""
    from pipelines.ops import steps

    if fiscal_year < 2400:
        raise click.BadParameter("give the fiscal year in BE, e.g. 2569", param_hint="--fiscal-year")
    steps.write_template(ctx, village_code, fiscal_year, out)
    ctx.say(f"แบบฟอร์มหมู่บ้าน {village_code} ปีงบประมาณ {fiscal_year} → {out}")


# ----------------------------------------------------------------------------- shortlist


@main.command()
@click.option("--fiscal-year", type=int, required=True, help="BE fiscal year, e.g. 2569.")
@_month_option(required=False)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The xlsx to write.")
@click.pass_obj
def shortlist(ctx: Ctx, fiscal_year: int, month: str | None, out: Path) -> None:
    """OTOP-readiness shortlist with the reasons behind every score (weights: otop.yml)."""
    if fiscal_year < 2400:
        raise click.BadParameter("give the fiscal year in BE, e.g. 2569", param_hint="--fiscal-year")
    from pipelines.ops import steps

    steps.run_shortlist(ctx, fiscal_year, month, out)


# ----------------------------------------------------------------------------- monthly / demo


@main.command()
@_month_option()
@click.option(
    "--raw",
    "raw_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=config.RAW_DIR,
    show_default=True,
    help="Folder of received files.",
)
@click.pass_obj
def monthly(ctx: Ctx, month: str, raw_dir: Path) -> None:
    """Ingest new files, validate, report; write reports/<month>/manifest.json."""
    from pipelines.ops import monthly as mon

    _log_to_file(config.LOG_DIR)
    sys.exit(mon.run(ctx, month, raw_dir))


@main.command()
@click.option("--villages", type=int, default=None, help="How many villages (default: the whole province).")
@click.option("--months", type=int, default=3, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--mess",
    type=click.IntRange(0, 3),
    default=2,
    show_default=True,
    help="2: the spec's common variants plus a few quota breaches and bad rows to find.",
)
@click.option("--province", default="54", show_default=True)
@click.option(
    "--years",
    type=click.IntRange(1, 5),
    default=2,
    show_default=True,
    help="Fiscal years up to 2569; the earlier ones whole, as year-end workbooks.",
)
@click.pass_obj
def demo(ctx: Ctx, villages: int | None, months: int, seed: int, mess: int, province: str, years: int) -> None:
    """Synthetic province (register + messy workbooks) into raw/demo/, then the monthly run."""
    from pipelines.ops import demo as dem

    code = dem.run(ctx, villages, months, seed, mess, province, years)
    # The demo's messy data has errors on purpose; the demo itself succeeded.
    sys.exit(0 if code in (0, 1) else code)
