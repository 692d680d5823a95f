"""The to-do list of each district office: one row per thing to fix, from the latest
validation run, with the village, the file, the sheet, the row, the column and the value to
open, what to do, and the month where there is one. The district page and the workbook
``todo/<district>.xlsx`` show the same rows (``items``), sorted by what to fix first.

A quota or completeness problem that rows refused at ingest explain is not listed on its
own: it is said under those rows ("แก้แถว 25 ชีต ครัวเรือน … แล้วหมู่บ้านจะมีครัวเรือนครบ 20"),
so an office fixes the cause, not the consequence. Trainers and households are named (the
district office knows them), each with a masked citizen ID.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import duckdb

from pipelines import config
from pipelines.ingest.workbook import column_th
from pipelines.quality.checks import CHECK_TH, SEVERITY_TH
from pipelines.thai import parse
from pipelines.thai.fmt import inert, mask_citizen_id, mask_ids, month_be, workbook

KIND_OF_CHECK = {  # the sheet an officer opens for a village-level check
    "quota_trainers": "trainers",
    "quota_sages": "trainers",
    "quota_households": "households",
    "quota_households_per_trainer": "trainers",
    "quota_trainer_in_village": "households",
    "uniqueness_household": "households",
    "uniqueness_trainer_household": "households",
    "validity_income_before_range": "households",
}
MONTH_CHECKS = {"completeness_month_missing", "completeness_reporting_rate", "timeliness_late"}
KIND_RANK = {"trainers": 0, "households": 1, "followup": 2, "": 3}
_ROWS_IN_DETAIL = re.compile(r"(?:ชีต|แผ่นงาน)?\s*(ติดตาม|ครัวเรือน|วิทยากร)?\s*แถว (\d+)")
_ENGLISH_TAIL = re.compile(r"\s*\([A-Za-z][^()]*\)\s*$")

# The columns of the list, page and workbook alike, in order.
COLUMNS = {
    "no": "ลำดับ",
    "severity_th": "ระดับ",
    "village": "หมู่บ้าน",
    "village_code": "รหัสหมู่บ้าน",
    "check_th": "เรื่อง",
    "month_th": "เดือน",
    "file": "ไฟล์",
    "sheet": "ชีต",
    "row": "แถว",
    "column_th": "คอลัมน์",
    "value": "ค่าที่กรอก",
    "todo": "สิ่งที่ต้องทำ",
}


def thai_only(text: str | None) -> str:
    """A message of ingest or validation without its English gloss in brackets at the end."""
    return _ENGLISH_TAIL.sub("", text or "").strip()


def _quota() -> dict:
    return config.settings()["programme"]


def _where(level: str) -> str:
    column = {"village": "v.village_code", "district": "v.district_code", "province": "v.province_code"}
    if level not in column:
        raise ValueError(f"area level {level!r}: village, district or province")
    return column[level]


_ISSUES = """
    SELECT i.village_code, i.fiscal_year, i.severity, i.check_name, i.month, i.detail,
           v.district_code, v.district_name, v.subdistrict_name, v.village_no, v.village_name
    FROM validation_issue i JOIN village v USING (village_code)
    WHERE {where} AND ($fy IS NULL OR i.fiscal_year = $fy)
    ORDER BY i.village_code, i.check_name, i.month"""


def items(con: duckdb.DuckDBPyConnection, level: str, code: str, fiscal_year: int | None = None) -> list[dict]:
    """The to-do rows of an area (a district office's list, or a village's, or a province's),
    sorted by what to fix first: errors before warnings, within a village the cause before
    what it explains, then by sheet, month and row."""
    issues = con.execute(_ISSUES.format(where=f"{_where(level)} = $code"), {"code": code, "fy": fiscal_year})
    return _numbered(_items(con, issues.fetchall()))


def items_by_village(con: duckdb.DuckDBPyConnection, villages: list[str], fiscal_year: int | None = None) -> dict:
    """Each village's own to-do rows (as ``items(con, "village", code)`` gives them), for many
    villages at once: a batch of village reports asks once."""
    issues = con.execute(
        _ISSUES.format(where="list_contains($codes, v.village_code)"), {"codes": list(villages), "fy": fiscal_year}
    ).fetchall()
    by_village: dict[str, list[dict]] = defaultdict(list)
    for item in _items(con, issues):
        by_village[item["village_code"]].append(item)
    return {code: _numbered(rows) for code, rows in by_village.items()}


def _items(con, issues: list) -> list[dict]:
    if not issues:
        return []
    facts = _Facts(con, sorted({r[0] for r in issues}))
    by_village: dict[str, list] = defaultdict(list)
    for r in issues:
        by_village[r[0]].append(r)
    out: list[dict] = []
    for village, rows in by_village.items():
        out += _village_items(village, rows, facts)
    return out


def _numbered(out: list[dict]) -> list[dict]:
    out.sort(
        key=lambda i: (
            i["severity"] != "error",
            i["district_code"] or "",
            i["village_code"],
            i["rank"],
            KIND_RANK.get(i["kind"], 3),
            i["month"] or dt.date.min,
            i["file"],
            i["row"] or 0,
        )
    )
    for n, item in enumerate(out, start=1):
        item["no"] = n
    return out


class _Facts:
    """What the rows of a to-do list need beyond validation_issue, for a set of villages."""

    def __init__(self, con, villages: list[str]):
        params = {"villages": villages}
        # Rows refused at ingest in the files that still count: each village's latest file and
        # any file with current rows (as the completeness_rejected_rows check counts them).
        self.rejected: dict[str, list[dict]] = defaultdict(list)
        for rec in _records(
            con,
            """
            WITH latest AS (
                SELECT village_code, fiscal_year, max(file_id) AS file_id FROM ingested_file
                WHERE status IN ('loaded', 'replaced') AND list_contains($villages, village_code) GROUP BY ALL
            ),
            live AS (
                SELECT file_id FROM latest
                UNION SELECT DISTINCT file_id FROM trainer_current
                UNION SELECT DISTINCT file_id FROM household_current
                UNION SELECT DISTINCT file_id FROM followup_current
            )
            SELECT f.village_code, f.fiscal_year, f.file_id, parse_filename(f.path, false, 'both_slash') AS file,
                   r.sheet, coalesce(s.kind, '') AS kind, r.row_number, r.column_name, r.value, r.reason
            FROM rejected r JOIN ingested_file f USING (file_id)
            LEFT JOIN file_sheet s ON s.file_id = r.file_id AND s.sheet = r.sheet
            WHERE r.file_id IN (SELECT file_id FROM live) AND list_contains($villages, f.village_code)
            ORDER BY f.file_id, r.sheet, r.row_number""",
            params,
        ):
            self.rejected[rec["village_code"]].append(rec)
        # The file and sheet that carry each village's current roster, and each follow-up month.
        self.roster_file: dict[tuple, tuple[str, str]] = {}
        self.month_file: dict[tuple, tuple[str, str]] = {}
        for village, kind, month, file, sheet in con.execute(
            """
            WITH cur AS (
                SELECT 'trainers' AS kind, village_code, NULL::DATE AS month, file_id, sheet FROM trainer_current
                UNION ALL SELECT 'households', village_code, NULL, file_id, sheet FROM household_current
                UNION ALL SELECT 'followup', village_code, month, file_id, sheet FROM followup_current
            )
            SELECT c.village_code, c.kind, c.month,
                   parse_filename(arg_max(f.path, c.file_id), false, 'both_slash'), arg_max(c.sheet, c.file_id)
            FROM cur c JOIN ingested_file f USING (file_id)
            WHERE list_contains($villages, c.village_code)
            GROUP BY c.village_code, c.kind, c.month""",
            params,
        ).fetchall():
            if month is None:
                self.roster_file[(village, kind)] = (file, sheet)
            else:
                self.month_file[(village, month)] = (file, sheet)
        # Trainers with the households they look after, and where each trainer's row is.
        self.trainers: dict[str, list[dict]] = defaultdict(list)
        for rec in _records(
            con,
            """
            SELECT t.village_code, t.full_name, t.citizen_id, t.role, t.sheet, t.row_number,
                   count(h.citizen_id) AS households
            FROM trainer_current t
            LEFT JOIN household h
                   ON h.fiscal_year = t.fiscal_year AND h.village_code = t.village_code
                  AND h.trainer_citizen_id = t.citizen_id AND h.status <> 'withdrawn'
            WHERE list_contains($villages, t.village_code)
            GROUP BY ALL ORDER BY t.village_code, t.row_number""",
            params,
        ):
            self.trainers[rec["village_code"]].append(rec)
        # Households by village: name, ID, row, trainer, and the months each reported.
        self.households: dict[str, list[dict]] = defaultdict(list)
        for rec in _records(
            con,
            """
            SELECT h.village_code, h.full_name, h.citizen_id, h.sheet, h.row_number, h.trainer_citizen_id,
                   h.status, list(f.month ORDER BY f.month) FILTER (WHERE f.month IS NOT NULL) AS months
            FROM household_current h
            LEFT JOIN followup f
                   ON f.fiscal_year = h.fiscal_year AND f.village_code = h.village_code AND f.citizen_id = h.citizen_id
            WHERE list_contains($villages, h.village_code)
            GROUP BY ALL ORDER BY h.village_code, h.row_number""",
            params,
        ):
            self.households[rec["village_code"]].append(rec)


def _records(con, sql: str, params: dict) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _masked(value) -> str:
    """A typed value for a page: a citizen ID however typed (Thai digits, spaces, dashes) masked."""
    text = "" if value is None else str(value)
    digits = re.sub(r"\D", "", parse.digits(text))
    return mask_citizen_id(digits) if len(digits) == 13 else mask_ids(text)


def _person(name, cid) -> str:
    return f"{name or 'ไม่ระบุชื่อ'} ({mask_citizen_id(cid)})"


def _village_items(village: str, issues: list, facts: _Facts) -> list[dict]:
    first = issues[0]
    label = f"{first[10]} ม.{first[9]} ต.{first[8]}" if first[10] else village
    base = {"district_code": first[6], "district_name": first[7], "village_code": village, "village": label}
    q = _quota()
    checks = {r[3]: r for r in issues}
    years = {r[1] for r in issues}
    rejected = [r for r in facts.rejected.get(village, []) if r["fiscal_year"] in years]
    rejected_of = {k: [r for r in rejected if r["kind"] == k] for k in ("trainers", "households", "followup")}
    trainers = facts.trainers.get(village, [])
    households = [h for h in facts.households.get(village, []) if h["status"] != "withdrawn"]
    explained: dict[int, list[str]] = defaultdict(list)  # id(rejected row) → what fixing it would mend
    hidden: set[str] = set()  # checks said under the rows that explain them

    def explain(rows: list[dict], text: str) -> None:
        for r in rows:
            explained[id(r)].append(text)

    n_trainers, n_sages, n_households = len(trainers), sum(t["role"] == "sage" for t in trainers), len(households)
    if "quota_trainers" in checks and n_trainers < q["trainers_per_village"]:
        short = q["trainers_per_village"] - n_trainers
        if 0 < short <= len(rejected_of["trainers"]):
            explain(rejected_of["trainers"], f"แล้วหมู่บ้านจะมีวิทยากรครบ {q['trainers_per_village']} คน")
            hidden.add("quota_trainers")
    if "quota_sages" in checks and n_sages < q["sages_per_village"] and "quota_trainers" in hidden:
        explain(rejected_of["trainers"], "และมีปราชญ์ชุมชนครบ (ถ้าแถวนี้เป็นปราชญ์ชุมชน)")
        hidden.add("quota_sages")
    if "quota_households" in checks and n_households < q["households_per_village"]:
        short = q["households_per_village"] - n_households
        if 0 < short <= len(rejected_of["households"]):
            explain(rejected_of["households"], f"แล้วหมู่บ้านจะมีครัวเรือนเป้าหมายครบ {q['households_per_village']}")
            hidden.add("quota_households")
            off = [t for t in trainers if t["households"] != q["households_per_trainer"]]
            deficit = sum(q["households_per_trainer"] - t["households"] for t in off)
            if (
                "quota_households_per_trainer" in checks
                and all(t["households"] < q["households_per_trainer"] for t in off)
                and deficit <= len(rejected_of["households"])
            ):
                explain(
                    rejected_of["households"],
                    f"และวิทยากรทุกคนจะดูแลครบคนละ {q['households_per_trainer']} ครัวเรือน",
                )
                hidden.add("quota_households_per_trainer")
    gaps = [r for r in issues if r[3] == "completeness_reporting_rate" and r[4] is not None]
    if gaps and rejected_of["followup"]:
        months = ", ".join(month_be(r[4], abbr=True, short_year=True) for r in gaps)
        explain(rejected_of["followup"], f"แล้วเดือนที่รายงานไม่ครบ ({months}) อาจครบทุกครัวเรือน")

    out: list[dict] = []

    def add(check: str, severity: str, rank: int, kind: str = "", month=None, **fields) -> None:
        file, sheet = (
            facts.month_file.get((village, month), ("", ""))
            if kind == "followup" and month is not None
            else facts.roster_file.get((village, kind), ("", ""))
        )
        item = {
            **base,
            "check_name": check,
            "check_th": CHECK_TH.get(check, check),
            "severity": severity,
            "severity_th": SEVERITY_TH.get(severity, severity),
            "rank": rank,
            "kind": kind,
            "month": month,
            "month_th": month_be(month, abbr=True) if month is not None else "",
            "file": file,
            "sheet": sheet,
            "row": None,
            "column_th": "",
            "value": "",
            "todo": "",
            **fields,
        }
        if item["file"].lower().endswith(".csv") and item["sheet"] == item["file"]:
            item["sheet"] = "(ไฟล์ CSV)"  # a CSV file has no sheets: the row is its line
        out.append(item)

    severity_of = {r[3]: r[2] for r in issues}
    off = [t for t in trainers if t["households"] != q["households_per_trainer"]]
    known = {t["citizen_id"] for t in trainers}
    outside = [h for h in households if h["trainer_citizen_id"] not in known]
    for r in rejected:
        mends = explained.get(id(r), [])
        if not mends and "completeness_rejected_rows" not in checks:
            continue
        column = column_th(r["column_name"]) if r["column_name"] else ""
        csv = r["file"].lower().endswith(".csv")
        where = f"บรรทัด {r['row_number']}" if csv else f"แถว {r['row_number']} ชีต {r['sheet'].strip()}"
        what = f"แก้{where}" + (f": {column} '{_masked(r['value'])}'" if column and r["value"] else "")
        what += f" ({thai_only(r['reason'])})"
        if mends:
            what += " " + " ".join(mends)
        severity = "error" if mends and any(severity_of.get(c) == "error" for c in hidden) else "warning"
        if "completeness_rejected_rows" in severity_of and not mends:
            severity = severity_of["completeness_rejected_rows"]
        add(
            "completeness_rejected_rows",
            severity,
            0 if mends else 2,
            r["kind"],
            file=r["file"],
            sheet="(ไฟล์ CSV)" if csv else r["sheet"],
            row=r["row_number"],
            column_th=column,
            value=_masked(r["value"]),
            todo=what + " แล้วส่งไฟล์ใหม่",
        )
    for _, _, severity, check, month, detail, *_ in issues:
        if check in hidden or check == "completeness_rejected_rows":
            continue
        detail = thai_only(mask_ids(detail or ""))
        if check == "quota_households_per_trainer" and off:
            for t in off:
                add(
                    check,
                    severity,
                    1,
                    "trainers",
                    row=t["row_number"],
                    column_th="ชื่อ-สกุล",
                    value=_person(t["full_name"], t["citizen_id"]),
                    todo=f"วิทยากร {_person(t['full_name'], t['citizen_id'])} ดูแล {t['households']} ครัวเรือน "
                    f"ต้องดูแล {q['households_per_trainer']}: แก้วิทยากรผู้ดูแลในชีตครัวเรือนให้ครบคนละ "
                    f"{q['households_per_trainer']} ครัวเรือน",
                )
            continue
        if check == "quota_trainer_in_village" and outside:
            for h in outside:
                add(
                    check,
                    severity,
                    1,
                    "households",
                    row=h["row_number"],
                    column_th=column_th("trainer"),
                    value=mask_citizen_id(h["trainer_citizen_id"]),
                    todo=f"ครัวเรือน {_person(h['full_name'], h['citizen_id'])}: วิทยากรผู้ดูแลไม่อยู่ในรายชื่อวิทยากร"
                    " ของหมู่บ้าน แก้ให้เป็นวิทยากรของหมู่บ้านนี้",
                )
            continue
        if check == "completeness_reporting_rate" and month is not None:
            missing = [h for h in households if month not in (h["months"] or [])]
            names = ", ".join(_person(h["full_name"], h["citizen_id"]) for h in missing[:8])
            more = f" และอีก {len(missing) - 8} ครัวเรือน" if len(missing) > 8 else ""
            add(
                check,
                severity,
                1,
                "followup",
                month,
                todo=f"{detail}: ยังไม่มีผลของ {names}{more}" if missing else detail,
            )
            continue
        if check in ("quota_trainers", "quota_sages") and trainers:
            who = [t for t in trainers if check == "quota_trainers" or t["role"] == "sage"]
            named = ", ".join(_person(t["full_name"], t["citizen_id"]) for t in who)
            add(check, severity, 1, "trainers", todo=f"{detail}: {named}" if who else detail)
            continue
        if check in MONTH_CHECKS:
            add(check, severity, 1, "followup", month, todo=detail)
            continue
        kind = KIND_OF_CHECK.get(check, "followup")
        rows = [int(n) for _, n in _ROWS_IN_DETAIL.findall(detail)]
        add(
            check,
            severity,
            1,
            kind,
            month if check.startswith(("outlier", "validity_money", "validity_income_not")) else None,
            row=rows[0] if len(rows) == 1 else None,
            todo=detail,
        )
    return out


def write_todo(con: duckdb.DuckDBPyConnection, out_dir: Path, fiscal_year: int | None = None) -> list[Path]:
    """reports/<month>/todo/<district_code>.xlsx: each district office's to-do list, the rows
    of its district page."""
    districts = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT v.district_code FROM validation_issue i JOIN village v USING (village_code) "
            "WHERE $fy IS NULL OR i.fiscal_year = $fy ORDER BY 1",
            {"fy": fiscal_year},
        ).fetchall()
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for code in districts:
        rows = items(con, "district", code, fiscal_year)
        if rows:
            written.append(write_xlsx(rows, out_dir / f"{code}.xlsx"))
    return written


def write_xlsx(rows: list[dict], path: Path) -> Path:
    """One sheet, the list's columns; errors in red; filters and a frozen header; every cell
    inert (no formula), IDs masked. Written whole or not at all."""
    with workbook(path) as wb:
        ws = wb.add_worksheet("สิ่งที่ต้องแก้ไข")
        head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "top"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        error = wb.add_format({"font_color": "#B00020", "bold": True, "valign": "top"})
        ws.write_row(0, 0, list(COLUMNS.values()), head)
        for i, item in enumerate(rows, start=1):
            for c, key in enumerate(COLUMNS):
                v = item.get(key)
                if v is None or v == "" or v != v:  # blank, or NaN from a frame
                    continue
                if isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(i, c, v, wrap)
                else:
                    ws.write_string(
                        i,
                        c,
                        inert(mask_ids(str(v))),
                        error if key == "severity_th" and item["severity"] == "error" else wrap,
                    )
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(1, len(rows)), len(COLUMNS) - 1)
        for c, width in enumerate((6, 11, 24, 11, 20, 10, 22, 12, 6, 14, 18, 70)):
            ws.set_column(c, c, width)
    return path
