-- OTOP candidates and the facts their score is built from (one row per candidate).
-- Groups: the same group name (ignoring spaces) within a subdistrict; individual producers:
-- households with a product but no group. Parameters: $fiscal_year, $month (last month
-- counted), $lookback (months).
--
-- Continuity is counted over the months that exist: the months of the fiscal year up to
-- $month, within the last $lookback, that hold any follow-up data in the warehouse. With
-- three months of data a producer can be practising in at most 3 of 3, never "6 of 6".
WITH fu AS (
    SELECT f.*, v.subdistrict_code, v.subdistrict_name, v.district_code, v.district_name, v.province_code,
           h.income_before, h.occupation, h.full_name,
           CASE WHEN nullif(trim(f.group_name), '') IS NOT NULL
                THEN 'G:' || v.subdistrict_code || ':' || replace(lower(f.group_name), ' ', '')
                ELSE 'H:' || f.citizen_id END AS candidate_key
    FROM followup f
    JOIN village v USING (village_code)
    JOIN household h USING (fiscal_year, village_code, citizen_id)
    WHERE f.fiscal_year = $fiscal_year AND f.month <= $month
),
data_months AS (    -- the months with any follow-up data (any village), at most $lookback of them
    SELECT DISTINCT month FROM followup
    WHERE fiscal_year = $fiscal_year AND month <= $month AND month > ($month - to_months($lookback))::DATE
),
n_months AS (SELECT count(*) AS months_window FROM data_months),
window_ AS (SELECT * FROM fu WHERE month IN (SELECT month FROM data_months)),
eligible AS (   -- groups, and individuals who make a product
    SELECT DISTINCT candidate_key FROM window_
    WHERE candidate_key LIKE 'G:%' OR nullif(trim(product), '') IS NOT NULL
),
latest AS (
    SELECT candidate_key, max(month) AS last_month FROM window_ GROUP BY ALL
),
per_month AS (  -- each month the candidate reported: the share of its reporting members practising
    SELECT candidate_key, month, count(*) FILTER (WHERE practising)::DOUBLE / count(*) AS share
    FROM window_ GROUP BY ALL
),
members AS (
    SELECT w.candidate_key, count(DISTINCT w.citizen_id) AS members,
           count(DISTINCT w.village_code) AS villages,
           count(DISTINCT w.month) AS months_reported,
           any_value(n.months_window) AS months_window
    FROM window_ w CROSS JOIN n_months n GROUP BY ALL
),
continuity AS (
    -- practising_share: the monthly shares summed over the months with data, divided by their
    -- number, so a month the candidate did not report counts as a month without production.
    SELECT p.candidate_key,
           least(1.0, sum(p.share) / nullif(any_value(n.months_window), 0)) AS practising_share,
           count(*) FILTER (WHERE p.share > 0) AS months_practising
    FROM per_month p CROSS JOIN n_months n GROUP BY ALL
),
last_rows AS (
    SELECT w.* FROM window_ w JOIN latest l ON l.candidate_key = w.candidate_key AND w.month = l.last_month
),
money AS (
    SELECT candidate_key,
           avg(income) FILTER (WHERE practising) AS avg_income,
           avg(income_before) FILTER (WHERE practising) AS avg_income_before,
           sum(income) FILTER (WHERE practising) AS sum_income,
           sum(expense) FILTER (WHERE practising) AS sum_expense,
           count(*) FILTER (WHERE coalesce(savings, 0) > 0)::DOUBLE / nullif(count(*), 0) AS saving_share
    FROM last_rows GROUP BY ALL
),
home AS (       -- the candidate's villages, most members first (ties: the lower code)
    SELECT candidate_key,
           list(vc.village_code ORDER BY vc.n DESC, vc.village_code) AS village_codes,
           list({'village_code': vc.village_code, 'village_name': v.village_name, 'village_no': v.village_no,
                 'members': vc.n} ORDER BY vc.n DESC, vc.village_code) AS village_list
    FROM (SELECT candidate_key, village_code, count(DISTINCT citizen_id) AS n FROM window_ GROUP BY ALL) vc
    LEFT JOIN village v USING (village_code)
    GROUP BY ALL
),
labels AS (     -- the most common name, product and type among the candidate's rows
    SELECT candidate_key,
           mode(group_name) AS group_name, mode(product) AS product, mode(otop_type) AS otop_type,
           mode(occupation) AS occupation,
           any_value(subdistrict_code) AS subdistrict_code, any_value(subdistrict_name) AS subdistrict_name,
           any_value(district_code) AS district_code, any_value(district_name) AS district_name,
           any_value(province_code) AS province_code,
           any_value(CASE WHEN candidate_key LIKE 'H:%' THEN citizen_id END) AS citizen_id,
           any_value(CASE WHEN candidate_key LIKE 'H:%' THEN full_name END) AS full_name,
           list_distinct(flatten(list(standards))) AS standards,
           list_distinct(flatten(list(channels))) AS channels
    FROM window_ GROUP BY ALL
),
first_seen AS (
    SELECT candidate_key, min(month) AS first_month FROM fu GROUP BY ALL
)
SELECT
    e.candidate_key,
    CASE WHEN e.candidate_key LIKE 'G:%' THEN 'group' ELSE 'individual' END AS kind,
    l.group_name, l.product, l.otop_type, l.occupation, l.citizen_id, l.full_name,
    ho.village_codes[1] AS village_code, hv.village_name, hv.village_no, ho.village_codes, ho.village_list,
    l.subdistrict_code, l.subdistrict_name, l.district_code, l.district_name, l.province_code, hv.province_name,
    m.members, m.villages, c.practising_share, c.months_practising, m.months_window, m.months_reported,
    mo.avg_income, mo.avg_income_before,
    100.0 * (mo.avg_income - mo.avg_income_before) / nullif(mo.avg_income_before, 0) AS income_change_pct,
    (mo.sum_income - mo.sum_expense) / nullif(mo.sum_income, 0) AS margin,
    mo.saving_share,
    l.standards, l.channels,
    date_diff('month', fs.first_month, $month::DATE) + 1 AS age_months
FROM eligible e
JOIN labels l USING (candidate_key)
JOIN members m USING (candidate_key)
JOIN continuity c USING (candidate_key)
JOIN home ho USING (candidate_key)
LEFT JOIN village hv ON hv.village_code = ho.village_codes[1]
LEFT JOIN money mo USING (candidate_key)
JOIN first_seen fs USING (candidate_key)
ORDER BY l.district_code, l.subdistrict_code, e.candidate_key
