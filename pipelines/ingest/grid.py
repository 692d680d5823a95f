"""What every reader of `workbook.read` returns (a Grid per sheet), what it raises for a file
it will not read (FileRefused), and the size limits each reader holds a file to."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_COLUMNS = 1000  # a tracking sheet has about 20; more is not a workbook we can trust
MAX_ROWS = 100_000
MAX_CELLS = 5_000_000  # rows × columns of one sheet: 100,000 rows of 50 columns
MAX_SHEETS = 1000  # sheets (an HTML page's tables, an XML Spreadsheet's worksheets) in one file


class FileRefused(Exception):
    """The whole file is refused; the message says why, in Thai and English (one line)."""


@dataclass
class Grid:
    name: str  # the sheet's name as it stands (CSV: the file name)
    rows: list[list]  # cell values; rows[0] is spreadsheet row 1
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    lines: list[int] | None = None  # CSV: the line each row starts on (cells may hold line breaks)

    def row_numbers(self, start: int = 0):
        """The 1-based spreadsheet row (CSV: line number) of each grid row from `start` on."""
        return self.lines[start:] if self.lines is not None else range(start + 1, len(self.rows) + 1)


def too_large(sheet: str, rows: int, columns: int) -> FileRefused:
    return FileRefused(
        f"ชีต '{sheet}' มีขนาดผิดปกติ {rows} แถว × {columns} คอลัมน์ "
        f"(sheet '{sheet}' is implausibly large: {rows} rows × {columns} columns)"
    )


def check_size(sheet: str, rows: int, columns: int) -> None:
    """FileRefused when a sheet of rows × columns is larger than any tracking sheet can be."""
    if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise too_large(sheet, rows, columns)
