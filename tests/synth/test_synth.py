"""The synthetic-data factory: register, workbooks and truth, checked with spreadsheet libraries only.

Nothing here uses ingest: the generator is the independent side of the round-trip tests.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import hashlib
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from pipelines.synth import generate, write_register
from pipelines.synth.people import check_digit, valid_citizen_id, wrong_check_digit

SYNTH = Path(__file__).resolve().parents[2] / "pipelines" / "synth"


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def truth(out: Path, name: str) -> list[dict]:
    return read_csv(out / "_truth" / f"{name}.csv")


def sheet_rows(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, villages=8, months=3, seed=1, mess=0)
    return out


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("messy")
    generate(out, villages=60, months=3, seed=2, mess=3)
    return out


# ----------------------------------------------------------------------------- register


def test_phrae_register(tmp_path):
    path = write_register(tmp_path, "54", seed=0)
    assert path == tmp_path / "register.csv"
    rows = read_csv(path)
    assert list(rows[0]) == ["village_code", "village_no", "village_name"]
    codes = [r["village_code"] for r in rows]
    assert 600 <= len(codes) <= 800
    assert len(set(codes)) == len(codes) and all(len(c) == 8 and c.isdigit() for c in codes)
    assert len({c[:4] for c in codes}) == 8 and len({c[:6] for c in codes}) == 78
    names = defaultdict(list)
    for r in rows:
        assert r["village_name"].startswith("บ้าน")
        assert int(r["village_no"]) == int(r["village_code"][6:])
        names[r["village_code"][:6]].append(r["village_name"])
    assert all(len(set(ns)) == len(ns) and 5 <= len(ns) <= 14 for ns in names.values())


@pytest.mark.parametrize("province", ["50", "10"])
def test_any_province(tmp_path, province):
    summary = generate(tmp_path, province=province, villages=3, months=1, seed=0)
    assert summary["villages"] == 3 and summary["register_villages"] > 100
    assert all(r["village_code"].startswith(province) for r in read_csv(tmp_path / "register.csv"))
    assert {r["village_code"][:2] for r in truth(tmp_path, "trainer")} == {province}


def test_unknown_province_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_register(tmp_path, "99")


# ----------------------------------------------------------------------------- reproducible, independent


def _digests(out: Path, pattern: str) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob(pattern))
    }


def test_same_seed_same_truth(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        generate(out, villages=6, months=2, seed=7, mess=3)
    assert _digests(a, "_truth/*.csv") == _digests(b, "_truth/*.csv")
    assert _digests(a, "*.xlsx") == _digests(b, "*.xlsx")  # fixed creation dates: same bytes
    assert (a / "register.csv").read_bytes() == (b / "register.csv").read_bytes()
    generate(b, villages=6, months=2, seed=8, mess=3)
    assert _digests(a, "_truth/*.csv") != _digests(b, "_truth/*.csv")


def test_imports_nothing_of_the_pipeline():
    """The round trip is worth something only while the generator is written apart from
    ingest (import-linter holds the same contract for the whole package)."""
    for path in SYNTH.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            for name in names:
                if name.startswith("pipelines"):
                    assert name.startswith("pipelines.synth"), f"{path.name} imports {name}"


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.randoms())
def test_check_digit(first12, rng):
    cid = first12 + check_digit(first12)
    assert valid_citizen_id(cid)
    assert not valid_citizen_id(wrong_check_digit(cid, rng))


# ----------------------------------------------------------------------------- clean layout


def test_clean_truth_keeps_every_quota(clean):
    trainers, households = truth(clean, "trainer"), truth(clean, "household")
    by_village = defaultdict(list)
    for t in trainers:
        by_village[t["village_code"]].append(t)
    assert len(by_village) == 8
    for code, ts in by_village.items():
        assert len(ts) == 5 and Counter(t["role"] for t in ts) == {"sage": 1, "team": 4}
        hh = [h for h in households if h["village_code"] == code]
        assert len(hh) == 20 and {h["status"] for h in hh} == {"active"}
        assert Counter(h["trainer_citizen_id"] for h in hh) == {t["citizen_id"]: 4 for t in ts}
    ids = [r["citizen_id"] for r in trainers + households]
    assert len(set(ids)) == len(ids) and all(valid_citizen_id(i) for i in ids)
    assert truth(clean, "rejected") == [] and truth(clean, "quota_breach") == []


def test_clean_values_are_plausible(clean):
    households, followups = truth(clean, "household"), truth(clean, "followup")
    for h in households:
        assert 2000 <= float(h["income_before"]) <= 15000 and float(h["expense_before"]) < float(h["income_before"])
        assert 1 <= int(h["members"]) <= 8
        assert dt.date(2025, 10, 1) <= dt.date.fromisoformat(h["trained_on"]) <= dt.date(2025, 10, 31)
        assert h["occupation_group"] in {"agriculture", "processing", "community_tourism", "other"}
        assert " " in h["full_name"] and not h["full_name"].startswith(("นาย", "นาง"))
    assert len(followups) == 20 * 3 * 8
    assert {f["month"] for f in followups} == {"2025-10-01", "2025-11-01", "2025-12-01"}
    share = sum(f["practising"] == "true" for f in followups) / len(followups)
    assert 0.75 <= share <= 0.95
    for f in followups:
        for k in ("income", "expense", "savings"):
            assert f[k] == "" or len(f[k].split(".")[1]) == 2
        if f["practising"] == "true":
            assert f["income"] and f["expense"]
    processing = [f for f in followups if f["practising"] == "true" and f["otop_type"]]
    assert processing and all(f["group_name"].startswith("กลุ่ม") and f["product"] for f in processing)


def test_clean_files_are_counted_like_decisions(clean):
    files = truth(clean, "files")
    assert len(files) == 8 * 3
    for f in files:
        month = int(f["report_month"][5:7])
        months_in_file = {10: 1, 11: 2, 12: 3}[month]
        assert f["expected_status"] == ("loaded" if months_in_file == 1 else "replaced")
        assert (int(f["rows_loaded"]), int(f["rows_rejected"]), int(f["rows_skipped"])) == (
            25 + 20 * months_in_file,
            0,
            0,
        )
        path = clean / f["path"]
        assert path.name == f"{f['village_code']}_{f['report_month'][:7]}.xlsx"
        assert path.parent.name == f["village_code"] and path.parent.parent.name == f["village_code"][:4]


def test_clean_workbook_reads_back(clean):
    f = next(r for r in truth(clean, "files") if r["report_month"] == "2025-11-01")
    path, code = clean / f["path"], f["village_code"]
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["ข้อมูลหมู่บ้าน", "วิทยากร", "ครัวเรือน", "ติดตาม"]
    cover = {r[0]: r[1] for r in sheet_rows(path, "ข้อมูลหมู่บ้าน")}
    assert cover["จังหวัด"] == "แพร่" and cover["รหัสหมู่บ้าน"] == code
    assert cover["ปีงบประมาณ"] == 2569 and cover["ประจำเดือน"] == "พฤศจิกายน 2568"
    register = {r["village_code"]: r for r in read_csv(clean / "register.csv")}
    assert cover["ชื่อหมู่บ้าน"] == register[code]["village_name"]

    trainers = sheet_rows(path, "วิทยากร")
    assert trainers[0] == ["ลำดับ", "คำนำหน้า", "ชื่อ-สกุล", "เลขประจำตัวประชาชน", "บทบาท", "ความเชี่ยวชาญ", "โทรศัพท์"]
    sage = next(t for t in truth(clean, "trainer") if t["village_code"] == code and t["role"] == "sage")
    assert [trainers[1][2], trainers[1][3], trainers[1][4]] == [sage["full_name"], sage["citizen_id"], "ปราชญ์ชุมชน"]

    households = sheet_rows(path, "ครัวเรือน")
    first = next(h for h in truth(clean, "household") if h["village_code"] == code)
    row = dict(zip(households[0], households[1]))
    assert row["ชื่อ-สกุล"] == first["full_name"] and row["เลขประจำตัวประชาชน"] == first["citizen_id"]
    assert row["วันที่ฝึกอบรม"] == dt.date.fromisoformat(first["trained_on"])
    assert row["รายได้ก่อนฝึก (บาท/เดือน)"] == float(first["income_before"])
    assert row["บ้านเลขที่"] == first["house_no"]

    followup = sheet_rows(path, "ติดตาม")
    assert followup[0][:3] == ["เลขประจำตัวประชาชน", "เดือน", "ประกอบอาชีพ"]
    assert len(followup) == 1 + 40 and followup[1][1] == "ต.ค. 68" and followup[21][1] == "พ.ย. 68"
    # openpyxl agrees on the cell types: IDs and house numbers are text, dates are dates.
    ws = openpyxl.load_workbook(path, read_only=True)["ครัวเรือน"]
    cells = next(ws.iter_rows(min_row=2, max_row=2))
    assert cells[3].data_type == "s" and cells[4].data_type == "s" and cells[9].is_date


def test_files_arrive_in_month_order(clean):
    by_village = defaultdict(list)
    for f in truth(clean, "files"):
        by_village[f["village_code"]].append((f["report_month"], (clean / f["path"]).stat().st_mtime))
    for rows in by_village.values():
        assert [m for _, m in sorted(rows)] == sorted(m for _, m in rows)


# ----------------------------------------------------------------------------- mess


def test_messy_writes_every_medium_and_layout(messy):
    files = truth(messy, "files")
    suffixes = Counter(Path(f["path"]).suffix for f in files)
    assert {".xlsx", ".csv", ".ods", ".xlsm"} <= set(suffixes)
    assert Counter(f["expected_status"] for f in files).keys() == {"loaded", "replaced", "duplicate", "refused"}
    parts = [f for f in files if f["path"].endswith(".csv")]
    assert {Path(f["path"]).name.split("_", 2)[2] for f in parts} == {
        "1_trainers.csv",
        "2_households.csv",
        "3_followup.csv",
    }
    encodings = Counter()
    for f in parts:
        raw = (messy / f["path"]).read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            encodings["bom"] += 1
        else:
            try:
                raw.decode("utf-8")
                encodings["utf-8"] += 1
            except UnicodeDecodeError:
                assert "แพร่" in raw.decode("cp874")
                encodings["cp874"] += 1
    assert set(encodings) == {"bom", "utf-8", "cp874"}
    wide = 0
    for f in files:
        path = messy / f["path"]
        if path.suffix in (".xlsx", ".xlsm", ".ods") and f["expected_status"] != "refused":
            for name in CalamineWorkbook.from_path(str(path)).sheet_names:
                if any(
                    isinstance(c, str) and c.startswith("รายได้") and c.endswith("ต.ค. 68")
                    for row in sheet_rows(path, name)[:20]
                    for c in row
                ):
                    wide += 1
    assert wide
    assert sum(int(f["rows_skipped"]) for f in files) > 0


def test_messy_truth_has_refusals_breaches_and_replacements(messy):
    rejected, files = truth(messy, "rejected"), truth(messy, "files")
    assert {r["column_name"] for r in rejected} >= {"citizen_id", "income"}
    per_file = Counter(r["path"] for r in rejected)
    assert per_file == Counter({f["path"]: int(f["rows_rejected"]) for f in files if int(f["rows_rejected"])})
    breaches = truth(messy, "quota_breach")
    assert breaches and {b["check"] for b in breaches} <= {"trainers", "sages", "households", "trainer_households"}
    statuses = Counter(h["status"] for h in truth(messy, "household"))
    assert statuses["withdrawn"] and statuses["withdrawn"] == statuses["replacement"]
    for f in files:
        if f["expected_status"] in ("duplicate", "refused"):
            assert (f["rows_loaded"], f["rows_rejected"], f["rows_skipped"]) == ("0", "0", "0")
    dup = next(f for f in files if f["expected_status"] == "duplicate")
    original = dup["path"].replace("_resend", "")
    assert (messy / dup["path"]).read_bytes() == (messy / original).read_bytes()
    ids = [r["citizen_id"] for r in truth(messy, "trainer") + truth(messy, "household")]
    assert len(set(ids)) == len(ids) and all(valid_citizen_id(i) for i in ids)


def test_rejected_rows_point_at_the_bad_value(messy):
    """Each refused money value sits in the row named: ไม่ทราบ, '-' or a negative amount."""
    checked = 0
    for r in truth(messy, "rejected"):
        path = messy / r["path"]
        if r["column_name"] not in ("income", "expense", "savings", "income_before", "expense_before"):
            continue
        if path.suffix == ".csv":
            raw = path.read_bytes()
            text = next(raw.decode(e) for e in ("utf-8-sig", "cp874") if _decodes(raw, e))
            row = list(csv.reader(text.splitlines()))[int(r["row_number"]) - 1]
        else:
            row = sheet_rows(path, r["sheet"])[int(r["row_number"]) - 1]
        assert any(
            c in ("ไม่ทราบ", "-")
            or (isinstance(c, (int, float)) and not isinstance(c, bool) and c < 0)
            or (isinstance(c, str) and c.startswith("-") and len(c) > 1)
            for c in row
        ), (r, row)
        checked += 1
    assert checked


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False
