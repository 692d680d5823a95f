"""Exports: Parquet and CSV with BOM, no whole citizen ID or name anywhere, keys still join."""

import re

import duckdb
from conftest import village_sheets, write_xlsx

from pipelines import ingest
from pipelines.ops import export


def test_export_masks_and_joins(con, tmp_path):
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", village_sheets(months=2))])
    files = export.export(con, tmp_path / "out")
    assert {p.name for p in files} >= {"household.parquet", "followup.csv", "village_month.parquet"}
    for p in files:
        if p.suffix == ".csv":
            raw = p.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")
            text = raw.decode("utf-8-sig")
            assert not re.search(r"(?<!\d)\d{13}(?!\d)", text), p
            assert "ครัวเรือน0 ทดสอบ" not in text and "วิทยากร0" not in text
    q = duckdb.connect()
    hh = tmp_path / "out" / "household.parquet"
    fu = tmp_path / "out" / "followup.parquet"
    joined = q.execute(f"SELECT count(*) FROM '{fu}' f JOIN '{hh}' h USING (person_key)").fetchone()[0]
    assert joined == 40
    assert q.execute(f"SELECT count(DISTINCT person_key) FROM '{hh}'").fetchone()[0] == 20
    keys = [k for (k,) in q.execute(f"SELECT DISTINCT person_key FROM '{hh}'").fetchall()]
    assert all(re.fullmatch(r"[a-p]{16}", k) for k in keys)  # never a digit run that reads as an ID


def test_csv_cells_never_start_a_formula_parquet_keeps_the_text(con, tmp_path):
    """Spec: text that looks like a formula is stored as typed and made inert where it is
    exported to a spreadsheet: Excel evaluates a CSV's =, +, - and @ cells when it opens one."""
    import csv

    sheets = village_sheets()
    followup = sheets["ติดตาม"]
    group = followup[0].index("กลุ่มอาชีพ")
    followup[1][group] = '=HYPERLINK("http://x.invalid","คลิก")'
    followup[2][group] = "@SUM(1)"
    followup[3][group] = "-ทอผ้า"
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", sheets)])
    export.export(con, tmp_path / "out")
    with open(tmp_path / "out" / "followup.csv", encoding="utf-8-sig", newline="") as fh:
        groups = {row["group_name"] for row in csv.DictReader(fh)}
    assert {'\'=HYPERLINK("http://x.invalid","คลิก")', "'@SUM(1)", "'-ทอผ้า", "กลุ่มหม้อห้อม"} <= groups
    assert not any(g[:1] in "=+-@" for g in groups if g)
    typed = {
        g
        for (g,) in duckdb.connect()
        .execute(f"SELECT DISTINCT group_name FROM '{tmp_path / 'out' / 'followup.parquet'}'")
        .fetchall()
    }
    assert {'=HYPERLINK("http://x.invalid","คลิก")', "@SUM(1)", "-ทอผ้า"} <= typed
