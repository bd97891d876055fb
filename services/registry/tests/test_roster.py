"""The roster: a whole scope in a few fields, for welfare's batches and lists; no personal data."""
import json

import pytest

from services.chassis.errors import Invalid

from .workflows import actor, grow, register

HONOUR = [{"honour_type": "beijing_model_worker", "year": 2015}]
NATIONAL = [{"honour_type": "national_model_worker", "year": 2010}, {"honour_type": "beijing_model_worker",
                                                                      "year": 2005}]


@pytest.fixture
def people(registry):
    grow(registry)
    return {
        "bank": register(registry, "hd-bank", "钱学勤", honours=NATIONAL),
        "school": register(registry, "hd-school", "孙立", honours=HONOUR, employment_status="retired"),
        "late": register(registry, "hd-bank", "周故", honours=HONOUR, employment_status="deceased"),
        "none": register(registry, "hd-bank", "吴无"),
        "hotel": register(registry, "cy-hotel", "郑朝", honours=HONOUR),
    }


def test_a_district_sees_its_own_records_with_their_active_levels(registry, people):
    rows = registry.roster(actor("bj-haidian"))
    assert [r["honouree_id"] for r in rows] == sorted(p["id"] for k, p in people.items() if k != "hotel")
    bank = next(r for r in rows if r["honouree_id"] == people["bank"]["id"])
    assert bank == {"honouree_id": people["bank"]["id"], "name": "钱学勤", "gender": "male",
                    "birth_date": "1965-03-08", "category": "worker", "employment_status": "in_service",
                    "managing_unit_id": "hd-bank", "district_id": "bj-haidian",
                    "honour_levels": ["national", "municipal"], "highest_level": "national", "eligible": True}
    text = json.dumps(rows, ensure_ascii=False)
    assert people["bank"]["id_number"] not in text and "110108" not in text


def test_eligible_leaves_out_the_deceased_and_those_without_an_active_honour(registry, people):
    rows = registry.roster(actor("bj"), {"eligible": True})
    assert {r["name"] for r in rows} == {"钱学勤", "孙立", "郑朝"}
    late = registry.roster(actor("bj"), {"honouree_ids": [people["late"]["id"], people["none"]["id"]]})
    assert [(r["eligible"], r["highest_level"]) for r in late] in ([(False, "municipal"), (False, None)],
                                                                   [(False, None), (False, "municipal")])


def test_filters_by_ids_and_employment_status_within_the_scope(registry, people):
    wanted = [people["school"]["id"], people["hotel"]["id"]]
    assert [r["name"] for r in registry.roster(actor("bj-haidian"), {"honouree_ids": wanted})] == ["孙立"]
    retired = registry.roster(actor("bj"), {"employment_status": "retired"})
    assert [r["name"] for r in retired] == ["孙立"]


@pytest.mark.parametrize("query", [{"eligible": "perhaps"}, {"honouree_ids": []}, {"employment_status": "x"},
                                   {"unknown": 1}])
def test_a_bad_query_is_refused(registry, query):
    with pytest.raises(Invalid):
        registry.roster(actor("bj"), query)
