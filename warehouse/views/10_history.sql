-- History: every version of every row, with the file it came from and the file that
-- replaced it (NULL = current). The contract views show the current rows only.
CREATE OR REPLACE VIEW trainer_history AS
SELECT r.*, f.path, f.ingested_at, f.received_at, r.superseded_by IS NULL AS is_current
FROM trainer_row r JOIN ingested_file f USING (file_id);

CREATE OR REPLACE VIEW household_history AS
SELECT r.*, f.path, f.ingested_at, f.received_at, r.superseded_by IS NULL AS is_current
FROM household_row r JOIN ingested_file f USING (file_id);

CREATE OR REPLACE VIEW followup_history AS
SELECT r.*, f.path, f.ingested_at, f.received_at, r.superseded_by IS NULL AS is_current
FROM followup_row r JOIN ingested_file f USING (file_id);
