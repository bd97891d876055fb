"""Reports: the structure ratios of a slate and a campaign's dashboard for one tier.

Everything is counted by SQL aggregates in a few statements, whatever the
number of nominations: the ratios are one SELECT of sums over the campaign's
nominations (ix_nominations_campaign_status), filtered by basis and scope.

Bases:
- ``slate``: the nominations alive at the organiser: in progress from the
  preliminary review onward, or conferred (the list the organiser reviews);
- ``live``: every nomination still alive, at any tier.

Scope: the nominations whose nominating, entry or current unit is in the
given unit's scope; none for the organiser (every nomination of its campaign
comes from below it).
"""
from sqlalchemy import case, func, select

from . import procedure, ratios
from .common import from_json
from .models import Nomination, Notice, Objection, Quota
from .nominations import in_scope_clause
from .vocabulary import BODY_CATEGORIES, NOMINATION_FLAGS, Category, ObjectionStatus


def counted(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def basis_clause(basis):
    if basis == "slate":
        return (Nomination.status.in_(procedure.ALIVE)) & (Nomination.stage.in_(procedure.AT_ORGANISER))
    return Nomination.status.in_(procedure.ALIVE)


def ratio_counts(session, campaign_id, basis="slate", scope=None):
    """(total, {measure: count}, body) in one aggregate statement."""
    columns = [func.count().label("total")]
    columns += [counted(getattr(Nomination, flag).is_(True)).label(flag) for flag in NOMINATION_FLAGS]
    columns.append(counted(Nomination.category == Category.FARMER.value).label("farmer"))
    columns.append(counted(Nomination.category.in_(BODY_CATEGORIES)).label("body"))
    query = select(*columns).where(Nomination.campaign_id == campaign_id, basis_clause(basis))
    if scope is not None:
        query = query.where(in_scope_clause(scope))
    row = session.execute(query).one()._mapping
    counts = {name: int(row[name]) for name in NOMINATION_FLAGS + ("farmer",)}
    return int(row["total"]), counts, int(row["body"])


def structure_ratios(session, campaign, basis="slate", scope=None):
    total, counts, body = ratio_counts(session, campaign.id, basis, scope)
    report = ratios.evaluate(total, counts, from_json(campaign.targets), body)
    report["basis"] = basis
    return report


def dashboard(session, campaign, unit_id, scope):
    """One tier's view of a campaign: candidates by stage and status, quota use, the live ratios of
    the nominations in its part of the tree, and the objections still open on them."""
    limit = None if unit_id == campaign.organiser_unit_id else scope
    where = [Nomination.campaign_id == campaign.id]
    if limit is not None:
        where.append(in_scope_clause(limit))
    rows = session.execute(select(Nomination.status, Nomination.stage, func.count())
                           .where(*where).group_by(Nomination.status, Nomination.stage)).all()
    by_stage = {stage: 0 for stage in procedure.STAGES}
    by_status = {status: 0 for status in procedure.STATUSES}
    for status, stage, count in rows:
        by_status[status] += count
        if status == procedure.IN_PROGRESS:
            by_stage[stage] += count
    here = session.scalar(select(func.count()).select_from(Nomination).where(
        Nomination.campaign_id == campaign.id, Nomination.status == procedure.IN_PROGRESS,
        Nomination.current_unit_id == unit_id))
    open_objections = session.execute(
        select(Objection.notice_id, func.count()).join(Nomination, Nomination.id == Objection.nomination_id)
        .where(*where, Objection.status == ObjectionStatus.OPEN).group_by(Objection.notice_id)).all()
    open_notices = session.scalar(select(func.count()).select_from(Notice).where(
        Notice.campaign_id == campaign.id, Notice.status == "open",
        *([Notice.unit_id.in_(list(limit))] if limit is not None else [])))
    return {
        "campaign_id": campaign.id, "state": campaign.state, "unit_id": unit_id,
        "by_stage": by_stage, "by_status": by_status, "waiting_here": here,
        "quota": quota_use(session, campaign, unit_id),
        "structure_ratios": structure_ratios(session, campaign, "live", limit),
        "open_objections": {"total": sum(count for _, count in open_objections),
                            "by_notice": {notice_id: count for notice_id, count in open_objections}},
        "open_notices": open_notices,
    }


def quota_use(session, campaign, unit_id):
    """The unit's quota, how much of it is used, and what it allocated to the units below."""
    from .campaigns import (  # the quota rules live with the campaigns
        allocated_by,
        used_by,
    )
    own = session.scalar(select(Quota).where(Quota.campaign_id == campaign.id, Quota.unit_id == unit_id))
    if unit_id == campaign.organiser_unit_id:
        quota = campaign.total_quota
        used = session.scalar(select(func.count()).select_from(Nomination).where(
            Nomination.campaign_id == campaign.id, Nomination.status == procedure.CONFERRED))
    else:
        quota = own.quota if own is not None else None
        used = used_by(session, campaign.id, unit_id)
    below = session.execute(select(Quota).where(
        Quota.campaign_id == campaign.id, Quota.allocated_by_unit_id == unit_id).order_by(Quota.unit_id)).scalars()
    return {"quota": quota, "used": used, "allocated_below": allocated_by(session, campaign.id, unit_id),
            "below": [{"unit_id": q.unit_id, "quota": q.quota, "used": used_by(session, campaign.id, q.unit_id)}
                      for q in below]}
