"""The quota suite catches a breach and does not accuse a clean village."""

import re

from conftest import COVER, village_sheets, write_xlsx

from pipelines import ingest
from pipelines.quality import validate


def _cover(code: str):
    keep = {"จังหวัด", "ปีงบประมาณ", "ประจำเดือน"}
    return [r for r in COVER if r[0] in keep] + [["รหัสหมู่บ้าน", code]]


def test_quota_breach_caught_clean_village_not_accused(con, tmp_path):
    clean = village_sheets(village_serial=1)
    breach = village_sheets(village_serial=2, trainers=6, sages=2, households=21)
    breach["ข้อมูลหมู่บ้าน"] = _cover("54010302")
    ingest.ingest(con, [write_xlsx(tmp_path / "a.xlsx", clean), write_xlsx(tmp_path / "b.xlsx", breach)])
    result = validate.validate(con, docs_dir=tmp_path / "docs")
    issues = con.execute(
        "SELECT check_name, severity, village_code, fiscal_year, detail FROM validation_issue "
        "WHERE check_name LIKE 'quota%'"
    ).fetchall()
    assert {(c, v) for c, _, v, _, _ in issues} == {
        ("quota_trainers", "54010302"),
        ("quota_sages", "54010302"),
        ("quota_households", "54010302"),
        ("quota_households_per_trainer", "54010302"),
    }
    assert all(s == "error" and fy == 2569 for _, s, _, fy, _ in issues)
    detail = {c: d for c, _, _, _, d in issues}
    assert "6" in detail["quota_trainers"] and "21" in detail["quota_households"]
    assert result.errors >= 4
    # Data Docs in the report site, readable offline: no remote script or stylesheet left
    index = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "quota_households_per_trainer" in index
    for page in (tmp_path / "docs").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link)[^>]*(src|href)=\"https?://", text), page


def test_latest_run_only(con, tmp_path):
    breach = village_sheets(trainers=4)
    ingest.ingest(con, [write_xlsx(tmp_path / "a.xlsx", breach)])
    validate.validate(con)
    quota = "SELECT count(*) FROM validation_issue WHERE check_name LIKE 'quota%'"
    assert con.execute(quota).fetchone()[0] > 0
    ingest.ingest(con, [write_xlsx(tmp_path / "b.xlsx", village_sheets())])  # the village fixes its roster
    validate.validate(con)
    assert con.execute(quota).fetchone()[0] == 0
