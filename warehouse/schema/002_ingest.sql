-- Every file ever offered to ingest, and every row it carried, with lineage.
-- Rows are never deleted or changed: `carried` says, per file, which roster or follow-up
-- month it carried and which later file replaced it (superseded_by). The views
-- trainer_row, household_row and followup_row (warehouse/views/00_rows.sql) give each row
-- with its superseded_by; the contract views show only rows that nothing has superseded.
CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1;

CREATE TABLE IF NOT EXISTS ingested_file (
    file_id       BIGINT PRIMARY KEY,
    path          VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    size_bytes    BIGINT,
    village_code  VARCHAR,
    fiscal_year   INTEGER,
    report_month  DATE,
    status        VARCHAR NOT NULL,     -- loaded | duplicate | replaced | refused
    rows_loaded   INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    rows_skipped  INTEGER NOT NULL DEFAULT 0,
    message       VARCHAR,
    duplicate_of  BIGINT,               -- for status duplicate: the file with the same bytes
    received_at   TIMESTAMP,            -- when the file landed (its modification time): timeliness
    ingested_at   TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Which sheets a file carried and where their table sat, for tracing a value to its cell.
CREATE TABLE IF NOT EXISTS file_sheet (
    file_id       BIGINT NOT NULL,
    sheet         VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,     -- trainers | households | followup | cover | ignored
    header_row    INTEGER,              -- 1-based spreadsheet row of the (last) header row
    columns       MAP(VARCHAR, VARCHAR),-- column key -> spreadsheet column letter(s)
    rows_loaded   INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    rows_skipped  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS trainer_data (
    file_id       BIGINT NOT NULL,
    sheet         VARCHAR NOT NULL,
    row_number    INTEGER NOT NULL,
    fiscal_year   INTEGER NOT NULL,
    village_code  VARCHAR NOT NULL,
    seq           INTEGER,
    title         VARCHAR,
    full_name     VARCHAR NOT NULL,
    citizen_id    VARCHAR NOT NULL,
    role          VARCHAR NOT NULL,     -- sage | team
    expertise     VARCHAR,
    phone         VARCHAR
);

CREATE TABLE IF NOT EXISTS household_data (
    file_id            BIGINT NOT NULL,
    sheet              VARCHAR NOT NULL,
    row_number         INTEGER NOT NULL,
    fiscal_year        INTEGER NOT NULL,
    village_code       VARCHAR NOT NULL,
    seq                INTEGER,
    title              VARCHAR,
    full_name          VARCHAR NOT NULL,
    citizen_id         VARCHAR NOT NULL,
    house_no           VARCHAR NOT NULL,
    members            INTEGER NOT NULL,
    trainer_citizen_id VARCHAR NOT NULL,
    occupation         VARCHAR NOT NULL,
    occupation_group   VARCHAR NOT NULL, -- agriculture | processing | community_tourism | other
    trained_on         DATE NOT NULL,
    income_before      DECIMAL(12,2) NOT NULL,
    expense_before     DECIMAL(12,2) NOT NULL,
    status             VARCHAR NOT NULL, -- active | withdrawn | replacement
    note               VARCHAR
);

CREATE TABLE IF NOT EXISTS followup_data (
    file_id       BIGINT NOT NULL,
    sheet         VARCHAR NOT NULL,
    row_number    INTEGER NOT NULL,
    fiscal_year   INTEGER NOT NULL,
    village_code  VARCHAR NOT NULL,
    citizen_id    VARCHAR NOT NULL,
    month         DATE NOT NULL,
    practising    BOOLEAN NOT NULL,
    income        DECIMAL(12,2),
    expense       DECIMAL(12,2),
    savings       DECIMAL(12,2),
    group_name    VARCHAR,
    product       VARCHAR,
    otop_type     VARCHAR,
    standards     VARCHAR[],
    channels      VARCHAR[]
);

-- One row per file and roster it carried (month NULL) or follow-up month it carried; a later
-- file carrying the same village, fiscal year, kind (and month) replaces it.
CREATE TABLE IF NOT EXISTS carried (
    file_id       BIGINT NOT NULL,
    kind          VARCHAR NOT NULL,     -- trainers | households | followup
    village_code  VARCHAR NOT NULL,
    fiscal_year   INTEGER NOT NULL,
    month         DATE,                 -- follow-up: the month; rosters: NULL
    rows_loaded   INTEGER NOT NULL,     -- rows of that roster or month the file loaded
    superseded_by BIGINT                -- the file that replaced them (NULL = current)
);

CREATE TABLE IF NOT EXISTS rejected (
    file_id     BIGINT NOT NULL,
    sheet       VARCHAR,
    row_number  INTEGER,
    column_name VARCHAR,
    value       VARCHAR,
    reason      VARCHAR NOT NULL
);
