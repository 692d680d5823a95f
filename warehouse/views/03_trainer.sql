-- trainer: the current trainer roster of each village and fiscal year.
CREATE OR REPLACE VIEW trainer AS
SELECT fiscal_year, village_code, citizen_id, full_name, role
FROM trainer_current;
