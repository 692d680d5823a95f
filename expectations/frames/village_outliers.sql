-- One row per village and fiscal year: incomes far from others of the same occupation
-- (modified z-score, Iglewicz & Hoaglin: |0.6745 (x - median) / MAD| > threshold, per
-- occupation and month across the province) and month-on-month jumps of one household.
-- Validated by the `outliers` suite.
WITH fu AS (
    SELECT f.fiscal_year, f.village_code, f.citizen_id, f.month, f.income, h.occupation, r.sheet, r.row_number
    FROM followup f
    JOIN household h USING (fiscal_year, village_code, citizen_id)
    JOIN followup_current r ON r.fiscal_year = f.fiscal_year AND r.village_code = f.village_code
                       AND r.citizen_id = f.citizen_id AND r.month = f.month
    WHERE f.practising AND f.income IS NOT NULL AND ($fiscal_year IS NULL OR f.fiscal_year = $fiscal_year)
),
med AS (
    SELECT fiscal_year, month, occupation, median(income) AS med, count(*) AS n
    FROM fu GROUP BY ALL
),
mad AS (
    SELECT fu.fiscal_year, fu.month, fu.occupation, median(abs(fu.income - med.med)) AS mad
    FROM fu JOIN med USING (fiscal_year, month, occupation)
    GROUP BY ALL
),
scored AS (
    SELECT fu.*, med.med, 0.6745 * (fu.income - med.med) / nullif(mad.mad, 0) AS mz
    FROM fu JOIN med USING (fiscal_year, month, occupation) JOIN mad USING (fiscal_year, month, occupation)
    WHERE med.n >= 5        -- too few households of an occupation to call anything unusual
),
far AS (
    SELECT fiscal_year, village_code, count(*) AS n,
           string_agg(substr(citizen_id, 1, 1) || '-' || substr(citizen_id, 2, 4) || '-xxxxx-xx-' || substr(citizen_id, 13, 1)
                      || ' ' || strftime(month, '%Y-%m') || ' รายได้ ' || income || ' บาท (มัธยฐาน ' || occupation || ' ' || round(med) || ' บาท; '
                      || sheet || ' แถว ' || row_number || ')', '; ' ORDER BY month, row_number) AS list
    FROM scored WHERE abs(mz) > $outlier_z
    GROUP BY ALL
),
jumps AS (
    SELECT fiscal_year, village_code, count(*) AS n,
           string_agg(substr(citizen_id, 1, 1) || '-' || substr(citizen_id, 2, 4) || '-xxxxx-xx-' || substr(citizen_id, 13, 1)
                      || ' ' || strftime(month, '%Y-%m') || ' ' || prev || ' → ' || income || ' บาท (' || sheet || ' แถว ' || row_number || ')',
                      '; ' ORDER BY month, row_number) AS list
    FROM (
        SELECT *, lag(income) OVER (PARTITION BY fiscal_year, village_code, citizen_id ORDER BY month) AS prev,
                  lag(month) OVER (PARTITION BY fiscal_year, village_code, citizen_id ORDER BY month) AS prev_month
        FROM fu
    )
    WHERE prev_month = month - INTERVAL 1 MONTH AND prev > 0
      AND (income > prev * $jump_factor OR income * $jump_factor < prev)
    GROUP BY ALL
),
villages AS (SELECT DISTINCT fiscal_year, village_code FROM fu)
SELECT
    v.fiscal_year,
    v.village_code,
    coalesce(far.n, 0)::INTEGER AS income_outliers, coalesce(far.list, '') AS income_outliers_list,
    coalesce(j.n, 0)::INTEGER   AS income_jumps,    coalesce(j.list, '')   AS income_jumps_list
FROM villages v
LEFT JOIN far USING (fiscal_year, village_code)
LEFT JOIN jumps j USING (fiscal_year, village_code)
ORDER BY v.fiscal_year, v.village_code
