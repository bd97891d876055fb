"""Reading and growing the union tree in the registry's database."""
from sqlalchemy import bindparam, case, func, or_, select

from services.chassis.errors import Conflict, Invalid, NotFound

from .domain import Tier, placement_errors
from .models import Unit

# list units from the city down, not in the alphabetical order of tier names
TIER_ORDER = case(*[(Unit.tier == tier, rank) for rank, tier in enumerate(Tier)], else_=len(Tier))


def get_unit(session, unit_id):
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"no unit {unit_id!r}", {"unit_id": unit_id})
    return unit


def get_units(session, unit_ids):
    if not isinstance(unit_ids, (list, tuple)) or not all(isinstance(i, str) for i in unit_ids):
        raise Invalid("unit_ids must be a list of unit ids", {"unit_ids": ["expected a list of strings"]})
    return session.scalars(select(Unit).where(Unit.id.in_(list(unit_ids))).order_by(Unit.id)).all()


def children(session, unit_id):
    """The units directly below ``unit_id`` in either tree."""
    get_unit(session, unit_id)
    return session.scalars(
        select(Unit).where(or_(Unit.parent_id == unit_id, Unit.system_parent_id == unit_id))
        .order_by(TIER_ORDER, Unit.id)).all()


def scope(session, unit_id):
    """``unit_id`` and every unit below it in either tree, by a recursive query.

    ``UNION`` (not ``UNION ALL``) drops a unit reached along both trees once.
    """
    get_unit(session, unit_id)
    return sorted(session.scalars(scope_query(unit_id)).all())


def scope_query(unit_id):
    """The recursive SELECT of ``scope``, to use inside another query (``IN (...)``); an
    unknown unit's scope is empty."""
    units = Unit.__table__
    below = select(units.c.id).where(units.c.id == unit_id).cte("below", recursive=True)
    below = below.union(
        select(units.c.id).join(
            below, or_(units.c.parent_id == below.c.id, units.c.system_parent_id == below.c.id)))
    return select(below.c.id)


def above_query(unit_id):
    """The recursive CTE of ``unit_id`` (any SQL expression) and every unit above it in either tree."""
    units = Unit.__table__
    above = select(units.c.id, units.c.parent_id, units.c.system_parent_id) \
        .where(units.c.id == unit_id).cte("above", recursive=True)
    return above.union(
        select(units.c.id, units.c.parent_id, units.c.system_parent_id).join(
            above, or_(units.c.id == above.c.parent_id, units.c.id == above.c.system_parent_id)))


# built once: making a recursive CTE costs more than running it (SQLAlchemy caches the compiled form)
_ABOVE = above_query(bindparam("unit_id"))
ENCLOSES = select(_ABOVE.c.id).where(_ABOVE.c.id == bindparam("outer_id")).limit(1)


def encloses(session, outer_id, unit_id):
    """Whether ``unit_id`` is ``outer_id`` or below it in either tree: one query up from the unit,
    cheaper than ``scope`` when one record is checked."""
    if outer_id == unit_id:
        return True
    return session.scalar(ENCLOSES, {"unit_id": unit_id, "outer_id": outer_id}) is not None


def list_units(session, tier=None, parent_id=None, page=1, page_size=50):
    query = select(Unit)
    if tier is not None:
        query = query.where(Unit.tier == Tier(tier))
    if parent_id is not None:
        query = query.where(or_(Unit.parent_id == parent_id, Unit.system_parent_id == parent_id))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(
        query.order_by(TIER_ORDER, Unit.id).offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


def add_unit(session, data, now):
    """Place a new unit; the same request again returns the unit it made."""
    tier = Tier(data["tier"])
    existing = session.get(Unit, data["id"])
    if existing is not None:
        same = (existing.name, existing.tier, existing.parent_id, existing.system_parent_id) == (
            data["name"], tier, data["parent_id"], data["system_parent_id"])
        if same:
            return existing
        raise Conflict(f"unit {data['id']!r} exists with other details", {"unit_id": data["id"]})
    parent = session.get(Unit, data["parent_id"]) if data["parent_id"] else None
    system_parent = session.get(Unit, data["system_parent_id"]) if data["system_parent_id"] else None
    if tier is Tier.CITY and session.scalar(select(Unit.id).where(Unit.tier == Tier.CITY)):
        raise Conflict("there is already a city federation; the tree has one root")
    errors = placement_errors(
        tier, parent.tier if parent else None, system_parent.tier if system_parent else None,
        data["parent_id"], data["system_parent_id"])
    if errors:
        raise Invalid("the unit cannot be placed there", errors)
    clash = session.scalar(select(Unit.id).where(
        Unit.parent_id == data["parent_id"], Unit.name == data["name"]))
    if clash:
        raise Conflict(f"{data['name']!r} already exists under that parent", {"unit_id": clash})
    unit = Unit(id=data["id"], name=data["name"], tier=tier, parent_id=data["parent_id"],
                system_parent_id=data["system_parent_id"], created_at=now)
    session.add(unit)
    session.flush()
    return unit


def add_unit_in_scope(session, actor, data, now):
    """Place a new unit below units in the actor's scope (both parents, where a system parent is
    named); a parent outside it is NotFound, as if absent. The same request again returns the unit.
    Returns ``(unit, made)``: ``made`` is False for the earlier unit returned again."""
    for field in ("parent_id", "system_parent_id"):
        if data.get(field) and not encloses(session, actor.unit_id, data[field]):
            raise NotFound(f"no unit {data[field]!r}", {field: data[field]})
    existed = session.get(Unit, data["id"]) is not None
    return add_unit(session, data, now), not existed
