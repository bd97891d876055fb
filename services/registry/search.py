"""Reading many honourees at once: get many, search, statistics, export. In the caller's scope.

A caller sees the records managed by its unit and every unit below it, in both
trees (tree.scope); a record outside that scope does not exist for it here
either: it is absent from a get-many answer, a search, the statistics and an
export.

Every filter runs in SQL, in one statement with the scope (a recursive subquery,
tree.scope_query; none for the city federation, whose scope is every unit).
The honour filters are an EXISTS over honours answered from ix_honours_holder,
or, with an honour type, an IN over the holders of that type. A page is its
count, its ids (both read from the covering indexes of migration 0004), its
rows and their honours: four statements whatever its size, and the views are
built from plain rows (honourees.view with the honours read).

Order: by name, then id, both compared as code points (``COLLATE "C"`` on
PostgreSQL, SQLite's default binary collation), so a page holds the same
records on either engine and under any database locale.

Reads run on a read-only connection (DatabaseEngine.reading): on SQLite they
take no write lock, so an import holding it does not hold up a search.
"""
from collections import namedtuple
from datetime import date

import eventlet
from sqlalchemy import and_, case, distinct, func, literal, not_, or_, select
from sqlalchemy.orm import aliased

from services.chassis.errors import Invalid
from services.chassis.schemas import page_of

from . import honourees, tree
from .domain import Tier
from .models import Honour, Honouree, HonourType, Unit
from .people import (
    AGE_BANDS,
    CATEGORY_FLAGS,
    TEAM_SIZE_TARGET,
    Category,
    EmploymentStatus,
    Gender,
    HonourLevel,
    HonourStatus,
)

MAX_IDS = 200
EXPORT_CHUNK = 1000
ANY_STATUS = "any"
FLAG_FILTERS = CATEGORY_FLAGS + ("beijing_hukou",)
NO_DISTRICT = "none"  # the key of records managed by a system-only unit, in by_district
# pages are read as plain rows: no ORM instances to build for what is only shown
HONOUREES, HONOURS = Honouree.__table__, Honour.__table__
HONOUR_COLUMNS = [column.label(f"honour_{column.key}") for column in HONOURS.c]
HonourRow = namedtuple("HonourRow", [column.key for column in HONOURS.c])  # an honour out of a joined row



def query_unit(session, actor, unit_id=None):
    """The unit a query covers: ``unit_id``, the actor's unit by default, which it must be
    or be below (in either tree)."""
    actors_unit = tree.get_unit(session, actor.unit_id)
    if unit_id is None or unit_id == actor.unit_id:
        return actors_unit
    unit = session.scalar(select(Unit).where(Unit.id == unit_id, Unit.id.in_(tree.scope_query(actor.unit_id))))
    if unit is None:
        raise Invalid("the unit must be the caller's unit or one below it",
                      {"unit_id": ["not the caller's unit or one below it"]})
    return unit


def name_order(session):
    """The name as the order compares it: code points on both engines."""
    if session.get_bind().dialect.name == "postgresql":
        return Honouree.name.collate("C")
    return Honouree.name


def overdue_condition(today):
    """SQL for people.verification_due: living and not verified this calendar year."""
    return and_(Honouree.employment_status != EmploymentStatus.DECEASED,
                or_(Honouree.verified_year.is_(None), Honouree.verified_year < today.year))


def honour_conditions(honour, params):
    """Conditions on one honour row from the honour filters (status ``active`` unless ``any``)."""
    conditions = []
    status = params.get("honour_status", HonourStatus.ACTIVE.value)
    if status != ANY_STATUS:
        conditions.append(honour.status == HonourStatus(status))
    if params.get("honour_type") is not None:
        conditions.append(honour.honour_type == params["honour_type"])
    if params.get("honour_level") is not None:
        conditions.append(honour.level == HonourLevel(params["honour_level"]))
    if params.get("honour_year") is not None:
        conditions.append(honour.year == params["honour_year"])
    return conditions


class Filters:
    """The WHERE clauses over ``honourees`` for a query's filters, in the actor's scope.

    ``where``: the scope (``managing_unit_id IN`` the recursive subquery of
    tree.scope_query, read from ix_honourees_search) and the filters. The city
    federation's scope is every unit (each unit hangs below it), so it needs
    no condition at all, and a page is then read in order from ix_honourees_order.
    """

    def __init__(self, session, actor, params, today):
        self.unit = query_unit(session, actor, params.get("unit_id"))
        self.scope = tree.scope_query(self.unit.id)
        self.filters = filter_conditions(params, today)
        everything = self.unit.tier is Tier.CITY
        self.where = self.filters if everything else [Honouree.managing_unit_id.in_(self.scope), *self.filters]


def filter_conditions(params, today):
    where = []
    for name, enum_class in (("category", Category), ("employment_status", EmploymentStatus),
                             ("gender", Gender)):
        if params.get(name) is not None:
            where.append(getattr(Honouree, name) == enum_class(params[name]))
    if params.get("district_id") is not None:
        where.append(Honouree.district_id == params["district_id"])
    for flag in FLAG_FILTERS:
        if params.get(flag) is not None:
            where.append(getattr(Honouree, flag).is_(bool(params[flag])))
    if params.get("name"):
        where.append(Honouree.name.contains(params["name"], autoescape=True))
    if params.get("overdue") is not None:
        due = overdue_condition(today)
        where.append(due if params["overdue"] else not_(due))
    # an alias, so the subquery stands apart from a query that joins honours itself
    honour = aliased(Honour)
    on_honour = honour_conditions(honour, params)
    if on_honour and params.get("honour_type") is not None:
        # selective: the holders of one type are found by ix_honours_type_year, then looked up
        where.append(Honouree.id.in_(select(honour.honouree_id).where(*on_honour)))
    elif on_honour:
        # "holds an active honour" and the like: one probe of ix_honours_holder per record
        # (SELECT 1, so the probe reads the index alone)
        where.append(select(literal(1)).where(honour.honouree_id == Honouree.id, *on_honour)
                     .correlate(Honouree).exists())
    return where


def honours_of(session, honouree_ids):
    """``{honouree_id: [honour row, ...]}`` for the given records, by year, in one query."""
    found = {honouree_id: [] for honouree_id in honouree_ids}
    if found:
        for honour in session.execute(select(HONOURS).where(HONOURS.c.honouree_id.in_(list(found)))
                                      .order_by(HONOURS.c.year, HONOURS.c.id)):
            found[honour.honouree_id].append(honour)
    return found


def records(session, honouree_ids):
    """``{id: honouree row}``: plain rows, which the views read like the mapped objects."""
    if not honouree_ids:
        return {}
    return {row.id: row for row in session.execute(select(HONOUREES).where(HONOUREES.c.id.in_(list(honouree_ids))))}


# get many ------------------------------------------------------------------------------------

def get_many(session, sealer, actor, honouree_ids):
    """The records with these ids that the actor may see, in the order asked (each once).

    One query reads the records, their honours and the actor's scope together;
    an id that is unknown or outside the scope is simply absent from the answer.
    """
    if not isinstance(honouree_ids, (list, tuple)) or not all(isinstance(i, str) for i in honouree_ids):
        raise Invalid("honouree_ids must be a list of honouree ids",
                      {"honouree_ids": ["expected a list of strings"]})
    if len(honouree_ids) > MAX_IDS:
        raise Invalid(f"at most {MAX_IDS} honouree ids at once",
                      {"honouree_ids": [f"{len(honouree_ids)} ids; at most {MAX_IDS}"]})
    wanted = list(dict.fromkeys(honouree_ids))
    if not wanted:
        return []
    joined = session.execute(  # the scope is a recursive subquery of the same statement
        select(HONOUREES, *HONOUR_COLUMNS)
        .outerjoin(HONOURS, HONOURS.c.honouree_id == HONOUREES.c.id)
        .where(HONOUREES.c.id.in_(wanted), HONOUREES.c.managing_unit_id.in_(tree.scope_query(actor.unit_id)))
        .order_by(HONOURS.c.year, HONOURS.c.id)).all()
    found, honours, first_honour_column = {}, {}, len(HONOUREES.c)
    for row in joined:
        found[row.id] = row
        held = honours.setdefault(row.id, [])
        if row.honour_id is not None:
            held.append(HonourRow._make(row[first_honour_column:]))
    return [honourees.view(found[i], actor, sealer, honours[i]) for i in wanted if i in found]


# search --------------------------------------------------------------------------------------

def search(session, sealer, actor, params, today):
    """One page of the records matching ``params``, by name then id, with ``total`` and ``pages``."""
    where = Filters(session, actor, params, today).where
    page, page_size = params["page"], params["page_size"]
    total = session.scalar(select(func.count(Honouree.id)).where(*where))
    # the page's ids first (from the search indexes alone), then those rows and their honours
    ids = session.scalars(
        select(Honouree.id).where(*where).order_by(name_order(session), Honouree.id)
        .offset((page - 1) * page_size).limit(page_size)).all()
    rows = records(session, ids)
    honours = honours_of(session, ids)
    items = [honourees.view(rows[i], actor, sealer, honours[i]) for i in ids if i in rows]
    return page_of(items, total, page, page_size)


def each_match(session, actor, params, today, chunk=None):
    """Every matching record with its honours, by name then id, read ``chunk`` at a time.

    Keyset paging (after the last name and id seen), so each chunk is one
    indexed range read, not an ever larger offset.
    """
    chunk = chunk or EXPORT_CHUNK
    where = Filters(session, actor, params, today).where
    name = name_order(session)
    after = None
    while True:
        query = select(HONOUREES).where(*where)
        if after is not None:
            last_name, last_id = after
            query = query.where(or_(name > last_name, and_(name == last_name, Honouree.id > last_id)))
        found = session.execute(query.order_by(name, Honouree.id).limit(chunk)).all()
        if not found:
            return
        honours = honours_of(session, [h.id for h in found])
        for honouree in found:
            yield honouree, honours[honouree.id]
        if len(found) < chunk:
            return
        after = (found[-1].name, found[-1].id)
        eventlet.sleep(0)  # a turn for the service's other greenthreads between chunks


# statistics ----------------------------------------------------------------------------------

def years_before(day, years):
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def age_band_expression(today):
    """SQL for people.age_band(birth_date, today): one is at least N on ``today`` iff born on or
    before the same day N years earlier."""
    whens = [(Honouree.birth_date > years_before(today, high), name)
             for low, high, name in AGE_BANDS[:-1]]
    return case(*whens, else_=AGE_BANDS[-1][2])


def counted(rows, keys=()):
    """``{key: count}`` from (key, count) rows, every expected key present, enum keys as values."""
    counts = {key: 0 for key in keys}
    for key, count in rows:
        key = getattr(key, "value", key)
        counts[NO_DISTRICT if key is None else key] = count
    return counts


def statistics(session, actor, params, today):
    """The make-up of the records in the scope matching ``params``, by GROUP BY queries.

    ``team.size`` counts the living ones (by default: holding an active honour)
    against the programme's target of about 20,000 people.
    """
    filters = Filters(session, actor, params, today)
    where = filters.where
    unit_id = filters.unit.id

    def by(column, keys=()):
        return counted(session.execute(select(column, func.count()).select_from(Honouree)
                                       .where(*where).group_by(column)).all(), keys)

    total = session.scalar(select(func.count()).select_from(Honouree).where(*where))
    living = session.scalar(select(func.count()).select_from(Honouree).where(
        *where, Honouree.employment_status != EmploymentStatus.DECEASED))
    band = age_band_expression(today).label("band")
    flags = session.execute(select(*[
        func.coalesce(func.sum(case((getattr(Honouree, flag).is_(True), 1), else_=0)), 0)
        for flag in FLAG_FILTERS]).select_from(Honouree).where(*where)).one()

    # an honouree with two honours of a type counts once for it; only honours the filters admit
    held = and_(Honour.honouree_id == Honouree.id, *honour_conditions(Honour, params))
    holders = func.count(distinct(Honour.honouree_id))
    by_type = session.execute(select(Honour.honour_type, holders).join(Honouree, held)
                              .where(*where).group_by(Honour.honour_type)).all()
    by_level = session.execute(select(Honour.level, holders).join(Honouree, held)
                               .where(*where).group_by(Honour.level)).all()
    types = session.scalars(select(HonourType.code).order_by(HonourType.code)).all()
    districts = session.scalars(select(Unit.id).where(Unit.tier == Tier.DISTRICT, Unit.id.in_(filters.scope))
                                .order_by(Unit.id)).all()
    return {
        "unit_id": unit_id,
        "as_of": today.isoformat(),
        "total": total,
        "team": {"size": living, "target": TEAM_SIZE_TARGET,
                 "share_of_target": round(living / TEAM_SIZE_TARGET, 4)},
        "by_category": by(Honouree.category, [c.value for c in Category]),
        "by_gender": by(Honouree.gender, [g.value for g in Gender]),
        "by_employment_status": by(Honouree.employment_status, [s.value for s in EmploymentStatus]),
        "by_district": by(Honouree.district_id, districts),
        "by_age_band": by(band, [name for _, _, name in AGE_BANDS]),
        "by_honour_type": counted(by_type, types),
        "by_honour_level": counted(by_level, [level.value for level in HonourLevel]),
        "flags": dict(zip(FLAG_FILTERS, (int(n) for n in flags))),
    }
