"""At its wildest level (mess 3) the generator writes the cases a mutation check found no
test for, in every province however small (pipelines.synth.village.SHOWCASE): months written
`10/68`, a negative amount typed in a number cell (refused, in the truth), a village with no
sage (a quota breach in the truth), free text starting with `+` or `-` (stored as typed).
Checked here with spreadsheet libraries only, as test_synth.py does; that ingest loads them
back as the truth says is the round trip's job (tests/ingest/test_roundtrip.py, whose mess-3
province has them all)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from pipelines.synth import generate
from pipelines.synth.village import SHOWCASE

THAI = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
TWO_DIGIT_MONTH = re.compile(r"(?:^|:\s*)(\d{1,2})/(\d{2})$")  # 10/68, or `ประจำเดือน: 10/68`


def truth(out: Path, name: str) -> list[dict]:
    with open(out / "_truth" / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _sheets(path: Path) -> dict[str, list[list]]:
    """Every sheet of a file as rows of cells (a CSV is one sheet named by the file)."""
    if path.suffix == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "cp874"):
            try:
                return {path.name: list(csv.reader(raw.decode(encoding).splitlines()))}
            except UnicodeDecodeError:
                continue
    book = CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names}


def _cells(out: Path):
    """(path, sheet, 1-based row, cell) of every file the truth lists as read."""
    for f in truth(out, "files"):
        if f["expected_status"] in ("loaded", "replaced"):
            for sheet, rows in _sheets(out / f["path"]).items():
                for r, row in enumerate(rows, start=1):
                    for cell in row:
                        yield f["path"], sheet, r, cell


@pytest.fixture(scope="module", params=[(1, 1, 11), (3, 2, 12), (8, 4, 14)], ids=["1-village", "3-villages", "8"])
def wild(request, tmp_path_factory) -> Path:
    villages, months, seed = request.param
    out = tmp_path_factory.mktemp(f"wild{villages}")
    generate(out, villages=villages, months=months, seed=seed, mess=3)
    return out


def test_months_are_written_with_a_two_digit_be_year(wild):
    found = Counter()
    for _, _, _, cell in _cells(wild):
        if isinstance(cell, str) and (m := TWO_DIGIT_MONTH.search(cell.translate(THAI).strip())):
            assert 1 <= int(m[1]) <= 12 and m[2] in ("68", "69"), cell
            found["label" if ":" in cell else "cell"] += 1
    assert found["cell"] + found["label"] >= 2  # follow-up months, and the report month


def test_a_negative_amount_typed_in_a_number_cell_is_refused_in_the_truth(wild):
    rejected = {(r["path"], r["sheet"], int(r["row_number"])) for r in truth(wild, "rejected")}
    negatives = {
        (path, sheet, row)
        for path, sheet, row, cell in _cells(wild)
        if isinstance(cell, (int, float)) and not isinstance(cell, bool) and cell < 0
    }
    assert negatives and negatives <= rejected
    columns = {
        r["column_name"] for r in truth(wild, "rejected") if (r["path"], r["sheet"], int(r["row_number"])) in negatives
    }
    assert columns <= {"income_before", "expense_before", "income", "expense", "savings"}


def _is_number(cell) -> bool:
    return isinstance(cell, (int, float)) and not isinstance(cell, bool)


def test_a_negative_number_cell_sits_among_plain_numbers(wild):
    """In one file its whole column is numbers, as Excel keeps them: ingest then reads the
    column in one numpy pass, which must refuse the negative as parse.money does."""
    found = []
    for f in truth(wild, "files"):
        path = wild / f["path"]
        if f["expected_status"] not in ("loaded", "replaced") or path.suffix == ".csv":
            continue
        for rows in _sheets(path).values():
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    if _is_number(cell) and cell < 0:
                        column = [x[c] if c < len(x) else None for x in rows]
                        top = max(i for i in range(r) if isinstance(column[i], str))  # its header
                        below = [x for x in column[top + 1 :] if x is not None and x != ""]
                        found.append(all(_is_number(x) for x in below))
    assert any(found)


def test_a_village_without_a_sage_is_a_breach_in_the_truth(wild):
    sages = Counter(t["village_code"] for t in truth(wild, "trainer") if t["role"] == "sage")
    villages = {t["village_code"] for t in truth(wild, "trainer")}
    no_sage = {v for v in villages if not sages[v]}
    assert no_sage
    breaches = {(b["village_code"], b["check"]) for b in truth(wild, "quota_breach")}
    assert {(v, "sages") for v in no_sage} <= breaches
    assert {v for v, check in breaches if check == "sages"} == no_sage | {v for v in villages if sages[v] > 1}


def test_text_starting_with_plus_or_minus_is_stored_as_typed(wild):
    followups = truth(wild, "followup")
    groups = {f["group_name"] for f in followups if f["group_name"].startswith("+")}
    products = {f["product"] for f in followups if f["product"].startswith("-")}
    assert groups and all(re.fullmatch(r"\+66 \d{2} \d{3} \d{4}", g) for g in groups)
    assert products == {"-ไม่มี-"}
    typed = {cell for *_, cell in _cells(wild) if isinstance(cell, str)}
    assert groups | products <= typed  # written in the cells as the truth has them


def test_every_case_goes_to_a_village_of_every_wild_province(tmp_path):
    """One village: it shows all of them (and the truth of its single file says so)."""
    generate(tmp_path, villages=1, months=1, seed=11, mess=3)
    (code,) = {t["village_code"] for t in truth(tmp_path, "trainer")}
    assert {b["check"] for b in truth(tmp_path, "quota_breach")} >= {"sages"}
    assert truth(tmp_path, "rejected")
    assert len(SHOWCASE) == 4 and all(f["village_code"] == code for f in truth(tmp_path, "files"))


@pytest.mark.parametrize("mess", [0, 1, 2])
def test_lower_levels_leave_them_out(tmp_path, mess):
    generate(tmp_path, villages=6, months=2, seed=14, mess=mess)
    followups = truth(tmp_path, "followup")
    assert not any(f["group_name"].startswith(("+", "-")) or f["product"].startswith(("+", "-")) for f in followups)
    sages = Counter(t["village_code"] for t in truth(tmp_path, "trainer") if t["role"] == "sage")
    assert all(sages[t["village_code"]] for t in truth(tmp_path, "trainer"))
