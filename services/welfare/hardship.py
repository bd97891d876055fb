"""Hardship aid (困难帮扶): application → review → approval → payment.

- An officer applies for an eligible honouree (an active honour, alive: the registry's roster)
  of its scope: the kind (low income 低收入, special hardship 特殊困难, sudden hardship 突发困难),
  the amount in fen, the reasons, the supporting facts (personal data: sealed; shown only with
  the personal-data right, else "***"; masked in the audit trail; never in an event or a log),
  and the fund to pay from. A retry with the same ``request_id`` returns the first application.
- The application belongs to the honouree's managing unit as it was when it was made: that unit
  and every unit above it see it (others get 404, as if it did not exist).
- States (one step at a time; a step asked again of an application already past it in that
  direction returns it unchanged, so a retried request never acts twice)::

      submitted ─review─▶ reviewed ─approve─▶ approved ─pay─▶ paid
          │                  │                   │
          └──── refuse ──────┴───── refuse ──────┘ ─▶ refused (final, reasons kept)
      submitted | reviewed | approved ─cancel─▶ cancelled (final)

- Review: a reviewer of the managing unit or a unit above it.
- Approval: at or below the threshold (``HARDSHIP_APPROVAL_THRESHOLD`` fen, 5,000 yuan unless
  configured) the reviewing tier (the managing unit or above) approves; above it, the next tier
  above the managing unit (its parent in the union tree) or a unit above that. Which unit that is
  is fixed when the application is made (``approving_unit_id``); anyone else gets 403 naming it.
  A refusal after review is the approving tier's too.
- Approval commits the amount from the fund (purpose hardship_aid: the ledger refuses a fund
  that does not allow it, a budget exceeded, not enough money) in the same unit of work; payment
  (finance) posts that commitment; a refusal or a cancellation after approval voids it. The keys
  are the application's (``hardship:<id>:commit|pay|void``): no money moves twice.
- Cancellation: by the applicant unit while not paid; and by laomo itself when the honouree's
  last honour is revoked (:func:`cancel_for_revocation`).
"""
from sqlalchemy import func, select

from services.chassis.actor import SYSTEM
from services.chassis.audit import record_change, trail_of
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.schemas import HIDDEN

from . import ledger
from .models.hardship import (
    OPEN_STATES,
    HardshipApplication,
    HardshipKind,
    HardshipState,
    HardshipStep,
)
from .models.ledger import Fund
from .vocabulary import PostingKind, Purpose

ENTITY = "hardship_application"
DEFAULT_THRESHOLD = 500_000  # fen: 5,000 yuan; config HARDSHIP_APPROVAL_THRESHOLD overrides it
MASKED = {"facts": lambda value: HIDDEN}  # the trail says the facts were given, never what they are
# the state a step needs, and the state it leaves
STEPS = {
    "review": ((HardshipState.SUBMITTED,), HardshipState.REVIEWED),
    "approve": ((HardshipState.REVIEWED,), HardshipState.APPROVED),
    "pay": ((HardshipState.APPROVED,), HardshipState.PAID),
    "refuse": (OPEN_STATES, HardshipState.REFUSED),
    "cancel": (OPEN_STATES, HardshipState.CANCELLED),
}
# how far along each state is, to tell a retried step (already past it) from one out of order
ORDER = {HardshipState.SUBMITTED: 0, HardshipState.REVIEWED: 1, HardshipState.APPROVED: 2, HardshipState.PAID: 3}
# the step each state waits for next
NEXT_STEP = {HardshipState.SUBMITTED: "reviewed", HardshipState.REVIEWED: "approved",
             HardshipState.APPROVED: "paid"}


def threshold_of(config):
    """The approval threshold in fen from the service's config (a whole number >= 0)."""
    value = (config or {}).get("HARDSHIP_APPROVAL_THRESHOLD", DEFAULT_THRESHOLD)
    if value in (None, ""):
        return DEFAULT_THRESHOLD
    return int(value)


def approving_unit(amount, threshold, managing_unit):
    """The unit that (or a unit above which) approves: the managing unit up to the threshold, its
    parent above it (the top of the tree approves its own)."""
    if amount <= threshold:
        return managing_unit["id"]
    return managing_unit.get("parent_id") or managing_unit["id"]


def no_such(application_id):
    return NotFound(f"no hardship application {application_id!r}", {"application_id": application_id})


def get(session, application_id, scope, lock=False):
    """The application if its managing unit is in ``scope``; NotFound (as if absent) otherwise."""
    found = None
    if isinstance(application_id, str) and len(application_id) <= 32:
        found = session.get(HardshipApplication, application_id, with_for_update=lock or None,
                            populate_existing=lock)
    if found is None or (scope is not None and found.managing_unit_id not in scope):
        raise no_such(application_id)
    return found


def must_hold(actor, role, what):
    if not actor.has_role(role):
        raise Forbidden(f"only a {role} may {what}", {"required_roles": [role], "your_roles": list(actor.roles)})


def must_be_eligible(row, what):
    if row["eligible"]:
        return
    why = "the honouree is deceased" if row["employment_status"] == "deceased" else \
        "the honouree holds no active honour"
    raise Conflict(f"{what}: {why}", {"honouree_id": row["honouree_id"], "missing": "eligible"})


# --- the application ---------------------------------------------------------------------------

def apply(uow, sealer, actor, data, row, approving_unit_id):
    """A new application (submitted) for the honouree of ``row`` (the roster's row in the actor's
    scope); returns (application, created). The same ``request_id`` returns the first one."""
    session, clock = uow.session, uow.database.clock
    must_hold(actor, "officer", "apply for hardship aid")
    if data.get("request_id"):
        earlier = earlier_request(session, HardshipApplication, data["request_id"])
        if earlier is not None:
            if earlier.honouree_id != data["honouree_id"]:
                raise Conflict("this request_id was used for another honouree's application",
                               {"request_id": data["request_id"], "application_id": earlier.id})
            return earlier, False
    must_be_eligible(row, "no hardship aid can be applied for")
    if session.get(Fund, data["fund_id"]) is None:
        raise Invalid("unknown fund", {"fund_id": [f"no fund {data['fund_id']!r}"]})
    now = clock.now()
    application = HardshipApplication(
        id=new_id(), request_id=data.get("request_id"), honouree_id=row["honouree_id"],
        managing_unit_id=row["managing_unit_id"], approving_unit_id=approving_unit_id,
        applicant_unit_id=actor.unit_id, applicant_account=actor.account, kind=HardshipKind(data["kind"]),
        amount=data["amount"], reasons=data["reasons"], facts_sealed=sealer.seal(data["facts"]),
        fund_id=data["fund_id"], year=clock.today().year, state=HardshipState.SUBMITTED, version=1,
        created_at=now, updated_at=now, steps=[])
    session.add(application)
    session.flush()
    _step(session, application, "submitted", actor, now, None)
    record_change(uow, actor, ENTITY, application.id, "submitted", None,
                  dict(snapshot(application), facts=data["facts"]), MASKED)
    return application, True


def _step(session, application, action, actor, now, note):
    step = HardshipStep(application_id=application.id, action=action, account=actor.account, unit_id=actor.unit_id,
                        at=now, note=note)
    session.add(step)
    application.steps.append(step)
    return step


def _begin(uow, actor, application_id, scope, step):
    """The application under lock, and whether it is a retry of ``step`` (already done)."""
    application = get(uow.session, application_id, scope, lock=True)
    needs, leaves = STEPS[step]
    if application.state is leaves:
        return application, True
    if application.state not in needs:
        done = application.state in (HardshipState.PAID, HardshipState.REFUSED, HardshipState.CANCELLED)
        if done or ORDER.get(application.state, 0) > ORDER.get(leaves, 0):
            raise Conflict(f"the application is {application.state.value}: it cannot be {leaves.value} now",
                           {"state": application.state.value, "application_id": application.id})
        raise Conflict(f"the application must be {needs[0].value} first: it is {application.state.value}",
                       {"state": application.state.value, "missing_step": NEXT_STEP[application.state],
                        "application_id": application.id})
    return application, False


def _must_approve(actor, application, scope, what):
    if application.approving_unit_id in scope:
        return
    above = application.approving_unit_id != application.managing_unit_id
    why = (f"the amount ({application.amount} fen) is above the approval threshold: " if above else "")
    raise Forbidden(f"{why}only {application.approving_unit_id} or a unit above it may {what} this application",
                    {"approving_unit_id": application.approving_unit_id, "amount": application.amount,
                     "managing_unit_id": application.managing_unit_id})


def _moved(uow, actor, application, action, state, note, before):
    now = uow.database.clock.now()
    application.state = state
    application.version += 1
    application.updated_at = now
    _step(uow.session, application, action, actor, now, note)
    record_change(uow, actor, ENTITY, application.id, action, before, snapshot(application))


def review(uow, actor, application_id, note, scope):
    """Reviewed by a reviewer of the managing unit or a unit above it (the scope says so)."""
    must_hold(actor, "reviewer", "review a hardship application")
    application, again = _begin(uow, actor, application_id, scope, "review")
    if not again:
        _moved(uow, actor, application, "reviewed", HardshipState.REVIEWED, note, snapshot(application))
    return application


def approve(uow, actor, application_id, data, scope, row):
    """Approved by the approving tier (or above): the amount committed from the fund."""
    must_hold(actor, "reviewer", "approve a hardship application")
    application, again = _begin(uow, actor, application_id, scope, "approve")
    _must_approve(actor, application, scope, "approve")
    if again:
        return application
    _still_eligible(row, application, "it cannot be approved")
    before = snapshot(application)
    if data.get("fund_id") and data["fund_id"] != application.fund_id:
        application.fund_id = data["fund_id"]
    commitment = ledger.post(uow, actor, {
        "idempotency_key": f"hardship:{application.id}:commit", "kind": PostingKind.COMMITMENT.value,
        "fund_id": application.fund_id, "amount": application.amount, "purpose": Purpose.HARDSHIP_AID.value,
        "honouree_id": application.honouree_id, "reference": f"hardship:{application.id}",
        "memo": f"困难帮扶 {application.kind.value}"}, scope=scope)
    application.commitment_id = commitment.id
    _moved(uow, actor, application, "approved", HardshipState.APPROVED, data.get("note"), before)
    uow.record_event("hardship_aid_approved", event_payload(application))
    return application


def pay(uow, actor, application_id, note, scope, row):
    """Paid by finance: the commitment posted as a disbursement from its fund."""
    must_hold(actor, "finance", "pay hardship aid")
    application, again = _begin(uow, actor, application_id, scope, "pay")
    if again:
        return application
    _still_eligible(row, application, "it cannot be paid")
    before = snapshot(application)
    payment = ledger.post(uow, actor, {
        "idempotency_key": f"hardship:{application.id}:pay", "kind": PostingKind.DISBURSEMENT.value,
        "fund_id": application.fund_id, "amount": application.amount, "commitment_id": application.commitment_id,
        "honouree_id": application.honouree_id, "reference": f"hardship:{application.id}",
        "memo": f"困难帮扶 {application.kind.value}"}, scope=scope)
    application.payment_id = payment.id
    _moved(uow, actor, application, "paid", HardshipState.PAID, note, before)
    uow.record_event("hardship_aid_paid", dict(event_payload(application), posting_id=payment.id))
    return application


def refuse(uow, actor, application_id, reasons, scope):
    """Refused at review (anyone who may review), or at or after approval (the approving tier);
    the reasons kept; a commitment made is voided."""
    must_hold(actor, "reviewer", "refuse a hardship application")
    application, again = _begin(uow, actor, application_id, scope, "refuse")
    if again:
        return application
    if application.state is not HardshipState.SUBMITTED:
        _must_approve(actor, application, scope, "refuse")
    before = snapshot(application)
    _void(uow, actor, application, scope, "refused")
    application.refusal_reasons = reasons
    _moved(uow, actor, application, "refused", HardshipState.REFUSED, reasons, before)
    return application


def cancel(uow, actor, application_id, reason, scope):
    """Cancelled by the applicant unit while not paid; a commitment made is voided."""
    must_hold(actor, "officer", "cancel a hardship application")
    application, again = _begin(uow, actor, application_id, scope, "cancel")
    if again:
        return application
    if actor.unit_id != application.applicant_unit_id:
        raise Forbidden(f"only the applicant unit ({application.applicant_unit_id}) may cancel the application",
                        {"applicant_unit_id": application.applicant_unit_id})
    _cancelled(uow, actor, application, reason, scope)
    return application


def _cancelled(uow, actor, application, reason, scope):
    before = snapshot(application)
    _void(uow, actor, application, scope, "cancelled")
    application.cancellation_reason = reason
    _moved(uow, actor, application, "cancelled", HardshipState.CANCELLED, reason, before)
    uow.record_event("hardship_application_cancelled", event_payload(application))


def _void(uow, actor, application, scope, why):
    if application.commitment_id is None or application.void_id is not None:
        return
    # releasing money set aside is the application's own business, whoever owns the fund: scope None
    void = ledger.post(uow, actor, {
        "idempotency_key": f"hardship:{application.id}:void", "kind": PostingKind.VOID.value,
        "fund_id": application.fund_id, "commitment_id": application.commitment_id,
        "honouree_id": application.honouree_id, "reference": f"hardship:{application.id}",
        "memo": f"困难帮扶 {why}"}, scope=None)
    application.void_id = void.id


def _still_eligible(row, application, what):
    if row is None:
        raise Conflict(f"the honouree is no longer managed in your scope: {what}",
                       {"honouree_id": application.honouree_id, "missing": "honouree_in_scope"})
    must_be_eligible(row, f"the honouree is no longer eligible, {what}")


def cancel_for_revocation(uow, honouree_id, reason):
    """Cancel every application of the honouree not yet paid (their last honour was revoked),
    voiding the commitments made; as laomo itself (``SYSTEM``). Idempotent: what is already
    cancelled, refused or paid is left alone. Returns what it cancelled:
    ``[{application_id, state (before), commitment_id, void_id}]``."""
    session = uow.session
    ids = session.scalars(select(HardshipApplication.id).where(
        HardshipApplication.honouree_id == honouree_id, HardshipApplication.state.in_(OPEN_STATES))
        .order_by(HardshipApplication.id)).all()
    # the applications first, then their funds in id order (as approval does: application, fund)
    found = [get(session, application_id, None, lock=True) for application_id in ids]
    found = [a for a in found if a.state in OPEN_STATES]  # moved on since they were read
    ledger.lock_funds(session, [a.fund_id for a in found if a.commitment_id and not a.void_id])
    cancelled = []
    for application in found:
        state = application.state.value
        _cancelled(uow, SYSTEM, application, reason, None)
        cancelled.append({"application_id": application.id, "state": state,
                          "commitment_id": application.commitment_id, "void_id": application.void_id})
    return cancelled


# --- reading -----------------------------------------------------------------------------------

def listing(session, scope, params):
    where = [HardshipApplication.managing_unit_id.in_(scope)]
    if params.get("state"):
        where.append(HardshipApplication.state == HardshipState(params["state"]))
    if params.get("kind"):
        where.append(HardshipApplication.kind == HardshipKind(params["kind"]))
    if params.get("honouree_id"):
        where.append(HardshipApplication.honouree_id == params["honouree_id"])
    if params.get("year"):
        where.append(HardshipApplication.year == params["year"])
    total = session.scalar(select(func.count(HardshipApplication.id)).where(*where))
    page, size = params["page"], params["page_size"]
    found = session.scalars(select(HardshipApplication).where(*where)
                            .order_by(HardshipApplication.created_at.desc(), HardshipApplication.id)
                            .offset((page - 1) * size).limit(size)).all()
    return found, total


def audit(session, metadata, application):
    return trail_of(session, metadata, {ENTITY: [application.id]})


def snapshot(application):
    """What the audit trail records (the facts never: they are given once, masked)."""
    return {"honouree_id": application.honouree_id, "kind": application.kind.value, "amount": application.amount,
            "reasons": application.reasons, "fund_id": application.fund_id, "state": application.state.value,
            "managing_unit_id": application.managing_unit_id, "approving_unit_id": application.approving_unit_id,
            "commitment_id": application.commitment_id, "payment_id": application.payment_id,
            "void_id": application.void_id, "refusal_reasons": application.refusal_reasons,
            "cancellation_reason": application.cancellation_reason}


def event_payload(application):
    """What an event says: ids, state and money; never the facts or the reasons."""
    return {"application_id": application.id, "honouree_id": application.honouree_id,
            "kind": application.kind.value, "amount": application.amount, "fund_id": application.fund_id,
            "state": application.state.value, "commitment_id": application.commitment_id}


def view(application, actor, sealer):
    facts = sealer.unseal(application.facts_sealed) if actor.personal_data else HIDDEN
    return dict(
        snapshot(application), id=application.id, request_id=application.request_id, facts=facts,
        applicant_unit_id=application.applicant_unit_id, applicant_account=application.applicant_account,
        year=application.year, version=application.version, created_at=application.created_at.isoformat(),
        updated_at=application.updated_at.isoformat(),
        steps=[{"action": s.action, "account": s.account, "unit_id": s.unit_id, "at": s.at.isoformat(),
                "note": s.note} for s in application.steps])
