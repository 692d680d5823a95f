"""Turn the rows of a located table into typed records, refusals and skips: the column
machinery every sheet uses, and the roster sheets (trainers, households). The follow-up
sheet: followup.py.

Rules: ../shared/spec/tracking-workbook.md; choices where it is silent: docs/decisions.md.

Work goes column by column: each column's distinct values are parsed once (a sheet repeats
the same months, answers, amounts and IDs row after row) and the results mapped back onto
the rows. Only rows that need a decision of their own (a refusal, a name, a reference) are
looked at one by one. The records come out as columns, ready to become one Arrow table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import zip_longest

import numpy as np

from pipelines.ingest import workbook
from pipelines.ingest.workbook import Table, _cell_text, synonyms, typed_rows
from pipelines.thai import parse


@dataclass
class Rejection:
    sheet: str
    row_number: int  # 1-based spreadsheet row (CSV: line number)
    column_name: str | None  # spec key, or None when the whole row is at fault
    value: str | None
    reason: str


@dataclass
class SheetResult:
    """A sheet's records as columns (`columns[name][i]` is record i's value; money in whole
    satang), plus what the sheet refused and skipped. Every record of a sheet shares `sheet`,
    `fiscal_year` and `village_code` (kept once in `constants`)."""

    sheet: str
    kind: str
    constants: dict = field(default_factory=dict)
    columns: dict[str, list] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    skipped: int = 0
    n: int = 0
    months: dict[dt.date, int] = field(default_factory=dict)  # follow-up: records per month carried
    people: People | None = field(default=None, repr=False, compare=False)  # roster: see people_of
    # roster: (citizen ID or None, name or None, row number) of each refused person row, so a
    # row that refers to one says which row to fix instead of "not found"
    refused_people: list[tuple[str | None, str | None, int]] = field(default_factory=list)


def satang(value) -> int:
    """An amount in baht (parse.money's rules) as whole satang: records keep money as ints,
    which travel between processes and into Arrow far faster than Decimals."""
    return int(parse.money(value).scaleb(2))


_NUMBERS = {int, float}


def _satang_column(values, required: bool, blank) -> list | None:
    """A money column of plain numbers (blanks allowed), in one numpy pass; None when any
    cell needs parse.money's own reading (text, a refusal, more than two decimals)."""
    types = set(map(type, values))
    if not types & _NUMBERS or not types <= _NUMBERS | {type(None), str}:
        return None
    blanks = [i for i, v in enumerate(values) if v is None or v.__class__ is str]
    if blanks and (required or any(values[i] is not None and values[i].strip() for i in blanks)):
        return None
    numbers = (
        np.array([0.0 if v is None or v.__class__ is str else v for v in values], dtype=np.float64)
        if blanks
        else np.asarray(values, dtype=np.float64)
    )
    hundredths = numbers * 100
    whole = np.rint(hundredths)
    if not ((numbers >= 0) & (numbers < 1e10) & (np.abs(hundredths - whole) < 1e-6)).all():
        return None
    out = whole.astype(np.int64).tolist()
    for i in blanks:
        out[i] = blank
    return out


REQUIRED = "ไม่ได้กรอกข้อมูลที่จำเป็น (required value missing)"


class RowFault(Exception):
    def __init__(self, column: str | None, value, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


class Fault:
    """A refused cell value: what was written and why."""

    __slots__ = ("value", "reason")

    def __init__(self, value: str | None, reason: str):
        self.value, self.reason = value, reason


BLANK = object()  # a blank cell, where blank and None must stay apart (wide follow-up)


def raw_text(value) -> str | None:
    if parse.is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def name_key(name: str | None) -> str:
    """How names are compared: no title, no spaces."""
    if not name:
        return ""
    return parse.strip_title(parse.text(name) or "")[1].replace(" ", "")


# ----------------------------------------------------------------------------- columns


def _keys(values) -> tuple[list, bool]:
    """Hashable keys for a column's cells, and whether a key is (type, value).

    1, 1.0 and True are equal as dict keys; they parse alike except that True is no
    number, so a column mixing booleans with numbers is keyed by type as well."""
    types = set(map(type, values))
    if bool in types and (int in types or float in types):
        return list(zip(map(type, values), values)), True
    return values if isinstance(values, list) else list(values), False


def column(values, parser: Callable, required: bool = False, blank=None) -> tuple[list, bool]:
    """parser() over a column, once per distinct value. Blank cells give `blank` (a refusal
    when required); a ValueError gives a Fault. Returns (results, any refusal)."""
    if parser is satang:
        fast = _satang_column(values, required, blank)
        if fast is not None:
            return fast, False
    keys, typed = _keys(values)
    memo: dict = {}
    faulty = False
    missing = Fault(None, REQUIRED) if required else blank
    try:
        distinct = dict.fromkeys(keys)
    except TypeError:  # an unhashable cell: parse cell by cell
        keys, typed = list(enumerate(values)), True
        distinct = dict.fromkeys(keys)
    for k in distinct:
        v = k[1] if typed else k
        if v is None or (v.__class__ is str and not v.strip()):
            out = missing
        else:
            try:
                out = parser(v)
            except ValueError as exc:
                out = Fault(raw_text(v), str(exc))
        if out.__class__ is Fault:
            faulty = True
        memo[k] = out
    return list(map(memo.__getitem__, keys)), faulty


def _faults(results: list) -> list[int]:
    return [i for i, x in enumerate(results) if x.__class__ is Fault]


def _pick(values, idx: list[int] | None) -> list:
    return list(values) if idx is None else [values[i] for i in idx]


class Rows:
    """The data rows of a table, as columns: blank, header and total rows left out and counted."""

    def __init__(self, table: Table, result: SheetResult):
        grid = table.grid
        start = table.first_data_row
        rows = grid.rows[start:]
        cols = list(zip_longest(*rows, fillvalue=None)) if rows else []
        skip = _skipped_rows(table, cols, len(rows))
        result.skipped += len(skip)
        idx = None if not skip else [i for i in range(len(rows)) if i not in skip]
        self.n = len(rows) - len(skip)
        numbers = grid.row_numbers(start)
        self.numbers = list(numbers) if idx is None else [numbers[i] for i in idx]
        self._cols, self._idx, self._cache = cols, idx, {}

    def col(self, c: int | None) -> list:
        """Column c's cells over the data rows (None past the row's end, or c is None)."""
        if c is None or c >= len(self._cols):
            return [None] * self.n
        if c not in self._cache:
            self._cache[c] = _pick(self._cols[c], self._idx)
        return self._cache[c]


_NON_TEXT = {"true", "false", "nan", "inf", "-inf"}


def _skipped_rows(table: Table, cols: list, n: int) -> set[int]:
    """Rows that are blank, repeat the header, or are totals (first texts รวม / total).

    Per column, the distinct values that are blank, header text or a totals word are found
    once; rows are then looked at only where such values occur."""
    if not cols:
        return set(range(n))
    header = table.header_text
    totals = synonyms()["totals"]
    blank_of: list[set] = []  # per column: its blank values
    same_of: dict[int, set] = {}  # column -> its values that read as that column's header
    total_of: dict[int, set] = {}  # column -> its values that read as a totals word
    full_column = False  # a column without a blank cell: no row is blank
    cols = list(cols)  # the cells as looked up below (typed keys where needed)
    for c, col in enumerate(cols):
        hdr = header.get(c, ())
        # A number, date or boolean reads as digits (or true/false): unless this column's header
        # does too, such a cell is filled and is neither header nor total text.
        plain = not any(h.isdigit() or h in _NON_TEXT for h in hdr)
        keys, typed = (col, False) if plain else _keys(col)
        blanks, same, total = set(), set(), set()
        for k in dict.fromkeys(keys):
            v = k[1] if typed else k
            if v.__class__ is str:
                t = v.strip()
            elif v is None:
                t = ""
            elif plain:
                continue
            else:
                t = _cell_text(v)
            if not t:
                blanks.add(k)
                continue
            h = workbook._norm_header(t)  # through the module: size_caches rebinds it
            if h in hdr:
                same.add(k)
            if h in totals:
                total.add(k)
        if typed:  # look rows up by the same keys
            cols[c] = keys
        blank_of.append(blanks)
        full_column = full_column or not blanks
        if same:
            same_of[c] = same
        if total:
            total_of[c] = total

    def filled(i: int) -> list[int]:
        return [c for c, col in enumerate(cols) if col[i] not in blank_of[c]]

    skip: set[int] = set()
    if not full_column:
        blank_cells = list(map(sum, zip(*(map(b.__contains__, col) for b, col in zip(blank_of, cols)))))
        skip = {i for i, k in enumerate(blank_cells) if k == len(cols)}
    if same_of:
        for i, s in enumerate(map(sum, zip(*(map(same_of[c].__contains__, cols[c]) for c in same_of)))):
            if s >= 2 and i not in skip and s >= len(filled(i)) // 2:
                skip.add(i)
    rows_with_totals = {i for c, words in total_of.items() for i, v in enumerate(cols[c]) if v in words}
    for i in sorted(rows_with_totals - skip):
        if any(c in total_of and cols[c][i] in total_of[c] for c in filled(i)[:3]):
            skip.add(i)
    return skip


def parse_fields(
    table: Table, rows: Rows, parsers: dict[str, Callable], required: set[str]
) -> tuple[dict[str, list], dict[int, RowFault]]:
    """Each mapped column parsed; per row, the first fault in sheet column order."""
    out: dict[str, list] = {}
    faults: dict[int, RowFault] = {}
    for key, c in table.columns_in_order:
        if key not in parsers:
            continue
        values, faulty = column(rows.col(c), parsers[key], key in required)
        out[key] = values
        if faulty:
            for i in _faults(values):
                if i not in faults:
                    f = values[i]
                    faults[i] = RowFault(key, f.value, f.reason)
    return out, faults


def _texts(table: Table, rows: Rows, key: str) -> list:
    values, _ = column(rows.col(table.columns.get(key)), parse.text)
    return values


def _names(table: Table, rows: Rows) -> tuple[list, list]:
    """(title, full name without title) of each row; full name None when missing."""
    titles, names = _texts(table, rows, "title"), _texts(table, rows, "full_name")
    if "first_name" in table.columns or "last_name" in table.columns:
        firsts, lasts = _texts(table, rows, "first_name"), _texts(table, rows, "last_name")
        names = [n or (" ".join(p for p in (f, la) if p) or None) for n, f, la in zip(names, firsts, lasts)]
    out_titles, out_names = [], []
    for title, name in zip(titles, names):
        if name and (not title or name.startswith(title)):
            t, name = parse.strip_title(name)
            title = title or t
        out_titles.append(title)
        out_names.append(name)
    return out_titles, out_names


_PERSON = {"seq": lambda v: parse.integer(v, 0, 999_999), "citizen_id": parse.citizen_id}


def _people(
    table: Table, result: SheetResult, parsers: dict, required: set[str]
) -> tuple[list[int], dict, list, list, list[int]]:
    """Person rows of a roster sheet: (kept row positions, parsed columns, titles, names,
    spreadsheet row numbers).
    Faulty rows and a citizen ID repeated in the sheet go to result.rejected."""
    rows = Rows(table, result)
    values, faults = parse_fields(table, rows, parsers, required)
    titles, names = _names(table, rows)
    ids = values["citizen_id"]
    seen: set[str] = set()
    keep: list[int] = []
    for i, rn in enumerate(rows.numbers):
        fault = faults.get(i)
        if fault is None and not names[i]:
            fault = RowFault("full_name", None, "ไม่ได้กรอกชื่อ-สกุล (name missing)")
        if fault is None and ids[i] in seen:
            fault = RowFault("citizen_id", ids[i], "เลขประจำตัวประชาชนซ้ำในชีตเดียวกัน (citizen ID repeated in this sheet)")
        if fault is not None:
            result.rejected.append(Rejection(result.sheet, rn, fault.column, fault.value, fault.reason))
            result.refused_people.append((ids[i] if isinstance(ids[i], str) else None, names[i] or None, rn))
            continue
        seen.add(ids[i])
        keep.append(i)
    return keep, values, titles, names, rows.numbers


def _take(values: dict, keep: list[int], key: str) -> list:
    col = values.get(key)
    return [None] * len(keep) if col is None else [col[i] for i in keep]


def _roster(
    table: Table,
    result: SheetResult,
    village_code: str,
    fy: int,
    parsers: dict,
    required: set[str],
    fields: dict[str, str],
) -> SheetResult:
    """A roster sheet's records: seq, title, full_name, citizen_id, then `fields` (record
    field → parsed column key)."""
    result.constants = {"sheet": result.sheet, "fiscal_year": fy, "village_code": village_code}
    keep, values, titles, names, numbers = _people(table, result, parsers, required)
    n = len(keep)
    cols = {
        "row_number": [numbers[i] for i in keep],
        "seq": _take(values, keep, "seq"),
        "title": [titles[i] for i in keep],
        "full_name": [names[i] for i in keep],
        "citizen_id": _take(values, keep, "citizen_id"),
    }
    for name, key in fields.items():
        cols[name] = _take(values, keep, key)
    result.columns, result.n = cols, n
    return result


# ----------------------------------------------------------------------------- sheets


# Roster sheets already parsed in this process, by content: a village re-sends its workbook
# every month (the spec's normal case), and its rosters rarely change between sends.
_ROSTERS: dict = {}
ROSTERS_MIN = 2048
_ROSTERS_MAX = ROSTERS_MIN


def size_rosters(villages: int) -> None:
    """Room for every village's two rosters (and a changed copy of some) in a run: a village's
    re-sends come far apart, and a cache that overflows in between parses them all again."""
    global _ROSTERS_MAX
    _ROSTERS_MAX = max(ROSTERS_MIN, 3 * villages)


def _remembered(build: Callable[..., SheetResult]):
    """Parse a roster sheet once per content: the key is everything the result depends on
    (sheet name, where the table sits, its column map, every cell below the header with its
    type, the village, the year, and who the references may name)."""

    def remembered(table: Table, *context) -> SheetResult:
        g = table.grid
        start = table.first_data_row
        try:
            key = (
                build.__name__,
                g.name,
                start,
                tuple(table.columns.items()),
                tuple((c, frozenset(t)) for c, t in sorted(table.header_text.items())),
                typed_rows(g.rows[start:]),
                None if g.lines is None else tuple(g.lines[start:]),
                *(c.key if isinstance(c, People) else c for c in context),
            )
            hash(key)
        except TypeError:
            return build(table, *context)
        result = _ROSTERS.get(key)
        if result is None:
            if len(_ROSTERS) >= _ROSTERS_MAX:
                _ROSTERS.clear()
            result = _ROSTERS[key] = build(table, *context)
        return result

    remembered.__doc__, remembered.__name__, remembered.__wrapped__ = build.__doc__, build.__name__, build
    return remembered


@_remembered
def trainers(table: Table, village_code: str, fy: int) -> SheetResult:
    result = SheetResult(table.grid.name, "trainers")
    parsers = _PERSON | {"role": parse.role, "expertise": parse.text, "phone": parse.phone}
    return _roster(
        table,
        result,
        village_code,
        fy,
        parsers,
        {"citizen_id", "role"},
        {"role": "role", "expertise": "expertise", "phone": "phone"},
    )


class People:
    """Look people up by citizen ID or by name (with or without title, any spacing); and
    the rows of the same sheet that were refused, so a reference to one can name it."""

    def __init__(self, rows: list[tuple[str, str]], refused=(), sheet: str = ""):
        refused = tuple(refused)
        self.key = (frozenset(rows), refused, sheet)
        self.ids = {cid for cid, _ in rows}
        self.by_name: dict[str, set[str]] = {}
        for cid, name in rows:
            self.by_name.setdefault(name_key(name), set()).add(cid)
        self.sheet = sheet
        self.refused_ids = {cid: row for cid, _, row in refused if cid}
        self.refused_names = {name_key(name): row for _, name, row in refused if name}

    def find(self, value) -> str | None:
        raw = parse.digits(parse.text(value) or "")
        try:
            cid = parse.citizen_id(value)
        except ValueError:
            cid = None
        if cid and cid in self.ids:
            return cid
        if raw.replace("-", "").replace(" ", "").isdigit():
            return None
        hits = self.by_name.get(name_key(raw), set())
        return next(iter(hits)) if len(hits) == 1 else None

    def refused_row(self, value) -> int | None:
        """The row number of a refused row of this sheet that ``value`` names (ID or name)."""
        try:
            cid = parse.citizen_id(value)
        except ValueError:
            cid = None
        if cid and cid in self.refused_ids:
            return self.refused_ids[cid]
        return self.refused_names.get(name_key(parse.digits(parse.text(value) or "")))


def where_th(sheet: str, row: int) -> str:
    """ "ชีต ครัวเรือน แถว 25", or for a CSV file (its sheet is the file) "ไฟล์ x.csv บรรทัด 25"."""
    if sheet.lower().endswith((".csv", ".txt")):
        return f"ไฟล์ {sheet} บรรทัด {row}"
    return f"ชีต {sheet} แถว {row}"


def where_en(sheet: str, row: int) -> str:
    if sheet.lower().endswith((".csv", ".txt")):
        return f"file {sheet} line {row}"
    return f"sheet {sheet} row {row}"


def not_found(known: People, value, whose_th: str, whose_en: str, missing: str) -> ValueError:
    """Why a reference to a person is refused: the person's own row was refused (named), the
    ID was typed so that its digits are lost (the ID's own reason), or no such person."""
    row = known.refused_row(value)
    if row is not None:
        return ValueError(
            f"แถวของ{whose_th}นี้ ({where_th(known.sheet, row)}) ถูกปฏิเสธ: แก้แถวนั้นก่อน "
            f"(its {whose_en} row, {where_en(known.sheet, row)}, was rejected)"
        )
    text = parse.digits(parse.text(value) or "")
    if isinstance(value, int | float) or re.fullmatch(r"[\d\s\-.,]+(?:[eE][+-]?\d+)?", text or "x"):
        try:
            parse.citizen_id(value)
        except ValueError as exc:  # the ID itself is unreadable: say so, as on the roster sheet
            return exc
    return ValueError(missing)


def people_of(result: SheetResult) -> People:
    """Who a roster sheet's records name (for references from the same file); built once
    per result (a remembered roster sheet is asked again with every re-send)."""
    if result.people is None:
        result.people = People(
            list(zip(result.columns.get("citizen_id", []), result.columns.get("full_name", []))),
            result.refused_people,
            result.sheet,
        )
    return result.people


@_remembered
def households(table: Table, village_code: str, fy: int, trainers_known: People) -> SheetResult:
    result = SheetResult(table.grid.name, "households")
    start, end = parse.fiscal_year_bounds(fy)

    def trained_on(v):
        d = parse.date(v)
        if not start <= d <= end:
            raise ValueError(f"วันที่ฝึกอยู่นอกปีงบประมาณ {fy} (training date outside fiscal year {fy})")
        return d

    def trainer(v):
        cid = trainers_known.find(v)
        if cid is None:
            raise not_found(
                trainers_known,
                v,
                "วิทยากรผู้ดูแล",
                "trainer",
                "ไม่พบวิทยากรผู้ดูแลนี้ในรายชื่อวิทยากร (trainer not found in the trainer list)",
            )
        return cid

    parsers = _PERSON | {
        "house_no": parse.house_no,
        "members": lambda v: parse.integer(v, 1, 30),
        "trainer": trainer,
        "occupation": parse.text,
        "occupation_group": parse.occupation_group,
        "trained_on": trained_on,
        "income_before": satang,
        "expense_before": satang,
        "status": parse.household_status,
        "note": parse.text,
    }
    required = set(synonyms()["required"]["households"])
    _roster(
        table,
        result,
        village_code,
        fy,
        parsers,
        required,
        {
            "house_no": "house_no",
            "members": "members",
            "trainer_citizen_id": "trainer",
            "occupation": "occupation",
            "occupation_group": "occupation_group",
            "trained_on": "trained_on",
            "income_before": "income_before",
            "expense_before": "expense_before",
            "status": "status",
            "note": "note",
        },
    )
    # A blank status is an active household (household_status is not asked about blanks).
    result.columns["status"] = [s or "active" for s in result.columns["status"]]
    return result
