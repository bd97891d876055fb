"""Campaigns (评选活动) and their quotas.

The unit that creates a campaign organises it (the city federation for a
city-wide honour): it alone changes the draft, moves the campaign from state
to state, reviews, publishes the top-level notice and confers. Every actor
sees every campaign.

States move one step at a time (procedure.NEXT_CAMPAIGN_STATE):

- draft → open: nominations may be made and go up the tiers;
- open → reviewing: the deadline for reaching the organiser. A nomination
  still below the organiser then lapses (status ``lapsed``, with a step and an
  audit entry each): nothing is left waiting for a tier that can no longer act;
- reviewing → notice: refused while a nomination at the organiser still waits
  for its preliminary or second review;
- notice → closed: refused while a notice is open or a nomination is still in
  progress.

Quotas (名额): the organiser allocates to the units directly below it (the
tier-2 units, and the grassroots unions directly under the city), at most the
total quota in all; a unit holding a quota may sub-allocate to the units
directly below it, at most its own quota in all. A quota is never set below
what its unit has used or allocated below.
"""
from sqlalchemy import func, select

from services.chassis.audit import record_change
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.union_tree import is_child

from . import procedure
from .common import as_conflict, from_json, to_json
from .models import Campaign, Nomination, NominationStep, Notice, Quota
from .vocabulary import MEASURES, EntryLevel, NoticeStatus, target_key

EDITABLE = ("title", "level", "conferring_body", "total_quota", "timetable", "targets", "entry_level",
            "revocation_bar_years")


def get(session, campaign_id, lock=False):
    campaign = None
    if isinstance(campaign_id, str):
        campaign = session.get(Campaign, campaign_id, with_for_update=lock or None)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id!r}", {"campaign_id": campaign_id})
    return campaign


def must_organise(actor, campaign, what):
    if actor.unit_id != campaign.organiser_unit_id:
        raise Forbidden(f"only the campaign's organiser may {what}",
                        {"organiser_unit_id": campaign.organiser_unit_id})


def honour_type_of(honour_types, code):
    """The registry's honour type ``code`` from ``registry.list_honour_types()``; Invalid if none."""
    for honour_type in honour_types:
        if honour_type["code"] == code and honour_type.get("active", True):
            return honour_type
    raise Invalid("unknown honour type", {"honour_type": [f"no active honour type {code!r} in the registry"]})


def create(uow, actor, data, honour_types):
    """A new campaign in draft, organised by the actor's unit; the same ``request_id`` returns it again."""
    session, now = uow.session, uow.database.clock.now()
    earlier = earlier_request(session, Campaign, data.get("request_id"))
    if earlier is not None:
        return earlier
    honour_type = honour_type_of(honour_types, data["honour_type"])
    clash = session.scalar(select(Campaign.id).where(
        Campaign.honour_type == data["honour_type"], Campaign.year == data["year"]))
    if clash:
        raise Conflict("a campaign for this honour and year exists already", {"campaign_id": clash})
    campaign = Campaign(
        id=new_id(), request_id=data.get("request_id"), honour_type=honour_type["code"], year=data["year"],
        title=data["title"], level=data.get("level") or honour_type.get("level"),
        conferring_body=data.get("conferring_body") or honour_type.get("conferring_body"),
        organiser_unit_id=actor.unit_id, state=procedure.DRAFT, total_quota=data["total_quota"],
        timetable=to_json(data["timetable"]), targets=to_json(every_target(data.get("targets"))),
        entry_level=EntryLevel(data["entry_level"]), revocation_bar_years=data["revocation_bar_years"],
        version=1, created_by_account=actor.account, created_at=now, updated_at=now)
    session.add(campaign)
    session.flush()
    record_change(uow, actor, "campaign", campaign.id, "created", None, snapshot(campaign))
    return campaign


def every_target(targets):
    """Every target key, None where no target is set."""
    return {target_key(m): (targets or {}).get(target_key(m)) for m in MEASURES}


def update(uow, actor, campaign_id, changes):
    """Change a draft campaign (its organiser only)."""
    session, now = uow.session, uow.database.clock.now()
    campaign = get(session, campaign_id, lock=True)
    must_organise(actor, campaign, "change it")
    with as_conflict():
        procedure.require_campaign_state(campaign.state, (procedure.DRAFT,), "changing a campaign")
    if changes.get("version") is not None and changes["version"] != campaign.version:
        raise Conflict("the campaign changed since it was read; reload it and try again",
                       {"version": campaign.version})
    if "total_quota" in changes:
        allocated = allocated_by(session, campaign.id, campaign.organiser_unit_id)
        if changes["total_quota"] < allocated:
            raise Conflict("the total quota cannot fall below what is allocated",
                           {"total_quota": changes["total_quota"], "allocated": allocated})
    before = snapshot(campaign)
    for name in EDITABLE:
        if name not in changes:
            continue
        value = changes[name]
        if name == "targets":
            value = to_json(every_target(value))
        elif name == "timetable":
            value = to_json(value)
        elif name == "entry_level":
            value = EntryLevel(value)
        setattr(campaign, name, value)
    after = snapshot(campaign)
    if before != after:
        campaign.version += 1
        campaign.updated_at = now
        record_change(uow, actor, "campaign", campaign.id, "changed", before, after)
    return campaign


def transition(uow, actor, campaign_id, state):
    """Move the campaign one state on (explicitly; Conflict out of order or with work undone)."""
    session, now = uow.session, uow.database.clock.now()
    campaign = get(session, campaign_id, lock=True)
    must_organise(actor, campaign, "move it on")
    with as_conflict():
        procedure.next_campaign_state(campaign.state, state)
    if state == procedure.REVIEWING:
        lapse_below_organiser(uow, actor, campaign, now)
    elif state == procedure.NOTICE:
        undecided = counts_by_stage(session, campaign.id, (procedure.PRELIMINARY_REVIEW, procedure.SECOND_REVIEW))
        if undecided:
            first = next(s for s in (procedure.PRELIMINARY_REVIEW, procedure.SECOND_REVIEW) if s in undecided)
            raise Conflict("nominations still wait for their reviews",
                           {"undecided": undecided, "missing_step": first})
    elif state == procedure.CLOSED:
        open_notices = session.scalars(select(Notice.id).where(
            Notice.campaign_id == campaign.id, Notice.status == NoticeStatus.OPEN)).all()
        if open_notices:
            raise Conflict("notices are still open", {"open_notices": sorted(open_notices),
                                                      "missing_step": "notice_closed"})
        waiting = counts_by_stage(session, campaign.id, procedure.STAGES)
        if waiting:
            raise Conflict("nominations are still in progress", {"in_progress": waiting,
                                                                 "missing_step": procedure.CONFERRAL})
    before = snapshot(campaign)
    campaign.state = state
    campaign.version += 1
    campaign.updated_at = now
    record_change(uow, actor, "campaign", campaign.id, f"moved_to_{state}", before, snapshot(campaign))
    return campaign


def counts_by_stage(session, campaign_id, stages):
    rows = session.execute(select(Nomination.stage, func.count()).where(
        Nomination.campaign_id == campaign_id, Nomination.status == procedure.IN_PROGRESS,
        Nomination.stage.in_(list(stages))).group_by(Nomination.stage)).all()
    return {stage: count for stage, count in rows}


def lapse_below_organiser(uow, actor, campaign, now):
    """Nominations that have not reached the organiser by the deadline lapse, each recorded."""
    session = uow.session
    below = session.scalars(select(Nomination).where(
        Nomination.campaign_id == campaign.id, Nomination.status == procedure.IN_PROGRESS,
        Nomination.stage.not_in(list(procedure.AT_ORGANISER))).with_for_update()).all()
    for nomination in below:
        before = {"status": nomination.status, "stage": nomination.stage}
        nomination.status = procedure.LAPSED
        nomination.ended_at = now
        nomination.updated_at = now
        nomination.version += 1
        session.add(NominationStep(
            nomination_id=nomination.id, step="lapsed", outcome="lapsed", unit_id=actor.unit_id,
            account=actor.account, at=now,
            evidence=to_json({"reason": "not at the organiser when the campaign moved on to reviewing",
                              "stage": nomination.stage, "at_unit_id": nomination.current_unit_id})))
        record_change(uow, actor, "nomination", nomination.id, "lapsed", before,
                      {"status": nomination.status, "stage": nomination.stage})


# quotas ------------------------------------------------------------------------------------------

def allocated_by(session, campaign_id, unit_id):
    return session.scalar(select(func.coalesce(func.sum(Quota.quota), 0)).where(
        Quota.campaign_id == campaign_id, Quota.allocated_by_unit_id == unit_id))


def quota_of(session, campaign_id, unit_id, lock=False):
    query = select(Quota).where(Quota.campaign_id == campaign_id, Quota.unit_id == unit_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def used_by(session, campaign_id, unit_id):
    """Nominations the unit recommended upward that are still alive (in progress or conferred)."""
    recommended = select(NominationStep.nomination_id).where(
        NominationStep.unit_id == unit_id, NominationStep.step == "recommended")
    return session.scalar(select(func.count()).select_from(Nomination).where(
        Nomination.campaign_id == campaign_id, Nomination.status.in_(procedure.ALIVE),
        Nomination.id.in_(recommended)))


def allocate(uow, actor, campaign_id, allocations, units):
    """The actor's unit gives quotas to units directly below it; ``units`` are the registry's
    records of the named units (absent when unknown). Returns the quotas set."""
    session, now = uow.session, uow.database.clock.now()
    campaign = get(session, campaign_id, lock=True)
    with as_conflict():
        procedure.require_campaign_state(campaign.state, (procedure.DRAFT, procedure.OPEN), "allocating quotas")
    allocator = actor.unit_id
    if allocator == campaign.organiser_unit_id:
        budget = campaign.total_quota
    else:
        own = quota_of(session, campaign.id, allocator, lock=True)
        if own is None:
            raise Forbidden("only the organiser, or a unit holding a quota, allocates quotas",
                            {"unit_id": allocator})
        budget = own.quota
    errors = {}
    for allocation in allocations:
        unit = units.get(allocation["unit_id"])
        if unit is None:
            errors[allocation["unit_id"]] = ["no such unit"]
        elif not is_child(unit, allocator):
            errors[allocation["unit_id"]] = [f"not directly below {allocator}"]
    if errors:
        raise Invalid("quotas go to the units directly below the allocating unit", {"allocations": errors})
    existing = {q.unit_id: q for q in session.scalars(select(Quota).where(
        Quota.campaign_id == campaign.id,
        Quota.unit_id.in_([a["unit_id"] for a in allocations]))).all()}
    for allocation in allocations:
        quota = existing.get(allocation["unit_id"])
        if quota is not None and quota.allocated_by_unit_id != allocator:
            raise Conflict("that unit's quota is allocated by another unit",
                           {"unit_id": quota.unit_id, "allocated_by_unit_id": quota.allocated_by_unit_id})
        if quota is not None:
            floor = max(used_by(session, campaign.id, quota.unit_id),
                        allocated_by(session, campaign.id, quota.unit_id))
            if allocation["quota"] < floor:
                raise Conflict("a quota cannot fall below what its unit has used or allocated below",
                               {"unit_id": quota.unit_id, "quota": allocation["quota"], "in_use": floor})
    changed = {a["unit_id"]: a["quota"] for a in allocations}
    others = session.scalar(select(func.coalesce(func.sum(Quota.quota), 0)).where(
        Quota.campaign_id == campaign.id, Quota.allocated_by_unit_id == allocator,
        Quota.unit_id.not_in(list(changed))))
    if others + sum(changed.values()) > budget:
        raise Conflict("the quotas allocated would exceed the allocating unit's own",
                       {"budget": budget, "allocated": others + sum(changed.values())})
    result = []
    for unit_id, value in changed.items():
        quota = existing.get(unit_id)
        before = {"quota": quota.quota} if quota is not None else None
        if quota is None:
            quota = Quota(campaign_id=campaign.id, unit_id=unit_id, allocated_by_unit_id=allocator,
                          quota=value, updated_at=now)
            session.add(quota)
        else:
            quota.quota = value
            quota.updated_at = now
        record_change(uow, actor, "campaign", campaign.id, "quota_allocated", before,
                      {"unit_id": unit_id, "quota": value})
        result.append(quota)
    session.flush()
    return result


def quotas_view(session, campaign, scope=None):
    """Each quota (in ``scope``, when given) with what its unit used and allocated below."""
    quotas = session.scalars(select(Quota).where(Quota.campaign_id == campaign.id).order_by(Quota.unit_id)).all()
    if scope is not None:
        quotas = [q for q in quotas if q.unit_id in scope or q.allocated_by_unit_id in scope]
    return [quota_view(session, campaign, q) for q in quotas]


def quota_view(session, campaign, quota):
    return {"unit_id": quota.unit_id, "allocated_by_unit_id": quota.allocated_by_unit_id,
            "quota": quota.quota, "used": used_by(session, campaign.id, quota.unit_id),
            "allocated_below": allocated_by(session, campaign.id, quota.unit_id)}


# reading -----------------------------------------------------------------------------------------

def listing(session, state=None, year=None, honour_type=None, page=1, page_size=50):
    query = select(Campaign)
    if state is not None:
        query = query.where(Campaign.state == state)
    if year is not None:
        query = query.where(Campaign.year == year)
    if honour_type is not None:
        query = query.where(Campaign.honour_type == honour_type)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Campaign.year.desc(), Campaign.created_at.desc(), Campaign.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


def snapshot(campaign):
    return {"title": campaign.title, "honour_type": campaign.honour_type, "year": campaign.year,
            "level": campaign.level, "conferring_body": campaign.conferring_body, "state": campaign.state,
            "total_quota": campaign.total_quota, "timetable": from_json(campaign.timetable),
            "targets": from_json(campaign.targets), "entry_level": campaign.entry_level.value,
            "revocation_bar_years": campaign.revocation_bar_years}


def view(campaign):
    return dict(snapshot(campaign), id=campaign.id, organiser_unit_id=campaign.organiser_unit_id,
                version=campaign.version, created_at=campaign.created_at.isoformat(),
                updated_at=campaign.updated_at.isoformat())

