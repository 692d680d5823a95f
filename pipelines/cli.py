"""The `sammachip` command line (contract: ../shared/spec/contract.md).

Exit codes: 0 success, 1 the job ran and found data problems of error severity,
2 bad usage or an input that could not be read at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from pipelines import config, thai, thaifmt

log = logging.getLogger("sammachip")
# Piped or mailed by cron, rich would lay tables out 80 columns wide: a path and a message
# then fold over many lines. Such output gets 160 unless COLUMNS says otherwise.
_WIDTH = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 160
console = Console(stderr=False, highlight=False, soft_wrap=True, width=_WIDTH)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Ctx:
    def __init__(self, warehouse: Path, reports: Path, quiet: bool):
        self.warehouse, self.reports, self.quiet = warehouse, reports, quiet

    def say(self, *args, **kwargs) -> None:
        if not self.quiet:
            console.print(*args, **kwargs)


def parse_month(value: str) -> str:
    """`YYYY-MM` (CE) or a BE `YYYY-MM` (2568-10), Thai digits too → CE `YYYY-MM`
    (thaifmt.parse_month's reading, the one the reports use)."""
    try:
        return f"{thaifmt.parse_month(thai.digits(value)):%Y-%m}"
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a month like 2025-10 (or BE 2568-10)") from None


def _month_option(required: bool = True):
    return click.option("--month", required=required, callback=lambda c, p, v: parse_month(v) if v else v,
                        help="Calendar month, YYYY-MM (BE 2568-10 accepted).")


def _log_to_file(log_dir: Path) -> None:
    """Unattended runs also log to logs/sammachip.log, rotated at 5 MB, ten files kept."""
    from logging.handlers import RotatingFileHandler

    log_dir.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(log_dir / "sammachip.log", maxBytes=5 * 1024 * 1024, backupCount=10,
                                  encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


def _progress_wanted(ctx: Ctx) -> bool:
    return not ctx.quiet and sys.stderr.isatty()


class _Group(click.Group):
    """Conditions of the machine, not bugs, end in one clear line and exit code 2."""

    def invoke(self, ctx: click.Context):
        from pipelines.ingest import WorkerDied
        from pipelines.warehouse import WarehouseBusy

        try:
            return super().invoke(ctx)
        except (WarehouseBusy, WorkerDied) as exc:
            err.print(f"[red]error:[/] {exc}")
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--warehouse", type=click.Path(path_type=Path), default=config.DEFAULT_WAREHOUSE,
              show_default=True, help="DuckDB warehouse file.")
@click.option("--reports", type=click.Path(path_type=Path), default=config.REPORTS_DIR,
              show_default=True, help="Folder of the report site.")
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
@click.option("--csv", "csv_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Village register CSV: village_code,village_name[,village_no] (UTF-8).")
@click.pass_obj
def register(ctx: Ctx, csv_path: Path) -> None:
    """Load or update the village register (official areas come from geothai)."""
    from pipelines import register as reg
    from pipelines import warehouse

    try:
        with warehouse.writer(ctx.warehouse) as con:
            n = reg.load_register(con, csv_path)
            total = con.execute("SELECT count(*) FROM register_village").fetchone()[0]
    except reg.RegisterError as exc:
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
@click.option("--mess", type=click.IntRange(0, 3), default=0, show_default=True,
              help="0 clean layout … 3 every real-world variant of the spec.")
@click.option("--fiscal-year", type=int, default=2569, show_default=True, help="BE fiscal year.")
@click.pass_obj
def synth(ctx: Ctx, out: Path, province: str, villages: int | None, months: int, seed: int, mess: int,
          fiscal_year: int) -> None:
    """Synthetic register CSV + village workbooks (with the truth ingest should load)."""
    import geothai

    from pipelines.synth import generate

    if geothai.province(province) is None:
        raise click.BadParameter(f"no province with code '{province}'", param_hint="--province")
    if not 1 <= months <= 12:
        raise click.BadParameter("months must be 1..12", param_hint="--months")
    summary = generate(out, province=province, villages=villages, months=months, seed=seed, mess=mess,
                       fiscal_year=fiscal_year)
    ctx.say(f"synthetic inputs in {out}: {summary}")


# ----------------------------------------------------------------------------- ingest


TABLE_ALL, TABLE_MAX = 40, 200


def _common_folder(paths: list[str]) -> str | None:
    """The folder all the files sit under (the table then names each file from there, so a
    province's paths do not wrap over several lines); None for one file or none in common."""
    if len(paths) < 2:
        return None
    try:
        root = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in paths])
    except ValueError:          # different drives
        return None
    return root if root not in ("", os.sep) else None


def _print_outcomes(ctx: Ctx, outcomes) -> None:
    if ctx.quiet:
        for o in outcomes:
            if o.status == "refused":
                err.print(f"refused: {o.path}: {o.message}")
        return
    colour = {"loaded": "green", "replaced": "cyan", "duplicate": "yellow", "refused": "red"}
    # A month of a province is hundreds of files: past TABLE_ALL, list only the files that
    # need a look (refused, duplicate, rows rejected); the manifest and log list them all.
    shown = outcomes if len(outcomes) <= TABLE_ALL else [
        o for o in outcomes if o.status in ("refused", "duplicate") or o.rows_rejected]
    if shown:
        title = "ผลการนำเข้า (ingest summary)" if shown is outcomes else \
            f"ไฟล์ที่ควรตรวจดู {len(shown)} จาก {len(outcomes)} ไฟล์ (files to look at)"
        root = _common_folder([o.path for o in outcomes])
        table = Table(title=title, caption=f"ไฟล์ใต้ (files under) {root}" if root else None, show_lines=False)
        listed = shown[:TABLE_MAX]
        names = [os.path.relpath(o.path, root) if root else str(o.path) for o in listed]
        for col in ("file", "status", "village", "loaded", "rejected", "skipped", "message"):
            # On a narrow terminal the message wraps first; a file name up to 40 wide stays whole.
            table.add_column(col, overflow="fold",
                             min_width=min(40, max(map(len, names))) if col == "file" else None)
        for name, o in zip(names, listed):
            table.add_row(name,
                          f"[{colour[o.status]}]{o.status}[/]", o.village_code or "",
                          str(o.rows_loaded), str(o.rows_rejected), str(o.rows_skipped), o.message or "")
        console.print(table)
        if len(shown) > TABLE_MAX:
            console.print(f"… {len(shown) - TABLE_MAX} more: see the manifest or `sammachip --verbose`")
    counts = {s: sum(o.status == s for o in outcomes) for s in colour}
    console.print(
        f"{len(outcomes)} files: " + ", ".join(f"{n} {s}" for s, n in counts.items())
        + f"; rows loaded {sum(o.rows_loaded for o in outcomes)}, rejected {sum(o.rows_rejected for o in outcomes)}, "
        f"skipped {sum(o.rows_skipped for o in outcomes)}"
    )


def run_ingest(ctx: Ctx, paths) -> list:
    """Ingest with a progress bar on a terminal and plain log lines otherwise."""
    from pipelines import ingest as ing
    from pipelines import warehouse

    files = ing.discover(paths)
    outcomes = []
    with warehouse.writer(ctx.warehouse) as con:
        ingestor = ing.Ingestor(con)
        if not len(ingestor.register):
            err.print("[red]error:[/] the village register is empty: run `sammachip register --csv FILE` first")
            sys.exit(2)
        done = 0

        def committed(o) -> None:      # called as each batch of files is committed
            nonlocal done
            done += 1
            log.info("ingest %d/%d %s: %s (%d loaded, %d rejected)", done, len(files), o.path, o.status,
                     o.rows_loaded, o.rows_rejected)
            if bar is not None:
                bar.advance(task)

        bar = task = None
        if _progress_wanted(ctx):
            from rich.progress import Progress

            with Progress(console=err, transient=True) as bar:
                # Files are committed in batches (up to ~5 s apart): the first bar moves as
                # files are read, the second as they are committed.
                read = bar.add_task("อ่านไฟล์ (read)", total=len(files))
                task = bar.add_task("บันทึกแล้ว (committed)", total=len(files))
                outcomes = ingestor.run(files, committed, on_taken=lambda _: bar.advance(read))
        else:
            outcomes = ingestor.run(files, committed)
    return outcomes


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def ingest(ctx: Ctx, paths: tuple[Path, ...]) -> None:
    """Load files or folders (recursively) into the warehouse."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err.print(f"[red]error:[/] not found: {', '.join(missing)}")
        sys.exit(2)
    outcomes = run_ingest(ctx, paths)
    _print_outcomes(ctx, outcomes)
    if any(o.unreadable for o in outcomes):
        sys.exit(2)
    if any(o.status == "refused" or o.rows_rejected for o in outcomes):
        sys.exit(1)


# ----------------------------------------------------------------------------- validate


def run_validate(ctx: Ctx, fiscal_year: int | None, month: str | None):
    from pipelines import validate as val
    from pipelines import warehouse

    with warehouse.writer(ctx.warehouse) as con:
        return val.validate(con, fiscal_year=fiscal_year, month=month, docs_dir=_docs_dir(ctx, month))


def _docs_dir(ctx: Ctx, month: str | None) -> Path:
    return ctx.reports / (month or "latest") / "data_docs"


@main.command()
@click.option("--fiscal-year", type=int, default=None, help="BE fiscal year (default: the latest with data).")
@_month_option(required=False)
@click.pass_obj
def validate(ctx: Ctx, fiscal_year: int | None, month: str | None) -> None:
    """Run the expectation suites; results to the warehouse and Data Docs."""
    result = run_validate(ctx, fiscal_year, month)
    ctx.say(f"validation {result.run_id}: {result.errors} errors, {result.warnings} warnings "
            f"(see the validation_issue view; Data Docs: {result.docs_index})")
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
    summary = run_report(ctx, month, list(villages) or None, list(districts) or None, province, workers)
    if summary.failed:
        sys.exit(1)


def run_report(ctx: Ctx, month: str, villages=None, districts=None, province=None, workers: int = 2):
    from pipelines import report as rep

    if not ctx.warehouse.exists():
        err.print(f"[red]error:[/] warehouse not found: {ctx.warehouse}")
        sys.exit(2)
    bar = None
    if _progress_wanted(ctx):
        from rich.progress import Progress

        bar = Progress(console=err, transient=True)
        bar.start()
        task = bar.add_task("สร้างรายงาน (reports)", total=None)
        progress = lambda done, total: bar.update(task, completed=done, total=total)  # noqa: E731
    else:
        progress = lambda done, total: log.info("report %d/%d", done, total)  # noqa: E731
    try:
        summary = rep.render_reports(ctx.warehouse, month, ctx.reports, villages=villages, districts=districts,
                                     province=province, workers=workers, progress=progress)
    finally:
        if bar:
            bar.stop()
    ctx.say(f"reports: {len(summary.ok)} written, {len(summary.failed)} failed → "
            f"{ctx.reports / month / 'index.html'}")
    for f in summary.failed:
        err.print(f"[red]failed:[/] {f}")
    return summary


# ----------------------------------------------------------------------------- export


@main.command("export")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "formats", type=click.Choice(["parquet", "csv"]), multiple=True,
              default=("parquet", "csv"), show_default=True)
@click.pass_obj
def export_cmd(ctx: Ctx, out: Path, formats: tuple[str, ...]) -> None:
    """The contract views as Parquet and CSV (with BOM); masked IDs, no names."""
    from pipelines import export, warehouse

    with warehouse.writer(ctx.warehouse) as con:
        files = export.export(con, out, formats)
    ctx.say(f"{len(files)} files → {out}")


# ----------------------------------------------------------------------------- template


@main.command()
@click.option("--village", "village_code", required=True, help="8-digit village code.")
@click.option("--fiscal-year", type=int, required=True, help="BE fiscal year, e.g. 2569.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def template(ctx: Ctx, village_code: str, fiscal_year: int, out: Path) -> None:
    """A blank workbook for one village: header block filled, drop-down lists, checks."""
    from pipelines import template as tpl
    from pipelines import warehouse

    if fiscal_year < 2400:
        raise click.BadParameter("give the fiscal year in BE, e.g. 2569", param_hint="--fiscal-year")
    try:
        con = warehouse.connect(ctx.warehouse, read_only=True)
    except FileNotFoundError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(2)
    try:
        tpl.write_template(con, village_code, fiscal_year, out)
    except ValueError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(2)
    finally:
        con.close()
    ctx.say(f"แบบฟอร์มหมู่บ้าน {village_code} ปีงบประมาณ {fiscal_year} → {out}")


# ----------------------------------------------------------------------------- shortlist


def run_shortlist(ctx: Ctx, fiscal_year: int, month: str | None, out: Path):
    from pipelines import otop, warehouse

    with warehouse.writer(ctx.warehouse) as con:
        month_date = dt.date.fromisoformat(month + "-01") if month else otop.latest_month(con, fiscal_year)
        if month_date is None:
            err.print(f"[yellow]no follow-up data for fiscal year {fiscal_year}; no shortlist[/]")
            return []
        scored = otop.shortlist(con, fiscal_year, month_date)
    otop.export_xlsx(scored, out, fiscal_year, month_date)
    counts = {t: sum(s.tier == t for s in scored) for t in otop.TIER_TH}
    ctx.say(f"OTOP shortlist: {len(scored)} candidates (" + ", ".join(f"{otop.TIER_TH[t]} {n}" for t, n in counts.items())
            + f") → {out}")
    return scored


@main.command()
@click.option("--fiscal-year", type=int, required=True, help="BE fiscal year, e.g. 2569.")
@_month_option(required=False)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The xlsx to write.")
@click.pass_obj
def shortlist(ctx: Ctx, fiscal_year: int, month: str | None, out: Path) -> None:
    """OTOP-readiness shortlist with the reasons behind every score (weights: otop.yml)."""
    if fiscal_year < 2400:
        raise click.BadParameter("give the fiscal year in BE, e.g. 2569", param_hint="--fiscal-year")
    run_shortlist(ctx, fiscal_year, month, out)


# ----------------------------------------------------------------------------- monthly / demo


@main.command()
@_month_option()
@click.option("--raw", "raw_dir", type=click.Path(file_okay=False, path_type=Path), default=config.RAW_DIR,
              show_default=True, help="Folder of received files.")
@click.pass_obj
def monthly(ctx: Ctx, month: str, raw_dir: Path) -> None:
    """Ingest new files, validate, report; write reports/<month>/manifest.json."""
    from pipelines import monthly as mon

    _log_to_file(config.LOG_DIR)

    sys.exit(mon.run(ctx, month, raw_dir))


@main.command()
@click.option("--villages", type=int, default=None, help="How many villages (default: the whole province).")
@click.option("--months", type=int, default=3, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--mess", type=click.IntRange(0, 3), default=2, show_default=True,
              help="2: the spec's common variants plus a few quota breaches and bad rows to find.")
@click.option("--province", default="54", show_default=True)
@click.pass_obj
def demo(ctx: Ctx, villages: int | None, months: int, seed: int, mess: int, province: str) -> None:
    """Synthetic province (register + messy workbooks) into raw/demo/, then the monthly run."""
    from pipelines import monthly as mon
    from pipelines import register as reg
    from pipelines import warehouse
    from pipelines.synth import generate

    out = config.RAW_DIR / "demo"
    ctx.say(f"สร้างข้อมูลจำลอง (synthetic province {province}) → {out}")
    t0 = time.perf_counter()
    generate(out, province=province, villages=villages, months=months, seed=seed, mess=mess)
    with warehouse.writer(ctx.warehouse) as con:
        reg.load_register(con, out / "register.csv")
    ctx.say(f"  {time.perf_counter() - t0:.1f} s")
    fy_start = dt.date(2025, 10, 1)
    last = dt.date(fy_start.year + (fy_start.month - 1 + months - 1) // 12, (fy_start.month - 1 + months - 1) % 12 + 1, 1)
    code = mon.run(ctx, f"{last:%Y-%m}", out)
    ctx.say(f"\nรายงาน (reports): {ctx.reports / f'{last:%Y-%m}' / 'index.html'}")
    ctx.say(f"คลังข้อมูล (warehouse): {ctx.warehouse}")
    # The demo's messy data has errors on purpose; the demo itself succeeded.
    sys.exit(0 if code in (0, 1) else code)
