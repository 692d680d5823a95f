-- Every row ever loaded, with the file that replaced it (superseded_by; NULL = current).
-- The rows themselves are never changed: replacement is recorded per file in `carried`.
CREATE OR REPLACE VIEW trainer_row AS
SELECT d.*, c.superseded_by
FROM trainer_data d JOIN carried c ON c.file_id = d.file_id AND c.kind = 'trainers';

CREATE OR REPLACE VIEW household_row AS
SELECT d.*, c.superseded_by
FROM household_data d JOIN carried c ON c.file_id = d.file_id AND c.kind = 'households';

CREATE OR REPLACE VIEW followup_row AS
SELECT d.*, c.superseded_by
FROM followup_data d JOIN carried c ON c.file_id = d.file_id AND c.kind = 'followup' AND c.month = d.month;
