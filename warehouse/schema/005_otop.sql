-- OTOP shortlist runs and the scored candidates of each; otop_candidate shows the latest run.
CREATE TABLE IF NOT EXISTS otop_run (
    run_id      VARCHAR PRIMARY KEY,
    created_at  TIMESTAMP NOT NULL,
    fiscal_year INTEGER NOT NULL,
    month       DATE NOT NULL,
    config      VARCHAR NOT NULL         -- the otop.yml text the scores came from
);

CREATE TABLE IF NOT EXISTS otop_score (
    run_id           VARCHAR NOT NULL,
    candidate_key    VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,   -- group | individual
    group_name       VARCHAR,
    product          VARCHAR,
    otop_type        VARCHAR,
    occupation       VARCHAR,
    citizen_id       VARCHAR,            -- individual producers only
    village_code     VARCHAR,
    subdistrict_code VARCHAR,
    district_code    VARCHAR,
    province_code    VARCHAR,
    members          INTEGER,
    score            DOUBLE NOT NULL,
    tier             VARCHAR NOT NULL,   -- ready | nearly_ready | not_yet
    reasons          VARCHAR NOT NULL,   -- Thai, one line per criterion
    missing          VARCHAR,            -- Thai, what stands between the candidate and "ready"
    points           MAP(VARCHAR, DOUBLE)
);
