"""OTOP-readiness shortlist: a transparent score per producer group, with its reasons.

Facts per candidate come from SQL (otop.sql); weights, thresholds and tiers from otop.yml, so
changing the config changes the shortlist without touching code. One ranking everywhere: the
rank within the province by score (``sort_key``), the same on the page and in the workbook.
The Thai words of the score are in ``explain``, the workbook in ``workbook``, the page's
candidate list in ``page``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from pipelines import config
from pipelines.otop import explain, page, workbook
from pipelines.otop.explain import CRITERIA, KIND_TH, LABEL_TH, RANK_TH, RANKING_TH, TIER_TH
from pipelines.thai import fmt as tf
from pipelines.thai.parse import OTOP_TYPES

CONFIG_FILE = config.PROJECT_ROOT / "otop.yml"

__all__ = [
    "CONFIG_FILE",
    "CRITERIA",
    "KIND_TH",
    "LABEL_TH",
    "OTOP_TYPES",
    "RANKING_TH",
    "RANK_TH",
    "TIER_TH",
    "Ranked",
    "Scored",
    "candidates",
    "explain",
    "export_xlsx",
    "latest_month",
    "load_config",
    "page",
    "rank",
    "rank_numbers",
    "score",
    "shortlist",
    "sort_key",
    "workbook",
]


def load_config(path: Path | None = None) -> tuple[dict, str]:
    text = Path(path or CONFIG_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text), text


def _ramp(value, full_at) -> float:
    """0 at or below zero, 1 at or beyond full_at, linear between."""
    if value is None or full_at <= 0:
        return 0.0
    return max(0.0, min(1.0, float(value) / float(full_at)))


def _fmt_pct(x) -> str:
    return tf.DASH if x is None else f"{x:.0f}%"


@dataclass
class Scored:
    facts: dict
    points: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    score: float = 0.0
    tier: str = "not_yet"
    rank: int | None = None  # within the province, by ``sort_key``


class Ranked(list):
    """Scored candidates, best first, with the settings they were scored by (the workbook
    explains the score with them)."""

    def __init__(self, items=(), config: dict | None = None):
        super().__init__(items)
        self.config = config


def score(facts: dict, cfg: dict) -> Scored:
    """Points per criterion (weight x 0..1), Thai reasons, and the tier."""
    c = cfg["criteria"]
    s = Scored(facts)
    accepted = set(c["standard"]["accepted"])

    def add(key: str, fraction: float, reason: str, missing: str | None = None) -> None:
        pts = round(c[key]["weight"] * fraction, 2)
        s.points[key] = pts
        reason = " ".join(reason.split())  # one line per criterion, whatever the data holds
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
    add("sustained", _ramp(share, c["sustained"]["full_at"]), _sustained_reason(facts, share), "ผลิตต่อเนื่องทุกเดือน")
    change = facts.get("income_change_pct")
    add(
        "income_trend",
        _ramp(change, c["income_trend"]["full_at_pct"]),
        f"รายได้เปลี่ยนจากก่อนฝึก {tf.signed_percent(change, 0)}",
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


def _sustained_reason(facts: dict, share: float) -> str:
    """Months practising of the months that have follow-up data (not of ``lookback_months``);
    the share is the mean over those months of the members practising (an unreported month 0)."""
    n = facts.get("months_window")
    if not n:
        return f"ผลิตต่อเนื่อง {share:.0%} ของเดือนที่มีข้อมูล"
    done = facts.get("months_practising")
    done = round(share * n) if done is None else done
    return f"ผลิตต่อเนื่อง {done} จาก {n} เดือนที่มีข้อมูล ({share:.0%})"


def sort_key(score_value, candidate_key) -> tuple[float, str]:
    """The ranking: higher score first, ties by candidate key (subdistrict and group name;
    individual producers after groups). The page and the workbook both rank by this."""
    return (-round(float(score_value), 2), str(candidate_key))


def rank_numbers(rows: Iterable[tuple]) -> list[int]:
    """Rank within the province of each (province_code, score, candidate_key), in input order."""
    rows = list(rows)
    order = sorted(range(len(rows)), key=lambda i: (str(rows[i][0]), *sort_key(rows[i][1], rows[i][2])))
    ranks = [0] * len(rows)
    seen: dict[str, int] = {}
    for i in order:
        p = str(rows[i][0])
        seen[p] = seen.get(p, 0) + 1
        ranks[i] = seen[p]
    return ranks


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
        return Ranked()
    scored = rank(con, fiscal_year, month, config_path)
    run_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO otop_run VALUES (?, ?, ?, ?, ?)", [run_id, dt.datetime.now(), fiscal_year, month, text]
        )
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
        if scored:  # a month without a group or a product has no candidate; the run is still recorded
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
    except BaseException:
        con.execute("ROLLBACK")  # a run is stored whole or not at all
        raise
    return scored


def rank(
    con: duckdb.DuckDBPyConnection, fiscal_year: int, month: dt.date | None = None, config_path: Path | None = None
) -> list[Scored]:
    """Every candidate scored, best first, storing nothing: what `shortlist` would store, on a
    read-only connection too (the shortlist notebook, when no run is stored for the month)."""
    cfg, _ = load_config(config_path)
    month = month or latest_month(con, fiscal_year)
    if month is None:
        return Ranked(config=cfg)
    scored = [score(f, cfg) for f in candidates(con, fiscal_year, month, cfg.get("lookback_months", 6))]
    scored.sort(key=lambda s: sort_key(s.score, s.facts["candidate_key"]))
    ranks = rank_numbers((s.facts.get("province_code"), s.score, s.facts["candidate_key"]) for s in scored)
    for s, n in zip(scored, ranks):
        s.rank = n
    return Ranked(scored, cfg)


def export_xlsx(scored: list[Scored], path: Path, fiscal_year: int, month: dt.date) -> Path:
    """The shortlist workbook (``workbook.write``), explained with the settings it was scored by."""
    cfg = getattr(scored, "config", None) or load_config()[0]
    return workbook.write(scored, path, fiscal_year, month, cfg)
