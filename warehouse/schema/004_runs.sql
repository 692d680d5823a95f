-- One row per `sammachip monthly` run: the run history behind reports/<month>/manifest.json.
CREATE TABLE IF NOT EXISTS monthly_run (
    run_id        VARCHAR PRIMARY KEY,
    month         DATE NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    files_new     INTEGER,
    files_refused INTEGER,
    rows_loaded   INTEGER,
    rows_rejected INTEGER,
    errors        INTEGER,
    warnings      INTEGER,
    reports_ok    INTEGER,
    reports_failed INTEGER,
    exit_status   INTEGER,
    manifest      VARCHAR
);
