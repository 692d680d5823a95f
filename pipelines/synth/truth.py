"""What a correct ingest must end up with, as CSV files under out/_truth/.

Written village by village as the workbooks are, so a province never sits in memory.
Formats follow the contract views: codes as text, money with 2 decimals, dates ISO (CE),
booleans true/false, lists `|`-joined, blank = NULL.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from pipelines.synth import fiscal
from pipelines.synth.village import VillageYear

COLUMNS = {
    "trainer": ["fiscal_year", "village_code", "citizen_id", "full_name", "role"],
    "household": [
        "fiscal_year",
        "village_code",
        "citizen_id",
        "full_name",
        "house_no",
        "members",
        "trainer_citizen_id",
        "occupation",
        "occupation_group",
        "trained_on",
        "income_before",
        "expense_before",
        "status",
    ],
    "followup": [
        "fiscal_year",
        "village_code",
        "citizen_id",
        "month",
        "practising",
        "income",
        "expense",
        "savings",
        "group_name",
        "product",
        "otop_type",
        "standards",
        "channels",
    ],
    "files": [
        "path",
        "village_code",
        "fiscal_year",
        "report_month",
        "expected_status",
        "rows_loaded",
        "rows_rejected",
        "rows_skipped",
    ],
    "rejected": ["path", "sheet", "row_number", "column_name"],
    "quota_breach": ["fiscal_year", "village_code", "check"],
}


def money(satang: int | None) -> str:
    if satang is None:
        return ""
    sign = "-" if satang < 0 else ""
    return f"{sign}{abs(satang) // 100}.{abs(satang) % 100:02d}"


class Truth:
    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.counts = {name: 0 for name in COLUMNS}
        self._fh, self._w = {}, {}
        for name, cols in COLUMNS.items():
            fh = open(folder / f"{name}.csv", "w", encoding="utf-8", newline="")
            self._fh[name], self._w[name] = fh, csv.writer(fh, lineterminator="\n")
            self._w[name].writerow(cols)

    def __enter__(self) -> Truth:
        return self

    def __exit__(self, *exc) -> None:
        for fh in self._fh.values():
            fh.close()

    def _row(self, name: str, row: list) -> None:
        self._w[name].writerow(row)
        self.counts[name] += 1

    def file(
        self,
        path: str,
        village_code: str | None,
        fiscal_year: int | None,
        report_month: dt.date | None,
        status: str,
        tally=None,
    ) -> None:
        """One file's expected source_file row; a refused file has no village, year or month (NULL)."""
        loaded, rejected, skipped = (tally.loaded, len(tally.rejected), tally.skipped) if tally else (0, 0, 0)
        self._row(
            "files",
            [
                path,
                village_code or "",
                fiscal_year or "",
                report_month.isoformat() if report_month else "",
                status,
                loaded,
                rejected,
                skipped,
            ],
        )
        for sheet, row, column in tally.rejected if tally else []:
            self._row("rejected", [path, sheet, row, column])

    def village(self, year: VillageYear) -> None:
        fy, code = year.fiscal_year, year.village.code
        for t in year.loaded_trainers():
            self._row("trainer", [fy, code, t.person.citizen_id, t.person.full_name, t.role])
        for h in year.loaded_households():
            self._row(
                "household",
                [
                    fy,
                    code,
                    h.person.citizen_id,
                    h.person.full_name,
                    h.house_no,
                    h.members,
                    h.trainer.person.citizen_id,
                    h.occupation.name,
                    h.occupation.group,
                    h.trained_on.isoformat(),
                    money(h.income_before),
                    money(h.expense_before),
                    h.status(year.months),
                ],
            )
        for r in year.loaded_followups():
            self._row(
                "followup",
                [
                    fy,
                    code,
                    r.household.person.citizen_id,
                    fiscal.month_start(fy, r.month).isoformat(),
                    "true" if r.practising else "false",
                    money(r.income),
                    money(r.expense),
                    money(r.savings),
                    r.group_name or "",
                    r.product or "",
                    r.otop_type or "",
                    "|".join(r.standards),
                    "|".join(r.channels),
                ],
            )
        for check in year.quota_breaches():
            self._row("quota_breach", [fy, code, check])
