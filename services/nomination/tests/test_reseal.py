"""Rotating the nomination service's keys with `python -m services.chassis.reseal nomination`: candidates'
ID numbers and private details, objections' contacts and tracked workers' records sealed under the old
personal-data key are moved to the new one; ``--reindex`` remakes the ID-number indexes and the candidate keys
made from them under a new blind-index key, so duplicates are found again. An objection's address index
cannot be remade (the address is not stored): the command says so and leaves it."""
from functools import partial

import pytest
from sqlalchemy import select

from services.chassis.errors import Conflict
from services.chassis.personal_data import PersonalDataError, Sealer, new_key
from services.chassis.testing import WorkerCalls, reseal_as_operator
from services.chassis.testing import sealed_values as stored_tokens
from services.nomination.models import (
    SEALED_COLUMNS,
    Base,
    Cultivation,
    Nomination,
    Objection,
)
from services.nomination.service import NominationService

from .conftest import PERSONAL_DATA_CONFIG
from .flows import (
    BANK,
    CITY,
    actor,
    at_the_city,
    attachment,
    nominate,
    notice_data,
    open_campaign,
    person,
    reviewed,
)

OLD, INDEX = PERSONAL_DATA_CONFIG["PERSONAL_DATA_KEYS"], PERSONAL_DATA_CONFIG["BLIND_INDEX_KEY"]
CLEAR = actor("bj", "zhao.city", personal_data=True)
BANK_CLEAR = actor("hd-bank", personal_data=True)
CONTACT = "13911112222"


run = partial(reseal_as_operator, "nomination")  # (monkeypatch, capsys, uri, keys, index_key, *args)


def calls(nomination, sealer):
    """The same service over the same database, configured with other keys."""
    return WorkerCalls(NominationService, nomination.engine, clock=nomination.clock, sealer=sealer,
                       registry=nomination.registry)


def attempt(service, method, *args):
    """What a call answers, its transaction rolled back: a look-up tried without changing anything."""
    from services.chassis.database import UnitOfWork
    uow = UnitOfWork(service.engine)
    try:
        return getattr(service.worker(uow), method)(*args)
    except Conflict as refused:
        return refused
    finally:
        uow.rollback()


def sealed_values(nomination):
    return stored_tokens(nomination.engine, Base.metadata, SEALED_COLUMNS)


def keys_of(nomination, model, column):
    with nomination.engine.reading() as connection:
        return dict(connection.execute(select(model.id, column)).all())


def track(nomination, candidate, by=BANK):
    return nomination.track_candidate(by, {"year": 2025, "source": "skill_competition_champion",
                                           "candidate": candidate})


@pytest.fixture
def stored(nomination, clock, registry):
    """Two nominations that reached a notice, an objection with a contact and one without, a tracked
    new person and a tracked honouree: every sealed column, and nullable ones left empty."""
    campaign = open_campaign(nomination)
    first = at_the_city(nomination, campaign, candidate=person(name="李秀英"))
    second = at_the_city(nomination, campaign, candidate=person(name="张建华"))
    nomination.transition_campaign(CITY, campaign["id"], "reviewing")
    for nominated in (first, second):
        reviewed(nomination, nominated)
    nomination.transition_campaign(CITY, campaign["id"], "notice")
    notice = nomination.open_notice(BANK, campaign["id"], notice_data("unit", [first["id"], second["id"]], clock))
    with_contact = nomination.lodge_objection(notice["id"], first["id"], {"grounds": "事迹有夸大之处",
                                                                          "contact": CONTACT}, "203.0.113.7")
    without = nomination.lodge_objection(notice["id"], second["id"], {"grounds": "请核实"}, "198.51.100.9")
    worker = person(name="赵技能")
    tracked = track(nomination, worker)
    registry.add_honouree("h-wang", "hd-bank", name="王建国")
    honouree = track(nomination, {"honouree_id": "h-wang"})
    return {"nominations": [first["id"], second["id"]], "objections": [with_contact["id"], without["id"]],
            "worker": worker, "tracked": tracked["id"], "honouree": honouree["id"]}


def test_rotation_reseals_every_sealed_value_under_the_new_key(nomination, nomination_db_uri, stored,
                                                               monkeypatch, capsys):
    before = sealed_values(nomination)
    assert len(before) == 8 and sum(v is None for v in before.values()) == 1  # one objection gave no contact
    old = Sealer(OLD, INDEX)
    clear = {key: old.unseal(value) for key, value in before.items() if value is not None}
    new = new_key()
    only_new = calls(nomination, Sealer(new, INDEX))
    with pytest.raises(PersonalDataError):  # before the run, the old key cannot go
        only_new.get_nomination(CLEAR, stored["nominations"][0])

    status, out = run(monkeypatch, capsys, nomination_db_uri, f"{new},{OLD}", INDEX, "--batch", "1")
    assert status == 0
    assert "nomination nominations: 1 rows examined, 1 re-sealed, 0 re-indexed" in out  # batch by batch
    assert "nomination nominations: 2 rows examined, 2 re-sealed, 0 re-indexed" in out
    assert "nomination objections: 2 rows examined, 1 re-sealed, 0 re-indexed" in out
    assert "nomination cultivations: 2 rows examined, 2 re-sealed, 0 re-indexed" in out
    assert "laomo: nomination: 6 rows examined, 5 re-sealed, 0 re-indexed" in out
    current = Sealer(new, INDEX)
    after = sealed_values(nomination)
    assert {key: value is None or current.is_current(value) for key, value in after.items()} == \
        dict.fromkeys(before, True)
    assert {key: current.unseal(value) for key, value in after.items() if value is not None} == clear

    status, out = run(monkeypatch, capsys, nomination_db_uri, f"{new},{OLD}", INDEX)
    assert status == 0 and "laomo: nomination: 6 rows examined, 0 re-sealed, 0 re-indexed" in out

    # the old key dropped: everything still reads, through the service
    candidate = only_new.get_nomination(CLEAR, stored["nominations"][0])["candidate"]
    assert (candidate["name"], candidate["phone"]) == ("李秀英", "13800000000")
    assert only_new.get_objection(BANK_CLEAR, stored["objections"][0])["contact"] == CONTACT
    assert only_new.get_objection(BANK_CLEAR, stored["objections"][1])["contact"] is None
    later = open_campaign(only_new, honour_type="beijing_advanced_worker")
    promoted = only_new.promote_cultivation(BANK, stored["tracked"], {
        "campaign_id": later["id"], "deeds_summary": "技能大赛冠军", "deeds": "事迹全文",
        "attachments": [attachment()]})
    assert only_new.get_nomination(CLEAR, promoted["id"])["candidate"]["id_number"] == stored["worker"]["id_number"]


def test_reindex_finds_a_candidate_by_id_number_under_a_new_blind_index_key(
        nomination, nomination_db_uri, stored, monkeypatch, capsys):
    campaign = open_campaign(nomination, honour_type="beijing_advanced_worker")
    candidate = person(name="孙一线")
    first = nominate(nomination, campaign, candidate=candidate)
    addresses = keys_of(nomination, Objection, Objection.address_index)
    new_index = new_key()
    moved = calls(nomination, Sealer(OLD, new_index))
    nominated_again = {"channel": "organisational", "candidate": candidate, "deeds_summary": "s", "deeds": "d"}
    tracked_again = {"year": 2025, "source": "chief_employee", "candidate": stored["worker"]}
    # before the run, the new key's look-ups miss: the same person would be nominated and tracked twice
    assert attempt(moved, "nominate", BANK, campaign["id"], nominated_again)["candidate"]["name"] == "孙一线"
    assert attempt(moved, "track_candidate", BANK, tracked_again)["name"] == "赵技能"

    status, out = run(monkeypatch, capsys, nomination_db_uri, OLD, new_index, "--reindex", "--batch", "2")
    assert status == 0
    assert "nomination objections.address_index: NOT re-indexed: it hashes the objector's client address" in out
    assert "nomination nominations: 3 rows examined, 0 re-sealed, 3 re-indexed" in out
    assert "nomination cultivations: 2 rows examined, 0 re-sealed, 1 re-indexed" in out  # not the honouree's
    assert "laomo: nomination: 7 rows examined, 0 re-sealed, 4 re-indexed" in out

    refused = attempt(moved, "nominate", BANK, campaign["id"], nominated_again)
    assert isinstance(refused, Conflict) and refused.details["nomination_id"] == first["id"]
    refused = attempt(moved, "track_candidate", BANK, tracked_again)
    assert isinstance(refused, Conflict) and refused.details == {"cultivation_id": stored["tracked"]}
    index = Sealer(OLD, new_index).blind_index(candidate["id_number"])
    assert keys_of(nomination, Nomination, Nomination.id_number_index)[first["id"]] == index
    assert keys_of(nomination, Nomination, Nomination.candidate_key)[first["id"]] == f"p:{index}"
    assert keys_of(nomination, Cultivation, Cultivation.candidate_key)[stored["honouree"]] == "h:h-wang"
    assert keys_of(nomination, Objection, Objection.address_index) == addresses

    status, out = run(monkeypatch, capsys, nomination_db_uri, OLD, new_index, "--reindex")
    assert status == 0 and "laomo: nomination: 7 rows examined, 0 re-sealed, 0 re-indexed" in out
