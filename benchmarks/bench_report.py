"""Report rendering: one village by the papermill + nbconvert CLIs against the batch renderer.

    .venv/bin/python benchmarks/bench_report.py [--warehouse W.duckdb --month YYYY-MM] [--villages 700]
                                                 [--batch 200] [--workers 2] [--skip-province]

Without --warehouse, a synthetic province (all villages, 3 months, mess 0) is generated and
ingested first. Side by side on the same warehouse: the naive run of notebooks/village.ipynb
for one village (papermill CLI, then nbconvert CLI; median of 3), and `--batch` village
reports rendered as the report site does (consecutive villages in one run of the same
notebook, `--workers` kernels); prints the amortised seconds per village report, the ratio
(target >= 40x), and the time to render the whole province (target <= 300 s on 2 cores).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb

from pipelines import (
    ingest,
    warehouse,
)
from pipelines.ingest import register
from pipelines.report import render_reports

BIN = Path(sys.executable).parent


def build(tmp: Path, villages: int | None) -> tuple[Path, str]:
    from pipelines.synth import generate

    t0 = time.perf_counter()
    generate(tmp / "raw", villages=villages, months=3, seed=2, mess=0)
    db = tmp / "w.duckdb"
    with warehouse.writer(db) as con:
        register.load_register(con, tmp / "raw" / "register.csv")
        ingest.ingest(con, [tmp / "raw"])
    print(f"warehouse built in {time.perf_counter() - t0:.1f} s")
    return db, "2025-12"


def cli_pair(db: Path, month: str, village: str, tmp: Path) -> float:
    """papermill CLI then nbconvert CLI for one village, as a person would run them."""
    out_nb, t0 = tmp / "cli_village.ipynb", time.perf_counter()
    subprocess.run(
        [
            str(BIN / "papermill"),
            str(ROOT / "notebooks" / "village.ipynb"),
            str(out_nb),
            "-k",
            "python3",
            "-p",
            "warehouse",
            str(db),
            "-p",
            "month",
            month,
            "-p",
            "village_code",
            village,
            "--no-progress-bar",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    subprocess.run(
        [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out_nb)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--warehouse", type=Path)
    ap.add_argument("--month", default="2025-12")
    ap.add_argument("--villages", type=int, default=None)
    ap.add_argument("--batch", type=int, default=200, help="village reports rendered together")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-province", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_report_"))
    try:
        db, month = (args.warehouse.resolve(), args.month) if args.warehouse else build(tmp, args.villages)
        con = duckdb.connect(str(db), read_only=True)
        codes = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT village_code FROM household ORDER BY village_code LIMIT ?", [args.batch]
            ).fetchall()
        ]
        con.close()

        cli = [cli_pair(db, month, codes[0], tmp) for _ in range(3)]
        one = statistics.median(cli)

        t0 = time.perf_counter()
        batch = render_reports(db, month, tmp / "batch_site", villages=codes, workers=args.workers)
        batch_s = time.perf_counter() - t0
        per = batch_s / len(batch.ok)
        print(f"CLI papermill+nbconvert, one village   {one:.2f} s (median of {', '.join(f'{c:.2f}' for c in cli)})")
        print(
            f"batch of {len(codes)} villages               {len(batch.ok)} village reports in {batch_s:.1f} s "
            f"({len(batch.failed)} failed), workers={args.workers}"
        )
        print(f"amortised per village report         {per:.3f} s")
        print(f"ratio                                {one / per:.1f}x (target >= 40x)")

        if not args.skip_province:
            t0 = time.perf_counter()
            site = render_reports(db, month, tmp / "province_site", workers=args.workers)
            total = time.perf_counter() - t0
            print(
                f"whole province                       {len(site.ok)} reports in {total:.1f} s "
                f"({len(site.failed)} failed; target <= 300 s)"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak RSS                             {peak:,.0f} MiB (largest worker/kernel {kids:,.0f} MiB)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
