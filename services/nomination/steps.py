"""The procedure's steps on one nomination: who may take each, and what each records.

Each step locks the nomination, asks the procedure (procedure.Progress)
whether it is the step due, records a NominationStep (the actor's account and
unit, the clock's time, the evidence) and an audit entry, and moves the
nomination on. A step out of order is a Conflict naming the missing step.

Who acts:
- the deeds report, the democratic recommendation, the party committee's
  approval, a recommendation upward or a rejection: the unit the nomination is
  at (first its entry unit, then each tier it was recommended to);
- the reviews and conferral: the campaign's organiser;
- a withdrawal: the nominating unit or the organiser.
"""
from sqlalchemy import func, select

from services.chassis.audit import record_change
from services.chassis.errors import Conflict, Forbidden, Invalid

from . import campaigns, procedure, reports
from .common import as_conflict, not_after_today, to_json
from .models import Nomination, NominationStep, NoticeEntry
from .nominations import get, must_act_for, snapshot


def progress_of(nomination):
    return procedure.Progress(nomination.status, nomination.stage, nomination.notice_id is not None)


def begin(uow, actor, scope, nomination_id):
    """The nomination (locked) and its campaign, for a step."""
    nomination = get(uow.session, scope, nomination_id, lock=True)
    return nomination, campaigns.get(uow.session, nomination.campaign_id)


def campaign_allows(campaign, stage):
    with as_conflict():
        procedure.require_campaign_state(campaign.state, (procedure.CAMPAIGN_STATE_OF_STAGE[stage],),
                                         stage.replace("_", " "))


def apply(uow, actor, nomination, progress, step, outcome, evidence, before=None, **changes):
    """Move the nomination to ``progress`` (and ``changes``), recording the step and the audit entry;
    ``before``: the nomination's snapshot, when the caller changed it already."""
    session, now = uow.session, uow.database.clock.now()
    before = before or snapshot(nomination)
    nomination.status, nomination.stage = progress.status, progress.stage
    for name, value in changes.items():
        setattr(nomination, name, value)
    if progress.status != procedure.IN_PROGRESS and nomination.ended_at is None:
        nomination.ended_at = now
    nomination.version += 1
    nomination.updated_at = now
    session.add(NominationStep(nomination_id=nomination.id, step=step, outcome=outcome, unit_id=actor.unit_id,
                               account=actor.account, at=now, evidence=to_json(evidence)))
    session.flush()
    session.expire(nomination, ["steps"])
    record_change(uow, actor, "nomination", nomination.id, step, before, snapshot(nomination))
    return nomination


# --- at the entry unit --------------------------------------------------------------------------

def deeds_report(uow, actor, scope, nomination_id, evidence):
    nomination, campaign = begin(uow, actor, scope, nomination_id)
    must_act_for(actor, nomination.current_unit_id, "record the deeds report")
    campaign_allows(campaign, procedure.DEEDS_REPORT)
    with as_conflict():
        progress = progress_of(nomination).deeds_reported()
    not_after_today("reported_on", evidence["reported_on"], uow.database.clock.today())
    return apply(uow, actor, nomination, progress, procedure.DEEDS_REPORT, "done", evidence)


def democratic_recommendation(uow, actor, scope, nomination_id, evidence):
    """The vote passes only with more than half of the participants in favour; a failed vote ends the
    nomination as not_recommended."""
    nomination, campaign = begin(uow, actor, scope, nomination_id)
    must_act_for(actor, nomination.current_unit_id, "record the democratic recommendation")
    campaign_allows(campaign, procedure.DEMOCRATIC_RECOMMENDATION)
    passed = procedure.vote_passes(evidence["participants"], evidence["votes_for"])
    with as_conflict():
        progress = progress_of(nomination).voted(passed)
    not_after_today("held_on", evidence["held_on"], uow.database.clock.today())
    return apply(uow, actor, nomination, progress, procedure.DEMOCRATIC_RECOMMENDATION,
                 "passed" if passed else "failed", evidence)


def party_approval(uow, actor, scope, nomination_id, evidence):
    nomination, campaign = begin(uow, actor, scope, nomination_id)
    must_act_for(actor, nomination.current_unit_id, "record the party committee's approval")
    campaign_allows(campaign, procedure.PARTY_APPROVAL)
    with as_conflict():
        progress = progress_of(nomination).party_approved(
            at_organiser=nomination.current_unit_id == campaign.organiser_unit_id)
    not_after_today("approved_on", evidence["approved_on"], uow.database.clock.today())
    return apply(uow, actor, nomination, progress, procedure.PARTY_APPROVAL, "approved", evidence)


# --- up the tiers -------------------------------------------------------------------------------

def next_unit(unit, to_unit_id):
    """Where the actor's unit sends a nomination: its parent, or (asked for) its system parent."""
    parents = [p for p in (unit.get("parent_id"), unit.get("system_parent_id")) if p]
    if not parents:
        raise Invalid("the unit has no tier above it", {"to_unit_id": ["nothing above this unit"]})
    if to_unit_id is None:
        return parents[0]
    if to_unit_id not in parents:
        raise Invalid("a nomination goes to a unit directly above the recommending one",
                      {"to_unit_id": [f"one of {', '.join(parents)}"]})
    return to_unit_id


def recommend(uow, actor, scope, nomination_id, evidence, to_unit_id):
    """The unit the nomination is at recommends it one tier up, within its quota.

    The unit's quota (if it holds one) caps the nominations it has recommended that are still
    alive; a unit recommending to the organiser must hold one. ``to_unit_id`` was worked out
    before the transaction (next_unit, with the registry's record of the actor's unit).
    """
    session = uow.session
    nomination, campaign = begin(uow, actor, scope, nomination_id)
    must_act_for(actor, nomination.current_unit_id, "recommend it upward")
    campaign_allows(campaign, procedure.TIER_RECOMMENDATION)
    reaches = to_unit_id == campaign.organiser_unit_id
    with as_conflict():
        progress = progress_of(nomination).recommended(reaches_organiser=reaches)
    quota = campaigns.quota_of(session, campaign.id, actor.unit_id, lock=True)
    used = campaigns.used_by(session, campaign.id, actor.unit_id)
    if quota is None and reaches:
        raise Conflict("the unit holds no quota in this campaign to recommend to the organiser",
                       {"unit_id": actor.unit_id, "quota": 0, "used": used})
    if quota is not None and used >= quota.quota:
        raise Conflict("the unit's quota is used up", {"unit_id": actor.unit_id, "quota": quota.quota,
                                                       "used": used})
    evidence = dict(evidence, from_unit_id=actor.unit_id, to_unit_id=to_unit_id,
                    quota=quota.quota if quota is not None else None, used=used + 1)
    return apply(uow, actor, nomination, progress, "recommended", "recommended", evidence,
                 current_unit_id=to_unit_id)


def reject(uow, actor, scope, nomination_id, reasons):
    """The unit the nomination is at (on its way up) rejects it, with reasons."""
    nomination, campaign = begin(uow, actor, scope, nomination_id)
    must_act_for(actor, nomination.current_unit_id, "reject it")
    campaign_allows(campaign, procedure.TIER_RECOMMENDATION)
    with as_conflict():
        progress = progress_of(nomination).rejected_at_tier()
    return apply(uow, actor, nomination, progress, "rejected", "rejected", {"reasons": reasons})


# --- at the organiser ---------------------------------------------------------------------------

def review(uow, actor, scope, nomination_id, stage, data):
    """初审 or 复审 by the organiser; the preliminary review also returns the slate's ratios (live)."""
    nomination, campaign = begin(uow, actor, scope, nomination_id)
    campaigns.must_organise(actor, campaign, "review nominations")
    campaign_allows(campaign, stage)
    passed = data["outcome"] == "passed"
    with as_conflict():
        progress = progress_of(nomination).reviewed(stage, passed)
    evidence, ratios, before = dict(data), None, snapshot(nomination)
    if stage == procedure.PRELIMINARY_REVIEW:
        nomination.status = progress.status  # the slate as it is after this review
        uow.session.flush()
        ratios = reports.structure_ratios(uow.session, campaign, basis="slate")
        evidence["structure_ratios"] = ratios
    apply(uow, actor, nomination, progress, stage, data["outcome"], evidence, before=before)
    return nomination, ratios


def confer(uow, actor, scope, nomination_id, data):
    """The honour is conferred: ``nomination_conferred`` goes into the outbox, once per nomination."""
    session = uow.session
    nomination, campaign = begin(uow, actor, scope, nomination_id)
    campaigns.must_organise(actor, campaign, "confer the honour")
    campaign_allows(campaign, procedure.CONFERRAL)
    with as_conflict():
        progress = progress_of(nomination).conferred()
    not_after_today("decided_on", data["decided_on"], uow.database.clock.today())
    campaigns.get(session, campaign.id, lock=True)  # conferrals of one campaign take turns
    conferred = session.scalar(select(func.count()).select_from(Nomination).where(
        Nomination.campaign_id == campaign.id, Nomination.status == procedure.CONFERRED))
    if conferred >= campaign.total_quota:
        raise Conflict("the campaign's total quota is used up",
                       {"total_quota": campaign.total_quota, "conferred": conferred})
    apply(uow, actor, nomination, progress, procedure.CONFERRAL, "conferred", data)
    uow.record_event("nomination_conferred", conferred_event(campaign, nomination))
    return nomination


def conferred_event(campaign, nomination):
    """The event's payload: ids, the honour and the managing unit; no personal data."""
    payload = {"nomination_id": nomination.id, "campaign_id": campaign.id, "honour_type": campaign.honour_type,
               "year": campaign.year, "managing_unit_id": nomination.managing_unit_id}
    if campaign.level:
        payload["level"] = campaign.level
    if campaign.conferring_body:
        payload["conferring_body"] = campaign.conferring_body
    if nomination.honouree_id:
        payload["honouree_id"] = nomination.honouree_id
    return payload


# --- ending early -------------------------------------------------------------------------------

def withdraw(uow, actor, scope, nomination_id, reasons, objection_id=None):
    """The nominating unit or the organiser withdraws it (or an upheld objection does)."""
    nomination, campaign = begin(uow, actor, scope, nomination_id)
    if objection_id is None and actor.unit_id not in (nomination.nominating_unit_id, campaign.organiser_unit_id):
        raise Forbidden("a nomination is withdrawn by its nominating unit or the campaign's organiser",
                        {"nominating_unit_id": nomination.nominating_unit_id,
                         "organiser_unit_id": campaign.organiser_unit_id})
    return withdrawn(uow, actor, nomination, {"reasons": reasons, "objection_id": objection_id})


def withdrawn(uow, actor, nomination, evidence):
    with as_conflict():
        progress = progress_of(nomination).withdrawn()
    if nomination.notice_id is not None:
        entry = uow.session.get(NoticeEntry, (nomination.notice_id, nomination.id))
        if entry is not None:
            entry.status = "withdrawn"
    return apply(uow, actor, nomination, progress, "withdrawn", "withdrawn",
                 {k: v for k, v in evidence.items() if v is not None}, notice_id=None)
