"""Annual verification (年度更新): once per calendar year (Beijing time), by the managing unit."""
from datetime import datetime, timezone

import pytest
from nameko.containers import ServiceContainer
from nameko.testing.utils import get_extension
from nameko.utils import get_redacted_args

from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.rpc import Rpc
from services.registry.people import verification_due
from services.registry.service import RegistryService

from .workflows import actions, actor, events, grow, register

BANK, SCHOOL, HAIDIAN = actor("hd-bank"), actor("hd-school"), actor("bj-haidian")
CITY = actor("bj")


@pytest.fixture
def registry(registry):
    return grow(registry)


def overdue_ids(registry, who, **query):
    return [item["id"] for item in registry.overdue_verifications(who, query)["items"]]


# --- verify_honouree -------------------------------------------------------------------------

def test_confirming_sets_the_year_and_records_who_verified(registry):
    record = register(registry, "hd-bank")
    result = registry.verify_honouree(BANK, record["id"], {"outcome": "confirmed"})
    assert {k: result[k] for k in ("honouree_id", "year", "unit_id", "outcome", "account", "at")} == {
        "honouree_id": record["id"], "year": 2024, "unit_id": "hd-bank", "outcome": "confirmed",
        "account": "officer@hd-bank", "at": "2024-05-01T08:30:00+00:00"}
    assert result["honouree"]["verified_year"] == 2024
    after = registry.get_honouree(BANK, record["id"])
    assert after["verified_year"] == 2024
    assert after["version"] == record["version"]  # a confirmation changes no field
    trail = registry.audit_trail(BANK, "honouree", record["id"])
    assert actions(trail) == ["registered", "verified"]
    assert trail[-1]["changes"] == {"outcome": [None, "confirmed"], "verified_year": [None, 2024]}
    assert (trail[-1]["account"], trail[-1]["unit_id"]) == ("officer@hd-bank", "hd-bank")


def test_a_correction_goes_through_the_audited_correction(registry):
    record = register(registry, "hd-bank", employer="海淀银行")
    result = registry.verify_honouree(BANK, record["id"], {
        "outcome": "corrected", "changes": {"employer": "中关村银行", "version": record["version"]}})
    assert result["outcome"] == "corrected"
    assert result["honouree"]["employer"] == "中关村银行"
    assert result["honouree"]["version"] == record["version"] + 1
    assert result["honouree"]["verified_year"] == 2024
    trail = registry.audit_trail(BANK, "honouree", record["id"])
    assert actions(trail) == ["registered", "corrected", "verified"]
    assert trail[1]["changes"] == {"employer": ["海淀银行", "中关村银行"]}
    assert trail[2]["changes"]["outcome"] == [None, "corrected"]
    updated = events(registry, "honouree_updated")
    assert [(e["honouree_id"], e["fields"]) for e in updated] == [(record["id"], ["employer"])]


def test_a_correction_with_a_stale_version_is_a_conflict_and_leaves_the_record_unverified(registry):
    record = register(registry, "hd-bank")
    registry.correct_honouree(BANK, record["id"], {"position": "班组长"})
    with pytest.raises(Conflict):
        registry.verify_honouree(BANK, record["id"], {
            "outcome": "corrected", "changes": {"employer": "别处", "version": record["version"]}})
    assert registry.get_honouree(BANK, record["id"])["verified_year"] is None


def test_a_correction_that_changes_nothing_is_invalid(registry):
    record = register(registry, "hd-bank", employer="海淀银行")
    with pytest.raises(Invalid) as raised:
        registry.verify_honouree(BANK, record["id"], {"outcome": "corrected",
                                                      "changes": {"employer": "海淀银行"}})
    assert set(raised.value.details) == {"changes"}
    assert registry.get_honouree(BANK, record["id"])["verified_year"] is None


@pytest.mark.parametrize("second", [{"outcome": "confirmed"},
                                    {"outcome": "corrected", "changes": {"position": "技师"}}])
def test_a_second_verification_in_the_same_year_is_a_conflict(registry, clock, second):
    record = register(registry, "hd-bank")
    registry.verify_honouree(BANK, record["id"], {"outcome": "confirmed"})
    clock.set(datetime(2024, 12, 31, 15, 59, tzinfo=timezone.utc))  # 23:59 on 31 December in Beijing
    with pytest.raises(Conflict) as raised:
        registry.verify_honouree(BANK, record["id"], second)
    assert raised.value.details == {"year": 2024, "verified_by": "officer@hd-bank", "outcome": "confirmed"}
    after = registry.get_honouree(BANK, record["id"])
    assert (after["position"], after["version"]) == (record["position"], record["version"])
    assert actions(registry.audit_trail(BANK, "honouree", record["id"])) == ["registered", "verified"]


def test_the_year_turns_at_midnight_in_beijing(registry, clock):
    record = register(registry, "hd-bank")
    registry.verify_honouree(BANK, record["id"], {"outcome": "confirmed"})
    clock.set(datetime(2024, 12, 31, 16, 1, tzinfo=timezone.utc))  # 00:01 on 1 January 2025 in Beijing
    assert overdue_ids(registry, BANK) == [record["id"]]
    result = registry.verify_honouree(BANK, record["id"], {"outcome": "confirmed"})
    assert result["year"] == 2025
    assert registry.get_honouree(BANK, record["id"])["verified_year"] == 2025
    trail = registry.audit_trail(BANK, "honouree", record["id"])
    assert trail[-1]["changes"]["verified_year"] == [2024, 2025]


def test_only_the_managing_unit_verifies(registry):
    record = register(registry, "hd-bank")
    with pytest.raises(Forbidden) as raised:  # the district above sees the record but does not verify it
        registry.verify_honouree(HAIDIAN, record["id"], {"outcome": "confirmed"})
    assert raised.value.details == {"managing_unit_id": "hd-bank"}
    with pytest.raises(Forbidden):
        registry.verify_honouree(CITY, record["id"], {"outcome": "confirmed"})
    assert registry.get_honouree(BANK, record["id"])["verified_year"] is None


@pytest.mark.parametrize("who", [SCHOOL, actor("bj-chaoyang"), actor("cy-hotel")])
def test_a_record_outside_the_scope_is_not_found(registry, who):
    record = register(registry, "hd-bank")
    with pytest.raises(NotFound):
        registry.verify_honouree(who, record["id"], {"outcome": "confirmed"})


def test_an_unknown_record_is_not_found(registry):
    with pytest.raises(NotFound):
        registry.verify_honouree(BANK, "0" * 32, {"outcome": "confirmed"})


def test_a_deceased_honourees_record_is_not_verified(registry):
    record = register(registry, "hd-bank", employment_status="deceased")
    with pytest.raises(Conflict) as raised:
        registry.verify_honouree(BANK, record["id"], {"outcome": "confirmed"})
    assert raised.value.details == {"employment_status": "deceased"}


@pytest.mark.parametrize("data, field", [
    ({}, "outcome"),
    ({"outcome": "approved"}, "outcome"),
    ({"outcome": "confirmed", "note": "looked fine"}, "note"),
    ({"outcome": "corrected"}, "changes"),
    ({"outcome": "confirmed", "changes": {"position": "技师"}}, "changes"),
    ({"outcome": "corrected", "changes": {}}, "changes"),
    ({"outcome": "corrected", "changes": {"colour": "red"}}, "changes"),
    ({"outcome": "corrected", "changes": {"managing_unit_id": "hd-school"}}, "changes"),
    ({"outcome": "corrected", "changes": {"gender": "unknown"}}, "changes"),
], ids=["missing-outcome", "unknown-outcome", "unknown-field", "correction-without-changes",
        "confirmation-with-changes", "empty-changes", "unknown-change", "managing-unit-by-correction",
        "bad-change"])
def test_bad_input_is_invalid_naming_the_field(registry, data, field):
    record = register(registry, "hd-bank")
    with pytest.raises(Invalid) as raised:
        registry.verify_honouree(BANK, record["id"], data)
    assert set(raised.value.details) == {field}
    assert registry.get_honouree(BANK, record["id"])["verified_year"] is None


def test_personal_data_in_a_correction_is_redacted_from_the_call_record():
    container = ServiceContainer(RegistryService, {"AMQP_URI": "memory://"})
    entrypoint = get_extension(container, Rpc, method_name="verify_honouree")
    data = {"outcome": "corrected", "changes": {"id_number": "110108196503080011", "position": "技师",
                                                "family": {"income_band": "low"}}}
    redacted = get_redacted_args(entrypoint, {}, "h1", data)["data"]["changes"]
    assert redacted == {"id_number": "********", "position": "技师", "family": "********"}


# --- overdue_verifications ---------------------------------------------------------------------

def test_overdue_lists_the_living_unverified_records_in_scope(registry):
    a = register(registry, "hd-bank", name="甲")
    b = register(registry, "hd-school", name="乙")
    c = register(registry, "cy-hotel", name="丙")
    register(registry, "hd-bank", name="丁", employment_status="deceased")
    verified = register(registry, "hd-bank", name="戊")
    registry.verify_honouree(BANK, verified["id"], {"outcome": "confirmed"})

    assert overdue_ids(registry, HAIDIAN) == [a["id"], b["id"]]  # by managing unit, then name
    assert overdue_ids(registry, BANK) == [a["id"]]
    assert overdue_ids(registry, CITY) == [c["id"], a["id"], b["id"]]
    page = registry.overdue_verifications(HAIDIAN, {})
    assert (page["total"], page["page"], page["pages"]) == (2, 1, 1)
    item = page["items"][0]
    assert item == {"id": a["id"], "name": "甲", "category": "worker", "employer": "某单位",
                    "employment_status": "in_service", "managing_unit_id": "hd-bank",
                    "district_id": "bj-haidian", "verified_year": None}


def test_overdue_follows_the_rule_of_the_domain(registry, clock):
    register(registry, "hd-bank", name="甲")
    register(registry, "hd-bank", name="乙", employment_status="retired")
    register(registry, "hd-bank", name="丙", employment_status="deceased")
    done = register(registry, "hd-bank", name="丁")
    registry.verify_honouree(BANK, done["id"], {"outcome": "confirmed"})
    listed = set(overdue_ids(registry, BANK))
    everyone = [registry.get_honouree(BANK, r) for r in listed | {done["id"]}]
    assert listed == {r["id"] for r in everyone
                      if verification_due(r["verified_year"], r["employment_status"], clock.today())}
    assert len(listed) == 2


def test_a_verified_record_is_overdue_again_in_the_next_year(registry, clock):
    record = register(registry, "hd-bank")
    assert overdue_ids(registry, BANK) == [record["id"]]
    registry.verify_honouree(BANK, record["id"], {"outcome": "confirmed"})
    assert overdue_ids(registry, BANK) == []
    clock.advance(days=200)  # still 2024
    assert overdue_ids(registry, BANK) == []
    clock.set(datetime(2025, 1, 2, tzinfo=timezone.utc))
    assert overdue_ids(registry, BANK) == [record["id"]]
    assert registry.overdue_verifications(BANK, {})["items"][0]["verified_year"] == 2024


def test_overdue_filters_by_a_unit_and_what_is_below_it(registry):
    a = register(registry, "hd-bank", name="甲")
    b = register(registry, "hd-school", name="乙")
    c = register(registry, "cy-hotel", name="丙")
    d = register(registry, "bj-haidian", name="丁")
    assert overdue_ids(registry, CITY, unit_id="hd-school") == [b["id"]]
    assert overdue_ids(registry, CITY, unit_id="bj-haidian") == [d["id"], a["id"], b["id"]]
    assert overdue_ids(registry, CITY, unit_id="bj-chaoyang") == [c["id"]]
    assert overdue_ids(registry, HAIDIAN, unit_id="hd-bank") == [a["id"]]


def test_overdue_pages(registry):
    made = [register(registry, "hd-bank", name=f"劳模{i}")["id"] for i in range(5)]
    first = registry.overdue_verifications(BANK, {"page_size": 2})
    second = registry.overdue_verifications(BANK, {"page_size": 2, "page": 2})
    third = registry.overdue_verifications(BANK, {"page_size": 2, "page": 3})
    assert (first["total"], first["pages"]) == (5, 3)
    seen = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert sorted(seen) == sorted(made) and len(set(seen)) == 5


@pytest.mark.parametrize("query, field", [
    ({"unit_id": "bj-chaoyang"}, "unit_id"),  # outside the caller's scope
    ({"unit_id": "hd-nowhere"}, "unit_id"),
    ({"unit_id": "Not A Unit"}, "unit_id"),
    ({"page": 0}, "page"),
    ({"page_size": 201}, "page_size"),
    ({"status": "overdue"}, "status"),
], ids=["outside-scope", "unknown-unit", "bad-unit-id", "page-zero", "page-too-big", "unknown-field"])
def test_a_bad_overdue_query_is_invalid_naming_the_field(registry, query, field):
    with pytest.raises(Invalid) as raised:
        registry.overdue_verifications(HAIDIAN, query)
    assert set(raised.value.details) == {field}


# --- verification_progress ---------------------------------------------------------------------

def test_progress_per_managing_unit_in_scope_with_a_total(registry):
    a1 = register(registry, "hd-bank", name="甲")
    register(registry, "hd-bank", name="乙")
    register(registry, "hd-bank", name="丙", employment_status="deceased")
    s1 = register(registry, "hd-school", name="丁")
    register(registry, "cy-hotel", name="戊")
    h1 = register(registry, "bj-haidian", name="己")
    registry.verify_honouree(BANK, a1["id"], {"outcome": "confirmed"})
    registry.verify_honouree(SCHOOL, s1["id"], {"outcome": "confirmed"})
    registry.verify_honouree(HAIDIAN, h1["id"], {"outcome": "confirmed"})

    progress = registry.verification_progress(HAIDIAN)
    assert progress == {
        "year": 2024,
        "units": [
            {"unit_id": "bj-haidian", "unit_name": "海淀区总工会", "due": 1, "verified": 1, "rate": 1.0},
            {"unit_id": "hd-bank", "unit_name": "海淀银行工会", "due": 2, "verified": 1, "rate": 0.5},
            {"unit_id": "hd-school", "unit_name": "海淀职业学校工会", "due": 1, "verified": 1, "rate": 1.0},
        ],
        "total": {"due": 4, "verified": 3, "rate": 0.75},
    }
    city = registry.verification_progress(CITY)
    assert [u["unit_id"] for u in city["units"]] == ["bj-haidian", "cy-hotel", "hd-bank", "hd-school"]
    assert city["total"] == {"due": 5, "verified": 3, "rate": 0.6}
    assert registry.verification_progress(actor("bj-chaoyang"))["total"] == {
        "due": 1, "verified": 0, "rate": 0.0}


def test_progress_of_a_scope_without_records_has_no_rate(registry):
    assert registry.verification_progress(actor("js-site")) == {
        "year": 2024, "units": [], "total": {"due": 0, "verified": 0, "rate": None}}


def test_progress_of_an_earlier_year(registry, clock):
    a = register(registry, "hd-bank", name="甲")
    b = register(registry, "hd-bank", name="乙")
    registry.verify_honouree(BANK, a["id"], {"outcome": "confirmed"})
    clock.set(datetime(2025, 3, 1, tzinfo=timezone.utc))
    register(registry, "hd-bank", name="丙")  # entered in 2025: not due in 2024
    registry.verify_honouree(BANK, b["id"], {"outcome": "confirmed"})

    assert registry.verification_progress(BANK, 2024)["total"] == {"due": 2, "verified": 1, "rate": 0.5}
    this_year = registry.verification_progress(BANK)
    assert this_year["year"] == 2025
    assert this_year["total"] == {"due": 3, "verified": 1, "rate": 0.3333}


@pytest.mark.parametrize("year", [2025, "2024", 1900, True])
def test_a_bad_progress_year_is_invalid(registry, year):
    with pytest.raises(Invalid) as raised:
        registry.verification_progress(BANK, year)
    assert set(raised.value.details) == {"year"}
