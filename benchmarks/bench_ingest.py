"""Ingest throughput against a bare python-calamine parse of the same files.

    .venv/bin/python benchmarks/bench_ingest.py [--villages 300] [--months 12] [--mess 0] [--repeat 3] [--keep | --raw DIR]

Prints: files, records, seconds for the bare parse and for ingest (median of --repeat runs,
alternating, each ingest into a fresh warehouse), their ratio, rows per second, and peak
memory (RSS) of this process and of the largest parse worker.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import python_calamine as calamine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines import ingest, register, warehouse  # noqa: E402
from pipelines.synth import generate  # noqa: E402


def bare_parse(files: list[Path]) -> float:
    t0 = time.perf_counter()
    for f in files:
        if f.suffix.lower() == ".csv":
            f.read_bytes().decode("utf-8-sig", errors="replace").splitlines()
            continue
        wb = calamine.CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        wb.close()
    return time.perf_counter() - t0


def ingest_once(raw: Path, files: list[Path], db: Path) -> tuple[float, int]:
    con = warehouse.connect(db)
    register.load_register(con, raw / "register.csv")
    t0 = time.perf_counter()
    outcomes = ingest.ingest(con, files)
    took = time.perf_counter() - t0
    con.close()
    return took, sum(o.rows_loaded + o.rows_rejected for o in outcomes)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=300)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--mess", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; medians are compared (default 3)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files (the path is printed)")
    ap.add_argument("--raw", type=Path, help="use files generated before (a kept raw/ folder) instead")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_ingest_"))
    raw = args.raw or tmp / "raw"
    try:
        if not args.raw:
            t0 = time.perf_counter()
            generate(raw, villages=args.villages, months=args.months, mess=args.mess, seed=1)
            print(f"generated {args.villages} villages x {args.months} months in {time.perf_counter() - t0:.1f} s"
                  + (f" into {raw}" if args.keep else ""))
        files = ingest.discover([raw])
        bare, full = [], []
        for i in range(args.repeat):        # alternate, so a slow spell of the machine hits both
            bare.append(bare_parse(files))
            took, rows = ingest_once(raw, files, tmp / f"w{i}.duckdb")
            full.append(took)
            if i == 0:      # later workers are forked from a grown parent: their RSS counts its pages
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        b, f = statistics.median(bare), statistics.median(full)
        print(f"files            {len(files)}")
        print(f"records          {rows}")
        print(f"bare parse       {b:.2f} s (median of {args.repeat}; {min(bare):.2f}..{max(bare):.2f})")
        print(f"ingest           {f:.2f} s (median of {args.repeat}; {min(full):.2f}..{max(full):.2f})")
        print(f"ratio            {f / b:.2f}x (target <= 1.5x)")
        print(f"rows per second  {rows / f:,.0f}")
        print(f"peak RSS         {peak:,.0f} MiB in the first run (largest parse worker {workers_peak:,.0f} MiB)")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
