"""Health check-ups (个性化体检): every honouree has one at least once a year.

- A check-up records its date (not in the future), the institution, and the results. The
  results are personal data: sealed at rest (``results_sealed``), shown in clear only to an
  actor with the personal-data right (else ``***``), masked in the audit trail, never in an
  event or a log (the RPC marks them sensitive).
- One check-up per honouree per calendar year (of ``checked_on``): a second is a Conflict,
  unless it is a retry with the first one's ``request_id``, which returns the first.
- Only an eligible honouree (an active honour, alive) of the actor's scope is checked; who is in
  scope comes from the registry's roster at each call, so a check-up is seen by whoever
  manages its honouree now. Another scope's check-up answers 404 as if absent.
- Overdue: eligible honourees of the scope with no check-up dated in the clock's current year.
- Coverage: per managing unit of the scope, its eligible honourees, how many were checked in the
  year, and the ratio.
"""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.chassis.audit import record_change, trail_of
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.schemas import HIDDEN

from .models.health import HealthCheckUp

ENTITY = "health_check_up"
MASKED = {"results": lambda value: HIDDEN}  # the audit trail says the results were set, never what they are


def no_such(check_up_id):
    return NotFound(f"no health check-up {check_up_id!r}", {"check_up_id": check_up_id})


def record(uow, sealer, actor, data, person, today):
    """A check-up of ``person`` (the roster's row for ``data["honouree_id"]`` in the actor's scope,
    or None); the same ``request_id`` returns the first check-up."""
    session, now = uow.session, uow.database.clock.now()
    if person is None:  # out of scope or unknown, retry or not
        raise NotFound(f"no honouree {data['honouree_id']!r}", {"honouree_id": data["honouree_id"]})
    if data.get("request_id"):
        earlier = earlier_request(session, HealthCheckUp, data["request_id"])
        if earlier is not None:
            if earlier.honouree_id != data["honouree_id"]:
                raise Conflict("this request_id recorded another honouree's check-up",
                               {"request_id": data["request_id"]})
            return earlier
    if data["checked_on"] > today:
        raise Invalid("the check-up is dated after today", {"checked_on": [f"after today ({today.isoformat()})"]})
    if not person.get("eligible"):
        raise Conflict("the honouree holds no active honour or is deceased", {"honouree_id": person["honouree_id"],
                                                                              "eligible": False})
    year = data["checked_on"].year
    clash = session.scalar(select(HealthCheckUp.id).where(HealthCheckUp.honouree_id == data["honouree_id"],
                                                          HealthCheckUp.year == year))
    if clash:
        raise Conflict("the honouree has a check-up this year already", {"check_up_id": clash, "year": year})
    check_up = HealthCheckUp(
        id=new_id(), request_id=data.get("request_id"), honouree_id=data["honouree_id"], year=year,
        checked_on=data["checked_on"], institution=data["institution"], results_sealed=sealer.seal(data["results"]),
        recorded_by_account=actor.account, recorded_by_unit_id=actor.unit_id, recorded_at=now)
    try:
        with session.begin_nested():  # a concurrent second check-up of the year meets the unique key
            session.add(check_up)
    except IntegrityError:
        raise Conflict("the honouree has a check-up this year already (or the request_id was used)",
                       {"honouree_id": data["honouree_id"], "year": year}) from None
    record_change(uow, actor, ENTITY, check_up.id, "recorded", None, dict(snapshot(check_up), results=data["results"]),
                  MASKED)
    return check_up


def find(session, check_up_id):
    """The check-up, before its honouree's scope is known (``visible`` checks it); NotFound if none."""
    check_up = session.get(HealthCheckUp, check_up_id) if isinstance(check_up_id, str) else None
    if check_up is None:
        raise no_such(check_up_id)
    return check_up


def visible(check_up, check_up_id, roster):
    """The check-up if its honouree is in ``roster`` (the actor's scope), else NotFound as if absent."""
    if not any(row["honouree_id"] == check_up.honouree_id for row in roster):
        raise no_such(check_up_id)
    return check_up


def listing(session, honouree_ids, year, page, page_size):
    if not honouree_ids:
        return [], 0
    query = select(HealthCheckUp).where(HealthCheckUp.honouree_id.in_(list(honouree_ids)))
    if year is not None:
        query = query.where(HealthCheckUp.year == year)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(HealthCheckUp.checked_on.desc(), HealthCheckUp.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


def snapshot(check_up):
    return {"honouree_id": check_up.honouree_id, "year": check_up.year, "checked_on": check_up.checked_on.isoformat(),
            "institution": check_up.institution}


def view(check_up, actor, sealer):
    results = sealer.unseal(check_up.results_sealed) if actor.personal_data else HIDDEN
    return dict(snapshot(check_up), id=check_up.id, results=results,
                recorded_by_account=check_up.recorded_by_account,
                recorded_by_unit_id=check_up.recorded_by_unit_id, recorded_at=check_up.recorded_at.isoformat())


def trail(session, metadata, check_up):
    return trail_of(session, metadata, {ENTITY: [check_up.id]})


# --- overdue and coverage ------------------------------------------------------------------------

def checked_in(session, year):
    """The honourees with a check-up in ``year``."""
    return set(session.scalars(select(HealthCheckUp.honouree_id).where(HealthCheckUp.year == year)).all())


def last_checked(session):
    """{honouree_id: the date of their latest check-up}."""
    rows = session.execute(select(HealthCheckUp.honouree_id, func.max(HealthCheckUp.checked_on))
                           .group_by(HealthCheckUp.honouree_id)).all()
    return {honouree_id: last for honouree_id, last in rows}


def overdue(roster, checked, last):
    """The eligible honourees of ``roster`` not in ``checked``: never checked first, then the
    longest since their last check-up, then by id."""
    due = [row for row in roster if row.get("eligible") and row["honouree_id"] not in checked]
    due.sort(key=lambda row: (last.get(row["honouree_id"]) or date.min, row["honouree_id"]))
    return [{"honouree_id": row["honouree_id"], "name": row["name"], "managing_unit_id": row["managing_unit_id"],
             "last_checked_on": last[row["honouree_id"]].isoformat() if last.get(row["honouree_id"]) else None}
            for row in due]


def ratio(part, whole):
    return round(part / whole, 4) if whole else 0.0


def coverage(roster, checked, units, year):
    """Per managing unit of the roster's eligible honourees: how many, how many checked, the ratio."""
    by_unit = {}
    for row in roster:
        if not row.get("eligible"):
            continue
        counts = by_unit.setdefault(row["managing_unit_id"], [0, 0])
        counts[0] += 1
        counts[1] += row["honouree_id"] in checked
    rows = [{"unit_id": unit_id, "unit_name": (units.get(unit_id) or {}).get("name"), "eligible": eligible,
             "checked": done, "ratio": ratio(done, eligible)}
            for unit_id, (eligible, done) in sorted(by_unit.items())]
    eligible = sum(r["eligible"] for r in rows)
    done = sum(r["checked"] for r in rows)
    return {"year": year, "units": rows, "total": {"eligible": eligible, "checked": done, "ratio": ratio(done, eligible)}}
