"""The corps (首都劳模志愿服务团): its teams (志愿服务队) and volunteers (志愿者).

Teams are a district's (按区, owned by a district union: the unit's tier is ``district``) or a
profession's (按行业, owned by any unit, naming the profession). A team belongs to its unit: it is
seen and kept by the actors whose scope holds that unit, and a team outside the scope is not found.

A volunteer is a membership of one team, ``active`` until it ends (``ended``: left, or honouree
status lost — the record stays, as does everything done meanwhile):

- an honouree (kind ``honouree``) from the registry's roster, in the actor's scope and eligible (an
  active honour, alive); at most one active membership per honouree and team (the database's
  unique ``live_key``; a second is a 409 naming the first);
- another person (kind ``public``, 社会志愿者), only where the team admits them (``admits_public``).

A volunteer offers skills (codes such as ``first_aid``) and availability (weekday and part of the
day). A retry with the same ``request_id`` returns the first team or membership. Every change is
audited; nothing here is an event, except an end caused by the registry (see :func:`end_honouree`).
"""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.chassis.audit import record_change
from services.chassis.database import add_once, earlier_request, new_id
from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.people import must_be_eligible

from .models.corps import (
    AvailabilitySlot,
    Period,
    Team,
    TeamKind,
    Volunteer,
    VolunteerKind,
    VolunteerSkill,
    VolunteerStatus,
)

# --- teams -------------------------------------------------------------------------------------

def team_not_found(team_id):
    return NotFound(f"no volunteer team {team_id!r}", {"team_id": team_id})


def team(session, team_id, scope, lock=False):
    """The team, if its unit is in ``scope``; NotFound as for an id that exists nowhere otherwise."""
    found = None
    if isinstance(team_id, str) and len(team_id) <= 32:
        found = session.get(Team, team_id, with_for_update=lock or None, populate_existing=lock)
    if found is None or found.unit_id not in scope:
        raise team_not_found(team_id)
    return found


def unit_in_scope(unit, scope, field="unit_id"):
    """The unit (a registry answer) must be in the scope: one outside reads as one that does not exist."""
    if unit["id"] not in scope:
        raise Invalid(f"unknown unit {unit['id']!r}", {field: [f"no unit {unit['id']!r}"]})


def create_team(uow, actor, data, unit, scope):
    session, now = uow.session, uow.database.clock.now()
    unit_in_scope(unit, scope)
    if data["kind"] == TeamKind.DISTRICT.value and unit["tier"] != "district":
        raise Invalid("a district team belongs to a district union",
                      {"unit_id": [f"{unit['id']!r} is a {unit['tier']} unit, not a district"]})
    earlier = earlier_request(session, Team, data.get("request_id"))
    if earlier is not None:
        return earlier
    made = Team(id=new_id(), request_id=data.get("request_id"), name=data["name"], kind=TeamKind(data["kind"]),
                unit_id=unit["id"], profession=data.get("profession"), admits_public=data["admits_public"],
                description=data["description"], created_by_account=actor.account, created_at=now, updated_at=now)
    made, new = add_once(session, made)
    if not new:
        return made
    record_change(uow, actor, "volunteer_team", made.id, "created", None, team_snapshot(made))
    return made


def change_team(uow, actor, team_id, changes, scope):
    found = team(uow.session, team_id, scope, lock=True)
    before = team_snapshot(found)
    for name in ("name", "description", "admits_public"):
        if name in changes:
            setattr(found, name, changes[name])
    after = team_snapshot(found)
    if after != before:
        found.updated_at = uow.database.clock.now()
        record_change(uow, actor, "volunteer_team", found.id, "changed", before, after)
    return found


def teams(session, scope, params):
    """A page of the teams in ``scope`` (already narrowed to a unit's subtree if asked), by unit and name."""
    query = select(Team).where(Team.unit_id.in_(scope))
    if params.get("kind"):
        query = query.where(Team.kind == TeamKind(params["kind"]))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page, size = params["page"], params["page_size"]
    found = session.scalars(query.order_by(Team.unit_id, Team.name, Team.id)
                            .offset((page - 1) * size).limit(size)).all()
    return found, total


def active_counts(session, team_ids):
    if not team_ids:
        return {}
    rows = session.execute(select(Volunteer.team_id, func.count()).where(
        Volunteer.team_id.in_(team_ids), Volunteer.status == VolunteerStatus.ACTIVE).group_by(Volunteer.team_id))
    return dict(rows.all())


def team_snapshot(found):
    return {"name": found.name, "kind": found.kind.value, "unit_id": found.unit_id, "profession": found.profession,
            "admits_public": found.admits_public, "description": found.description}


def team_view(found, active_volunteers):
    return dict(team_snapshot(found), id=found.id, active_volunteers=active_volunteers,
                created_by_account=found.created_by_account, created_at=found.created_at.isoformat(),
                updated_at=found.updated_at.isoformat())


# --- volunteers --------------------------------------------------------------------------------

def volunteer_not_found(volunteer_id):
    return NotFound(f"no volunteer {volunteer_id!r}", {"volunteer_id": volunteer_id})


def volunteer(session, volunteer_id, scope, lock=False):
    found = None
    if isinstance(volunteer_id, str) and len(volunteer_id) <= 32:
        found = session.get(Volunteer, volunteer_id, with_for_update=lock or None, populate_existing=lock)
    if found is None or found.unit_id not in scope:
        raise volunteer_not_found(volunteer_id)
    return found


def live_key(team_id, honouree_id):
    return f"{team_id}:{honouree_id}"


def live_conflict(existing):
    return Conflict("the honouree is an active volunteer of this team already",
                    {"volunteer_id": existing.id, "team_id": existing.team_id, "honouree_id": existing.honouree_id})


def by_live_key(session, key):
    return session.scalar(select(Volunteer).where(Volunteer.live_key == key))


PERIODS = list(Period)


def slot_order(slot):
    weekday, period = slot
    return weekday, PERIODS.index(period)


def slots_of(availability):
    return [AvailabilitySlot(weekday=s["weekday"], period=Period(s["period"])) for s in availability]


def enrol(uow, actor, data, scope, row=None):
    """A new active membership of the team (in ``scope``) for the honouree of ``row`` (a roster row
    in the actor's scope) or, with no row, for another person named in ``data``."""
    session, now = uow.session, uow.database.clock.now()
    found_team = team(session, data["team_id"], scope, lock=True)  # enrolments of a team wait in turn
    earlier = earlier_request(session, Volunteer, data.get("request_id"))
    if earlier is not None:
        if earlier.team_id != found_team.id or earlier.honouree_id != data.get("honouree_id"):
            raise Conflict("this request_id was used for another volunteer",
                           {"request_id": earlier.request_id, "volunteer_id": earlier.id})
        return earlier
    if row is None:
        if not found_team.admits_public:
            raise Conflict("the team admits honourees only",
                           {"team_id": found_team.id, "missing": "admits_public"})
        kind, honouree_id, name, key = VolunteerKind.PUBLIC, None, data["name"], None
    else:
        must_be_eligible(row, "the honouree cannot join a team")
        kind, honouree_id, name = VolunteerKind.HONOUREE, row["honouree_id"], row["name"]
        key = live_key(found_team.id, honouree_id)
        existing = by_live_key(session, key)
        if existing is not None:
            raise live_conflict(existing)
    made = Volunteer(
        id=new_id(), request_id=data.get("request_id"), team_id=found_team.id, unit_id=found_team.unit_id,
        kind=kind, honouree_id=honouree_id, name=name, live_key=key, status=VolunteerStatus.ACTIVE, version=1,
        joined_at=now, created_by_account=actor.account, updated_at=now,
        skills=[VolunteerSkill(skill=s) for s in sorted(data["skills"])], slots=slots_of(data["availability"]))
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError:
        earlier = earlier_request(session, Volunteer, data.get("request_id"))
        if earlier is not None:
            return earlier
        existing = by_live_key(session, key) if key else None
        if existing is not None:
            raise live_conflict(existing) from None
        raise
    record_change(uow, actor, "volunteer", made.id, "enrolled", None, volunteer_snapshot(made))
    return made


def change_volunteer(uow, actor, volunteer_id, changes, scope):
    found = volunteer(uow.session, volunteer_id, scope, lock=True)
    if found.status is not VolunteerStatus.ACTIVE:
        raise Conflict("an ended membership cannot be changed",
                       {"volunteer_id": found.id, "status": found.status.value})
    before = volunteer_snapshot(found)
    # only what differs is deleted or added: a row deleted and added again in one flush would clash
    if "skills" in changes:
        wanted = set(changes["skills"])
        found.skills = [s for s in found.skills if s.skill in wanted] + [
            VolunteerSkill(skill=s) for s in sorted(wanted - {s.skill for s in found.skills})]
    if "availability" in changes:
        wanted = {(s["weekday"], Period(s["period"])) for s in changes["availability"]}
        have = {(s.weekday, s.period) for s in found.slots}
        found.slots = [s for s in found.slots if (s.weekday, s.period) in wanted] + [
            AvailabilitySlot(weekday=w, period=p) for w, p in sorted(wanted - have, key=slot_order)]
    after = volunteer_snapshot(found)
    if after != before:
        found.version += 1
        found.updated_at = uow.database.clock.now()
        record_change(uow, actor, "volunteer", found.id, "changed", before, after)
    return found


def end(uow, actor, volunteer_id, reason, scope):
    found = volunteer(uow.session, volunteer_id, scope, lock=True)
    if found.status is not VolunteerStatus.ACTIVE:
        raise Conflict("the membership has ended already",
                       {"volunteer_id": found.id, "status": found.status.value})
    return end_membership(uow, actor, found, reason)


def end_membership(uow, actor, found, reason):
    before = volunteer_snapshot(found)
    now = uow.database.clock.now()
    found.status, found.end_reason, found.ended_at, found.live_key = VolunteerStatus.ENDED, reason, now, None
    found.version += 1
    found.updated_at = now
    record_change(uow, actor, "volunteer", found.id, "ended", before, volunteer_snapshot(found))
    return found


def volunteers(session, scope, params):
    query = select(Volunteer).where(Volunteer.unit_id.in_(scope))
    for name in ("team_id", "honouree_id"):
        if params.get(name):
            query = query.where(getattr(Volunteer, name) == params[name])
    if params.get("kind"):
        query = query.where(Volunteer.kind == VolunteerKind(params["kind"]))
    if params.get("status"):
        query = query.where(Volunteer.status == VolunteerStatus(params["status"]))
    if params.get("skill"):
        query = query.where(Volunteer.id.in_(select(VolunteerSkill.volunteer_id)
                                             .where(VolunteerSkill.skill == params["skill"])))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page, size = params["page"], params["page_size"]
    found = session.scalars(query.order_by(Volunteer.team_id, Volunteer.joined_at, Volunteer.id)
                            .offset((page - 1) * size).limit(size)).all()
    return found, total


def volunteer_snapshot(found):
    return {"team_id": found.team_id, "kind": found.kind.value, "honouree_id": found.honouree_id,
            "name": found.name, "status": found.status.value, "end_reason": found.end_reason,
            "skills": sorted(s.skill for s in found.skills),
            "availability": [{"weekday": w, "period": p.value}
                             for w, p in sorted(((s.weekday, s.period) for s in found.slots), key=slot_order)]}


def volunteer_view(found):
    return dict(volunteer_snapshot(found), id=found.id, unit_id=found.unit_id,
                joined_at=found.joined_at.isoformat(),
                ended_at=found.ended_at.isoformat() if found.ended_at else None,
                created_by_account=found.created_by_account)
