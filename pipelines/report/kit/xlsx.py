"""Every table a report shows, also as an .xlsx beside it: numbers stay numbers (with the
page's format), text is what the page shows, IDs masked, no cell ever a formula."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from pipelines import config
from pipelines.report.kit.html import Fmt, Raw, esc, table
from pipelines.report.kit.rows import records
from pipelines.thai import fmt as tf
from pipelines.thai.fmt import inert, mask_citizen_id, mask_ids

_NAME = re.compile(r"[a-z0-9_]+")


_TAG = re.compile(r"<[^>]*>")


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


class Downloads:
    """Every table a report shows, also as an .xlsx beside it, linked under the table.

    Files: ``<output_dir>/<code>/<code>_<name>.xlsx``; ``output_dir`` is the folder of the
    report's HTML (report.py passes it). Empty when the notebook runs by hand: then
    ``reports/<YYYY-MM>/<kind>/`` with links relative to the notebook. A report's files of an
    earlier run go first, so no table it no longer shows is left behind.

    ``one_file``: every table of the report as a sheet of one workbook, ``<code>/<code>.xlsx``,
    written by ``close()`` (a village report: one file instead of six, a fifth of the cost).
    """

    def __init__(self, output_dir, kind: str, code: str, month, one_file: bool = False):
        base = Path(output_dir) if output_dir else config.REPORTS_DIR / f"{tf.parse_month(month):%Y-%m}" / kind
        self.code = str(code)
        self.folder = base.resolve() / self.code
        self.link_from = (Path(output_dir) if output_dir else Path.cwd()).resolve()
        self.sheets: list | None = [] if one_file else None
        if self.folder.is_dir():
            for old in [*self.folder.glob(f"{self.code}_*.xlsx"), self.folder / f"{self.code}.xlsx"]:
                old.unlink(missing_ok=True)

    def path(self, name: str) -> Path:
        if not _NAME.fullmatch(name):
            raise ValueError(f"table name {name!r}: lower-case letters, digits and _ only")
        return self.folder / f"{self.code}_{name}.xlsx"

    def table(
        self,
        name: str,
        df,
        columns: dict[str, str],
        *,
        limit: int | None = None,
        caption: str = "",
        sheet: str = "",
        xlsx_columns: dict[str, str] | None = None,
        **kwargs,
    ) -> str:
        """``table(...)`` and its download link; ``limit`` shortens the page, never the file;
        ``xlsx_columns`` when the file should carry other columns (numbers the page joins into text)."""
        shown = df
        if limit is not None and len(df) > limit:
            shown = df.head(limit)
            caption = (
                caption + " " if caption else ""
            ) + f"(แสดง {tf.number(limit)} จาก {tf.number(len(df))} รายการ ทั้งหมดอยู่ในไฟล์ Excel)"
        return table(shown, columns, caption=caption, **kwargs) + self.link(
            name, df, xlsx_columns or columns, formats=kwargs.get("formats"), sheet=sheet
        )

    def written(self, name: str, write: Callable[[Path], Path], text: str = "ดาวน์โหลดตารางนี้ (Excel .xlsx)") -> str:
        """The link to a workbook another part of sammachip writes (``write(path)``), such as the
        district to-do list, so the page and the file hold the same rows."""
        path = write(self.path(name))
        href = Path(os.path.relpath(path, self.link_from)).as_posix()
        return f'<p class="rk-download"><a href="{esc(href)}" download>{esc(text)}</a></p>'

    def link(self, name: str, df, columns: dict[str, str], formats: dict | None = None, sheet: str = "") -> str:
        """Write the .xlsx of a frame (or, one_file, keep it for its sheet) and return the link."""
        if self.sheets is not None:
            self.sheets.append((sheet or name, df, columns, formats))
            path = self.folder / f"{self.code}.xlsx"
            text = f"ดาวน์โหลดตารางนี้ (Excel .xlsx แผ่นงาน {sheet or name})"
        else:
            path = write_xlsx(self.path(name), df, columns, formats, sheet)
            text = "ดาวน์โหลดตารางนี้ (Excel .xlsx)"
        href = Path(os.path.relpath(path, self.link_from)).as_posix()
        return f'<p class="rk-download"><a href="{esc(href)}" download>{esc(text)}</a></p>'

    def close(self) -> Path | None:
        """one_file: write the report's workbook (every table linked so far, a sheet each)."""
        if not self.sheets:
            return None
        return write_workbook(self.folder / f"{self.code}.xlsx", self.sheets)


def _is_number(v) -> bool:
    import numpy as np

    return isinstance(v, (int, float, Decimal, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def excel_value(v, fmt=None):
    """What one spreadsheet cell holds: (number, number format), (text, None) or (None, None).

    Text is what the page shows, without its HTML; citizen IDs masked, and never a formula
    (a leading = + - @ made inert, as in the district to-do lists).
    """
    if isinstance(fmt, Fmt) and fmt.value is not None:  # the column says what its cells hold
        v = fmt.value(v)
        if tf.is_missing(v):
            return None, None
        if _is_number(v) and fmt.excel:
            return float(v), fmt.excel
        return inert(mask_ids(str(v))), None
    if tf.is_missing(v):
        return None, None
    if _is_number(v):
        if isinstance(fmt, Fmt) and fmt.excel:
            return float(v), fmt.excel
        if fmt is None:
            if float(v).is_integer() and len(str(int(v))) == 13:  # an ID typed as a number
                return mask_citizen_id(int(v)), None
            return (int(v) if float(v).is_integer() and not isinstance(v, (float, Decimal)) else float(v)), None
    if fmt is not None:
        text = fmt(v)
    elif isinstance(v, (dt.date, dt.datetime)):
        text = tf.date_be(v)
    elif isinstance(v, bool):
        text = "ใช่" if v else "ไม่ใช่"
    else:
        text = v
    text = html.unescape(_TAG.sub(" ", text)).strip() if isinstance(text, Raw) else str(text)
    text = re.sub(r"\s{2,}", " ", text)
    return inert(mask_ids(text)), None


def write_xlsx(path: Path, df, columns: dict[str, str], formats: dict | None = None, sheet: str = "") -> Path:
    """One sheet: the Thai headers of the page, a row per frame row; written whole or not at all."""
    return write_workbook(path, [(sheet, df, columns, formats)])


def write_workbook(path: Path, sheets: list[tuple[str, object, dict[str, str], dict | None]]) -> Path:
    """A sheet per (name, frame, columns, formats): the Thai headers of the page, a row per
    frame row; written whole or not at all."""
    with tf.workbook(path) as wb:
        head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "top"})
        text_fmt = wb.add_format({"valign": "top"})
        num_fmts: dict[str, object] = {}
        used: set[str] = set()
        for sheet, df, columns, formats in sheets:
            formats = formats or {}
            name = (_SHEET_BAD.sub(" ", sheet).strip(" '")[:31]) or "ตาราง"
            while name in used:  # two tables of one name: number the second
                name = f"{name[:28]} {len(used) + 1}"
            used.add(name)
            ws = wb.add_worksheet(name)
            widths = [len(h) for h in columns.values()]
            ws.write_row(0, 0, [inert(h) for h in columns.values()], head)
            for r, rec in enumerate(records(df), start=1):
                for c, col in enumerate(columns):
                    value, number_format = excel_value(rec.get(col), formats.get(col))
                    if value is None:
                        continue
                    if isinstance(value, str):
                        ws.write_string(r, c, value, text_fmt)
                        widths[c] = max(widths[c], len(value))
                    else:
                        if number_format and number_format not in num_fmts:
                            num_fmts[number_format] = wb.add_format({"num_format": number_format, "valign": "top"})
                        ws.write_number(r, c, value, num_fmts.get(number_format))
                        widths[c] = max(widths[c], len(f"{value:,.2f}"))
            for c, w in enumerate(widths):
                ws.set_column(c, c, min(60, max(8, w * 1.1)))
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(1, len(df)), max(0, len(columns) - 1))
    return path
