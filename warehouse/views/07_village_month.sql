-- village_month: the per-village monthly KPIs every report is built from
-- (definitions: ../shared/spec/contract.md).
--   enrolled   = roster households not withdrawn
--   reported   = distinct households with a follow-up row that month
--   practising = of those, practising
--   practising_rate   = practising / reported            (target >= 0.85)
--   avg_income        = mean income of the practising households
--   avg_income_before = mean income_before of the same households
-- "The same households": both means are taken over the practising households on the
-- village's current roster. A follow-up row whose household is no longer on it (a roster
-- re-sent without it) has no income_before; counting its income alone would compare two
-- different groups. Such rows still count as reported and practising, and the validity
-- check validity_followup_household_in_roster lists them for the village to fix.
-- village_month_income holds those households per village and month, with their count:
-- area reports weight the villages' means by it (reportkit.area_kpis).
--   income_change_pct = 100 * (avg_income - avg_income_before) / avg_income_before (target >= 3)
CREATE OR REPLACE VIEW village_month_income AS
SELECT
    f.fiscal_year,
    f.village_code,
    f.month,
    count(*)              AS households_counted,
    avg(f.income)         AS avg_income_raw,
    avg(h.income_before)  AS avg_income_before_raw
FROM followup f
JOIN household h
    ON h.fiscal_year = f.fiscal_year
   AND h.village_code = f.village_code
   AND h.citizen_id = f.citizen_id
WHERE f.practising
GROUP BY f.fiscal_year, f.village_code, f.month;

CREATE OR REPLACE VIEW village_month AS
-- One aggregate over the follow-up rows (the incomes from their households joined to them,
-- as village_month_income computes them), so a filter on a village pushes down to its own
-- rows: a batch of village reports reads its villages, not the province.
WITH enrolled AS (
    SELECT fiscal_year, village_code, count(*) AS households_enrolled
    FROM household
    WHERE status <> 'withdrawn'
    GROUP BY fiscal_year, village_code
),
monthly AS (
    SELECT
        f.fiscal_year,
        f.village_code,
        f.month,
        count(DISTINCT f.citizen_id)                                        AS households_reported,
        count(DISTINCT f.citizen_id) FILTER (WHERE f.practising)            AS households_practising,
        avg(f.income) FILTER (WHERE f.practising AND h.citizen_id IS NOT NULL) AS avg_income_raw,
        avg(h.income_before) FILTER (WHERE f.practising)                    AS avg_income_before_raw
    FROM followup f
    LEFT JOIN household h
        ON h.fiscal_year = f.fiscal_year
       AND h.village_code = f.village_code
       AND h.citizen_id = f.citizen_id
    GROUP BY f.fiscal_year, f.village_code, f.month
)
SELECT
    m.fiscal_year,
    m.village_code,
    m.month,
    coalesce(e.households_enrolled, 0)::INTEGER                   AS households_enrolled,
    m.households_reported::INTEGER                                AS households_reported,
    m.households_practising::INTEGER                              AS households_practising,
    m.households_practising::DOUBLE / nullif(m.households_reported, 0) AS practising_rate,
    round(m.avg_income_raw, 2)::DECIMAL(12,2)                     AS avg_income,
    round(m.avg_income_before_raw, 2)::DECIMAL(12,2)              AS avg_income_before,
    100.0 * (m.avg_income_raw - m.avg_income_before_raw)
          / nullif(m.avg_income_before_raw, 0)                    AS income_change_pct
FROM monthly m
LEFT JOIN enrolled e
    ON e.fiscal_year = m.fiscal_year AND e.village_code = m.village_code;
