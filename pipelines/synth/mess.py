"""How one file is typed: header wording, value formats, sheet names, stray rows.

A `Style` is chosen per file by a seeded RNG; the higher the mess level, the more and the
wilder the variants (every one of them listed in the spec). Level 0 is the clean layout.
Renderers turn true values (satang, dates, IDs) into cells: str, int, float, bool,
datetime.date (a date cell) or None (blank).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from pipelines.synth import fiscal
from pipelines.synth.occupation import GROUP_THAI

# Header synonyms from the spec; the first Thai one is the clean layout's.
HEADERS = {
    "seq": (["ลำดับ", "ที่"], ["no", "#"]),
    "title": (["คำนำหน้า", "คำนำหน้าชื่อ"], ["title"]),
    "full_name": (["ชื่อ-สกุล", "ชื่อ - นามสกุล", "ชื่อ-นามสกุล"], ["name", "full name"]),
    "first_name": (["ชื่อ"], ["first name"]),
    "last_name": (["นามสกุล", "สกุล"], ["last name", "surname"]),
    "citizen_id": (["เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "เลขบัตร ปชช."], ["citizen id", "national id"]),
    "role": (["บทบาท", "ตำแหน่ง"], ["role"]),
    "expertise": (["ความเชี่ยวชาญ", "อาชีพที่ถ่ายทอด"], ["expertise"]),
    "phone": (["โทรศัพท์", "เบอร์โทร"], ["phone"]),
    "house_no": (["บ้านเลขที่"], ["house no"]),
    "members": (["จำนวนสมาชิก", "สมาชิกในครัวเรือน (คน)"], ["members"]),
    "trainer": (["วิทยากรผู้ดูแล", "วิทยากรพี่เลี้ยง"], ["trainer"]),
    "occupation": (["อาชีพที่ฝึก", "อาชีพที่ได้รับการฝึก"], ["occupation"]),
    "occupation_group": (["ประเภทอาชีพ"], ["occupation type"]),
    "trained_on": (["วันที่ฝึกอบรม", "วันที่ฝึกอาชีพ"], ["training date"]),
    "income_before": (["รายได้ก่อนฝึก (บาท/เดือน)", "รายได้เดิม"], ["income before"]),
    "expense_before": (["รายจ่ายก่อนฝึก (บาท/เดือน)", "รายจ่ายเดิม"], ["expense before"]),
    "status": (["สถานะ"], ["status"]),
    "note": (["หมายเหตุ"], ["note", "remark"]),
    "month": (["เดือน", "ประจำเดือน"], ["month"]),
    "practising": (["ประกอบอาชีพ", "นำไปประกอบอาชีพ"], ["practising"]),
    "income": (["รายได้ (บาท/เดือน)", "รายได้จากอาชีพ"], ["income"]),
    "expense": (["รายจ่าย (บาท/เดือน)"], ["expense"]),
    "savings": (["เงินออม (บาท/เดือน)"], ["savings"]),
    "group_name": (["กลุ่มอาชีพ", "ชื่อกลุ่ม"], ["occupation group"]),
    "product": (["ผลิตภัณฑ์"], ["product"]),
    "otop_type": (["ประเภทผลิตภัณฑ์ OTOP"], ["OTOP type"]),
    "standard": (["มาตรฐานผลิตภัณฑ์"], ["product standard"]),
    "channels": (["ช่องทางจำหน่าย", "ช่องทางการตลาด"], ["sales channels"]),
}
MONEY = {"income_before", "expense_before", "income", "expense", "savings"}
# Wide follow-up: `<measure> <month>`, e.g. รายได้ ต.ค. 68.
WIDE_MEASURES = {"practising": "ประกอบอาชีพ", "income": "รายได้", "expense": "รายจ่าย", "savings": "เงินออม"}
# Two-row group header over the money-before-training columns.
BEFORE_GROUP = "ก่อนฝึก (บาท/เดือน)"
BEFORE_SUB = {"income_before": "รายได้", "expense_before": "รายจ่าย"}

BLOCK_LABELS = {
    "province": (["จังหวัด"], ["province"]),
    "district": (["อำเภอ"], ["district", "amphoe"]),
    "subdistrict": (["ตำบล"], ["subdistrict", "tambon"]),
    "village_no": (["หมู่ที่"], ["moo", "village no"]),
    "village_name": (["ชื่อหมู่บ้าน", "หมู่บ้าน", "บ้าน"], ["village", "village name"]),
    "village_code": (["รหัสหมู่บ้าน"], ["village code"]),
    "fiscal_year": (["ปีงบประมาณ"], ["fiscal year", "FY"]),
    "report_month": (["ประจำเดือน", "เดือนที่รายงาน"], ["report month"]),
    "reported_by": (["ผู้รายงาน"], ["reported by"]),
}
SHEET_NAMES = {
    "cover": ["ข้อมูลหมู่บ้าน", "cover", "Cover", "ข้อมูลหมู่บ้าน "],
    "trainers": ["วิทยากร", "trainers", "Trainers", "TRAINERS", "วิทยากร ", " วิทยากร"],
    "households": ["ครัวเรือน", "households", "Households", "HOUSEHOLDS", "ครัวเรือน ", " ครัวเรือน"],
    "followup": ["ติดตาม", "followup", "Followup", "FollowUp", "Follow up", "ติดตาม "],
}
TITLES = {
    "cover": ["สมุดติดตามสัมมาชีพชุมชน", "แบบรายงานผลโครงการสร้างสัมมาชีพชุมชน"],
    "trainers": ["ทะเบียนวิทยากรสัมมาชีพชุมชน", "รายชื่อวิทยากรสัมมาชีพชุมชน"],
    "households": ["ทะเบียนครัวเรือนสัมมาชีพชุมชน", "รายชื่อครัวเรือนเป้าหมาย โครงการสร้างสัมมาชีพชุมชน"],
    "followup": ["แบบติดตามผลการประกอบอาชีพ", "ผลการติดตามครัวเรือนสัมมาชีพชุมชนรายเดือน"],
}
SUBTITLE = "โครงการสร้างสัมมาชีพชุมชน กรมการพัฒนาชุมชน"
YES_NO = [
    ("ใช่", "ไม่ใช่"),
    ("ทำ", "ไม่ทำ"),
    ("✓", "✗"),
    ("/", "x"),
    (1, 0),
    ("1", "0"),
    ("Y", "N"),
    ("yes", "no"),
    ("Yes", "No"),
    ("true", "false"),
]
ROLE_WORDS = {"sage": ["ปราชญ์ชุมชน", "ปราชญ์", "วิทยากรหลัก"], "team": ["ทีมวิทยากร", "ทีม", "วิทยากร"]}
GROUP_WORDS = {
    "agriculture": ["เกษตร", "ภาคการเกษตร"],
    "processing": ["แปรรูป", "การแปรรูป"],
    "community_tourism": ["ท่องเที่ยวชุมชน"],
    "other": ["อื่นๆ"],
}
STATUS_WORDS = {"active": ["ปกติ", ""], "withdrawn": ["ถอนตัว", "ออก"], "replacement": ["ทดแทน"]}
INSTRUCTIONS = [
    "คำแนะนำการกรอกข้อมูล",
    "1) กรอกข้อมูลวิทยากร 5 คน (ปราชญ์ชุมชน 1 คน ทีมวิทยากร 4 คน)",
    "2) กรอกครัวเรือนเป้าหมาย 20 ครัวเรือน วิทยากร 1 คนดูแล 4 ครัวเรือน",
    "3) ติดตามผลทุกเดือน ส่งภายในวันที่ 10 ของเดือนถัดไป",
]

DATE_FORMS_SHEET = ["cell", "cell_be", "serial"]
DATE_FORMS_TEXT = ["slash_be", "dash_be2", "abbr_be", "full_be", "iso"]
MONTH_FORMS_SHEET = ["cell", "cell_be"]
MONTH_FORMS_TEXT = ["abbr", "full", "slash", "iso"]
MONTH_FORMS_WILD = ["slash2"]  # 10/68: the two-digit BE year the spec reads as 2568, wild files only
MONEY_FORMS = ["number", "plain", "comma", "baht", "symbol"]
ID_FORMS = ["text", "dash", "space", "number"]


@dataclass
class Style:
    level: int
    rng: random.Random
    medium: str = "xlsx"  # xlsx | xlsm | ods | csv
    encoding: str = "utf-8"  # csv only: utf-8 | utf-8-sig | cp874
    cover: bool = True  # header block on a cover sheet, else on each data sheet
    cover_name: str = "ข้อมูลหมู่บ้าน"
    sheet_names: dict = field(default_factory=lambda: {k: v[0] for k, v in SHEET_NAMES.items()})
    english: dict = field(default_factory=dict)  # sheet kind -> English headers
    headers: dict = field(default_factory=dict)  # (kind, key) -> header text, chosen once
    block_english: bool = False
    one_cell_block: float = 0.0  # share of block rows written as `label: value` in one cell
    block_forms: dict = field(default_factory=dict)
    titles: dict = field(default_factory=dict)  # sheet kind -> title rows above the table
    thai_digits: bool = False
    date_form: str = "cell"
    month_form: str = "abbr"
    money_form: str = "number"
    id_form: str = "text"
    yes_no: tuple = ("ใช่", "ไม่ใช่")
    roles: dict = field(default_factory=lambda: {k: v[0] for k, v in ROLE_WORDS.items()})
    groups: dict = field(default_factory=lambda: {k: v[0] for k, v in GROUP_WORDS.items()})
    statuses: dict = field(default_factory=lambda: {k: v[0] for k, v in STATUS_WORDS.items()})
    trainer_ref: str = "name"  # name | title_name | id
    split_names: bool = False  # ชื่อ + นามสกุล instead of ชื่อ-สกุล
    title_mode: str = "column"  # column | none | in_name
    seq: bool = True
    optional: set = field(default_factory=lambda: {"expertise", "phone", "note"})
    id_first: bool = False  # citizen ID before the name
    followup_name: bool = False  # follow-up carries the name beside the ID
    followup_by_name: bool = False  # ... or only the name
    month_first: bool = False
    two_row_header: bool = False  # households: ก่อนฝึก (บาท/เดือน) over รายได้ / รายจ่าย
    header_breaks: bool = False
    list_sep: str = ", "
    none_word: bool = False  # empty standards written ไม่มี
    noise: dict = field(default_factory=dict)  # sheet kind -> (blank rows, repeat header, totals)
    instructions: bool = False
    name_noise: float = 0.0  # share of names with doubled spaces / stray edges
    mark_noise: float = 0.0  # share of names typed with เ+เ for แ or a doubled tone mark
    mixed: float = 0.0  # share of cells typed in another form than the column's
    money_mixed: bool = True  # False: every amount in the column's form (all numbers: ingest's one-pass reading)

    # ------------------------------------------------------------------ choosing

    @classmethod
    def choose(cls, rng: random.Random, level: int, medium: str) -> Style:
        s = cls(level, rng, medium)
        if level == 0:
            return s
        hit = lambda p: rng.random() < p  # noqa: E731
        wild = level >= 3
        text_only = medium == "csv"
        if text_only:
            s.encoding = rng.choice(["utf-8", "utf-8-sig", "cp874"])
        s.cover = not text_only and hit(0.5)
        s.cover_name = rng.choice(SHEET_NAMES["cover"])
        for kind in ("trainers", "households", "followup"):
            if hit(0.35 if wild else 0.25):
                s.sheet_names[kind] = rng.choice(SHEET_NAMES[kind][1:])
            s.english[kind] = hit(0.15)
            s.titles[kind] = _titles(rng, kind) if hit(0.4) else []
            s.noise[kind] = (
                rng.choice([0, 0, 1, 2] if wild else [0, 0, 0, 1]),
                hit(0.3 if wild else 0.15),
                rng.choice(["none", "end", "middle"] if wild else ["none", "none", "end"]),
            )
        s.titles["cover"] = _titles(rng, "cover") if hit(0.4) else []
        s.block_english = hit(0.15)
        s.one_cell_block = rng.choice([0.0, 0.0, 0.5, 1.0])
        s.block_forms = {
            "district": rng.choice(["", "อ.", "อำเภอ"]),
            "subdistrict": rng.choice(["", "ต.", "ตำบล"]),
            "village_name": rng.choice(["บ้าน", ""]),
            "village_no": rng.choice(["number", "text"]),
            "village_code": rng.choice(["text", "number"] + (["omit"] if level >= 2 else [])),
            "fiscal_year": rng.choice(["number", "พ.ศ.", "thai"] + (["ce"] if level >= 2 else [])),
            "report_month": rng.choice(["full", "abbr", "slash", "iso"] + (MONTH_FORMS_WILD if wild else [])),
        }
        s.thai_digits = hit(0.3)
        s.date_form = rng.choice(DATE_FORMS_TEXT if text_only else DATE_FORMS_SHEET + DATE_FORMS_TEXT)
        s.month_form = rng.choice(s.month_forms())
        s.money_form = rng.choice(MONEY_FORMS[1:] if text_only else MONEY_FORMS)
        s.id_form = rng.choice(ID_FORMS[:3] if text_only else ID_FORMS)
        pairs = [p for p in YES_NO if not (s.encoding == "cp874" and p[0] == "✓")]
        s.yes_no = rng.choice(pairs + ([(True, False)] if wild and not text_only else []))
        s.roles = {k: rng.choice(v) for k, v in ROLE_WORDS.items()}
        s.groups = {k: rng.choice(v) for k, v in GROUP_WORDS.items()}
        s.statuses = {k: rng.choice(v) for k, v in STATUS_WORDS.items()}
        s.trainer_ref = rng.choice(["name", "name", "title_name", "id"])
        s.split_names = hit(0.2)
        s.title_mode = rng.choice(
            ["column", "column", "none"] + (["in_name"] if level >= 2 and not s.split_names else [])
        )
        s.seq = hit(0.75)
        s.optional = {k for k in ("expertise", "phone", "note") if hit(0.7)}
        s.id_first = level >= 2 and hit(0.3)
        s.followup_name = hit(0.3)
        s.followup_by_name = level >= 2 and hit(0.15)
        s.month_first = hit(0.3)
        s.two_row_header = level >= 2 and not text_only and hit(0.35)
        s.header_breaks = not text_only and hit(0.3)
        s.list_sep = rng.choice([", ", ",", "/", " / "])
        s.none_word = hit(0.5)
        s.instructions = hit(0.5 if wild else 0.3)
        s.name_noise = 0.15 if wild else 0.05
        s.mark_noise = 0.1 if wild else 0.0
        s.mixed = 0.15 if wild else 0.0
        return s

    # ------------------------------------------------------------------ headers

    def header(self, kind: str, key: str) -> str:
        """The header text of a column, chosen once per file and sheet."""
        if (kind, key) not in self.headers:
            thai, english = HEADERS[key]
            if self.level == 0:
                text = thai[0]
            else:
                text = self.rng.choice(english if self.english.get(kind) else thai)
                text = self._decorate(text, key)
            self.headers[(kind, key)] = text
        return self.headers[(kind, key)]

    def _decorate(self, text: str, key: str) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.15:
            return f"  {text} "
        if roll < 0.3 and key in MONEY and "(" not in text and not text.isascii():
            return f"{text} (บาท/เดือน)" if key != "savings" else f"{text} (บาท)"
        if roll < 0.35 and key == "members" and "(" not in text and not text.isascii():
            return f"{text} (คน)"
        if roll < 0.5 and self.header_breaks and " " in text.strip():
            return text.replace(" ", "\n", 1)
        if roll < 0.6 and text.isascii():
            return text.title() if rng.random() < 0.7 else text.upper()
        return text

    def wide_header(self, key: str, month: dt.date) -> str:
        sep = "\n" if self.header_breaks and self.level >= 2 else " "
        return f"{WIDE_MEASURES[key]}{sep}{fiscal.month_abbr(month)}"

    # ------------------------------------------------------------------ values

    def _form(self, column_form: str, forms: list[str]) -> str:
        """The column's form, or now and then (wild files) another one, as hand-typed cells are."""
        if self.mixed and self.rng.random() < self.mixed:
            return self.rng.choice(forms)
        return column_form

    def _digits(self, text: str) -> str:
        return fiscal.thai_digits(text) if self.thai_digits else text

    def date(self, day: dt.date):
        forms = DATE_FORMS_TEXT if self.medium == "csv" else DATE_FORMS_SHEET + DATE_FORMS_TEXT
        form = self._form(self.date_form, forms)
        be = day.year + fiscal.BE_OFFSET
        if form == "cell":
            return day
        if form == "cell_be":
            return dt.date(be, day.month, day.day)
        if form == "serial":
            return fiscal.excel_serial(day)
        text = {
            "slash_be": f"{day.day}/{day.month}/{be}",
            "dash_be2": f"{day.day:02d}-{day.month:02d}-{be % 100:02d}",
            "abbr_be": f"{day.day} {fiscal.MONTHS_ABBR[day.month - 1]} {be}",
            "full_be": f"{day.day} {fiscal.MONTHS_FULL[day.month - 1]} {be}",
            "iso": day.isoformat(),
        }[form]
        return self._digits(text)

    def month_forms(self) -> list[str]:
        """How this file's months may be written: text only in a CSV; `10/68` only when wild."""
        forms = MONTH_FORMS_TEXT if self.medium == "csv" else MONTH_FORMS_SHEET + MONTH_FORMS_TEXT
        return forms + (MONTH_FORMS_WILD if self.level >= 3 else [])

    def month(self, first: dt.date):
        form = self._form(self.month_form, self.month_forms())
        if form == "cell":
            return first
        if form == "cell_be":
            return dt.date(first.year + fiscal.BE_OFFSET, first.month, 1)
        return self._digits(month_text(first, form))

    def money(self, satang: int | None):
        if satang is None:
            return None
        forms = MONEY_FORMS[1:] if self.medium == "csv" else MONEY_FORMS
        form = self._form(self.money_form, forms) if self.money_mixed else self.money_form
        baht = abs(satang) / 100
        sign = "-" if satang < 0 else ""
        if form == "number":
            return -baht if satang < 0 else (int(baht) if satang % 100 == 0 else baht)
        plain = f"{baht:.2f}" if satang % 100 else f"{int(baht)}"
        comma = f"{baht:,.2f}" if satang % 100 else f"{int(baht):,}"
        text = {
            "plain": f"{sign}{plain}",
            "comma": f"{sign}{comma}",
            "baht": f"{sign}{comma} บาท",
            "symbol": f"{sign}฿{comma}",
        }[form]
        return self._digits(text)

    def number_cell(self, satang: int):
        """An amount typed as a number (a negative one included), whatever the column's form:
        a number cell in a workbook, its plain digits in a CSV (which has no number cells)."""
        baht = satang // 100 if satang % 100 == 0 else satang / 100
        return str(baht) if self.medium == "csv" else baht

    def integer(self, n: int):
        if self.medium == "csv" or (self.level and self.rng.random() < 0.1):
            return self._digits(str(n))
        return n

    def citizen_id(self, cid: str):
        forms = ID_FORMS[:3] if self.medium == "csv" else ID_FORMS
        form = self._form(self.id_form, forms)
        if form == "number":
            return float(int(cid))  # what Excel makes of a typed ID: exact below 2**53
        text = {
            "text": cid,
            "dash": f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}",
            "space": f"{cid[0]} {cid[1:5]} {cid[5:10]} {cid[10:12]} {cid[12]}",
        }[form]
        return self._digits(text)

    def yes(self, practising: bool):
        value = self.yes_no[0] if practising else self.yes_no[1]
        return value

    def role(self, role: str) -> str:
        return self.roles[role]

    def occupation_group(self, group: str) -> str:
        return self.groups[group] if self.level else GROUP_THAI[group]

    def status(self, status: str) -> str | None:
        return self.statuses[status] or None

    def joined(self, items: tuple[str, ...], none_word: bool = False) -> str | None:
        if not items:
            return "ไม่มี" if none_word and self.none_word else None
        return self.list_sep.join(items)

    def name(self, first: str, last: str) -> str:
        """A name as typed: sometimes doubled spaces, stray edges or marks typed in a wrong order."""
        rng = self.rng
        if self.mark_noise and rng.random() < self.mark_noise:
            first = _mistype(first, rng)
        if self.name_noise and rng.random() < self.name_noise:
            return rng.choice([f"{first}  {last}", f" {first} {last}", f"{first} {last} ", f"{first}   {last}"])
        return f"{first} {last}"

    # ------------------------------------------------------------------ header block

    def block(self, year, month: int, code_override: str | None = None) -> list[tuple[str, object]]:
        """(label, value) pairs of the village identification, in this file's wording."""
        v = year.village
        f = self.block_forms or {
            "district": "",
            "subdistrict": "",
            "village_name": "บ้าน",
            "village_no": "number",
            "village_code": "text",
            "fiscal_year": "number",
            "report_month": "full",
        }
        first = fiscal.month_start(year.fiscal_year, month)
        fy = year.fiscal_year
        values = {
            "province": v.province_name,
            "district": f["district"] + v.district_name,
            "subdistrict": f["subdistrict"] + v.subdistrict_name,
            "village_no": v.no if f["village_no"] == "number" and self.medium != "csv" else self._digits(str(v.no)),
            "village_name": f["village_name"] + v.bare_name,
            "village_code": None
            if f["village_code"] == "omit" and not code_override
            else (
                int(code_override or v.code)
                if f["village_code"] == "number" and self.medium != "csv"
                else (code_override or v.code)
            ),
            "fiscal_year": {
                "number": fy if self.medium != "csv" else str(fy),
                "พ.ศ.": f"พ.ศ. {fy}",
                "thai": fiscal.thai_digits(str(fy)),
                "ce": fy - fiscal.BE_OFFSET,
            }[f["fiscal_year"]],
            "report_month": self._digits(month_text(first, f["report_month"]))
            if self.level
            else month_text(first, "full"),
            "reported_by": year.reported_by,
        }
        pairs = []
        for key, value in values.items():
            if value is None:
                continue
            thai, english = BLOCK_LABELS[key]
            label = thai[0] if self.level == 0 else self.rng.choice(english if self.block_english else thai)
            pairs.append((label, value))
        return pairs


def month_text(first: dt.date, form: str) -> str:
    be = first.year + fiscal.BE_OFFSET
    return {
        "abbr": fiscal.month_abbr(first),
        "full": fiscal.month_full(first),
        "slash": f"{first.month}/{be}",
        "slash2": f"{first.month}/{be % 100:02d}",
        "iso": f"{first:%Y-%m}",
    }[form]


def _titles(rng: random.Random, kind: str) -> list[str]:
    rows = [rng.choice(TITLES[kind])]
    if rng.random() < 0.4:
        rows.append(SUBTITLE)
    return rows


def _mistype(word: str, rng: random.Random) -> str:
    """Typing slips Thai normalisation undoes: เ+เ for แ, a tone mark typed twice."""
    if "แ" in word and rng.random() < 0.6:
        return word.replace("แ", "เเ", 1)
    for mark in "่้๊๋":
        if mark in word:
            return word.replace(mark, mark + mark, 1)
    return word
