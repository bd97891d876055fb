"""The three public notices (三公示) and the objections (异议) lodged during them.

A notice lists candidates at one level (unit, second_tier, city), each due
for that notice, for a window [starts_at, ends_at). The city-wide notice is
published by the organiser; the others by any unit that has all the listed
nominations in its scope (the nominating unit, its district or system union).
The publishing unit closes its notice, and resolves the objections to it.

- Anyone may lodge an objection while the window is open (no account: the
  caller's address is given for rate limiting, at most OBJECTIONS_PER_HOUR per
  address per hour; only a keyed hash of it is kept). A contact is optional,
  sealed, and never shown but to a reader holding the personal-data right.
- A notice cannot close before its end by the clock, nor while any of its
  objections is unresolved. Closing moves every candidate still listed on to
  its next step.
- Resolving: upheld → the candidate is withdrawn from the campaign; dismissed
  → the reasons are recorded. Either way the objection is closed.

The public list (no actor) shows, for the notices open now, the title, the
level, the publishing unit and the window, and per candidate the name, the
unit and the deeds summary: never an ID number, a birth date or a contact.
"""
from datetime import timedelta

from sqlalchemy import func, or_, select

from services.chassis.audit import record_change
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    TooManyRequests,
)

from . import campaigns, procedure
from .common import PUBLIC, as_conflict, iso
from .models import Nomination, Notice, NoticeEntry, Objection
from .nominations import in_scope_clause, visible
from .steps import apply, progress_of, withdrawn
from .vocabulary import NoticeStatus, ObjectionStatus

OBJECTIONS_PER_HOUR = 5
RATE_WINDOW = timedelta(hours=1)
HIDDEN = "***"


def get(session, notice_id, lock=False):
    notice = session.get(Notice, notice_id, with_for_update=lock or None) if isinstance(notice_id, str) else None
    if notice is None:
        raise NotFound(f"no notice {notice_id!r}", {"notice_id": notice_id})
    return notice


def must_publish(actor, notice, what):
    if actor.unit_id != notice.unit_id:
        raise Forbidden(f"only the publishing unit may {what}", {"unit_id": notice.unit_id})


# --- opening and closing ------------------------------------------------------------------------

def open_notice(uow, actor, scope, campaign_id, data, unit_name):
    """Publish a notice of the nominations named, each due for this level's notice."""
    session, now = uow.session, uow.database.clock.now()
    campaign = campaigns.get(session, campaign_id, lock=True)
    stage = procedure.NOTICE_STAGE[data["level"]]
    with as_conflict():
        procedure.require_campaign_state(campaign.state, (procedure.NOTICE,), "a public notice")
    if data["level"] == "city":
        campaigns.must_organise(actor, campaign, "publish the city-wide notice")
    if data["ends_at"] <= now:
        raise Invalid("the window has ended already", {"ends_at": ["must lie in the future"]})
    found = {n.id: n for n in session.scalars(select(Nomination).where(
        Nomination.id.in_(data["nomination_ids"]), Nomination.campaign_id == campaign.id)
        .with_for_update()).all()}
    missing = [i for i in data["nomination_ids"] if i not in found or not visible(found[i], scope)]
    if missing:
        raise Invalid("unknown nominations", {"nomination_ids": {i: ["no such nomination in this campaign"]
                                                                  for i in missing}})
    notice = Notice(id=new_id(), campaign_id=campaign.id, level=data["level"], unit_id=actor.unit_id,
                    unit_name=unit_name, title=data["title"], starts_at=data["starts_at"],
                    ends_at=data["ends_at"], status=NoticeStatus.OPEN, opened_by_account=actor.account,
                    created_at=now)
    session.add(notice)
    session.flush()
    for position, nomination_id in enumerate(data["nomination_ids"]):
        nomination = found[nomination_id]
        try:
            with as_conflict():
                progress = progress_of(nomination).notice_opened(data["level"])
        except Conflict as refused:
            raise Conflict(refused.message, dict(refused.details, nomination_id=nomination_id)) from None
        session.add(NoticeEntry(notice_id=notice.id, nomination_id=nomination_id, position=position,
                                status="listed"))
        apply(uow, actor, nomination, progress, f"{stage}_opened", "opened",
              {"notice_id": notice.id, "starts_at": iso(notice.starts_at), "ends_at": iso(notice.ends_at)},
              notice_id=notice.id)
    session.flush()
    session.expire(notice, ["entries"])
    record_change(uow, actor, "notice", notice.id, "opened", None, snapshot(notice, data["nomination_ids"]))
    return notice


def close_notice(uow, actor, notice_id):
    """Close a notice whose window has ended and whose objections are all resolved."""
    session, now = uow.session, uow.database.clock.now()
    notice = get(session, notice_id, lock=True)
    must_publish(actor, notice, "close the notice")
    stage = procedure.NOTICE_STAGE[notice.level]
    if notice.status != NoticeStatus.OPEN:
        raise Conflict("the notice is closed already", {"notice_id": notice.id, "closed_at": iso(notice.closed_at)})
    if now < notice.ends_at:
        raise Conflict("the notice's window has not ended", {"ends_at": notice.ends_at.isoformat(),
                                                             "now": now.isoformat(), "missing_step": "window_end"})
    unresolved = session.scalars(select(Objection.id).where(
        Objection.notice_id == notice.id, Objection.status == ObjectionStatus.OPEN).order_by(Objection.id)).all()
    if unresolved:
        raise Conflict("objections to the notice are unresolved",
                       {"open_objections": list(unresolved), "missing_step": "objection_resolution"})
    objections = dict(session.execute(select(Objection.status, func.count()).where(
        Objection.notice_id == notice.id).group_by(Objection.status)).all())
    for entry in notice.entries:
        if entry.status != "listed":
            continue
        nomination = session.get(Nomination, entry.nomination_id, with_for_update=True)
        with as_conflict():
            progress = progress_of(nomination).notice_closed(notice.level)
        entry.status = "passed"
        apply(uow, actor, nomination, progress, stage, "passed", {
            "notice_id": notice.id, "starts_at": iso(notice.starts_at), "ends_at": iso(notice.ends_at),
            "objections_dismissed": objections.get(ObjectionStatus.DISMISSED, 0)}, notice_id=None)
    notice.status = NoticeStatus.CLOSED
    notice.closed_at = now
    notice.closed_by_account = actor.account
    record_change(uow, actor, "notice", notice.id, "closed", {"status": "open"}, {"status": "closed"})
    return notice


def listing(session, campaign_id, status=None, level=None, page=1, page_size=50):
    query = select(Notice).where(Notice.campaign_id == campaign_id)
    if status is not None:
        query = query.where(Notice.status == NoticeStatus(status))
    if level is not None:
        query = query.where(Notice.level == level)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Notice.starts_at, Notice.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


# --- the public ---------------------------------------------------------------------------------

def public_listing(session, now, campaign_id=None, level=None, page=1, page_size=50):
    """The notices open now, with their candidates' names, units and deeds summaries only."""
    query = select(Notice).where(Notice.status == NoticeStatus.OPEN, Notice.starts_at <= now)
    if campaign_id is not None:
        query = query.where(Notice.campaign_id == campaign_id)
    if level is not None:
        query = query.where(Notice.level == level)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    notices = session.scalars(query.order_by(Notice.starts_at, Notice.id)
                              .offset((page - 1) * page_size).limit(page_size)).all()
    listed = {}
    if notices:
        rows = session.execute(
            select(NoticeEntry.notice_id, Nomination.id, Nomination.name, Nomination.employer,
                   Nomination.nominating_unit_name, Nomination.deeds_summary)
            .join(Nomination, Nomination.id == NoticeEntry.nomination_id)
            .where(NoticeEntry.notice_id.in_([n.id for n in notices]), NoticeEntry.status == "listed")
            .order_by(NoticeEntry.notice_id, NoticeEntry.position)).all()
        for notice_id, nomination_id, name, employer, unit_name, summary in rows:
            listed.setdefault(notice_id, []).append({
                "nomination_id": nomination_id, "name": name, "unit": employer or unit_name,
                "deeds_summary": summary})
    items = [{"id": n.id, "campaign_id": n.campaign_id, "level": n.level, "title": n.title,
              "unit_name": n.unit_name, "starts_at": n.starts_at.isoformat(), "ends_at": n.ends_at.isoformat(),
              "open_for_objections": n.starts_at <= now < n.ends_at, "candidates": listed.get(n.id, [])}
             for n in notices]
    return items, total


def lodge(uow, sealer, notice_id, nomination_id, data, client_address):
    """An objection from anyone, during the window; at most OBJECTIONS_PER_HOUR per address an hour."""
    session, now = uow.session, uow.database.clock.now()
    earlier = earlier_request(session, Objection, data.get("request_id"))
    if earlier is not None:
        return earlier
    notice = get(session, notice_id, lock=True)  # in turn with closing it
    if notice.status != NoticeStatus.OPEN or now < notice.starts_at:
        raise NotFound(f"no open notice {notice_id!r}", {"notice_id": notice_id})
    if now >= notice.ends_at:
        raise Conflict("the notice's window has ended", {"ends_at": notice.ends_at.isoformat()})
    entry = session.get(NoticeEntry, (notice.id, nomination_id)) if isinstance(nomination_id, str) else None
    if entry is None or entry.status != "listed":
        raise NotFound(f"no candidate {nomination_id!r} on the notice", {"nomination_id": nomination_id})
    address = sealer.blind_index(f"objection-address:{client_address}")
    recent = session.execute(select(Objection.lodged_at).where(
        # the hour before now, not after it: objections dated later (a clock set back) hold nobody up
        Objection.address_index == address, Objection.lodged_at > now - RATE_WINDOW, Objection.lodged_at <= now)
        .order_by(Objection.lodged_at)).scalars().all()
    if len(recent) >= OBJECTIONS_PER_HOUR:
        wait = recent[-OBJECTIONS_PER_HOUR] + RATE_WINDOW - now
        raise TooManyRequests("too many objections from this address; try again later",
                              {"retry_after": max(int(wait.total_seconds()) + 1, 1)})
    objection = Objection(id=new_id(), request_id=data.get("request_id"), notice_id=notice.id,
                          nomination_id=nomination_id, grounds=data["grounds"],
                          contact_sealed=sealer.seal(data["contact"]) if data.get("contact") else None,
                          address_index=address, status=ObjectionStatus.OPEN, lodged_at=now)
    session.add(objection)
    session.flush()
    record_change(uow, PUBLIC, "objection", objection.id, "lodged", None,
                  {"notice_id": notice.id, "nomination_id": nomination_id, "status": "open",
                   "contact": HIDDEN if objection.contact_sealed else None})
    return objection


# --- resolving and reading ------------------------------------------------------------------------

def objection_visible_clause(scope):
    return or_(Notice.unit_id.in_(list(scope)), in_scope_clause(scope))


def get_objection(session, scope, objection_id, lock=False):
    row = None
    if isinstance(objection_id, str):
        row = session.execute(select(Objection, Notice, Nomination)
                              .join(Notice, Notice.id == Objection.notice_id)
                              .join(Nomination, Nomination.id == Objection.nomination_id)
                              .where(Objection.id == objection_id)).first()
    if row is None or not (row.Notice.unit_id in scope or visible(row.Nomination, scope)):
        raise NotFound(f"no objection {objection_id!r}", {"objection_id": objection_id})
    objection = row.Objection
    if lock:
        session.refresh(objection, with_for_update=True)
    return objection, row.Notice, row.Nomination


def resolve(uow, actor, scope, objection_id, data):
    """The publishing unit resolves an objection: upheld (the candidate withdrawn) or dismissed."""
    session, now = uow.session, uow.database.clock.now()
    objection, notice, nomination = get_objection(session, scope, objection_id, lock=True)
    must_publish(actor, notice, "resolve objections to the notice")
    if objection.status != ObjectionStatus.OPEN:
        raise Conflict(f"the objection is resolved already: {objection.status.value}",
                       {"status": objection.status.value})
    before = {"status": objection.status.value}
    objection.status = ObjectionStatus(data["outcome"])
    objection.resolution_reasons = data["reasons"]
    objection.resolved_by_account = actor.account
    objection.resolved_by_unit_id = actor.unit_id
    objection.resolved_at = now
    session.flush()
    if objection.status == ObjectionStatus.UPHELD and nomination.status == procedure.IN_PROGRESS:
        session.refresh(nomination, with_for_update=True)
        withdrawn(uow, actor, nomination, {"reasons": data["reasons"], "objection_id": objection.id})
    record_change(uow, actor, "objection", objection.id, "resolved", before,
                  {"status": objection.status.value, "reasons": data["reasons"]})
    return objection


def objections(session, scope, campaign_id=None, notice_id=None, status=None, page=1, page_size=50):
    query = (select(Objection).join(Notice, Notice.id == Objection.notice_id)
             .join(Nomination, Nomination.id == Objection.nomination_id)
             .where(objection_visible_clause(scope)))
    if campaign_id is not None:
        query = query.where(Notice.campaign_id == campaign_id)
    if notice_id is not None:
        query = query.where(Objection.notice_id == notice_id)
    if status is not None:
        query = query.where(Objection.status == ObjectionStatus(status))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Objection.lodged_at, Objection.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


# --- views --------------------------------------------------------------------------------------

def snapshot(notice, nomination_ids):
    return {"campaign_id": notice.campaign_id, "level": notice.level, "title": notice.title,
            "starts_at": iso(notice.starts_at), "ends_at": iso(notice.ends_at), "nomination_ids": nomination_ids}


def view(notice):
    return {"id": notice.id, "campaign_id": notice.campaign_id, "level": notice.level, "title": notice.title,
            "unit_id": notice.unit_id, "unit_name": notice.unit_name, "starts_at": notice.starts_at.isoformat(),
            "ends_at": notice.ends_at.isoformat(), "status": notice.status.value,
            "opened_by_account": notice.opened_by_account, "closed_by_account": notice.closed_by_account,
            "created_at": notice.created_at.isoformat(), "closed_at": iso(notice.closed_at),
            "entries": [{"nomination_id": e.nomination_id, "status": e.status} for e in notice.entries]}


def receipt(objection):
    """What the person lodging an objection gets back: its id, status and time; nothing they sent."""
    return {"id": objection.id, "notice_id": objection.notice_id, "nomination_id": objection.nomination_id,
            "status": objection.status.value, "lodged_at": objection.lodged_at.isoformat()}


def objection_view(objection, actor=None, sealer=None):
    """An objection for the units dealing with it; the contact only with the personal-data right."""
    contact = None
    if objection.contact_sealed:
        contact = sealer.unseal(objection.contact_sealed) if actor is not None and actor.personal_data else HIDDEN
    return dict(receipt(objection), grounds=objection.grounds, contact=contact,
                resolution_reasons=objection.resolution_reasons, resolved_by_unit_id=objection.resolved_by_unit_id,
                resolved_by_account=objection.resolved_by_account, resolved_at=iso(objection.resolved_at))
