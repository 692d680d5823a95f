"""The warehouse read by the reports: a frame from SQL, and the queries the area reports
share (one area level as a parameter: village, district or province); the to-do items with
the file and the place in it an officer opens."""

from __future__ import annotations

from pipelines.report.kit.labels import check_th
from pipelines.report.kit.rows import records
from pipelines.thai import fmt as tf
from pipelines.thai.fmt import mask_ids


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
    """The to-do list of an area, the rows of the district offices' workbooks
    (``pipelines.quality.todo.items``: file, sheet, row, column, value, what to do), as a frame."""
    import pandas as pd

    from pipelines.quality import todo

    return pd.DataFrame(
        todo.items(con, level, code, fy),
        columns=["severity", "district_code", "district_name", "check_name", *todo.COLUMNS],
    )


def village_labels(df) -> list[str]:
    """ "บ้านทดสอบ ม.1 ต.ในเวียง" for rows carrying village_name, village_no, subdistrict_name."""
    return [
        f"{n} ม.{no} ต.{s}" if not tf.is_missing(n) else tf.DASH
        for n, no, s in zip(df.village_name, df.village_no, df.subdistrict_name)
    ]


def todo_by_village(con, fy: int, codes: list[str]) -> dict:
    """Each village's to-do list (as ``todo_items(con, fy, "village", code)``) for a batch of
    villages at once: village code → frame (empty for a village with nothing to fix)."""
    import pandas as pd

    from pipelines.quality import todo

    columns = ["severity", "district_code", "district_name", "check_name", *todo.COLUMNS]
    found = todo.items_by_village(con, codes, fy)
    return {c: pd.DataFrame(found.get(c, []), columns=columns) for c in codes}


def todo_table(dl, todo, name: str = "todo", limit: int = 40, caption: str = "") -> str:
    """The to-do list on a page: its first ``limit`` rows (errors come first), each village
    linked to its page, where to look in one column (file, sheet, row, column and value), and
    the whole list as the same workbook the district office gets (one column per field)."""
    import pandas as pd

    from pipelines.quality import todo as quality_todo
    from pipelines.report.kit.html import Raw, esc, page_href, table

    def where(r: dict) -> Raw:
        row = None if tf.is_missing(r["row"]) else int(r["row"])
        if str(r["file"]).lower().endswith(".csv"):  # a CSV file has lines, not sheets
            at = [f"บรรทัด {row}"] if row is not None else []
        else:
            at = [f"ชีต {r['sheet']}" + (f" แถว {row}" if row is not None else "")] if r["sheet"] else []
        if r["column_th"]:
            at.append(r["column_th"] + (f": '{r['value']}'" if r["value"] else ""))
        return Raw("<br>".join([esc(r["file"]) or tf.DASH, *(esc(a) for a in at)]))

    shown = records(todo.head(limit))
    page = pd.DataFrame(
        {
            "no": [r["no"] for r in shown],
            "severity": [r["severity"] for r in shown],
            "severity_th": [r["severity_th"] for r in shown],
            "village": [f"{r['village']} ({r['village_code']})" for r in shown],
            "village_code": [r["village_code"] for r in shown],
            "check": [(r["check_th"], r["month_th"]) for r in shown],
            "where": [dict(r) for r in shown],
            "todo": [r["todo"] for r in shown],
        }
    )
    more = f" แสดง {tf.number(len(shown))} รายการแรกจาก {tf.number(len(todo))} รายการ" if len(todo) > limit else ""
    html_table = table(
        page,
        {
            "no": "ลำดับ",
            "severity_th": "ระดับ",
            "village": "หมู่บ้าน",
            "check": "เรื่อง",
            "where": "ตำแหน่งในไฟล์",
            "todo": "สิ่งที่ต้องทำ",
        },
        formats={
            "check": lambda c: Raw(esc(c[0]) + (f"<br><small>เดือน {esc(c[1])}</small>" if c[1] else "")),
            "where": where,
        },
        numeric=["no"],
        nowrap=["severity_th"],
        row_class=lambda r: "bad" if r["severity"] == "error" else "",
        caption=(caption + more).strip(),
        links={"village": lambda r: page_href("village", r["village_code"])},
    )
    rows = records(todo)
    return html_table + dl.written(
        name, lambda path: quality_todo.write_xlsx(rows, path), "ดาวน์โหลดรายการทั้งหมด (Excel .xlsx)"
    )
