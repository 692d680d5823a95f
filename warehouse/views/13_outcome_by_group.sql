-- Who the programme works for (contract: "Analysis views", outcome_by_group).
--
-- outcome_sums holds, per district, month and group, the counts and the sums the measures
-- and their intervals are made of, so a district's page and the province's view add up the
-- same numbers: households reported and practising, and over the practising households on
-- the current roster (as in village_month) the number, Σ income, Σ income before and the
-- sums of squares and products that give the ratio of means its interval (delta method,
-- docs/decisions.md). Dimensions: occupation_group, occupation, district_code, trainer_role
-- (the role of the household's trainer: sage or team), months_since_training (whole
-- calendar months from the training month to the follow-up month, 0 for the same month;
-- as text), and, for the reports only, trainer (the trainer's citizen ID). A household whose
-- roster row is gone has NULL for the household's own dimensions.
CREATE OR REPLACE VIEW outcome_sums AS
WITH rows AS (
    SELECT
        f.fiscal_year,
        f.month,
        v.province_code,
        v.district_code,
        f.village_code || ':' || f.citizen_id                   AS household,
        f.practising,
        f.income::DOUBLE                                        AS income,
        h.income_before::DOUBLE                                 AS income_before,
        f.practising AND h.citizen_id IS NOT NULL
            AND f.income IS NOT NULL AND h.income_before IS NOT NULL AS counted,
        h.occupation_group,
        h.occupation,
        h.trainer_citizen_id,
        t.role                                                  AS trainer_role,
        date_diff('month', date_trunc('month', h.trained_on), f.month) AS months_since_training
    FROM followup f
    JOIN village v USING (village_code)
    LEFT JOIN household h
        ON h.fiscal_year = f.fiscal_year AND h.village_code = f.village_code AND h.citizen_id = f.citizen_id
    LEFT JOIN trainer t
        ON t.fiscal_year = h.fiscal_year AND t.village_code = h.village_code AND t.citizen_id = h.trainer_citizen_id
),
grouped AS (
    SELECT *, 'occupation_group' AS dimension, occupation_group AS group_value FROM rows
    UNION ALL
    SELECT *, 'occupation', occupation FROM rows
    UNION ALL
    SELECT *, 'district_code', district_code FROM rows
    UNION ALL
    SELECT *, 'trainer_role', trainer_role FROM rows
    UNION ALL
    SELECT *, 'months_since_training', months_since_training::VARCHAR FROM rows
    UNION ALL
    SELECT *, 'trainer', trainer_citizen_id FROM rows
)
SELECT
    fiscal_year,
    month,
    province_code,
    district_code,
    dimension,
    group_value,
    count(DISTINCT household)::INTEGER                                  AS households_reported,
    count(DISTINCT household) FILTER (WHERE practising)::INTEGER        AS households_practising,
    count(*) FILTER (WHERE counted)::INTEGER                            AS income_n,
    sum(income) FILTER (WHERE counted)                                  AS sum_income,
    sum(income_before) FILTER (WHERE counted)                           AS sum_before,
    sum(income * income) FILTER (WHERE counted)                         AS sum_income2,
    sum(income_before * income_before) FILTER (WHERE counted)           AS sum_before2,
    sum(income * income_before) FILTER (WHERE counted)                  AS sum_income_before
FROM grouped
GROUP BY ALL;

-- outcome_by_group: the village_month measures over the province's households grouped by
-- dimension; rate_lower95 / rate_upper95 are the Wilson score interval (z = 1.959964).
CREATE OR REPLACE VIEW outcome_by_group AS
WITH province AS (
    SELECT fiscal_year, month, province_code, dimension, group_value,
           sum(households_reported)    AS n,
           sum(households_practising)  AS x,
           sum(income_n)               AS income_n,
           sum(sum_income)             AS sum_income,
           sum(sum_before)             AS sum_before
    FROM outcome_sums
    WHERE dimension IN ('occupation_group', 'occupation', 'district_code', 'trainer_role', 'months_since_training')
    GROUP BY ALL
),
wilson AS (
    SELECT *, x::DOUBLE / n AS p, 1.959964 AS z FROM province
)
SELECT
    fiscal_year,
    month,
    province_code,
    dimension,
    group_value,
    n::INTEGER                                                          AS households_reported,
    x::INTEGER                                                          AS households_practising,
    p                                                                   AS practising_rate,
    (p + z * z / (2 * n) - z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n) AS rate_lower95,
    (p + z * z / (2 * n) + z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n) AS rate_upper95,
    round(sum_income / nullif(income_n, 0), 2)::DECIMAL(12,2)           AS avg_income,
    round(sum_before / nullif(income_n, 0), 2)::DECIMAL(12,2)           AS avg_income_before,
    100.0 * (sum_income - sum_before) / nullif(sum_before, 0)           AS income_change_pct
FROM wilson;
