"""One village-month as sheets: cover/header block, trainers, households, follow-up.

Every data row written is accounted for in a `Tally` the way docs/decisions.md counts:
records loaded, records refused (with sheet, row number and column), rows skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.synth import fiscal
from pipelines.synth.mess import BEFORE_GROUP, BEFORE_SUB, INSTRUCTIONS, Style
from pipelines.synth.village import Followup, Household, Trainer, VillageYear
from pipelines.synth.workbook import Grid


@dataclass
class Tally:
    loaded: int = 0
    skipped: int = 0
    rejected: list[tuple[str, int, str]] = field(default_factory=list)  # (sheet, row number, column)


@dataclass
class Record:
    cells: dict
    refusal: str | None = None  # the rejected_row column, when a correct ingest refuses it
    count: int = 1  # records in the row (a wide follow-up row carries several)
    group: object = None  # rows of one month, for subtotal rows


def sheets(
    year: VillageYear, month: int, style: Style, code_override: str | None = None
) -> list[tuple[str, Grid, Tally | None]]:
    """[(kind, grid, tally)] in workbook order; kind cover/instructions have no tally."""
    out: list[tuple[str, Grid, Tally | None]] = []
    block = style.block(year, month, code_override)
    if style.cover:
        out.append(("cover", _cover(style, block), None))
    for kind, build in (("trainers", _trainers), ("households", _households), ("followup", _followup)):
        grid, tally = Grid(style.sheet_names[kind]), Tally()
        _preamble(grid, style, kind, None if style.cover else block)
        build(grid, tally, style, year, month)
        out.append((kind, grid, tally))
    if style.instructions:
        sheet = ("instructions", Grid("คำแนะนำ", [[line] for line in INSTRUCTIONS]), None)
        out.insert(0 if style.rng.random() < 0.3 else len(out), sheet)
    return out


# ----------------------------------------------------------------------------- around the table


def _cover(style: Style, block: list[tuple[str, object]]) -> Grid:
    grid = Grid(style.cover_name)
    for title in style.titles.get("cover", []):
        grid.append([title])
    if style.titles.get("cover"):
        grid.append([])
    _block_rows(grid, style, block)
    return grid


def _preamble(grid: Grid, style: Style, kind: str, block) -> None:
    """Title rows and (without a cover sheet) the header block, above the table."""
    titles = style.titles.get(kind, [])
    if style.medium == "csv" and block:
        _block_rows(grid, style, block)  # a CSV's header block sits in its first lines
        for title in titles:
            grid.append([title])
        grid.append([])
        return
    for title in titles:
        row = grid.append([title])
        if style.level >= 2:
            grid.merge(row, 0, row, 5)
    if block:
        _block_rows(grid, style, block)
    if titles or block:
        grid.append([])


def _block_rows(grid: Grid, style: Style, block) -> None:
    for label, value in block:
        if style.one_cell_block and style.rng.random() < style.one_cell_block:
            grid.append([f"{label}: {value}"])
        else:
            grid.append([label, value])


def _header_rows(grid: Grid, style: Style, kind: str, keys: list) -> list[list]:
    """One header row, or two with ก่อนฝึก (บาท/เดือน) merged over รายได้ / รายจ่าย."""
    texts = [style.header(kind, k) if isinstance(k, str) else style.wide_header(*k) for k in keys]
    grouped = kind == "households" and style.two_row_header
    if not grouped:
        grid.append(texts)
        return [texts]
    top = [None if k in BEFORE_SUB else t for k, t in zip(keys, texts)]
    sub = [BEFORE_SUB.get(k) for k in keys]
    first = keys.index("income_before")
    top[first] = BEFORE_GROUP
    r1 = grid.append(top)
    r2 = grid.append(sub)
    grid.merge(r1, first, r1, first + 1)
    vertical = style.rng.random() < 0.7  # other headers merged down, or left with a blank below
    for c, k in enumerate(keys):
        if vertical and k not in BEFORE_SUB:
            grid.merge(r1, c, r2, c)
    return [top, sub]


def _table(
    grid: Grid, tally: Tally, style: Style, kind: str, keys: list, records: list[Record], money_keys: list
) -> None:
    headers = _header_rows(grid, style, kind, keys)
    blanks, repeat, totals = style.noise.get(kind, (0, False, "none"))
    rng = style.rng
    inner = list(range(1, len(records)))  # noise goes between data rows, never before the first
    blank_at = set(rng.sample(inner, min(blanks, len(inner))))
    repeat_at = rng.choice(inner) if repeat and inner and len(headers) == 1 else None
    for i, rec in enumerate(records):
        if totals == "middle" and i and rec.group != records[i - 1].group:
            _totals(grid, tally, style, keys, records[:i], money_keys)
        if i in blank_at:
            grid.append([])
            tally.skipped += 1
        if i == repeat_at:
            grid.append(list(headers[0]))
            tally.skipped += 1
        row = grid.append([rec.cells.get(k) for k in keys])
        if rec.refusal:
            tally.rejected.append((grid.name, row, rec.refusal))
        else:
            tally.loaded += rec.count
    if totals != "none" and records and kind != "trainers":
        _totals(grid, tally, style, keys, records, money_keys)


def _totals(grid: Grid, tally: Tally, style: Style, keys: list, records: list[Record], money_keys: list) -> None:
    cells = [None] * len(keys)
    cells[0] = style.rng.choice(["รวม", "รวม", "total", "Total"])
    for k in money_keys:
        total = sum(r.cells.get(("_true", k)) or 0 for r in records)
        cells[keys.index(k)] = style.money(total)
    grid.append(cells)
    tally.skipped += 1


# ----------------------------------------------------------------------------- people


def _identity_keys(style: Style) -> list[str]:
    names = (["title"] if style.title_mode == "column" else []) + (
        ["first_name", "last_name"] if style.split_names else ["full_name"]
    )
    ident = ["citizen_id"] + names if style.id_first else names + ["citizen_id"]
    return (["seq"] if style.seq else []) + ident


def _identity(style: Style, person, cid: str, seq: int) -> dict:
    title = person.title
    if style.level and title == "นางสาว" and style.rng.random() < 0.4:
        title = "น.ส."
    cells = {"seq": style.integer(seq), "title": title, "citizen_id": style.citizen_id(cid)}
    if style.split_names:
        cells["first_name"], cells["last_name"] = _spaced(style, person.first), _spaced(style, person.last)
    else:
        name = style.name(person.first, person.last)
        cells["full_name"] = f"{title}{name}" if style.title_mode == "in_name" else name
    return cells


def _spaced(style: Style, text: str) -> str:
    return f" {text} " if style.name_noise and style.rng.random() < style.name_noise else text


def _trainers(grid: Grid, tally: Tally, style: Style, year: VillageYear, month: int) -> None:
    keys = _identity_keys(style) + ["role"] + [k for k in ("expertise", "phone") if k in style.optional]
    records = []
    for i, t in enumerate(year.trainers, start=1):
        fault = year.fault("trainer", t.key)
        cells = _identity(style, t.person, fault.value if fault else t.person.citizen_id, i)
        cells["role"] = style.role(t.role)
        cells["expertise"] = t.expertise.name
        p = t.person.phone
        cells["phone"] = f"{p[:3]}-{p[3:6]}-{p[6:]}" if style.level and style.rng.random() < 0.5 else p
        records.append(Record(cells, year.trainer_refusal(t)))
    _table(grid, tally, style, "trainers", keys, records, [])


def _trainer_ref(style: Style, t: Trainer):
    if style.trainer_ref == "id":
        return t.person.citizen_id
    if style.trainer_ref == "title_name":
        return f"{t.person.title}{t.person.full_name}"
    return t.person.full_name


def _households(grid: Grid, tally: Tally, style: Style, year: VillageYear, month: int) -> None:
    keys = _identity_keys(style) + [
        "house_no",
        "members",
        "trainer",
        "occupation",
        "occupation_group",
        "trained_on",
        "income_before",
        "expense_before",
        "status",
    ]
    keys += ["note"] if "note" in style.optional else []
    records = []
    for i, h in enumerate(year.roster(month), start=1):
        fault = year.fault("household", h.key)
        bad = {fault.column: fault} if fault else {}
        cells = _identity(style, h.person, bad["citizen_id"].value if "citizen_id" in bad else h.person.citizen_id, i)
        cells.update(
            {
                "house_no": h.house_no,
                "members": style.integer(bad["members"].value if "members" in bad else h.members),
                "trainer": bad["trainer"].value if "trainer" in bad else _trainer_ref(style, h.trainer),
                "occupation": h.occupation.name,
                "occupation_group": style.occupation_group(h.occupation.group),
                "trained_on": style.date(bad["trained_on"].value if "trained_on" in bad else h.trained_on),
                "status": style.status(h.status(month)),
                "note": h.note or None,
                ("_true", "income_before"): h.income_before,
                ("_true", "expense_before"): h.expense_before,
            }
        )
        for k in ("income_before", "expense_before"):
            cells[k] = _money(style, bad.get(k), getattr(h, k))
        records.append(Record(cells, year.household_refusal(h)))
    _table(grid, tally, style, "households", keys, records, ["income_before", "expense_before"])


def _money(style: Style, fault, satang: int | None):
    if fault is None:
        return style.money(satang)
    if fault.kind == "negative_cell":
        return style.number_cell(fault.value)
    return style.money(fault.value) if isinstance(fault.value, int) else fault.value


def _followup(grid: Grid, tally: Tally, style: Style, year: VillageYear, month: int) -> None:
    if year.followup_form == "wide":
        _followup_wide(grid, tally, style, year, month)
        return
    by_name = style.followup_by_name and not year.has_refusals  # a refused household must be refused by ID
    ident = ["full_name"] if by_name else ["citizen_id"] + (["full_name"] if style.followup_name else [])
    keys = (["month"] + ident if style.month_first else ident + ["month"]) + [
        "practising",
        "income",
        "expense",
        "savings",
        "group_name",
        "product",
        "otop_type",
        "standard",
        "channels",
    ]
    records = []
    for r in year.followup_rows(month):
        records.append(Record(_followup_cells(style, year, r), year.followup_refusal(r), group=r.month))
    _table(grid, tally, style, "followup", keys, records, ["income"])


def _written_id(year: VillageYear, h: Household) -> str:
    """The household's ID as typed in its own row (a typo there is repeated in its follow-up)."""
    fault = year.fault("household", h.key)
    return fault.value if fault and fault.column == "citizen_id" else h.person.citizen_id


def _followup_cells(style: Style, year: VillageYear, r: Followup) -> dict:
    h = r.household
    fault = year.fault("followup", (h.key, r.month))
    cells = {
        "citizen_id": style.citizen_id(_written_id(year, h)),
        "full_name": style.name(h.person.first, h.person.last),
        "month": style.month(fiscal.month_start(year.fiscal_year, r.month)),
        "practising": style.yes(r.practising),
        "group_name": r.group_name,
        "product": r.product,
        "otop_type": r.otop_type,
        "standard": style.joined(r.standards, none_word=r.practising and h.occupation.group == "processing"),
        "channels": style.joined(r.channels),
        ("_true", "income"): r.income,
    }
    for k in ("income", "expense", "savings"):
        cells[k] = _money(style, fault if fault and fault.column == k else None, getattr(r, k))
    return cells


def _followup_wide(grid: Grid, tally: Tally, style: Style, year: VillageYear, month: int) -> None:
    measures = ["practising", "income", "expense"] + (["savings"] if year.wide_savings else [])
    firsts = {j: fiscal.month_start(year.fiscal_year, j) for j in range(1, month + 1)}
    keys = (["seq"] if style.seq else []) + ["citizen_id", "full_name"]
    keys += [(m, firsts[j]) for j in firsts for m in measures]
    records = []
    for i, h in enumerate(year.roster(month), start=1):
        cells = {
            "seq": style.integer(i),
            "citizen_id": style.citizen_id(h.person.citizen_id),
            "full_name": style.name(h.person.first, h.person.last),
        }
        count = 0
        for j, first in firsts.items():
            r = year.followups.get((h.key, j))
            if r is None:
                continue
            count += 1
            cells[("practising", first)] = style.yes(r.practising)
            for m in ("income", "expense", "savings"):
                cells[(m, first)] = style.money(getattr(r, m))
        records.append(Record(cells, None, count))
    _table(grid, tally, style, "followup", keys, records, [])
