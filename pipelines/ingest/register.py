"""Official areas (DOPA codes, from geothai) and the province's village register.

A file names its village by code or by names; names resolve only together, because a
subdistrict name repeats across districts (น้ำชำ is in both เมืองแพร่ and สูงเม่น).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geothai
import pyarrow as pa

from pipelines.ingest.workbook import decode_text
from pipelines.thai import parse

if TYPE_CHECKING:
    import duckdb


class RegisterError(ValueError):
    """The register CSV cannot be used; the message names the line."""


def load_areas(con: duckdb.DuckDBPyConnection) -> None:
    """All provinces, districts and subdistricts of Thailand, once per warehouse."""
    if con.execute("SELECT count(*) FROM subdistrict").fetchone()[0]:
        return
    provinces = geothai.provinces()
    districts = [d for p in provinces for d in geothai.districts(p.code)]
    subdistricts = [s for d in districts for s in geothai.subdistricts(d.code)]
    tables = {
        "province": [(p.code, p.name_th, p.name_en) for p in provinces],
        "district": [(d.code, d.name_th, d.name_en, d.province_code) for d in districts],
        "subdistrict": [(s.code, s.name_th, s.name_en, s.district_code) for s in subdistricts],
    }
    for name, rows in tables.items():
        _bulk_insert(con, name, rows)


def _bulk_insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """executemany is slow in DuckDB; an Arrow table goes in at once."""
    if not rows:
        return
    cols = [c[0] for c in con.execute(f"SELECT * FROM {table} LIMIT 0").description][: len(rows[0])]
    data = pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols)})
    con.register("_rows", data)
    try:
        con.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _rows")
    finally:
        con.unregister("_rows")


def read_register_csv(path: Path) -> list[tuple[str, int, str, str]]:
    """(village_code, village_no, village_name, subdistrict_code) rows; RegisterError on a bad line."""
    text = decode_text(Path(path).read_bytes())
    reader = csv.DictReader(text.splitlines())
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    if "village_code" not in fields or "village_name" not in fields:
        raise RegisterError(f"{path}: ต้องมีคอลัมน์ village_code,village_name (needs columns village_code,village_name)")
    rows, seen = [], set()
    for line, rec in enumerate(reader, start=2):
        code = parse.digits((rec[fields["village_code"]] or "").strip())
        name = parse.text(rec[fields["village_name"]])
        if not code and not name:
            continue
        if not re.fullmatch(r"\d{8}", code):
            raise RegisterError(
                f"{path}, บรรทัด {line}: รหัสหมู่บ้าน '{code}' ต้องมี 8 หลัก (line {line}: village code must have 8 digits)"
            )
        if geothai.subdistrict(code[:6]) is None:
            raise RegisterError(
                f"{path}, บรรทัด {line}: ไม่พบตำบลรหัส {code[:6]} "
                f"(line {line}: no subdistrict {code[:6]} in the official list)"
            )
        if not name:
            raise RegisterError(f"{path}, บรรทัด {line}: ไม่มีชื่อหมู่บ้าน (line {line}: village name missing)")
        if code in seen:
            raise RegisterError(f"{path}, บรรทัด {line}: รหัสหมู่บ้าน {code} ซ้ำ (line {line}: village code repeated)")
        seen.add(code)
        no_text = (rec.get(fields.get("village_no", ""), "") or "").strip() if "village_no" in fields else ""
        village_no = int(parse.digits(no_text)) if no_text else int(code[6:])
        rows.append((code, village_no, name, code[:6]))
    return rows


def load_register(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Load or update the register (new codes added, known codes updated)."""
    rows = read_register_csv(path)
    load_areas(con)
    _bulk_insert(con, "register_village", [(*r, str(path)) for r in rows])
    return len(rows)


# ----------------------------------------------------------------------------- resolution


def area_name(text: str | None) -> str:
    """Area and village names compared without prefixes (อ., ต., บ้าน) and spaces."""
    s = geothai.normalize(parse.text(text) or "")
    return re.sub(r"^บ้าน", "", s)


def code_text(value) -> str:
    """A village code as written (text, a number cell, Thai digits, dashes, spaces) → its digits."""
    return re.sub(r"[\s-]", "", parse.digits(parse.text(value) or ""))


_EN_PREFIX = re.compile(r"^(changwat|amphoe|amphur|khet|tambon|tambol|khwaeng|ban)\s+")


def _english(text) -> str:
    """'Amphoe Mueang  Phrae' and 'mueang-phrae' compare equal."""
    s = (parse.text(text) or "").lower()
    s = _EN_PREFIX.sub("", s)
    return re.sub(r"[^a-z]", "", s)


@dataclass(frozen=True)
class Village:
    code: str
    no: int
    name: str
    subdistrict: str
    district: str
    province: str


_RESOLVE_KEYS = ("village_code", "province", "district", "subdistrict", "village_name", "village_no")


class Register:
    """The register in memory, for resolving header blocks quickly."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        rows = con.execute(
            "SELECT village_code, village_no, village_name, subdistrict_name, district_name, province_name FROM village"
        ).fetchall()
        self.by_code = {r[0]: Village(*r) for r in rows}
        # Official English names too: a header block may say "Amphoe: Mueang Phrae".
        self.english = {
            r[0]: {"subdistrict": r[1], "district": r[2], "province": r[3]}
            for r in con.execute("""
            SELECT v.village_code, s.subdistrict_name_en, d.district_name_en, p.province_name_en
            FROM register_village v JOIN subdistrict s USING (subdistrict_code)
            JOIN district d USING (district_code) JOIN province p USING (province_code)""").fetchall()
        }
        self._resolved: dict = {}  # what a header block said → its Village, or why not

    def _same(self, v: Village, key: str, given) -> bool:
        """Does the name written for `key` (province, district, subdistrict, village_name) fit village v?"""
        have = {"province": v.province, "district": v.district, "subdistrict": v.subdistrict, "village_name": v.name}[
            key
        ]
        if area_name(given) == area_name(have):
            return True
        en = self.english.get(v.code, {}).get(key)
        return bool(en) and _english(given) == _english(en)

    def __len__(self) -> int:
        return len(self.by_code)

    def resolve(self, block: dict) -> Village:
        """The village a header block names; ValueError says what is missing or disagrees.
        Remembered per what the block says (every monthly file of a village says the same)."""
        key = tuple((k, type(block[k][0]), block[k][0]) for k in _RESOLVE_KEYS if k in block)
        memo = self._resolved
        if key not in memo:
            if len(memo) > 100_000:
                memo.clear()
            try:
                memo[key] = self._resolve(block)
            except ValueError as exc:
                memo[key] = str(exc)
        found = memo[key]
        if isinstance(found, str):
            raise ValueError(found)
        return found

    def _resolve(self, block: dict) -> Village:
        raw = {k: v for k, (v, _) in block.items()}
        code = code_text(raw.get("village_code"))
        names = {k: raw.get(k) for k in ("province", "district", "subdistrict", "village_name")}
        no = raw.get("village_no")
        try:
            no = parse.integer(no) if no is not None else None
        except ValueError:
            raise ValueError(f"หมู่ที่ '{no}' ไม่ใช่ตัวเลข (village number '{no}' is not a number)") from None

        if code:
            v = self.by_code.get(code)
            if v is None:
                raise ValueError(f"รหัสหมู่บ้าน {code} ไม่อยู่ในทะเบียนหมู่บ้าน (village code {code} is not in the register)")
            wrong = [
                label
                for key, label in (
                    ("province", "จังหวัด"),
                    ("district", "อำเภอ"),
                    ("subdistrict", "ตำบล"),
                    ("village_name", "ชื่อหมู่บ้าน"),
                )
                if names[key] and not self._same(v, key, names[key])
            ]
            if no is not None and no != v.no:
                wrong.append("หมู่ที่")
            if wrong:
                raise ValueError(
                    f"รหัสหมู่บ้าน {code} ไม่ตรงกับ {', '.join(wrong)} ที่ระบุในไฟล์ "
                    f"(village code {code} disagrees with the {', '.join(wrong)} written in the file)"
                )
            return v

        if not names["subdistrict"] or not names["district"] or (no is None and not names["village_name"]):
            raise ValueError(
                "ระบุหมู่บ้านไม่ครบ: ต้องมีรหัสหมู่บ้าน หรือ อำเภอ ตำบล และหมู่ที่/ชื่อหมู่บ้าน "
                "(village not identified: give the village code, or district, subdistrict and village no/name)"
            )
        hits = [
            v
            for v in self.by_code.values()
            if self._same(v, "subdistrict", names["subdistrict"])
            and self._same(v, "district", names["district"])
            and (not names["province"] or self._same(v, "province", names["province"]))
            and (no is None or v.no == no)
            and (not names["village_name"] or self._same(v, "village_name", names["village_name"]))
        ]
        if len(hits) == 1:
            return hits[0]
        where = (
            f"ต.{parse.text(names['subdistrict'])} อ.{parse.text(names['district'])} "
            f"หมู่ {no if no is not None else '-'} {parse.text(names['village_name']) or ''}"
        ).strip()
        if not hits:
            raise ValueError(
                f"ไม่พบหมู่บ้าน {where} ในทะเบียน หรือชื่อไม่ตรงกัน (no village {where} in the register, or the names disagree)"
            )
        raise ValueError(
            f"ชื่อ {where} ตรงกับหลายหมู่บ้าน ต้องระบุรหัสหมู่บ้าน (names match several villages; give the village code)"
        )
