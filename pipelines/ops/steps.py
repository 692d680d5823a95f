"""The steps the command line and the monthly run share: each opens the warehouse as it
needs it, shows progress on a terminal (log lines otherwise) and returns what it did;
reports and the shortlist also print their one-line summary. A step that cannot run raises
CannotRun, which the command line turns into one line and exit code 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipelines import ingest as ing
from pipelines import warehouse
from pipelines.ops.console import CannotRun, Ctx, err, log, print_ignored, progress_wanted


def load_register(ctx: Ctx, csv_path: Path) -> tuple[int, int]:
    """(rows read from the CSV, villages now in the register)."""
    with warehouse.writer(ctx.warehouse) as con:
        n = ing.load_register(con, csv_path)
        total = con.execute("SELECT count(*) FROM register_village").fetchone()[0]
    return n, total


def run_ingest(ctx: Ctx, paths) -> list[ing.Outcome]:
    """Ingest with a progress bar on a terminal and plain log lines otherwise; the files in the
    folders that are not tracking files are listed first, with why."""
    files, ignored = ing.discover_with_ignored(paths)
    print_ignored(ctx, ignored)
    outcomes = []
    with warehouse.writer(ctx.warehouse) as con:
        ingestor = ing.Ingestor(con)
        if not len(ingestor.register):
            raise CannotRun("the village register is empty: run `sammachip register --csv FILE` first")
        done = 0

        def committed(o) -> None:  # called as each batch of files is committed
            nonlocal done
            done += 1
            log.info(
                "ingest %d/%d %s: %s (%d loaded, %d rejected)",
                done,
                len(files),
                o.path,
                o.status,
                o.rows_loaded,
                o.rows_rejected,
            )
            if bar is not None:
                bar.advance(task)

        bar = task = None
        if progress_wanted(ctx):
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


def docs_dir(ctx: Ctx, month: str | None) -> Path:
    return ctx.reports / (month or "latest") / "data_docs"


def run_validate(ctx: Ctx, fiscal_year: int | None, month: str | None):
    from pipelines.quality import validate as val

    with warehouse.writer(ctx.warehouse) as con:
        return val.validate(con, fiscal_year=fiscal_year, month=month, docs_dir=docs_dir(ctx, month))


def write_todo(ctx: Ctx, month: str) -> list[Path]:
    """The to-do workbook of each district office, from the latest validation."""
    from pipelines.quality import todo

    with warehouse.writer(ctx.warehouse) as con:
        return todo.write_todo(con, ctx.reports / month / "todo")


def run_report(ctx: Ctx, month: str, villages=None, districts=None, province=None, workers: int = 2):
    from pipelines import report as rep

    if not ctx.warehouse.exists():
        raise CannotRun(f"warehouse not found: {ctx.warehouse}")
    bar = None
    if progress_wanted(ctx):
        from rich.progress import Progress

        bar = Progress(console=err, transient=True)
        bar.start()
        task = bar.add_task("สร้างรายงาน (reports)", total=None)
        progress = lambda done, total: bar.update(task, completed=done, total=total)  # noqa: E731
    else:
        progress = lambda done, total: log.info("report %d/%d", done, total)  # noqa: E731
    try:
        summary = rep.render_reports(
            ctx.warehouse,
            month,
            ctx.reports,
            villages=villages,
            districts=districts,
            province=province,
            workers=workers,
            progress=progress,
        )
    finally:
        if bar:
            bar.stop()
    ctx.say(f"reports: {len(summary.ok)} written, {len(summary.failed)} failed → {ctx.reports / month / 'index.html'}")
    for f in summary.failed:
        err.print(f"[red]failed:[/] {f}")
    return summary


def run_shortlist(ctx: Ctx, fiscal_year: int, month: str | None, out: Path):
    from pipelines import otop

    with warehouse.writer(ctx.warehouse) as con:
        month_date = dt.date.fromisoformat(month + "-01") if month else otop.latest_month(con, fiscal_year)
        if month_date is None:
            err.print(f"[yellow]no follow-up data for fiscal year {fiscal_year}; no shortlist[/]")
            return []
        scored = otop.shortlist(con, fiscal_year, month_date)
    otop.export_xlsx(scored, out, fiscal_year, month_date)
    counts = {t: sum(s.tier == t for s in scored) for t in otop.TIER_TH}
    ctx.say(
        f"OTOP shortlist: {len(scored)} candidates ("
        + ", ".join(f"{otop.TIER_TH[t]} {n}" for t, n in counts.items())
        + f") → {out}"
    )
    return scored


def export(ctx: Ctx, out: Path, formats: tuple[str, ...]) -> list[Path]:
    from pipelines.ops import export as exp

    with warehouse.writer(ctx.warehouse) as con:
        return exp.export(con, out, formats)


def write_template(ctx: Ctx, village_code: str, fiscal_year: int, out: Path) -> None:
    from pipelines.ops import template as tpl

    try:
        con = warehouse.connect(ctx.warehouse, read_only=True)
    except FileNotFoundError as exc:
        raise CannotRun(str(exc)) from None
    try:
        tpl.write_template(con, village_code, fiscal_year, out)
    except ValueError as exc:
        raise CannotRun(str(exc)) from None
    finally:
        con.close()
