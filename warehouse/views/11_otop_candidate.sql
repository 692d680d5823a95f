-- otop_candidate: the latest OTOP-readiness shortlist, best first.
CREATE OR REPLACE VIEW otop_candidate AS
SELECT s.* EXCLUDE (run_id), r.fiscal_year, r.month, s.run_id
FROM otop_score s JOIN otop_run r USING (run_id)
WHERE s.run_id = (SELECT run_id FROM otop_run ORDER BY created_at DESC LIMIT 1)
ORDER BY s.score DESC;
