"""Real-name membership (实名入会) of the model-worker association.

Only a living honouree with an active honour may join: the caller's entrypoint asks the registry's
``roster`` for the person (in the actor's scope, before the unit of work opens) and ``row`` below
is that roster row. States:

    active ──leave (with a reason)──▶ left (final)
    active ──honour_revoked, no active honour left──▶ ended (final; the reason kept)

An honouree has at most one active membership (``live_honouree_id`` is unique); joining again is a
409 naming it, a retry with the same ``request_id`` returns the first membership, and a person who
left (or whose membership ended and who holds an honour again) may join anew. Every change is
audited (the membership's history); joining and ending are events (ids only, no personal data).

A membership is in the actor's scope when the unit managing its honouree (as of joining, kept
current by ``management_transferred``) is; outside it, it is not found, as if absent.
"""
from datetime import date

from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.chassis.actor import SYSTEM
from services.chassis.audit import record_change, trail_of
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, NotFound
from services.chassis.people import must_be_eligible
from services.chassis.schemas import load

from .models.membership import Membership, MembershipStatus
from .organs import end_seats_of

REVOKED = "所有荣誉已撤销 (no active honour left)"


class HonourRevokedSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    honouree_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    honour_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    revocation_id = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    managing_unit_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    active_honours_left = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class ManagementTransferredSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    honouree_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    to_unit_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


# --- reading ------------------------------------------------------------------------------------

def not_found(membership_id):
    return NotFound(f"no membership {membership_id!r}", {"membership_id": membership_id})


def get(session, membership_id, lock=False):
    found = None
    if isinstance(membership_id, str) and len(membership_id) <= 32:
        found = session.get(Membership, membership_id, with_for_update=lock or None, populate_existing=lock)
    if found is None:
        raise not_found(membership_id)
    return found


def in_scope(session, membership_id, scope, lock=False):
    """The membership, if its honouree's managing unit is in ``scope``; else NotFound as if absent."""
    found = get(session, membership_id, lock)
    if found.managing_unit_id not in scope:
        raise not_found(membership_id)
    return found


def live(session, honouree_id, lock=False):
    query = select(Membership).where(Membership.live_honouree_id == honouree_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def listing(session, units, params):
    """(membership rows, total) of honourees managed by ``units``, with the query's filters; newest first."""
    where = [Membership.managing_unit_id.in_(sorted(units))]
    if params.get("status"):
        where.append(Membership.status == MembershipStatus(params["status"]))
    if params.get("district_id"):
        where.append(Membership.district_id == params["district_id"])
    if params.get("joined_year"):
        year = params["joined_year"]
        # a range on the indexed date, not a function of it
        where.append(Membership.joined_on.between(date(year, 1, 1), date(year, 12, 31)))
    if params.get("honouree_id"):
        where.append(Membership.honouree_id == params["honouree_id"])
    total = session.scalar(select(func.count()).select_from(Membership).where(*where))
    page, size = params["page"], params["page_size"]
    if not total or (page - 1) * size >= total:
        return [], total
    # the page's ids first: the sort carries two short columns, not whole rows (a deep page of
    # 20,000 stays quick); then the page's rows by id
    ids = session.scalars(select(Membership.id).where(*where)
                          .order_by(Membership.joined_on.desc(), Membership.id)
                          .limit(size).offset((page - 1) * size)).all()
    table = Membership.__table__  # plain rows, not mapped objects: a page of 200 reads quicker
    rows = {r.id: r for r in session.execute(select(table).where(table.c.id.in_(ids)))}
    return [rows[i] for i in ids], total


def snapshot(found):
    return {"status": found.status.value, "managing_unit_id": found.managing_unit_id,
            "district_id": found.district_id, "end_reason": found.end_reason,
            "ended_by_account": found.ended_by_account, "honour_id": found.honour_id,
            "revocation_id": found.revocation_id}


def view(found, name=None):
    return {
        "id": found.id, "honouree_id": found.honouree_id, "honouree_name": name,
        "managing_unit_id": found.managing_unit_id, "district_id": found.district_id, "status": found.status.value,
        "joined_on": found.joined_on.isoformat(), "note": found.note, "joined_by_account": found.joined_by_account,
        "joined_by_unit_id": found.joined_by_unit_id, "end_reason": found.end_reason,
        "ended_at": found.ended_at.isoformat() if found.ended_at else None,
        "ended_by_account": found.ended_by_account, "honour_id": found.honour_id,
        "revocation_id": found.revocation_id, "request_id": found.request_id, "version": found.version,
        "created_at": found.created_at.isoformat(), "updated_at": found.updated_at.isoformat()}


def history(session, metadata, found):
    return trail_of(session, metadata, {"membership": [found.id]})


# --- joining and leaving ------------------------------------------------------------------------

def live_conflict(found):
    return Conflict(f"the honouree is a member already: membership {found.id}",
                    {"membership_id": found.id, "honouree_id": found.honouree_id, "status": found.status.value})


def retried(earlier, data):
    """The first membership of a request_id, when the retry asks for the same honouree."""
    if earlier.honouree_id != data["honouree_id"]:
        raise Conflict("the request_id was used for another honouree",
                       {"request_id": data["request_id"], "honouree_id": earlier.honouree_id})
    return earlier


def join(uow, actor, data, row, today):
    """A new active membership of the honouree of ``row`` (in scope); returns (membership, new)."""
    session, now = uow.session, uow.database.clock.now()
    earlier = earlier_request(session, Membership, data.get("request_id"))
    if earlier is not None:
        return retried(earlier, data), False
    must_be_eligible(row, "the honouree cannot join the association")
    current = live(session, row["honouree_id"])
    if current is not None:
        raise live_conflict(current)
    made = Membership(
        id=new_id(), request_id=data.get("request_id"), honouree_id=row["honouree_id"],
        live_honouree_id=row["honouree_id"], managing_unit_id=row["managing_unit_id"],
        district_id=row.get("district_id"), status=MembershipStatus.ACTIVE, joined_on=today,
        joined_year=today.year, note=data.get("note"), joined_by_account=actor.account,
        joined_by_unit_id=actor.unit_id, version=1, created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError:
        # another join for this honouree (or with this request_id) committed in between
        earlier = earlier_request(session, Membership, data.get("request_id"))
        if earlier is not None:
            return retried(earlier, data), False
        current = live(session, row["honouree_id"])
        if current is not None:
            raise live_conflict(current) from None
        raise
    record_change(uow, actor, "membership", made.id, "joined", None, snapshot(made))
    uow.record_event("member_joined", {"membership_id": made.id, "honouree_id": made.honouree_id,
                                       "managing_unit_id": made.managing_unit_id,
                                       "joined_on": made.joined_on.isoformat()})
    return made, True


def _end(uow, actor, found, status, reason, cause, honour_id=None, revocation_id=None):
    before = snapshot(found)
    found.status = status
    found.live_honouree_id = None
    found.end_reason = reason
    found.ended_at = found.updated_at = uow.database.clock.now()
    found.ended_by_account = actor.account
    found.honour_id, found.revocation_id = honour_id, revocation_id
    found.version += 1
    uow.session.flush()
    record_change(uow, actor, "membership", found.id, status.value, before, snapshot(found))
    # no longer a member: no seat on an organ either (their seats end today, the history kept)
    end_seats_of(uow, actor, found.honouree_id, f"会籍终止 (membership {status.value}): {reason}"[:2000],
                 uow.database.clock.today())
    uow.record_event("membership_ended", {"membership_id": found.id, "honouree_id": found.honouree_id,
                                          "managing_unit_id": found.managing_unit_id, "cause": cause,
                                          "honour_id": honour_id, "revocation_id": revocation_id})
    return found


def leave(uow, actor, membership_id, reason, scope):
    """The member leaves (退会), with the reason; only an active membership can."""
    found = in_scope(uow.session, membership_id, scope, lock=True)
    if found.status is not MembershipStatus.ACTIVE:
        raise Conflict(f"the membership is {found.status.value} already: only an active membership can be left",
                       {"membership_id": found.id, "status": found.status.value})
    return _end(uow, actor, found, MembershipStatus.LEFT, reason, "left")


# --- the registry's events ----------------------------------------------------------------------

def end_on_revocation(uow, event):
    """The person's last active honour revoked: the active membership ends, with the reason kept.
    A repeat (or a person with no active membership) changes nothing."""
    event = load(HonourRevokedSchema(), event, "honour_revoked")
    honouree_id = event["honouree_id"]
    if event["active_honours_left"] > 0:
        return {"honouree_id": honouree_id, "ended": None}
    found = live(uow.session, honouree_id, lock=True)
    if found is None:
        return {"honouree_id": honouree_id, "ended": None}
    _end(uow, SYSTEM, found, MembershipStatus.ENDED, REVOKED, "honour_revoked", event["honour_id"],
         event["revocation_id"])
    return {"honouree_id": honouree_id, "ended": found.id}


def follow_transfer(uow, event, district_id):
    """Management moved to another unit: the person's memberships move with them (scope and filters);
    ``district_id``: the new managing unit's district, as the registry reckons it."""
    event = load(ManagementTransferredSchema(), event, "management_transferred")
    moved = []
    for found in uow.session.scalars(select(Membership).where(Membership.honouree_id == event["honouree_id"])
                                     .order_by(Membership.id).with_for_update()):
        if (found.managing_unit_id, found.district_id) != (event["to_unit_id"], district_id):
            before = snapshot(found)
            found.managing_unit_id, found.district_id = event["to_unit_id"], district_id
            found.updated_at = uow.database.clock.now()
            found.version += 1
            record_change(uow, SYSTEM, "membership", found.id, "transferred", before, snapshot(found))
            moved.append(found.id)
    return {"honouree_id": event["honouree_id"], "moved": moved}
