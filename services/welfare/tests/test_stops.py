"""Care stops: a person's last honour revoked ends their care at once, and only that; idempotently."""
import pytest

from services.chassis.errors import NotFound
from services.welfare.models.hardship import HardshipApplication
from services.welfare.models.ledger import Posting

from .conftest import HAIDIAN
from .money import figures, funded, key

ACTIVE = [{"level": "municipal", "status": "active"}]
FACTS = "家庭月收入 1,800 元"


def revoked(honouree_id, left=0, honour_id="honour-1", event_id=None):
    return {"event_id": event_id or f"e-{honour_id}", "honour_id": honour_id, "honouree_id": honouree_id,
            "honour_type": "beijing_model_worker", "revocation_id": "rev-1", "managing_unit_id": "hd-bank",
            "active_honours_left": left}


def cared_for(welfare, registry):
    """王银行 of 海淀银行: an approved hardship application (a commitment), another commitment made by
    hand, a service card; and a fund that pays them."""
    registry.add_honouree("h1", "hd-bank", name="王银行", honours=ACTIVE, district_id="bj-haidian")
    fund = funded(welfare, HAIDIAN, amount=1_000_000, budget=500_000, budgets=("hardship_aid", "condolence"),
                  code="hd-care")
    application = welfare.apply_hardship_aid(HAIDIAN, {
        "honouree_id": "h1", "kind": "low_income", "amount": 200_000, "reasons": "因病致贫", "facts": FACTS,
        "fund_id": fund["id"]})["application"]
    welfare.review_hardship_application(HAIDIAN, application["id"], {"note": "属实"})
    welfare.approve_hardship_application(HAIDIAN, application["id"], {"note": "同意"})
    by_hand = welfare.post(HAIDIAN, {"idempotency_key": key(), "kind": "commitment", "fund_id": fund["id"],
                                     "amount": 30_000, "purpose": "condolence", "honouree_id": "h1"})
    card = welfare.issue_card(HAIDIAN, {"honouree_id": "h1", "items": ["health_check"]})["card"]
    return fund, application, by_hand, card


def test_the_last_honour_revoked_ends_care_and_releases_the_money(welfare, registry):
    fund, application, by_hand, card = cared_for(welfare, registry)
    assert figures(welfare, fund["id"])[0]["pending"] == 230_000
    stop = welfare.on_honour_revoked(revoked("h1"))
    assert stop["stopped"] is True and stop["managing_unit_id"] == "hd-bank"
    assert stop["ended"]["hardship_applications"] == [application["id"]]
    assert stop["ended"]["commitments"] == [by_hand["id"]]
    assert stop["ended"]["service_card"] == card["id"]
    balances, budgets = figures(welfare, fund["id"])
    assert balances == {"posted": 1_000_000, "pending": 0, "available": 1_000_000}
    assert budgets["hardship_aid"]["used"] == 0 and budgets["condolence"]["used"] == 0
    assert welfare.rows(HardshipApplication)[0].state.value == "cancelled"
    assert welfare.get_card(HAIDIAN, card["id"])["status"] == "cancelled"
    assert welfare.get_care_stop(HAIDIAN, "h1")["honour_id"] == "honour-1"
    events = welfare.events("care_stopped")
    assert len(events) == 1 and events[0]["honouree_id"] == "h1" and FACTS not in str(events)


def test_the_same_news_again_changes_nothing(welfare, registry):
    """A redelivery is dropped by the inbox; the same fact under another event id finds the stop in force."""
    cared_for(welfare, registry)
    first = welfare.on_honour_revoked(revoked("h1"))
    postings = len(welfare.rows(Posting))
    again = welfare.on_honour_revoked(revoked("h1", event_id="e-again"))
    assert again == first and len(welfare.rows(Posting)) == postings
    assert len(welfare.events("care_stopped")) == 1


def test_care_goes_on_while_an_honour_remains(welfare, registry):
    fund, application, by_hand, card = cared_for(welfare, registry)
    assert welfare.on_honour_revoked(revoked("h1", left=1)) == {"honouree_id": "h1", "stopped": False,
                                                                 "active_honours_left": 1}
    assert figures(welfare, fund["id"])[0]["pending"] == 230_000
    assert welfare.get_card(HAIDIAN, card["id"])["status"] == "active"
    assert welfare.list_care_stops(HAIDIAN)["total"] == 0


def test_an_honour_conferred_again_lifts_the_stop(welfare, registry):
    cared_for(welfare, registry)
    welfare.on_honour_revoked(revoked("h1"))
    assert welfare.list_care_stops(HAIDIAN, {"in_force": True})["total"] == 1
    assert welfare.on_honour_conferred({"honouree_id": "h1", "honour_id": "honour-2"})["lifted"] is True
    assert welfare.list_care_stops(HAIDIAN, {"in_force": True})["total"] == 0
    lifted = welfare.get_care_stop(HAIDIAN, "h1")
    assert lifted["lifted_at"] is not None and lifted["stopped_at"] is not None


def test_a_stop_outside_the_scope_is_absent(welfare, registry):
    cared_for(welfare, registry)
    welfare.on_honour_revoked(revoked("h1"))
    chaoyang = {"account": "c", "unit_id": "bj-chaoyang", "roles": ["officer"]}
    assert welfare.list_care_stops(chaoyang)["total"] == 0
    with pytest.raises(NotFound):
        welfare.get_care_stop(chaoyang, "h1")
