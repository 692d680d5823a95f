"""A synthetic province: the register, one workbook per village and month, and the truth.

Files are cumulative (month m carries months 1..m) and their modification times are set
to plausible arrival dates in month order, so ingest's arrival order is the intended one.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from collections import defaultdict
from pathlib import Path

from pipelines.synth import fiscal
from pipelines.synth import register as reg
from pipelines.synth import village as vil
from pipelines.synth.layout import Tally, sheets
from pipelines.synth.mess import Style
from pipelines.synth.truth import Truth
from pipelines.synth.workbook import write

BANGKOK_TIME = dt.timezone(dt.timedelta(hours=7))
MEDIA = {  # per mess level: how villages send a month (weights)
    0: {"xlsx": 1},
    1: {"xlsx": 1},
    2: {"xlsx": 70, "csv": 15, "ods": 15},
    3: {"xlsx": 50, "csv": 20, "ods": 15, "xlsm": 15},
}
CSV_PARTS = (("trainers", "1_trainers"), ("households", "2_households"), ("followup", "3_followup"))


def generate(
    out: Path,
    province: str = "54",
    villages: int | None = None,
    months: int = 3,
    seed: int = 0,
    mess: int = 0,
    fiscal_year: int = 2569,
    final_only: bool = False,
) -> dict:
    """Register + workbooks + truth under `out`; returns counts of what was written.
    ``final_only``: each village sends only its last month's workbook (which carries every
    month so far), as an earlier fiscal year arrives when a province starts with sammachip."""
    if not 1 <= months <= 12:
        raise ValueError("months must be 1..12")
    if mess not in MEDIA:
        raise ValueError("mess must be 0..3")
    if villages is not None and villages < 1:
        raise ValueError("villages must be at least 1")
    out = Path(out)
    register = reg.villages(province, seed)
    reg.write(out, register)
    neighbours = defaultdict(list)
    for v in register:
        neighbours[v.subdistrict_code].append(v)
    chosen = sample(register, villages, seed)
    showcase = _showcase(chosen, seed, mess, fiscal_year, months)
    files = 0
    with Truth(out / "_truth") as truth:
        for v in chosen:
            year = vil.content(v, neighbours[v.subdistrict_code], fiscal_year, months, seed)
            vil.plan(year, seed, mess, showcase.get(v.code, frozenset()))
            files += _write_village(out, year, seed, mess, truth, final_only)
            truth.village(year)
        counts = dict(truth.counts)
    return {
        "province": province,
        "fiscal_year": fiscal_year,
        "months": months,
        "mess": mess,
        "register_villages": len(register),
        "villages": len(chosen),
        "files": files,
        "records": counts["trainer"] + counts["household"] + counts["followup"],
        "trainers": counts["trainer"],
        "households": counts["household"],
        "followups": counts["followup"],
        "rejected_rows": counts["rejected"],
        "quota_breaches": counts["quota_breach"],
    }


def sample(register: list[reg.Village], n: int | None, seed: int) -> list[reg.Village]:
    """All villages, or n of them taken in turn from each district so every district shows up."""
    if n is None or n >= len(register):
        return list(register)
    rng = random.Random(f"{seed}:sample")
    by_district: dict[str, list] = defaultdict(list)
    for v in register:
        by_district[v.district_code].append(v)
    pools = [rng.sample(vs, len(vs)) for _, vs in sorted(by_district.items())]
    picked: list[reg.Village] = []
    while len(picked) < n:
        for pool in pools:
            if pool and len(picked) < n:
                picked.append(pool.pop())
    return sorted(picked, key=lambda v: v.code)


def _showcase(chosen: list[reg.Village], seed: int, mess: int, fiscal_year: int, months: int) -> dict[str, frozenset]:
    """At mess 3, each case of village.SHOWCASE goes to one village drawn by the seed (all of
    them to the only village of a one-village province): every wild province shows them all.
    The negative number cell goes to a village whose last file is a workbook, when one is."""
    if mess < 3 or not chosen:
        return {}
    rng = random.Random(f"{seed}:showcase")
    out: dict[str, set] = defaultdict(set)
    for case in vil.SHOWCASE:
        pool = chosen
        if case == "negative_cell":
            pool = [v for v in chosen if _medium(seed, fiscal_year, v.code, months, mess) != "csv"] or chosen
        out[rng.choice(pool).code].add(case)
    return {code: frozenset(cases) for code, cases in out.items()}


def _medium(seed: int, fiscal_year: int, code: str, month: int, mess: int) -> str:
    """How a village sends a month (the first draw of that file's own RNG, as _write_village makes it)."""
    rng = random.Random(f"{seed}:{fiscal_year}:{code}:{month}:style{mess}")
    return rng.choices(list(MEDIA[mess]), list(MEDIA[mess].values()))[0]


def _write_village(
    out: Path, year: vil.VillageYear, seed: int, mess: int, truth: Truth, final_only: bool = False
) -> int:
    v, fy = year.village, year.fiscal_year
    folder = out / v.district_code / v.code
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{v.code}_*"):  # a re-run replaces this village's files, nothing else
        old.unlink()
    written = 0
    first = year.months if final_only else 1
    for m in range(first, year.months + 1):
        rng = random.Random(f"{seed}:{fy}:{v.code}:{m}:style{mess}")
        medium = rng.choices(list(MEDIA[mess]), list(MEDIA[mess].values()))[0]
        last = m == year.months
        if last and "negative_cell" in year.showcase and medium == "csv":
            medium = "xlsx"  # every village's last file a CSV, which has no number cells
        style = Style.choose(rng, mess, medium)
        if last and "negative_cell" in year.showcase:  # among plain numbers only, as typed in Excel
            style.money_form, style.money_mixed = "number", False
        if last and "two_digit_month" in year.showcase:
            style.month_form = "slash2"  # 10/68 in every month cell, and as the report month
            style.block_forms["report_month"] = "slash2"
        report = fiscal.month_start(fy, m)
        arrival = _arrival(rng, fy, m, mess)
        stem = f"{v.code}_{report:%Y-%m}"
        status = "loaded" if m == first else "replaced"
        parts = sheets(year, m, style)
        if medium == "csv":
            by_kind = {kind: (grid, tally) for kind, grid, tally in parts}
            for i, (kind, suffix) in enumerate(CSV_PARTS):
                grid, tally = by_kind[kind]
                path = folder / f"{stem}_{suffix}.csv"
                # A CSV's "sheet" in rejected_row is its file name (contract).
                tally.rejected = [(path.name, row, column) for _, row, column in tally.rejected]
                write(path, [grid], arrival, style.encoding)
                _stamp(path, arrival + dt.timedelta(minutes=i))
                truth.file(_rel(out, path), v.code, fy, report, status, tally)
                written += 1
            continue
        path = folder / f"{stem}.{medium}"
        write(path, [grid for _, grid, _ in parts], arrival)
        _stamp(path, arrival)
        truth.file(_rel(out, path), v.code, fy, report, status, _sum(t for _, _, t in parts if t))
        written += 1
        if year.resend_month == m:  # the same file sent again a day later
            copy = folder / f"{stem}_resend.{medium}"
            shutil.copyfile(path, copy)
            _stamp(copy, arrival + dt.timedelta(days=1, hours=3))
            truth.file(_rel(out, copy), v.code, fy, report, "duplicate")
            written += 1
        if year.misfiled_month == m:  # a draft whose village code belongs to the neighbour
            other = next(n for n in year.groups.neighbours if n.code != v.code)
            wrong = folder / f"{stem}_fix.xlsx"
            bad_style = Style.choose(random.Random(f"{seed}:{fy}:{v.code}:{m}:misfiled"), mess, "xlsx")
            write(wrong, [g for _, g, _ in sheets(year, m, bad_style, code_override=other.code)], arrival)
            _stamp(wrong, arrival + dt.timedelta(hours=2))
            truth.file(_rel(out, wrong), None, None, None, "refused")  # its village is contradictory
            written += 1
    return written


def _arrival(rng: random.Random, fiscal_year: int, month: int, mess: int) -> dt.datetime:
    """Sent in the first days after the month ends; at mess >= 2 now and then late."""
    late = mess >= 2 and rng.random() < 0.1
    day = fiscal.month_end(fiscal_year, month) + dt.timedelta(days=rng.randint(12, 25) if late else rng.randint(1, 8))
    return dt.datetime.combine(day, dt.time(9, rng.randint(0, 59)))


def _stamp(path: Path, arrival: dt.datetime) -> None:
    ts = arrival.replace(tzinfo=BANGKOK_TIME).timestamp()
    os.utime(path, (ts, ts))


def _rel(out: Path, path: Path) -> str:
    return path.relative_to(out).as_posix()


def _sum(tallies) -> Tally:
    total = Tally()
    for t in tallies:
        total.loaded += t.loaded
        total.skipped += t.skipped
        total.rejected += t.rejected
    return total
