"""Unit tests of the union tree's placement rules (services.registry.domain): plain Python, no database."""
import pytest

from services.registry.domain import Tier, placement_errors

SYSTEM = [Tier.INDUSTRY, Tier.BUREAU, Tier.GROUP_COMPANY, Tier.UNIVERSITY]
SECOND = [Tier.DISTRICT] + SYSTEM
NOT_SYSTEM = [Tier.CITY, Tier.DISTRICT, Tier.GRASSROOTS]


def place(tier, parent_tier=None, system_parent_tier=None, parent_id=None, system_parent_id=None):
    """placement_errors with ids made up for the tiers given, unless the test names them."""
    if parent_tier is not None and parent_id is None:
        parent_id = f"p-{parent_tier.value}"
    if system_parent_tier is not None and system_parent_id is None:
        system_parent_id = f"s-{system_parent_tier.value}"
    return placement_errors(tier, parent_tier, system_parent_tier, parent_id, system_parent_id)


# --- Tier ------------------------------------------------------------------------------------

def test_tiers_are_the_seven_levels_of_the_tree_by_their_stored_values():
    assert [t.value for t in Tier] == [
        "city", "district", "industry", "bureau", "group_company", "university", "grassroots"]
    assert Tier("group_company") is Tier.GROUP_COMPANY
    assert Tier.DISTRICT == "district"  # a str enum: it travels in JSON as its value


@pytest.mark.parametrize("tier", list(Tier))
def test_system_tiers_are_industry_bureau_group_company_and_university(tier):
    assert tier.is_system is (tier in SYSTEM)


@pytest.mark.parametrize("tier", list(Tier))
def test_second_tier_is_a_district_or_a_system(tier):
    assert tier.is_second_tier is (tier in SECOND)


# --- the first parent ------------------------------------------------------------------------

def test_city_has_no_parent():
    assert place(Tier.CITY) == {}


@pytest.mark.parametrize("parent_tier", [Tier.CITY, Tier.DISTRICT, None])
def test_city_with_a_parent_is_refused_naming_parent_id(parent_tier):
    errors = place(Tier.CITY, parent_tier, parent_id="bj")
    assert set(errors) == {"parent_id"}
    assert "no parent" in errors["parent_id"]


def test_district_hangs_under_the_city():
    assert place(Tier.DISTRICT, Tier.CITY) == {}


@pytest.mark.parametrize("parent_tier", [t for t in Tier if t is not Tier.CITY])
def test_district_under_anything_but_the_city_is_refused(parent_tier):
    errors = place(Tier.DISTRICT, parent_tier)
    assert set(errors) == {"parent_id"}
    message = errors["parent_id"]
    assert "district" in message and "city" in message and message.endswith(f"not {parent_tier.value}")


@pytest.mark.parametrize("tier", [t for t in Tier if t is not Tier.CITY])
def test_every_unit_below_the_city_needs_a_parent(tier):
    errors = place(tier)
    assert set(errors) == {"parent_id"}
    assert "required" in errors["parent_id"]


@pytest.mark.parametrize("tier", [t for t in Tier if t is not Tier.CITY])
def test_a_parent_that_does_not_exist_is_named(tier):
    errors = placement_errors(tier, None, None, "bj-atlantis", None)
    assert errors == {"parent_id": "no unit 'bj-atlantis'"}


@pytest.mark.parametrize("parent_tier", [Tier.CITY] + SECOND)
def test_grassroots_hangs_under_the_city_or_a_second_tier_unit(parent_tier):
    assert place(Tier.GRASSROOTS, parent_tier) == {}


def test_grassroots_under_grassroots_is_refused():
    errors = place(Tier.GRASSROOTS, Tier.GRASSROOTS)
    assert set(errors) == {"parent_id"}
    assert "not grassroots" in errors["parent_id"]


@pytest.mark.parametrize("tier", [Tier.INDUSTRY, Tier.BUREAU, Tier.UNIVERSITY])
def test_industry_bureau_and_university_hang_under_the_city_only(tier):
    assert place(tier, Tier.CITY) == {}
    for parent_tier in Tier:
        if parent_tier is not Tier.CITY:
            assert set(place(tier, parent_tier)) == {"parent_id"}, parent_tier


def test_group_company_hangs_under_the_city_a_bureau_or_an_industry():
    allowed = {Tier.CITY, Tier.BUREAU, Tier.INDUSTRY}
    for parent_tier in Tier:
        errors = place(Tier.GROUP_COMPANY, parent_tier)
        assert (errors == {}) is (parent_tier in allowed), parent_tier


# --- the second (system) parent --------------------------------------------------------------

@pytest.mark.parametrize("system_tier", SYSTEM)
@pytest.mark.parametrize("parent_tier", [Tier.CITY, Tier.DISTRICT])
def test_grassroots_may_belong_to_a_system(parent_tier, system_tier):
    assert place(Tier.GRASSROOTS, parent_tier, system_tier) == {}


@pytest.mark.parametrize("system_tier", NOT_SYSTEM)
def test_second_parent_must_be_of_a_system_tier(system_tier):
    errors = place(Tier.GRASSROOTS, Tier.DISTRICT, system_tier)
    assert set(errors) == {"system_parent_id"}
    assert "industry, bureau, group-company or university" in errors["system_parent_id"]


@pytest.mark.parametrize("tier", [t for t in Tier if t is not Tier.GRASSROOTS])
def test_only_grassroots_has_a_second_parent(tier):
    parent_tier = None if tier is Tier.CITY else Tier.CITY
    errors = place(tier, parent_tier, Tier.INDUSTRY)
    assert set(errors) == {"system_parent_id"}
    assert "only a grassroots union" in errors["system_parent_id"]


def test_second_parent_must_differ_from_the_first():
    errors = placement_errors(Tier.GRASSROOTS, Tier.INDUSTRY, Tier.INDUSTRY, "bj-jianshe", "bj-jianshe")
    assert set(errors) == {"system_parent_id"}
    assert "differ" in errors["system_parent_id"]
    # a different unit of the same tier is fine
    assert placement_errors(Tier.GRASSROOTS, Tier.INDUSTRY, Tier.INDUSTRY, "bj-jianshe", "bj-jiaotong") == {}


def test_a_second_parent_that_does_not_exist_is_named():
    errors = placement_errors(Tier.GRASSROOTS, Tier.DISTRICT, None, "bj-haidian", "bj-atlantis")
    assert errors == {"system_parent_id": "no unit 'bj-atlantis'"}


def test_errors_of_both_parents_are_reported_together():
    errors = placement_errors(Tier.DISTRICT, None, Tier.INDUSTRY, None, "bj-jianshe")
    assert set(errors) == {"parent_id", "system_parent_id"}
    assert all(isinstance(message, str) and message for message in errors.values())
