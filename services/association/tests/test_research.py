"""The yearly research results (调研成果) of the suggestion express lane."""
import pytest

from services.association.responses.research import ResearchPageOut, ResearchResultOut
from services.chassis.errors import Forbidden, Invalid, NotFound
from services.chassis.testing import check

from .conftest import CHAOYANG, CITY, HAIDIAN

ACTIVE = [{"level": "municipal", "status": "active"}]


def people(registry, *ids, unit="hd-bank"):
    for honouree_id in ids:
        registry.add_honouree(honouree_id, unit, name=f"王{honouree_id}", honours=ACTIVE)


def result(title="职工技能提升调研", year=2026, honouree_ids=("h1",), **extra):
    return dict({"title": title, "year": year, "summary": "调研报告摘要", "honouree_ids": list(honouree_ids)}, **extra)


def test_the_city_records_a_result_grown_from_suggestions(association, registry):
    people(registry, "h1", "h2")
    grown = association.submit_suggestion(HAIDIAN, {"topic": "技能", "content": "建议", "category": "innovation",
                                                    "honouree_ids": ["h1"]})["suggestion"]
    made = association.record_research_result(CITY, result(honouree_ids=("h2", "h1"), suggestion_ids=[grown["id"]],
                                                           request_id="r-1"))
    assert made["created"] is True
    found = check(made["result"], ResearchResultOut)
    assert (found["honouree_ids"], found["suggestion_ids"], found["year"]) == (["h1", "h2"], [grown["id"]], 2026)
    again = association.record_research_result(CITY, result(title="重试", request_id="r-1"))
    assert (again["created"], again["result"]) == (False, found)
    assert association.get_research_result(CHAOYANG, found["id"]) == found  # shared


def test_refusals(association, registry):
    people(registry, "h1")
    with pytest.raises(Forbidden):
        association.record_research_result(HAIDIAN, result())
    with pytest.raises(NotFound) as nobody:
        association.record_research_result(CITY, result(honouree_ids=("h1", "h9")))
    assert nobody.value.details == {"honouree_ids": ["h9"]}
    with pytest.raises(NotFound) as no_source:
        association.record_research_result(CITY, result(suggestion_ids=["s-none"]))
    assert no_source.value.details == {"suggestion_ids": ["s-none"]}
    with pytest.raises(Invalid) as bad:
        association.record_research_result(CITY, result(honouree_ids=("h1", "h1"), year=1999))
    assert {"honouree_ids", "year"} <= set(bad.value.details)
    with pytest.raises(NotFound):
        association.get_research_result(CITY, "missing")
    assert association.list_research_results(CITY)["total"] == 0


def test_the_years_set_and_its_count(association, registry):
    people(registry, "h1")
    for title, year in (("甲", 2025), ("乙", 2026), ("丙", 2026)):
        association.record_research_result(CITY, result(title=title, year=year))
    year = check(association.list_research_results(HAIDIAN, {"year": 2026}), ResearchPageOut)
    # (the frozen clock records all three at one instant: the order among them is by id)
    assert (year["total"], sorted(r["title"] for r in year["items"])) == (2, ["丙", "乙"])
    assert association.list_research_results(HAIDIAN, {"year": 2025})["total"] == 1
    assert association.list_research_results(HAIDIAN)["total"] == 3
