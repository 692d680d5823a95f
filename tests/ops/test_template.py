"""A template filled in by hand loads with zero rejected rows."""

import openpyxl
from conftest import village_sheets

from pipelines import ingest
from pipelines.ops import template


def test_filled_template_round_trip(con, tmp_path):
    path = template.write_template(con, "54010301", 2569, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb["ข้อมูลหมู่บ้าน"]["B8"].value == "54010301" and wb["ข้อมูลหมู่บ้าน"].protection.sheet
    assert wb["ครัวเรือน"].data_validations.dataValidation  # drop-downs and checks are there
    wb["ข้อมูลหมู่บ้าน"]["B10"] = "พฤศจิกายน 2568"  # the last month followed up below
    data = village_sheets(months=2)
    for sheet in ("วิทยากร", "ครัวเรือน", "ติดตาม"):
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        assert header == data[sheet][0]
        for r, row in enumerate(data[sheet][1:], start=2):
            for c, value in enumerate(row, start=1):
                if value not in (None, ""):
                    ws.cell(r, c, value)
    wb.save(path)
    (o,) = ingest.ingest(con, [path])
    assert (o.status, o.village_code, o.rows_loaded, o.rows_rejected) == ("loaded", "54010301", 65, 0)
    assert "คำแนะนำ" in o.message  # the instruction sheet is reported as ignored, not refused
