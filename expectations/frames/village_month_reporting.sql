-- One row per village (with a roster this fiscal year) and month of the fiscal year up to
-- the month validated: how many households reported, and when the month first arrived.
-- Validated by the `completeness` and `timeliness` suites.
WITH params AS (
    SELECT
        $fiscal_year::INTEGER AS fy,
        make_date($fiscal_year - 544, 10, 1) AS fy_start,
        coalesce($month::DATE,
                 (SELECT max(month) FROM followup WHERE fiscal_year = $fiscal_year),
                 make_date($fiscal_year - 544, 10, 1)) AS last_month
),
villages AS (
    SELECT DISTINCT h.fiscal_year, h.village_code
    FROM household h, params p
    WHERE h.fiscal_year = p.fy
),
months AS (
    SELECT unnest(generate_series(p.fy_start, p.last_month, INTERVAL 1 MONTH))::DATE AS month
    FROM params p
),
enrolled AS (
    SELECT fiscal_year, village_code, count(*) FILTER (WHERE status <> 'withdrawn') AS enrolled
    FROM household GROUP BY ALL
),
reported AS (
    SELECT fiscal_year, village_code, month, count(DISTINCT citizen_id) AS reported
    FROM followup GROUP BY ALL
),
arrival AS (      -- the first file that carried the month, replaced or not; received = landed in raw/
    SELECT c.fiscal_year, c.village_code, c.month, min(coalesce(f.received_at, f.ingested_at)) AS received_at
    FROM carried c JOIN ingested_file f USING (file_id)
    WHERE c.kind = 'followup' AND c.rows_loaded > 0
    GROUP BY ALL
)
SELECT
    v.fiscal_year,
    v.village_code,
    m.month,
    strftime(m.month, '%-m/') || (year(m.month) + 543)              AS month_text,
    coalesce(e.enrolled, 0)::INTEGER                                AS enrolled,
    coalesce(r.reported, 0)::INTEGER                                AS reported,
    coalesce(r.reported, 0)::DOUBLE / nullif(e.enrolled, 0)         AS reporting_rate,
    round(100 * coalesce(r.reported, 0)::DOUBLE / nullif(e.enrolled, 0))::INTEGER AS reporting_pct,
    a.received_at,
    (m.month + INTERVAL 1 MONTH + to_days($due_days::INTEGER - 1))::DATE AS due_on,
    strftime((m.month + INTERVAL 1 MONTH + to_days($due_days::INTEGER - 1))::DATE, '%-d/%-m/')
        || (year(m.month + INTERVAL 1 MONTH + to_days($due_days::INTEGER - 1)) + 543) AS due_on_text,
    CASE WHEN a.received_at IS NULL THEN NULL
         ELSE greatest(0, date_diff('day', (m.month + INTERVAL 1 MONTH + to_days($due_days::INTEGER - 1))::DATE,
                                    a.received_at::DATE)) END::INTEGER AS days_late
FROM villages v
CROSS JOIN months m
LEFT JOIN enrolled e USING (fiscal_year, village_code)
LEFT JOIN reported r ON r.fiscal_year = v.fiscal_year AND r.village_code = v.village_code AND r.month = m.month
LEFT JOIN arrival a ON a.fiscal_year = v.fiscal_year AND a.village_code = v.village_code AND a.month = m.month
ORDER BY v.village_code, m.month
