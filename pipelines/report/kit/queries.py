"""The warehouse read by the reports: a frame from SQL, and the queries the area reports
share (one area level as a parameter: village, district or province); the to-do items with
the file and the place in it an officer opens."""

from __future__ import annotations

import re

from pipelines.report.kit.labels import SEVERITY_TH, check_th
from pipelines.thai import fmt as tf
from pipelines.thai.fmt import mask_ids

# The sheet (spec name) an officer opens for each check; rows come from the detail.
CHECK_SHEET = {
    "quota_trainers": "trainer",
    "quota_sages": "trainer",
    "quota_households": "household",
    "quota_households_per_trainer": "household",
    "quota_trainer_in_village": "household",
    "uniqueness_household": "household",
    "uniqueness_trainer_household": "household",
    "validity_income_before_range": "household",
    "completeness_month_missing": "followup",
    "completeness_reporting_rate": "followup",
    "timeliness_late": "followup",
    "validity_money_range": "followup",
    "validity_income_not_practising": "followup",
    "outlier_income": "followup",
    "outlier_income_jump": "followup",
    "validity_followup_household_in_roster": "followup",
}


SHEET_TH = {"trainer": "วิทยากร", "household": "ครัวเรือน", "followup": "ติดตาม"}


MONTH_CHECKS = {"completeness_month_missing", "completeness_reporting_rate", "timeliness_late"}


_ROW = re.compile(r"แถว (\d+)")


def todo_where(check: str, detail: str, month=None) -> tuple[str, str]:
    """(which file kind, where in it) for one issue: the sheet, and the rows its detail names."""
    if check == "completeness_rejected_rows":
        return "", "ตามรายละเอียด (ไฟล์ แผ่นงาน และแถว)"
    sheet = CHECK_SHEET.get(check, "")
    where = f"แผ่นงาน {SHEET_TH[sheet]}" if sheet else ""
    rows = list(dict.fromkeys(_ROW.findall(detail or "")))
    if rows:
        where += " แถว " + ", ".join(rows[:10]) + (" …" if len(rows) > 10 else "")
    elif check in MONTH_CHECKS and not tf.is_missing(month):
        where += f" เดือน {tf.month_be(month, abbr=True)}"
    return ("followup_month" if check in MONTH_CHECKS else sheet), where.strip()


def query(con, sql: str, **params):
    """A frame from SQL with named parameters ($name); the grouping stays in SQL."""
    return con.execute(sql, params).df()


AREA_COLUMN = {"village": "village_code", "district": "district_code", "province": "province_code"}


def _area(level: str) -> str:
    if level not in AREA_COLUMN:
        raise ValueError(f"area level {level!r}: one of {', '.join(AREA_COLUMN)}")
    return AREA_COLUMN[level]


def area_kpis(con, fy: int, level: str, code: str, *, until=None, month=None, by: str | None = None):
    """village_month over an area's villages: counts added, incomes weighted by practising households.

    The contract defines the KPIs per village (village_month); an area's mean income over its
    practising households is its villages' means weighted by how many practising households
    each mean is taken over (those on the current roster: village_month_income), so an
    area report always agrees with the view. ``until``: one row per month of the fiscal year
    up to it; ``month`` and ``by`` (``district``): one row per district for that month.
    """
    col = _area(level)
    if by is not None:
        group, when = f"v.{_area(by)}", "m.month = $month"
    else:
        group, when = "m.month", "m.month <= $month"
    return query(
        con,
        f"""
        WITH a AS (
            SELECT {group} AS grp,
                   count(*)                                      AS villages_reported,
                   sum(m.households_reported)::INTEGER           AS households_reported,
                   sum(m.households_practising)::INTEGER         AS households_practising,
                   sum(m.avg_income * i.households_counted)::DOUBLE
                       / nullif(sum(i.households_counted) FILTER (WHERE m.avg_income IS NOT NULL), 0)
                       AS avg_income,
                   sum(m.avg_income_before * i.households_counted)::DOUBLE
                       / nullif(sum(i.households_counted) FILTER (WHERE m.avg_income_before IS NOT NULL), 0)
                       AS avg_income_before
            FROM village_month m JOIN village v USING (village_code)
            LEFT JOIN village_month_income i USING (fiscal_year, village_code, month)
            WHERE v.{col} = $code AND m.fiscal_year = $fy AND {when}
            GROUP BY {group}
        )
        SELECT grp AS {"month" if by is None else _area(by)}, villages_reported, households_reported,
               households_practising,
               households_practising::DOUBLE / nullif(households_reported, 0)            AS practising_rate,
               avg_income, avg_income_before,
               100 * (avg_income - avg_income_before) / nullif(avg_income_before, 0)     AS income_change_pct
        FROM a ORDER BY grp""",
        code=code,
        fy=fy,
        month=tf.parse_month(month if by is not None else until),
    )


def household_incomes(con, fy: int, month, level: str, code: str):
    """Each household practising in the month: its change over its own income before (%), and
    its income per person per year (the month's income × 12 ÷ members). No names, no IDs."""
    return query(
        con,
        f"""
        SELECT v.district_code, v.district_name, v.subdistrict_code, v.subdistrict_name, v.village_code,
               v.village_no, v.village_name, f.income::DOUBLE AS income, h.income_before::DOUBLE AS income_before,
               h.members,
               100 * (f.income - h.income_before)::DOUBLE / nullif(h.income_before, 0)::DOUBLE AS change_pct,
               12 * f.income::DOUBLE / nullif(h.members, 0)                                   AS income_per_person_year
        FROM followup f
        JOIN village v USING (village_code)
        LEFT JOIN household h
               ON h.fiscal_year = f.fiscal_year AND h.village_code = f.village_code AND h.citizen_id = f.citizen_id
        WHERE v.{_area(level)} = $code AND f.fiscal_year = $fy AND f.month = $month AND f.practising
        ORDER BY v.village_code""",
        code=code,
        fy=fy,
        month=tf.parse_month(month),
    )


def reporting_matrix(con, fy: int, month, level: str, code: str):
    """Villages in the programme this fiscal year (a roster or a follow-up) × months up to
    ``month``: reported and enrolled as village_month counts them; ``sent`` false where the
    view has no row, i.e. the village sent nothing for the month (enrolled then from the roster)."""
    m = tf.parse_month(month)
    return query(
        con,
        f"""
        WITH v AS (SELECT * FROM village WHERE {_area(level)} = $code),
        programme AS (
            SELECT village_code FROM household WHERE fiscal_year = $fy AND village_code IN (SELECT village_code FROM v)
            UNION
            SELECT village_code FROM followup WHERE fiscal_year = $fy AND village_code IN (SELECT village_code FROM v)
        ),
        roster AS (
            SELECT village_code, count(*) FILTER (WHERE status <> 'withdrawn') AS enrolled
            FROM household WHERE fiscal_year = $fy GROUP BY village_code
        ),
        months AS (SELECT unnest(generate_series($start, $month, INTERVAL 1 MONTH))::DATE AS month)
        SELECT v.district_code, v.district_name, v.subdistrict_code, v.subdistrict_name, v.village_code, v.village_no,
               v.village_name, months.month,
               coalesce(vm.households_reported, 0)                       AS reported,
               coalesce(vm.households_enrolled, r.enrolled, 0)           AS enrolled,
               vm.village_code IS NOT NULL                               AS sent
        FROM programme p JOIN v USING (village_code)
        CROSS JOIN months
        LEFT JOIN roster r USING (village_code)
        LEFT JOIN village_month vm
               ON vm.fiscal_year = $fy AND vm.village_code = p.village_code AND vm.month = months.month
        ORDER BY v.district_code, v.subdistrict_code, v.village_no, v.village_code, months.month""",
        code=code,
        fy=fy,
        start=tf.fiscal_months(m)[0],
        month=m,
    )


def quota_breaches(con, fy: int, level: str, code: str):
    """The latest validation run's quota checks that failed in the area (IDs masked)."""
    df = query(
        con,
        f"""
        SELECT v.district_code, v.district_name, v.subdistrict_name, v.village_no, v.village_name, i.village_code,
               i.check_name, i.detail
        FROM validation_issue i JOIN village v USING (village_code)
        WHERE v.{_area(level)} = $code AND starts_with(i.check_name, 'quota_')
          AND (i.fiscal_year = $fy OR i.fiscal_year IS NULL)
        ORDER BY v.district_code, v.subdistrict_code, v.village_no, i.check_name""",
        code=code,
        fy=fy,
    )
    df["detail"] = df.detail.map(mask_ids)
    df["check_th"] = df.check_name.map(check_th)
    df["village"] = village_labels(df)
    return df


def todo_items(con, fy: int, level: str, code: str):
    """What to fix, from data_todo (the rows of the district to-do workbooks), with the file
    to open and where in it: the file that carries the current roster or follow-up month."""
    where = (
        f"{_area(level)} = $code"
        if level != "province"  # data_todo carries village and district codes
        else "village_code IN (SELECT village_code FROM village WHERE province_code = $code)"
    )
    df = query(
        con,
        f"""
        SELECT district_code, district_name, subdistrict_name, village_no, village_name, village_code,
               severity, check_name, month, detail
        FROM data_todo
        WHERE {where} AND (fiscal_year = $fy OR fiscal_year IS NULL)
        ORDER BY district_code, severity, village_code, check_name, month""",
        code=code,
        fy=fy,
    )
    files: dict[tuple, str] = {}
    if len(df):  # the current file of each sheet (and follow-up month) of the villages with an issue
        for sheet, village, month, name in con.execute(
            """
            WITH f AS (
                SELECT 'trainer' AS sheet, village_code, NULL::DATE AS month, file_id, path FROM trainer_history
                WHERE is_current AND fiscal_year = $fy AND village_code IN (SELECT unnest($villages))
                UNION ALL
                SELECT 'household', village_code, NULL, file_id, path FROM household_history
                WHERE is_current AND fiscal_year = $fy AND village_code IN (SELECT unnest($villages))
                UNION ALL
                SELECT 'followup_month', village_code, month, file_id, path FROM followup_history
                WHERE is_current AND fiscal_year = $fy AND village_code IN (SELECT unnest($villages))
            )
            SELECT sheet, village_code, month, parse_filename(arg_max(path, file_id), false, 'both_slash')
            FROM f GROUP BY ALL
            UNION ALL      -- the follow-up file of the latest month
            SELECT 'followup', village_code, NULL, parse_filename(arg_max(path, (month, file_id)), false, 'both_slash')
            FROM f WHERE sheet = 'followup_month' GROUP BY ALL""",
            {"fy": fy, "villages": sorted(set(df.village_code))},
        ).fetchall():
            files[(sheet, village, month)] = name
    file_col, where_col = [], []
    for r in df.to_dict("records"):
        kind, where = todo_where(r["check_name"], r["detail"], r["month"])
        month = tf.parse_month(r["month"]) if kind == "followup_month" and not tf.is_missing(r["month"]) else None
        file_col.append(mask_ids(files.get((kind, r["village_code"], month)) or "") or tf.DASH)
        where_col.append(where)
    df["file"], df["where"] = file_col, where_col
    df["detail"] = df.detail.map(mask_ids)
    df["severity_th"] = df.severity.map(SEVERITY_TH)
    df["check_th"] = df.check_name.map(check_th)
    df["month_th"] = [
        tf.month_be(m, abbr=True) if c in MONTH_CHECKS and not tf.is_missing(m) else ""
        for c, m in zip(df.check_name, df.month)
    ]
    df["village"] = village_labels(df)
    return df


def village_labels(df) -> list[str]:
    """ "บ้านทดสอบ ม.1 ต.ในเวียง" for rows carrying village_name, village_no, subdistrict_name."""
    return [
        f"{n} ม.{no} ต.{s}" if not tf.is_missing(n) else tf.DASH
        for n, no, s in zip(df.village_name, df.village_no, df.subdistrict_name)
    ]
