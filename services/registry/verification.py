"""Annual verification (年度更新): each living record, once per calendar year, by its managing unit.

The year is the year of the service clock's ``today()`` (Beijing time). A
verification confirms the record as it stands or corrects it (through
:func:`honourees.correct`); either way it sets ``Honouree.verified_year`` and
writes a :class:`Verification` row, unique per record and year.
"""
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from services.chassis.audit import record_change
from services.chassis.clock import BEIJING
from services.chassis.errors import Conflict, Forbidden, Invalid

from . import honourees, tree
from .domain import Tier
from .models import Honouree, Unit, Verification
from .people import EmploymentStatus

CONFIRMED, CORRECTED = "confirmed", "corrected"
TIER_RANK = {tier: rank for rank, tier in enumerate(Tier)}


def locked(session, honouree_id):
    """The honouree's row, re-read and locked for this transaction (FOR UPDATE on PostgreSQL;
    SQLite's ``BEGIN IMMEDIATE`` already serialises writers)."""
    return session.scalars(select(Honouree).where(Honouree.id == honouree_id).with_for_update()
                           .execution_options(populate_existing=True)).one()


def verify(uow, sealer, actor, honouree_id, data):
    """Confirm or correct one record for this year; returns the honouree and the verification."""
    session = uow.session
    honouree = honourees.get(session, actor, honouree_id)
    if actor.unit_id != honouree.managing_unit_id:
        raise Forbidden("only the record's managing unit verifies it",
                        {"managing_unit_id": honouree.managing_unit_id})
    honouree = locked(session, honouree.id)
    if honouree.employment_status is EmploymentStatus.DECEASED:
        raise Conflict("a deceased honouree's record is not verified yearly",
                       {"employment_status": honouree.employment_status.value})
    year = uow.database.clock.today().year
    earlier = session.scalar(select(Verification).where(
        Verification.honouree_id == honouree.id, Verification.year == year))
    if earlier is not None:
        raise Conflict(f"the record is already verified for {year}",
                       {"year": year, "verified_by": earlier.account, "outcome": earlier.outcome})
    if data["outcome"] == CORRECTED:
        version = honouree.version
        honouree = honourees.correct(uow, sealer, actor, honouree.id, data["changes"])
        if honouree.version == version:
            raise Invalid("the changes leave the record as it is; verify it as confirmed",
                          {"changes": ["nothing differs from the record"]})
    now = uow.database.clock.now()
    before = honouree.verified_year
    verification = Verification(honouree_id=honouree.id, year=year, unit_id=actor.unit_id,
                                outcome=data["outcome"], account=actor.account, at=now)
    session.add(verification)
    honouree.verified_year = year
    honouree.updated_at = now
    try:
        session.flush()
    except IntegrityError:  # a verification of the same record committed meanwhile
        raise Conflict(f"the record is already verified for {year}", {"year": year}) from None
    record_change(uow, actor, "honouree", honouree.id, "verified",
                  {"verified_year": before}, {"verified_year": year, "outcome": data["outcome"]})
    return honouree, verification


def verification_view(verification):
    return {"id": verification.id, "honouree_id": verification.honouree_id, "year": verification.year,
            "unit_id": verification.unit_id, "outcome": verification.outcome,
            "account": verification.account, "at": verification.at.isoformat()}


# who is overdue, and how far each unit has got ------------------------------------------------

def scope_filter(session, actor, unit_id):
    """The managing units to look at: the actor's scope, or the part of it below ``unit_id``."""
    scope = honourees.in_scope(session, actor)
    if unit_id is None:
        return scope
    if unit_id not in scope:
        raise Invalid("the unit is not the caller's unit or one below it",
                      {"unit_id": ["outside the caller's scope"]})
    return set(tree.scope(session, unit_id))


def living():
    return Honouree.employment_status != EmploymentStatus.DECEASED


def overdue(session, actor, today, unit_id=None, page=1, page_size=50):
    """Living records in scope not verified in ``today``'s year (``people.verification_due``)."""
    units = scope_filter(session, actor, unit_id)
    query = select(Honouree).where(
        Honouree.managing_unit_id.in_(units), living(),
        or_(Honouree.verified_year.is_(None), Honouree.verified_year < today.year))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Honouree.managing_unit_id, Honouree.name, Honouree.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


def overdue_view(honouree):
    """Enough to find and verify the record; no personal data."""
    return {"id": honouree.id, "name": honouree.name, "category": honouree.category.value,
            "employer": honouree.employer, "employment_status": honouree.employment_status.value,
            "managing_unit_id": honouree.managing_unit_id, "district_id": honouree.district_id,
            "verified_year": honouree.verified_year}


def rate(verified, due):
    return round(verified / due, 4) if due else None


def progress(session, actor, today, year=None):
    """Per managing unit in scope: living records held by the end of ``year`` (due) and how many
    of them were verified in that year, with the completion rate; and the total."""
    year = today.year if year is None else year
    if year > today.year:
        raise Invalid("the year has not begun", {"year": [f"at most {today.year}"]})
    scope = honourees.in_scope(session, actor)
    year_end = datetime(year + 1, 1, 1, tzinfo=BEIJING)
    verified_in_year = and_(Verification.honouree_id == Honouree.id, Verification.year == year)
    rows = session.execute(
        select(Honouree.managing_unit_id, Unit.name, Unit.tier, func.count(Honouree.id),
               func.count(Verification.id))
        .join(Unit, Unit.id == Honouree.managing_unit_id)
        .outerjoin(Verification, verified_in_year)
        .where(Honouree.managing_unit_id.in_(scope), living(), Honouree.created_at < year_end)
        .group_by(Honouree.managing_unit_id, Unit.name, Unit.tier)).all()
    rows = sorted(rows, key=lambda row: (TIER_RANK[row[2]], row[0]))  # from the city down
    units = [{"unit_id": unit_id, "unit_name": name, "due": due, "verified": verified,
              "rate": rate(verified, due)} for unit_id, name, _, due, verified in rows]
    due = sum(u["due"] for u in units)
    verified = sum(u["verified"] for u in units)
    return {"year": year, "units": units,
            "total": {"due": due, "verified": verified, "rate": rate(verified, due)}}
