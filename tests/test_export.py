"""Exports: Parquet and CSV with BOM, no whole citizen ID or name anywhere, keys still join."""

import re

import duckdb

from pipelines import export, ingest
from conftest import village_sheets, write_xlsx


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
    assert all(re.fullmatch(r"[a-p]{16}", k) for k in keys)     # never a digit run that reads as an ID
