"""Ingest throughput against a bare python-calamine parse of the same files.

    .venv/bin/python benchmarks/bench_ingest.py [--villages 300] [--months 12] [--mess 0] [--repeat 5]
        [--keep | --raw DIR]

Prints: files, records, seconds for the bare parse and for ingest (median of --repeat runs,
alternating, each ingest into a fresh warehouse), their ratio, rows per second, and peak
memory (RSS) of this process and of the largest parse worker.

It also prints what bounds the ratio on the machine at hand: the CPU seconds each one spends
(ingest: the writer and its parse workers together), and the bare parse split over as many
processes as ingest runs workers. Where the cores share their capacity, two processes finish
far less than twice as fast as one, and the ratio ingest can reach follows from that speedup:
at most 1.5x needs ingest's CPU seconds at most 1.5 x speedup x the bare parse's.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import python_calamine as calamine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines import (
    ingest,
    warehouse,
)
from pipelines.ingest import register
from pipelines.synth import generate


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


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children that ended (ingest's parse workers)."""
    return sum(
        r.ru_utime + r.ru_stime
        for r in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


def bare_parallel(files: list[Path], processes: int) -> float:
    """Seconds until the slowest of `processes` processes finishes its share of the bare parse
    (started beforehand, so process start-up is not counted): the machine's parallel capacity."""
    shares = [files[i::processes] for i in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return max(pool.map(bare_parse, shares))


def ingest_once(raw: Path, files: list[Path], db: Path) -> tuple[float, int, float]:
    """(seconds, records, CPU seconds of the writer and its workers) of one ingest."""
    con = warehouse.connect(db)
    register.load_register(con, raw / "register.csv")
    cpu = _cpu_seconds()
    t0 = time.perf_counter()
    outcomes = ingest.ingest(con, files)
    took = time.perf_counter() - t0
    cpu = _cpu_seconds() - cpu
    con.close()
    return took, sum(o.rows_loaded + o.rows_rejected for o in outcomes), cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=300)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--mess", type=int, default=0)
    ap.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="runs of each; medians are compared (default 5: single runs spread by +-15 %% on shared vCPUs)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the generated files (the path is printed)")
    ap.add_argument("--raw", type=Path, help="use files generated before (a kept raw/ folder) instead")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_ingest_"))
    raw = args.raw or tmp / "raw"
    try:
        if not args.raw:
            t0 = time.perf_counter()
            generate(raw, villages=args.villages, months=args.months, mess=args.mess, seed=1)
            print(
                f"generated {args.villages} villages x {args.months} months in {time.perf_counter() - t0:.1f} s"
                + (f" into {raw}" if args.keep else "")
            )
        files = ingest.discover([raw])
        processes = os.cpu_count() or 1  # ingest's parse workers on a run this size
        bare, full, bare_cpu, full_cpu, split = [], [], [], [], []
        for i in range(args.repeat):  # alternate, so a slow spell of the machine hits all
            cpu = time.process_time()
            bare.append(bare_parse(files))
            bare_cpu.append(time.process_time() - cpu)
            took, rows, cpu = ingest_once(raw, files, tmp / f"w{i}.duckdb")
            full.append(took)
            full_cpu.append(cpu)
            if i == 0:  # before the pool below: its processes would count as children
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            split.append(bare_parallel(files, processes))
        b, f = statistics.median(bare), statistics.median(full)
        bc, fc, sp = statistics.median(bare_cpu), statistics.median(full_cpu), b / statistics.median(split)
        print(f"files            {len(files)}")
        print(f"records          {rows}")
        print(f"bare parse       {b:.2f} s (median of {args.repeat}; {min(bare):.2f}..{max(bare):.2f})")
        print(f"ingest           {f:.2f} s (median of {args.repeat}; {min(full):.2f}..{max(full):.2f})")
        print(f"ratio            {f / b:.2f}x (target <= 1.5x)")
        print(f"rows per second  {rows / f:,.0f}")
        print(f"peak RSS         {peak:,.0f} MiB in the first run (largest parse worker {workers_peak:,.0f} MiB)")
        print(f"CPU seconds      bare parse {bc:.2f}, ingest {fc:.2f} (writer and workers): {fc / bc:.2f}x")
        print(
            f"parallel bare    split over {processes} processes: {sp:.2f}x faster than one"
            f" (a 1.5x ingest needs at most {1.5 * sp:.2f}x the bare parse's CPU seconds)"
        )
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
