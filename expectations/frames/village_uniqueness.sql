-- One row per village and fiscal year: people who appear where the rules say they cannot.
-- A citizen ID is a target household at most once per fiscal year (nationwide: across every
-- village in this warehouse), and nobody is both a trainer and a target household in a year.
-- A repeat is charged to the village whose roster arrived later: the earlier one stands.
-- Validated by the `uniqueness` suite.
WITH h AS (
    SELECT fiscal_year, village_code, citizen_id, file_id
    FROM household_current
    WHERE $fiscal_year IS NULL OR fiscal_year = $fiscal_year
),
t AS (SELECT * FROM trainer WHERE $fiscal_year IS NULL OR fiscal_year = $fiscal_year),
villages AS (SELECT DISTINCT fiscal_year, village_code FROM h UNION SELECT DISTINCT fiscal_year, village_code FROM t),
mask AS (
    SELECT citizen_id, substr(citizen_id, 1, 1) || '-' || substr(citizen_id, 2, 4) || '-xxxxx-xx-' || substr(citizen_id, 13, 1) AS masked
    FROM (SELECT citizen_id FROM h UNION SELECT citizen_id FROM t)
),
twice AS (
    SELECT a.fiscal_year, a.village_code, count(DISTINCT a.citizen_id) AS n,
           string_agg(DISTINCT m.masked || ' (ซ้ำกับหมู่บ้าน ' || b.village_code || ')', '; ') AS list
    FROM h a JOIN h b ON a.fiscal_year = b.fiscal_year AND a.citizen_id = b.citizen_id AND a.village_code <> b.village_code
                      AND (a.file_id > b.file_id OR (a.file_id = b.file_id AND a.village_code > b.village_code))
    JOIN mask m ON m.citizen_id = a.citizen_id
    GROUP BY ALL
),
both_roles AS (
    SELECT a.fiscal_year, a.village_code, count(DISTINCT a.citizen_id) AS n,
           string_agg(DISTINCT m.masked || ' (เป็นวิทยากรที่หมู่บ้าน ' || b.village_code || ')', '; ') AS list
    FROM h a JOIN t b ON a.fiscal_year = b.fiscal_year AND a.citizen_id = b.citizen_id
    JOIN mask m ON m.citizen_id = a.citizen_id
    GROUP BY ALL
)
SELECT
    v.fiscal_year,
    v.village_code,
    coalesce(tw.n, 0)::INTEGER AS household_in_two_villages, coalesce(tw.list, '') AS household_in_two_villages_list,
    coalesce(br.n, 0)::INTEGER AS trainer_and_household,     coalesce(br.list, '') AS trainer_and_household_list
FROM villages v
LEFT JOIN twice tw      USING (fiscal_year, village_code)
LEFT JOIN both_roles br USING (fiscal_year, village_code)
ORDER BY v.fiscal_year, v.village_code
