"""OTOP-readiness shortlist: a transparent score per producer group, with its reasons.

Facts per candidate come from SQL (pipelines/otop.sql); weights, thresholds and tiers from
otop.yml, so changing the config changes the shortlist without touching code.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import xlsxwriter
import yaml

from pipelines import config
from pipelines.thai import parse
from pipelines.thai.fmt import inert, mask_ids
from pipelines.thai.parse import OTOP_TYPES

CONFIG_FILE = config.PROJECT_ROOT / "otop.yml"
TIER_TH = {"ready": "พร้อม", "nearly_ready": "เกือบพร้อม", "not_yet": "ยังไม่พร้อม"}


def load_config(path: Path | None = None) -> tuple[dict, str]:
    text = Path(path or CONFIG_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text), text


def _ramp(value, full_at) -> float:
    """0 at or below zero, 1 at or beyond full_at, linear between."""
    if value is None or full_at <= 0:
        return 0.0
    return max(0.0, min(1.0, float(value) / float(full_at)))


def _fmt_pct(x) -> str:
    return "-" if x is None else f"{x:.0f}%"


@dataclass
class Scored:
    facts: dict
    points: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    score: float = 0.0
    tier: str = "not_yet"


def score(facts: dict, cfg: dict) -> Scored:
    """Points per criterion (weight x 0..1), Thai reasons, and the tier."""
    c = cfg["criteria"]
    s = Scored(facts)
    accepted = set(c["standard"]["accepted"])
    months = cfg.get("lookback_months", 6)

    def add(key: str, fraction: float, reason: str, missing: str | None = None) -> None:
        pts = round(c[key]["weight"] * fraction, 2)
        s.points[key] = pts
        s.reasons.append(f"{reason} (+{pts:g}/{c[key]['weight']:g})")
        if missing and fraction < 1:
            s.missing.append(missing)

    otop_type = facts.get("otop_type")
    add(
        "otop_type",
        1.0 if otop_type in OTOP_TYPES else 0.0,
        f"ประเภท OTOP: {otop_type}" if otop_type in OTOP_TYPES else "ยังไม่ระบุประเภทผลิตภัณฑ์ OTOP",
        "ระบุประเภทผลิตภัณฑ์ OTOP",
    )
    held = [x for x in (facts.get("standards") or []) if x in accepted]
    add(
        "standard",
        1.0 if held else 0.0,
        f"มีมาตรฐาน {', '.join(held)}" if held else "ยังไม่มีมาตรฐานผลิตภัณฑ์ (อย./มผช./มอก./GMP/ฮาลาล)",
        "ขอรับรองมาตรฐานผลิตภัณฑ์ เช่น มผช. หรือ อย.",
    )
    share = facts.get("practising_share") or 0.0
    add(
        "sustained",
        _ramp(share, c["sustained"]["full_at"]),
        f"ผลิตต่อเนื่อง {share * months:.0f} จาก {months} เดือนล่าสุด ({share:.0%})",
        "ผลิตต่อเนื่องทุกเดือน",
    )
    change = facts.get("income_change_pct")
    add(
        "income_trend",
        _ramp(change, c["income_trend"]["full_at_pct"]),
        f"รายได้เปลี่ยนจากก่อนฝึก {_fmt_pct(change)}",
        "เพิ่มรายได้",
    )
    margin = facts.get("margin")
    add(
        "margin",
        _ramp(margin, c["margin"]["full_at"]),
        f"กำไรต่อรายได้ {_fmt_pct(None if margin is None else margin * 100)}",
        "ลดต้นทุนหรือเพิ่มราคาให้มีกำไร",
    )
    saving = facts.get("saving_share") or 0.0
    add("savings", _ramp(saving, 1.0), f"สมาชิกมีเงินออม {saving:.0%}")
    members = facts.get("members") or 0
    add(
        "group_size",
        _ramp(members, c["group_size"]["full_at"]),
        f"สมาชิก {members} คน" if facts.get("kind") == "group" else "ผู้ผลิตรายเดียว",
        "รวมกลุ่มผู้ผลิต",
    )
    channels = facts.get("channels") or []
    add(
        "channels",
        _ramp(len(channels), c["channels"]["full_at"]),
        f"ช่องทางจำหน่าย {len(channels)} ช่องทาง" + (f" ({', '.join(channels)})" if channels else ""),
        "เพิ่มช่องทางจำหน่าย",
    )
    age = facts.get("age_months") or 0
    add("age_months", _ramp(age, c["age_months"]["full_at"]), f"ดำเนินการมาแล้ว {age} เดือน")

    s.score = round(sum(s.points.values()), 2)
    ready = cfg["tiers"]["ready"]
    has = {"otop_type": s.points["otop_type"] > 0, "standard": s.points["standard"] > 0}
    if s.score >= ready["min_score"] and all(has.get(r, True) for r in ready.get("requires", [])):
        s.tier = "ready"
    elif s.score >= cfg["tiers"]["nearly_ready"]["min_score"]:
        s.tier = "nearly_ready"
    return s


def candidates(con: duckdb.DuckDBPyConnection, fiscal_year: int, month: dt.date, lookback: int) -> list[dict]:
    sql = (Path(__file__).with_name("otop.sql")).read_text(encoding="utf-8")
    cur = con.execute(sql, {"fiscal_year": fiscal_year, "month": month, "lookback": lookback})
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def latest_month(con: duckdb.DuckDBPyConnection, fiscal_year: int) -> dt.date | None:
    return con.execute("SELECT max(month) FROM followup WHERE fiscal_year = ?", [fiscal_year]).fetchone()[0]


def shortlist(
    con: duckdb.DuckDBPyConnection, fiscal_year: int, month: dt.date | None = None, config_path: Path | None = None
) -> list[Scored]:
    """Score every candidate and store the run (otop_candidate shows the latest)."""
    _, text = load_config(config_path)
    month = month or latest_month(con, fiscal_year)
    if month is None:
        return []
    scored = rank(con, fiscal_year, month, config_path)
    run_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    con.execute("BEGIN TRANSACTION")
    con.execute("INSERT INTO otop_run VALUES (?, ?, ?, ?, ?)", [run_id, dt.datetime.now(), fiscal_year, month, text])
    cols = [
        "candidate_key",
        "kind",
        "group_name",
        "product",
        "otop_type",
        "occupation",
        "citizen_id",
        "village_code",
        "subdistrict_code",
        "district_code",
        "province_code",
        "members",
    ]
    con.executemany(
        f"INSERT INTO otop_score (run_id, {', '.join(cols)}, score, tier, reasons, missing, points) "
        f"VALUES ({', '.join('?' * (len(cols) + 6))})",
        [
            [
                run_id,
                *[s.facts.get(c) for c in cols],
                s.score,
                s.tier,
                "\n".join(s.reasons),
                "\n".join(s.missing) or None,
                s.points,
            ]
            for s in scored
        ],
    )
    con.execute("COMMIT")
    return scored


def export_xlsx(scored: list[Scored], path: Path, fiscal_year: int, month: dt.date) -> Path:
    """A sheet per district, filters and frozen header, masked IDs, every cell inert."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    tier_fmt = {
        "ready": wb.add_format({"bold": True, "font_color": "#137333", "valign": "top"}),
        "nearly_ready": wb.add_format({"bold": True, "font_color": "#B06000", "valign": "top"}),
        "not_yet": wb.add_format({"valign": "top"}),
    }
    headers = [
        "อันดับ",
        "ระดับความพร้อม",
        "คะแนน",
        "ประเภท",
        "ชื่อกลุ่ม / ผู้ผลิต",
        "ผลิตภัณฑ์",
        "ประเภท OTOP",
        "ตำบล",
        "หมู่บ้าน (รหัส)",
        "สมาชิก",
        "เหตุผลของคะแนน",
        "สิ่งที่ยังขาด",
    ]
    by_district: dict[str, list[Scored]] = {}
    for s in scored:
        by_district.setdefault(
            f"{s.facts.get('district_code')} {s.facts.get('district_name') or ''}".strip(), []
        ).append(s)
    about = wb.add_worksheet("อ่านก่อน")
    about.write(
        0,
        0,
        f"บัญชีกลุ่มอาชีพที่มีศักยภาพเข้าสู่ OTOP ปีงบประมาณ {fiscal_year} "
        f"ข้อมูลถึง {parse.THAI_MONTHS_FULL[month.month - 1]} {month.year + 543}",
    )
    about.write(1, 0, "คะแนนและเกณฑ์มาจากไฟล์ otop.yml; เลขประจำตัวประชาชนแสดงแบบปิดบัง")
    for name, items in sorted(by_district.items()):
        ws = wb.add_worksheet(_sheet_name(name))
        ws.write_row(0, 0, headers, head)
        for i, s in enumerate(items, start=1):
            f = s.facts
            who = f.get("group_name") if f["kind"] == "group" else mask_ids(f.get("citizen_id") or "")
            row = [
                i,
                TIER_TH[s.tier],
                s.score,
                "กลุ่ม" if f["kind"] == "group" else "รายบุคคล",
                who,
                f.get("product"),
                f.get("otop_type"),
                f.get("subdistrict_name"),
                f.get("village_code"),
                f.get("members"),
                "\n".join(s.reasons),
                "\n".join(s.missing),
            ]
            for c, v in enumerate(row):
                ws.write(i, c, inert(v) if v is not None else "", tier_fmt[s.tier] if c == 1 else wrap)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(1, len(items)), len(headers) - 1)
        ws.set_column(0, 0, 6)
        ws.set_column(1, 3, 12)
        ws.set_column(4, 6, 22)
        ws.set_column(7, 9, 12)
        ws.set_column(10, 11, 60)
    wb.close()
    return path


def _sheet_name(name: str) -> str:
    bad = set("[]:*?/\\")
    return "".join("_" if ch in bad else ch for ch in name)[:31] or "district"


def rank(
    con: duckdb.DuckDBPyConnection, fiscal_year: int, month: dt.date | None = None, config_path: Path | None = None
) -> list[Scored]:
    """Every candidate scored, best first, storing nothing: what `shortlist` would store, on a
    read-only connection too (the shortlist notebook, when no run is stored for the month)."""
    cfg, _ = load_config(config_path)
    month = month or latest_month(con, fiscal_year)
    if month is None:
        return []
    scored = [score(f, cfg) for f in candidates(con, fiscal_year, month, cfg.get("lookback_months", 6))]
    scored.sort(key=lambda s: (-s.score, s.facts["candidate_key"]))
    return scored
