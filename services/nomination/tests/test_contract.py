"""What nomination hands the registry, checked against the registry's own schemas.

The registry registers a conferred new person from ``candidate_record`` with its
``NewHonoureeSchema`` and reads ``nomination_conferred`` with its
``NominationConferredSchema`` (the vocabulary and the ID number rules both use
are the chassis's). These tests, and only these, read the registry's modules,
so any drift between the two fails here.
"""
from marshmallow import EXCLUDE

from services.nomination import schemas
from services.registry.schemas import NewHonoureeSchema, NominationConferredSchema

from .flows import CITY, CONFERRAL, person, ready_to_confer


def test_the_candidate_fields_are_the_registrys_new_honouree_fields():
    registry_fields = set(NewHonoureeSchema().fields) - {"request_id", "honours"}
    assert set(schemas.PERSON_FIELDS) == registry_fields


def test_the_candidate_record_is_a_new_honouree_for_the_registry(nomination, clock):
    candidate = person(family={"members": 4, "income_band": "low", "hardships": ["low_income"]},
                       migrant_worker=True, education="大专", political_status="中共党员")
    _, nominated = ready_to_confer(nomination, clock, candidate)
    nomination.confer(CITY, nominated["id"], CONFERRAL)
    record = nomination.candidate_record(nominated["id"])
    loaded = NewHonoureeSchema().load(record)  # raises on any field the registry does not take
    assert loaded["id_number"] == candidate["id_number"] and loaded["managing_unit_id"] == "hd-bank"
    assert loaded["family"] == {"members": 4, "income_band": "low", "hardships": ["low_income"]}


def test_the_event_is_what_the_registry_reads(nomination, registry, clock):
    _, nominated = ready_to_confer(nomination, clock)
    nomination.confer(CITY, nominated["id"], CONFERRAL)
    (event,) = nomination.events("nomination_conferred")
    strict = NominationConferredSchema()
    strict.unknown = EXCLUDE
    loaded = strict.load(event)
    assert loaded["nomination_id"] == nominated["id"] and loaded["honouree_id"] is None
    assert set(event) - {"event_id", "occurred_at"} <= set(NominationConferredSchema().fields)
    schemas.NominationConferredSchema().load({k: v for k, v in event.items()
                                              if k not in ("event_id", "occurred_at")})
