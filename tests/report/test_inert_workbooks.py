"""Text that looks like a formula is data (spec, "Values as they come": `=`, `+`, `-`, `@`
first): stored as typed, made inert only where it is exported to a spreadsheet. Each workbook
sammachip writes is read back with openpyxl: the report tables (kit/xlsx.py), the district
to-do lists (quality/todo.py) and the OTOP shortlist (otop/workbook.py). A group name typed
as a phone number (`+66 …`) and a note `-ไม่มี-` are the usual culprits.
Bug killed: `+` or `-` first left live (only `=` and `@` were tested)."""

import datetime as dt

import openpyxl
import pandas as pd
from conftest import citizen_id, village_sheets, write_xlsx

from pipelines import ingest, otop
from pipelines.quality import todo, validate
from pipelines.report.kit import xlsx as kx
from pipelines.report.kit.html import Fmt

PHONE = "+66 81 234 5678"
NONE_NOTE = "-ไม่มี-"
LIVE = ("=", "+", "-", "@")


def _rows(path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {name: list(wb[name].iter_rows(values_only=True)) for name in wb.sheetnames}


def _texts(path) -> list[str]:
    return [v for rows in _rows(path).values() for row in rows for v in row if isinstance(v, str)]


def test_a_report_table_keeps_plus_and_minus_text_inert(tmp_path):
    df = pd.DataFrame(
        {
            "group": [PHONE, "กลุ่มหม้อห้อม", "@กลุ่ม"],
            "note": [NONE_NOTE, "=1+1", None],
            "members": [3, 4, 5],
            "shown": ["-5 ครัวเรือน", "+2", "ปกติ"],
        }
    )
    columns = {"group": "กลุ่มอาชีพ", "note": "หมายเหตุ", "members": "สมาชิก", "shown": "-เปลี่ยนแปลง"}
    formats = {"shown": Fmt(str)}
    path = kx.write_xlsx(tmp_path / "t.xlsx", df, columns, formats)
    (rows,) = _rows(path).values()
    assert rows[0] == ("กลุ่มอาชีพ", "หมายเหตุ", "สมาชิก", "'-เปลี่ยนแปลง")
    assert rows[1] == ("'" + PHONE, "'" + NONE_NOTE, 3, "'-5 ครัวเรือน")
    assert rows[2] == ("กลุ่มหม้อห้อม", "'=1+1", 4, "'+2")
    assert rows[3] == ("'@กลุ่ม", None, 5, "ปกติ")


def test_a_report_download_keeps_plus_and_minus_text_inert(tmp_path):
    """The way a notebook writes a table: Downloads.table, the page and its .xlsx."""
    downloads = kx.Downloads(tmp_path, "village", "54010301", "2025-12")
    df = pd.DataFrame({"group": [PHONE], "product": [NONE_NOTE]})
    html = downloads.table("groups", df, {"group": "กลุ่มอาชีพ", "product": "ผลิตภัณฑ์"})
    assert PHONE in html  # the page shows the text as typed
    (rows,) = _rows(downloads.path("groups")).values()
    assert rows[1] == ("'" + PHONE, "'" + NONE_NOTE)


def test_a_district_todo_workbook_keeps_plus_and_minus_values_inert(con, tmp_path):
    """Two values typed where amounts belong are refused; the to-do list shows them as typed,
    inert; the warehouse keeps them as typed."""
    sheets = village_sheets()
    sheets["ครัวเรือน"][3][10] = NONE_NOTE  # row 4: income before
    sheets["ครัวเรือน"][5][11] = PHONE  # row 6: expense before
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", sheets)])
    stored = {v for (v,) in con.execute("SELECT value FROM rejected_row WHERE sheet = 'ครัวเรือน'").fetchall()}
    assert stored == {NONE_NOTE, PHONE}
    validate.validate(con)
    (path,) = todo.write_todo(con, tmp_path / "todo")
    (rows,) = _rows(path).values()
    items = [dict(zip(todo.COLUMNS, r)) for r in rows[1:]]
    by_row = {i["row"]: i["value"] for i in items if i["sheet"] == "ครัวเรือน"}
    assert by_row == {4: "'" + NONE_NOTE, 6: "'" + PHONE}
    assert not any(t.startswith(LIVE) for t in _texts(path))


def test_the_todo_writer_makes_every_text_cell_inert(tmp_path):
    item = {k: None for k in todo.COLUMNS} | {
        "no": 1,
        "severity": "warning",
        "severity_th": "ควรตรวจสอบ",
        "village": "-บ้านทดสอบ-",
        "village_code": "54010301",
        "check_th": "แถวที่นำเข้าไม่ได้",
        "file": "+v.xlsx",
        "sheet": "ติดตาม",
        "row": 7,
        "column_th": "กลุ่มอาชีพ",
        "value": PHONE,
        "todo": NONE_NOTE,
    }
    path = todo.write_xlsx([item], tmp_path / "t.xlsx")
    (rows,) = _rows(path).values()
    got = dict(zip(todo.COLUMNS, rows[1]))
    assert (got["village"], got["file"], got["value"], got["todo"]) == (
        "'-บ้านทดสอบ-",
        "'+v.xlsx",
        "'" + PHONE,
        "'" + NONE_NOTE,
    )
    assert got["row"] == 7 and got["sheet"] == "ติดตาม"


def test_the_otop_shortlist_keeps_plus_and_minus_names_inert(con, tmp_path):
    """A group named by its phone number, its product written `-ไม่มี-`: stored as typed,
    inert on every sheet of the shortlist."""
    sheets = village_sheets(months=3)
    members = {citizen_id(f"15401010100{h}") for h in range(8)}
    for r in sheets["ติดตาม"][1:]:
        if r[0] in members:
            r[6], r[7] = PHONE, NONE_NOTE
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", sheets)])
    assert con.execute(
        "SELECT DISTINCT group_name, product FROM followup WHERE citizen_id IN ?", [list(members)]
    ).fetchall() == [(PHONE, NONE_NOTE)]
    scored = otop.shortlist(con, 2569)
    assert PHONE in {s.facts.get("group_name") for s in scored}
    path = otop.export_xlsx(scored, tmp_path / "otop.xlsx", 2569, dt.date(2025, 12, 1))
    texts = _texts(path)
    assert "'" + PHONE in texts and "'" + NONE_NOTE in texts
    assert not any(t.startswith(LIVE) for t in texts)
