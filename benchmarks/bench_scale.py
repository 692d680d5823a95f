"""A month-end at 300, 1,000 and 3,000 villages: does any step grow faster than the province?

    .venv/bin/python benchmarks/bench_scale.py [--sizes 300,1000,3000] [--reports 200]
                                                [--data DIR] [--seed 0] [--keep]

One fiscal year (2569) of synthetic villages, 12 monthly workbooks each, every one carrying the
months so far (the spec's normal re-send). The villages are Phrae's (54), then as many of Nakhon
Ratchasima's (30) as the size needs; each size's villages include the smaller size's, and the
`--reports` villages whose reports are rendered are the same Phrae villages at every size.

For each size, in a fresh warehouse, each step runs as the CLI an officer runs, timed as a
whole process tree: wall seconds, CPU seconds (the process and every child it waited for:
ingest's parse workers, the report kernels) and peak memory (the resident memory of all the
processes at once, sampled every 50 ms):

    ingest history   months 10/2568 .. 8/2569, every village's first 11 workbooks
    ingest month     9/2569, each village's 12th workbook (the month-end's ingest)
    validate         the month's suites
    reports          the --reports village reports of the month, batched as the site does

then the growth from one size to the next (time ratio over villages ratio: 1.0 is linear).
Targets (issue 19): ingest linear; validate's peak under 1 GB at 3,000 villages; the same
village reports at most 1.1x at 3,000 villages what they cost at 300.

The workbooks are generated once (about 0.2 s a village on one core) into --data (default:
$TMPDIR/sammachip-bench-scale-<seed>) and reused by later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.synth import generate
from pipelines.synth import register as synth_register
from pipelines.synth.province import sample

FISCAL_YEAR = 2569
MONTH = "2026-09"  # the 12th month of FY 2569: the month-end measured
BASE, FILL = "54", "30"  # Phrae, then Nakhon Ratchasima (the largest province) to reach a size
CLI = [str(Path(sys.executable).parent / "sammachip")]


# ----------------------------------------------------------------------------- data


def _generate_one(args: tuple[str, Path, int, int]) -> dict:
    province, out, villages, seed = args
    return generate(out, province=province, villages=villages, months=12, seed=seed, mess=0)


def data(root: Path, largest: int, seed: int) -> dict[str, list[str]]:
    """The generated workbooks (once), and the village codes of each province in the order
    sizes take them: Phrae in a district-by-district sample order, then Nakhon Ratchasima."""
    base = sample(synth_register.villages(BASE, seed), None, seed)
    fill_n = max(0, largest - len(base))
    fill = sample(synth_register.villages(FILL, seed), fill_n, seed) if fill_n else []
    order = {BASE: _stratified([v.code for v in base], seed), FILL: [v.code for v in fill]}
    done = root / "generated.json"
    wanted = {"seed": seed, BASE: len(base), FILL: fill_n}
    if done.exists() and json.loads(done.read_text()) == wanted:
        return order
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    t0 = time.perf_counter()
    jobs = [(BASE, root / BASE, len(base), seed)] + ([(FILL, root / FILL, fill_n, seed)] if fill_n else [])
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(2, len(jobs))) as pool:
        for (province, *_), counts in zip(jobs, pool.map(_generate_one, jobs)):
            print(f"generated {province}: {counts['villages']:,} villages, {counts['files']:,} files")
    done.write_text(json.dumps(wanted))
    print(f"generated in {time.perf_counter() - t0:.0f} s into {root}")
    return order


def _stratified(codes: list[str], seed: int) -> list[str]:
    """Phrae's villages in the order of growing samples: every prefix spans the districts."""
    import random

    by_district: dict[str, list[str]] = {}
    for code in codes:
        by_district.setdefault(code[:4], []).append(code)
    rng = random.Random(f"{seed}:scale")
    pools = [rng.sample(vs, len(vs)) for _, vs in sorted(by_district.items())]
    out: list[str] = []
    while any(pools):
        for pool in pools:
            if pool:
                out.append(pool.pop())
    return out


def layout(root: Path, work: Path, order: dict[str, list[str]], size: int) -> tuple[Path, Path, list[Path]]:
    """Hard links of the size's workbooks: history/ (months 1..11) and month/ (the 12th)."""
    base = order[BASE][:size]
    fill = order[FILL][: max(0, size - len(base))]
    history, month = work / "history", work / "month"
    for province, codes in ((BASE, base), (FILL, fill)):
        for code in codes:
            src = root / province / code[:4] / code
            for f in src.iterdir():
                dest = (month if f"_{MONTH}" in f.name else history) / code[:4] / code
                dest.mkdir(parents=True, exist_ok=True)
                os.link(f, dest / f.name)
    registers = [root / p / "register.csv" for p, codes in ((BASE, base), (FILL, fill)) if codes]
    return history, month, registers


# ----------------------------------------------------------------------------- measuring


def measured(cmd: list[str], env: dict) -> dict:
    """Run a command; its wall and CPU seconds and the peak resident memory of its tree."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    top = psutil.Process(proc.pid)
    peak, stop = [0], threading.Event()

    def sample_tree() -> None:
        while not stop.is_set():
            try:
                procs = [top, *top.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            rss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            peak[0] = max(peak[0], rss)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample_tree, daemon=True)
    sampler.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    if proc.returncode not in (0, 1):  # 1: data problems found (validate), which is an answer
        sys.exit(f"{' '.join(cmd[:6])} ... failed ({proc.returncode}):\n{out.decode(errors='replace')[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": peak[0] / 2**20}


def run_size(root: Path, order: dict[str, list[str]], size: int, reports: list[str]) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"bench_scale_{size}_"))
    try:
        history, month, registers = layout(root, work, order, size)
        db, site = work / "w.duckdb", work / "reports"
        env = {**os.environ, "SAMMACHIP_TODAY": "2026-10-05", "PYTHONPATH": str(ROOT)}
        base = [*CLI, "--quiet", "--warehouse", str(db), "--reports", str(site)]
        for csv in registers:
            subprocess.run([*base, "register", "--csv", str(csv)], cwd=ROOT, env=env, check=True)
        steps = {
            "ingest history": [*base, "ingest", str(history)],
            "ingest month": [*base, "ingest", str(month)],
            "validate": [*base, "validate", "--month", MONTH],
            "reports": [*base, "report", "--month", MONTH, *(a for c in reports for a in ("--village", c))],
        }
        out = {}
        for name, cmd in steps.items():
            out[name] = measured(cmd, env)
            m = out[name]
            print(
                f"  {size:>5,} villages  {name:<15} wall {m['wall']:7.1f} s   cpu {m['cpu']:7.1f} s   "
                f"peak {m['peak_mb']:7,.0f} MB",
                flush=True,
            )
        out["warehouse_mb"] = db.stat().st_size / 2**20
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="300,1000,3000")
    ap.add_argument("--reports", type=int, default=200, help="village reports rendered at every size")
    ap.add_argument("--data", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    root = args.data or Path(tempfile.gettempdir()) / f"sammachip-bench-scale-{args.seed}"
    order = data(root, sizes[-1], args.seed)
    available = len(order[BASE]) + len(order[FILL])
    if sizes[-1] > available:
        sys.exit(f"at most {available:,} villages")
    reports = sorted(order[BASE][: min(args.reports, sizes[0])])
    print(f"{os.cpu_count()} cores; the same {len(reports)} village reports at every size\n")
    results = {size: run_size(root, order, size, reports) for size in sizes}

    print("\nstep              " + "".join(f"{s:>10,} villages" for s in sizes) + "   growth per step of size")
    for step in ("ingest history", "ingest month", "validate", "reports"):
        for key, unit in (("wall", "s"), ("cpu", "s"), ("peak_mb", "MB")):
            values = [results[s][step][key] for s in sizes]
            growth = []
            for (a, va), (b, vb) in zip(zip(sizes, values), zip(sizes[1:], values[1:])):
                # time: its ratio over the villages' (1.0 linear); reports and memory: the plain ratio
                ratio = vb / va if va else float("nan")
                linear = key != "peak_mb" and step != "reports"
                growth.append(f"{ratio / (b / a) if linear else ratio:.2f}x")
            label = f"{step} {key.replace('_mb', '')}"
            print(f"{label:<22}" + "".join(f"{v:>14,.1f} {unit:<2}" for v in values) + "   " + "  ".join(growth))
    print(
        "\ngrowth: ingest and validate time as its ratio over the villages' (1.0 = linear); report "
        "time (the same villages at every size: 1.0 = flat) and memory as the plain ratio"
    )
    print("warehouse size  " + "  ".join(f"{results[s]['warehouse_mb']:,.0f} MB" for s in sizes))


if __name__ == "__main__":
    main()
