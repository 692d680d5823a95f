-- OTOP candidates and the facts their score is built from (one row per candidate).
-- Groups: the same group name (ignoring spaces) within a subdistrict; individual producers:
-- households with a product but no group. Parameters: $fiscal_year, $month (last month
-- counted), $lookback (months).
WITH fu AS (
    SELECT f.*, v.subdistrict_code, v.subdistrict_name, v.district_code, v.district_name, v.province_code,
           h.income_before, h.occupation,
           CASE WHEN nullif(trim(f.group_name), '') IS NOT NULL
                THEN 'G:' || v.subdistrict_code || ':' || replace(lower(f.group_name), ' ', '')
                ELSE 'H:' || f.citizen_id END AS candidate_key
    FROM followup f
    JOIN village v USING (village_code)
    JOIN household h USING (fiscal_year, village_code, citizen_id)
    WHERE f.fiscal_year = $fiscal_year AND f.month <= $month
),
window_ AS (SELECT * FROM fu WHERE month > ($month - to_months($lookback))::DATE),
eligible AS (   -- groups, and individuals who make a product
    SELECT DISTINCT candidate_key FROM window_
    WHERE candidate_key LIKE 'G:%' OR nullif(trim(product), '') IS NOT NULL
),
latest AS (
    SELECT candidate_key, max(month) AS last_month FROM window_ GROUP BY ALL
),
members AS (
    SELECT w.candidate_key, count(DISTINCT w.citizen_id) AS members,
           count(DISTINCT w.village_code) AS villages,
           count(*) FILTER (WHERE w.practising)::DOUBLE / nullif(count(*), 0) AS practising_share,
           count(DISTINCT w.month) AS months_reported
    FROM window_ w GROUP BY ALL
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
labels AS (     -- the most common name, product and type among the candidate's rows
    SELECT candidate_key,
           mode(group_name) AS group_name, mode(product) AS product, mode(otop_type) AS otop_type,
           mode(occupation) AS occupation,
           any_value(subdistrict_code) AS subdistrict_code, any_value(subdistrict_name) AS subdistrict_name,
           any_value(district_code) AS district_code, any_value(district_name) AS district_name,
           any_value(province_code) AS province_code,
           min(village_code) AS village_code,
           any_value(CASE WHEN candidate_key LIKE 'H:%' THEN citizen_id END) AS citizen_id,
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
    l.group_name, l.product, l.otop_type, l.occupation, l.citizen_id,
    l.village_code, l.subdistrict_code, l.subdistrict_name, l.district_code, l.district_name, l.province_code,
    m.members, m.villages, m.practising_share, m.months_reported,
    mo.avg_income, mo.avg_income_before,
    100.0 * (mo.avg_income - mo.avg_income_before) / nullif(mo.avg_income_before, 0) AS income_change_pct,
    (mo.sum_income - mo.sum_expense) / nullif(mo.sum_income, 0) AS margin,
    mo.saving_share,
    l.standards, l.channels,
    date_diff('month', fs.first_month, $month::DATE) + 1 AS age_months
FROM eligible e
JOIN labels l USING (candidate_key)
JOIN members m USING (candidate_key)
LEFT JOIN money mo USING (candidate_key)
JOIN first_seen fs USING (candidate_key)
ORDER BY l.district_code, l.subdistrict_code, e.candidate_key
