-- household: the current household roster of each village and fiscal year.
CREATE OR REPLACE VIEW household AS
SELECT fiscal_year, village_code, citizen_id, full_name, house_no, members,
       trainer_citizen_id, occupation, occupation_group, trained_on,
       income_before, expense_before, status
FROM household_current;
