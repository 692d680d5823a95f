"""The district office's to-do list (pipelines.quality.todo): one row per thing to fix, with the
file, sheet, row, column and value; errors first; the cause before what it explains; people
named with a masked ID; the workbook holds the same rows, inert and masked."""

import csv
import re

import openpyxl
from conftest import village_sheets, write_xlsx

from pipelines import ingest
from pipelines.quality import todo, validate

FULL_ID = re.compile(r"(?<!\d)\d{13}(?!\d)")


def _workbook_rows(path):
    return list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))


def test_todo_per_district(con, tmp_path):
    sheets = village_sheets(trainers=4)  # a trainer short: 4 of 5, and one trainer looks after 8 households
    sheets["ครัวเรือน"][2][10] = '=HYPERLINK("http://x")'  # hostile text becomes a refused value
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", sheets)])
    validate.validate(con)
    (path,) = todo.write_todo(con, tmp_path / "todo")
    assert path.name == "5401.xlsx"
    rows = _workbook_rows(path)
    assert rows[0] == tuple(todo.COLUMNS.values()) and rows[1][1] == "ต้องแก้ไข"
    assert rows[1:] == [tuple(r.get(k) for k in todo.COLUMNS) for r in _as_written(todo.items(con, "district", "5401"))]
    text = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "จำนวนวิทยากร" in text
    # The trainers are named, each with a masked ID, and the trainer off the ratio has its own row.
    trainers = next(r for r in rows if r[4] == "จำนวนวิทยากร")
    assert trainers[7] == "วิทยากร" and "วิทยากร0 ทดสอบ (3-5401-xxxxx-xx-" in trainers[11]
    off = [r for r in rows if r[4] == "วิทยากร 1 คนต่อ 4 ครัวเรือน"]  # 8 households, less the one refused
    assert [(r[8], re.search(r"\(3-5401-xxxxx-xx-\d\) ดูแล (\d) ครัวเรือน", r[11])[1]) for r in off] == [(2, "7")]
    assert not any(isinstance(v, str) and v.startswith("=") for r in rows for v in r)
    assert not FULL_ID.search(text)


def _as_written(items):
    """What the workbook keeps of each item: blanks as empty cells, numbers as numbers, text inert."""
    out = []
    for item in items:
        row = {}
        for k, v in item.items():
            row[k] = None if v in (None, "") else v if isinstance(v, int) else todo.inert(todo.mask_ids(str(v)))
        out.append(row)
    return out


def test_a_refused_household_row_is_the_cause_and_the_quota_breach_is_said_under_it(con, tmp_path):
    """A "-" typed as income before drops a household: the list shows that row to fix first,
    saying the village will then have its 20 households, not a breach of its own."""
    sheets = village_sheets()
    sheets["ครัวเรือน"][11][10] = "-"  # sheet row 12: the 11th household's income before
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", sheets)])
    validate.validate(con)
    checks = {r[0] for r in con.execute("SELECT check_name FROM validation_issue").fetchall()}
    assert "quota_households" in checks  # 19 households: the check itself still fails

    items = todo.items(con, "village", "54010301")
    first = items[0]
    assert first["check_name"] == "completeness_rejected_rows" and first["severity"] == "error"
    assert (first["sheet"], first["row"], first["column_th"], first["value"]) == ("ครัวเรือน", 12, "รายได้ก่อนฝึก", "-")
    assert first["todo"].startswith("แก้แถว 12 ชีต ครัวเรือน: รายได้ก่อนฝึก '-'")
    assert "ครบ 20" in first["todo"] and "not an amount" not in first["todo"]  # Thai only
    assert not [i for i in items if i["check_name"] == "quota_households"]  # said under its cause


def test_a_csv_file_has_lines_not_sheets(con, tmp_path):
    sheets = village_sheets()
    sheets["ครัวเรือน"][5][10] = "ไม่ทราบ"  # line 11 of the households CSV (5 block lines first)
    block = [["อำเภอ", "เมืองแพร่"], ["ตำบล", "น้ำชำ"], ["หมู่ที่", "1"], ["ประจำเดือน", "ต.ค. 68"], []]
    for n, name in enumerate(("วิทยากร", "ครัวเรือน", "ติดตาม"), start=1):
        with open(tmp_path / f"v_{n}.csv", "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(
                block
                + [
                    ["" if v is None else f"{v.day}/{v.month}/{v.year + 543}" if hasattr(v, "day") else v for v in r]
                    for r in sheets[name]
                ]
            )
    ingest.ingest(con, [tmp_path])
    validate.validate(con)
    refused = [i for i in todo.items(con, "village", "54010301") if i["check_name"] == "completeness_rejected_rows"]
    # The household's row, then its follow-up line, which names a household the roster lacks.
    assert [(i["file"], i["sheet"], i["row"]) for i in refused] == [
        ("v_2.csv", "(ไฟล์ CSV)", 11),
        ("v_3.csv", "(ไฟล์ CSV)", 11),
    ]
    assert refused[0]["todo"].startswith("แก้บรรทัด 11: รายได้ก่อนฝึก 'ไม่ทราบ'") and "ชีต" not in refused[0]["todo"]


def test_mask_and_inert():
    assert todo.mask_ids("เลข 3540100123457 ซ้ำ") == "เลข 3-5401-xxxxx-xx-7 ซ้ำ"
    assert todo.inert("=1+1") == "'=1+1" and todo.inert("@x") == "'@x" and todo.inert("ปกติ") == "ปกติ"
