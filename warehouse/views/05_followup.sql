-- followup: the current follow-up record of each household and month.
CREATE OR REPLACE VIEW followup AS
SELECT fiscal_year, village_code, citizen_id, month, practising, income, expense,
       savings, group_name, product, otop_type, standards, channels
FROM followup_current;
