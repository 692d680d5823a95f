-- One row per village and fiscal year: rows refused at ingest that still need fixing, from
-- the village's latest file and from any file whose data is still current.
-- Validated by the `completeness_rows` suite.
WITH latest AS (
    SELECT village_code, fiscal_year, max(file_id) AS file_id
    FROM ingested_file WHERE status IN ('loaded', 'replaced') GROUP BY ALL
),
live AS (
    SELECT file_id FROM latest
    UNION SELECT DISTINCT file_id FROM trainer_current
    UNION SELECT DISTINCT file_id FROM household_current
    UNION SELECT DISTINCT file_id FROM followup_current
)
SELECT f.fiscal_year, f.village_code, count(*)::INTEGER AS rejected_rows,
       string_agg(regexp_replace(f.path, '^.*/', '') || ' ชีต ' || r.sheet || ' แถว ' || r.row_number
                  || coalesce(' คอลัมน์ ' || r.column_name, '') || ': ' || r.reason, '; '
                  ORDER BY f.file_id, r.sheet, r.row_number) AS rejected_rows_list
FROM rejected r
JOIN ingested_file f USING (file_id)
WHERE r.file_id IN (SELECT file_id FROM live) AND ($fiscal_year IS NULL OR f.fiscal_year = $fiscal_year)
GROUP BY ALL
ORDER BY f.fiscal_year, f.village_code
