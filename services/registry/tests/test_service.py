"""Unit tests of RegistryService's entrypoints: worker_factory with a real unit of work.

The database is migrated with the registry's Alembic history (so the default
tree is there), on SQLite and, under ``make test``, on PostgreSQL.
"""
from datetime import datetime, timezone

import pytest

from services.chassis.errors import Conflict, Invalid, NotFound

NOW = datetime(2024, 5, 1, 8, 30, tzinfo=timezone.utc)

CITY = {"id": "bj", "name": "北京市总工会", "tier": "city", "parent_id": None,
        "system_parent_id": None, "created_at": "2015-01-09T00:00:00+00:00"}
DISTRICTS = {
    "bj-dongcheng": "东城区总工会", "bj-xicheng": "西城区总工会", "bj-chaoyang": "朝阳区总工会",
    "bj-fengtai": "丰台区总工会", "bj-shijingshan": "石景山区总工会", "bj-haidian": "海淀区总工会",
    "bj-mentougou": "门头沟区总工会", "bj-fangshan": "房山区总工会", "bj-tongzhou": "通州区总工会",
    "bj-shunyi": "顺义区总工会", "bj-changping": "昌平区总工会", "bj-daxing": "大兴区总工会",
    "bj-huairou": "怀柔区总工会", "bj-pinggu": "平谷区总工会", "bj-miyun": "密云区总工会",
    "bj-yanqing": "延庆区总工会",
}
ETOWN = {"bj-etown": "北京经济技术开发区总工会"}
BELOW_CITY = {**DISTRICTS, **ETOWN}


def unit(unit_id, name, tier, parent_id=None, system_parent_id=None):
    data = {"id": unit_id, "name": name, "tier": tier, "parent_id": parent_id}
    if system_parent_id is not None:
        data["system_parent_id"] = system_parent_id
    return data


def ids(units):
    return [u["id"] for u in units]


@pytest.fixture
def two_trees(registry):
    """Units in both trees, on top of the default tree:

        bj ─ bj-haidian ─ zgc-software (grassroots; system parent bj-jianshe)
           │            └ hd-school    (grassroots; system parent bj-jiangong)
           ├ bj-chaoyang ─ cy-hotel     (grassroots; system parent bj-jianshe)
           └ bj-jianshe (industry) ─ bj-jiangong (group company) ─ jg-site-1 (grassroots)
    """
    created = [
        unit("bj-jianshe", "北京市建设工会", "industry", "bj"),
        unit("bj-jiangong", "北京建工集团工会", "group_company", "bj-jianshe"),
        unit("jg-site-1", "建工一公司工会", "grassroots", "bj-jiangong"),
        unit("zgc-software", "中关村软件园工会", "grassroots", "bj-haidian", "bj-jianshe"),
        unit("hd-school", "海淀职业学校工会", "grassroots", "bj-haidian", "bj-jiangong"),
        unit("cy-hotel", "朝阳饭店工会", "grassroots", "bj-chaoyang", "bj-jianshe"),
    ]
    for data in created:
        registry.create_unit(data)
    return registry


# --- the default tree ------------------------------------------------------------------------

def test_default_tree_is_the_city_federation(registry):
    assert registry.get_unit("bj") == CITY


def test_default_tree_has_the_16_districts_and_the_development_area_under_the_city(registry):
    children = registry.list_children("bj")
    assert len(children) == 17
    assert {c["id"]: c["name"] for c in children} == BELOW_CITY
    assert all(c["tier"] == "district" and c["parent_id"] == "bj" and c["system_parent_id"] is None
               for c in children)
    assert ids(children) == sorted(BELOW_CITY)


def test_default_tree_holds_nothing_else(registry):
    everything = registry.list_units({"page_size": 200})
    assert everything["total"] == 18
    assert set(ids(everything["items"])) == {"bj"} | set(BELOW_CITY)
    for district_id, name in BELOW_CITY.items():
        assert registry.list_children(district_id) == []
        assert registry.get_unit(district_id)["name"] == name  # Chinese names survive the round trip


# --- get_unit / get_units --------------------------------------------------------------------

def test_get_unit_of_an_unknown_id_is_not_found_with_details(registry):
    with pytest.raises(NotFound) as raised:
        registry.get_unit("bj-atlantis")
    assert raised.value.details == {"unit_id": "bj-atlantis"}
    assert "bj-atlantis" in raised.value.message


def test_get_units_returns_the_known_ones_in_id_order(registry):
    assert ids(registry.get_units(["bj-yanqing", "bj-atlantis", "bj"])) == ["bj", "bj-yanqing"]
    assert registry.get_units([]) == []


# --- create_unit -----------------------------------------------------------------------------

def test_create_unit_stores_and_returns_it(registry, clock):
    created = registry.create_unit(unit("hd-bank", "海淀银行工会", "grassroots", "bj-haidian"))
    assert created == {"id": "hd-bank", "name": "海淀银行工会", "tier": "grassroots",
                       "parent_id": "bj-haidian", "system_parent_id": None,
                       "created_at": "2024-05-01T08:30:00+00:00"}
    clock.advance(days=1)
    assert registry.get_unit("hd-bank") == created
    assert ids(registry.list_children("bj-haidian")) == ["hd-bank"]


HAIDIAN_ADMIN = {"account": "haidian.admin", "unit_id": "bj-haidian", "roles": ["admin"]}


def test_an_admin_adds_a_unit_below_its_own_once_and_audited(registry):
    data = unit("hd-bank", "海淀银行工会", "grassroots", "bj-haidian")
    made = registry.add_unit(HAIDIAN_ADMIN, data)
    assert made["parent_id"] == "bj-haidian" and registry.add_unit(HAIDIAN_ADMIN, data) == made
    with pytest.raises(NotFound) as refused:  # another district's part of the tree
        registry.add_unit(HAIDIAN_ADMIN, unit("cy-bank", "朝阳银行工会", "grassroots", "bj-chaoyang"))
    assert refused.value.details == {"parent_id": "bj-chaoyang"}
    with pytest.raises(Invalid):  # no second city, no unit without a parent
        registry.add_unit(HAIDIAN_ADMIN, unit("bj2", "另一个市总", "city", None))
    audit = registry.engine.metadata.tables["audit_log"]
    with registry.engine.reading() as connection:
        rows = connection.execute(audit.select().where(audit.c.entity == "unit")).all()
    assert [(r.entity_id, r.action, r.account) for r in rows] == [("hd-bank", "created", "haidian.admin")]


@pytest.mark.parametrize("data, field", [
    (dict(unit("hd-bank", "海淀银行工会", "grassroots", "bj-haidian"), colour="red"), "colour"),
    (unit("HD_Bank", "海淀银行工会", "grassroots", "bj-haidian"), "id"),
    (unit("h", "海淀银行工会", "grassroots", "bj-haidian"), "id"),
    (unit("-hd-bank", "海淀银行工会", "grassroots", "bj-haidian"), "id"),
    (unit("x" * 65, "海淀银行工会", "grassroots", "bj-haidian"), "id"),
    ({"id": "hd-bank", "tier": "grassroots", "parent_id": "bj-haidian"}, "name"),
    (unit("hd-bank", "", "grassroots", "bj-haidian"), "name"),
    (unit("hd-bank", "海淀银行工会", "village", "bj-haidian"), "tier"),
    ({"id": "hd-bank", "name": "海淀银行工会", "parent_id": "bj-haidian"}, "tier"),
    (unit("hd-bank", "海淀银行工会", "grassroots", "BJ HAIDIAN"), "parent_id"),
    (unit("hd-bank", "海淀银行工会", "grassroots", "bj-haidian", "Jianshe!"), "system_parent_id"),
], ids=["unknown-field", "id-pattern", "id-too-short", "id-leading-hyphen", "id-too-long",
        "name-missing", "name-empty", "tier-unknown", "tier-missing", "parent-id-pattern",
        "system-parent-id-pattern"])
def test_create_unit_rejects_a_bad_request_naming_the_field(registry, data, field):
    with pytest.raises(Invalid) as raised:
        registry.create_unit(data)
    assert set(raised.value.details) == {field}
    assert registry.list_units()["total"] == 18


def test_create_unit_rejects_what_is_not_an_object(registry):
    with pytest.raises(Invalid) as raised:
        registry.create_unit(["hd-bank"])
    assert "_schema" in raised.value.details


@pytest.mark.parametrize("data, field", [
    (unit("bj-new", "新区总工会", "district", "bj-haidian"), "parent_id"),
    (unit("bj-new", "新区总工会", "district"), "parent_id"),
    (unit("hd-bank", "海淀银行工会", "grassroots", "bj-atlantis"), "parent_id"),
    (unit("bj-new", "新区总工会", "district", "bj", "bj-haidian"), "system_parent_id"),
    (unit("hd-bank", "海淀银行工会", "grassroots", "bj-haidian", "bj-chaoyang"), "system_parent_id"),
    (unit("hd-bank", "海淀银行工会", "grassroots", "bj-haidian", "bj"), "system_parent_id"),
    (unit("hd-bank", "海淀银行工会", "grassroots", "bj-haidian", "bj-atlantis"), "system_parent_id"),
], ids=["district-under-district", "district-without-parent", "unknown-parent",
        "district-with-system-parent", "system-parent-a-district", "system-parent-the-city",
        "unknown-system-parent"])
def test_create_unit_refuses_a_misplaced_unit(registry, data, field):
    with pytest.raises(Invalid) as raised:
        registry.create_unit(data)
    assert set(raised.value.details) == {field}
    with pytest.raises(NotFound):
        registry.get_unit(data["id"])


def test_create_unit_refuses_grassroots_under_grassroots_and_a_system_parent_equal_to_the_parent(two_trees):
    registry = two_trees
    with pytest.raises(Invalid) as raised:
        registry.create_unit(unit("jg-team", "建工班组工会", "grassroots", "jg-site-1"))
    assert set(raised.value.details) == {"parent_id"}
    with pytest.raises(Invalid) as raised:
        registry.create_unit(unit("jg-site-2", "建工二公司工会", "grassroots", "bj-jiangong", "bj-jiangong"))
    assert set(raised.value.details) == {"system_parent_id"}
    # the same placement with another system parent is sound
    registry.create_unit(unit("jg-site-2", "建工二公司工会", "grassroots", "bj-jiangong", "bj-jianshe"))


def test_a_second_city_federation_is_a_conflict(registry):
    with pytest.raises(Conflict):
        registry.create_unit(unit("sh", "上海市总工会", "city"))
    with pytest.raises(NotFound):
        registry.get_unit("sh")
    assert registry.list_units({"tier": "city"})["total"] == 1


def test_the_same_name_under_the_same_parent_is_a_conflict(registry):
    with pytest.raises(Conflict) as raised:
        registry.create_unit(unit("bj-haidian-2", "海淀区总工会", "district", "bj"))
    assert raised.value.details == {"unit_id": "bj-haidian"}
    # under another parent the name is free
    registry.create_unit(unit("hd-canteen", "食堂工会", "grassroots", "bj-haidian"))
    registry.create_unit(unit("cy-canteen", "食堂工会", "grassroots", "bj-chaoyang"))
    with pytest.raises(Conflict) as raised:
        registry.create_unit(unit("hd-canteen-2", "食堂工会", "grassroots", "bj-haidian"))
    assert raised.value.details == {"unit_id": "hd-canteen"}


def test_the_same_create_request_again_returns_the_same_unit(registry, clock):
    data = unit("zgc-software", "中关村软件园工会", "grassroots", "bj-haidian")
    first = registry.create_unit(data)
    clock.advance(hours=3)
    again = registry.create_unit(dict(data))
    assert again == first
    assert again["created_at"] == "2024-05-01T08:30:00+00:00"  # the first request's instant
    assert registry.list_units()["total"] == 19


@pytest.mark.parametrize("changes", [
    {"name": "中关村软件园联合工会"},
    {"parent_id": "bj-chaoyang"},
    {"tier": "district", "parent_id": "bj"},
    {"system_parent_id": "bj-jianshe"},
], ids=["name", "parent", "tier", "system-parent"])
def test_the_same_id_with_other_details_is_a_conflict(registry, changes):
    registry.create_unit(unit("bj-jianshe", "北京市建设工会", "industry", "bj"))
    data = unit("zgc-software", "中关村软件园工会", "grassroots", "bj-haidian")
    first = registry.create_unit(data)
    with pytest.raises(Conflict) as raised:
        registry.create_unit(dict(data, **changes))
    assert raised.value.details == {"unit_id": "zgc-software"}
    assert registry.get_unit("zgc-software") == first


def test_an_existing_default_unit_cannot_be_redefined(registry):
    with pytest.raises(Conflict):
        registry.create_unit(unit("bj-haidian", "海淀区", "district", "bj"))
    # ...but stating it exactly as it is is the idempotent repeat
    assert registry.create_unit(unit("bj-haidian", "海淀区总工会", "district", "bj"))["created_at"] == \
        "2015-01-09T00:00:00+00:00"


# --- list_children: both trees ---------------------------------------------------------------

def test_a_grassroots_union_is_a_child_of_its_parent_and_of_its_system(two_trees):
    registry = two_trees
    assert ids(registry.list_children("bj-haidian")) == ["hd-school", "zgc-software"]
    assert sorted(ids(registry.list_children("bj-jianshe"))) == ["bj-jiangong", "cy-hotel", "zgc-software"]
    assert ids(registry.list_children("bj-jiangong")) == ["hd-school", "jg-site-1"]
    assert ids(registry.list_children("bj-chaoyang")) == ["cy-hotel"]
    software = next(u for u in registry.list_children("bj-jianshe") if u["id"] == "zgc-software")
    assert software["parent_id"] == "bj-haidian" and software["system_parent_id"] == "bj-jianshe"


def test_list_children_of_the_city_holds_the_second_tier_only(two_trees):
    children = ids(two_trees.list_children("bj"))
    assert sorted(children) == sorted(set(BELOW_CITY) | {"bj-jianshe"})
    assert len(children) == 18


def test_list_children_of_an_unknown_unit_is_not_found(registry):
    with pytest.raises(NotFound) as raised:
        registry.list_children("bj-atlantis")
    assert raised.value.details == {"unit_id": "bj-atlantis"}


# --- scope_of --------------------------------------------------------------------------------

def test_scope_of_a_district_is_itself_and_everything_below_it(two_trees):
    scope = two_trees.scope_of("bj-haidian")
    assert scope == ["bj-haidian", "hd-school", "zgc-software"]
    assert "bj-chaoyang" not in scope and "cy-hotel" not in scope  # siblings and their units


def test_scope_of_a_system_follows_the_second_tree(two_trees):
    assert two_trees.scope_of("bj-jianshe") == [
        "bj-jiangong", "bj-jianshe", "cy-hotel", "hd-school", "jg-site-1", "zgc-software"]
    assert two_trees.scope_of("bj-jiangong") == ["bj-jiangong", "hd-school", "jg-site-1"]


def test_scope_of_the_city_is_every_unit_once(two_trees):
    scope = two_trees.scope_of("bj")
    # hd-school is reached through bj-haidian and through bj-jianshe/bj-jiangong
    assert len(scope) == len(set(scope)) == 24
    assert scope == sorted(ids(two_trees.list_units({"page_size": 200})["items"]))


def test_scope_of_a_grassroots_union_is_itself(two_trees):
    assert two_trees.scope_of("hd-school") == ["hd-school"]
    assert two_trees.scope_of("bj-yanqing") == ["bj-yanqing"]


def test_scope_of_an_unknown_unit_is_not_found(registry):
    with pytest.raises(NotFound) as raised:
        registry.scope_of("bj-atlantis")
    assert raised.value.details == {"unit_id": "bj-atlantis"}


# --- list_units ------------------------------------------------------------------------------

def test_list_units_defaults_to_the_first_page_of_50(registry):
    page = registry.list_units()
    assert {k: page[k] for k in ("total", "page", "page_size", "pages")} == \
        {"total": 18, "page": 1, "page_size": 50, "pages": 1}
    assert len(page["items"]) == 18
    assert registry.list_units(None) == registry.list_units({}) == page


def test_list_units_filters_by_tier(two_trees):
    grassroots = two_trees.list_units({"tier": "grassroots"})
    assert ids(grassroots["items"]) == ["cy-hotel", "hd-school", "jg-site-1", "zgc-software"]
    assert grassroots["total"] == 4
    districts = two_trees.list_units({"tier": "district"})
    assert districts["total"] == 17 and set(ids(districts["items"])) == set(BELOW_CITY)
    assert ids(two_trees.list_units({"tier": "city"})["items"]) == ["bj"]
    assert two_trees.list_units({"tier": "university"}) == {
        "items": [], "total": 0, "page": 1, "page_size": 50, "pages": 0}


def test_list_units_filters_by_parent_in_either_tree(two_trees):
    assert sorted(ids(two_trees.list_units({"parent_id": "bj-jianshe"})["items"])) == \
        ["bj-jiangong", "cy-hotel", "zgc-software"]
    assert ids(two_trees.list_units({"parent_id": "bj-jianshe", "tier": "grassroots"})["items"]) == \
        ["cy-hotel", "zgc-software"]
    assert ids(two_trees.list_units({"parent_id": "bj-haidian"})["items"]) == ["hd-school", "zgc-software"]
    assert two_trees.list_units({"parent_id": "bj-atlantis"})["total"] == 0


def test_paging_through_every_unit_yields_each_once(two_trees):
    pages = [two_trees.list_units({"page": n, "page_size": 7}) for n in (1, 2, 3, 4)]
    assert [(p["total"], p["pages"]) for p in pages] == [(24, 4)] * 4
    seen = [i for p in pages for i in ids(p["items"])]
    assert len(seen) == len(set(seen)) == 24
    assert sorted(seen) == two_trees.scope_of("bj")


def test_list_units_paginates(registry):
    query = {"tier": "district", "page_size": 5}
    pages = [registry.list_units(dict(query, page=n)) for n in (1, 2, 3, 4)]
    for n, page in enumerate(pages, start=1):
        assert (page["total"], page["page"], page["page_size"], page["pages"]) == (17, n, 5, 4)
    assert [len(p["items"]) for p in pages] == [5, 5, 5, 2]
    assert [i for p in pages for i in ids(p["items"])] == sorted(BELOW_CITY)
    past_the_end = registry.list_units(dict(query, page=5))
    assert past_the_end["items"] == [] and past_the_end["total"] == 17


@pytest.mark.parametrize("query, field", [
    ({"page": 0}, "page"),
    ({"page": -1}, "page"),
    ({"page_size": 0}, "page_size"),
    ({"page_size": 1000}, "page_size"),
    ({"page": "first"}, "page"),
    ({"colour": "red"}, "colour"),
    ({"tier": "village"}, "tier"),
    ({"parent_id": "BJ"}, "parent_id"),
])
def test_list_units_rejects_a_bad_query_naming_the_field(registry, query, field):
    with pytest.raises(Invalid) as raised:
        registry.list_units(query)
    assert set(raised.value.details) == {field}


def test_list_units_accepts_the_largest_page(registry):
    assert registry.list_units({"page_size": 200})["page_size"] == 200


# --- health ----------------------------------------------------------------------------------

def test_health_reports_an_empty_outbox(registry):
    assert registry.health() == {"service": "registry", "status": "ok", "outbox_backlog": 0}


def test_units_are_listed_from_the_city_down(registry):
    registry.create_unit({"id": "bj-machinery", "name": "北京市机械冶金建材工会", "tier": "industry",
                          "parent_id": "bj"})
    page = registry.list_units({"page_size": 200})
    tiers = [unit["tier"] for unit in page["items"]]
    assert tiers[0] == "city"
    assert tiers.index("industry") > max(i for i, t in enumerate(tiers) if t == "district")


def test_a_name_of_only_spaces_is_no_name(registry):
    with pytest.raises(Invalid) as caught:
        registry.create_unit({"id": "x-blank", "name": "   ", "tier": "district", "parent_id": "bj"})
    assert "name" in caught.value.details


def test_get_units_wants_a_list(registry):
    with pytest.raises(Invalid):
        registry.get_units("bj")
