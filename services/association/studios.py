"""Innovation studios (劳模创新工作室) and their six criteria (六有).

A unit applies (officers) for a studio led by an honouree, with evidence for each criterion: an
honouree leader, an innovation team, a project, a venue, funding, results. The leader must be an
eligible honouree (alive, an active honour) on the applicant's roster, asked before the unit of
work opens. Evidence may be completed while the application waits. States:

    applied ──recognise (the city; level and year)──▶ recognised
    applied ──decline (the city; the reason)──▶ declined

The city federation reviews: recognising or declining is its reviewers' (403 for another unit's).
A studio missing a criterion cannot be recognised: 409 naming every missing one (``leader`` when
the leader is no longer an eligible honouree, by the registry's roster at the decision). The city
aims at about 50 city-level (市级) recognitions a year; the yearly count reads against it.

Each year the city assesses a recognised studio (年度考核: excellent, qualified or unqualified; once a
year, 409 for a second) with the year's outputs: patents, techniques (advanced operating methods,
technical innovations), awards and the economic benefit in fen.

A studio is in scope when the unit that applied is the caller's or below it; else not found.
"""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.chassis.audit import record_change
from services.chassis.database import add_once, earlier_request, new_id
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound

from .models.studios import (
    CRITERIA,
    AssessmentResult,
    Studio,
    StudioAssessment,
    StudioLevel,
    StudioStatus,
)

YEARLY_TARGET = 50  # about 50 city-level studios recognised each year (DOMAIN.md section 4)


def not_found(studio_id):
    return NotFound(f"no innovation studio {studio_id!r}", {"studio_id": studio_id})


def get(session, studio_id, lock=False):
    found = None
    if isinstance(studio_id, str) and len(studio_id) <= 32:
        found = session.get(Studio, studio_id, with_for_update=lock or None, populate_existing=lock)
    if found is None:
        raise not_found(studio_id)
    return found


def in_scope(session, studio_id, scope, lock=False):
    found = get(session, studio_id, lock)
    if found.applicant_unit_id not in scope:
        raise not_found(studio_id)
    return found


def evidence_of(found):
    return {name: getattr(found, f"evidence_{name}") for name in CRITERIA}


def missing(found, leader_eligible=True):
    """The criteria without evidence, in the order of the six; ``leader`` too when the leader is not
    an eligible honouree."""
    evidence = evidence_of(found)
    return [name for name in CRITERIA if not evidence[name] or (name == "leader" and not leader_eligible)]


def snapshot(found):
    return dict({f"evidence_{k}": v for k, v in evidence_of(found).items()}, status=found.status.value,
                level=found.level.value if found.level else None, recognised_year=found.recognised_year,
                decision_note=found.decision_note, name=found.name)


def view(found):
    return {
        "id": found.id, "name": found.name, "applicant_unit_id": found.applicant_unit_id,
        "leader_honouree_id": found.leader_honouree_id, "evidence": evidence_of(found), "missing": missing(found),
        "status": found.status.value, "level": found.level.value if found.level else None,
        "recognised_year": found.recognised_year, "decision_note": found.decision_note,
        "decided_by_account": found.decided_by_account,
        "decided_at": found.decided_at.isoformat() if found.decided_at else None,
        "assessments": [assessment_view(a) for a in found.assessments],
        "applied_by_account": found.applied_by_account, "request_id": found.request_id, "version": found.version,
        "created_at": found.created_at.isoformat(), "updated_at": found.updated_at.isoformat()}


def must_be_city(unit):
    if unit.get("tier") != "city":
        raise Forbidden("only the city federation reviews innovation studios", {"unit_id": unit.get("id")})


def leader_conflict(row, honouree_id):
    why = "is not on your roster" if row is None else \
        "is deceased" if row["employment_status"] == "deceased" else "holds no active honour"
    return Conflict(f"the studio's leader must be an honouree with an active honour: {honouree_id} {why}",
                    {"leader_honouree_id": honouree_id, "missing": ["leader"]})


def apply(uow, actor, data, leader_row):
    """A new application (returns (studio, new)); ``leader_row``: the leader's roster row (eligible)."""
    session, now = uow.session, uow.database.clock.now()
    earlier = earlier_request(session, Studio, data.get("request_id"))
    if earlier is not None:
        return earlier, False
    if leader_row is None or not leader_row["eligible"]:
        raise leader_conflict(leader_row, data["leader_honouree_id"])
    evidence = data.get("evidence") or {}
    made = Studio(id=new_id(), request_id=data.get("request_id"), name=data["name"],
                  applicant_unit_id=data["unit_id"], leader_honouree_id=data["leader_honouree_id"],
                  status=StudioStatus.APPLIED, applied_by_account=actor.account, version=1, created_at=now,
                  updated_at=now, **{f"evidence_{k}": evidence.get(k) for k in CRITERIA})
    made, new = add_once(session, made)
    if not new:
        return made, False
    record_change(uow, actor, "studio", made.id, "applied", None, snapshot(made))
    return made, True


def must_be_applied(found, what):
    if found.status is not StudioStatus.APPLIED:
        raise Conflict(f"the studio is {found.status.value}: only an application waiting for the city's decision "
                       f"can {what}", {"studio_id": found.id, "status": found.status.value})


def change_evidence(uow, actor, studio_id, changes, scope):
    found = in_scope(uow.session, studio_id, scope, lock=True)
    must_be_applied(found, "change its evidence")
    before = snapshot(found)
    for name, value in changes.items():
        setattr(found, f"evidence_{name}", value)
    if snapshot(found) != before:
        found.version += 1
        found.updated_at = uow.database.clock.now()
        record_change(uow, actor, "studio", found.id, "evidence_changed", before, snapshot(found))
    return found


def recognise(uow, actor, studio_id, data, scope, leader_eligible, this_year):
    """The city recognises an application with every criterion evidenced; 409 naming what is missing."""
    found = in_scope(uow.session, studio_id, scope, lock=True)
    must_be_applied(found, "be recognised")
    lacking = missing(found, leader_eligible)
    if lacking:
        raise Conflict(f"the studio cannot be recognised: no evidence of {', '.join(lacking)} (六有)",
                       {"studio_id": found.id, "missing": lacking})
    before = snapshot(found)
    found.status, found.level = StudioStatus.RECOGNISED, StudioLevel(data["level"])
    found.recognised_year = data.get("year") or this_year
    return _decided(uow, actor, found, before, data.get("note"), "recognised")


def decline(uow, actor, studio_id, reason, scope):
    found = in_scope(uow.session, studio_id, scope, lock=True)
    must_be_applied(found, "be declined")
    before = snapshot(found)
    found.status = StudioStatus.DECLINED
    return _decided(uow, actor, found, before, reason, "declined")


def _decided(uow, actor, found, before, note, action):
    found.decision_note = note
    found.decided_by_account = actor.account
    found.decided_at = found.updated_at = uow.database.clock.now()
    found.version += 1
    uow.session.flush()
    record_change(uow, actor, "studio", found.id, action, before, snapshot(found))
    if action == "recognised":
        uow.record_event("studio_recognised", {"studio_id": found.id, "applicant_unit_id": found.applicant_unit_id,
                                               "leader_honouree_id": found.leader_honouree_id,
                                               "level": found.level.value, "year": found.recognised_year})
    return found


def listing(session, units, params):
    where = [Studio.applicant_unit_id.in_(sorted(units))]
    if params.get("status"):
        where.append(Studio.status == StudioStatus(params["status"]))
    if params.get("level"):
        where.append(Studio.level == StudioLevel(params["level"]))
    if params.get("year"):
        where.append(Studio.recognised_year == params["year"])
    total = session.scalar(select(func.count()).select_from(Studio).where(*where))
    page, size = params["page"], params["page_size"]
    found = session.scalars(select(Studio).where(*where).order_by(Studio.created_at.desc(), Studio.id)
                            .limit(size).offset((page - 1) * size)).all() if total else []
    return found, total


def yearly_count(session, units, year):
    """The year's recognitions in scope by level, and the city-level ones against the target."""
    rows = session.execute(select(Studio.level, func.count()).where(
        Studio.applicant_unit_id.in_(sorted(units)), Studio.status == StudioStatus.RECOGNISED,
        Studio.recognised_year == year).group_by(Studio.level)).all()
    by_level = {level.value: 0 for level in StudioLevel}
    by_level.update({level.value: n for level, n in rows})
    municipal = by_level[StudioLevel.MUNICIPAL.value]
    return {"year": year, "by_level": by_level, "municipal": municipal, "target": YEARLY_TARGET,
            "shortfall": max(0, YEARLY_TARGET - municipal)}


def assessment_view(a):
    return {"year": a.year, "result": a.result.value, "patents": a.patents, "techniques": a.techniques,
            "awards": a.awards, "economic_benefit": a.economic_benefit, "note": a.note,
            "assessed_by_account": a.assessed_by_account, "assessed_at": a.assessed_at.isoformat()}


def assess(uow, actor, studio_id, data, scope):
    """The city's yearly assessment of a recognised studio, with the year's outputs; once a year."""
    session = uow.session
    found = in_scope(session, studio_id, scope, lock=True)
    if found.status is not StudioStatus.RECOGNISED:
        raise Conflict(f"the studio is {found.status.value}: only a recognised studio is assessed",
                       {"studio_id": found.id, "status": found.status.value})
    if data["year"] < found.recognised_year:
        raise Invalid("the studio was recognised later", {"year": [f"{found.recognised_year} or later"]})
    if any(a.year == data["year"] for a in found.assessments):
        raise Conflict(f"the studio is assessed for {data['year']} already", {"studio_id": found.id,
                                                                              "year": data["year"]})
    made = StudioAssessment(id=new_id(), studio_id=found.id, year=data["year"],
                            result=AssessmentResult(data["result"]), patents=data["patents"],
                            techniques=data["techniques"], awards=data["awards"],
                            economic_benefit=data["economic_benefit"], note=data.get("note"),
                            assessed_by_account=actor.account, assessed_at=uow.database.clock.now())
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError:  # the same year assessed in between
        raise Conflict(f"the studio is assessed for {data['year']} already",
                       {"studio_id": found.id, "year": data["year"]}) from None
    found.version += 1
    found.updated_at = made.assessed_at
    session.flush()
    session.expire(found, ["assessments"])
    record_change(uow, actor, "studio", found.id, "assessed", None, assessment_view(made))
    return found
