"""Impact a planner can defend: the analysis views against hand-computed cases (funnel limits
for a given share and size, a Wilson interval, months since training across a year boundary),
the income-change interval (a ratio of means) and its coverage by simulation, and the pages
that show them."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest
from conftest import village_sheets, write_xlsx
from conftest_report import build_warehouse, household_ids

from pipelines import ingest, warehouse
from pipelines.report import kit as rk


@pytest.fixture
def funnel_warehouse(tmp_path):
    """The report fixture, with 3 of 54010102's 20 households practising in December: the
    province's share is then (17 + 3) / 40 = 0.5."""
    wh = build_warehouse(tmp_path / "w.duckdb")
    con = warehouse.connect(wh)
    con.execute(
        "UPDATE followup_data SET practising = citizen_id IN (SELECT unnest($keep)) "
        "WHERE village_code = '54010102' AND month = DATE '2025-12-01'",
        {"keep": household_ids("54010102")[:3]},
    )
    warehouse.rebuild_current(con)  # rows changed by hand: the current rows follow
    yield con
    con.close()


def test_village_funnel_limits_for_a_share_and_a_size(funnel_warehouse):
    rows = funnel_warehouse.execute(
        "SELECT village_code, district_code, households_reported, households_practising, practising_rate, "
        "province_rate, lower95, upper95, lower998, upper998, position FROM village_funnel "
        "WHERE month = DATE '2025-12-01' ORDER BY village_code"
    ).fetchall()
    # p = 0.5, n = 20: se = √(0.25 / 20) = 0.1118034; limits p ± 1.959964 se and p ± 3.090232 se
    limits = (0.2808694, 0.7191306, 0.1545016, 0.8454984)
    north, south = rows
    assert north[:6] == ("54010101", "5401", 20, 17, pytest.approx(0.85), pytest.approx(0.5))
    assert north[6:10] == pytest.approx(limits, abs=1e-7) and north[10] == "alarm_high"  # 0.85 > 0.8454984
    assert south[4] == pytest.approx(0.15) and south[6:10] == pytest.approx(limits, abs=1e-7)
    assert south[10] == "alarm_low"  # 0.15 < 0.1545016
    # October: 20 of 20 reported in one village, none in the other (no row for it)
    october = funnel_warehouse.execute(
        "SELECT village_code FROM village_funnel WHERE month = DATE '2025-10-01'"
    ).fetchall()
    assert october == [("54010101",)]


def test_limits_are_clipped_to_0_and_1(funnel_warehouse):
    funnel_warehouse.execute(
        "UPDATE followup_data SET practising = true WHERE month = DATE '2025-12-01'"
    )  # every household practising: p = 1, no spread
    warehouse.rebuild_current(funnel_warehouse)
    rows = funnel_warehouse.execute(
        "SELECT lower95, upper95, lower998, upper998, position FROM village_funnel WHERE month = DATE '2025-12-01'"
    ).fetchall()
    assert rows == [(1.0, 1.0, 1.0, 1.0, "within")] * 2


@pytest.fixture
def trained_apart(con, tmp_path):
    """One village followed October to February; two households trained on 20 November."""
    sheets = village_sheets(months=5)
    for row in sheets["ครัวเรือน"][1:3]:
        row[9] = dt.datetime(2025, 11, 20)
    ingest.ingest(con, [write_xlsx(tmp_path / "v.xlsx", sheets)])
    return con


def test_outcome_by_group_wilson_interval_and_months_since_training_across_the_year(trained_apart):
    con = trained_apart
    # 18 of 20 households practise each month (village_sheets: every tenth does not).
    row = con.execute(
        "SELECT households_reported, households_practising, practising_rate, rate_lower95, rate_upper95 "
        "FROM outcome_by_group WHERE dimension = 'occupation_group' AND group_value = 'processing' "
        "AND month = DATE '2026-02-01'"
    ).fetchone()
    # Wilson: (p + z²/2n ± z √(p(1−p)/n + z²/4n²)) / (1 + z²/n), p = 0.9, n = 20, z = 1.959964
    assert row == (20, 18, pytest.approx(0.9), pytest.approx(0.6989664, abs=1e-7), pytest.approx(0.9721335, abs=1e-7))
    since = con.execute(
        "SELECT strftime(month, '%Y-%m'), group_value, households_reported FROM outcome_by_group "
        "WHERE dimension = 'months_since_training' ORDER BY month, group_value::INTEGER"
    ).fetchall()
    assert since == [
        ("2025-10", "-1", 2),  # followed up in October, trained in November: a typing error to see
        ("2025-10", "0", 18),
        ("2025-11", "0", 2),
        ("2025-11", "1", 18),
        ("2025-12", "1", 2),
        ("2025-12", "2", 18),
        ("2026-01", "2", 2),  # November → January: 2 whole calendar months, over the new year
        ("2026-01", "3", 18),
        ("2026-02", "3", 2),
        ("2026-02", "4", 18),
    ]


def test_outcome_by_group_income_is_village_month_s(trained_apart):
    con = trained_apart
    view = con.execute(
        "SELECT households_reported, households_practising, avg_income, avg_income_before, income_change_pct "
        "FROM outcome_by_group WHERE dimension = 'district_code' AND month = DATE '2025-12-01'"
    ).fetchone()
    vm = con.execute(
        "SELECT households_reported, households_practising, avg_income, avg_income_before, income_change_pct "
        "FROM village_month WHERE month = DATE '2025-12-01'"
    ).fetchone()
    assert view[:4] == vm[:4] and view[4] == pytest.approx(vm[4])
    # The kit adds the same sums for any area, and gives the change its interval.
    g = rk.group_outcomes(con, 2569, "2025-12", "province", "54", "occupation_group")
    assert (g.households.iloc[0], g.practising.iloc[0]) == (20, 18)
    assert g.change.iloc[0] == pytest.approx(vm[4]) and g.change_low.iloc[0] < vm[4] < g.change_high.iloc[0]


def test_the_income_change_interval_by_hand():
    """Ratio of means over the same households, delta method: R = Σy / Σx,
    se = √(Σ(y − R·x)² / (n(n − 1))) / x̄, R ± t(n − 1)·se."""
    ci = rk.change_ci_of([110, 120, 90], [100, 100, 100])
    r = 320 / 300
    se = math.sqrt(((110 - 100 * r) ** 2 + (120 - 100 * r) ** 2 + (90 - 100 * r) ** 2) / 6) / 100
    t2 = 4.302652729911275  # t(0.975, 2)
    assert ci.n == 3 and ci.change == pytest.approx(100 * (r - 1))
    assert (ci.low, ci.high) == (pytest.approx(100 * (r - t2 * se - 1)), pytest.approx(100 * (r + t2 * se - 1)))
    assert rk.change_ci_of([5], [4]).low is None and rk.change_ci_of([], []).change is None


def _coverage(n: int, reps: int, seed: int) -> float:
    """Share of intervals that hold the population's ratio of means: incomes before are
    log-normal, each household's gain is multiplicative and larger for poorer households."""
    rng = random.Random(seed)

    def household():
        z = rng.gauss(0, 1)
        before = 6000 * math.exp(0.35 * z - 0.35**2 / 2)
        return before * (1.09 - 0.05 * z + 0.15 * rng.gauss(0, 1)), before

    population = [household() for _ in range(200_000)]
    truth = 100 * (math.fsum(y for y, _ in population) / math.fsum(x for _, x in population) - 1)
    hits = 0
    for _ in range(reps):
        sample = [household() for _ in range(n)]
        ci = rk.change_ci_of([y for y, _ in sample], [x for _, x in sample])
        hits += ci.low <= truth <= ci.high
    return hits / reps


@pytest.mark.parametrize("n", [20, 100])
def test_the_income_change_interval_covers_the_true_change_about_95_in_100(n):
    assert 0.93 <= _coverage(n, reps=1500, seed=n) <= 0.97


def test_shares_and_changes_differ_only_beyond_chance():
    assert rk.shares_differ(170, 200, 140, 200) is True  # 85 % against 70 %
    assert rk.shares_differ(17, 20, 14, 20) is False  # the same shares of 20 households: chance
    assert rk.wilson(18, 20) == (pytest.approx(0.6989664, abs=1e-7), pytest.approx(0.9721335, abs=1e-7))
    assert rk.wilson(0, 0) == (None, None)


def test_pages_show_the_funnel_and_who_it_works_for(site):
    _, root, _, _ = site
    district = (root / "district" / "5401.html").read_text(encoding="utf-8")
    province = (root / "province" / "54.html").read_text(encoding="utf-8")
    for page in (district, province):
        assert "ต่างจากจังหวัดจริง" in page and "ได้ผลกับใคร" in page and "ประกอบอาชีพต่อเนื่องหรือไม่" in page
        assert "ไม่มีหมู่บ้านใดต่างจากจังหวัดเกินกว่าที่ความบังเอิญจะทำให้เกิดได้" in page  # 17 and 14 of 20: chance
        assert "ช่วงความเชื่อมั่น 95%" in page and "เทียบกับเดือนเดียวกันของปีก่อน" in page
    assert "ยังไม่มีข้อมูลของเดือนเดียวกันในปีก่อน" in district  # the fixture has one fiscal year


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from conftest_report import rendered_site

    return rendered_site(tmp_path_factory)
