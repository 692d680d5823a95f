"""The per-district to-do workbook: errors first, masked IDs, inert cells."""

import openpyxl
from conftest import village_sheets, write_xlsx

from pipelines import ingest
from pipelines.quality import todo, validate


def test_todo_per_district(con, tmp_path):
    sheets = village_sheets(trainers=4)
    sheets["ครัวเรือน"][2][10] = '=HYPERLINK("http://x")'  # hostile text becomes a refused value
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", sheets)])
    validate.validate(con)
    (path,) = todo.write_todo(con, tmp_path / "todo")
    assert path.name == "5401.xlsx"
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "ระดับ" and rows[1][0] == "ต้องแก้ไข"
    text = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "จำนวนวิทยากร" in text
    assert not any(isinstance(v, str) and v.startswith("=") for r in rows for v in r)
    import re

    assert not re.search(r"(?<!\d)\d{13}(?!\d)", text)


def test_mask_and_inert():
    assert todo.mask_ids("เลข 3540100123457 ซ้ำ") == "เลข 3-5401-xxxxx-xx-7 ซ้ำ"
    assert todo.inert("=1+1") == "'=1+1" and todo.inert("@x") == "'@x" and todo.inert("ปกติ") == "ปกติ"
