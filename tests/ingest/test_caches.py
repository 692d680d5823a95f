"""The parse caches are sized to the run (docs/decisions.md, "A month-end that does not grow
with history"): room for the villages the run may bring, at most one per file, never below the
defaults; and a parser answers the same before and after its cache is rebuilt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from pipelines.ingest import records, workbook, workers
from pipelines.thai import parse


@pytest.fixture(autouse=True)
def default_sizes():
    yield
    parse.size_caches(0)
    records.size_rosters(0)
    workbook.size_caches(0, 0)


def register(villages: int):
    return SimpleNamespace(by_code={f"{54000000 + i:08d}": None for i in range(villages)})


def clean_size() -> int:
    return parse._clean.cache_info().maxsize


def test_a_province_of_thousands_of_villages_gets_room_for_all_of_them():
    workers.size_caches(register(3000), files=36000)
    assert clean_size() == 2 * workers.VALUES_PER_VILLAGE * 3000
    assert records._ROSTERS_MAX == 3 * 3000
    # the header search too: data cells pass through _norm_header, and the rows above a
    # table name the village
    assert workbook._norm_header.cache_info().maxsize == 2 * workers.VALUES_PER_VILLAGE * 3000
    assert workbook._match_texts.cache_info().maxsize == 4 * 3000


def test_a_national_register_sent_a_few_files_keeps_the_defaults():
    workers.size_caches(register(75000), files=12)
    assert clean_size() == 2 * parse.MEMO_MIN
    assert records._ROSTERS_MAX == records.ROSTERS_MIN
    assert workbook._norm_header.cache_info().maxsize == workbook.NORM_MIN
    assert workbook._match_texts.cache_info().maxsize == workbook.MATCH_MIN


def test_the_room_follows_the_files_when_they_are_fewer_than_the_villages():
    workers.size_caches(register(75000), files=2000)
    assert clean_size() == 2 * workers.VALUES_PER_VILLAGE * 2000


def test_parsers_answer_the_same_across_a_resize():
    values = ["  นาย  สมชาย ", "1,500.50 บาท", "ต.ค. 68", "15/10/2568", "-200"]

    def answers():
        out = []
        for parser, value in zip([parse.text, parse.money, parse.month, parse.date, parse.money], values, strict=True):
            try:
                out.append(parser(value))
            except ValueError as exc:
                out.append(f"refused: {exc}")
        return out

    before = answers()
    assert before[:4] == ["นาย สมชาย", Decimal("1500.50"), dt.date(2025, 10, 1), dt.date(2025, 10, 15)]
    assert before[4].startswith("refused: ")
    parse.size_caches(1 << 20)
    assert clean_size() == 1 << 21
    assert answers() == before  # from new, empty caches
    assert answers() == before  # and from what they now hold


def test_header_matching_answers_the_same_across_a_resize():
    before = (workbook.norm_header("รายได้ (บาท)"), workbook.norm_header("  Citizen-ID "))
    workbook.size_caches(1 << 20, 5000)
    assert (workbook.norm_header("รายได้ (บาท)"), workbook.norm_header("  Citizen-ID ")) == before
    assert workbook._norm_header.cache_info().currsize == 2  # the new cache is the one in use
