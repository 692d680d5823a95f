-- validation_issue: one row per failed check and village, from the latest validation run.
CREATE OR REPLACE VIEW validation_issue AS
SELECT r.run_id, r.check_name, r.severity, r.fiscal_year, r.village_code, r.month, r.detail
FROM validation_result r
WHERE r.run_id = (SELECT run_id FROM validation_run ORDER BY started_at DESC LIMIT 1);
