-- village: the register joined to the official area names.
CREATE OR REPLACE VIEW village AS
SELECT
    v.village_code,
    v.village_no,
    v.village_name,
    s.subdistrict_code,
    s.subdistrict_name,
    d.district_code,
    d.district_name,
    p.province_code,
    p.province_name
FROM register_village v
JOIN subdistrict s ON s.subdistrict_code = v.subdistrict_code
JOIN district d    ON d.district_code = s.district_code
JOIN province p    ON p.province_code = d.province_code;
