"""What office and web systems export, recognised by content, not name (tracking-workbook.md,
"Files"): HTML pages of tables saved as .xls, Excel 2003 XML Spreadsheets, Excel's UTF-16
"Unicode Text", password-protected workbooks, and folders holding files that are no workbook.
Each file is written the way those systems write it; the tests look at warehouse rows and
outcomes."""

from __future__ import annotations

import datetime as dt
import html
import time
import zipfile
from pathlib import Path

import pytest
from conftest import citizen_id, loaded, village_sheets, write_xlsx

from pipelines import ingest, warehouse
from pipelines.ingest import register
from pipelines.ingest.discover import discover_with_ignored

PASSWORD = "ไฟล์มีรหัสผ่าน: ลบรหัสผ่านแล้วส่งใหม่ (the workbook is password-protected: remove the password and send it again)"
VIEWS = ("trainer", "household", "followup")
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def _fresh(tmp_path: Path, register_csv: Path, name: str):
    con = warehouse.connect(tmp_path / f"{name}.duckdb")
    register.load_register(con, register_csv)
    return con


def _with_faults(sheets: dict) -> dict:
    """A village's sheets with one bad household income (row 4) and one bad follow-up answer (row 3)."""
    sheets["ครัวเรือน"][3][10] = "ไม่ทราบ"
    sheets["ติดตาม"][2][2] = "บางที"
    sheets["ครัวเรือน"][4][7] = "ทอผ้า & ย้อมสี"  # an entity in HTML, markup-looking text in XML
    return sheets


# ----------------------------------------------------------------------------- HTML


def _td(value, tag: str = "td", attrs: str = "") -> str:
    if value is None or value == "":
        return f"<{tag}{attrs}>&nbsp;</{tag}>"
    if isinstance(value, dt.date):
        value = f"{value.day}/{value.month}/{value.year + 543}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"<{tag}{attrs}>{html.escape(str(value)).replace(chr(10), '<br>')}</{tag}>"


def _tr(row, tag: str = "td") -> str:
    return "<tr>" + "".join(_td(v, tag) for v in row) + "</tr>\n"


def _gov_html(sheets: dict) -> str:
    """A web system's "export to Excel": one page, a table per sheet. The cover has a caption,
    the trainers a heading above (and a note between), the households a two-row header with
    colspan and rowspan, styled and nested markup, Thai digits; the follow-up is unnamed."""
    cover = "".join(_tr(r) for r in sheets["ข้อมูลหมู่บ้าน"])
    tr = sheets["วิทยากร"]
    trainers = _tr(tr[0], "th") + "".join(_tr(r) for r in tr[1:])
    hh = sheets["ครัวเรือน"]
    head = hh[0]
    rowspan = "".join(_td(h, "th", " rowspan=2") for h in head[:10])
    top = (
        f"<tr>{rowspan}<th colspan=2 bgcolor=#ccffcc>ก่อนฝึก<br>(บาท/เดือน)</th>"
        + "".join(_td(h, "th", ' rowspan="2"') for h in head[12:])
        + "</tr>\n<tr><th>รายได้</th><th>รายจ่าย</th></tr>\n"
    )
    body = []
    for r in hh[1:]:
        cid = r[3]
        cells = [
            _td(r[0]),
            _td(r[1]),
            "<td><span class=name><b>{}</b>&nbsp; {}</span></td>".format(*map(html.escape, r[2].split())),
            _td(f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"),
            _td(r[4]),
            _td(str(r[5]).translate(THAI_DIGITS)),
            _td(r[6]),
            _td(r[7]),
            _td(r[8]),
            _td(r[9]),
            _td(f"{r[10]:,}" if isinstance(r[10], int) else r[10], attrs=" align=right"),
            _td(f"{r[11]:,}", attrs=" align=right"),
            _td(r[12]),
            _td(r[13]),
        ]
        body.append("<tr>" + "".join(cells) + "</tr>\n")
    fu = sheets["ติดตาม"]
    followup = _tr(fu[0], "th") + "".join(_tr([r[0], str(r[1]).translate(THAI_DIGITS), *r[2:]]) for r in fu[1:])
    return (
        "<html>\n<head><meta http-equiv=Content-Type content='text/html; charset=utf-8'>"
        "<title>ระบบติดตามสัมมาชีพชุมชน</title><style>td {mso-number-format:'\\@'}</style></head>\n<body>\n"
        f"<table border=1><caption>ข้อมูลหมู่บ้าน</caption>\n{cover}</table>\n"
        "<h3>วิทยากร</h3>\n<p>ข้อมูล ณ วันที่ 31 ตุลาคม 2568</p>\n"
        f"<table border=1 cellspacing=0>\n{trainers}</table>\n"
        "<h3>ครัวเรือน</h3>\n"
        f"<table border=1>\n<thead>\n{top}</thead>\n<tbody>\n{''.join(body)}</tbody>\n</table>\n"
        f"<br><table border=1>\n{followup}</table>\n</body>\n</html>\n"
    )


def test_an_html_page_of_tables_saved_as_xls_loads_what_the_workbook_loads(con, tmp_path, register_csv):
    sheets = _with_faults(village_sheets(months=2))
    page = tmp_path / "export.xls"
    page.write_text(_gov_html(sheets), encoding="utf-8")
    o = ingest.ingest(con, [page])[0]
    # one household refused (and its two follow-up rows with it), one follow-up answer refused
    assert (o.status, o.village_code, o.rows_loaded, o.rows_rejected) == ("loaded", "54010301", 5 + 19 + 37, 4)
    got = loaded(con)

    other = _fresh(tmp_path, register_csv, "xlsx")
    ingest.ingest(other, [write_xlsx(tmp_path / "same.xlsx", sheets)])
    want = loaded(other)
    other.close()
    for view in VIEWS:
        assert got[view] == want[view], view
    assert got["files"] == want["files"]
    # Sheets are named by caption, by the heading above, or (the follow-up) by position; row
    # numbers count the table's <tr> rows: the households' header takes two of them.
    assert [r[:4] for r in got["rejected"]] == [
        ("ครัวเรือน", 5, "income_before", "ไม่ทราบ"),
        ("ตาราง 4", 3, "practising", "บางที"),
        ("ตาราง 4", 4, "citizen_id", sheets["ครัวเรือน"][3][3]),
        ("ตาราง 4", 24, "citizen_id", sheets["ครัวเรือน"][3][3]),
    ]
    assert [r[:2] for r in want["rejected"]] == [("ครัวเรือน", 4), ("ติดตาม", 3), ("ติดตาม", 4), ("ติดตาม", 24)]
    assert [r[4] for r in got["rejected"][:2]] == [r[4] for r in want["rejected"][:2]]
    assert all("ครัวเรือน row 5" in r[4] for r in got["rejected"][2:])  # the household's <tr>
    assert con.execute("SELECT occupation FROM household WHERE occupation LIKE '%&%'").fetchone() == ("ทอผ้า & ย้อมสี",)


def test_a_one_table_export_is_named_like_a_csv_and_its_header_block_sits_in_the_table(con, tmp_path):
    """A district system's trainer list: the title spans the table, the village block is in
    its first rows, cp874 as its <meta> says; the table alone is the sheet, named by the file."""
    s = village_sheets()
    trainers = s["วิทยากร"]
    trainers[3][3] = "3540101000999"  # a wrong check digit: <tr> 7
    rows = (
        "<tr><td colspan=7 align=center><font size=4><b>รายชื่อวิทยากรสัมมาชีพชุมชน</b></font></td></tr>\n"
        "<tr><td>รหัสหมู่บ้าน</td><td>54010301</td><td colspan=5></td></tr>\n"
        "<tr><td>ปีงบประมาณ</td><td>๒๕๖๙</td><td colspan=5></td></tr>\n"
        + _tr(trainers[0], "th")
        + "".join(_tr(r) for r in trainers[1:])
    )
    page = tmp_path / "trainers_export.xls"
    page.write_bytes(
        (
            "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-874'></head>"
            f"<body><table border='1'>\n{rows}</table></body></html>"
        ).encode("cp874")
    )
    o = ingest.ingest(con, [page])[0]
    assert (o.status, o.village_code, o.rows_loaded, o.rows_rejected) == ("loaded", "54010301", 4, 1), o.message
    assert con.execute("SELECT sheet, row_number, column_name FROM rejected_row").fetchall() == [
        ("trainers_export.xls", 7, "citizen_id")
    ]
    assert con.execute("SELECT count(*) FROM trainer WHERE full_name = 'วิทยากร0 ทดสอบ'").fetchone() == (1,)


def test_html_tables_become_grids_as_calamine_gives_them(tmp_path):
    """Spans are merged ranges with the value top-left and "" under them; <br> is a line break;
    entities and nested markup read as text; a table in a cell is a sheet of its own."""
    from pipelines.ingest.workbook import read

    page = tmp_path / "t.htm"
    page.write_text(
        "<!DOCTYPE html><html><body><h2>Sheet 1: <em>แผ่นงาน ก</em></h2><table>"
        "<tr><td rowspan=2>a</td><td colspan=2>b<br>c</td><td>x&amp;y</td></tr>"
        "<tr><td>d</td><td><i>e</i> <b>f</b></td><td>\n  &nbsp; </td></tr>"
        "<tr><td>g<td>h<td><table><caption>ใน</caption><tr><td>inner</td></tr></table>"
        "</table></body></html>",
        encoding="utf-8",
    )
    outer, inner = read(page)
    assert outer.name == "แผ่นงาน ก" and inner.name == "ใน"
    assert outer.rows == [["a", "b\nc", "", "x&y"], ["", "d", "e f", ""], ["g", "h", "", ""]]
    assert outer.merged == [((0, 0), (1, 0)), ((0, 1), (0, 2))]
    assert outer.lines is None and list(outer.row_numbers()) == [1, 2, 3]
    assert inner.rows == [["inner"]]


def test_office_suites_html_keeps_typed_values_and_overflow_is_no_merge(tmp_path):
    """LibreOffice writes a number cell's value (sdval) and format (sdnum) beside its display:
    dates become dates (Thai format codes too), IDs stay exact. Excel marks a cell whose text
    only runs over empty neighbours with mso-ignore:colspan: the columns are used, nothing merged."""
    from pipelines.ingest.workbook import read

    page = tmp_path / "t.html"
    page.write_text(
        "<html><body><table>"
        "<tr><td colspan=3 style='mso-ignore:colspan'>รายชื่อ</td></tr>"
        '<tr><td sdval="45935" sdnum="1054;1054;ว/ด/ปปปป">5/10/2568</td>'
        '<td sdval="3540101000006" sdnum="1033;">3.54E+12</td>'
        '<td sdval="0.5" sdnum="1031;0;Standard">0,5</td></tr>'
        "</table></body></html>",
        encoding="utf-8",
    )
    (grid,) = read(page)
    assert grid.rows == [["รายชื่อ", "", ""], [dt.date(2025, 10, 5), 3540101000006.0, 0.5]]
    assert grid.merged == []


# ----------------------------------------------------------------------------- XML Spreadsheet 2003


def _xml_cell(value, index: int | None, merge: tuple[int, int] | None) -> str:
    attrs = f' ss:Index="{index}"' if index else ""
    if merge:
        across, down = merge
        attrs += (f' ss:MergeAcross="{across}"' if across else "") + (f' ss:MergeDown="{down}"' if down else "")
    if value is None or value == "":
        return f"<Cell{attrs}/>" if merge else ""
    if isinstance(value, dt.datetime):
        return f'<Cell ss:StyleID="s62"{attrs}><Data ss:Type="DateTime">{value:%Y-%m-%dT%H:%M:%S}.000</Data></Cell>'
    if isinstance(value, bool):
        return f'<Cell{attrs}><Data ss:Type="Boolean">{int(value)}</Data></Cell>'
    if isinstance(value, int | float):
        number = int(value) if float(value).is_integer() else value  # as Excel writes it: 3540101000006
        return f'<Cell{attrs}><Data ss:Type="Number">{number}</Data></Cell>'
    text = html.escape(str(value), quote=False).replace("\n", "&#10;")
    return f'<Cell{attrs}><Data ss:Type="String">{text}</Data></Cell>'


def _xml_spreadsheet(sheets: dict, merged: dict | None = None) -> bytes:
    """As Excel 2003 saves "XML Spreadsheet": empty cells and rows left out, the next one
    carrying ss:Index; merged cells as MergeAcross/MergeDown, the cells they cover left out."""
    out = [
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"\n'
        ' xmlns:o="urn:schemas-microsoft-com:office:office"\n xmlns:x="urn:schemas-microsoft-com:office:excel"\n'
        ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"\n xmlns:html="http://www.w3.org/TR/REC-html40">\n'
        ' <DocumentProperties xmlns="urn:schemas-microsoft-com:office:office">\n  <Author>อบต.น้ำชำ</Author>\n'
        "  <Version>11.9999</Version>\n </DocumentProperties>\n"
        ' <ExcelWorkbook xmlns="urn:schemas-microsoft-com:office:excel">\n'
        "  <ProtectStructure>False</ProtectStructure>\n </ExcelWorkbook>\n <Styles>\n"
        '  <Style ss:ID="Default" ss:Name="Normal"><Alignment ss:Vertical="Bottom"/><Font x:CharSet="222"/></Style>\n'
        '  <Style ss:ID="s62"><NumberFormat ss:Format="Short Date"/></Style>\n </Styles>\n'
    ]
    for name, rows in sheets.items():
        spans = {(r, c): (a, d) for r, c, a, d in (merged or {}).get(name, [])}
        covered = {
            (r + i, c + j) for (r, c), (a, d) in spans.items() for i in range(d + 1) for j in range(a + 1)
        } - set(spans)
        width = max((len(r) for r in rows), default=0)
        out.append(
            f' <Worksheet ss:Name="{html.escape(name)}">\n  <Table ss:ExpandedColumnCount="{width}" '
            f'ss:ExpandedRowCount="{len(rows)}" x:FullColumns="1" x:FullRows="1">\n'
        )
        last_row = 0
        for r, row in enumerate(rows):
            cells, last_col = [], 0
            for c, v in enumerate(row):
                if (r, c) in covered or (v in (None, "") and (r, c) not in spans):
                    continue
                cells.append(_xml_cell(v, c + 1 if c != last_col else None, spans.get((r, c))))
                last_col = c + 1 + spans.get((r, c), (0, 0))[0]
            if not cells:
                continue
            index = f' ss:Index="{r + 1}"' if r != last_row else ""
            out.append(f"   <Row{index}>" + "".join(cells) + "</Row>\n")
            last_row = r + 1
        out.append(
            '  </Table>\n  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">\n'
            "   <ProtectObjects>False</ProtectObjects>\n  </WorksheetOptions>\n </Worksheet>\n"
        )
    out.append("</Workbook>\n")
    return "".join(out).encode("utf-8")


def _layout_sheets() -> tuple[dict, dict, dict]:
    """A village workbook with a header block, a blank row and a two-row merged header on the
    household sheet (as openpyxl ranges and as XML merges), IDs as numbers, faults."""
    s = _with_faults(village_sheets(months=2))
    for r in s["วิทยากร"][1:]:
        r[3] = float(r[3])  # Excel keeps a typed ID as a number
    hh = s["ครัวเรือน"]
    block = [["ปีงบประมาณ", 2569], [None]]
    top = hh[0][:10] + ["ก่อนฝึก (บาท/เดือน)", None] + hh[0][12:]
    sub = [None] * 10 + ["รายได้", "รายจ่าย", None, None]
    s["ครัวเรือน"] = block + [top, sub] + hh[1:]
    xlsx_merges = {"ครัวเรือน": ["K3:L3"] + [f"{c}3:{c}4" for c in "ABCDEFGHIJMN"]}
    xml_merges = {"ครัวเรือน": [(2, 10, 1, 0)] + [(2, c, 0, 1) for c in [*range(10), 12, 13]]}
    return s, xlsx_merges, xml_merges


@pytest.mark.parametrize("name", ["tracking.xml", "tracking.xls", "really_xml.xlsx"])
def test_an_xml_spreadsheet_loads_exactly_what_the_xlsx_loads(con, tmp_path, register_csv, name):
    sheets, xlsx_merges, xml_merges = _layout_sheets()
    path = tmp_path / name
    path.write_bytes(_xml_spreadsheet(sheets, xml_merges))
    assert b"ss:Index" in path.read_bytes() and b'ss:Type="DateTime"' in path.read_bytes()
    o = ingest.ingest(con, [path])[0]
    assert (o.status, o.rows_loaded, o.rows_rejected, o.rows_skipped) == ("loaded", 61, 4, 0), o.message
    got = loaded(con)
    other = _fresh(tmp_path, register_csv, "xlsx")
    ingest.ingest(other, [write_xlsx(tmp_path / "same.xlsx", sheets, merged=xlsx_merges)])
    want = loaded(other)
    other.close()
    assert got == want  # rejected rows with their row numbers (ss:Index counts the blank row)
    assert ("ครัวเรือน", 7, "income_before") in {r[:3] for r in got["rejected"]}
    trained = con.execute("SELECT DISTINCT trained_on FROM household").fetchall()
    assert trained == [(dt.date(2025, 10, 5),)]  # a DateTime cell


def test_xml_spreadsheet_index_merges_and_types_as_calamine_gives_them(tmp_path):
    from pipelines.ingest.workbook import read

    path = tmp_path / "x.xml"
    path.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        b'<ss:Workbook xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><ss:Worksheet ss:Name="A">'
        b'<ss:Table><ss:Row><ss:Cell ss:MergeAcross="1"><ss:Data ss:Type="String">h&#10;1</ss:Data></ss:Cell>'
        b'<ss:Cell ss:Index="4"><ss:Data ss:Type="Number">2.5</ss:Data></ss:Cell></ss:Row>'
        b'<ss:Row ss:Index="3"><ss:Cell><ss:Data ss:Type="DateTime">2025-10-05T13:30:00.000</ss:Data></ss:Cell>'
        b'<ss:Cell><ss:Data ss:Type="Boolean">1</ss:Data></ss:Cell><ss:Cell ss:StyleID="s1"/>'
        b'<ss:Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>b</B>old</ss:Data>'
        b"</ss:Cell></ss:Row></ss:Table></ss:Worksheet></ss:Workbook>"
    )
    (grid,) = read(path)
    assert grid.name == "A" and grid.merged == [((0, 0), (0, 1))]
    assert grid.rows == [
        ["h\n1", "", "", 2.5],
        ["", "", "", ""],
        [dt.datetime(2025, 10, 5, 13, 30), True, "", "bold"],
    ]


# ----------------------------------------------------------------------------- Unicode Text


def _unicode_text(path: Path, rows: list[list]) -> Path:
    """Excel's "Unicode Text": UTF-16 LE with a BOM, tab-separated, CRLF, text quoted only when needed."""

    def cell(v):
        if v is None:
            return ""
        if isinstance(v, dt.date):
            return f"{v.day}/{v.month}/{v.year}"  # Excel writes the date as displayed (CE here)
        s = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
        return f'"{s}"' if any(ch in s for ch in '\t\n"') else s

    text = "\r\n".join("\t".join(cell(v) for v in row) for row in rows) + "\r\n"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    return path


def test_unicode_text_sheets_named_txt_and_csv_load_from_a_folder_in_order(con, tmp_path):
    s = village_sheets(months=1)
    s["ครัวเรือน"][0][5] = "สมาชิกในครัวเรือน\n(คน)"  # a header with a line break, quoted by Excel
    s["ครัวเรือน"][6][5] = "สี่"  # not a number: line 8 (the quoted header spans two lines)
    block = [["อำเภอ", "เมืองแพร่"], ["ตำบล", "น้ำชำ"], ["หมู่ที่", "1"], ["ประจำเดือน", "ต.ค. 68"], []]
    folder = tmp_path / "in"
    folder.mkdir()
    # written follow-up first: only reading their content puts them in order
    for name, sheet in [("c.txt", "ติดตาม"), ("b.csv", "ครัวเรือน"), ("a.txt", "วิทยากร")]:
        _unicode_text(folder / name, block + s[sheet])
        time.sleep(0.01)
    files, ignored = discover_with_ignored([folder])
    assert [f.name for f in files] == ["a.txt", "b.csv", "c.txt"] and ignored == []
    outcomes = ingest.ingest(con, [folder])
    assert [(Path(o.path).name, o.status, o.rows_loaded, o.rows_rejected) for o in outcomes] == [
        ("a.txt", "loaded", 5, 0),
        ("b.csv", "loaded", 19, 1),
        ("c.txt", "loaded", 19, 1),  # the rejected household's follow-up row names it
    ]
    assert con.execute("SELECT sheet, row_number, column_name FROM rejected_row ORDER BY ALL").fetchall() == [
        ("b.csv", 13, "members"),
        ("c.txt", 12, "citizen_id"),
    ]


# ----------------------------------------------------------------------------- passwords


def _encrypt(src: Path, dst: Path, password: str = "1234") -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as fh, open(dst, "wb") as out:
        OOXMLFile(fh).encrypt(password, out)
    return dst


def test_a_password_protected_xlsx_is_refused_saying_so(con, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", village_sheets())
    locked = _encrypt(good, tmp_path / "locked.xlsx")
    assert locked.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # an OLE2 container, as Excel writes it
    o = ingest.ingest(con, [locked])[0]
    assert (o.status, o.message, o.unreadable) == ("refused", PASSWORD, True)
    assert con.execute("SELECT status, message, rows_loaded FROM source_file").fetchall() == [("refused", PASSWORD, 0)]
    assert con.execute("SELECT count(*) FROM household").fetchone() == (0,)


def test_a_password_protected_file_in_a_folder_is_taken_and_refused_beside_good_ones(con, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    sheets = village_sheets()
    write_xlsx(folder / "a.xlsx", sheets)
    _encrypt(write_xlsx(tmp_path / "b.xlsx", sheets), folder / "b_locked.xls")  # a .xls name: content decides
    _encrypt(write_xlsx(tmp_path / "c.xlsx", sheets), folder / "c_locked.dat")
    files, ignored = discover_with_ignored([folder])
    assert sorted(f.name for f in files) == ["a.xlsx", "b_locked.xls", "c_locked.dat"] and ignored == []
    outcomes = {Path(o.path).name: (o.status, o.message) for o in ingest.ingest(con, [folder])}
    assert outcomes == {
        "a.xlsx": ("loaded", None),
        "b_locked.xls": ("refused", PASSWORD),
        "c_locked.dat": ("refused", PASSWORD),
    }
    assert con.execute("SELECT count(*) FROM household").fetchone() == (20,)


# ----------------------------------------------------------------------------- folders


def _docx(path: Path) -> Path:
    """The parts Word writes for a one-paragraph document."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        zf.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            "<w:p><w:r><w:t>หนังสือนำส่ง</w:t></w:r></w:p></w:body></w:document>",
        )
    return path


_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def test_a_folder_takes_exports_by_content_and_lists_what_it_leaves_out(con, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "_old").mkdir()
    sheets = village_sheets()
    page = folder / "report.xls"  # a web system's HTML saved as .xls
    page.write_text(_gov_html(village_sheets()), encoding="utf-8")
    xml_as_xlsx = folder / "sub" / "v2.xlsx"  # an XML Spreadsheet under an .xlsx name
    s2 = village_sheets(village_serial=2)
    s2["ข้อมูลหมู่บ้าน"] = [["รหัสหมู่บ้าน", "54010302"], ["ปีงบประมาณ", 2569]]
    xml_as_xlsx.write_bytes(_xml_spreadsheet(s2))
    no_suffix = folder / "sub" / "export"  # a workbook without a suffix
    s3 = village_sheets(village_serial=3)
    s3["ข้อมูลหมู่บ้าน"] = [["รหัสหมู่บ้าน", "54040201"], ["ปีงบประมาณ", 2569]]
    no_suffix.write_bytes(write_xlsx(tmp_path / "s3.xlsx", s3).read_bytes())
    _docx(folder / "หนังสือนำส่ง.docx")
    (folder / "scan.pdf").write_bytes(_PDF)
    (folder / "photo.png").write_bytes(_PNG)
    with zipfile.ZipFile(folder / "csvs.zip", "w") as zf:
        zf.writestr("a.csv", "x,y\n1,2\n")
    (folder / "notes.txt").write_text("ส่งข้อมูลเดือนตุลาคม\nครบทุกหมู่บ้าน\n", encoding="utf-8")
    (folder / "index.html").write_text("<html><body><p>ไม่มีตาราง</p></body></html>", encoding="utf-8")
    (folder / "empty.bin").write_bytes(b"")
    (folder / "~$report.xls").write_bytes(b"lock")  # left out silently, as are these:
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    write_xlsx(folder / "_old" / "v.xlsx", sheets)
    (folder / "register_2568.csv").write_text("village_code,village_name\n", encoding="utf-8")

    files, ignored = discover_with_ignored([folder])
    assert sorted(f.relative_to(folder).as_posix() for f in files) == ["report.xls", "sub/export", "sub/v2.xlsx"]
    reasons = {f.name: why for f, why in ignored}
    assert set(reasons) == {
        "หนังสือนำส่ง.docx",
        "scan.pdf",
        "photo.png",
        "csvs.zip",
        "notes.txt",
        "index.html",
        "empty.bin",
    }
    assert "Word" in reasons["หนังสือนำส่ง.docx"] and "PDF" in reasons["scan.pdf"]
    assert "image" in reasons["photo.png"] and "zip" in reasons["csvs.zip"]
    assert "without tables" in reasons["index.html"] and "tracking table" in reasons["notes.txt"]
    assert all(why.isprintable() and "(" in why for why in reasons.values())  # Thai, then English
    assert ingest.discover([folder]) == files

    outcomes = ingest.ingest(con, [folder])
    assert sorted((Path(o.path).name, o.status, o.village_code, o.rows_loaded) for o in outcomes) == [
        ("export", "loaded", "54040201", 45),
        ("report.xls", "loaded", "54010301", 45),
        ("v2.xlsx", "loaded", "54010302", 45),
    ]
    assert con.execute("SELECT count(*) FROM source_file").fetchone() == (3,)
    assert con.execute("SELECT count(DISTINCT village_code) FROM household").fetchone() == (3,)


def test_a_file_named_explicitly_is_taken_and_refused_with_what_it_is(con, tmp_path):
    docx = _docx(tmp_path / "letter.docx")
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(_PDF)
    word_as_xls = tmp_path / "mislabelled.xls"
    word_as_xls.write_bytes(docx.read_bytes())
    assert discover_with_ignored([docx, pdf, word_as_xls])[1] == []
    outcomes = {Path(o.path).name: o for o in ingest.ingest(con, [docx, pdf, word_as_xls])}
    assert {n: o.status for n, o in outcomes.items()} == dict.fromkeys(outcomes, "refused")
    assert "Word" in outcomes["letter.docx"].message and "Word" in outcomes["mislabelled.xls"].message
    assert "PDF" in outcomes["scan.pdf"].message


# ----------------------------------------------------------------------------- hostile markup


def _xml_head(body: str, doctype: str = "") -> bytes:
    return (
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        f'{doctype}<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        f'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">{body}</Workbook>'
    ).encode()


_BOMB = (
    '<!DOCTYPE Workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n'
)
_EXTERNAL = '<!DOCTYPE Workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
_CELL = (
    '<Worksheet ss:Name="วิทยากร"><Table><Row><Cell><Data ss:Type="String">{}</Data></Cell></Row></Table></Worksheet>'
)


@pytest.mark.parametrize(
    "name, data, needle",
    [
        ("bomb.xml", _xml_head(_CELL.format("&d;"), _BOMB), "unsafe XML"),
        ("xxe.xls", _xml_head(_CELL.format("&x;"), _EXTERNAL), "unsafe XML"),
        (
            "far.xml",
            _xml_head('<Worksheet ss:Name="a"><Table><Row ss:Index="900000000"><Cell/></Row></Table></Worksheet>'),
            "900000000",
        ),
        (
            "wide.xml",
            _xml_head('<Worksheet ss:Name="a"><Table><Row><Cell ss:MergeAcross="5000"/></Row></Table></Worksheet>'),
            "5000",
        ),
        ("cut.xml", _xml_head(_CELL.format("x"))[:-40], "unreadable or unsafe XML"),
        ("span.xls", b"<html><table><tr><td colspan=99999>x</td><td>y</td></tr></table></html>", "implausibly wide"),
        (
            "tall.html",
            b"<html><table><tr><td rowspan=50>x</td>" + b"<td>y</td>" * 999 + b"</tr>" + b"<tr>" * 6000 + b"</table>",
            "implausibly large",
        ),
        ("no_tables.xls", b"<html><body><p>export failed</p></body></html>", "without tables"),
        ("binary.xls", b"\x00\x01\x02\x03" * 100, "neither a workbook nor text"),
        ("utf16.xlsx", b"\xff\xfe" + "a\tb\r\n".encode("utf-16-le"), "not a valid .xlsx"),
    ],
)
def test_hostile_or_broken_exports_are_refused_with_one_line(con, tmp_path, name, data, needle):
    path = tmp_path / name
    path.write_bytes(data)
    o = ingest.ingest(con, [path])[0]
    assert o.status == "refused" and o.unreadable and needle in o.message, o.message
    assert "\n" not in o.message and "Traceback" not in o.message
    assert con.execute("SELECT count(*) FROM rejected_row").fetchone() == (0,)


def test_a_utf16_csv_and_a_bom_csv_of_one_sheet_read_alike(tmp_path):
    from pipelines.ingest.workbook import read

    rows = [["รหัสหมู่บ้าน", "54010301"], ["ชื่อ-สกุล", "เลขประจำตัวประชาชน"], ["ก ข", citizen_id("154010101000")]]
    utf16 = _unicode_text(tmp_path / "a.txt", rows)
    utf8 = tmp_path / "b.csv"
    utf8.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(",".join(r) for r in rows).encode("utf-8") + b"\r\n")
    (a,), (b,) = read(utf16), read(utf8)
    assert a.rows == b.rows == rows and a.lines == b.lines == [1, 2, 3]
