"""One village's programme year: the people, what they earn month by month, and what is wrong.

`content` is what really happened; `plan` (chosen by mess level) decides the quirks that
change what a correct ingest may accept: quota breaches, a withdrawal, invalid values.
Faults sit on records, so every re-send of the cumulative workbook carries the same ones.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from pipelines.synth import fiscal
from pipelines.synth.occupation import OCCUPATIONS, WEIGHTS, Occupation
from pipelines.synth.people import Person, Villagers, valid_citizen_id, wrong_check_digit
from pipelines.synth.register import Village

# The spec's quotas (tracking-workbook.md, "Programme rules the data must follow"), again here:
# the generator states what ingest and validation must find without reading their settings.
QUOTA = {"trainers_per_village": 5, "sages_per_village": 1, "households_per_village": 20, "households_per_trainer": 4}


@dataclass
class Trainer:
    key: str
    person: Person
    role: str  # sage | team
    expertise: Occupation


@dataclass
class Household:
    key: str
    person: Person
    house_no: str
    members: int
    trainer: Trainer
    occupation: Occupation
    trained_on: dt.date
    income_before: int  # satang (1/100 baht): money stays exact
    expense_before: int
    joins: int = 1  # first report month with this household on the roster
    withdraws: int | None = None  # report month from which it is marked withdrawn
    replacement: bool = False
    note: str = ""

    def status(self, month: int) -> str:
        if self.withdraws is not None and month >= self.withdraws:
            return "withdrawn"
        return "replacement" if self.replacement else "active"


@dataclass
class Followup:
    household: Household
    month: int  # 1..12 of the fiscal year
    practising: bool
    income: int | None  # satang
    expense: int | None
    savings: int | None
    group_name: str | None = None
    product: str | None = None
    otop_type: str | None = None
    standards: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fault:
    """One invalid value, written in place of the true one in every file that carries the record."""

    sheet: str  # trainer | household | followup
    key: object  # trainer key, household key, or (household key, month)
    column: str  # spec column key: the rejected_row column_name
    kind: str  # bad_check | out_of_range | outside_fy | negative | negative_cell | unknown | dash | stranger
    value: object


@dataclass
class VillageYear:
    village: Village
    fiscal_year: int
    months: int
    trainers: list[Trainer]
    households: list[Household]  # everyone ever on the roster, in roster order
    followups: dict[tuple[str, int], Followup]
    reported_by: str
    followup_form: str = "long"  # long | wide
    wide_savings: bool = True  # the wide form has a เงินออม column per month
    breach: str | None = None  # which quota the plan broke on purpose
    faults: dict[tuple[str, object], Fault] = field(default_factory=dict)
    resend_month: int | None = None  # a re-sent identical copy of that month's file
    misfiled_month: int | None = None  # an extra file whose code contradicts its names
    showcase: frozenset = frozenset()  # cases of the wildest level this village must show (SHOWCASE)
    folks: Villagers | None = field(default=None, repr=False)  # more people, names still distinct
    groups: object = field(default=None, repr=False)

    # -- what each file carries
    def roster(self, month: int) -> list[Household]:
        return [h for h in self.households if h.joins <= month]

    def followup_rows(self, month: int) -> list[Followup]:
        """Months 1..month of the households on that month's roster: the cumulative sheet."""
        roster = self.roster(month)
        return [self.followups[(h.key, j)] for j in range(1, month + 1) for h in roster if (h.key, j) in self.followups]

    def fault(self, sheet: str, key: object) -> Fault | None:
        return self.faults.get((sheet, key))

    # -- what a correct ingest refuses (the column named in rejected_row)
    def trainer_refusal(self, t: Trainer) -> str | None:
        f = self.fault("trainer", t.key)
        return f.column if f else None

    def household_refusal(self, h: Household) -> str | None:
        if f := self.fault("household", h.key):
            return f.column
        return "trainer" if self.trainer_refusal(h.trainer) else None

    def followup_refusal(self, r: Followup) -> str | None:
        if self.household_refusal(r.household):
            return "citizen_id"
        f = self.fault("followup", (r.household.key, r.month))
        return f.column if f else None

    @property
    def has_refusals(self) -> bool:
        return bool(self.faults)

    # -- the truth: the latest file's accepted records
    def loaded_trainers(self) -> list[Trainer]:
        return [t for t in self.trainers if not self.trainer_refusal(t)]

    def loaded_households(self) -> list[Household]:
        return [h for h in self.roster(self.months) if not self.household_refusal(h)]

    def loaded_followups(self) -> list[Followup]:
        rows = [r for r in self.followup_rows(self.months) if not self.followup_refusal(r)]
        if self.followup_form == "wide":  # the wide sheet carries only the monthly measures
            rows = [
                Followup(
                    r.household, r.month, r.practising, r.income, r.expense, r.savings if self.wide_savings else None
                )
                for r in rows
            ]
        return rows

    def quota_breaches(self) -> list[str]:
        quota = QUOTA
        trainers = self.loaded_trainers()
        enrolled = [h for h in self.loaded_households() if h.status(self.months) != "withdrawn"]
        out = []
        if len(trainers) != quota["trainers_per_village"]:
            out.append("trainers")
        if sum(t.role == "sage" for t in trainers) != quota["sages_per_village"]:
            out.append("sages")
        if len(enrolled) != quota["households_per_village"]:
            out.append("households")
        ids = [t.person.citizen_id for t in trainers]
        per = {cid: 0 for cid in ids}
        for h in enrolled:
            if h.trainer.person.citizen_id in per:
                per[h.trainer.person.citizen_id] += 1
        if any(n != quota["households_per_trainer"] for n in per.values()):
            out.append("trainer_households")
        return out


# ----------------------------------------------------------------------------- content


def content(village: Village, neighbours: list[Village], fiscal_year: int, months: int, seed: int) -> VillageYear:
    """The village's year as it happened: 1 sage + 4 team trainers, each looking after 4 households."""
    rng = random.Random(f"{seed}:{fiscal_year}:{village.code}:people")
    folks = Villagers(rng, village.code)
    kinds = _pick_occupations(rng)
    trainers = [Trainer("T0", folks.person(), "sage", kinds[0])]
    trainers += [Trainer(f"T{i}", folks.person(), "team", kinds[i % len(kinds)]) for i in range(1, 5)]
    # Training happens within the first month, a village's households within a few days.
    first_day = fiscal.start(fiscal_year) + dt.timedelta(days=rng.randint(3, 22))
    last_ok = fiscal.month_end(fiscal_year, 1)
    households, used_house_no = [], set()
    for i in range(20):
        trainer = trainers[i // 4]
        occ = trainer.expertise if rng.random() < 0.85 else rng.choice(kinds)
        trained = min(first_day + dt.timedelta(days=rng.randint(0, 4)), last_ok)
        households.append(_household(rng, folks, f"H{i}", trainer, occ, trained, used_house_no))
    sage = trainers[0].person
    reported_by = rng.choice(
        [
            f"{sage.title}{sage.full_name}",
            f"{sage.title}{sage.full_name} (ปราชญ์ชุมชน)",
            f"{folks.person().title}{folks.person().full_name} ผู้ใหญ่บ้าน",
            f"{folks.person().full_name} อาสาพัฒนาชุมชน",
        ]
    )
    year = VillageYear(
        village,
        fiscal_year,
        months,
        trainers,
        households,
        {},
        reported_by,
        folks=folks,
        groups=_GroupNames(seed, neighbours),
    )
    for h in households:
        _follow(rng, year, h, 1, months, year.groups)
    return year


def _pick_occupations(rng: random.Random) -> list[Occupation]:
    count = rng.choice([2, 3, 3, 4])
    weights = [WEIGHTS[o.group] for o in OCCUPATIONS]
    chosen: list[Occupation] = []
    while len(chosen) < count:
        occ = rng.choices(OCCUPATIONS, weights)[0]
        if occ not in chosen:
            chosen.append(occ)
    return chosen


def _household(
    rng, folks: Villagers, key: str, trainer: Trainer, occ: Occupation, trained: dt.date, used_house_no: set
) -> Household:
    while True:
        n = rng.randint(1, 250)
        house_no = f"{n}/{rng.randint(1, 9)}" if rng.random() < 0.3 else str(n)
        if house_no not in used_house_no:
            used_house_no.add(house_no)
            break
    members = rng.choices(range(1, 9), [5, 12, 20, 25, 18, 10, 6, 4])[0]
    # Village households earn a few thousand baht a month; log-normal spread, clipped.
    baht = min(15000, max(2000, math.exp(rng.gauss(math.log(5500), 0.45))))
    income = int(round(baht / (100 if rng.random() < 0.8 else 50)) * (100 if rng.random() < 0.8 else 50))
    income = min(15000, max(2000, income))
    expense = int(round(income * rng.uniform(0.55, 0.9) / 50) * 50)
    return Household(key, folks.person(), house_no, members, trainer, occ, trained, income * 100, expense * 100)


class _GroupNames:
    """Groups are shared across a subdistrict: named after one village of it, the same for all."""

    def __init__(self, seed: int, neighbours: list[Village]):
        self.seed, self.neighbours = seed, neighbours

    def __call__(self, occ: Occupation) -> str:
        sub = self.neighbours[0].subdistrict_code
        anchor = random.Random(f"{self.seed}:group:{sub}:{occ.name}").choice(self.neighbours)
        return f"กลุ่ม{occ.short}{anchor.name}"


# How the programme works out differs, as a planner would expect to find it: processing pays
# best and agriculture least; community tourism keeps fewer households; practice wears off a
# little month by month after training; and in a village in twenty (code ending in 7) the
# trainers reach few households. The draws are the same whatever the effect, so a change of
# effect changes no other value of the generated province.
KEEN = {"processing": 0.88, "agriculture": 0.84, "community_tourism": 0.76, "other": 0.85}
GROWTH = {"processing": 1.3, "agriculture": 0.75, "community_tourism": 1.0, "other": 1.0}
WEAR_OFF = 0.012  # share of the chance to practise lost per month since training
WEAK_VILLAGE_KEEN = 0.45


def _follow(rng, year: VillageYear, h: Household, first: int, last: int, groups: _GroupNames) -> None:
    """Monthly follow-up: ~85 % practising, income growing a few % a month for those who do."""
    occ = h.occupation
    weak = year.village.code.endswith("7")
    keen = rng.random() < (WEAK_VILLAGE_KEEN if weak else KEEN.get(occ.group, 0.85))
    p_practise = rng.uniform(0.88, 0.99) if keen else rng.uniform(0.3, 0.6)
    jump = rng.uniform(0.0, 0.08)
    growth = rng.uniform(0.005, 0.04) * GROWTH.get(occ.group, 1.0)
    in_group = occ.group == "processing" or rng.random() < occ.grouped
    standards = tuple(s for s in occ.standards if rng.random() < 0.5)
    channels = tuple(c for c in occ.channels if rng.random() < 0.6) or occ.channels[:1]
    online_from = rng.randint(2, 13)  # some start selling online later in the year
    cents = rng.random() < 0.2  # a few households keep accounts to the satang
    for j in range(first, last + 1):
        if not rng.random() < p_practise * (1 - WEAR_OFF * (j - first)):
            zero = 0 if rng.random() < 0.1 else None  # some write 0 for a month without income
            year.followups[(h.key, j)] = Followup(h, j, False, zero, zero, None)
            continue
        baht = h.income_before / 100 * (1 + jump) * (1 + growth) ** (j - first) * rng.uniform(0.97, 1.04)
        income = int(round(baht * 4)) * 25 if cents else int(round(baht / 10)) * 1000
        expense = int(round(income / 100 * rng.uniform(0.5, 0.8) / 10)) * 1000
        savings = None
        if rng.random() < 0.7:
            savings = max(0, int(round((income - expense) / 100 * rng.uniform(0.1, 0.5) / 10)) * 1000)
        sold = channels + (
            ("ออนไลน์",) if j >= online_from and "ออนไลน์" not in channels and occ.group == "processing" else ()
        )
        processing = occ.group == "processing"
        year.followups[(h.key, j)] = Followup(
            h,
            j,
            True,
            income,
            expense,
            savings,
            group_name=groups(occ) if in_group else None,
            product=occ.product if (processing or in_group) else None,
            otop_type=occ.otop_type if processing else None,
            standards=standards if processing or occ.group == "agriculture" else (),
            channels=sold,
        )


# ----------------------------------------------------------------------------- plan

_P = {  # per mess level: share of villages with each quirk
    "wide": {2: 0.2, 3: 0.3},
    "breach": {2: 0.05, 3: 0.1},
    "withdraw": {2: 0.12, 3: 0.22},
    "faulty": {2: 0.12, 3: 0.3},
    "resend": {3: 0.1},
    "misfiled": {3: 0.04},
    "formula_text": {3: 0.15},
}
BREACHES = ["trainers_4", "trainers_6", "sages_2", "households_19", "households_21", "trainer_5"]
# and at mess 3 "sages_0": no sage at all (half of the sages_2 villages, and a SHOWCASE case)

# Cases of the wildest level that every mess-3 province shows at least once (province.generate
# gives each to a village drawn by the seed): each once let a planted bug through every test.
#   no_sage          a village whose five trainers are all team members (a quota breach)
#   negative_cell    a negative amount typed in a number cell (refused)
#   two_digit_month  months written 10/68, the report month too (the last file)
#   formula_text     free text starting with + or - (stored as typed)
SHOWCASE = ("no_sage", "negative_cell", "two_digit_month", "formula_text")


def plan(year: VillageYear, seed: int, mess: int, showcase=frozenset()) -> VillageYear:
    """Apply the mess level's structural quirks and faults (in place); mess 0 changes nothing.
    ``showcase``: which of SHOWCASE this village must show (mess 3). What mess 3 adds draws
    from a stream of its own, so every other draw (and so every file's status) stays as it was."""
    if mess < 2:
        return year
    rng = random.Random(f"{seed}:{year.fiscal_year}:{year.village.code}:plan{mess}")
    p = {k: v.get(mess, 0.0) for k, v in _P.items()}
    wild = mess >= 3
    extra = random.Random(f"{seed}:{year.fiscal_year}:{year.village.code}:wild") if wild else None
    year.showcase = frozenset(showcase) if wild else frozenset()
    if rng.random() < p["wide"]:
        year.followup_form = "wide"
        year.wide_savings = rng.random() < 0.6
    drawn_long = year.followup_form == "long"
    if year.showcase - {"no_sage"}:
        year.followup_form = "long"  # the wide sheet has no month column, refusals or group names
    if rng.random() < p["breach"]:
        _break_quota(rng, year, rng.choice(BREACHES))
        if extra and year.breach == "sages_2" and extra.random() < 0.5:
            _break_quota(extra, year, "sages_0")  # no sage instead of two
    if "no_sage" in year.showcase:
        _break_quota(extra, year, "sages_0")
    if year.months >= 2 and rng.random() < p["withdraw"]:
        _withdraw(rng, year)
    if drawn_long and rng.random() < p["faulty"]:
        for _ in range(1 if mess == 2 else rng.randint(1, 2)):
            _add_fault(rng, year, extra)
    if "negative_cell" in year.showcase:
        _negative_cell(extra, year)
    if wild and ("formula_text" in year.showcase or extra.random() < p["formula_text"]):
        _typed_like_formulas(extra, year)
    if rng.random() < p["resend"]:
        year.resend_month = rng.randint(1, year.months)
    if rng.random() < p["misfiled"]:
        year.misfiled_month = rng.randint(1, year.months)
    return year


def _negative_cell(rng, year: VillageYear) -> None:
    """A negative amount typed as a number, in a money column whose other cells are numbers
    too (no ไม่ทราบ or `-` typed in it): ingest then reads the column in one numpy pass."""
    text = {f.column for f in year.faults.values() if f.kind in ("unknown", "dash")}
    columns = [c for c in ("income_before", "income", "expense_before", "expense") if c not in text]
    rng.shuffle(columns)
    for column in columns:
        if _add_fault(rng, year, force=("negative_cell", column)):
            return


def _break_quota(rng, year: VillageYear, kind: str) -> None:
    year.breach = kind
    t, hh, folks = year.trainers, year.households, year.folks
    if kind == "trainers_4":  # one team member left; the rest took over
        gone = t.pop()
        for i, h in enumerate(h for h in hh if h.trainer is gone):
            h.trainer = t[i % len(t)]
    elif kind == "trainers_6":  # a sixth trainer took one household each from two
        extra = Trainer("T5", folks.person(), "team", rng.choice(t).expertise)
        t.append(extra)
        for donor in (t[1], t[2]):
            next(h for h in hh if h.trainer is donor).trainer = extra
    elif kind == "sages_2":
        t[1].role = "sage"
    elif kind == "sages_0":  # every trainer written as a team member: no sage at all
        for trainer in t:
            trainer.role = "team"
    elif kind == "households_19":
        gone = hh.pop(rng.randrange(len(hh)))
        year.followups = {k: v for k, v in year.followups.items() if k[0] != gone.key}
    elif kind == "households_21":
        trainer = rng.choice(t)
        first = min(h.trained_on for h in hh)
        h = _household(rng, folks, "H20", trainer, trainer.expertise, first, {x.house_no for x in hh})
        hh.append(h)
        _follow(rng, year, h, 1, year.months, year.groups)
    elif kind == "trainer_5":
        a, b = rng.sample(t, 2)
        next(h for h in hh if h.trainer is a).trainer = b


def _withdraw(rng, year: VillageYear) -> None:
    """A household leaves at month k; a replacement trained that month takes its place."""
    k = rng.randint(2, year.months)
    gone = rng.choice([h for h in year.households if not h.replacement])
    gone.withdraws = k
    gone.note = rng.choice(["ย้ายไปทำงานต่างจังหวัด", "เจ็บป่วย", "ไม่สะดวกเข้าร่วม", ""])
    year.followups = {key: r for key, r in year.followups.items() if not (key[0] == gone.key and key[1] >= k)}
    start = fiscal.month_start(year.fiscal_year, k)
    trained = min(start + dt.timedelta(days=rng.randint(2, 20)), fiscal.month_end(year.fiscal_year, k))
    new = _household(
        rng, year.folks, "R0", gone.trainer, gone.occupation, trained, {h.house_no for h in year.households}
    )
    new.joins, new.replacement, new.note = k, True, f"แทน {gone.person.full_name}"
    year.households.append(new)
    _follow(rng, year, new, k, year.months, year.groups)


_FAULT_KINDS = [  # (sheet, column, weight)
    ("trainer", "citizen_id", 0.5),
    ("household", "citizen_id", 2),
    ("household", "members", 2),
    ("household", "trained_on", 2),
    ("household", "income_before", 2),
    ("household", "expense_before", 1),
    ("household", "trainer", 2),
    ("followup", "income", 4),
    ("followup", "expense", 2),
    ("followup", "savings", 1),
]


def _add_fault(rng, year: VillageYear, extra=None, force: tuple[str, str] | None = None) -> bool:
    """One invalid value on a record that has none and is not already refused by a reference;
    ``force`` = (kind, money column) chooses it; ``extra`` (mess 3) turns some negative amounts
    into number cells. Whether a record took it."""
    if force:
        kind, column = force
        sheet = "household" if column in ("income_before", "expense_before") else "followup"
    else:
        kind = None
        sheet, column, _ = rng.choices(_FAULT_KINDS, [w for *_, w in _FAULT_KINDS])[0]
    stable = [h for h in year.households if h.withdraws is None and not h.replacement]
    if sheet == "trainer":
        cands = [
            t
            for t in year.trainers
            if not year.fault("trainer", t.key) and all(_untouched(year, h) for h in year.households if h.trainer is t)
        ]
        if cands:
            t = rng.choice(cands)
            year.faults[("trainer", t.key)] = Fault(
                "trainer", t.key, column, "bad_check", wrong_check_digit(t.person.citizen_id, rng)
            )
        return bool(cands)
    if sheet == "household":
        cands = [h for h in stable if _untouched(year, h)]
        if not cands:
            return False
        h = rng.choice(cands)
        year.faults[("household", h.key)] = _household_fault(rng, year, h, column, extra, kind)
        return True
    cands = [
        r
        for r in year.followup_rows(year.months)
        if r.practising and not year.followup_refusal(r) and r.household in stable
    ]
    if cands:
        r = rng.choice(cands)
        key = (r.household.key, r.month)
        amount = getattr(r, column) or r.income
        kind, value = _bad_money(rng, amount, allow_dash=column != "savings", extra=extra, kind=kind)
        year.faults[("followup", key)] = Fault("followup", key, column, kind, value)
    return bool(cands)


def _untouched(year: VillageYear, h: Household) -> bool:
    """No fault on the household, its trainer or any of its follow-up records: one fault per record."""
    return not year.household_refusal(h) and not any(k[0] == "followup" and k[1][0] == h.key for k in year.faults)


def _household_fault(rng, year: VillageYear, h: Household, column: str, extra=None, kind: str | None = None) -> Fault:
    if column == "citizen_id":
        bad = wrong_check_digit(h.person.citizen_id, rng)
        assert not valid_citizen_id(bad)
        return Fault("household", h.key, column, "bad_check", bad)
    if column == "members":
        return Fault("household", h.key, column, "out_of_range", rng.choice([0, 45]))
    if column == "trained_on":  # the year typed one too low: last fiscal year
        return Fault("household", h.key, column, "outside_fy", h.trained_on.replace(year=h.trained_on.year - 1))
    if column == "trainer":
        return Fault("household", h.key, column, "stranger", year.folks.stranger_name())
    kind, value = _bad_money(rng, getattr(h, column), allow_dash=True, extra=extra, kind=kind)
    return Fault("household", h.key, column, kind, value)


def _bad_money(rng, satang: int, allow_dash: bool, extra=None, kind: str | None = None) -> tuple[str, object]:
    """An amount that is no amount: negative (written in the column's form, or, drawn by the
    mess-3 stream ``extra``, as a number cell: `negative_cell`), unknown (ไม่ทราบ) or a dash."""
    kinds = ["negative", "unknown"] + (["dash"] if allow_dash else [])
    kind = kind or rng.choice(kinds)
    if extra is not None and kind == "negative" and extra.random() < 0.5:
        kind = "negative_cell"
    negative = -abs(satang or 150000)
    return kind, {"negative": negative, "negative_cell": negative, "unknown": "ไม่ทราบ", "dash": "-"}[kind]


def _typed_like_formulas(rng, year: VillageYear) -> None:
    """Free text that starts like a formula, as volunteers type it: a group named by its phone
    number (`+66 81 234 5678`) and `-ไม่มี-` (none) where the product goes. It is data: stored
    as typed, every month the household is followed (so every re-send carries it)."""
    records = {h.key: [r for (k, _), r in year.followups.items() if k == h.key] for h in year.households}
    # households whose rows load (no fault of their own or their trainer's): the truth keeps them
    practising = [h for h in year.households if _untouched(year, h) and any(r.practising for r in records[h.key])]
    grouped = [h for h in practising if any(r.group_name for r in records[h.key])]
    if grouped or practising:  # a group's name, else a group name where none was written
        h = rng.choice(grouped or practising)
        p = h.person.phone
        for r in records[h.key]:
            if r.group_name or (r.practising and not grouped):
                r.group_name = f"+66 {p[1:3]} {p[3:6]} {p[6:]}"
    if practising:
        h = rng.choice(practising)
        for r in records[h.key]:
            if r.practising:
                r.product = "-ไม่มี-"
