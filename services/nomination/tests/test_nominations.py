"""Nominating: new persons and honourees, channels, duplicates, scope, personal data, attachments."""
import time
from datetime import date

import pytest
from sqlalchemy import text

from services.chassis import union_tree as units
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.nomination.models import Nomination

from .flows import (
    BANK,
    CHAOYANG,
    CITY,
    DIRECT,
    HAIDIAN,
    HOTEL,
    JIANSHE,
    SCHOOL,
    actor,
    attachment,
    nominate,
    nomination_data,
    open_campaign,
    person,
)


@pytest.fixture
def campaign(nomination):
    return open_campaign(nomination)


def test_a_new_person_is_nominated_at_the_nominating_unit(nomination, campaign):
    nominated = nominate(nomination, campaign, candidate=person(name="李秀英"))
    assert nominated["status"] == "in_progress" and nominated["stage"] == "deeds_report"
    assert nominated["channel"] == "organisational"
    assert (nominated["nominating_unit_id"], nominated["entry_unit_id"], nominated["current_unit_id"]) == (
        "hd-bank", "hd-bank", "hd-bank")
    assert nominated["nominating_unit_name"] == "海淀银行工会"
    candidate = nominated["candidate"]
    assert candidate["kind"] == "new" and candidate["name"] == "李秀英"
    assert candidate["managing_unit_id"] == "hd-bank"  # the nominating unit unless given
    assert candidate["leader_cadre"] is False and candidate["front_line"] is True
    assert nominated["attachments"][0]["name"] == "事迹材料.pdf"
    assert nominated["steps"] == [{"step": "nominated", "outcome": "done", "unit_id": "hd-bank",
                                   "account": "wang.bank", "at": "2025-03-03T02:00:00+00:00",
                                   "evidence": {"channel": "organisational", "nominating_unit_id": "hd-bank",
                                                "social_organisation": None, "cultivation_id": None}}]


def test_personal_data_is_sealed_at_rest_and_masked_without_the_right(nomination, campaign):
    candidate = person()
    nominated = nominate(nomination, campaign, candidate=candidate)
    number = candidate["id_number"]
    masked = nominated["candidate"]
    assert masked["id_number"] == number[:6] + "********" + number[-4:]
    assert (masked["phone"], masked["address"], masked["family"]) == ("***", "***", "***")
    clear = nomination.get_nomination(actor("hd-bank", personal_data=True), nominated["id"])["candidate"]
    assert clear["id_number"] == number and clear["phone"] == "13800000000"
    with nomination.engine.reading() as connection:
        row = connection.execute(text("SELECT * FROM nominations")).one()._mapping
        audit = connection.execute(text("SELECT changes FROM audit_log")).scalars().all()
    stored = " ".join(str(v) for v in row.values())
    assert number not in stored and "13800000000" not in stored and "某路" not in stored
    assert all(number not in changes for changes in audit)


def test_an_existing_honouree_is_nominated_from_the_registrys_record(nomination, registry, campaign):
    registry.add_honouree("h-wang", "hd-bank", name="王建国", category="cadre", front_line=False,
                          honours=[{"id": "o-1", "honour_type": "beijing_advanced_worker", "year": 2015,
                                    "status": "active", "revoked_at": None}])
    nominated = nominate(nomination, campaign, candidate={"honouree_id": "h-wang", "intermediary_organisation": True})
    candidate = nominated["candidate"]
    assert candidate["kind"] == "honouree" and candidate["honouree_id"] == "h-wang"
    assert candidate["name"] == "王建国" and candidate["category"] == "cadre"
    assert candidate["leader_cadre"] is True and candidate["intermediary_organisation"] is True
    assert candidate["id_number"] is None  # nomination keeps no ID number of an honouree


def test_an_honouree_is_described_by_the_registry_not_by_the_request(nomination, registry, campaign):
    registry.add_honouree("h-wang", "hd-bank")
    with pytest.raises(Invalid) as raised:
        nominate(nomination, campaign, candidate={"honouree_id": "h-wang", "name": "改名"})
    assert set(raised.value.details["candidate"]) == {"name"}


def test_an_honouree_outside_the_scope_or_already_holding_the_honour_is_refused(nomination, registry, campaign):
    registry.add_honouree("h-far", "cy-hotel")
    with pytest.raises(Invalid) as raised:
        nominate(nomination, campaign, candidate={"honouree_id": "h-far"})
    assert raised.value.details == {"candidate": {"honouree_id": ["no honouree 'h-far'"]}}
    registry.add_honouree("h-held", "hd-bank", honours=[{"id": "o-2", "honour_type": "beijing_model_worker",
                                                         "year": 2025, "status": "active", "revoked_at": None}])
    with pytest.raises(Conflict) as raised:
        nominate(nomination, campaign, candidate={"honouree_id": "h-held"})
    assert raised.value.details == {"honour_id": "o-2", "honouree_id": "h-held"}


def test_the_same_new_person_twice_in_a_campaign_is_a_conflict(nomination, campaign):
    candidate = person()
    first = nominate(nomination, campaign, candidate=candidate)
    again = dict(candidate, id_number=candidate["id_number"].lower(), name="李 秀英")  # same number, x or X
    with pytest.raises(Conflict) as raised:
        nominate(nomination, campaign, by=HAIDIAN, candidate=again)  # by another unit too
    assert raised.value.details == {"nomination_id": first["id"], "candidate": ["already nominated in this campaign"]}
    other = open_campaign(nomination, year=2026, quotas=None)  # another campaign: fine
    assert nominate(nomination, other, candidate=candidate)["campaign_id"] == other["id"]


def test_the_same_honouree_twice_in_a_campaign_is_a_conflict(nomination, registry, campaign):
    registry.add_honouree("h-wang", "hd-bank")
    first = nominate(nomination, campaign, candidate={"honouree_id": "h-wang"})
    with pytest.raises(Conflict) as raised:
        nominate(nomination, campaign, by=HAIDIAN, candidate={"honouree_id": "h-wang"})
    assert raised.value.details["nomination_id"] == first["id"]


def test_the_same_request_id_returns_the_nomination_it_made(nomination, campaign):
    data = nomination_data(request_id="n-1")
    first = nomination.nominate(BANK, campaign["id"], data)
    assert nomination.nominate(BANK, campaign["id"], data)["id"] == first["id"]
    assert nomination.list_nominations(CITY, campaign["id"])["total"] == 1


@pytest.mark.parametrize("change, field", [
    ({"id_number": "110108197806150011"}, "id_number"),           # wrong check character
    ({"id_number": "11010819780615001"}, "id_number"),             # 17 characters
    ({"birth_date": "1978-06-16"}, "id_number"),                   # the number says the 15th
    ({"gender": "other"}, "gender"),
    ({"category": "astronaut"}, "category"),
    ({"phone": "call me"}, "phone"),
])
def test_a_new_persons_fields_are_checked_as_the_registry_checks_them(nomination, campaign, change, field):
    candidate = person(sequence=1, born=date(1978, 6, 15))
    assert candidate["id_number"] == "110108197806150010"
    with pytest.raises(Invalid) as raised:
        nominate(nomination, campaign, candidate=dict(candidate, **change))
    assert field in raised.value.details["candidate"]


def test_a_new_person_needs_the_registry_required_fields(nomination, campaign):
    candidate = person()
    del candidate["ethnicity"], candidate["category"]
    with pytest.raises(Invalid) as raised:
        nominate(nomination, campaign, candidate=candidate)
    assert set(raised.value.details["candidate"]) == {"ethnicity", "category"}


def test_a_farmer_must_be_managed_by_a_district_union(nomination, campaign):
    with pytest.raises(Invalid) as raised:
        nominate(nomination, campaign, candidate=person(category="farmer"))
    assert raised.value.details == {"candidate": {"managing_unit_id": [
        "a farmer's managing unit must be a district union"]}}
    farmer = nominate(nomination, campaign, candidate=person(category="farmer", managing_unit_id="bj-haidian"))
    assert farmer["candidate"]["managing_unit_id"] == "bj-haidian"


def test_the_nominating_unit_must_be_in_the_actors_scope(nomination, campaign):
    with pytest.raises(Invalid) as raised:
        nominate(nomination, campaign, by=HAIDIAN, nominating_unit_id="cy-hotel")
    assert raised.value.details == {"nominating_unit_id": ["outside the caller's scope"]}
    by_district = nominate(nomination, campaign, by=HAIDIAN, nominating_unit_id="hd-school")
    assert by_district["current_unit_id"] == "hd-school"


def test_nominating_needs_an_open_campaign(nomination):
    campaign = nomination.create_campaign(CITY, {
        "honour_type": "beijing_model_worker", "year": 2025, "title": "t", "total_quota": 3,
        "timetable": {"open": {"start": "2025-03-01", "end": "2025-03-31"},
                      "reviewing": {"start": "2025-04-01", "end": "2025-04-30"},
                      "notice": {"start": "2025-05-01", "end": "2025-05-31"}}})
    with pytest.raises(Conflict) as raised:
        nominate(nomination, campaign)
    assert raised.value.details == {"state": "draft", "expected_state": ["open"]}


def test_self_and_social_nominations_enter_at_the_campaigns_entry_level(nomination, campaign):
    with pytest.raises(Invalid) as raised:  # the campaign's entry level is second_tier
        nominate(nomination, campaign, by=BANK, channel="self")
    assert raised.value.details == {"nominating_unit_id": ["must be a unit of the entry level second_tier"]}
    selfmade = nominate(nomination, campaign, by=HAIDIAN, channel="self")
    assert (selfmade["channel"], selfmade["entry_unit_id"], selfmade["stage"]) == ("self", "bj-haidian",
                                                                                   "deeds_report")
    with pytest.raises(Invalid) as raised:
        nominate(nomination, campaign, by=JIANSHE, channel="social_organisation")
    assert set(raised.value.details) == {"social_organisation"}
    social = nominate(nomination, campaign, by=JIANSHE, channel="social_organisation",
                      social_organisation="北京市工程师协会")
    assert social["social_organisation"] == "北京市工程师协会" and social["entry_unit_id"] == "bj-jianshe"


def test_self_nominations_may_enter_at_the_organiser_if_the_campaign_says_so(nomination):
    campaign = open_campaign(nomination, entry_level="organiser")
    with pytest.raises(Invalid):
        nominate(nomination, campaign, by=HAIDIAN, channel="self")
    assert nominate(nomination, campaign, by=CITY, channel="self")["current_unit_id"] == "bj"


def test_an_actor_sees_the_nominations_of_its_part_of_the_tree_only(nomination, campaign):
    banked = nominate(nomination, campaign, by=BANK)
    hotel = nominate(nomination, campaign, by=HOTEL)
    for who in (BANK, HAIDIAN, CITY):
        assert nomination.get_nomination(who, banked["id"])["id"] == banked["id"]
    for who in (SCHOOL, CHAOYANG, JIANSHE, DIRECT):
        with pytest.raises(NotFound):
            nomination.get_nomination(who, banked["id"])
    assert [n["id"] for n in nomination.list_nominations(HAIDIAN, campaign["id"])["items"]] == [banked["id"]]
    assert [n["id"] for n in nomination.list_nominations(CHAOYANG, campaign["id"])["items"]] == [hotel["id"]]
    assert nomination.list_nominations(CITY, campaign["id"])["total"] == 2
    page = nomination.list_nominations(CITY, campaign["id"], {"unit_id": "hd-bank", "stage": "deeds_report"})
    assert [n["id"] for n in page["items"]] == [banked["id"]]
    assert "candidate" not in page["items"][0]  # a list holds no personal data but the name


def test_a_scope_is_asked_of_the_registry_once_a_while(nomination, registry, campaign, monkeypatch):
    nominated = nominate(nomination, campaign)
    units._scopes.clear()
    registry.calls.clear()
    nomination.get_nomination(HAIDIAN, nominated["id"])
    nomination.get_nomination(HAIDIAN, nominated["id"])
    assert registry.calls == [("scope_of", "bj-haidian")]  # the second call used the kept scope
    later = time.monotonic() + units.SCOPE_SECONDS + 1
    monkeypatch.setattr(units.time, "monotonic", lambda: later)
    nomination.get_nomination(HAIDIAN, nominated["id"])
    assert registry.calls == [("scope_of", "bj-haidian")] * 2  # asked again once it is old


def test_an_unknown_actor_unit_is_not_found(nomination, campaign):
    nominated = nominate(nomination, campaign)
    with pytest.raises(NotFound):
        nomination.get_nomination(actor("bj-atlantis"), nominated["id"])


def test_deed_materials_are_added_by_the_nominating_unit_once_each(nomination, campaign):
    nominated = nominate(nomination, campaign)
    more = nomination.add_attachments(BANK, nominated["id"], {"attachments": [attachment("照片.jpg", b"jpg")]})
    assert [a["name"] for a in more["attachments"]] == ["事迹材料.pdf", "照片.jpg"]
    with pytest.raises(Conflict) as raised:
        nomination.add_attachments(BANK, nominated["id"], {"attachments": [attachment("again.pdf")]})
    assert raised.value.details == {"sha256": [attachment()["sha256"]]}
    with pytest.raises(Forbidden):
        nomination.add_attachments(HAIDIAN, nominated["id"], {"attachments": [attachment("x.pdf", b"x")]})
    with pytest.raises(Invalid) as raised:
        nomination.add_attachments(BANK, nominated["id"], {"attachments": [dict(attachment(), sha256="abc")]})
    assert "attachments" in raised.value.details


def test_the_nominations_audit_trail_names_who_acted(nomination, campaign):
    nominated = nominate(nomination, campaign)
    trail = nomination.audit_trail(HAIDIAN, "nomination", nominated["id"])
    assert [(e["action"], e["account"], e["unit_id"]) for e in trail] == [("nominated", "wang.bank", "hd-bank")]
    with pytest.raises(NotFound):
        nomination.audit_trail(CHAOYANG, "nomination", nominated["id"])
    with pytest.raises(Invalid):
        nomination.audit_trail(CITY, "honouree", nominated["id"])


def test_the_candidate_key_is_the_blind_index_of_the_normalised_number(nomination, campaign):
    candidate = person(born=date(1980, 1, 1), sequence=7)
    number = candidate["id_number"]
    nominate(nomination, campaign, candidate=dict(candidate, id_number=f"  {number.lower()} "))
    (row,) = nomination.rows(Nomination)
    assert row.id_number_index == nomination.sealer.blind_index(number)
    assert row.candidate_key == f"p:{row.id_number_index}"
    assert nomination.sealer.unseal(row.id_number_sealed) == number
