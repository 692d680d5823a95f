-- Results of validation runs; the validation_issue view shows the latest run.
CREATE TABLE IF NOT EXISTS validation_run (
    run_id      VARCHAR PRIMARY KEY,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    fiscal_year INTEGER,
    month       DATE,
    suites      VARCHAR[],
    errors      INTEGER,
    warnings    INTEGER
);

CREATE TABLE IF NOT EXISTS validation_result (
    run_id       VARCHAR NOT NULL,
    check_name   VARCHAR NOT NULL,
    severity     VARCHAR NOT NULL,      -- error | warning
    fiscal_year  INTEGER,
    village_code VARCHAR,
    month        DATE,
    detail       VARCHAR NOT NULL
);
