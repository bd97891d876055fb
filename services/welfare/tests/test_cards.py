"""Service cards (劳模服务卡) and the catalogue of service items: numbers, one live card per honouree,
the state machine, scope, retries, bad input, the audit trail and the revocation hook."""
from datetime import datetime, timezone

import eventlet
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.testing import check
from services.welfare import cards
from services.welfare.models.cards import CardNumberSequence, ServiceCard
from services.welfare.responses.cards import (
    CardAuditEntryOut,
    ServiceCardOut,
    ServiceCardPageOut,
    ServiceItemOut,
)

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN

ACTIVE = [{"level": "municipal", "status": "active"}]
SEEDED = ["health_check", "legal_aid", "medical_green_channel", "park_pass", "recuperation"]


def honouree(registry, honouree_id, unit="bj-haidian", honours=ACTIVE, **fields):
    registry.add_honouree(honouree_id, unit, name=f"劳模{honouree_id}", honours=list(honours), **fields)
    return honouree_id


def issue(welfare, actor=HAIDIAN, honouree_id="h1", items=("health_check", "park_pass"), **extra):
    return welfare.issue_card(actor, dict({"honouree_id": honouree_id, "items": list(items)}, **extra))


def audit_rows(welfare):
    with welfare.engine.reading() as connection:
        log = welfare.engine.metadata.tables["audit_log"]
        return connection.execute(select(log)).all()


# --- numbers ------------------------------------------------------------------------------------

def test_a_card_number_is_lm_the_year_a_sequence_and_a_luhn_check_digit():
    assert cards.format_number(2026, 1) == "LM20260000011"
    assert cards.is_card_number("LM20260000011")
    assert not cards.is_card_number("LM20260000012")  # the check digit wrong
    assert not cards.is_card_number("LM20270000011")  # a digit of the year wrong
    assert not cards.is_card_number("LM20260000101")  # two neighbours swapped
    assert not cards.is_card_number("XX20260000011")
    assert not cards.is_card_number("LM2026000001")
    assert not cards.is_card_number("LM２０２６0000011")  # full-width digits are not digits here
    for sequence in (1, 2, 99, 123456, 999999):
        assert cards.is_card_number(cards.format_number(2026, sequence))


def test_issued_numbers_follow_the_year_in_order_and_every_one_checks(welfare, registry, clock):
    for n in range(1, 4):
        honouree(registry, f"h{n}")
    numbers = [issue(welfare, honouree_id=f"h{n}")["card"]["card_number"] for n in range(1, 4)]
    assert numbers == [cards.format_number(2026, n) for n in (1, 2, 3)]
    clock.set(datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc))  # 1 January 2027 in Beijing
    honouree(registry, "h4")
    assert issue(welfare, honouree_id="h4")["card"]["card_number"] == cards.format_number(2027, 1)
    assert [(r.year, r.last) for r in welfare.rows(CardNumberSequence)] == [(2026, 3), (2027, 1)]


def test_the_database_refuses_a_card_number_twice(welfare, registry):
    honouree(registry, "h1")
    honouree(registry, "h2")
    first = issue(welfare)["card"]
    with pytest.raises(IntegrityError), welfare.engine.unit_of_work() as uow:
        card = uow.session.get(ServiceCard, first["id"])
        uow.session.add(ServiceCard(
            id="x" * 32, card_number=first["card_number"], honouree_id="h2", live_honouree_id="h2",
            managing_unit_id="bj-haidian", issued_by_unit_id="bj-haidian", status=card.status, version=1,
            issued_by_account="t", issued_at=card.issued_at, updated_at=card.issued_at))
        uow.session.flush()


def test_concurrent_issues_get_distinct_numbers_and_one_card_per_honouree(welfare, registry):
    for n in range(12):
        honouree(registry, f"c{n}")
    pool = eventlet.GreenPool(12)

    def attempt(args):
        honouree_id, request_id = args
        try:
            return issue(welfare, honouree_id=honouree_id, request_id=request_id)
        except Conflict as exc:
            return exc

    # each honouree asked for three times at once: twice as retries of one request, once anew
    asks = [(f"c{n}", f"r{n}") for n in range(12)] * 2 + [(f"c{n}", None) for n in range(12)]
    results = list(pool.imap(attempt, asks))
    made = [r["card"] for r in results if isinstance(r, dict) and r["created"]]
    numbers = [c["card_number"] for c in made]
    assert len(made) == 12 and len(set(numbers)) == 12
    assert sorted(numbers) == [cards.format_number(2026, n) for n in range(1, 13)]
    assert sorted(c["honouree_id"] for c in made) == sorted(f"c{n}" for n in range(12))
    for r in results:
        if isinstance(r, Conflict):  # the one anew, after the first: named the live card
            assert r.details["card_number"] in numbers
    assert welfare.list_cards(CITY, {"page_size": 200})["total"] == 12


# --- the catalogue ------------------------------------------------------------------------------

def test_the_catalogue_is_seeded_and_only_the_city_changes_it(welfare):
    seeded = welfare.list_service_items(BANK)
    assert [i["code"] for i in seeded] == SEEDED
    check(seeded, ServiceItemOut, many=True)
    assert {i["code"]: i["name"] for i in seeded}["park_pass"] == "公园年票"
    made = welfare.create_service_item(CITY, {"code": "bus_pass", "name": " 公交优待 ", "description": "免费乘车"})
    assert made["name"] == "公交优待" and made["active"] is True
    with pytest.raises(Forbidden):
        welfare.create_service_item(HAIDIAN, {"code": "spa", "name": "温泉"})
    with pytest.raises(Forbidden):
        welfare.update_service_item(HAIDIAN, "bus_pass", {"active": False})
    with pytest.raises(Conflict):
        welfare.create_service_item(CITY, {"code": "bus_pass", "name": "again"})
    with pytest.raises(Invalid) as raised:
        welfare.create_service_item(CITY, {"code": "Bus Pass", "name": ""})
    assert set(raised.value.details) == {"code", "name"}
    with pytest.raises(NotFound):
        welfare.update_service_item(CITY, "no_such", {"active": False})
    changed = welfare.update_service_item(CITY, "bus_pass", {"active": False})
    assert changed["active"] is False
    assert [i["code"] for i in welfare.list_service_items(CITY, {"active": False})] == ["bus_pass"]
    assert [(r.entity, r.action) for r in audit_rows(welfare)] == [("service_item", "created"),
                                                                    ("service_item", "changed")]


def test_an_item_no_longer_offered_stays_on_cards_but_goes_on_no_new_one(welfare, registry):
    honouree(registry, "h1")
    honouree(registry, "h2")
    card = issue(welfare, items=["park_pass", "legal_aid"])["card"]
    welfare.update_service_item(CITY, "park_pass", {"active": False})
    with pytest.raises(Invalid) as raised:
        issue(welfare, honouree_id="h2", items=["park_pass"])
    assert raised.value.details == {"items": {"park_pass": ["the service item is no longer offered"]}}
    kept = welfare.change_card_items(HAIDIAN, card["id"], {"items": ["park_pass", "health_check"]})
    assert kept["items"] == ["health_check", "park_pass"]
    dropped = welfare.change_card_items(HAIDIAN, card["id"], {"items": ["health_check"]})
    with pytest.raises(Invalid):  # once dropped, it cannot come back
        welfare.change_card_items(HAIDIAN, card["id"], {"items": ["health_check", "park_pass"]})
    assert welfare.get_card(HAIDIAN, card["id"]) == dropped


# --- issuing ------------------------------------------------------------------------------------

def test_a_card_is_issued_to_an_eligible_honouree_in_scope(welfare, registry):
    honouree(registry, "h1", unit="hd-bank")
    made = issue(welfare, items=["park_pass", "health_check"])
    assert made["created"] is True
    card = check(made["card"], ServiceCardOut)
    assert card["status"] == "active" and card["items"] == ["health_check", "park_pass"]
    assert card["honouree_name"] == "劳模h1" and card["managing_unit_id"] == "hd-bank"
    assert card["issued_by_unit_id"] == "bj-haidian" and card["issued_by_account"] == "haidian.officer"
    assert card["issued_at"] == "2026-01-20T02:00:00+00:00" and card["version"] == 1
    assert welfare.get_card(BANK, card["id"]) == card  # the managing unit sees it too
    assert welfare.find_card(CITY, card["card_number"]) == card
    assert welfare.events("service_card_issued") == [
        {"card_id": card["id"], "card_number": card["card_number"], "honouree_id": "h1", "status": "active",
         "event_id": welfare.events("service_card_issued")[0]["event_id"],
         "occurred_at": "2026-01-20T02:00:00+00:00"}]


def test_a_second_live_card_is_a_conflict_naming_the_first(welfare, registry):
    honouree(registry, "h1")
    first = issue(welfare)["card"]
    for state in ("active", "suspended"):
        with pytest.raises(Conflict) as raised:
            issue(welfare, actor=CITY, items=["legal_aid"])
        assert raised.value.details == {"card_id": first["id"], "card_number": first["card_number"],
                                        "status": state, "honouree_id": "h1"}
        assert first["card_number"] in raised.value.message
        if state == "active":
            welfare.suspend_card(HAIDIAN, first["id"], {"reason": "本人申请暂停"})
    welfare.cancel_card(HAIDIAN, first["id"], {"reason": "卡片遗失"})
    second = issue(welfare)["card"]  # a cancelled card is no longer live: a new card, a new number
    assert second["card_number"] == cards.format_number(2026, 2) and second["id"] != first["id"]


def test_a_retry_with_the_request_id_returns_the_first_card(welfare, registry):
    honouree(registry, "h1")
    honouree(registry, "h2")
    first = issue(welfare, request_id="req-1")
    again = issue(welfare, request_id="req-1")
    assert first["created"] is True and again["created"] is False
    assert again["card"] == first["card"]
    with pytest.raises(Conflict) as raised:
        issue(welfare, honouree_id="h2", request_id="req-1")
    assert raised.value.details["card_id"] == first["card"]["id"]
    assert len(welfare.rows(ServiceCard)) == 1
    assert [r.last for r in welfare.rows(CardNumberSequence)] == [1]  # retries take no number


def test_only_an_eligible_honouree_gets_a_card(welfare, registry):
    honouree(registry, "revoked", honours=[{"level": "municipal", "status": "revoked"}])
    honouree(registry, "gone", employment_status="deceased")
    with pytest.raises(Conflict) as raised:
        issue(welfare, honouree_id="revoked")
    assert raised.value.details == {"honouree_id": "revoked", "missing": "active_honour"}
    with pytest.raises(Conflict) as raised:
        issue(welfare, honouree_id="gone")
    assert raised.value.details == {"honouree_id": "gone", "missing": "alive"}
    assert welfare.rows(ServiceCard) == []


def test_an_honouree_outside_the_scope_is_not_found(welfare, registry):
    honouree(registry, "cy", unit="cy-hotel")
    honouree(registry, "hd", unit="bj-haidian")
    for actor, honouree_id in ((HAIDIAN, "cy"), (BANK, "hd"), (HAIDIAN, "nobody")):
        with pytest.raises(NotFound) as raised:
            issue(welfare, actor=actor, honouree_id=honouree_id)
        assert raised.value.message == f"no honouree {honouree_id!r}"
    assert welfare.rows(ServiceCard) == []


def test_bad_input_changes_nothing(welfare, registry):
    honouree(registry, "h1")
    bad = [{"honouree_id": "h1", "items": []}, {"honouree_id": "h1", "items": ["park_pass", "park_pass"]},
           {"honouree_id": "h1", "items": ["no_such_item"]}, {"honouree_id": "h1"},
           {"honouree_id": "", "items": ["park_pass"]}, {"honouree_id": "h1", "items": ["park_pass"], "x": 1}]
    for data in bad:
        with pytest.raises(Invalid):
            welfare.issue_card(HAIDIAN, data)
    assert welfare.rows(ServiceCard) == [] and welfare.rows(CardNumberSequence) == []
    assert audit_rows(welfare) == [] and welfare.events("service_card_issued") == []
    card = issue(welfare)["card"]
    assert card["card_number"] == cards.format_number(2026, 1)  # no number was used up
    for call, data in ((welfare.suspend_card, {"reason": "  "}), (welfare.cancel_card, {}),
                       (welfare.change_card_items, {"items": ["no_such_item"]}),
                       (welfare.change_card_items, {"items": "park_pass"})):
        with pytest.raises(Invalid):
            call(HAIDIAN, card["id"], data)
    assert welfare.get_card(HAIDIAN, card["id"]) == card
    assert len(audit_rows(welfare)) == 1


# --- the state machine --------------------------------------------------------------------------

def test_suspend_resume_and_cancel_keep_their_reasons(welfare, registry, clock):
    honouree(registry, "h1")
    card = issue(welfare)["card"]
    clock.advance(hours=1)
    suspended = welfare.suspend_card(HAIDIAN, card["id"], {"reason": "本人长期出国"})
    assert suspended["status"] == "suspended" and suspended["suspension_reason"] == "本人长期出国"
    assert suspended["suspended_at"] == "2026-01-20T03:00:00+00:00" and suspended["version"] == 2
    resumed = welfare.resume_card(HAIDIAN, card["id"], {"note": "已回国"})
    assert resumed["status"] == "active" and resumed["suspended_at"] is None
    assert resumed["suspension_reason"] == "本人长期出国"  # the latest suspension's reason is kept
    cancelled = check(welfare.cancel_card(CITY, card["id"], {"reason": "本人申请注销"}), ServiceCardOut)
    assert cancelled["status"] == "cancelled" and cancelled["cancellation_reason"] == "本人申请注销"
    assert cancelled["cancelled_by_account"] == "city.finance" and cancelled["version"] == 4
    trail = check(welfare.card_audit(CITY, card["id"]), CardAuditEntryOut, many=True)
    assert [e["action"] for e in trail] == ["issued", "suspended", "resumed", "cancelled"]
    assert trail[1]["changes"]["status"] == ["active", "suspended"]
    assert trail[2]["changes"]["note"] == [None, "已回国"]
    assert trail[3]["changes"]["cancellation_reason"] == [None, "本人申请注销"]
    assert [len(welfare.events(f"service_card_{e}")) for e in ("suspended", "resumed", "cancelled")] == [1, 1, 1]


def test_moves_out_of_order_are_conflicts_that_say_what_is_allowed(welfare, registry):
    honouree(registry, "h1")
    card = issue(welfare)["card"]
    with pytest.raises(Conflict) as raised:
        welfare.resume_card(HAIDIAN, card["id"], {})
    assert raised.value.details == {"card_id": card["id"], "status": "active", "allowed_from": ["suspended"]}
    welfare.suspend_card(HAIDIAN, card["id"], {"reason": "暂停"})
    with pytest.raises(Conflict) as raised:
        welfare.suspend_card(HAIDIAN, card["id"], {"reason": "再次暂停"})
    assert raised.value.details["allowed_from"] == ["active"]
    welfare.cancel_card(HAIDIAN, card["id"], {"reason": "注销"})
    before = welfare.get_card(HAIDIAN, card["id"])
    for call, data in ((welfare.suspend_card, {"reason": "x"}), (welfare.resume_card, {}),
                       (welfare.cancel_card, {"reason": "x"}), (welfare.change_card_items, {"items": ["legal_aid"]})):
        with pytest.raises(Conflict) as raised:
            call(HAIDIAN, card["id"], data)
        assert raised.value.details["status"] == "cancelled"
        assert "a cancelled card cannot be" in raised.value.message
    assert welfare.get_card(HAIDIAN, card["id"]) == before


def test_a_card_is_not_resumed_for_an_honouree_no_longer_eligible(welfare, registry):
    honouree(registry, "h1")
    card = issue(welfare)["card"]
    welfare.suspend_card(HAIDIAN, card["id"], {"reason": "病故核实中"})
    registry.honourees["h1"]["employment_status"] = "deceased"
    with pytest.raises(Conflict) as raised:
        welfare.resume_card(HAIDIAN, card["id"], {})
    assert raised.value.details["missing"] == "alive"
    assert welfare.get_card(HAIDIAN, card["id"])["status"] == "suspended"
    assert welfare.cancel_card(HAIDIAN, card["id"], {"reason": "本人病故"})["status"] == "cancelled"


def test_a_live_cards_items_change_and_are_audited(welfare, registry):
    honouree(registry, "h1")
    card = issue(welfare)["card"]
    same = welfare.change_card_items(HAIDIAN, card["id"], {"items": ["park_pass", "health_check"]})
    assert same["version"] == 1  # nothing changed, nothing recorded
    changed = welfare.change_card_items(HAIDIAN, card["id"], {"items": ["legal_aid", "medical_green_channel"]})
    assert changed["items"] == ["legal_aid", "medical_green_channel"] and changed["version"] == 2
    welfare.suspend_card(HAIDIAN, card["id"], {"reason": "暂停"})
    assert welfare.change_card_items(HAIDIAN, card["id"], {"items": ["legal_aid"]})["items"] == ["legal_aid"]
    trail = welfare.card_audit(HAIDIAN, card["id"])
    assert [e["action"] for e in trail] == ["issued", "items_changed", "suspended", "items_changed"]
    assert trail[1]["changes"]["items"] == [["health_check", "park_pass"], ["legal_aid", "medical_green_channel"]]


def test_a_card_follows_its_honouree_when_transferred(welfare, registry):
    honouree(registry, "h1", unit="hd-bank")
    card = issue(welfare)["card"]
    registry.honourees["h1"]["managing_unit_id"] = "cy-hotel"  # transferred to 朝阳
    with pytest.raises(NotFound):
        welfare.get_card(HAIDIAN, card["id"])
    assert welfare.get_card(CHAOYANG, card["id"])["managing_unit_id"] == "cy-hotel"
    welfare.suspend_card(CHAOYANG, card["id"], {"reason": "转入朝阳，待核实"})
    trail = welfare.card_audit(CHAOYANG, card["id"])
    assert trail[-1]["changes"]["managing_unit_id"] == ["hd-bank", "cy-hotel"]
    assert welfare.list_cards(HAIDIAN)["total"] == 0 and welfare.list_cards(CHAOYANG)["total"] == 1


# --- scope, lookups, lists ----------------------------------------------------------------------

def test_another_districts_card_is_not_found_as_if_absent(welfare, registry):
    honouree(registry, "cy", unit="cy-hotel")
    card = issue(welfare, actor=CHAOYANG, honouree_id="cy")["card"]
    for call, args in ((welfare.get_card, ()), (welfare.suspend_card, ({"reason": "x"},)),
                       (welfare.resume_card, ({},)), (welfare.cancel_card, ({"reason": "x"},)),
                       (welfare.change_card_items, ({"items": ["legal_aid"]},)), (welfare.card_audit, ())):
        with pytest.raises(NotFound) as hidden:
            call(HAIDIAN, card["id"], *args)
        with pytest.raises(NotFound) as absent:
            call(HAIDIAN, "no-such-card", *args)
        assert hidden.value.message.replace(card["id"], "?") == absent.value.message.replace("no-such-card", "?")
        assert hidden.value.details == {"card_id": card["id"]}
    with pytest.raises(NotFound) as hidden:
        welfare.find_card(HAIDIAN, card["card_number"])
    assert hidden.value.details == {"card_number": card["card_number"]}
    with pytest.raises(NotFound):
        welfare.find_card(HAIDIAN, "LM20269999990")
    assert welfare.list_cards(HAIDIAN)["total"] == 0
    assert welfare.get_card(CHAOYANG, card["id"])["status"] == "active"  # untouched
    assert welfare.list_cards(CITY)["total"] == 1


def test_the_list_filters_by_status_and_unit_and_pages(welfare, registry):
    for n, unit in enumerate(["bj-haidian", "hd-bank", "hd-bank", "hd-school", "cy-hotel"]):
        honouree(registry, f"h{n}", unit=unit)
        issue(welfare, actor=CITY, honouree_id=f"h{n}")
    welfare.suspend_card(CITY, welfare.list_cards(CITY, {"honouree_id": "h1"})["items"][0]["id"], {"reason": "x"})
    everything = check(welfare.list_cards(CITY), ServiceCardPageOut)
    assert everything["total"] == 5
    assert [c["card_number"] for c in everything["items"]] == [cards.format_number(2026, n) for n in range(1, 6)]
    assert welfare.list_cards(HAIDIAN)["total"] == 4
    assert [c["honouree_id"] for c in welfare.list_cards(HAIDIAN, {"unit_id": "hd-bank"})["items"]] == ["h1", "h2"]
    assert [c["honouree_id"] for c in welfare.list_cards(CITY, {"status": "suspended"})["items"]] == ["h1"]
    assert welfare.list_cards(BANK, {"status": "active"})["total"] == 1
    page = welfare.list_cards(HAIDIAN, {"page": 2, "page_size": 3})
    assert [c["honouree_id"] for c in page["items"]] == ["h3"] and page["pages"] == 2
    with pytest.raises(NotFound):
        welfare.list_cards(HAIDIAN, {"unit_id": "bj-chaoyang"})
    with pytest.raises(Invalid):
        welfare.list_cards(HAIDIAN, {"status": "lost"})


# --- revocation ---------------------------------------------------------------------------------

def test_cancel_for_revocation_cancels_the_live_card_once(welfare, registry):
    honouree(registry, "h1")
    card = issue(welfare)["card"]
    welfare.suspend_card(HAIDIAN, card["id"], {"reason": "核查中"})
    with welfare.engine.unit_of_work() as uow:
        cancelled = cards.cancel_for_revocation(uow, "h1", "荣誉称号被撤销")
    assert cancelled["id"] == card["id"] and cancelled["status"] == "cancelled"
    assert cancelled["cancelled_by_account"] == "system" and cancelled["cancellation_reason"] == "荣誉称号被撤销"
    with welfare.engine.unit_of_work() as uow:
        assert cards.cancel_for_revocation(uow, "h1", "again") is None
        assert cards.cancel_for_revocation(uow, "never-had-one", "x") is None
    assert welfare.get_card(HAIDIAN, card["id"])["cancellation_reason"] == "荣誉称号被撤销"
    assert [e["account"] for e in welfare.card_audit(CITY, card["id"])][-1] == "system"
    assert len(welfare.events("service_card_cancelled")) == 1
