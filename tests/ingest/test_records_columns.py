"""Column-wise parsing keeps the per-cell rules: a value parsed once for its column is still
judged per row, booleans stay apart from numbers, and skipped rows are counted exactly."""

from conftest import village_sheets, write_xlsx

from pipelines import ingest


def _rejected(con):
    return con.execute("SELECT sheet, row_number, column_name, value FROM rejected ORDER BY ALL").fetchall()


def test_true_is_no_amount_though_it_equals_1_in_the_same_column(con, tmp_path):
    """1 and True are equal dict keys: parsing distinct values once must not let a TRUE cell
    borrow the parse of a 1 above it (or the other way round)."""
    s = village_sheets(months=1)
    fu = s["ติดตาม"]
    fu[1][3], fu[2][3], fu[3][3] = 1, True, 1.0  # income: 1 baht, TRUE, 1 baht
    (o,) = ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", s)])
    assert (o.rows_loaded, o.rows_rejected) == (44, 1)
    assert _rejected(con) == [("ติดตาม", 3, "income", "True")]
    incomes = con.execute(
        "SELECT row_number, income FROM followup_row WHERE row_number IN (2, 4) ORDER BY 1"
    ).fetchall()
    assert [(r, float(i)) for r, i in incomes] == [(2, 1.0), (4, 1.0)]


def test_a_value_refused_once_is_refused_on_every_row_that_carries_it(con, tmp_path):
    s = village_sheets(months=1)
    fu = s["ติดตาม"]
    for r in (2, 5, 9):
        fu[r][2] = "บางที"  # practising: neither yes nor no
    (o,) = ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", s)])
    assert o.rows_rejected == 3
    assert _rejected(con) == [("ติดตาม", r + 1, "practising", "บางที") for r in (2, 5, 9)]


def test_the_first_faulty_column_in_sheet_order_is_the_one_reported(con, tmp_path):
    s = village_sheets(months=1)
    fu = s["ติดตาม"]
    fu[4][1], fu[4][3] = "13/2568", "มาก"  # month (col B) and income (col D) both bad
    fu[6][3] = "มาก"  # income only
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", s)])
    assert _rejected(con) == [("ติดตาม", 5, "month", "13/2568"), ("ติดตาม", 7, "income", "มาก")]


def test_blank_rows_of_spaces_header_repeats_and_totals_are_skipped_and_counted(con, tmp_path):
    s = village_sheets(months=1)
    hh = s["ครัวเรือน"]
    header = list(hh[0])
    spaces = ["  ", None, " ", "", "\t"] + [None] * (len(header) - 5)
    total = [None, None, "รวมทั้งสิ้น", None, None, 80]
    numbers_only = [None] * 5 + [0]  # a lone 0 is a value: the row is data, refused
    s["ครัวเรือน"] = hh[:6] + [spaces, header] + hh[6:] + [total, numbers_only]
    (o,) = ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", s)])
    sheets = dict(con.execute("SELECT sheet, rows_skipped FROM file_sheet").fetchall())
    assert sheets["ครัวเรือน"] == 3
    assert con.execute("SELECT count(*) FROM household_row").fetchone()[0] == 20
    refused = con.execute("SELECT row_number, column_name FROM rejected WHERE sheet = 'ครัวเรือน'").fetchall()
    assert refused == [(len(s["ครัวเรือน"]), "citizen_id")]


def test_a_header_of_digits_still_leaves_the_numbers_below_it_as_data(con, tmp_path):
    """An extra column headed by a number (a year) with that number in every row: its cells
    match the header text, yet the rows are data; a real repeat of the header is skipped."""
    s = village_sheets(months=1)
    hh = [row + [2568] for row in s["ครัวเรือน"]]
    s["ครัวเรือน"] = hh[:8] + [list(hh[0])] + hh[8:]
    (o,) = ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", s)])
    assert (o.status, o.rows_rejected) == ("loaded", 0)
    assert dict(con.execute("SELECT sheet, rows_skipped FROM file_sheet").fetchall())["ครัวเรือน"] == 1
    assert con.execute("SELECT count(*) FROM household_row").fetchone()[0] == 20


def test_an_impossible_sequence_number_refuses_its_row_not_the_run(con, tmp_path):
    s = village_sheets(months=1)
    s["ครัวเรือน"][3][0] = 10**12  # ลำดับ typed into the wrong column
    (o,) = ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", s)])
    assert o.status == "loaded"
    assert ("ครัวเรือน", 4, "seq", "1000000000000") in _rejected(con)
    assert con.execute("SELECT count(*) FROM household_row").fetchone()[0] == 19


def test_a_remembered_table_location_is_only_reused_for_the_same_typed_cells():
    """Tables are located once per header (every file of a layout repeats it): a later sheet
    gets its own grid, and a header cell typed differently (1.0 vs TRUE) is located afresh."""
    from pipelines.ingest import workbook
    from pipelines.ingest.workbook import Grid, locate

    header = ["เลขประจำตัวประชาชน", "เดือน", "ประกอบอาชีพ", 1.0]
    first = Grid("ติดตาม", [header, ["3540101028971", "ต.ค. 68", "ใช่", 5]])
    again = Grid("ติดตาม", [list(header), ["3540101026145", "พ.ย. 68", "ไม่ใช่", 6]])
    typed = Grid("ติดตาม", [header[:3] + [True], ["3540101028971", "ต.ค. 68", "ใช่", 5]])
    a, b, c = (locate(g, "followup") for g in (first, again, typed))
    assert b.grid is again and b.columns == a.columns and b.header_text == a.header_text
    assert a.header_text[3] == {"10"} and c.header_text[3] == {"true"}
    for g, t in ((first, a), (again, b), (typed, c)):  # the same as locating without memory
        fresh, _ = workbook._locate(g, "followup")
        assert (fresh.columns, fresh.header_rows, fresh.header_text, fresh.wide) == (
            t.columns,
            t.header_rows,
            t.header_text,
            t.wide,
        )


def test_a_remembered_roster_is_not_reused_for_true_where_there_was_1(con, tmp_path):
    """Roster sheets are parsed once per content; TRUE equals 1 as a key, so the content is
    compared with its types: a later roster with TRUE where an earlier one had 1 is parsed
    afresh (and its row refused), not given the earlier parse."""
    first, later = village_sheets(months=1), village_sheets(months=2)
    first["ครัวเรือน"][1][5] = 1  # members: 1
    later["ครัวเรือน"][1][5] = True  # members: TRUE, no number
    outcomes = ingest.ingest(con, [write_xlsx(tmp_path / "a.xlsx", first), write_xlsx(tmp_path / "b.xlsx", later)])
    assert [o.rows_rejected for o in outcomes] == [0, 3]  # the household, and its 2 months
    assert con.execute(
        "SELECT r.sheet, r.row_number, r.column_name, r.value FROM rejected r JOIN ingested_file f "
        "USING (file_id) WHERE f.path LIKE '%b.xlsx' ORDER BY ALL"
    ).fetchall() == [
        ("ครัวเรือน", 2, "members", "True"),
        ("ติดตาม", 2, "citizen_id", first["ครัวเรือน"][1][3]),
        ("ติดตาม", 22, "citizen_id", first["ครัวเรือน"][1][3]),
    ]
