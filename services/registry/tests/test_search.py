"""Search and get-many over honourees: scope, every filter, stable pages, masked personal data.

The people and the tree are in search_data.py; the clock stands at 2024-05-01.
"""
from datetime import date

import pytest

from services.chassis.errors import Invalid

from .search_data import (
    CHAOYANG,
    CITY,
    CITY_MASKED,
    HAIDIAN,
    JIANSHE,
    PEOPLE,
    ids,
    names,
    person,
    populate,
    revoke,
    set_verified,
    statements,
)


@pytest.fixture
def people(registry):
    return populate(registry)


def found(registry, actor, **query):
    """The names a search finds (every page), in the order given."""
    page = registry.search_honourees(actor, dict(query, page_size=200))
    assert page["total"] == len(page["items"])
    return names(page["items"])


def in_order(*keys):
    """The names of these people in the search's order: by code point, as Python sorts str."""
    return sorted(PEOPLE[key]["name"] for key in keys)


# --- scope -----------------------------------------------------------------------------------

def test_each_actor_finds_only_the_records_of_its_scope(registry, people):
    assert found(registry, CITY) == in_order("wang", "li", "zhang", "liu", "chen", "sun")
    assert found(registry, HAIDIAN) == in_order("wang", "li", "zhang")
    assert found(registry, CHAOYANG) == in_order("liu", "chen")
    # a system sees its grassroots unions' records, whichever district they are in
    assert found(registry, JIANSHE) == in_order("wang", "chen", "sun")


@pytest.mark.parametrize("query", [
    {"honour_status": "any", "employment_status": "left_employer"}, {"district_id": "bj-chaoyang"},
    {"name": "刘"}, {"category": "farmer"},
    {"overdue": False}, {"employment_status": "deceased"}, {"honour_type": "national_may_day_medal"},
])
def test_a_district_never_sees_another_districts_records_whatever_the_filter(registry, people, query):
    assert found(registry, HAIDIAN, **query) == []  # each of these matches Chaoyang's people only
    assert found(registry, CITY, **query) != []


def test_unit_id_narrows_the_search_within_the_scope(registry, people):
    assert found(registry, HAIDIAN, unit_id="hd-factory") == ["王秀英"]
    assert found(registry, HAIDIAN, unit_id="bj-haidian") == in_order("wang", "li", "zhang")
    assert found(registry, CITY, unit_id="bj-jianshe") == in_order("wang", "chen", "sun")


@pytest.mark.parametrize("unit_id", ["bj-chaoyang", "cy-hotel", "bj", "bj-atlantis"])
def test_unit_id_outside_the_scope_is_refused(registry, people, unit_id):
    with pytest.raises(Invalid) as caught:
        registry.search_honourees(HAIDIAN, {"unit_id": unit_id})
    assert set(caught.value.details) == {"unit_id"}


# --- each filter -----------------------------------------------------------------------------

@pytest.mark.parametrize("query, keys", [
    ({"honour_type": "beijing_model_worker"}, ["wang", "sun"]),
    ({"honour_type": "beijing_model_worker", "honour_year": 2020}, ["sun"]),
    ({"honour_year": 2015}, ["wang", "sun"]),
    ({"honour_year": "2000"}, ["li"]),
    ({"honour_level": "national"}, ["li", "chen"]),
    ({"honour_level": "municipal"}, ["wang", "li", "zhang", "liu", "sun"]),
    ({"honour_level": "national", "honour_year": 1995}, []),  # one honour must match every filter
    ({"honour_status": "any"}, ["wang", "li", "zhang", "liu", "chen", "zhao", "sun"]),
    ({"honour_status": "revoked"}, []),
    ({"category": "farmer"}, ["liu"]),
    ({"category": "cadre"}, ["li"]),
    ({"employment_status": "deceased"}, ["chen"]),
    ({"employment_status": "retired"}, ["li"]),
    ({"employment_status": "left_employer", "honour_status": "any"}, ["zhao"]),
    ({"gender": "male"}, ["li", "zhang", "chen", "sun"]),
    ({"district_id": "bj-chaoyang"}, ["liu", "chen"]),
    ({"district_id": "bj-haidian", "category": "worker"}, ["wang"]),
    ({"name": "建国"}, ["li"]),
    ({"name": " 王 "}, ["wang"]),
    ({"name": "%"}, []),
    ({"name": "_"}, []),
    ({"front_line": True}, ["wang"]),
    ({"front_line": False}, ["li", "zhang", "liu", "chen", "sun"]),
    ({"migrant_worker": True}, ["liu"]),
    ({"high_tech_enterprise": "true"}, ["zhang"]),
    ({"non_public_enterprise": True}, ["chen"]),
    ({"beijing_hukou": False}, ["liu"]),
    ({"overdue": True}, ["wang", "li", "zhang", "liu", "sun"]),  # the dead are never due
    ({"overdue": False}, ["chen"]),
])
def test_each_filter(registry, people, query, keys):
    assert found(registry, CITY, **query) == in_order(*keys)


def test_honour_status_filters_on_the_honours_state(registry, people):
    revoke(registry, people["li"]["id"], "national_model_worker")
    assert found(registry, CITY, honour_status="revoked") == ["李建国"]
    assert found(registry, CITY, honour_type="national_model_worker") == []
    assert found(registry, CITY, honour_type="national_model_worker", honour_status="any") == ["李建国"]
    # still in the team by the Capital Labour Medal
    assert "李建国" in found(registry, CITY)
    revoke(registry, people["li"]["id"], "capital_labour_medal")
    assert "李建国" not in found(registry, CITY)


def test_overdue_follows_this_years_verification(registry, people, clock):
    set_verified(registry, people["wang"]["id"], 2024)
    set_verified(registry, people["li"]["id"], 2023)
    assert found(registry, CITY, overdue=True) == in_order("li", "zhang", "liu", "sun")
    assert found(registry, CITY, overdue=False) == in_order("wang", "chen")
    clock.advance(days=365)  # 2025: last year's verification is due again
    assert found(registry, CITY, overdue=True) == in_order("wang", "li", "zhang", "liu", "sun")


@pytest.mark.parametrize("query, field", [
    ({"page": 0}, "page"),
    ({"page_size": 201}, "page_size"),
    ({"honour_status": "expired"}, "honour_status"),
    ({"honour_level": "galactic"}, "honour_level"),
    ({"honour_year": 1800}, "honour_year"),
    ({"category": "poet"}, "category"),
    ({"employment_status": "idle"}, "employment_status"),
    ({"gender": "x"}, "gender"),
    ({"overdue": "perhaps"}, "overdue"),
    ({"name": ""}, "name"),
    ({"district_id": "Bj Haidian"}, "district_id"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_query_is_refused_naming_the_field(registry, query, field):
    with pytest.raises(Invalid) as caught:
        registry.search_honourees(CITY, query)
    assert set(caught.value.details) == {field}


# --- pages -----------------------------------------------------------------------------------

@pytest.fixture
def namesakes(registry, people):
    """Five more 王秀英 (different people): the order must fall back on the id."""
    extra = [registry.register_honouree(CITY, person("王秀英", date(1970 + n, 1, 1), "hd-lab",
                                                     [("capital_labour_medal", 2010 + n)]))
             for n in range(5)]
    return people, extra


def test_pages_cover_every_record_once_in_name_then_id_order(registry, namesakes):
    first = registry.search_honourees(CITY, {"page_size": 3})
    assert (first["total"], first["pages"], first["page"], first["page_size"]) == (11, 4, 1, 3)
    pages = [registry.search_honourees(CITY, {"page_size": 3, "page": n}) for n in (1, 2, 3, 4)]
    seen = [item for page in pages for item in page["items"]]
    assert [len(p["items"]) for p in pages] == [3, 3, 3, 2]
    assert len(set(ids(seen))) == 11
    assert [(i["name"], i["id"]) for i in seen] == sorted((i["name"], i["id"]) for i in seen)
    assert names(seen).count("王秀英") == 6
    again = [registry.search_honourees(CITY, {"page_size": 3, "page": n}) for n in (1, 2, 3, 4)]
    assert again == pages  # stable
    past = registry.search_honourees(CITY, {"page_size": 3, "page": 5})
    assert past["items"] == [] and past["total"] == 11


def test_the_default_page_is_50(registry, people):
    page = registry.search_honourees(CITY)
    assert (page["page"], page["page_size"], page["total"], page["pages"]) == (1, 50, 6, 1)
    assert registry.search_honourees(CITY, None) == page == registry.search_honourees(CITY, {})


def test_a_page_costs_the_same_few_statements_whatever_its_size(registry, namesakes):
    with statements(registry) as small:
        registry.search_honourees(CITY, {"page_size": 2})
    with statements(registry) as large:
        registry.search_honourees(CITY, {"page_size": 50, "honour_status": "any"})
    assert len(small) == len(large) <= 8  # BEGIN, the scope (2), units, count, ids, rows, honours


# --- what a page shows -----------------------------------------------------------------------

def test_records_show_their_honours_by_year(registry, people):
    li = registry.search_honourees(CITY, {"name": "李建国"})["items"][0]
    assert [(h["honour_type"], h["year"], h["level"], h["status"]) for h in li["honours"]] == [
        ("capital_labour_medal", 1995, "municipal", "active"),
        ("national_model_worker", 2000, "national", "active")]
    assert li == registry.get_honouree(CITY, li["id"])  # the same view as one record's


def test_id_numbers_and_family_data_are_masked_without_the_right(registry, people):
    number = PEOPLE["wang"]["id_number"]
    masked = registry.search_honourees(HAIDIAN, {"name": "王秀英"})["items"][0]
    assert masked["id_number"] == number[:6] + "********" + number[-4:]
    assert masked["family"] == {"members": 4, "income_band": "***", "hardships": "***"}
    assert registry.search_honourees(CITY_MASKED, {"name": "王秀英"})["items"][0]["id_number"] != number
    clear = registry.search_honourees(CITY, {"name": "王秀英"})["items"][0]
    assert clear["id_number"] == number
    assert clear["family"] == {"members": 4, "income_band": "low", "hardships": ["low_income"]}


# --- get many --------------------------------------------------------------------------------

def test_get_many_answers_in_the_order_asked(registry, people):
    wanted = [people[k]["id"] for k in ("sun", "wang", "zhao", "li")]
    assert ids(registry.get_honourees(CITY, wanted)) == wanted
    assert registry.get_honourees(CITY, wanted)[3] == registry.get_honouree(CITY, people["li"]["id"])


def test_get_many_leaves_out_what_is_unknown_or_outside_the_scope(registry, people):
    wanted = [people["chen"]["id"], people["wang"]["id"], "no-such-id", people["li"]["id"],
              people["liu"]["id"]]
    assert ids(registry.get_honourees(HAIDIAN, wanted)) == [people["wang"]["id"], people["li"]["id"]]
    assert ids(registry.get_honourees(CHAOYANG, wanted)) == [people["chen"]["id"], people["liu"]["id"]]
    assert registry.get_honourees(CHAOYANG, [people["wang"]["id"]]) == []


def test_get_many_gives_each_record_once_with_its_honours(registry, people):
    li = people["li"]["id"]
    many = registry.get_honourees(CITY, [li, li, people["zhao"]["id"]])
    assert ids(many) == [li, people["zhao"]["id"]]
    assert [h["year"] for h in many[0]["honours"]] == [1995, 2000]
    assert many[1]["honours"] == []


def test_get_many_masks_without_the_right(registry, people):
    number = PEOPLE["wang"]["id_number"]
    [masked] = registry.get_honourees(HAIDIAN, [people["wang"]["id"]])
    assert masked["id_number"] == number[:6] + "********" + number[-4:]
    assert masked["family"]["income_band"] == "***"
    [clear] = registry.get_honourees(CITY, [people["wang"]["id"]])
    assert clear["id_number"] == number


def test_get_many_reads_the_records_in_one_query(registry, people):
    with statements(registry) as sent:
        many = registry.get_honourees(CITY, [p["id"] for p in people.values()])
    assert len(many) == 7
    reads_of_honourees = [s for s in sent if "FROM honourees" in s]
    assert len(reads_of_honourees) == 1 and "JOIN honours" in reads_of_honourees[0]


def test_get_many_takes_at_most_200_ids(registry, people):
    assert registry.get_honourees(CITY, [f"x{n}" for n in range(200)]) == []
    assert registry.get_honourees(CITY, []) == []
    with pytest.raises(Invalid) as caught:
        registry.get_honourees(CITY, [f"x{n}" for n in range(201)])
    assert set(caught.value.details) == {"honouree_ids"}


@pytest.mark.parametrize("bad", ["an-id", [1, 2], {"id": "x"}, None])
def test_get_many_wants_a_list_of_ids(registry, bad):
    with pytest.raises(Invalid) as caught:
        registry.get_honourees(CITY, bad)
    assert set(caught.value.details) == {"honouree_ids"}
