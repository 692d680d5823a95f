-- data_todo: what each district office should fix, from the latest validation run.
CREATE OR REPLACE VIEW data_todo AS
SELECT
    v.district_code,
    v.district_name,
    i.village_code,
    v.village_no,
    v.village_name,
    v.subdistrict_name,
    i.severity,
    i.check_name,
    i.fiscal_year,
    i.month,
    i.detail
FROM validation_issue i
LEFT JOIN village v USING (village_code)
ORDER BY v.district_code, i.severity, i.village_code, i.check_name, i.month;
