"""Revocations learnt from the registry's events, and the bar on nominating the person again."""
from datetime import date, datetime, timezone

import pytest

from services.chassis.errors import Conflict, Invalid
from services.chassis.events import DUPLICATE
from services.nomination.models import Nomination, RevokedHonour
from services.nomination.revocations import barred_until

from .flows import CITY, CONFERRAL, nominate, open_campaign, person, ready_to_confer


def revoked(honouree_id, honour_id="honour-1", at="2023-01-10T08:00:00+00:00", event_id="e" * 32):
    """The registry's honour_revoked event as it arrives (docs/events.md)."""
    return {"event_id": event_id, "occurred_at": at, "honour_id": honour_id, "honouree_id": honouree_id,
            "honour_type": "beijing_model_worker", "revocation_id": "r-1", "managing_unit_id": "hd-bank"}


def conferred_honour(nomination_id, honouree_id, honour_id="honour-1", event_id="c" * 32):
    """The registry's honour_conferred event (docs/events.md)."""
    return {"event_id": event_id, "occurred_at": "2025-03-20T00:00:00+00:00", "honour_id": honour_id,
            "id": honour_id, "honouree_id": honouree_id, "honour_type": "beijing_model_worker",
            "level": "municipal", "year": 2025, "conferring_body": "北京市人民政府", "status": "active",
            "nomination_id": nomination_id, "revoked_at": None, "managing_unit_id": "hd-bank"}


def test_a_revoked_honour_is_kept_once(nomination):
    assert nomination.on_honour_revoked(revoked("h-wang")) == {"honour_id": "honour-1", "honouree_id": "h-wang"}
    assert nomination.on_honour_revoked(revoked("h-wang")) is DUPLICATE  # the same event again
    nomination.on_honour_revoked(revoked("h-wang", event_id="f" * 32))  # a second event of the same honour
    (row,) = nomination.rows(RevokedHonour)
    assert row.revoked_at == datetime(2023, 1, 10, 8, tzinfo=timezone.utc)


def test_a_malformed_event_is_an_error_for_the_retries_and_dead_letters(nomination):
    with pytest.raises(Invalid):
        nomination.on_honour_revoked({"event_id": "d" * 32, "honour_id": "x"})
    assert nomination.rows(RevokedHonour) == []


def test_an_honouree_whose_honour_was_revoked_cannot_be_nominated_within_the_bar(nomination, registry):
    registry.add_honouree("h-wang", "hd-bank")
    nomination.on_honour_revoked(revoked("h-wang"))
    campaign = open_campaign(nomination)  # bars for 5 years
    with pytest.raises(Conflict) as raised:
        nominate(nomination, campaign, candidate={"honouree_id": "h-wang"})
    assert raised.value.details == {"honour_id": "honour-1", "revoked_on": "2023-01-10",
                                    "barred_until": "2028-01-10", "revocation_bar_years": 5}
    shorter = open_campaign(nomination, year=2026, revocation_bar_years=2)  # until 2025-01-10: over
    assert nominate(nomination, shorter, candidate={"honouree_id": "h-wang"})["status"] == "in_progress"


def test_the_registrys_record_bars_too_before_the_event_arrives(nomination, registry):
    registry.add_honouree("h-li", "hd-bank", honours=[{"id": "o-9", "honour_type": "beijing_advanced_worker",
                                                       "year": 2015, "status": "revoked",
                                                       "revoked_at": "2024-12-31T16:30:00+00:00"}])
    campaign = open_campaign(nomination)
    with pytest.raises(Conflict) as raised:
        nominate(nomination, campaign, candidate={"honouree_id": "h-li"})
    assert raised.value.details["revoked_on"] == "2025-01-01"  # a Beijing date
    assert raised.value.details["barred_until"] == "2030-01-01"


def test_a_new_person_who_became_an_honouree_here_is_matched_by_the_id_number(nomination, clock):
    candidate = person()
    _, first = ready_to_confer(nomination, clock, candidate)
    nomination.confer(CITY, first["id"], CONFERRAL)
    linked = nomination.on_honour_conferred(conferred_honour(first["id"], "h-new"))
    assert linked == {"nomination_id": first["id"], "honouree_id": "h-new"}
    assert nomination.get_nomination(CITY, first["id"])["candidate"]["registered_honouree_id"] == "h-new"
    nomination.on_honour_revoked(revoked("h-new", at=clock.now().isoformat()))
    later = open_campaign(nomination, year=2026, honour_type="beijing_advanced_worker")
    with pytest.raises(Conflict) as raised:
        nominate(nomination, later, candidate=dict(candidate, name="李 秀英"))  # as a "new" person again
    assert raised.value.details["honour_id"] == "honour-1"


def test_a_new_person_the_registry_holds_already_is_barred_by_its_record(nomination, registry):
    """Entered into the registry by hand, never nominated here: the registry's honours of the ID number."""
    candidate = person()
    registry.add_person(candidate["id_number"], [
        {"id": "o-7", "honour_type": "beijing_advanced_worker", "year": 2012, "status": "revoked",
         "revoked_at": "2024-06-01T02:00:00+00:00"}])
    campaign = open_campaign(nomination)
    with pytest.raises(Conflict) as raised:
        nominate(nomination, campaign, candidate=candidate)
    assert raised.value.details["honour_id"] == "o-7" and raised.value.details["barred_until"] == "2029-06-01"
    assert ("honours_of_person",) in registry.calls


def test_a_new_person_holding_the_honour_already_is_refused(nomination, registry):
    candidate = person()
    campaign = open_campaign(nomination)
    registry.add_person(candidate["id_number"], [
        {"id": "o-8", "honour_type": campaign["honour_type"], "year": campaign["year"], "status": "active",
         "revoked_at": None}])
    with pytest.raises(Conflict):
        nominate(nomination, campaign, candidate=candidate)


def test_honours_conferred_without_a_nomination_of_ours_are_ignored(nomination):
    assert nomination.on_honour_conferred(conferred_honour(None, "h-x")) is None
    assert nomination.on_honour_conferred(conferred_honour("elsewhere", "h-x", event_id="b" * 32)) is None
    assert nomination.rows(Nomination) == []


def test_a_bar_of_zero_years_bars_nobody(nomination, registry):
    registry.add_honouree("h-wang", "hd-bank")
    nomination.on_honour_revoked(revoked("h-wang", at="2025-03-01T00:00:00+00:00"))
    campaign = open_campaign(nomination, revocation_bar_years=0)
    assert nominate(nomination, campaign, candidate={"honouree_id": "h-wang"})["status"] == "in_progress"


@pytest.mark.parametrize("revoked_at, years, until", [
    ("2023-01-10T08:00:00+00:00", 5, date(2028, 1, 10)),
    ("2023-01-10T20:00:00+00:00", 5, date(2028, 1, 11)),   # already the 11th in Beijing
    ("2024-02-29T00:00:00+00:00", 1, date(2025, 2, 28)),   # no 29 February in 2025
    ("2024-02-29T00:00:00+00:00", 4, date(2028, 2, 29)),
])
def test_the_bar_ends_on_the_anniversary_in_beijing(revoked_at, years, until):
    assert barred_until(datetime.fromisoformat(revoked_at), years) == until
