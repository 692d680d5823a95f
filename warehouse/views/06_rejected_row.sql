-- rejected_row: every value or row ingest refused, with where it stood in the file.
CREATE OR REPLACE VIEW rejected_row AS
SELECT file_id, sheet, row_number, column_name, value, reason
FROM rejected;
