"""Recuperation (疗休养): five-year plans, batches, allocation, the overdue list, plan progress.

Every in-service honouree should go at least once every two years; the programme has 12,000
places over five years, in batches (by trade, or with family).

- A plan and its batches belong to a unit (the actor's when created): they are seen and changed
  only by actors whose scope holds that unit; elsewhere they answer 404 as if absent.
- Allocation fills a batch's free places from the registry's roster of the caller's scope
  (eligible, in service): first those with no recuperation in the last two years, then the
  longest since their last one, then by id (``allocation_order``). A recuperation counts by its
  batch's end date; a declined or cancelled place does not count. Nobody holds two places in
  one batch (even after declining); someone holding a place in another batch whose dates
  overlap is skipped. Places are bounded by the batch's capacity and the plan's places.
- A place moves allocated → attended | declined | cancelled; declined and cancelled free it, and
  running the allocation again fills it. Attended needs the batch to have started.
- Overdue: in-service eligible honourees of the scope with no attended recuperation whose
  batch ended within the last two years (by the clock).
- Progress: places used (allocated + attended) against the plan's places, per year of the
  batches' start dates and in total.
"""
from datetime import date

from sqlalchemy import func, select

from services.chassis.audit import record_change, trail_of
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, Invalid, NotFound

from .models.recuperation import (
    BatchKind,
    PlaceStatus,
    RecuperationAllocation,
    RecuperationBatch,
    RecuperationPlace,
    RecuperationPlan,
)
from .schemas.recuperation import PLAN_YEARS

TAKEN = (PlaceStatus.ALLOCATED, PlaceStatus.ATTENDED)  # a place that counts; the others are freed
ROSTER_QUERY = {"eligible": True, "employment_status": "in_service"}  # who recuperation is for


# --- the rules, in plain Python ------------------------------------------------------------------

def two_years_before(today):
    """The same day two years earlier (29 February falls back to the 28th)."""
    try:
        return today.replace(year=today.year - 2)
    except ValueError:
        return today.replace(year=today.year - 2, day=28)


def recent(last_end, cutoff):
    """Whether a recuperation ending on ``last_end`` lies within the two years after ``cutoff``."""
    return last_end is not None and last_end > cutoff


def allocation_order(honouree_ids, last_end, cutoff):
    """Who comes first: no recuperation in the last two years, then the longest since the last
    one (never comes before any date), then by id. ``last_end``: {honouree_id: date}."""
    def key(honouree_id):
        last = last_end.get(honouree_id)
        return (recent(last, cutoff), last or date.min, honouree_id)
    return sorted(honouree_ids, key=key)


def overlaps(start, end, other_start, other_end):
    return start <= other_end and other_start <= end


def choose(honouree_ids, taken, in_batch, start, end, free, cutoff):
    """The honourees to allocate to a batch of ``start``..``end`` with ``free`` places, and how many
    were skipped because a place they hold in another batch overlaps it.

    ``taken``: {honouree_id: [(start, end), ...]} of the places they hold (allocated or attended)
    in other batches; ``in_batch``: who has (or had) a place in this batch already."""
    last_end = {h: max(e for _, e in spans) for h, spans in taken.items() if spans}
    chosen, skipped = [], 0
    for honouree_id in allocation_order([h for h in honouree_ids if h not in in_batch], last_end, cutoff):
        if len(chosen) >= free:
            break
        if any(overlaps(start, end, s, e) for s, e in taken.get(honouree_id, ())):
            skipped += 1
            continue
        chosen.append(honouree_id)
    return chosen, skipped


NEXT_STATUS = {PlaceStatus.ALLOCATED: {PlaceStatus.ATTENDED, PlaceStatus.DECLINED, PlaceStatus.CANCELLED}}


# --- plans ---------------------------------------------------------------------------------------

def create_plan(uow, actor, data):
    """A five-year plan of the actor's unit; the same ``request_id`` returns it again."""
    session, now = uow.session, uow.database.clock.now()
    if data.get("request_id"):
        earlier = earlier_request(session, RecuperationPlan, data["request_id"])
        if earlier is not None:
            if earlier.unit_id != actor.unit_id:  # another unit's request: not this caller's to see
                raise Conflict("this request_id was used by another unit", {"request_id": data["request_id"]})
            return earlier
    plan = RecuperationPlan(
        id=new_id(), request_id=data.get("request_id"), unit_id=actor.unit_id, name=data["name"],
        first_year=data["first_year"], last_year=data["first_year"] + PLAN_YEARS - 1, places=data["places"],
        created_by_account=actor.account, created_at=now)
    session.add(plan)
    session.flush()
    record_change(uow, actor, "recuperation_plan", plan.id, "created", None, plan_snapshot(plan))
    return plan


def get_plan(session, scope, plan_id, lock=False):
    plan = session.get(RecuperationPlan, plan_id, with_for_update=lock or None) if isinstance(plan_id, str) else None
    if plan is None or plan.unit_id not in scope:
        raise NotFound(f"no recuperation plan {plan_id!r}", {"plan_id": plan_id})
    return plan


def list_plans(session, scope, page, page_size):
    query = select(RecuperationPlan).where(RecuperationPlan.unit_id.in_(list(scope)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(RecuperationPlan.first_year.desc(), RecuperationPlan.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


def plan_snapshot(plan):
    return {"unit_id": plan.unit_id, "name": plan.name, "first_year": plan.first_year,
            "last_year": plan.last_year, "places": plan.places}


def plan_view(plan):
    return dict(plan_snapshot(plan), id=plan.id, created_by_account=plan.created_by_account,
                created_at=plan.created_at.isoformat())


def used_by_batch(session, batch_ids):
    """{batch_id: {status value: count}} of the batches' places."""
    counts = {b: {s.value: 0 for s in PlaceStatus} for b in batch_ids}
    if batch_ids:
        rows = session.execute(select(RecuperationPlace.batch_id, RecuperationPlace.status, func.count())
                               .where(RecuperationPlace.batch_id.in_(list(batch_ids)))
                               .group_by(RecuperationPlace.batch_id, RecuperationPlace.status)).all()
        for batch_id, status, n in rows:
            counts[batch_id][status.value] = n
    return counts


def used_of_plan(session, plan_id):
    return session.scalar(select(func.count()).select_from(RecuperationPlace).join(
        RecuperationBatch, RecuperationBatch.id == RecuperationPlace.batch_id).where(
        RecuperationBatch.plan_id == plan_id, RecuperationPlace.status.in_(TAKEN)))


def progress(session, scope, plan_id):
    """Places used (allocated + attended) against the plan's places, per year and in total."""
    plan = get_plan(session, scope, plan_id)
    batches = session.scalars(select(RecuperationBatch).where(RecuperationBatch.plan_id == plan.id)).all()
    counts = used_by_batch(session, [b.id for b in batches])
    years = {y: {"year": y, "batches": 0, "capacity": 0, "allocated": 0, "attended": 0, "used": 0}
             for y in range(plan.first_year, plan.last_year + 1)}
    for batch in batches:
        row = years[batch.start_date.year]  # a batch starts within the plan's years (create_batch)
        used = counts[batch.id]
        row["batches"] += 1
        row["capacity"] += batch.capacity
        row["allocated"] += used["allocated"]
        row["attended"] += used["attended"]
        row["used"] += used["allocated"] + used["attended"]
    rows = [years[y] for y in sorted(years)]
    total = {name: sum(r[name] for r in rows) for name in ("batches", "capacity", "allocated", "attended", "used")}
    total.update(places=plan.places, remaining=max(plan.places - total["used"], 0))
    return {"plan": plan_view(plan), "years": rows, "total": total}


# --- batches -------------------------------------------------------------------------------------

def create_batch(uow, actor, scope, plan_id, data):
    """A batch of the plan (its dates within the plan's years); the same ``request_id`` returns it."""
    session, now = uow.session, uow.database.clock.now()
    plan = get_plan(session, scope, plan_id)
    if data.get("request_id"):
        earlier = earlier_request(session, RecuperationBatch, data["request_id"])
        if earlier is not None:
            if earlier.plan_id != plan.id:
                raise Conflict("this request_id made a batch of another plan", {"request_id": data["request_id"]})
            return earlier
    for field in ("start_date", "end_date"):
        if not plan.first_year <= data[field].year <= plan.last_year:
            raise Invalid("the batch lies outside the plan's years", {
                field: [f"within {plan.first_year}..{plan.last_year}, the plan's years"]})
    if data["capacity"] > plan.places:
        raise Invalid("the batch holds more than the plan's places", {
            "capacity": [f"at most the plan's {plan.places} places"]})
    batch = RecuperationBatch(
        id=new_id(), request_id=data.get("request_id"), plan_id=plan.id, unit_id=plan.unit_id,
        destination=data["destination"], start_date=data["start_date"], end_date=data["end_date"],
        capacity=data["capacity"], kind=BatchKind(data["kind"]), trade=data.get("trade"),
        created_by_account=actor.account, created_at=now)
    session.add(batch)
    session.flush()
    record_change(uow, actor, "recuperation_batch", batch.id, "created", None, batch_snapshot(batch))
    return batch


def get_batch(session, scope, batch_id, lock=False):
    batch = (session.get(RecuperationBatch, batch_id, with_for_update=lock or None)
             if isinstance(batch_id, str) else None)
    if batch is None or batch.unit_id not in scope:
        raise NotFound(f"no recuperation batch {batch_id!r}", {"batch_id": batch_id})
    return batch


def list_batches(session, scope, plan_id, page, page_size):
    plan = get_plan(session, scope, plan_id)
    query = select(RecuperationBatch).where(RecuperationBatch.plan_id == plan.id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(RecuperationBatch.start_date, RecuperationBatch.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


def batch_snapshot(batch):
    return {"plan_id": batch.plan_id, "unit_id": batch.unit_id, "destination": batch.destination,
            "start_date": batch.start_date.isoformat(), "end_date": batch.end_date.isoformat(),
            "capacity": batch.capacity, "kind": batch.kind.value, "trade": batch.trade}


def batch_views(session, batches):
    counts = used_by_batch(session, [b.id for b in batches])
    return [batch_view(b, counts[b.id]) for b in batches]


def batch_view(batch, counts):
    used = counts["allocated"] + counts["attended"]
    return dict(batch_snapshot(batch), id=batch.id, created_by_account=batch.created_by_account,
                created_at=batch.created_at.isoformat(), places=dict(counts),
                free=max(batch.capacity - used, 0))


# --- allocation ----------------------------------------------------------------------------------

def allocate(uow, actor, scope, batch_id, data, roster, today):
    """Fill the batch's free places from ``roster`` (the registry's eligible in-service honourees
    of the actor's scope). Returns (batch, run, places); a retry with the run's ``request_id``
    returns the first run's places."""
    session, now = uow.session, uow.database.clock.now()
    batch = get_batch(session, scope, batch_id, lock=True)
    if data.get("request_id"):
        earlier = earlier_request(session, RecuperationAllocation, data["request_id"])
        if earlier is not None:
            if earlier.batch_id != batch.id:
                raise Conflict("this request_id allocated another batch", {"batch_id": earlier.batch_id})
            return batch, earlier, places_of_run(session, earlier.id)
    plan = get_plan(session, scope, batch.plan_id, lock=True)  # one allocation of a plan at a time
    in_batch = set(session.scalars(select(RecuperationPlace.honouree_id)
                                   .where(RecuperationPlace.batch_id == batch.id)).all())
    counts = used_by_batch(session, [batch.id])[batch.id]
    free = min(batch.capacity - counts["allocated"] - counts["attended"],
               plan.places - used_of_plan(session, plan.id))
    candidates = [row["honouree_id"] for row in roster
                  if row.get("eligible") and row.get("employment_status") == "in_service"]
    wanted = set(candidates)
    taken = {}
    for honouree_id, start, end in session.execute(
            select(RecuperationPlace.honouree_id, RecuperationBatch.start_date, RecuperationBatch.end_date)
            .join(RecuperationBatch, RecuperationBatch.id == RecuperationPlace.batch_id)
            .where(RecuperationPlace.status.in_(TAKEN), RecuperationPlace.batch_id != batch.id)):
        if honouree_id in wanted:
            taken.setdefault(honouree_id, []).append((start, end))
    chosen, skipped = choose(candidates, taken, in_batch, batch.start_date, batch.end_date, max(free, 0),
                             two_years_before(today))
    run = RecuperationAllocation(id=new_id(), request_id=data.get("request_id"), batch_id=batch.id,
                                 skipped_overlapping=skipped, account=actor.account, at=now)
    session.add(run)
    session.flush()
    places = []
    for position, honouree_id in enumerate(chosen, 1):
        place = RecuperationPlace(id=new_id(), batch_id=batch.id, honouree_id=honouree_id,
                                  status=PlaceStatus.ALLOCATED, allocation_id=run.id, position=position,
                                  allocated_at=now, updated_at=now)
        session.add(place)
        places.append(place)
    session.flush()
    for place in places:
        record_change(uow, actor, "recuperation_place", place.id, "allocated", None, place_snapshot(place))
    return batch, run, places


def places_of_run(session, run_id):
    return session.scalars(select(RecuperationPlace).where(RecuperationPlace.allocation_id == run_id)
                           .order_by(RecuperationPlace.position)).all()


def allocation_view(session, batch, run, places):
    return {"allocation_id": run.id, "batch": batch_views(session, [batch])[0],
            "allocated": [place_view(p) for p in places], "skipped_overlapping": run.skipped_overlapping}


# --- places --------------------------------------------------------------------------------------

def get_place(session, scope, place_id, lock=False):
    place = (session.get(RecuperationPlace, place_id, with_for_update=lock or None)
             if isinstance(place_id, str) else None)
    batch = session.get(RecuperationBatch, place.batch_id) if place is not None else None
    if batch is None or batch.unit_id not in scope:
        raise NotFound(f"no recuperation place {place_id!r}", {"place_id": place_id})
    return place, batch


def record_outcome(uow, actor, scope, place_id, data, today):
    """allocated → attended (once the batch has started) | declined | cancelled. Asking for the
    status the place has already changes nothing (a retry)."""
    session, now = uow.session, uow.database.clock.now()
    place, batch = get_place(session, scope, place_id, lock=True)
    status = PlaceStatus(data["status"])
    if place.status == status:
        return place
    if status not in NEXT_STATUS.get(place.status, ()):
        raise Conflict(f"a place {place.status.value} cannot become {status.value}",
                       {"status": place.status.value, "allowed_from": PlaceStatus.ALLOCATED.value})
    if status == PlaceStatus.ATTENDED and today < batch.start_date:
        raise Conflict("the batch has not started yet", {"start_date": batch.start_date.isoformat()})
    before = place_snapshot(place)
    place.status = status
    place.note = data.get("note")
    place.updated_at = now
    record_change(uow, actor, "recuperation_place", place.id, status.value, before, place_snapshot(place))
    return place


def list_places(session, scope, batch_id, status, page, page_size):
    batch = get_batch(session, scope, batch_id)
    query = select(RecuperationPlace).where(RecuperationPlace.batch_id == batch.id)
    if status is not None:
        query = query.where(RecuperationPlace.status == PlaceStatus(status))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(RecuperationPlace.allocated_at, RecuperationPlace.position,
                                           RecuperationPlace.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


def place_snapshot(place):
    return {"batch_id": place.batch_id, "honouree_id": place.honouree_id, "status": place.status.value,
            "note": place.note}


def place_view(place):
    return dict(place_snapshot(place), id=place.id, allocation_id=place.allocation_id,
                allocated_at=place.allocated_at.isoformat(), updated_at=place.updated_at.isoformat())


def batch_trail(session, metadata, scope, batch_id):
    """The batch's recorded changes and its places', oldest first."""
    batch = get_batch(session, scope, batch_id)
    place_ids = session.scalars(select(RecuperationPlace.id).where(RecuperationPlace.batch_id == batch.id)).all()
    return trail_of(session, metadata, {"recuperation_batch": [batch.id], "recuperation_place": place_ids})


# --- the overdue list ----------------------------------------------------------------------------

def last_attended(session):
    """{honouree_id: the end date of their latest attended recuperation}."""
    rows = session.execute(select(RecuperationPlace.honouree_id, func.max(RecuperationBatch.end_date))
                           .join(RecuperationBatch, RecuperationBatch.id == RecuperationPlace.batch_id)
                           .where(RecuperationPlace.status == PlaceStatus.ATTENDED)
                           .group_by(RecuperationPlace.honouree_id)).all()
    return {honouree_id: last for honouree_id, last in rows}


def overdue(roster, last, today):
    """The in-service eligible honourees of ``roster`` with no attended recuperation in the last
    two years, most overdue first (never, then the longest since), then by id."""
    cutoff = two_years_before(today)
    people = {row["honouree_id"]: row for row in roster
              if row.get("eligible") and row.get("employment_status") == "in_service"}
    due = [h for h in people if not recent(last.get(h), cutoff)]
    return [{"honouree_id": h, "name": people[h]["name"], "managing_unit_id": people[h]["managing_unit_id"],
             "last_attended_end": last[h].isoformat() if last.get(h) else None}
            for h in allocation_order(due, last, cutoff)]


# --- for the revocation cascade (services/welfare/stops) -----------------------------------------

def cancel_future_places(uow, actor, honouree_id, today, note="所有荣誉已撤销 (no active honour left)"):
    """Cancel the honouree's allocated places in batches that have not started yet; returns them.

    Past and running batches keep their record; future allocations leave the person out anyway
    (the roster's ``eligible``). Idempotent: a cancelled place is not allocated any more."""
    session, now = uow.session, uow.database.clock.now()
    places = session.scalars(select(RecuperationPlace).join(
        RecuperationBatch, RecuperationBatch.id == RecuperationPlace.batch_id).where(
        RecuperationPlace.honouree_id == honouree_id, RecuperationPlace.status == PlaceStatus.ALLOCATED,
        RecuperationBatch.start_date > today).order_by(RecuperationPlace.id).with_for_update()).all()
    for place in places:
        before = place_snapshot(place)
        place.status = PlaceStatus.CANCELLED
        place.note = note
        place.updated_at = now
        record_change(uow, actor, "recuperation_place", place.id, "cancelled", before, place_snapshot(place))
    return places
