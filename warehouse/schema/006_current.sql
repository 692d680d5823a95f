-- The current rows: what nothing has superseded yet, kept by the writer in the same
-- transaction that supersedes (pipelines/ingest/loader.py), one table per sheet kind, with
-- the *_data columns (file, sheet and row: lineage stays at hand). The contract views read
-- these, so a month-end's queries read the current rows, not every version ever loaded;
-- history stays in *_data + carried (views *_row, *_history). Kept in village order after
-- each ingest run, so a query of one village reads that village's row groups.
CREATE TABLE IF NOT EXISTS trainer_current AS SELECT * FROM trainer_data LIMIT 0;
CREATE TABLE IF NOT EXISTS household_current AS SELECT * FROM household_data LIMIT 0;
CREATE TABLE IF NOT EXISTS followup_current AS SELECT * FROM followup_data LIMIT 0;
