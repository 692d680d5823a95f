-- One row per village and fiscal year: values that are valid to ingest but implausible or
-- inconsistent. Lists name households by masked ID and spreadsheet row, for the officer.
-- Validated by the `validity` suite.
WITH h AS (
    SELECT r.*, f.path
    FROM household_current r JOIN ingested_file f USING (file_id)
    WHERE $fiscal_year IS NULL OR r.fiscal_year = $fiscal_year
),
fu AS (
    SELECT r.*, f.path
    FROM followup_current r JOIN ingested_file f USING (file_id)
    WHERE $fiscal_year IS NULL OR r.fiscal_year = $fiscal_year
),
t AS (
    SELECT * FROM trainer_current
),
villages AS (
    SELECT DISTINCT fiscal_year, village_code FROM h
    UNION SELECT DISTINCT fiscal_year, village_code FROM fu
),
money_bad AS (      -- amounts beyond the plausible monthly range of a rural household
    SELECT fiscal_year, village_code, count(*) AS n,
           string_agg(masked || ' ' || strftime(month, '%Y-%m') || ' รายได้ ' || income || ' บาท (' || sheet || ' แถว ' || row_number || ')',
                      '; ' ORDER BY row_number) AS list
    FROM (SELECT *, substr(citizen_id, 1, 1) || '-' || substr(citizen_id, 2, 4) || '-xxxxx-xx-' || substr(citizen_id, 13, 1) AS masked
          FROM fu WHERE income > $income_max OR expense > $income_max OR savings > $income_max)
    GROUP BY ALL
),
before_bad AS (
    SELECT fiscal_year, village_code, count(*) AS n,
           string_agg(substr(citizen_id, 1, 1) || '-' || substr(citizen_id, 2, 4) || '-xxxxx-xx-' || substr(citizen_id, 13, 1)
                      || ' รายได้ก่อนฝึก ' || income_before || ' บาท (' || sheet || ' แถว ' || row_number || ')', '; ' ORDER BY row_number) AS list
    FROM h WHERE income_before > $income_max OR expense_before > $income_max
    GROUP BY ALL
),
idle_income AS (    -- not practising, yet an income from the occupation is reported
    SELECT fiscal_year, village_code, count(*) AS n,
           string_agg(substr(citizen_id, 1, 1) || '-' || substr(citizen_id, 2, 4) || '-xxxxx-xx-' || substr(citizen_id, 13, 1)
                      || ' ' || strftime(month, '%Y-%m') || ' (' || sheet || ' แถว ' || row_number || ')', '; ' ORDER BY row_number) AS list
    FROM fu WHERE NOT practising AND coalesce(income, 0) > 0
    GROUP BY ALL
),
foreign_trainer AS (  -- the household's trainer is not on the village's current trainer roster
    SELECT h.fiscal_year, h.village_code, count(*) AS n,
           string_agg(substr(h.citizen_id, 1, 1) || '-' || substr(h.citizen_id, 2, 4) || '-xxxxx-xx-' || substr(h.citizen_id, 13, 1)
                      || ' (' || h.sheet || ' แถว ' || h.row_number || ')', '; ' ORDER BY h.row_number) AS list
    FROM h
    LEFT JOIN t ON t.fiscal_year = h.fiscal_year AND t.village_code = h.village_code AND t.citizen_id = h.trainer_citizen_id
    WHERE t.citizen_id IS NULL
    GROUP BY ALL
),
foreign_household AS (  -- a current follow-up row whose household is not on the current household roster
    SELECT fu.fiscal_year, fu.village_code, count(*) AS n,
           string_agg(substr(fu.citizen_id, 1, 1) || '-' || substr(fu.citizen_id, 2, 4) || '-xxxxx-xx-' || substr(fu.citizen_id, 13, 1)
                      || ' ' || strftime(fu.month, '%Y-%m') || ' (' || fu.sheet || ' แถว ' || fu.row_number || ')',
                      '; ' ORDER BY fu.month, fu.row_number) AS list
    FROM fu
    LEFT JOIN h ON h.fiscal_year = fu.fiscal_year AND h.village_code = fu.village_code AND h.citizen_id = fu.citizen_id
    WHERE h.citizen_id IS NULL
    GROUP BY ALL
)
SELECT
    v.fiscal_year,
    v.village_code,
    coalesce(m.n, 0)::INTEGER  AS money_out_of_range,      coalesce(m.list, '')  AS money_out_of_range_list,
    coalesce(b.n, 0)::INTEGER  AS before_out_of_range,     coalesce(b.list, '')  AS before_out_of_range_list,
    coalesce(i.n, 0)::INTEGER  AS income_not_practising,   coalesce(i.list, '')  AS income_not_practising_list,
    coalesce(ft.n, 0)::INTEGER AS trainer_not_in_village,  coalesce(ft.list, '') AS trainer_not_in_village_list,
    coalesce(fh.n, 0)::INTEGER AS household_not_in_roster, coalesce(fh.list, '') AS household_not_in_roster_list
FROM villages v
LEFT JOIN money_bad m        USING (fiscal_year, village_code)
LEFT JOIN before_bad b       USING (fiscal_year, village_code)
LEFT JOIN idle_income i      USING (fiscal_year, village_code)
LEFT JOIN foreign_trainer ft USING (fiscal_year, village_code)
LEFT JOIN foreign_household fh USING (fiscal_year, village_code)
ORDER BY v.fiscal_year, v.village_code
