"""Sick visits (看望生病劳模): recorded for an eligible honouree in scope, with money given as a direct
disbursement (purpose sick_visit) in the same unit of work, once; notes about health sealed and masked.

The clock stands at 2026-01-20 (Beijing).
"""
import json

import pytest
from sqlalchemy import select

from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.schemas import HIDDEN
from services.chassis.testing import check
from services.welfare.models.hardship import SickVisit
from services.welfare.models.ledger import Posting
from services.welfare.responses import hardship as out
from services.welfare.service import WelfareService

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN
from .money import figures, funded

ACTIVE = [{"level": "municipal", "status": "active"}]
NOTES = "脑梗术后恢复期，左侧肢体乏力"
CLEAR = dict(HAIDIAN, personal_data=True)


@pytest.fixture
def people(registry):
    registry.add_honouree("h-bank", "hd-bank", name="李银行", honours=ACTIVE)
    registry.add_honouree("h-cy", "bj-chaoyang", name="赵朝阳", honours=ACTIVE)
    registry.add_honouree("h-old", "bj-haidian", name="钱已故", honours=ACTIVE, employment_status="deceased")
    return registry


@pytest.fixture
def fund(welfare):
    return funded(welfare, HAIDIAN, amount=100_000, budget=50_000, budgets=("sick_visit",), code="hd-visits")


def visit(welfare, honouree_id="h-bank", by=HAIDIAN, **extra):
    data = {"honouree_id": honouree_id, "visited_on": "2026-01-18", "visitors": ["张主席", "刘干事"],
            "place": "北京天坛医院", "notes": NOTES}
    data.update(extra)
    reply = welfare.record_sick_visit(by, data)
    check(reply["visit"], out.SickVisitOut)
    return reply


def test_a_visit_with_money_pays_once_from_the_fund(welfare, people, fund):
    reply = visit(welfare, amount=20_000, fund_id=fund["id"], request_id="v-1")
    made = reply["visit"]
    assert reply["created"] and made["posting_id"]
    assert (made["amount"], made["fund_id"], made["visitors"], made["place"]) == \
        (20_000, fund["id"], ["张主席", "刘干事"], "北京天坛医院")
    assert (made["managing_unit_id"], made["recorded_by_unit_id"]) == ("hd-bank", "bj-haidian")
    posting = welfare.get_posting(HAIDIAN, made["posting_id"])
    assert (posting["kind"], posting["purpose"], posting["amount"], posting["honouree_id"]) == \
        ("disbursement", "sick_visit", 20_000, "h-bank")
    assert posting["idempotency_key"] == f"sick-visit:{made['id']}:pay"
    balances, budgets = figures(welfare, fund["id"])
    assert balances == {"posted": 80_000, "pending": 0, "available": 80_000}
    assert budgets["sick_visit"]["used"] == 20_000
    again = visit(welfare, amount=20_000, fund_id=fund["id"], request_id="v-1")
    assert not again["created"] and again["visit"]["id"] == made["id"]
    assert len(welfare.rows(SickVisit)) == 1
    assert len(welfare.rows(Posting, Posting.reference == f"sick-visit:{made['id']}")) == 1
    assert figures(welfare, fund["id"])[0]["posted"] == 80_000
    assert [e["visit_id"] for e in welfare.events("sick_visit_recorded")] == [made["id"]]
    with pytest.raises(Conflict):  # the same request_id for someone else
        visit(welfare, "h-old", request_id="v-1")


def test_a_visit_without_money_moves_none(welfare, people, fund):
    made = visit(welfare, notes=None)["visit"]
    assert (made["amount"], made["fund_id"], made["posting_id"], made["notes"]) == (None, None, None, None)
    assert welfare.rows(Posting, Posting.reference == f"sick-visit:{made['id']}") == []
    assert figures(welfare, fund["id"])[0]["posted"] == 100_000


def test_a_refused_payment_records_no_visit(welfare, people, fund):
    no_purpose = funded(welfare, HAIDIAN, amount=100_000, budget=50_000, budgets=("condolence",),
                        purposes=("condolence",), code="hd-condolence")
    with pytest.raises(Conflict) as wrong:
        visit(welfare, amount=10_000, fund_id=no_purpose["id"])
    assert "may not pay for sick_visit" in wrong.value.message
    with pytest.raises(Conflict) as poor:
        visit(welfare, amount=60_000, fund_id=fund["id"])  # over the budget of 50,000
    assert "budget" in poor.value.message
    rich_budget = funded(welfare, HAIDIAN, amount=10_000, budget=90_000, budgets=("sick_visit",), code="hd-thin")
    with pytest.raises(Conflict) as short:
        visit(welfare, amount=20_000, fund_id=rich_budget["id"])
    assert short.value.message == "the fund does not hold enough money for this"
    with pytest.raises(NotFound) as outside:  # 朝阳's fund is not 海淀's to pay from
        chaoyang_fund = funded(welfare, CHAOYANG, amount=10_000, budget=10_000, budgets=("sick_visit",),
                               code="cy-visits")
        visit(welfare, amount=1_000, fund_id=chaoyang_fund["id"])
    assert outside.value.details == {"fund_id": chaoyang_fund["id"]}
    assert welfare.rows(SickVisit) == []
    assert figures(welfare, fund["id"])[0]["posted"] == 100_000


def test_bad_visits_are_refused(welfare, people, fund):
    with pytest.raises(NotFound) as outside:
        visit(welfare, "h-cy")
    assert outside.value.details == {"honouree_id": "h-cy"}
    with pytest.raises(Conflict) as dead:
        visit(welfare, "h-old")
    assert dead.value.message.endswith("the honouree is deceased")
    with pytest.raises(Invalid) as future:
        visit(welfare, visited_on="2026-01-21")
    assert "visited_on" in future.value.details
    with pytest.raises(Invalid) as half:
        visit(welfare, amount=1_000)
    assert half.value.details == {"fund_id": ["give amount and fund_id together"]}
    with pytest.raises(Invalid) as empty:
        visit(welfare, visitors=[], place=" ")
    assert set(empty.value.details) == {"visitors", "place"}
    with pytest.raises(Forbidden):
        visit(welfare, by=dict(HAIDIAN, roles=["reviewer"]))
    assert welfare.rows(SickVisit) == []


def test_notes_are_sealed_and_masked(welfare, people, fund, sealer):
    made = visit(welfare, amount=5_000, fund_id=fund["id"])["visit"]
    assert made["notes"] == HIDDEN
    row = welfare.rows(SickVisit)[0]
    assert NOTES not in row.notes_sealed and sealer.unseal(row.notes_sealed) == NOTES
    assert welfare.get_sick_visit(CLEAR, made["id"])["notes"] == NOTES
    assert welfare.get_sick_visit(HAIDIAN, made["id"])["notes"] == HIDDEN
    assert welfare.list_sick_visits(CLEAR)["items"][0]["notes"] == NOTES
    assert welfare.list_sick_visits(CITY)["items"][0]["notes"] == HIDDEN
    log = welfare.engine.metadata.tables["audit_log"]
    with welfare.engine.reading() as connection:
        trail = connection.execute(select(log.c.changes).where(log.c.entity == "sick_visit")).scalars().all()
        outbox = connection.execute(select(welfare.engine.outbox.c.payload)).scalars().all()
    assert json.loads(trail[0])["notes"] == [None, HIDDEN]
    assert not any("脑梗" in text for text in trail + outbox)
    entrypoint = next(iter(WelfareService.record_sick_visit.nameko_entrypoints))
    assert entrypoint.sensitive_arguments == ("data.notes",)


def test_visits_are_seen_in_scope_only(welfare, people, fund):
    made = visit(welfare)["visit"]
    other = visit(welfare, "h-cy", by=CHAOYANG, visited_on="2025-12-30")["visit"]
    for who, visit_id in ((CHAOYANG, made["id"]), (HAIDIAN, other["id"]), (HAIDIAN, "no-such-visit")):
        with pytest.raises(NotFound) as hidden:
            welfare.get_sick_visit(who, visit_id)
        assert hidden.value.details == {"visit_id": visit_id}
        assert hidden.value.message == f"no sick visit {visit_id!r}"
    assert [v["id"] for v in welfare.list_sick_visits(HAIDIAN)["items"]] == [made["id"]]
    assert [v["id"] for v in welfare.list_sick_visits(BANK)["items"]] == [made["id"]]
    page = check(welfare.list_sick_visits(CITY, {"page_size": 1}), out.SickVisitPageOut)
    assert (page["total"], page["items"][0]["id"]) == (2, made["id"])  # newest visit first
    assert welfare.list_sick_visits(CITY, {"year": 2025})["items"][0]["id"] == other["id"]
    assert welfare.list_sick_visits(CITY, {"honouree_id": "h-bank"})["total"] == 1
    assert welfare.list_sick_visits(HAIDIAN, {"honouree_id": "h-cy"})["total"] == 0
