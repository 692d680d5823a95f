"""Validation of a province-year: 700 villages x 12 months (target: at most 20 s).

    .venv/bin/python benchmarks/bench_validate.py [--villages 700] [--months 12]

The warehouse is filled straight with SQL (5 trainers, 20 households, one follow-up row per
household and month, a few breaches) so only validation is measured. Prints seconds and
peak memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines import warehouse
from pipelines.ingest import register
from pipelines.quality import validate

FILL = """
INSERT INTO register_village (village_code, village_no, village_name, subdistrict_code)
SELECT s.subdistrict_code || lpad((n % 9 + 1)::VARCHAR, 2, '0'), n % 9 + 1, 'บ้านทดสอบ' || n, s.subdistrict_code
FROM (SELECT subdistrict_code, row_number() OVER (ORDER BY subdistrict_code) - 1 AS k FROM subdistrict
      WHERE district_code LIKE '54%') s, range(0, 9) r(n)
WHERE s.k * 9 + n < $villages;

INSERT INTO ingested_file (file_id, path, sha256, village_code, fiscal_year, status, received_at)
SELECT row_number() OVER (), 'bench/' || village_code || '.xlsx', md5(village_code), village_code, 2569, 'loaded',
       TIMESTAMP '2025-10-05'
FROM register_village;

INSERT INTO trainer_data (file_id, sheet, row_number, fiscal_year, village_code, full_name, citizen_id, role)
SELECT f.file_id, 'วิทยากร', t + 2, 2569, f.village_code, 'วิทยากร ' || t,
       '3' || f.village_code || lpad(t::VARCHAR, 4, '0'), CASE WHEN t = 0 THEN 'sage' ELSE 'team' END
FROM ingested_file f, range(0, 5) x(t)
WHERE NOT (f.file_id % 50 = 0 AND t = 4);            -- every 50th village is a trainer short

INSERT INTO household_data (file_id, sheet, row_number, fiscal_year, village_code, full_name, citizen_id, house_no,
    members, trainer_citizen_id, occupation, occupation_group, trained_on, income_before, expense_before, status)
SELECT f.file_id, 'ครัวเรือน', h + 2, 2569, f.village_code, 'ครัวเรือน ' || h,
       '1' || f.village_code || lpad(h::VARCHAR, 4, '0'),
       h || '/1', 4, '3' || f.village_code || lpad((h // 4)::VARCHAR, 4, '0'),
       ['ย้อมผ้าหม้อห้อม', 'เลี้ยงไก่ไข่', 'น้ำพริก'][h % 3 + 1], ['processing', 'agriculture', 'processing'][h % 3 + 1],
       DATE '2025-10-05', 3000 + (hash(f.village_code, h) % 4000), 2000, 'active'
FROM ingested_file f, range(0, 20) x(h);

INSERT INTO followup_data (file_id, sheet, row_number, fiscal_year, village_code, citizen_id, month, practising,
    income, expense, savings)
SELECT h.file_id, 'ติดตาม', 2 + m * 20 + h.row_number, 2569, h.village_code, h.citizen_id,
       (DATE '2025-10-01' + to_months(m))::DATE, hash(h.citizen_id, m) % 100 < 85,
       h.income_before * (1.0 + m * 0.01) + (hash(h.citizen_id) % 300), 1500, 200
FROM household_data h, range(0, $months) x(m)
WHERE NOT (h.file_id % 40 = 0 AND m = 1);             -- every 40th village skipped a month
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=700)
    ap.add_argument("--months", type=int, default=12)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = warehouse.connect(Path(tmp) / "w.duckdb")
        register.load_areas(con)
        for stmt in FILL.split(";\n"):
            if stmt.strip():
                con.execute(
                    stmt,
                    {k: v for k, v in {"villages": args.villages, "months": args.months}.items() if f"${k}" in stmt},
                )
        warehouse.record_carried(con)
        rows = con.execute("SELECT (SELECT count(*) FROM followup), (SELECT count(*) FROM village)").fetchone()
        month = f"{2025 + (9 + args.months - 1) // 12}-{(9 + args.months - 1) % 12 + 1:02d}"
        t0 = time.perf_counter()
        result = validate.validate(con, month=month, docs_dir=Path(tmp) / "docs")
        took = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"villages         {rows[1]}")
        print(f"follow-up rows   {rows[0]}")
        print(f"issues           {result.errors} errors, {result.warnings} warnings")
        print(f"validate         {took:.1f} s (target <= 20 s)")
        print(f"peak RSS         {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
