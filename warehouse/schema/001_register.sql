-- Official administrative areas (from geothai, DOPA codes) and the province's village register.
CREATE TABLE IF NOT EXISTS province (
    province_code    VARCHAR PRIMARY KEY,
    province_name    VARCHAR NOT NULL,
    province_name_en VARCHAR
);

CREATE TABLE IF NOT EXISTS district (
    district_code    VARCHAR PRIMARY KEY,
    district_name    VARCHAR NOT NULL,
    district_name_en VARCHAR,
    province_code    VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS subdistrict (
    subdistrict_code    VARCHAR PRIMARY KEY,
    subdistrict_name    VARCHAR NOT NULL,
    subdistrict_name_en VARCHAR,
    district_code       VARCHAR NOT NULL
);

-- One row a village, as the province's register CSV says; area codes follow from the code.
CREATE TABLE IF NOT EXISTS register_village (
    village_code     VARCHAR PRIMARY KEY,
    village_no       INTEGER NOT NULL,
    village_name     VARCHAR NOT NULL,
    subdistrict_code VARCHAR NOT NULL,
    source           VARCHAR,
    loaded_at        TIMESTAMP DEFAULT current_timestamp
);
