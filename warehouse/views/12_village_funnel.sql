-- village_funnel: each village's practising share against its province's, with the funnel
-- limits for its number of reporting households (contract: "Analysis views"). One row per
-- village and month with at least one report. A village outside the 99.8 % limits differs
-- from the province by more than chance would make it; within them it may not.
--   province_rate = practising / reported summed over the province's villages that month
--   limits        = province_rate ± z · √(province_rate · (1 − province_rate) / reported),
--                   z = 1.959964 (95 %) and 3.090232 (99.8 %), clipped to [0, 1]
CREATE OR REPLACE VIEW village_funnel AS
WITH reported AS (
    SELECT m.fiscal_year, m.month, m.village_code, v.district_code, v.province_code,
           m.households_reported, m.households_practising, m.practising_rate
    FROM village_month m
    JOIN village v USING (village_code)
    WHERE m.households_reported > 0
),
province AS (
    SELECT fiscal_year, month, province_code,
           sum(households_practising)::DOUBLE / sum(households_reported) AS province_rate
    FROM reported
    GROUP BY fiscal_year, month, province_code
),
limits AS (
    SELECT r.*, p.province_rate,
           sqrt(p.province_rate * (1 - p.province_rate) / r.households_reported) AS se
    FROM reported r
    JOIN province p USING (fiscal_year, month, province_code)
),
clipped AS (
    SELECT *,
           greatest(0.0, province_rate - 1.959964 * se) AS lower95,
           least(1.0, province_rate + 1.959964 * se)    AS upper95,
           greatest(0.0, province_rate - 3.090232 * se) AS lower998,
           least(1.0, province_rate + 3.090232 * se)    AS upper998
    FROM limits
)
SELECT
    fiscal_year,
    month,
    village_code,
    district_code,
    households_reported,
    households_practising,
    practising_rate,
    province_rate,
    lower95,
    upper95,
    lower998,
    upper998,
    CASE
        WHEN practising_rate < lower998 THEN 'alarm_low'
        WHEN practising_rate < lower95  THEN 'warning_low'
        WHEN practising_rate > upper998 THEN 'alarm_high'
        WHEN practising_rate > upper95  THEN 'warning_high'
        ELSE 'within'
    END AS position
FROM clipped;
