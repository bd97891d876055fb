"""Hardship aid (困难帮扶): apply → review → approve (by the tier above over the threshold) → pay, the
ledger's commitment and payment, refusals that change nothing, retries that never pay twice, scope,
masking of the supporting facts, and the revocation cascade's cancellation.

The clock stands at 2026-01-20 (Beijing). The tree: bj ─ bj-haidian ─ hd-bank; bj ─ bj-chaoyang.
"""
import json

import pytest
from sqlalchemy import select

from services.chassis.database import UnitOfWork
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.schemas import HIDDEN
from services.chassis.testing import check
from services.welfare import hardship
from services.welfare.models.hardship import HardshipApplication, HardshipStep
from services.welfare.models.ledger import Posting
from services.welfare.responses import hardship as out
from services.welfare.service import WelfareService

from .conftest import BANK, CHAOYANG, CITY, HAIDIAN
from .money import figures, funded

ACTIVE = [{"level": "municipal", "status": "active"}]
FACTS = "家庭月收入 1,800 元，配偶患尿毒症长期透析"
REASONS = "因病致贫，医疗支出大"
CLEAR = dict(HAIDIAN, personal_data=True)
REVIEWER = dict(HAIDIAN, roles=["reviewer"])
OFFICER = dict(HAIDIAN, roles=["officer"])
FINANCE = dict(HAIDIAN, roles=["finance"])


@pytest.fixture
def people(registry):
    registry.add_honouree("h-bank", "hd-bank", name="李银行", honours=ACTIVE)  # managed below 海淀
    registry.add_honouree("h-hd", "bj-haidian", name="王海淀", honours=ACTIVE)  # managed by 海淀 itself
    registry.add_honouree("h-cy", "bj-chaoyang", name="赵朝阳", honours=ACTIVE)
    registry.add_honouree("h-old", "bj-haidian", name="钱已故", honours=ACTIVE, employment_status="deceased")
    registry.add_honouree("h-none", "bj-haidian", name="孙撤销", honours=[{"level": "municipal",
                                                                         "status": "revoked"}])
    return registry


@pytest.fixture
def fund(welfare):
    """海淀's fund: 1,000,000 fen, a 2026 hardship_aid budget of 800,000 fen."""
    return funded(welfare, HAIDIAN, amount=1_000_000, budget=800_000, budgets=("hardship_aid",), code="hd-hardship")


def body(honouree_id, fund_id, amount=300_000, **extra):
    return dict({"honouree_id": honouree_id, "kind": "low_income", "amount": amount, "reasons": REASONS,
                 "facts": FACTS, "fund_id": fund_id}, **extra)


def apply(welfare, honouree_id, fund_id, by=HAIDIAN, **extra):
    reply = welfare.apply_hardship_aid(by, body(honouree_id, fund_id, **extra))
    check(reply["application"], out.HardshipApplicationOut)
    return reply["application"]


def reviewed(welfare, honouree_id, fund_id, by=HAIDIAN, **extra):
    made = apply(welfare, honouree_id, fund_id, by, **extra)
    return welfare.review_hardship_application(by, made["id"], {"note": "情况属实"})


def postings_of(welfare, application_id):
    return welfare.rows(Posting, Posting.reference == f"hardship:{application_id}")


def state_of(welfare, application_id):
    return welfare.rows(HardshipApplication, HardshipApplication.id == application_id)[0].state.value


def audit_rows(welfare):
    log = welfare.engine.metadata.tables["audit_log"]
    with welfare.engine.reading() as connection:
        return connection.execute(select(log).order_by(log.c.id)).all()


# --- the whole path ------------------------------------------------------------------------------

def test_apply_review_approve_pay_commits_then_pays_once(welfare, people, fund):
    made = apply(welfare, "h-bank", fund["id"])
    assert (made["state"], made["amount"], made["kind"]) == ("submitted", 300_000, "low_income")
    assert (made["managing_unit_id"], made["approving_unit_id"], made["applicant_unit_id"]) == \
        ("hd-bank", "hd-bank", "bj-haidian")
    assert made["year"] == 2026 and made["commitment_id"] is None
    step = welfare.review_hardship_application(REVIEWER, made["id"], {"note": "情况属实"})
    assert step["state"] == "reviewed"

    approved = check(welfare.approve_hardship_application(REVIEWER, made["id"], {"note": "同意"}),
                     out.HardshipApplicationOut)
    assert approved["state"] == "approved" and approved["commitment_id"]
    balances, budgets = figures(welfare, fund["id"])
    assert balances == {"posted": 1_000_000, "pending": 300_000, "available": 700_000}
    assert budgets["hardship_aid"]["used"] == 300_000
    commitment = welfare.get_posting(HAIDIAN, approved["commitment_id"])
    assert (commitment["kind"], commitment["purpose"], commitment["commitment_status"]) == \
        ("commitment", "hardship_aid", "open")
    assert commitment["idempotency_key"] == f"hardship:{made['id']}:commit"
    assert commitment["honouree_id"] == "h-bank"

    paid = check(welfare.pay_hardship_application(FINANCE, made["id"], {"note": "已转账"}), out.HardshipApplicationOut)
    assert paid["state"] == "paid" and paid["payment_id"]
    balances, budgets = figures(welfare, fund["id"])
    assert balances == {"posted": 700_000, "pending": 0, "available": 700_000}
    assert budgets["hardship_aid"]["used"] == 300_000
    assert welfare.get_posting(HAIDIAN, approved["commitment_id"])["commitment_status"] == "paid"
    payment = welfare.get_posting(HAIDIAN, paid["payment_id"])
    assert (payment["kind"], payment["commitment_id"], payment["amount"]) == \
        ("disbursement", approved["commitment_id"], 300_000)

    detail = check(welfare.get_hardship_application(HAIDIAN, made["id"]), out.HardshipApplicationOut)
    assert [(s["action"], s["account"], s["unit_id"], s["note"]) for s in detail["steps"]] == [
        ("submitted", "haidian.officer", "bj-haidian", None), ("reviewed", "haidian.officer", "bj-haidian", "情况属实"),
        ("approved", "haidian.officer", "bj-haidian", "同意"), ("paid", "haidian.officer", "bj-haidian", "已转账")]
    assert all(s["at"] == "2026-01-20T02:00:00+00:00" for s in detail["steps"])
    assert [e["application_id"] for e in welfare.events("hardship_aid_paid")] == [made["id"]]
    assert [e["amount"] for e in welfare.events("hardship_aid_approved")] == [300_000]
    trail = welfare.hardship_application_audit(HAIDIAN, made["id"])
    for entry in trail:
        check(entry, out.HardshipAuditEntryOut)
    assert [e["action"] for e in trail] == ["submitted", "reviewed", "approved", "paid"]
    assert trail[-1]["changes"]["state"] == ["approved", "paid"]


def test_retries_never_commit_or_pay_twice(welfare, people, fund):
    first = welfare.apply_hardship_aid(HAIDIAN, body("h-bank", fund["id"], request_id="req-1"))
    again = welfare.apply_hardship_aid(HAIDIAN, body("h-bank", fund["id"], request_id="req-1"))
    assert first["created"] and not again["created"]
    assert again["application"]["id"] == first["application"]["id"]
    assert len(welfare.rows(HardshipApplication)) == 1
    application_id = first["application"]["id"]
    welfare.review_hardship_application(HAIDIAN, application_id)
    assert welfare.review_hardship_application(HAIDIAN, application_id)["state"] == "reviewed"
    one = welfare.approve_hardship_application(HAIDIAN, application_id)
    two = welfare.approve_hardship_application(HAIDIAN, application_id)
    assert one["commitment_id"] == two["commitment_id"]
    paid = welfare.pay_hardship_application(HAIDIAN, application_id)
    repaid = welfare.pay_hardship_application(HAIDIAN, application_id)
    assert paid["payment_id"] == repaid["payment_id"] and repaid["state"] == "paid"
    kinds = sorted(p.kind.value for p in postings_of(welfare, application_id))
    assert kinds == ["commitment", "disbursement"]
    assert figures(welfare, fund["id"])[0] == {"posted": 700_000, "pending": 0, "available": 700_000}
    assert [s["action"] for s in welfare.get_hardship_application(HAIDIAN, application_id)["steps"]] == [
        "submitted", "reviewed", "approved", "paid"]
    assert len(welfare.events("hardship_aid_paid")) == 1
    # the same request_id for another honouree is a conflict, not a second application
    with pytest.raises(Conflict) as raised:
        welfare.apply_hardship_aid(HAIDIAN, body("h-hd", fund["id"], request_id="req-1"))
    assert raised.value.details["application_id"] == application_id


# --- the approval threshold ----------------------------------------------------------------------

def test_above_the_threshold_the_tier_above_approves(welfare, people, fund):
    application = reviewed(welfare, "h-hd", fund["id"], amount=500_001)  # managed by 海淀: the city approves
    assert application["approving_unit_id"] == "bj"
    with pytest.raises(Forbidden) as refused:
        welfare.approve_hardship_application(HAIDIAN, application["id"], {"note": "同意"})
    assert "only bj or a unit above it may approve" in refused.value.message
    assert "above the approval threshold" in refused.value.message
    assert refused.value.details == {"approving_unit_id": "bj", "amount": 500_001, "managing_unit_id": "bj-haidian"}
    with pytest.raises(Forbidden):  # nor refuse it at the approval stage
        welfare.refuse_hardship_application(HAIDIAN, application["id"], {"reasons": "不同意"})
    assert state_of(welfare, application["id"]) == "reviewed"
    assert postings_of(welfare, application["id"]) == []
    approved = welfare.approve_hardship_application(CITY, application["id"], {"note": "市总同意"})
    assert approved["state"] == "approved"
    assert approved["steps"][-1]["unit_id"] == "bj"
    assert figures(welfare, fund["id"])[0]["pending"] == 500_001
    paid = welfare.pay_hardship_application(FINANCE, application["id"])
    assert paid["state"] == "paid"


def test_at_the_threshold_the_reviewing_tier_approves(welfare, people, fund):
    application = reviewed(welfare, "h-hd", fund["id"], amount=500_000)
    assert application["approving_unit_id"] == "bj-haidian"
    assert welfare.approve_hardship_application(HAIDIAN, application["id"])["state"] == "approved"


def test_above_the_threshold_below_a_district_the_district_approves(welfare, people, fund):
    application = reviewed(welfare, "h-bank", fund["id"], amount=600_000)
    assert application["approving_unit_id"] == "bj-haidian"  # hd-bank's parent
    assert welfare.approve_hardship_application(HAIDIAN, application["id"])["state"] == "approved"


def test_the_threshold_comes_from_config(welfare, people, fund):
    welfare.config["HARDSHIP_APPROVAL_THRESHOLD"] = 100_000
    application = reviewed(welfare, "h-hd", fund["id"], amount=100_001)
    assert application["approving_unit_id"] == "bj"
    with pytest.raises(Forbidden):
        welfare.approve_hardship_application(HAIDIAN, application["id"])
    assert reviewed(welfare, "h-hd", fund["id"], amount=100_000)["approving_unit_id"] == "bj-haidian"
    assert hardship.threshold_of({}) == hardship.DEFAULT_THRESHOLD == 500_000


# --- refusals that change nothing -------------------------------------------------------------------

def test_steps_out_of_order_are_refused_naming_the_missing_step(welfare, people, fund):
    made = apply(welfare, "h-bank", fund["id"])
    with pytest.raises(Conflict) as early:
        welfare.pay_hardship_application(HAIDIAN, made["id"])
    assert early.value.details["missing_step"] == "reviewed"
    with pytest.raises(Conflict) as unreviewed:
        welfare.approve_hardship_application(HAIDIAN, made["id"])
    assert unreviewed.value.details == {"state": "submitted", "missing_step": "reviewed", "application_id": made["id"]}
    welfare.review_hardship_application(HAIDIAN, made["id"])
    with pytest.raises(Conflict) as unapproved:
        welfare.pay_hardship_application(HAIDIAN, made["id"])
    assert "must be approved first" in unapproved.value.message
    assert unapproved.value.details["missing_step"] == "approved"
    assert state_of(welfare, made["id"]) == "reviewed" and postings_of(welfare, made["id"]) == []
    assert len(welfare.rows(HardshipStep)) == 2


def test_a_fund_that_does_not_allow_hardship_aid_is_refused_at_approval(welfare, people):
    condolence_only = funded(welfare, HAIDIAN, amount=1_000_000, budget=500_000, budgets=("condolence",),
                             purposes=("condolence",), code="hd-condolence")
    application = reviewed(welfare, "h-bank", condolence_only["id"])
    with pytest.raises(Conflict) as refused:
        welfare.approve_hardship_application(HAIDIAN, application["id"])
    assert "may not pay for hardship_aid" in refused.value.message
    assert state_of(welfare, application["id"]) == "reviewed"
    assert postings_of(welfare, application["id"]) == []
    assert figures(welfare, condolence_only["id"])[0]["pending"] == 0
    # the approver may name another fund that does allow it
    other = funded(welfare, HAIDIAN, amount=400_000, budget=400_000, budgets=("hardship_aid",), code="hd-other")
    approved = welfare.approve_hardship_application(HAIDIAN, application["id"], {"fund_id": other["id"]})
    assert approved["fund_id"] == other["id"] and figures(welfare, other["id"])[0]["pending"] == 300_000


def test_not_enough_money_is_refused_at_approval(welfare, people):
    poor = funded(welfare, HAIDIAN, amount=100_000, budget=800_000, budgets=("hardship_aid",), code="hd-poor")
    application = reviewed(welfare, "h-bank", poor["id"])
    with pytest.raises(Conflict) as refused:
        welfare.approve_hardship_application(HAIDIAN, application["id"])
    assert refused.value.message == "the fund does not hold enough money for this"
    assert refused.value.details["available"] == 100_000
    assert state_of(welfare, application["id"]) == "reviewed" and postings_of(welfare, application["id"]) == []
    assert figures(welfare, poor["id"])[1]["hardship_aid"]["used"] == 0


def test_over_the_budget_is_refused_at_approval(welfare, people):
    tight = funded(welfare, HAIDIAN, amount=1_000_000, budget=200_000, budgets=("hardship_aid",), code="hd-tight")
    application = reviewed(welfare, "h-bank", tight["id"])
    with pytest.raises(Conflict) as refused:
        welfare.approve_hardship_application(HAIDIAN, application["id"])
    assert "exceed the fund's 2026 budget for hardship_aid" in refused.value.message
    assert state_of(welfare, application["id"]) == "reviewed"


def test_applications_refused_at_the_door(welfare, people, fund):
    with pytest.raises(NotFound) as outside:
        welfare.apply_hardship_aid(HAIDIAN, body("h-cy", fund["id"]))
    assert outside.value.details == {"honouree_id": "h-cy"}
    with pytest.raises(Conflict) as dead:
        welfare.apply_hardship_aid(HAIDIAN, body("h-old", fund["id"]))
    assert dead.value.message.endswith("the honouree is deceased")
    with pytest.raises(Conflict) as revoked:
        welfare.apply_hardship_aid(HAIDIAN, body("h-none", fund["id"]))
    assert revoked.value.message.endswith("the honouree holds no active honour")
    with pytest.raises(Invalid) as no_fund:
        welfare.apply_hardship_aid(HAIDIAN, body("h-bank", "no-such-fund"))
    assert no_fund.value.details == {"fund_id": ["no fund 'no-such-fund'"]}
    with pytest.raises(Invalid) as bad:
        welfare.apply_hardship_aid(HAIDIAN, body("h-bank", fund["id"], amount=0, kind="rich", facts="  "))
    assert set(bad.value.details) == {"amount", "kind", "facts"}
    with pytest.raises(Invalid):
        welfare.apply_hardship_aid(HAIDIAN, body("h-bank", fund["id"], amount=1.5))
    with pytest.raises(Forbidden):
        welfare.apply_hardship_aid(REVIEWER, body("h-bank", fund["id"]))
    assert welfare.rows(HardshipApplication) == [] and audit_rows(welfare)[-1].entity == "fund"


def test_roles_are_checked_by_the_service_too(welfare, people, fund):
    made = apply(welfare, "h-bank", fund["id"])
    with pytest.raises(Forbidden):
        welfare.review_hardship_application(OFFICER, made["id"])
    welfare.review_hardship_application(REVIEWER, made["id"])
    with pytest.raises(Forbidden):
        welfare.approve_hardship_application(FINANCE, made["id"])
    welfare.approve_hardship_application(REVIEWER, made["id"])
    with pytest.raises(Forbidden):
        welfare.pay_hardship_application(REVIEWER, made["id"])
    assert state_of(welfare, made["id"]) == "approved"


def test_payment_needs_the_fund_in_the_payers_scope(welfare, people, fund, registry):
    application = reviewed(welfare, "h-bank", fund["id"], amount=200_000)
    welfare.approve_hardship_application(HAIDIAN, application["id"])
    bank_finance = dict(BANK, roles=["finance"])
    with pytest.raises(NotFound) as hidden:  # hd-bank does not hold 海淀's fund
        welfare.pay_hardship_application(bank_finance, application["id"])
    assert hidden.value.details == {"fund_id": fund["id"]}
    assert state_of(welfare, application["id"]) == "approved"


def test_no_longer_eligible_cannot_be_approved_or_paid(welfare, people, fund, registry):
    application = reviewed(welfare, "h-bank", fund["id"])
    registry.honourees["h-bank"]["employment_status"] = "deceased"
    with pytest.raises(Conflict) as refused:
        welfare.approve_hardship_application(HAIDIAN, application["id"])
    assert "no longer eligible" in refused.value.message
    assert postings_of(welfare, application["id"]) == []
    registry.honourees["h-bank"]["employment_status"] = "retired"
    welfare.approve_hardship_application(HAIDIAN, application["id"])
    registry.honourees["h-bank"]["honours"] = [{"level": "municipal", "status": "revoked"}]
    with pytest.raises(Conflict):
        welfare.pay_hardship_application(HAIDIAN, application["id"])
    assert state_of(welfare, application["id"]) == "approved"
    assert figures(welfare, fund["id"])[0]["posted"] == 1_000_000


# --- refusal and cancellation --------------------------------------------------------------------

def test_a_refusal_keeps_its_reasons_and_is_final(welfare, people, fund):
    made = apply(welfare, "h-bank", fund["id"])
    refused = check(welfare.refuse_hardship_application(REVIEWER, made["id"], {"reasons": "收入超过标准"}),
                    out.HardshipApplicationOut)
    assert (refused["state"], refused["refusal_reasons"]) == ("refused", "收入超过标准")
    assert refused["steps"][-1]["action"] == "refused" and refused["steps"][-1]["note"] == "收入超过标准"
    for step in (welfare.review_hardship_application, welfare.approve_hardship_application,
                 welfare.pay_hardship_application):
        with pytest.raises(Conflict) as late:
            step(HAIDIAN, made["id"])
        assert late.value.details["state"] == "refused"
    with pytest.raises(Conflict):
        welfare.cancel_hardship_application(HAIDIAN, made["id"], {"reason": "撤回"})
    with pytest.raises(Invalid):
        welfare.refuse_hardship_application(HAIDIAN, made["id"], {"reasons": " "})
    # asked again, the refusal stands as it was
    assert welfare.refuse_hardship_application(HAIDIAN, made["id"], {"reasons": "别的理由"})["refusal_reasons"] == \
        "收入超过标准"


def test_a_refusal_after_approval_voids_the_commitment(welfare, people, fund):
    application = reviewed(welfare, "h-bank", fund["id"])
    approved = welfare.approve_hardship_application(HAIDIAN, application["id"])
    refused = welfare.refuse_hardship_application(HAIDIAN, application["id"], {"reasons": "复核发现不符合条件"})
    assert refused["state"] == "refused" and refused["void_id"]
    assert welfare.get_posting(HAIDIAN, approved["commitment_id"])["commitment_status"] == "void"
    balances, budgets = figures(welfare, fund["id"])
    assert balances == {"posted": 1_000_000, "pending": 0, "available": 1_000_000}
    assert budgets["hardship_aid"]["used"] == 0
    with pytest.raises(Conflict):
        welfare.pay_hardship_application(HAIDIAN, application["id"])


def test_the_applicant_unit_cancels_while_not_paid(welfare, people, fund):
    bank = apply(welfare, "h-bank", fund["id"], by=BANK)  # hd-bank's officer applies
    welfare.review_hardship_application(HAIDIAN, bank["id"])
    welfare.approve_hardship_application(HAIDIAN, bank["id"])
    with pytest.raises(Forbidden) as not_yours:
        welfare.cancel_hardship_application(HAIDIAN, bank["id"], {"reason": "撤回"})
    assert not_yours.value.details == {"applicant_unit_id": "hd-bank"}
    assert state_of(welfare, bank["id"]) == "approved"
    # hd-bank holds no fund: the commitment is released all the same
    cancelled = welfare.cancel_hardship_application(BANK, bank["id"], {"reason": "本人已获其他救助"})
    assert (cancelled["state"], cancelled["cancellation_reason"]) == ("cancelled", "本人已获其他救助")
    assert figures(welfare, fund["id"])[0]["pending"] == 0
    assert [e["application_id"] for e in welfare.events("hardship_application_cancelled")] == [bank["id"]]
    paid = reviewed(welfare, "h-bank", fund["id"])
    welfare.approve_hardship_application(HAIDIAN, paid["id"])
    welfare.pay_hardship_application(HAIDIAN, paid["id"])
    with pytest.raises(Conflict) as too_late:
        welfare.cancel_hardship_application(HAIDIAN, paid["id"], {"reason": "撤回"})
    assert too_late.value.details["state"] == "paid"


# --- the revocation cascade -----------------------------------------------------------------------

def cancel_for_revocation(welfare, honouree_id):
    uow = UnitOfWork(welfare.engine)
    try:
        done = hardship.cancel_for_revocation(uow, honouree_id, "荣誉称号已撤销")
    except BaseException:
        uow.rollback()
        raise
    uow.commit()
    return done


def test_revocation_cancels_what_is_not_paid_and_voids_its_commitments(welfare, people, fund):
    submitted = apply(welfare, "h-bank", fund["id"], amount=100_000)
    approved = reviewed(welfare, "h-bank", fund["id"], amount=200_000)
    welfare.approve_hardship_application(HAIDIAN, approved["id"])
    paid = reviewed(welfare, "h-bank", fund["id"], amount=50_000)
    welfare.approve_hardship_application(HAIDIAN, paid["id"])
    welfare.pay_hardship_application(HAIDIAN, paid["id"])
    refused = apply(welfare, "h-bank", fund["id"], amount=10_000)
    welfare.refuse_hardship_application(HAIDIAN, refused["id"], {"reasons": "不符合"})
    other = apply(welfare, "h-hd", fund["id"], amount=10_000)

    done = cancel_for_revocation(welfare, "h-bank")
    assert sorted(d["application_id"] for d in done) == sorted([submitted["id"], approved["id"]])
    by_id = {d["application_id"]: d for d in done}
    assert by_id[submitted["id"]]["state"] == "submitted" and by_id[submitted["id"]]["void_id"] is None
    assert by_id[approved["id"]]["state"] == "approved" and by_id[approved["id"]]["void_id"]
    assert figures(welfare, fund["id"])[0] == {"posted": 950_000, "pending": 0, "available": 950_000}
    states = {a: state_of(welfare, a) for a in (submitted["id"], approved["id"], paid["id"], refused["id"],
                                               other["id"])}
    assert states == {submitted["id"]: "cancelled", approved["id"]: "cancelled", paid["id"]: "paid",
                      refused["id"]: "refused", other["id"]: "submitted"}
    detail = welfare.get_hardship_application(HAIDIAN, approved["id"])
    assert (detail["steps"][-1]["account"], detail["steps"][-1]["unit_id"]) == ("system", "system")
    assert detail["cancellation_reason"] == "荣誉称号已撤销"
    void = welfare.get_posting(HAIDIAN, detail["void_id"])
    assert (void["kind"], void["account"]) == ("void", "system")
    assert cancel_for_revocation(welfare, "h-bank") == []  # idempotent
    assert len(postings_of(welfare, approved["id"])) == 2


# --- scope and masking -----------------------------------------------------------------------------

def test_another_scope_sees_nothing(welfare, people, fund):
    made = apply(welfare, "h-bank", fund["id"])
    for call, args in ((welfare.get_hardship_application, ()), (welfare.hardship_application_audit, ()),
                       (welfare.review_hardship_application, ()), (welfare.approve_hardship_application, ()),
                       (welfare.pay_hardship_application, ()),
                       (welfare.refuse_hardship_application, ({"reasons": "越权"},)),
                       (welfare.cancel_hardship_application, ({"reason": "越权"},))):
        with pytest.raises(NotFound) as hidden:
            call(CHAOYANG, made["id"], *args)
        assert hidden.value.details == {"application_id": made["id"]}
        assert hidden.value.message == f"no hardship application {made['id']!r}"
    assert welfare.list_hardship_applications(CHAOYANG)["total"] == 0
    assert state_of(welfare, made["id"]) == "submitted"
    with pytest.raises(NotFound) as absent:
        welfare.get_hardship_application(HAIDIAN, "no-such-application")
    assert absent.value.message == "no hardship application 'no-such-application'"
    assert welfare.get_hardship_application(CITY, made["id"])["id"] == made["id"]  # the city sees below
    bank = apply(welfare, "h-bank", fund["id"], by=BANK)
    hd = apply(welfare, "h-hd", fund["id"])
    with pytest.raises(NotFound):  # hd-bank does not see 海淀's own honouree's application
        welfare.get_hardship_application(BANK, hd["id"])
    assert {a["id"] for a in welfare.list_hardship_applications(BANK)["items"]} == {made["id"], bank["id"]}


def test_the_list_filters_and_pages(welfare, people, fund):
    first = apply(welfare, "h-bank", fund["id"], kind="sudden_hardship")
    second = apply(welfare, "h-hd", fund["id"])
    welfare.review_hardship_application(HAIDIAN, second["id"])
    page = check(welfare.list_hardship_applications(HAIDIAN, {"page_size": 1}), out.HardshipApplicationPageOut)
    assert (page["total"], page["pages"], len(page["items"])) == (2, 2, 1)
    assert welfare.list_hardship_applications(HAIDIAN, {"state": "reviewed"})["items"][0]["id"] == second["id"]
    assert [a["id"] for a in welfare.list_hardship_applications(HAIDIAN, {"kind": "sudden_hardship"})["items"]] == \
        [first["id"]]
    assert welfare.list_hardship_applications(HAIDIAN, {"honouree_id": "h-hd"})["total"] == 1
    assert welfare.list_hardship_applications(HAIDIAN, {"year": 2026})["total"] == 2
    assert welfare.list_hardship_applications(HAIDIAN, {"year": 2025})["total"] == 0
    with pytest.raises(Invalid):
        welfare.list_hardship_applications(HAIDIAN, {"state": "lost"})


def test_the_facts_are_sealed_and_masked(welfare, people, fund, sealer):
    made = apply(welfare, "h-bank", fund["id"])
    assert made["facts"] == HIDDEN and made["reasons"] == REASONS
    row = welfare.rows(HardshipApplication)[0]
    assert FACTS not in row.facts_sealed and sealer.unseal(row.facts_sealed) == FACTS
    assert welfare.get_hardship_application(CLEAR, made["id"])["facts"] == FACTS
    assert welfare.get_hardship_application(HAIDIAN, made["id"])["facts"] == HIDDEN
    assert welfare.list_hardship_applications(CLEAR)["items"][0]["facts"] == FACTS
    assert welfare.list_hardship_applications(CITY)["items"][0]["facts"] == HIDDEN
    welfare.review_hardship_application(HAIDIAN, made["id"])
    welfare.approve_hardship_application(HAIDIAN, made["id"])
    welfare.pay_hardship_application(HAIDIAN, made["id"])
    trail = welfare.hardship_application_audit(CLEAR, made["id"])
    assert trail[0]["changes"]["facts"] == [None, HIDDEN]
    everything = json.dumps([list(r) for r in audit_rows(welfare)], ensure_ascii=False, default=str)
    assert "1,800" not in everything and "尿毒症" not in everything
    outbox = welfare.engine.outbox
    with welfare.engine.reading() as connection:
        payloads = [r.payload for r in connection.execute(select(outbox.c.payload))]
    assert payloads and not any("尿毒症" in p or REASONS in p for p in payloads)


def test_the_facts_are_a_sensitive_argument():
    entrypoint = next(iter(WelfareService.apply_hardship_aid.nameko_entrypoints))
    assert entrypoint.sensitive_arguments == ("data.facts",)
