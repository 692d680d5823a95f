"""What the command line and the monthly run print: the console, progress bars on a
terminal (plain log lines otherwise), and the ingest summary table."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

log = logging.getLogger("sammachip")
# Piped or mailed by cron, rich would lay tables out 80 columns wide: a path and a message
# then fold over many lines. Such output gets 160 unless COLUMNS says otherwise.
_WIDTH = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 160
console = Console(stderr=False, highlight=False, soft_wrap=True, width=_WIDTH)
err = Console(stderr=True, highlight=False, soft_wrap=True)

TABLE_ALL, TABLE_MAX = 40, 200


class Ctx:
    """Where a command works (warehouse, report site) and whether it speaks."""

    def __init__(self, warehouse: Path, reports: Path, quiet: bool):
        self.warehouse, self.reports, self.quiet = warehouse, reports, quiet

    def say(self, *args, **kwargs) -> None:
        if not self.quiet:
            console.print(*args, **kwargs)


class CannotRun(Exception):
    """The job cannot be done (an empty register, no warehouse): one line, exit code 2."""


def progress_wanted(ctx: Ctx) -> bool:
    return not ctx.quiet and sys.stderr.isatty()


def _common_folder(paths: list[str]) -> str | None:
    """The folder all the files sit under (the table then names each file from there, so a
    province's paths do not wrap over several lines); None for one file or none in common."""
    if len(paths) < 2:
        return None
    try:
        root = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in paths])
    except ValueError:  # different drives
        return None
    return root if root not in ("", os.sep) else None


def print_ignored(ctx: Ctx, ignored: list[tuple[Path, str]]) -> None:
    """The files found in the folders that are not tracking files (a PDF, a photo, a Word
    letter), and why: left out, so nothing more is said of them, but an officer should know."""
    if ctx.quiet or not ignored:
        return
    root = _common_folder([str(p) for p, _ in ignored])
    console.print(f"ไม่ได้นำเข้า {len(ignored)} ไฟล์ที่ไม่ใช่แบบติดตาม (files left out, not tracking files):")
    for path, why in ignored[:TABLE_ALL]:
        console.print(f"  {os.path.relpath(path, root) if root else path}: {why}")
    if len(ignored) > TABLE_ALL:
        console.print(f"  … {len(ignored) - TABLE_ALL} more: see the log")
    for path, why in ignored:
        log.info("left out %s: %s", path, why)


def print_outcomes(ctx: Ctx, outcomes) -> None:
    if ctx.quiet:
        for o in outcomes:
            if o.status == "refused":
                err.print(f"refused: {o.path}: {o.message}")
        return
    colour = {"loaded": "green", "replaced": "cyan", "duplicate": "yellow", "refused": "red"}
    # A month of a province is hundreds of files: past TABLE_ALL, list only the files that
    # need a look (refused, duplicate, rows rejected); the manifest and log list them all.
    shown = (
        outcomes
        if len(outcomes) <= TABLE_ALL
        else [o for o in outcomes if o.status in ("refused", "duplicate") or o.rows_rejected]
    )
    if shown:
        title = (
            "ผลการนำเข้า (ingest summary)"
            if shown is outcomes
            else f"ไฟล์ที่ควรตรวจดู {len(shown)} จาก {len(outcomes)} ไฟล์ (files to look at)"
        )
        root = _common_folder([o.path for o in outcomes])
        table = Table(title=title, caption=f"ไฟล์ใต้ (files under) {root}" if root else None, show_lines=False)
        listed = shown[:TABLE_MAX]
        names = [os.path.relpath(o.path, root) if root else str(o.path) for o in listed]
        for col in ("file", "status", "village", "loaded", "rejected", "skipped", "message"):
            # On a narrow terminal the message wraps first; a file name up to 40 wide stays whole.
            table.add_column(col, overflow="fold", min_width=min(40, max(map(len, names))) if col == "file" else None)
        for name, o in zip(names, listed):
            table.add_row(
                name,
                f"[{colour[o.status]}]{o.status}[/]",
                o.village_code or "",
                str(o.rows_loaded),
                str(o.rows_rejected),
                str(o.rows_skipped),
                o.message or "",
            )
        console.print(table)
        if len(shown) > TABLE_MAX:
            console.print(f"… {len(shown) - TABLE_MAX} more: see the manifest or `sammachip --verbose`")
    counts = {s: sum(o.status == s for o in outcomes) for s in colour}
    console.print(
        f"{len(outcomes)} files: "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + f"; rows loaded {sum(o.rows_loaded for o in outcomes)}, rejected {sum(o.rows_rejected for o in outcomes)}, "
        f"skipped {sum(o.rows_skipped for o in outcomes)}"
    )
