"""Spec rules of tracking-workbook.md that each get a hand-made workbook of their own: the
refusals and value rules the round trip only meets by chance."""

import csv
import datetime as dt

import pytest
from conftest import COVER, FOLLOWUP_HEADER, citizen_id, ingest_one, village_sheets, write_xlsx

from pipelines import ingest, warehouse
from pipelines.ingest import register

# Column positions in conftest's sheets.
TR_NAME, TR_ROLE, TR_PHONE = 2, 4, 6
HH_NAME, HH_HOUSE, HH_MEMBERS, HH_TRAINER, HH_OCC, HH_GROUP, HH_TRAINED, HH_STATUS = 2, 4, 5, 6, 7, 8, 9, 12
FU_MONTH, FU_PRACTISING, FU_INCOME, FU_OTOP, FU_CHANNELS = 1, 2, 3, 8, 10


def _rejected(con) -> dict[tuple[str, int], tuple[str, str | None, str]]:
    """(sheet, spreadsheet row) -> (column, value, reason) of every rejected row."""
    return {
        (s, r): (c, v, why)
        for s, r, c, v, why in con.execute(
            "SELECT sheet, row_number, column_name, value, reason FROM rejected_row"
        ).fetchall()
    }


def _cover(change: dict) -> list[list]:
    """The cover with some labels' values changed (a dict: Python folds Thai keyword names)."""
    return [[label, change.get(label, value)] for label, value in COVER]


# ----------------------------------------------------------------------------- village


@pytest.mark.parametrize(
    "cover, says",
    [
        (_cover({"รหัสหมู่บ้าน": "54999999"}), "54999999"),  # a code not in the register
        (
            [r for r in _cover({"ตำบล": "ป่าแมต", "หมู่ที่": 9}) if r[0] != "รหัสหมู่บ้าน"],
            "ป่าแมต",
        ),  # names that match no village
    ],
)
def test_a_village_that_cannot_be_resolved_is_refused_whole_saying_which(con, tmp_path, cover, says):
    sheets = village_sheets()
    sheets["ข้อมูลหมู่บ้าน"] = cover
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert o.status == "refused" and says in o.message
    for table in ("trainer_row", "household_row", "followup_row", "rejected_row"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_a_register_of_codes_and_names_alone_resolves_by_code_and_by_names(tmp_path):
    path = tmp_path / "register.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["village_code", "village_name"], ["54010301", "บ้านน้ำชำ"], ["54040201", "บ้านน้ำชำใต้"]])
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        register.load_register(con, path)
        by_code = village_sheets()
        by_names = village_sheets()
        by_names["ข้อมูลหมู่บ้าน"] = [
            ["จังหวัด", "แพร่"],
            ["อำเภอ", "สูงเม่น"],
            ["ตำบล", "น้ำชำ"],
            ["ชื่อหมู่บ้าน", "บ้านน้ำชำใต้"],
            ["ปีงบประมาณ", 2569],
            ["ประจำเดือน", "ตุลาคม 2568"],
        ]
        assert ingest_one(con, write_xlsx(tmp_path / "a.xlsx", by_code)).village_code == "54010301"
        assert ingest_one(con, write_xlsx(tmp_path / "b.xlsx", by_names)).village_code == "54040201"
        district = con.execute("SELECT district_name FROM village WHERE village_code = '54040201'").fetchone()[0]
        assert district == "สูงเม่น"
    finally:
        con.close()


# ----------------------------------------------------------------------------- required and ranges


def test_every_rejected_row_says_why(con, tmp_path):
    sheets = village_sheets()
    sheets["ครัวเรือน"][5][3] = "1234567890123"  # bad check digit, row 6
    sheets["ครัวเรือน"][7][HH_MEMBERS] = "สี่"  # not a number, row 8
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    rej = _rejected(con)
    assert all(why and why.strip() for _, _, why in rej.values())
    assert rej[("ครัวเรือน", 6)][0] == "citizen_id" and "check digit" in rej[("ครัวเรือน", 6)][2]
    assert rej[("ครัวเรือน", 8)][:2] == ("members", "สี่")


def test_members_must_be_1_to_30_and_training_inside_the_fiscal_year(con, tmp_path):
    sheets = village_sheets()
    hh = sheets["ครัวเรือน"]
    hh[1][HH_MEMBERS], hh[2][HH_MEMBERS], hh[3][HH_MEMBERS] = 0, 31, 30  # rows 2, 3, 4
    hh[5][HH_TRAINED] = dt.datetime(2025, 9, 15)  # 15/09/2568: the fiscal year before, row 6
    hh[6][HH_TRAINED] = "30/9/2569"  # last day of FY 2569, row 7
    hh[7][HH_TRAINED] = "1/10/2569"  # first day of FY 2570, row 8
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    rej = _rejected(con)
    households = {k[1]: v[0] for k, v in rej.items() if k[0] == "ครัวเรือน"}
    assert households == {2: "members", 3: "members", 6: "trained_on", 8: "trained_on"}
    assert (
        con.execute("SELECT members FROM household WHERE citizen_id = ?", [citizen_id("154010101002")]).fetchone()[0]
        == 30
    )
    assert con.execute(
        "SELECT trained_on FROM household WHERE citizen_id = ?", [citizen_id("154010101005")]
    ).fetchone()[0] == dt.date(2026, 9, 30)


@pytest.mark.parametrize(
    "sheet, column, key",
    [
        ("วิทยากร", TR_NAME, "full_name"),
        ("วิทยากร", TR_ROLE, "role"),
        ("ครัวเรือน", HH_NAME, "full_name"),
        ("ครัวเรือน", HH_HOUSE, "house_no"),
        ("ครัวเรือน", HH_OCC, "occupation"),
        ("ครัวเรือน", HH_TRAINER, "trainer"),
        ("ครัวเรือน", HH_GROUP, "occupation_group"),
        ("ติดตาม", FU_MONTH, "month"),
        ("ติดตาม", FU_PRACTISING, "practising"),
    ],
)
def test_a_blank_required_value_rejects_its_row_on_that_column(con, tmp_path, sheet, column, key):
    sheets = village_sheets()
    if sheet == "วิทยากร":  # its households then name no trainer: only the trainer row is at stake
        sheets["ครัวเรือน"] = [r for r in sheets["ครัวเรือน"] if r[HH_TRAINER] != "นายวิทยากร2 ทดสอบ"]
    sheets[sheet][3][column] = None  # spreadsheet row 4
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert o.status == "loaded"
    assert _rejected(con)[(sheet, 4)][:2] == (key, None)


def test_income_and_expense_are_required_when_practising(con, tmp_path):
    sheets = village_sheets()
    fu = sheets["ติดตาม"]
    fu[1][FU_INCOME] = None  # practising, income blank: row 2 refused
    assert fu[10][FU_PRACTISING] == "ไม่ใช่"
    fu[10][FU_INCOME] = None  # not practising, blank income: row 11 loads
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (o.status, o.rows_rejected) == ("loaded", 1)
    assert _rejected(con)[("ติดตาม", 2)][:2] == ("income", None)
    assert con.execute(
        "SELECT practising, income FROM followup WHERE citizen_id = ?", [citizen_id("154010101009")]
    ).fetchone() == (False, None)


def test_a_follow_up_month_outside_the_fiscal_year_is_rejected(con, tmp_path):
    sheets = village_sheets()
    sheets["ข้อมูลหมู่บ้าน"] = [["ประจำเดือน", "กันยายน 2569"] if r[0] == "ประจำเดือน" else r for r in sheets["ข้อมูลหมู่บ้าน"]]
    sheets["ติดตาม"][1][FU_MONTH] = "10/2569"  # October 2026 is FY 2570
    sheets["ติดตาม"][2][FU_MONTH] = "9/2569"  # September 2026 closes FY 2569
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    rej = _rejected(con)
    assert rej[("ติดตาม", 2)][:2] == ("month", "10/2569")
    assert ("ติดตาม", 3) not in rej
    assert con.execute("SELECT month FROM followup WHERE citizen_id = ?", [citizen_id("154010101001")]).fetchone()[
        0
    ] == dt.date(2026, 9, 1)


# ----------------------------------------------------------------------------- coded values


@pytest.mark.parametrize(
    "sheet, column, key, value",
    [
        ("วิทยากร", TR_ROLE, "role", "ผู้ช่วย"),
        ("ครัวเรือน", HH_GROUP, "occupation_group", "ประมง"),
        ("ครัวเรือน", HH_STATUS, "status", "พักชั่วคราว"),
        ("ติดตาม", FU_OTOP, "otop_type", "ยานยนต์"),
        ("ติดตาม", FU_CHANNELS, "channels", "ตลาดชุมชน, ขายส่ง"),
    ],
)
def test_a_value_outside_a_listed_set_rejects_its_row(con, tmp_path, sheet, column, key, value):
    sheets = village_sheets()
    if sheet == "วิทยากร":
        sheets["ครัวเรือน"] = [r for r in sheets["ครัวเรือน"] if r[HH_TRAINER] != "นายวิทยากร2 ทดสอบ"]
    sheets[sheet][3][column] = value
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert o.status == "loaded"
    assert _rejected(con)[(sheet, 4)][:2] == (key, value)


@pytest.mark.parametrize("value, role", [("ปราชญ์", "sage"), ("วิทยากรหลัก", "sage"), ("ทีม", "team"), ("วิทยากร", "team")])
def test_role_forms(con, tmp_path, value, role):
    sheets = village_sheets()
    sheets["วิทยากร"][2][TR_ROLE] = value
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert con.execute("SELECT role FROM trainer_row WHERE seq = 2").fetchone()[0] == role


# ----------------------------------------------------------------------------- references


def test_follow_up_names_its_households_by_full_name(con, tmp_path):
    sheets = village_sheets()
    header = ["ชื่อ-สกุล"] + FOLLOWUP_HEADER[1:]
    rows = [header]
    for hh, fu in zip(sheets["ครัวเรือน"][1:], sheets["ติดตาม"][1:]):
        rows.append([f"{hh[1]} {hh[HH_NAME]}"] + fu[1:])  # with the title, as people write it
    rows[5][0] = "นางครัวเรือนแปลก หน้า"  # row 6: no such household
    sheets["ติดตาม"] = rows
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (o.rows_loaded, o.rows_rejected) == (5 + 20 + 19, 1)
    assert _rejected(con)[("ติดตาม", 6)][:2] == ("full_name", "นางครัวเรือนแปลก หน้า")
    assert con.execute("SELECT count(*) FROM followup f JOIN household h USING (citizen_id)").fetchone()[0] == 19


def test_a_household_whose_trainer_is_not_found_is_rejected(con, tmp_path):
    sheets = village_sheets()
    sheets["ครัวเรือน"][2][HH_TRAINER] = "นายคนแปลก หน้า"
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    column, value, why = _rejected(con)[("ครัวเรือน", 3)]
    assert (column, value) == ("trainer", "นายคนแปลก หน้า") and why


# ----------------------------------------------------------------------------- text kept as text


def test_phone_and_house_number_stay_text(con, tmp_path):
    sheets = village_sheets()
    tr = sheets["วิทยากร"]
    tr[1][TR_PHONE], tr[2][TR_PHONE] = "081-234-5678", "0812345678"
    hh = sheets["ครัวเรือน"]
    hh[1][HH_HOUSE] = 12  # a number cell: its text is kept
    hh[2][HH_HOUSE] = dt.datetime(2025, 3, 12)  # 12/3 turned into a date by Excel: refused
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    phones = dict(con.execute("SELECT seq, phone FROM trainer_row").fetchall())
    assert phones[1].replace("-", "") == "0812345678" and phones[2] == "0812345678"
    assert (
        con.execute("SELECT house_no FROM household WHERE citizen_id = ?", [citizen_id("154010101000")]).fetchone()[0]
        == "12"
    )
    assert _rejected(con)[("ครัวเรือน", 3)][0] == "house_no"


# ----------------------------------------------------------------------------- every header the spec lists

# Each header the spec's tables list (Thai and English), put in place of conftest's header
# for the same column: the file must load the same rows, with that column mapped to that key.
SPEC_HEADERS = {
    "วิทยากร": {
        0: ("seq", ["ลำดับ", "ที่", "no", "#"]),
        1: ("title", ["คำนำหน้า", "คำนำหน้าชื่อ", "title"]),
        2: ("full_name", ["ชื่อ-สกุล", "ชื่อ - นามสกุล", "ชื่อ-นามสกุล", "name", "full name"]),
        3: ("citizen_id", ["เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "เลขบัตร ปชช.", "citizen id", "national id"]),
        4: ("role", ["บทบาท", "ตำแหน่ง", "role"]),
        5: ("expertise", ["ความเชี่ยวชาญ", "อาชีพที่ถ่ายทอด", "expertise"]),
        6: ("phone", ["โทรศัพท์", "เบอร์โทร", "phone"]),
    },
    "ครัวเรือน": {
        4: ("house_no", ["บ้านเลขที่", "house no"]),
        5: ("members", ["จำนวนสมาชิก", "สมาชิกในครัวเรือน (คน)", "สมาชิกในครัวเรือน\n(คน)", "members"]),
        6: ("trainer", ["วิทยากรผู้ดูแล", "วิทยากรพี่เลี้ยง", "trainer"]),
        7: ("occupation", ["อาชีพที่ฝึก", "อาชีพที่ได้รับการฝึก", "occupation"]),
        8: ("occupation_group", ["ประเภทอาชีพ", "occupation type"]),
        9: ("trained_on", ["วันที่ฝึกอบรม", "วันที่ฝึกอาชีพ", "training date"]),
        10: ("income_before", ["รายได้ก่อนฝึก (บาท/เดือน)", "รายได้เดิม", "income before"]),
        11: ("expense_before", ["รายจ่ายก่อนฝึก (บาท/เดือน)", "รายจ่ายเดิม", "expense before"]),
        12: ("status", ["สถานะ", "status"]),
        13: ("note", ["หมายเหตุ", "note", "remark"]),
    },
    "ติดตาม": {
        1: ("month", ["เดือน", "ประจำเดือน", "month"]),
        2: ("practising", ["ประกอบอาชีพ", "นำไปประกอบอาชีพ", "practising"]),
        3: ("income", ["รายได้ (บาท/เดือน)", "รายได้จากอาชีพ", "income"]),
        4: ("expense", ["รายจ่าย (บาท/เดือน)", "expense"]),
        5: ("savings", ["เงินออม (บาท/เดือน)", "savings"]),
        6: ("group_name", ["กลุ่มอาชีพ", "ชื่อกลุ่ม", "occupation group"]),
        7: ("product", ["ผลิตภัณฑ์", "product"]),
        8: ("otop_type", ["ประเภทผลิตภัณฑ์ OTOP", "OTOP type"]),
        9: ("standards", ["มาตรฐานผลิตภัณฑ์", "product standard"]),
        10: ("channels", ["ช่องทางจำหน่าย", "ช่องทางการตลาด", "sales channels"]),
    },
}


VARIANTS = max(len(headers) for columns in SPEC_HEADERS.values() for _, headers in columns.values())


@pytest.mark.parametrize("sheet, variant", [(sheet, v) for sheet in SPEC_HEADERS for v in range(VARIANTS)])
def test_every_header_the_spec_lists_maps_to_its_column(con, tmp_path, sheet, variant):
    """Workbook `variant` of a sheet puts each column's variant-th listed header (cycling
    through shorter lists) in place of conftest's: every listed header is met at least once."""
    sheets = village_sheets()
    for column, (_, headers) in SPEC_HEADERS[sheet].items():
        sheets[sheet][0][column] = headers[variant % len(headers)]
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (o.status, o.rows_loaded, o.rows_rejected) == ("loaded", 5 + 20 + 20, 0)
    columns = dict(con.execute("SELECT columns FROM file_sheet WHERE sheet = ?", [sheet]).fetchone()[0])
    assert {key: columns.get(key) for key, _ in SPEC_HEADERS[sheet].values()} == {
        key: "ABCDEFGHIJKLMN"[c] for c, (key, _) in SPEC_HEADERS[sheet].items()
    }


@pytest.mark.parametrize(
    "first, last", [("ชื่อ", "นามสกุล"), ("ชื่อ", "สกุล"), ("first name", "last name"), ("first name", "surname")]
)
def test_first_and_last_name_columns_make_the_full_name(con, tmp_path, first, last):
    sheets = village_sheets()
    for sheet in ("วิทยากร", "ครัวเรือน"):
        rows = sheets[sheet]
        rows[0][2:3] = [first, last]
        for row in rows[1:]:
            given, family = row[2].split()
            row[2:3] = [given, family]
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (o.rows_loaded, o.rows_rejected) == (45, 0)
    assert (
        con.execute("SELECT full_name FROM household WHERE citizen_id = ?", [citizen_id("154010101003")]).fetchone()[0]
        == "ครัวเรือน3 ทดสอบ"
    )
    assert con.execute("SELECT count(DISTINCT trainer_citizen_id) FROM household").fetchone()[0] == 5


@pytest.mark.parametrize(
    "label, value",
    [
        ("province", "แพร่"),
        ("district", "เมืองแพร่"),
        ("amphoe", "อำเภอเมืองแพร่"),
        ("subdistrict", "น้ำชำ"),
        ("tambon", "ตำบลน้ำชำ"),
        ("moo", "๑"),
        ("village no", 1),
        ("village", "น้ำชำ"),
        ("village name", "บ้านน้ำชำ"),
        ("หมู่บ้าน", "บ้านน้ำชำ"),
        ("บ้าน", "น้ำชำ"),
        ("village code", "54010301"),
        ("fiscal year", 2026),
        ("FY", "พ.ศ. 2569"),
        ("เดือนที่รายงาน", "ต.ค. 68"),
        ("report month", "2025-10"),
        ("reported by", "ทดสอบ"),
    ],
)
def test_every_header_block_label_the_spec_lists(con, tmp_path, label, value):
    key = {
        "province": "จังหวัด",
        "district": "อำเภอ",
        "amphoe": "อำเภอ",
        "subdistrict": "ตำบล",
        "tambon": "ตำบล",
        "moo": "หมู่ที่",
        "village no": "หมู่ที่",
        "village": "ชื่อหมู่บ้าน",
        "village name": "ชื่อหมู่บ้าน",
        "หมู่บ้าน": "ชื่อหมู่บ้าน",
        "บ้าน": "ชื่อหมู่บ้าน",
        "village code": "รหัสหมู่บ้าน",
        "fiscal year": "ปีงบประมาณ",
        "FY": "ปีงบประมาณ",
        "เดือนที่รายงาน": "ประจำเดือน",
        "report month": "ประจำเดือน",
        "reported by": "ผู้รายงาน",
    }[label]
    cover = [[label, value] if r[0] == key else r for r in COVER]
    if key != "รหัสหมู่บ้าน":  # without the code, the changed label's value must take part in resolving
        cover = [r for r in cover if r[0] != "รหัสหมู่บ้าน"]
    sheets = village_sheets()
    sheets["ข้อมูลหมู่บ้าน"] = cover
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (o.status, o.village_code, o.fiscal_year, o.report_month) == (
        "loaded",
        "54010301",
        2569,
        dt.date(2025, 10, 1),
    ), o.message


# ----------------------------------------------------------------------------- listed value forms


@pytest.mark.parametrize(
    "value, group",
    [
        ("เกษตร", "agriculture"),
        ("ภาคการเกษตร", "agriculture"),
        ("แปรรูป", "processing"),
        ("การแปรรูป", "processing"),
        ("ท่องเที่ยวชุมชน", "community_tourism"),
        ("อื่นๆ", "other"),
    ],
)
def test_occupation_group_forms(con, tmp_path, value, group):
    sheets = village_sheets()
    sheets["ครัวเรือน"][1][HH_GROUP] = value
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (
        con.execute(
            "SELECT occupation_group FROM household WHERE citizen_id = ?", [citizen_id("154010101000")]
        ).fetchone()[0]
        == group
    )


def test_status_and_practising_forms(con, tmp_path):
    sheets = village_sheets()
    hh, fu = sheets["ครัวเรือน"], sheets["ติดตาม"]
    hh[1][HH_STATUS], hh[2][HH_STATUS], hh[3][HH_STATUS] = "ปกติ", "ออก", "ถอนตัว"
    answers = [
        "ใช่",
        "ทำ",
        "✓",
        "/",
        1,
        "Y",
        "yes",
        True,
        "true",
        "ไม่ใช่",
        "ไม่ทำ",
        "✗",
        "x",
        0,
        "N",
        "no",
        False,
        "false",
    ]
    for row, answer in zip(fu[1:], answers):
        row[FU_PRACTISING] = answer
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert o.rows_rejected == 0
    statuses = [s for (s,) in con.execute("SELECT status FROM household ORDER BY citizen_id").fetchall()]
    assert statuses[:3] == ["active", "withdrawn", "withdrawn"]
    practising = [p for (p,) in con.execute("SELECT practising FROM followup_row ORDER BY row_number").fetchall()]
    assert practising[: len(answers)] == [True] * 9 + [False] * 9


# ----------------------------------------------------------------------------- text as typed


def test_text_is_nfc_and_formula_looking_text_is_stored_as_typed(con, tmp_path):
    import unicodedata

    sheets = village_sheets()
    hh, fu = sheets["ครัวเรือน"], sheets["ติดตาม"]
    hh[1][HH_OCC] = "ร้าน Cafe\u0301 ทำน้ำพริก"  # e + a combining acute: é once NFC
    assert unicodedata.normalize("NFC", hh[1][HH_OCC]) != hh[1][HH_OCC]
    hh[1][13] = "@SUM(A1:A2)"
    hh[2][13] = "+66 81 234 5678"
    hh[3][13] = "-แก้ไขแล้ว"
    fu[1][7] = '=HYPERLINK("http://x")'
    ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    rows = dict(con.execute("SELECT citizen_id, occupation FROM household").fetchall())
    assert rows[citizen_id("154010101000")] == "ร้าน Caf\u00e9 ทำน้ำพริก"
    notes = [n for (n,) in con.execute("SELECT note FROM household_row ORDER BY row_number").fetchall()]
    assert notes[:3] == ["@SUM(A1:A2)", "+66 81 234 5678", "-แก้ไขแล้ว"]
    assert (
        con.execute("SELECT product FROM followup_row WHERE row_number = 2").fetchone()[0] == '=HYPERLINK("http://x")'
    )


def test_an_english_totals_row_is_skipped(con, tmp_path):
    sheets = village_sheets()
    sheets["ครัวเรือน"].append(["Total", None, None, None, None, 80])
    sheets["ติดตาม"].append([None, "total", None, 120000])
    o = ingest_one(con, write_xlsx(tmp_path / "v.xlsx", sheets))
    assert (o.rows_loaded, o.rows_rejected, o.rows_skipped) == (45, 0, 2)


def test_an_xlsm_with_a_macro_project_loads_and_its_macro_never_runs(con, tmp_path):
    import zipfile

    plain = write_xlsx(tmp_path / "plain.xlsx", village_sheets())
    xlsm = tmp_path / "v.xlsm"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            out.writestr(item, data)
        # a VBA project whose Workbook_Open would write a file: nothing may ever run it
        out.writestr(
            "xl/vbaProject.bin",
            b"\xd0\xcf\x11\xe0" + b'Sub Workbook_Open(): Open "pwned" For Output As #1' + b"\x00" * 512,
        )
    o = ingest_one(con, xlsm)
    assert (o.status, o.rows_loaded) == ("loaded", 45)
    assert not list(tmp_path.glob("pwned*"))


# ----------------------------------------------------------------------------- groups and rosters


def test_the_same_group_name_is_one_group_within_a_subdistrict_and_two_across(con, tmp_path):
    from pipelines import otop

    files = []
    # every household of conftest's villages names the group กลุ่มหม้อห้อม
    for serial, code in ((1, "54010301"), (2, "54010302"), (3, "54040201")):  # 540103 twice, then 540402
        sheets = village_sheets(village_serial=serial, months=2)
        sheets["ข้อมูลหมู่บ้าน"] = [r for r in COVER if r[0] not in {"อำเภอ", "ตำบล", "หมู่ที่", "ชื่อหมู่บ้าน", "รหัสหมู่บ้าน"}] + [
            ["รหัสหมู่บ้าน", code]
        ]
        files.append(write_xlsx(tmp_path / f"{code}.xlsx", sheets))
    assert [o.status for o in ingest.ingest(con, files)] == ["loaded"] * 3
    groups = [s for s in otop.shortlist(con, 2569) if s.facts["kind"] == "group"]
    assert sorted((s.facts["subdistrict_code"], s.facts["members"]) for s in groups) == [("540103", 40), ("540402", 20)]


def test_a_resent_roster_replaces_the_old_one_whole(con, tmp_path):
    ingest_one(con, write_xlsx(tmp_path / "oct.xlsx", village_sheets()))
    fewer = village_sheets(households=19)
    del fewer["ติดตาม"]
    o = ingest_one(con, write_xlsx(tmp_path / "nov.xlsx", fewer))
    assert o.status == "replaced"
    assert con.execute("SELECT count(*) FROM household").fetchone()[0] == 19
    assert (
        con.execute("SELECT count(*) FROM household WHERE citizen_id = ?", [citizen_id("154010101019")]).fetchone()[0]
        == 0
    )
    gone = con.execute(
        "SELECT is_current FROM household_history WHERE citizen_id = ?", [citizen_id("154010101019")]
    ).fetchall()
    assert gone == [(False,)]
