-- source_file: every file offered to ingest and what became of it.
CREATE OR REPLACE VIEW source_file AS
SELECT file_id, path, sha256, village_code, fiscal_year, report_month, status,
       rows_loaded, rows_rejected, rows_skipped, message, ingested_at
FROM ingested_file;
