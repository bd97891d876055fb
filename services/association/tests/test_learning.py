"""Learning and exchange events: sign-up, attendance by the organiser, the exchange count against 100."""
from datetime import timedelta

import pytest

from services.association.models.learning import LearningSignup
from services.association.responses.learning import (
    ExchangeCountOut,
    LearningEventOut,
    LearningEventPageOut,
    SignupOut,
    SignupPageOut,
)
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.testing import check

from .conftest import CHAOYANG, CITY, HAIDIAN

ACTIVE = [{"level": "municipal", "status": "active"}]


def people(registry, *ids, unit="hd-bank", **fields):
    fields.setdefault("honours", ACTIVE)
    for honouree_id in ids:
        registry.add_honouree(honouree_id, unit, name=f"王{honouree_id}", **fields)


def event(association, who=CITY, kind="international_exchange", starts="2026-03-01T09:00:00+08:00", **extra):
    data = dict({"kind": kind, "title": "赴德国职业教育交流", "place": "柏林", "starts_at": starts}, **extra)
    return association.create_learning_event(who, data)["event"]


def test_sign_up_attend_and_count_the_exchange(association, registry, clock):
    people(registry, "h1", "h2")
    people(registry, "c1", unit="cy-hotel")
    made = check(event(association, capacity=10), LearningEventOut)
    assert (made["year"], made["organiser_unit_id"], made["signed_up"]) == (2026, "bj", 0)
    for honouree_id in ("h1", "h2"):
        check(association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": honouree_id}), SignupOut)
    association.sign_up_for_learning(CHAOYANG, made["id"], {"honouree_id": "c1"})
    with pytest.raises(Conflict) as early:
        association.mark_learning_attendance(CITY, made["id"], {"honouree_ids": ["h1"]})
    assert early.value.details["event_id"] == made["id"]
    clock.set(clock.now() + timedelta(days=45))  # 6 March
    with pytest.raises(Forbidden):
        association.mark_learning_attendance(HAIDIAN, made["id"], {"honouree_ids": ["h1"]})
    with pytest.raises(Conflict) as stranger:
        association.mark_learning_attendance(CITY, made["id"], {"honouree_ids": ["h1", "zz"]})
    assert stranger.value.details["honouree_ids"] == ["zz"]
    marked = association.mark_learning_attendance(CITY, made["id"], {"honouree_ids": ["h1", "c1"]})
    assert (marked["signed_up"], marked["attended"]) == (3, 2)
    assert check(association.exchange_participants(CITY), ExchangeCountOut) == {
        "year": 2026, "participants": 2, "target": 100, "shortfall": 98}
    assert association.exchange_participants(HAIDIAN)["participants"] == 1
    assert association.exchange_participants(CITY, {"year": 2025})["participants"] == 0
    # a lecture attended is no exchange
    lecture = event(association, kind="lecture", starts="2026-03-02T14:00:00+08:00")
    association.sign_up_for_learning(HAIDIAN, lecture["id"], {"honouree_id": "h2"})
    association.mark_learning_attendance(CITY, lecture["id"], {"honouree_ids": ["h2"]})
    assert association.exchange_participants(CITY)["participants"] == 2


def test_each_unit_sees_its_own_peoples_sign_ups_the_organiser_all(association, registry):
    people(registry, "h1")
    people(registry, "c1", unit="cy-hotel")
    made = event(association)
    association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": "h1"})
    association.sign_up_for_learning(CHAOYANG, made["id"], {"honouree_id": "c1"})

    def seen(who):
        page = check(association.learning_signups(who, made["id"]), SignupPageOut)
        return [s["honouree_id"] for s in page["items"]]

    assert seen(CITY) == ["c1", "h1"] and seen(HAIDIAN) == ["h1"] and seen(CHAOYANG) == ["c1"]
    theirs = event(association, CHAOYANG, kind="salon")
    association.sign_up_for_learning(HAIDIAN, theirs["id"], {"honouree_id": "h1"})  # events are shared
    assert seen(CHAOYANG) == ["c1"]


def test_who_may_sign_up(association, registry):
    people(registry, "h1", "h2")
    people(registry, "gone", honours=[{"level": "municipal", "status": "revoked"}])
    people(registry, "c1", unit="cy-hotel")
    made = event(association, capacity=1)
    with pytest.raises(NotFound) as absent:
        association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": "c1"})
    assert absent.value.details == {"honouree_id": "c1"}
    with pytest.raises(Conflict) as refused:
        association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": "gone"})
    assert refused.value.details["missing"] == "active_honour"
    association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": "h1"})
    with pytest.raises(Conflict):
        association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": "h1"})
    with pytest.raises(Conflict) as full:
        association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": "h2"})
    assert full.value.details == {"event_id": made["id"], "capacity": 1}
    with pytest.raises(NotFound):
        association.sign_up_for_learning(HAIDIAN, "no-such-event", {"honouree_id": "h1"})
    assert len(association.rows(LearningSignup)) == 1


def test_events_list_and_bad_input(association, registry):
    first = event(association, kind="lecture", starts="2026-02-01T09:00:00+08:00")
    event(association, kind="training", starts="2025-12-31T17:00:00+00:00")  # 1 January 2026 in Beijing
    page = check(association.list_learning_events(HAIDIAN, {"year": 2026}), LearningEventPageOut)
    assert page["total"] == 2
    assert [e["id"] for e in association.list_learning_events(CHAOYANG, {"kind": "lecture"})["items"]] == [first["id"]]
    for bad in ({"kind": "party"}, {"starts_at": "2026-03-01T09:00:00"}, {"capacity": 0}):
        with pytest.raises(Invalid):
            event(association, **bad)
    with pytest.raises(NotFound):
        association.get_learning_event(HAIDIAN, "no-such-event")
    again = association.create_learning_event(CITY, {"kind": "salon", "title": "沙龙", "place": "劳动者之家",
                                                     "starts_at": "2026-04-01T19:00:00+08:00", "request_id": "le-1"})
    retry = association.create_learning_event(CITY, {"kind": "salon", "title": "沙龙", "place": "劳动者之家",
                                                     "starts_at": "2026-04-01T19:00:00+08:00", "request_id": "le-1"})
    assert retry == dict(again, created=False)
