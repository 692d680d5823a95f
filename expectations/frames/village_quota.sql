-- One row per village and fiscal year: the counts the programme quotas are about.
-- Validated by the `quota` suite (expectations/gx/expectations/quota.json).
WITH villages AS (
    SELECT fiscal_year, village_code FROM trainer
    UNION
    SELECT fiscal_year, village_code FROM household
),
t AS (
    SELECT fiscal_year, village_code,
           count(*)                              AS trainers,
           count(*) FILTER (WHERE role = 'sage') AS sages
    FROM trainer
    GROUP BY fiscal_year, village_code
),
h AS (
    SELECT fiscal_year, village_code,
           count(*) FILTER (WHERE status <> 'withdrawn') AS households
    FROM household
    GROUP BY fiscal_year, village_code
),
per_trainer AS (
    SELECT t.fiscal_year, t.village_code, t.citizen_id, count(h.citizen_id) AS n
    FROM trainer t
    LEFT JOIN household h
        ON h.fiscal_year = t.fiscal_year AND h.village_code = t.village_code
       AND h.trainer_citizen_id = t.citizen_id AND h.status <> 'withdrawn'
    GROUP BY t.fiscal_year, t.village_code, t.citizen_id
),
off_ratio AS (
    SELECT fiscal_year, village_code,
           count(*) AS trainers_not_four,
           string_agg(
               substr(citizen_id, 1, 1) || '-' || substr(citizen_id, 2, 4) || '-xxxxx-xx-' || substr(citizen_id, 13, 1)
               || ' ดูแล ' || n || ' ครัวเรือน', ', ' ORDER BY citizen_id) AS trainers_not_four_list
    FROM per_trainer
    WHERE n <> 4
    GROUP BY fiscal_year, village_code
)
SELECT
    v.fiscal_year,
    v.village_code,
    coalesce(t.trainers, 0)::INTEGER          AS trainers,
    coalesce(t.sages, 0)::INTEGER             AS sages,
    coalesce(h.households, 0)::INTEGER        AS households,
    coalesce(o.trainers_not_four, 0)::INTEGER AS trainers_not_four,
    coalesce(o.trainers_not_four_list, '')    AS trainers_not_four_list
FROM villages v
LEFT JOIN t USING (fiscal_year, village_code)
LEFT JOIN h USING (fiscal_year, village_code)
LEFT JOIN off_ratio o USING (fiscal_year, village_code)
WHERE $fiscal_year IS NULL OR v.fiscal_year = $fiscal_year
ORDER BY v.fiscal_year, v.village_code
