"""Learning and exchange events: sign-up, attendance by the organiser, the exchange count against 100."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.association.models import Base
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


def test_a_sign_up_is_cancelled_before_the_event_and_may_be_made_again(association, registry, clock):
    people(registry, "h1", "h2")
    made = event(association, capacity=1)
    association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": "h1"})
    theirs = event(association, CHAOYANG, kind="salon")
    association.sign_up_for_learning(HAIDIAN, theirs["id"], {"honouree_id": "h1"})
    with pytest.raises(Conflict):  # full
        association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": "h2"})
    # bad input, another unit's person, the organiser who does not manage them, a stranger: nothing changes
    for bad in ({"reason": ""}, {"reason": "x" * 2001}, {"reason": 5}, {"why": "?"}):
        with pytest.raises(Invalid):
            association.cancel_learning_signup(HAIDIAN, made["id"], "h1", bad)
    with pytest.raises(NotFound) as hidden:
        association.cancel_learning_signup(CHAOYANG, made["id"], "h1", {})
    assert hidden.value.details == {"event_id": made["id"], "honouree_id": "h1"}
    with pytest.raises(Forbidden):  # 朝阳 organised it and sees the sign-up, but 海淀 manages the person
        association.cancel_learning_signup(CHAOYANG, theirs["id"], "h1", {})
    with pytest.raises(NotFound):
        association.cancel_learning_signup(HAIDIAN, made["id"], "h2", {})
    with pytest.raises(NotFound):
        association.cancel_learning_signup(HAIDIAN, "no-such-event", "h1", {})
    assert association.learning_signups(HAIDIAN, made["id"])["items"][0]["status"] == "signed_up"

    clock.set(clock.now() + timedelta(hours=1))
    cancelled = check(association.cancel_learning_signup(HAIDIAN, made["id"], "h1", {"reason": "  临时出差  "}),
                      SignupOut)
    assert (cancelled["status"], cancelled["cancelled_by_account"], cancelled["cancel_reason"]) == (
        "cancelled", "haidian.officer", "临时出差")
    assert cancelled["cancelled_at"] == clock.now().isoformat()
    with pytest.raises(Conflict) as twice:
        association.cancel_learning_signup(CITY, made["id"], "h1", {})
    assert twice.value.details["status"] == "cancelled"
    # the history stays on the list; the place is free (no waitlist: nobody moves up by themselves)
    assert association.get_learning_event(CITY, made["id"])["signed_up"] == 0
    page = check(association.learning_signups(CITY, made["id"]), SignupPageOut)
    assert [(s["honouree_id"], s["status"]) for s in page["items"]] == [("h1", "cancelled")]
    assert association.learning_signups(CITY, made["id"], {"status": "signed_up"})["total"] == 0
    with pytest.raises(Invalid):
        association.learning_signups(CITY, made["id"], {"status": "gone"})
    association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": "h2"})  # the freed place
    with pytest.raises(Conflict):  # full again
        association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": "h1"})
    association.cancel_learning_signup(CITY, made["id"], "h2", {})  # the city's scope holds 海淀's people
    again = check(association.sign_up_for_learning(HAIDIAN, made["id"], {"honouree_id": "h1"}), SignupOut)
    assert (again["status"], again["cancelled_at"], again["cancel_reason"]) == ("signed_up", None, None)
    assert len(association.rows(LearningSignup)) == 3

    # once the event has begun: no cancelling; a cancelled sign-up cannot attend
    clock.set(datetime(2026, 3, 1, 1, 0, tzinfo=UTC))  # 09:00 in Beijing, as it begins
    with pytest.raises(Conflict) as late:
        association.cancel_learning_signup(HAIDIAN, made["id"], "h1", {"reason": "迟了"})
    assert late.value.details == {"event_id": made["id"], "starts_at": "2026-03-01T01:00:00+00:00"}
    with pytest.raises(Conflict) as absent:
        association.mark_learning_attendance(CITY, made["id"], {"honouree_ids": ["h1", "h2"]})
    assert absent.value.details["honouree_ids"] == ["h2"]
    assert association.mark_learning_attendance(CITY, made["id"], {"honouree_ids": ["h1"]})["attended"] == 1
    assert association.exchange_participants(CITY)["participants"] == 1

    audit = Base.metadata.tables["audit_log"]
    with association.engine.reading() as connection:
        trail = connection.execute(select(audit.c.action, audit.c.account).where(
            audit.c.entity == "learning_signup", audit.c.entity_id == f"{made['id']}:h1")
            .order_by(audit.c.id)).all()
    assert [tuple(r) for r in trail] == [("signed_up", "haidian.officer"), ("cancelled", "haidian.officer"),
                                         ("signed_up", "haidian.officer"), ("attendance", "city.officer")]
