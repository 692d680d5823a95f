"""`sammachip demo`: a synthetic province into raw/demo/, then the monthly run on it.

Two fiscal years, as a province that starts with sammachip would have them: the last one
whole (each village's year-end workbook, carrying its twelve months) and this one month
by month, so the reports can compare a month with the same month a year before."""

from __future__ import annotations

import datetime as dt
import time

from pipelines import config, warehouse
from pipelines import ingest as ing
from pipelines.ops import monthly
from pipelines.ops.console import Ctx
from pipelines.synth import generate


def run(ctx: Ctx, villages: int | None, months: int, seed: int, mess: int, province: str, years: int = 2) -> int:
    """A synthetic province (register + messy workbooks) into raw/demo/, then the monthly run;
    the monthly run's exit code."""
    out = config.RAW_DIR / "demo"
    fiscal_year = 2569
    ctx.say(f"สร้างข้อมูลจำลอง (synthetic province {province}) → {out}")
    t0 = time.perf_counter()
    for fy in range(fiscal_year - years + 1, fiscal_year + 1):
        current = fy == fiscal_year
        generate(
            out / f"fy{fy}",
            province=province,
            villages=villages,
            months=months if current else 12,
            seed=seed,
            mess=mess,
            fiscal_year=fy,
            final_only=not current,
        )
    with warehouse.writer(ctx.warehouse) as con:
        ing.load_register(con, out / f"fy{fiscal_year}" / "register.csv")
    ctx.say(f"  {time.perf_counter() - t0:.1f} s")
    fy_start = dt.date(2025, 10, 1)
    last = dt.date(
        fy_start.year + (fy_start.month - 1 + months - 1) // 12, (fy_start.month - 1 + months - 1) % 12 + 1, 1
    )
    code = monthly.run(ctx, f"{last:%Y-%m}", out)
    ctx.say(f"\nรายงาน (reports): {ctx.reports / f'{last:%Y-%m}' / 'index.html'}")
    ctx.say(f"คลังข้อมูล (warehouse): {ctx.warehouse}")
    return code
