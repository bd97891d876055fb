"""Statistics of the team in the caller's scope: size against the target and its make-up.

The people and the tree are in search_data.py; the clock stands at 2024-05-01.
"""
from datetime import date, datetime, timezone

import pytest

from services.chassis.errors import Invalid
from services.registry.people import AGE_BANDS, age_band

from .search_data import (
    CHAOYANG,
    CITY,
    HAIDIAN,
    JIANSHE,
    person,
    populate,
    revoke,
    statements,
)

DISTRICTS = ("bj-changping", "bj-chaoyang", "bj-daxing", "bj-dongcheng", "bj-etown", "bj-fangshan",
             "bj-fengtai", "bj-haidian", "bj-huairou", "bj-mentougou", "bj-miyun", "bj-pinggu",
             "bj-shijingshan", "bj-shunyi", "bj-tongzhou", "bj-xicheng", "bj-yanqing")


@pytest.fixture
def people(registry):
    return populate(registry)


def test_the_citys_statistics(registry, people):
    stats = registry.statistics(CITY)
    assert stats["unit_id"] == "bj" and stats["as_of"] == "2024-05-01"
    assert stats["total"] == 6  # 赵丽 holds no active honour
    assert stats["team"] == {"size": 5, "target": 20000, "share_of_target": 0.0003}  # 陈明 died
    assert stats["by_category"] == {"worker": 3, "farmer": 1, "intellectual": 1, "cadre": 1}
    assert stats["by_gender"] == {"female": 2, "male": 4}
    assert stats["by_employment_status"] == {"in_service": 4, "retired": 1, "left_employer": 0,
                                             "deceased": 1}
    assert stats["by_district"] == dict({d: 0 for d in DISTRICTS}, **{
        "bj-haidian": 3, "bj-chaoyang": 2, "none": 1})
    assert stats["by_age_band"] == {"under_40": 1, "40_49": 2, "50_59": 1, "60_69": 1, "70_79": 0,
                                    "80_and_over": 1}
    # 孙强 holds the Beijing Model Worker twice: one holder
    assert stats["by_honour_type"] == {
        "beijing_advanced_worker": 1, "beijing_model_worker": 2, "capital_labour_medal": 2,
        "national_advanced_worker": 0, "national_may_day_medal": 1, "national_model_worker": 1}
    assert stats["by_honour_level"] == {"national": 2, "municipal": 5, "district": 0}
    assert stats["flags"] == {"front_line": 1, "migrant_worker": 1, "non_public_enterprise": 1,
                              "high_tech_enterprise": 1, "beijing_hukou": 5}


def test_a_district_counts_its_own_records_only(registry, people):
    haidian = registry.statistics(HAIDIAN)
    assert (haidian["unit_id"], haidian["total"], haidian["team"]["size"]) == ("bj-haidian", 3, 3)
    assert haidian["by_district"] == {"bj-haidian": 3}
    assert haidian["by_category"] == {"worker": 1, "farmer": 0, "intellectual": 1, "cadre": 1}
    assert haidian["by_honour_type"]["national_may_day_medal"] == 0  # 陈明 is Chaoyang's
    chaoyang = registry.statistics(CHAOYANG)
    assert (chaoyang["total"], chaoyang["team"]["size"]) == (2, 1)
    assert chaoyang["by_district"] == {"bj-chaoyang": 2}
    assert chaoyang["by_category"]["farmer"] == 1 and chaoyang["by_category"]["cadre"] == 0
    # a system counts its grassroots unions' records across districts
    jianshe = registry.statistics(JIANSHE)
    assert jianshe["total"] == 3
    assert jianshe["by_district"] == {"bj-haidian": 1, "bj-chaoyang": 1, "none": 1}


def test_statistics_take_the_search_filters(registry, people):
    assert registry.statistics(CITY, {"category": "worker"})["total"] == 3
    assert registry.statistics(CITY, {"honour_status": "any"})["total"] == 7
    assert registry.statistics(CITY, {"honour_status": "any"})["by_employment_status"]["left_employer"] == 1
    narrowed = registry.statistics(CITY, {"unit_id": "bj-haidian"})
    assert {k: v for k, v in narrowed.items() if k != "unit_id"} == \
        {k: v for k, v in registry.statistics(HAIDIAN).items() if k != "unit_id"}
    by_type = registry.statistics(CITY, {"honour_type": "capital_labour_medal"})
    assert by_type["total"] == 2
    assert by_type["by_honour_type"]["capital_labour_medal"] == 2
    assert by_type["by_honour_type"]["national_model_worker"] == 0  # only the honours the filter admits


def test_revoked_honours_leave_the_counts(registry, people):
    revoke(registry, people["li"]["id"], "national_model_worker")
    stats = registry.statistics(CITY)
    assert stats["by_honour_type"]["national_model_worker"] == 0
    assert stats["by_honour_level"]["national"] == 1
    assert stats["total"] == 6  # 李建国 still holds the Capital Labour Medal
    revoke(registry, people["li"]["id"], "capital_labour_medal")
    assert registry.statistics(CITY)["total"] == 5


def test_a_unit_outside_the_scope_is_refused(registry, people):
    with pytest.raises(Invalid) as caught:
        registry.statistics(HAIDIAN, {"unit_id": "bj-chaoyang"})
    assert set(caught.value.details) == {"unit_id"}
    with pytest.raises(Invalid) as caught:
        registry.statistics(CITY, {"page": 2})
    assert set(caught.value.details) == {"page"}


def test_an_empty_scope_counts_zero_everywhere(registry):
    stats = registry.statistics(CITY)
    assert stats["total"] == 0 and stats["team"]["size"] == 0
    assert set(stats["by_age_band"].values()) == {0}
    assert set(stats["by_honour_type"].values()) == {0}
    assert stats["flags"] == dict.fromkeys(stats["flags"], 0)


BIRTHDAYS = [date(1984, 5, 1), date(1984, 5, 2), date(1984, 4, 30), date(1974, 5, 1), date(1974, 5, 2),
             date(1964, 2, 29), date(1944, 2, 29), date(1944, 3, 1), date(1954, 2, 28), date(2000, 1, 1)]


@pytest.mark.parametrize("today", [datetime(2024, 5, 1, 2, tzinfo=timezone.utc),
                                   datetime(2024, 2, 28, 2, tzinfo=timezone.utc),
                                   datetime(2024, 2, 29, 2, tzinfo=timezone.utc),
                                   datetime(2025, 2, 28, 2, tzinfo=timezone.utc),
                                   datetime(2025, 3, 1, 2, tzinfo=timezone.utc)],
                         ids=["birthday", "leap-eve", "leap-day", "non-leap-feb-28", "non-leap-mar-1"])
def test_age_bands_in_sql_agree_with_people_age_band(registry, clock, today):
    for n, born in enumerate(BIRTHDAYS):
        registry.register_honouree(CITY, person(f"测试{n}", born, "bj-haidian", [("capital_labour_medal", 2020)]))
    clock.set(today)
    day = clock.today()
    expected = {name: 0 for _, _, name in AGE_BANDS}
    for born in BIRTHDAYS:
        expected[age_band(born, day)] += 1
    assert registry.statistics(CITY)["by_age_band"] == expected


def test_statistics_are_group_by_queries_not_a_query_per_record(registry, people):
    with statements(registry) as few:
        registry.statistics(CITY)
    for n in range(5):
        registry.register_honouree(CITY, person(f"新人{n}", date(1980, 1, 1 + n), "hd-lab",
                                                [("capital_labour_medal", 2021)]))
    with statements(registry) as more:
        registry.statistics(CITY)
    assert len(few) == len(more) <= 16
