"""Hostile files are refused with one clear line; the warehouse stays untouched."""

import zipfile

import openpyxl
import pytest
from conftest import village_sheets, write_xlsx

from pipelines import ingest


def _untouched(con):
    return (
        con.execute(
            "SELECT (SELECT count(*) FROM trainer_row) + (SELECT count(*) FROM household_row) "
            "+ (SELECT count(*) FROM followup_row) + (SELECT count(*) FROM rejected)"
        ).fetchone()[0]
        == 0
    )


def _zip_bomb(path):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = b"0" * (1 << 20)
            for _ in range(64):
                fh.write(chunk)
    return path


def _wide(path, columns=16_000):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("วิทยากร")
    ws.append(["x"] * columns)
    wb.save(path)
    return path


def _bytes(data):
    def make(path):
        path.write_bytes(data(path) if callable(data) else data)
        return path

    return make


@pytest.mark.parametrize(
    "make,needle",
    [
        (_bytes(b""), "empty"),
        (_bytes(b"hello, I am not a workbook"), "xlsx"),
        (_bytes(lambda p: write_xlsx(p.with_name("src.xlsx"), village_sheets()).read_bytes()[:3000]), "damaged"),
        (_zip_bomb, "zip bomb"),
        (_wide, "16000"),
    ],
)
def test_hostile_file_refused(con, tmp_path, make, needle):
    path = make(tmp_path / "hostile.xlsx")
    (o,) = ingest.ingest(con, [path])
    assert o.status == "refused" and needle in o.message and "\n" not in o.message
    assert _untouched(con)


@pytest.mark.parametrize("name", ["หมู่ 1 (ฉบับแก้ไข) ล่าสุด!!.xlsx", "a;b'c\"d $(rm -rf).xlsx", "-v.xlsx", ".xlsx.xlsx"])
def test_odd_file_names_load(con, tmp_path, name):
    path = write_xlsx(tmp_path / name, village_sheets())
    (o,) = ingest.ingest(con, [path])
    assert o.status == "loaded" and o.path == str(path)
    assert con.execute("SELECT path FROM source_file").fetchone()[0] == str(path)


def test_unknown_extension_refused(con, tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    (o,) = ingest.ingest(con, [path])
    assert o.status == "refused" and _untouched(con)
