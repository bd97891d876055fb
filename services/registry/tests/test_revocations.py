"""Revocation of an honour (退出机制): up the tiers to the deciding unit, which decides.

Entrypoints are called through the ``registry`` fixture (worker_factory, a real
unit of work per call) on SQLite and, under ``make test``, PostgreSQL.
"""
import json
from datetime import date

import pytest
from sqlalchemy import select

from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.id_numbers import make_id_number
from services.registry.models import HonourType, TodoItem
from services.registry.people import HonourLevel

FACTORY = {"account": "wang.officer", "unit_id": "hd-factory"}       # grassroots, under Haidian
HAIDIAN = {"account": "li.district", "unit_id": "bj-haidian"}         # district
CITY = {"account": "zhao.city", "unit_id": "bj"}                      # the city: decides
CHAOYANG = {"account": "sun.district", "unit_id": "bj-chaoyang"}      # a district outside the chain
REASONS = "因严重违法行为被依法追究刑事责任"


def person(managing_unit_id, sequence=1, **extra):
    born = date(1970, 3, 2)
    return dict({"name": "张建国", "gender": "male", "ethnicity": "汉族", "birth_date": born.isoformat(),
                 "id_number": make_id_number("110108", born, sequence), "category": "worker",
                 "managing_unit_id": managing_unit_id,
                 "honours": [{"honour_type": "beijing_model_worker", "year": 2015}]}, **extra)


@pytest.fixture
def honour(registry):
    """An honouree managed by a grassroots union in Haidian, with a Beijing Model Worker honour."""
    registry.create_unit({"id": "hd-factory", "name": "海淀机床厂工会", "tier": "grassroots",
                          "parent_id": "bj-haidian"})
    record = registry.register_honouree(FACTORY, person("hd-factory"))
    return record["honours"][0]


def request(registry, honour, actor=FACTORY, reasons=REASONS):
    return registry.request_revocation(actor, honour["id"], {"reasons": reasons})


def at_the_city(registry, honour):
    revocation = request(registry, honour)
    return registry.endorse_revocation(HAIDIAN, revocation["id"], {"reasons": "区总工会审核同意，报市总工会"})


def outbox(registry, event_type):
    db = registry.engine
    with db.reading() as connection:
        rows = connection.execute(select(db.outbox).where(db.outbox.c.event_type == event_type)
                                  .order_by(db.outbox.c.seq)).all()
    return [json.loads(row.payload) for row in rows]


def todos(registry, revocation_id):
    with registry.engine.reading() as connection:
        rows = connection.execute(select(TodoItem.__table__).where(TodoItem.subject_id == revocation_id)
                                  .order_by(TodoItem.id)).all()
    return [(row.unit_id, row.kind, row.status) for row in rows]


def actions(revocation):
    return [(step["unit_id"], step["action"]) for step in revocation["steps"]]


# --- the whole chain -------------------------------------------------------------------------

def test_the_whole_chain_grassroots_district_city_revokes_the_honour(registry, honour, clock):
    requested = request(registry, honour)
    assert requested["status"] == "pending"
    assert requested["requested_by_unit_id"] == "hd-factory"
    assert requested["waiting_at_unit_id"] == "bj-haidian"
    assert requested["deciding_unit_id"] == "bj"
    assert requested["honour_type"] == "beijing_model_worker"
    assert requested["reasons"] == REASONS
    assert actions(requested) == [("hd-factory", "requested")]

    clock.advance(days=3)
    endorsed = registry.endorse_revocation(HAIDIAN, requested["id"], {"reasons": "情况属实，同意上报"})
    assert endorsed["status"] == "pending" and endorsed["waiting_at_unit_id"] == "bj"
    assert actions(endorsed) == [("hd-factory", "requested"), ("bj-haidian", "endorsed")]

    clock.advance(days=10)
    decided = registry.decide_revocation(CITY, requested["id"], {"decision": "revoke", "reasons": "经市总工会研究，撤销其称号"})
    assert decided["status"] == "revoked"
    assert decided["waiting_at_unit_id"] is None
    assert decided["decision_reasons"] == "经市总工会研究，撤销其称号"
    assert decided["decided_at"] == "2024-05-14T08:30:00+00:00"
    assert actions(decided) == [("hd-factory", "requested"), ("bj-haidian", "endorsed"), ("bj", "decided")]
    assert [s["account"] for s in decided["steps"]] == ["wang.officer", "li.district", "zhao.city"]
    assert decided["steps"][1]["reasons"] == "情况属实，同意上报"

    held = registry.get_honouree(CITY, honour["honouree_id"])["honours"]
    assert [(h["id"], h["status"], h["revoked_at"]) for h in held] == [
        (honour["id"], "revoked", "2024-05-14T08:30:00+00:00")]
    assert registry.get_revocation(FACTORY, requested["id"]) == decided  # kept, as decided


def test_the_request_is_a_to_do_item_of_the_unit_it_waits_at(registry, honour):
    revocation = request(registry, honour)
    assert todos(registry, revocation["id"]) == [("bj-haidian", "revocation", "open")]
    registry.endorse_revocation(HAIDIAN, revocation["id"], {"reasons": "同意"})
    assert todos(registry, revocation["id"]) == [("bj-haidian", "revocation", "done"),
                                                 ("bj", "revocation", "open")]
    registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "撤销"})
    assert todos(registry, revocation["id"]) == [("bj-haidian", "revocation", "done"),
                                                 ("bj", "revocation", "done")]


def test_a_district_managed_honouree_goes_straight_to_the_city(registry):
    record = registry.register_honouree(HAIDIAN, person("bj-haidian", sequence=3))
    revocation = registry.request_revocation(HAIDIAN, record["honours"][0]["id"], {"reasons": REASONS})
    assert revocation["waiting_at_unit_id"] == "bj"
    decided = registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "撤销"})
    assert decided["status"] == "revoked"
    assert actions(decided) == [("bj-haidian", "requested"), ("bj", "decided")]


def test_a_city_managed_honouree_waits_at_the_city_at_once(registry):
    record = registry.register_honouree(CITY, person("bj", sequence=5))
    revocation = registry.request_revocation(CITY, record["honours"][0]["id"], {"reasons": REASONS})
    assert revocation["waiting_at_unit_id"] == "bj" == revocation["deciding_unit_id"]
    with pytest.raises(Conflict) as raised:
        registry.endorse_revocation(CITY, revocation["id"], {"reasons": "同意"})
    assert raised.value.details["missing_step"] == "decided"
    assert registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "撤销"})[
        "status"] == "revoked"


def test_a_deciding_unit_off_the_chain_gets_the_request_from_the_top(registry):
    # a district-level honour decided by Haidian, held by someone managed in Chaoyang
    with registry.engine.unit_of_work() as uow:
        uow.session.add(HonourType(code="haidian_model_worker", name="海淀区劳动模范",
                                   name_en="Haidian Model Worker", level=HonourLevel.DISTRICT,
                                   conferring_body="海淀区人民政府", deciding_unit_id="bj-haidian",
                                   active=True))
    data = person("bj-chaoyang", sequence=7, honours=[{"honour_type": "haidian_model_worker", "year": 2019}])
    record = registry.register_honouree(CHAOYANG, data)
    revocation = registry.request_revocation(CHAOYANG, record["honours"][0]["id"], {"reasons": REASONS})
    assert (revocation["waiting_at_unit_id"], revocation["deciding_unit_id"]) == ("bj", "bj-haidian")
    with pytest.raises(Conflict):
        registry.decide_revocation(HAIDIAN, revocation["id"], {"decision": "revoke", "reasons": "撤销"})
    moved = registry.endorse_revocation(CITY, revocation["id"], {"reasons": "转海淀区决定"})
    assert moved["waiting_at_unit_id"] == "bj-haidian"
    assert registry.get_revocation(HAIDIAN, revocation["id"])["id"] == revocation["id"]
    decided = registry.decide_revocation(HAIDIAN, revocation["id"], {"decision": "revoke", "reasons": "撤销"})
    assert actions(decided) == [("bj-chaoyang", "requested"), ("bj", "endorsed"), ("bj-haidian", "decided")]


# --- who may act -----------------------------------------------------------------------------

def test_only_the_managing_unit_requests_a_revocation(registry, honour):
    with pytest.raises(Forbidden) as raised:
        request(registry, honour, actor=HAIDIAN)  # in scope, but not the managing unit
    assert raised.value.details == {"managing_unit_id": "hd-factory"}
    with pytest.raises(Forbidden):
        request(registry, honour, actor=CITY)
    with pytest.raises(NotFound):
        request(registry, honour, actor=CHAOYANG)  # outside its scope: no such honour
    with pytest.raises(NotFound):
        registry.request_revocation(FACTORY, "no-such-honour", {"reasons": REASONS})
    assert registry.list_revocations(CITY)["total"] == 0


def test_endorsement_by_a_unit_the_request_does_not_wait_at_is_forbidden(registry, honour):
    revocation = request(registry, honour)
    for actor in (FACTORY, CITY):  # the requester itself; the city, above the unit it waits at
        with pytest.raises(Forbidden) as raised:
            registry.endorse_revocation(actor, revocation["id"], {"reasons": "同意"})
        assert raised.value.details == {"waiting_at_unit_id": "bj-haidian"}
        with pytest.raises(Forbidden):
            registry.refuse_revocation(actor, revocation["id"], {"reasons": "不同意"})
    with pytest.raises(NotFound):
        registry.endorse_revocation(CHAOYANG, revocation["id"], {"reasons": "同意"})
    unchanged = registry.get_revocation(HAIDIAN, revocation["id"])
    assert unchanged["waiting_at_unit_id"] == "bj-haidian"
    assert actions(unchanged) == [("hd-factory", "requested")]


def test_deciding_before_the_request_reaches_the_deciding_unit_is_a_conflict(registry, honour):
    revocation = request(registry, honour)
    with pytest.raises(Conflict) as raised:
        registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "撤销"})
    assert raised.value.details == {"waiting_at_unit_id": "bj-haidian", "missing_step": "endorsed"}
    assert "bj-haidian" in raised.value.message
    with pytest.raises(Forbidden) as raised:  # the district is not the deciding unit
        registry.decide_revocation(HAIDIAN, revocation["id"], {"decision": "revoke", "reasons": "撤销"})
    assert raised.value.details == {"deciding_unit_id": "bj"}
    assert registry.get_honouree(CITY, honour["honouree_id"])["honours"][0]["status"] == "active"
    assert outbox(registry, "honour_revoked") == []


def test_revoke_then_revoke_again_is_a_conflict(registry, honour):
    revocation = at_the_city(registry, honour)
    registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "撤销"})
    with pytest.raises(Conflict) as raised:
        registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "再次撤销"})
    assert raised.value.details["status"] == "revoked"
    with pytest.raises(Conflict) as raised:
        request(registry, honour)
    assert raised.value.details["honour_id"] == honour["id"]
    with pytest.raises(Conflict):
        registry.refuse_revocation(CITY, revocation["id"], {"reasons": "不同意"})
    kept = registry.get_revocation(CITY, revocation["id"])
    assert kept["decision_reasons"] == "撤销" and len(kept["steps"]) == 3


def test_one_open_revocation_per_honour(registry, honour):
    first = request(registry, honour)
    with pytest.raises(Conflict) as raised:
        request(registry, honour, reasons="另一份申请")
    assert raised.value.details == {"revocation_id": first["id"], "waiting_at_unit_id": "bj-haidian"}
    registry.refuse_revocation(HAIDIAN, first["id"], {"reasons": "证据不足"})
    second = request(registry, honour, reasons="补充证据后再次申请")
    assert second["id"] != first["id"] and second["status"] == "pending"
    assert registry.list_revocations(CITY, {"honour_id": honour["id"]})["total"] == 2


# --- the event -------------------------------------------------------------------------------

def test_honour_revoked_is_written_exactly_once_to_the_outbox(registry, honour):
    revocation = at_the_city(registry, honour)
    assert outbox(registry, "honour_revoked") == []
    registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "撤销"})
    with pytest.raises(Conflict):
        registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "撤销"})
    events = outbox(registry, "honour_revoked")
    assert len(events) == 1
    event = events[0]
    assert {k: v for k, v in event.items() if k not in ("event_id", "occurred_at")} == {
        "honour_id": honour["id"], "honouree_id": honour["honouree_id"],
        "honour_type": "beijing_model_worker", "revocation_id": revocation["id"],
        "managing_unit_id": "hd-factory", "active_honours_left": 0}
    assert event["occurred_at"] == "2024-05-01T08:30:00+00:00"
    text = json.dumps(event, ensure_ascii=False)
    assert "张建国" not in text and "110108" not in text  # no personal data


def test_a_refused_request_records_no_event_and_leaves_the_honour(registry, honour):
    revocation = at_the_city(registry, honour)
    refused = registry.decide_revocation(CITY, revocation["id"], {"decision": "refuse", "reasons": "不予撤销"})
    assert refused["status"] == "refused" and refused["decision_reasons"] == "不予撤销"
    assert actions(refused)[-1] == ("bj", "decided")
    assert outbox(registry, "honour_revoked") == []
    assert registry.get_honouree(CITY, honour["honouree_id"])["honours"][0]["status"] == "active"
    with pytest.raises(Conflict):
        registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "改为撤销"})


# --- refusal, reading, the audit trail -------------------------------------------------------

def test_refusal_by_a_tier_ends_the_request_and_keeps_the_reasons(registry, honour, clock):
    revocation = request(registry, honour)
    clock.advance(days=2)
    refused = registry.refuse_revocation(HAIDIAN, revocation["id"], {"reasons": "  经核查，情况不属实  "})
    assert refused["status"] == "refused"
    assert refused["decision_reasons"] == "经核查，情况不属实"
    assert refused["reasons"] == REASONS  # the request's own reasons are kept too
    assert refused["waiting_at_unit_id"] is None
    assert refused["decided_at"] == "2024-05-03T08:30:00+00:00"
    assert actions(refused) == [("hd-factory", "requested"), ("bj-haidian", "refused")]
    assert refused["steps"][1]["reasons"] == "经核查，情况不属实"
    assert todos(registry, revocation["id"]) == [("bj-haidian", "revocation", "done")]
    assert registry.get_revocation(FACTORY, revocation["id"]) == refused
    with pytest.raises(Conflict):
        registry.endorse_revocation(HAIDIAN, revocation["id"], {"reasons": "同意"})
    assert registry.get_honouree(CITY, honour["honouree_id"])["honours"][0]["status"] == "active"


def test_the_audit_trail_records_every_change(registry, honour):
    revocation = at_the_city(registry, honour)
    registry.decide_revocation(CITY, revocation["id"], {"decision": "revoke", "reasons": "撤销"})
    trail = registry.audit_trail(CITY, "revocation", revocation["id"])
    assert [(e["action"], e["account"], e["unit_id"]) for e in trail] == [
        ("requested", "wang.officer", "hd-factory"), ("endorsed", "li.district", "bj-haidian"),
        ("revoked", "zhao.city", "bj")]
    assert trail[0]["changes"]["reasons"] == [None, REASONS]
    assert trail[1]["changes"]["waiting_at_unit_id"] == ["bj-haidian", "bj"]
    assert trail[2]["changes"]["status"] == ["pending", "revoked"]
    honour_trail = registry.audit_trail(CITY, "honour", honour["id"])
    assert [e["action"] for e in honour_trail] == ["conferred", "revoked"]
    assert honour_trail[1]["changes"]["status"] == ["active", "revoked"]
    with pytest.raises(NotFound):
        registry.audit_trail(CHAOYANG, "revocation", revocation["id"])


def test_a_request_is_seen_along_its_chain_and_in_scope_only(registry, honour):
    revocation = request(registry, honour)
    for actor in (FACTORY, HAIDIAN, CITY):
        assert registry.get_revocation(actor, revocation["id"])["id"] == revocation["id"]
        assert registry.list_revocations(actor)["total"] == 1
    with pytest.raises(NotFound):
        registry.get_revocation(CHAOYANG, revocation["id"])
    with pytest.raises(NotFound):
        registry.get_revocation(CITY, "no-such-revocation")
    assert registry.list_revocations(CHAOYANG)["total"] == 0


def test_list_revocations_filters_by_status_and_by_where_they_wait_and_pages(registry, honour):
    first = request(registry, honour)
    second_honour = registry.register_honouree(FACTORY, person("hd-factory", sequence=9))["honours"][0]
    second = request(registry, second_honour)
    registry.refuse_revocation(HAIDIAN, first["id"], {"reasons": "不同意"})
    assert [r["id"] for r in registry.list_revocations(HAIDIAN, {"status": "pending"})["items"]] == [second["id"]]
    assert [r["id"] for r in registry.list_revocations(HAIDIAN, {"status": "refused"})["items"]] == [first["id"]]
    assert registry.list_revocations(HAIDIAN, {"status": "revoked"})["total"] == 0
    assert [r["id"] for r in registry.list_revocations(HAIDIAN, {"waiting_here": True})["items"]] == [second["id"]]
    assert registry.list_revocations(FACTORY, {"waiting_here": True})["total"] == 0
    assert registry.list_revocations(CITY, {"waiting_here": True})["total"] == 0
    pages = [registry.list_revocations(CITY, {"page": n, "page_size": 1}) for n in (1, 2)]
    assert [(p["total"], p["pages"]) for p in pages] == [(2, 2), (2, 2)]
    assert {p["items"][0]["id"] for p in pages} == {first["id"], second["id"]}
    assert "steps" not in pages[0]["items"][0]


@pytest.mark.parametrize("data, field", [
    ({"reasons": "   "}, "reasons"),
    ({}, "reasons"),
    ({"reasons": "x" * 2001}, "reasons"),
    ({"reasons": REASONS, "urgent": True}, "urgent"),
], ids=["blank", "missing", "too-long", "unknown-field"])
def test_a_request_without_sound_reasons_is_invalid(registry, honour, data, field):
    with pytest.raises(Invalid) as raised:
        registry.request_revocation(FACTORY, honour["id"], data)
    assert set(raised.value.details) == {field}
    assert registry.list_revocations(CITY)["total"] == 0


@pytest.mark.parametrize("data, field", [
    ({"decision": "delete", "reasons": "撤销"}, "decision"),
    ({"reasons": "撤销"}, "decision"),
    ({"decision": "revoke"}, "reasons"),
], ids=["unknown-decision", "no-decision", "no-reasons"])
def test_a_decision_must_be_revoke_or_refuse_with_reasons(registry, honour, data, field):
    revocation = at_the_city(registry, honour)
    with pytest.raises(Invalid) as raised:
        registry.decide_revocation(CITY, revocation["id"], data)
    assert set(raised.value.details) == {field}
    assert registry.get_revocation(CITY, revocation["id"])["status"] == "pending"


def test_list_revocations_rejects_an_unknown_status(registry):
    with pytest.raises(Invalid) as raised:
        registry.list_revocations(CITY, {"status": "lost"})
    assert set(raised.value.details) == {"status"}
