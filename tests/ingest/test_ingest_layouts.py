"""Real-world layouts of the spec: header blocks on data sheets, two-row merged headers,
wide follow-up, skipped rows, English sheet names, CSV sheets in cp874 given together."""

import csv
import datetime as dt
import time

from conftest import TWO_ROW_HEADER, village_sheets, write_xlsx

from pipelines import ingest

BLOCK = [
    ["สมุดติดตามสัมมาชีพชุมชน"],
    ["จังหวัด: แพร่", None, "อำเภอ", "เมืองแพร่"],
    ["รหัสหมู่บ้าน", "๕๔๐๑๐๓๐๑"],
    ["ปีงบประมาณ", "๒๕๖๙"],
    [],
]


def _messy_workbook(path):
    clean = village_sheets(months=2)
    tr = clean["วิทยากร"]
    tr[0] = ["ที่", "คำนำหน้าชื่อ", "ชื่อ - นามสกุล", "เลขบัตร ปชช.", "ตำแหน่ง", "อาชีพที่ถ่ายทอด", "เบอร์โทร"]
    for r in tr[1:]:
        r[3] = float(r[3])  # ID stored by Excel as a number
    hh = clean["ครัวเรือน"]
    for r in hh[1:]:
        r[3] = f"{r[3][0]}-{r[3][1:5]}-{r[3][5:10]}-{r[3][10:12]}-{r[3][12]}"
        r[9] = "5 ต.ค. 68"
        r[10] = f"{r[10]:,} บาท"
    households = (
        TWO_ROW_HEADER
        + hh[1:6]
        + TWO_ROW_HEADER
        + hh[6:12]
        + [[None]]
        + hh[12:]
        + [["รวม", None, None, None, None, 80]]
    )
    long = {(r[0], r[1]): r for r in clean["ติดตาม"][1:]}
    wide = [
        [
            "เลขประจำตัวประชาชน",
            "ประกอบอาชีพ ต.ค. 68",
            "รายได้ ต.ค. 68",
            "รายจ่าย ต.ค. 68",
            "ประกอบอาชีพ\nพ.ย. 68",
            "รายได้ (บาท) พ.ย. 68",
            "รายจ่าย พ.ย. 68",
            "กลุ่มอาชีพ",
        ]
    ]
    for cid in [r[3] for r in village_sheets()["ครัวเรือน"][1:]]:
        a, b = long[(cid, "10/2568")], long[(cid, "11/2568")]
        wide.append(
            [cid, "✓" if a[2] == "ใช่" else "✗", a[3], a[4], "1" if b[2] == "ใช่" else "0", b[3], b[4], "กลุ่มหม้อห้อม"]
        )
    sheets = {
        "Trainers ": BLOCK + tr,
        "households": BLOCK + households,
        "ติดตาม ผล": BLOCK + wide,
        "คำแนะนำ": [["กรอกข้อมูลให้ครบทุกช่อง"]],
    }
    return write_xlsx(path, sheets, merged={"households": ["K6:L6", "K13:L13"]})


def test_messy_workbook_loads_the_same_records_as_the_clean_one(con, tmp_path):
    (o,) = ingest.ingest(con, [_messy_workbook(tmp_path / "messy.xlsx")])
    assert (o.status, o.village_code, o.rows_loaded, o.rows_rejected, o.rows_skipped) == (
        "loaded",
        "54010301",
        65,
        0,
        4,
    )
    assert "คำแนะนำ" in o.message
    # the wide sheet carries practising, income, expense and group; compare those
    columns = {
        "trainer": "* EXCLUDE (file_id, sheet, row_number, superseded_by)",
        "household": "* EXCLUDE (file_id, sheet, row_number, superseded_by)",
        "followup": "fiscal_year, village_code, citizen_id, month, practising, income, expense",
    }
    query = "SELECT {} FROM {}_row ORDER BY ALL"
    messy = {t: con.execute(query.format(c, t)).fetchall() for t, c in columns.items()}
    assert con.execute("SELECT count(*) FROM followup WHERE group_name = 'กลุ่มหม้อห้อม'").fetchone()[0] == 40
    con.execute(
        "DELETE FROM trainer_data; DELETE FROM household_data; DELETE FROM followup_data; DELETE FROM carried; "
        "DELETE FROM ingested_file; DELETE FROM trainer_current; DELETE FROM household_current; "
        "DELETE FROM followup_current"
    )
    ingest.ingest(con, [write_xlsx(tmp_path / "clean.xlsx", village_sheets(months=2))])
    for t, c in columns.items():
        assert messy[t] == con.execute(query.format(c, t)).fetchall(), t


def test_skipped_rows_and_lineage_rows(con, tmp_path):
    ingest.ingest(con, [_messy_workbook(tmp_path / "messy.xlsx")])
    sheets = dict(con.execute("SELECT sheet, rows_skipped FROM file_sheet").fetchall())
    assert sheets["households"] == 4  # the repeated two-row header (2), a blank row, the totals row
    # the first household sits under the block (5 rows) and the two header rows
    assert con.execute("SELECT min(row_number) FROM household_row").fetchone()[0] == 8


def _write_csv(path, rows, encoding):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        for r in rows:
            w.writerow(
                [
                    "" if v is None else (f"{v.day}/{v.month}/{v.year + 543}" if isinstance(v, dt.datetime) else v)
                    for v in r
                ]
            )


def test_csv_sheets_given_together_load_in_order_whatever_their_encoding(con, tmp_path):
    s = village_sheets(months=1)
    block = [["อำเภอ", "เมืองแพร่"], ["ตำบล", "น้ำชำ"], ["หมู่ที่", "1"], ["ประจำเดือน", "ต.ค. 68"], []]
    # written follow-up first, so arrival order alone would load them backwards
    for name, sheet, enc in [
        ("v_3.csv", "ติดตาม", "cp874"),
        ("v_2.csv", "ครัวเรือน", "utf-8-sig"),
        ("v_1.csv", "วิทยากร", "utf-8"),
    ]:
        _write_csv(tmp_path / name, block + s[sheet], enc)
        time.sleep(0.01)
    outcomes = ingest.ingest(con, [tmp_path])
    assert [(o.status, o.rows_loaded, o.rows_rejected) for o in outcomes] == [
        ("loaded", 5, 0),
        ("loaded", 20, 0),
        ("loaded", 20, 0),
    ]
    # row_number of a CSV is its line number: 5 block lines, the header on line 6
    assert con.execute("SELECT sheet, min(row_number) FROM household_row GROUP BY sheet").fetchone() == ("v_2.csv", 7)


def test_every_workbook_format_loads_the_same_records(con, tmp_path):
    from conftest import write_ods, write_xls

    sheets = village_sheets(months=2)
    query = "SELECT * EXCLUDE (file_id, sheet, row_number, superseded_by) FROM {}_row ORDER BY ALL"
    loaded = {}
    for suffix, writer in [(".xlsx", write_xlsx), (".xlsm", write_xlsx), (".xls", write_xls), (".ods", write_ods)]:
        con.execute(
            "DELETE FROM trainer_data; DELETE FROM household_data; DELETE FROM followup_data; "
            "DELETE FROM carried; DELETE FROM ingested_file; DELETE FROM trainer_current; "
            "DELETE FROM household_current; DELETE FROM followup_current"
        )
        path = tmp_path / f"v{suffix}"
        if suffix == ".xlsm":
            path = write_xlsx(tmp_path / "tmp.xlsx", sheets).rename(path)
        else:
            writer(path, sheets)
        (o,) = ingest.ingest(con, [path])
        assert (o.status, o.rows_loaded, o.rows_rejected) in {("loaded", 65, 0), ("replaced", 65, 0)}, (suffix, o)
        loaded[suffix] = [con.execute(query.format(t)).fetchall() for t in ("trainer", "household", "followup")]
    assert loaded[".xls"] == loaded[".xlsx"] == loaded[".ods"] == loaded[".xlsm"]


def test_a_data_row_of_answers_is_never_read_as_a_second_header_row(con, tmp_path):
    """Wide follow-up without a ลำดับ column whose first household answers "no": the "no"
    is an answer under "ประกอบอาชีพ ต.ค. 68", not the English header "No."."""
    s = village_sheets(months=1)
    long = {r[0]: r for r in s["ติดตาม"][1:]}
    wide = [["เลขประจำตัวประชาชน", "ประกอบอาชีพ ต.ค. 68", "รายได้ ต.ค. 68", "รายจ่าย ต.ค. 68"]]
    for n, cid in enumerate(long):
        a = long[cid]
        wide.append(
            [
                cid,
                "no" if n == 0 else ("yes" if a[2] == "ใช่" else "no"),
                None if n == 0 else a[3],
                None if n == 0 else a[4],
            ]
        )
    s["ติดตาม"] = wide
    (o,) = ingest.ingest(con, [write_xlsx(tmp_path / "wide.xlsx", s)])
    assert (o.status, o.rows_rejected) == ("loaded", 0), o.message
    rows = con.execute("SELECT practising, count(*) FROM followup_row GROUP BY ALL ORDER BY ALL").fetchall()
    assert rows == [(False, 3), (True, 17)]


def test_a_village_code_typed_as_a_number_cell_matches_itself_on_every_sheet(con, tmp_path):
    s = village_sheets(months=1)
    block = [["รหัสหมู่บ้าน", 54010301.0], ["ปีงบประมาณ", 2569], []]
    # the cover keeps the code as text "54010301"; the trainer sheet's block has it as a number
    s["วิทยากร"] = block + s["วิทยากร"]
    (o,) = ingest.ingest(con, [write_xlsx(tmp_path / "numeric_code.xlsx", s)])
    assert (o.status, o.village_code, o.rows_rejected) == ("loaded", "54010301", 0), o.message


def test_an_all_english_workbook_with_label_colon_value_cells(con, tmp_path):
    """English sheet names in any case and spacing, English headers, `label: value` cells,
    the village named without its บ้าน prefix and its district with the อ. prefix."""
    th = village_sheets(months=1)
    cover = [
        ["Province: Phrae"],
        ["Amphoe: อ.เมืองแพร่"],
        ["Tambon", "น้ำชำ"],
        ["Moo", "๑"],
        ["Village name", "น้ำชำ"],
        ["FY", "2026"],
        ["Report month", "2025-10"],
    ]
    trainers = [["No", "Title", "First name", "Last name", "National ID", "Role", "Expertise", "Phone"]] + [
        [r[0], r[1], *r[2].split(" ", 1), r[3], "sage" if r[4] == "ปราชญ์ชุมชน" else "team", r[5], r[6]]
        for r in th["วิทยากร"][1:]
    ]
    households = [
        [
            "#",
            "Title",
            "Full name",
            "Citizen ID",
            "House no",
            "Members",
            "Trainer",
            "Occupation",
            "Occupation type",
            "Training date",
            "Income before",
            "Expense before",
            "Status",
            "Remark",
        ]
    ]
    households += [r[:12] + ["ออก" if i == 19 else None, None] for i, r in enumerate(th["ครัวเรือน"][1:])]
    followup = (
        [
            [
                "Citizen ID",
                "Month",
                "Practising",
                "Income",
                "Expense",
                "Savings",
                "Occupation group",
                "Product",
                "OTOP type",
                "Product standard",
                "Sales channels",
            ]
        ]
        + [  # the month in English (CE) on every other row, BE digits on the rest
            [r[0], "Oct 2025" if i % 2 else "10/2568", "Y" if r[2] == "ใช่" else "N", *r[3:]]
            for i, r in enumerate(th["ติดตาม"][1:])
        ]
    )
    path = write_xlsx(
        tmp_path / "english.xlsx",
        {
            "COVER": cover,
            " Trainers ": trainers,
            "HouseHolds": households,
            "Follow Up": followup,
            "Pivot": [["sum", 1]],
        },
    )
    (o,) = ingest.ingest(con, [path])
    assert (o.status, o.village_code, o.rows_rejected, o.rows_loaded) == ("loaded", "54010301", 0, 45), o.message
    assert "Pivot" in o.message
    assert con.execute("SELECT status FROM household WHERE full_name = 'ครัวเรือน19 ทดสอบ'").fetchone() == ("withdrawn",)
    assert con.execute("SELECT count(*) FROM trainer WHERE role = 'sage'").fetchone()[0] == 1
    assert con.execute("SELECT DISTINCT month FROM followup").fetchall() == [(dt.date(2025, 10, 1),)]
