"""fmt.workbook: every spreadsheet the product writes is whole or absent, and its text stays text."""

from __future__ import annotations

import openpyxl
import pytest

from pipelines.thai import fmt


def test_a_workbook_is_written_whole_and_its_text_stays_text(tmp_path):
    path = tmp_path / "out" / "list.xlsx"
    with fmt.workbook(path) as wb:
        ws = wb.add_worksheet("a")
        ws.write(0, 0, "=1+1")
        ws.write(1, 0, "0812345678")
        ws.write(2, 0, "https://example.org")
    cells = [c.value for c in openpyxl.load_workbook(path)["a"]["A"]]
    assert cells == ["=1+1", "0812345678", "https://example.org"]  # no formula, number or link made of them
    assert openpyxl.load_workbook(path)["a"]["A1"].data_type == "s"
    assert [p.name for p in path.parent.iterdir()] == ["list.xlsx"]


def test_an_error_while_writing_leaves_the_old_file_and_no_part_of_the_new(tmp_path):
    path = tmp_path / "list.xlsx"
    with fmt.workbook(path) as wb:
        wb.add_worksheet("old")
    with pytest.raises(RuntimeError), fmt.workbook(path) as wb:
        wb.add_worksheet("new")
        raise RuntimeError("a bug half-way")
    assert openpyxl.load_workbook(path).sheetnames == ["old"]
    assert [p.name for p in tmp_path.iterdir()] == ["list.xlsx"]
