"""Ingest throughput against a bare python-calamine parse of the same files.

    .venv/bin/python benchmarks/bench_ingest.py [--villages 300] [--months 12] [--mess 0] [--keep | --raw DIR]

Prints: files, records, seconds for the bare parse and for ingest, their ratio, rows per
second, and peak memory (RSS) of this process.
"""

from __future__ import annotations

import argparse
import resource
import shutil
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=300)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--mess", type=int, default=0)
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
        bare = bare_parse(files)
        con = warehouse.connect(tmp / "w.duckdb")
        register.load_register(con, raw / "register.csv")
        t0 = time.perf_counter()
        outcomes = ingest.ingest(con, files)
        full = time.perf_counter() - t0
        rows = sum(o.rows_loaded + o.rows_rejected for o in outcomes)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"files            {len(files)}")
        print(f"records          {rows}")
        print(f"bare parse       {bare:.2f} s")
        print(f"ingest           {full:.2f} s")
        print(f"ratio            {full / bare:.2f}x (target <= 1.5x)")
        print(f"rows per second  {rows / full:,.0f}")
        print(f"peak RSS         {peak:,.0f} MiB (largest parse worker {workers_peak:,.0f} MiB)")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
