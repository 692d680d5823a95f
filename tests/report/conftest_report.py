"""A small warehouse with known numbers for the report tests, inserted straight into the base tables.

One district (เมืองแพร่), three villages in the register:
- 54010101: 5 trainers (1 sage), 20 households, follow-up Oct–Dec 2568; in December
  17 of 20 practise (85.0 %), income_before 5000 + 100 h, income = income_before + 300,
  except (December) household 15: +700 and household 16: −100 (the mean stays +300), and
  (November) household 0: +500. Members 1 + h % 4. Households 18, 19 practise in neither
  November nor December.
- 54010102: same roster; in December 14 of 20 practise (70.0 %); nothing sent for October,
  November only for households 0..17 (90 % reported). Its file's name is hostile.
- 54010103: in the register only (no roster, no follow-up): the "no data yet" case.
Validation issues whose details carry whole citizen IDs (the report must mask them), a quota
breach, and a detail that starts like a formula.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

MONTHS = [dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1)]
PRACTISING_IN_DECEMBER = {"54010101": 17, "54010102": 14}
HOSTILE_FILE = "=1+2 <img src=x onerror=alert(1)>.xlsx"
FORMULA_DETAIL = '=HYPERLINK("http://example.invalid","คลิก") ติดตาม แถว 7'


def income_before(h: int) -> int:
    return 5000 + 100 * h


def members(h: int) -> int:
    return 1 + h % 4


def income(village: str, h: int, month: dt.date) -> int | None:
    """The follow-up income the fixture loads (None: not practising, or no row at all)."""
    if not has_row(village, h, month):
        return None
    if not h < (PRACTISING_IN_DECEMBER[village] if month.month == 12 else 18):
        return None
    extra = 300
    if village == "54010101" and month.month == 12:
        extra = {15: 700, 16: -100}.get(h, 300)
    if village == "54010101" and month.month == 11 and h == 0:
        extra = 500
    return income_before(h) + extra


def has_row(village: str, h: int, month: dt.date) -> bool:
    if village == "54010102":
        return month.month == 12 or (month.month == 11 and h < 18)
    return True


def citizen_id(prefix12: str) -> str:
    total = sum(int(prefix12[i]) * (13 - i) for i in range(12))
    return prefix12 + str((11 - total % 11) % 10)


def trainer_ids(village: str) -> list[str]:
    return [citizen_id(f"3{village[:4]}{village[-2:]}0000{t}") for t in range(5)]


def household_ids(village: str) -> list[str]:
    return [citizen_id(f"1{village[:4]}{village[-2:]}001{h:02d}") for h in range(20)]


def all_ids() -> list[str]:
    return [i for v in PRACTISING_IN_DECEMBER for i in trainer_ids(v) + household_ids(v)]


def build_warehouse(path: Path) -> Path:
    from pipelines import warehouse

    con = warehouse.connect(path)
    con.execute("INSERT INTO province VALUES ('54', 'แพร่', 'Phrae')")
    con.execute("INSERT INTO district VALUES ('5401', 'เมืองแพร่', 'Mueang Phrae', '54')")
    con.execute("INSERT INTO subdistrict VALUES ('540101', 'ในเวียง', 'Nai Wiang', '5401')")
    con.execute("""INSERT INTO register_village (village_code, village_no, village_name, subdistrict_code, source)
                   VALUES ('54010101', 1, 'บ้านทดสอบเหนือ', '540101', 'test'),
                          ('54010102', 2, 'บ้านทดสอบใต้', '540101', 'test'),
                          ('54010103', 3, 'บ้านยังไม่ส่ง', '540101', 'test')""")
    for file_id, (village, practising_dec) in enumerate(PRACTISING_IN_DECEMBER.items(), start=1):
        con.execute(
            "INSERT INTO ingested_file (file_id, path, sha256, village_code, fiscal_year, report_month, status, "
            "rows_loaded) VALUES (?, ?, ?, ?, 2569, DATE '2025-12-01', 'loaded', 100)",
            [
                file_id,
                f"raw/{HOSTILE_FILE if village == '54010102' else village + '.xlsx'}",
                f"{file_id:064d}",
                village,
            ],
        )
        tids = trainer_ids(village)
        for t, tid in enumerate(tids):
            con.execute(
                "INSERT INTO trainer_data (file_id, sheet, row_number, fiscal_year, village_code, seq, full_name, "
                "citizen_id, role) VALUES (?, 'วิทยากร', ?, 2569, ?, ?, ?, ?, ?)",
                [file_id, t + 2, village, t + 1, f"วิทยากร{t + 1} ทดสอบ", tid, "sage" if t == 0 else "team"],
            )
        for h, hid in enumerate(household_ids(village)):
            con.execute(
                "INSERT INTO household_data (file_id, sheet, row_number, fiscal_year, village_code, seq, full_name, "
                "citizen_id, house_no, members, trainer_citizen_id, occupation, occupation_group, trained_on, "
                "income_before, expense_before, status) VALUES (?, 'ครัวเรือน', ?, 2569, ?, ?, ?, ?, ?, ?, ?, "
                "'ทำน้ำพริก', 'processing', DATE '2025-10-05', ?, 3000, 'active')",
                [
                    file_id,
                    h + 2,
                    village,
                    h + 1,
                    f"ครัวเรือน{h + 1} ทดสอบ",
                    hid,
                    f"{h + 1}/1",
                    members(h),
                    tids[h // 4],
                    income_before(h),
                ],
            )
            for month in MONTHS:
                # December: the first N households practise; earlier months all but the last two.
                if not has_row(village, h, month):
                    continue
                practising = h < (practising_dec if month.month == 12 else 18)
                con.execute(
                    "INSERT INTO followup_data (file_id, sheet, row_number, fiscal_year, village_code, citizen_id, "
                    "month, practising, income, expense, savings, standards, channels) "
                    "VALUES (?, 'ติดตาม', ?, 2569, ?, ?, ?, ?, ?, ?, 500, [], ['ตลาดชุมชน'])",
                    [
                        file_id,
                        h + 2,
                        village,
                        hid,
                        month,
                        practising,
                        income(village, h, month),
                        2000 if practising else None,
                    ],
                )
    warehouse.record_carried(con)
    con.execute(
        "INSERT INTO validation_run VALUES ('run-1', TIMESTAMP '2026-01-05 10:00:00', "
        "TIMESTAMP '2026-01-05 10:01:00', 2569, DATE '2025-12-01', ['quota'], 1, 0)"
    )
    con.execute(
        "INSERT INTO validation_result VALUES ('run-1', 'uniqueness_household', 'error', 2569, '54010102', NULL, ?)",
        [f"เลข {household_ids('54010102')[0]} เป็นครัวเรือนเป้าหมายในหมู่บ้านอื่นด้วย"],
    )
    con.execute(
        "INSERT INTO validation_result VALUES ('run-1', 'quota_households_per_trainer', 'error', 2569, "
        "'54010101', DATE '2025-12-01', ?)",
        [f"วิทยากรแต่ละคนต้องดูแล 4 ครัวเรือน: {trainer_ids('54010101')[1]} ดูแล 5 ครัวเรือน"],
    )
    con.execute(
        "INSERT INTO validation_result VALUES ('run-1', 'outlier_income', 'warning', 2569, '54010102', "
        "DATE '2025-12-01', ?)",
        [FORMULA_DETAIL],
    )
    con.close()
    return path


_SITES: dict[str, tuple] = {}


def rendered_site(tmp_path_factory, month: str = "2025-12"):
    """The fixture warehouse rendered once per test session (kernels are the slow part):
    (warehouse, reports/<month>/, summary, progress calls)."""
    key = f"{tmp_path_factory.getbasetemp()}|{month}"
    if key not in _SITES:
        from pipelines.report import render_reports

        tmp = tmp_path_factory.mktemp("report")
        wh = build_warehouse(tmp / "w.duckdb")
        calls: list[tuple[int, int]] = []
        summary = render_reports(
            wh,
            month,
            tmp / "reports",
            villages=["54010101", "54010102", "54010103", "54019999"],
            districts=["5401"],
            province="54",
            workers=2,
            progress=lambda done, total: calls.append((done, total)),
        )
        _SITES[key] = (wh, tmp / "reports" / month, summary, calls)
    return _SITES[key]
