"""Honourees and their honours: entering, correcting, reading, in the caller's scope.

Every function takes the session of the caller's unit of work and the
``Actor``. A record outside the actor's scope (its unit and everything below
it, in both trees) does not exist for that actor: reading it is NotFound.
"""

from sqlalchemy import bindparam, exists, select

from services.chassis.audit import record_change, trail_of
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, Invalid, NotFound
from services.chassis.id_numbers import id_number_problem, normalise
from services.chassis.personal_data import mask_id_number

from . import tree
from .domain import Tier
from .models import (
    Base,
    ChangeReport,
    Honour,
    Honouree,
    HonourType,
    Revocation,
    Transfer,
    Unit,
)
from .people import (
    CATEGORY_FLAGS,
    Category,
    EmploymentStatus,
    Gender,
    HonourLevel,
    HonourStatus,
    IncomeBand,
    ManagementMode,
)

HIDDEN = "***"
PLAIN_FIELDS = ("name", "gender", "ethnicity", "birth_date", "phone", "address", "education",
                "political_status", "employer", "position", "category", "employment_status",
                "beijing_hukou", "management_mode") + CATEGORY_FLAGS
ENUMS = {"gender": Gender, "category": Category, "employment_status": EmploymentStatus,
         "management_mode": ManagementMode}
AUDIT_MASKS = {"id_number": mask_id_number, "income_band": lambda v: HIDDEN,
               "hardships": lambda v: HIDDEN}


def in_scope(session, actor):
    """The unit ids the actor may see (its unit and all below it, both trees)."""
    return set(tree.scope(session, actor.unit_id))


def get(session, actor, honouree_id, scope=None):
    honouree = session.get(Honouree, honouree_id) if isinstance(honouree_id, str) else None
    if honouree is None or not (honouree.managing_unit_id in scope if scope is not None
                                else tree.encloses(session, actor.unit_id, honouree.managing_unit_id)):
        raise NotFound(f"no honouree {honouree_id!r}", {"honouree_id": honouree_id})
    return honouree


_HONOUREES, _HONOURS = Honouree.__table__, Honour.__table__
_ABOVE_MANAGING_UNIT = tree.above_query(
    select(_HONOUREES.c.managing_unit_id).where(_HONOUREES.c.id == bindparam("honouree_id")).scalar_subquery())
# built once (SQLAlchemy caches their compiled form): the record with whether the actor's unit is
# its managing unit or above it, and its honours in the order of ``Honouree.honours``
RECORD = select(_HONOUREES, exists().where(_ABOVE_MANAGING_UNIT.c.id == bindparam("unit_id")).label("in_scope")) \
    .where(_HONOUREES.c.id == bindparam("honouree_id"))
HONOURS = select(_HONOURS).where(_HONOURS.c.honouree_id == bindparam("honouree_id")).order_by(_HONOURS.c.year)


def read(connection, actor, honouree_id, sealer):
    """``view(get(...))`` on a read-only connection, as rows rather than ORM objects: the hot
    read path (two cached queries, no session). NotFound outside the actor's scope, as ``get``."""
    record = connection.execute(RECORD, {"honouree_id": honouree_id, "unit_id": actor.unit_id}).first() \
        if isinstance(honouree_id, str) else None
    if record is None or not record.in_scope:
        raise NotFound(f"no honouree {honouree_id!r}", {"honouree_id": honouree_id})
    return view(record, actor, sealer, connection.execute(HONOURS, {"honouree_id": honouree_id}).all())


def district_of(session, unit_id):
    """The district union a unit belongs to, up its first-parent chain (None for system-only units)."""
    seen = set()
    unit = session.get(Unit, unit_id)
    while unit is not None and unit.id not in seen:
        if unit.tier is Tier.DISTRICT:
            return unit.id
        seen.add(unit.id)
        unit = session.get(Unit, unit.parent_id) if unit.parent_id else None
    return None


def managing_unit(session, actor, unit_id, scope):
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise Invalid("unknown managing unit", {"managing_unit_id": [f"no unit {unit_id!r}"]})
    if unit.id not in scope:
        raise Invalid("the managing unit must be the caller's unit or one below it",
                      {"managing_unit_id": ["outside the caller's scope"]})
    return unit


def find_by_id_number(session, sealer, id_number):
    return session.scalar(select(Honouree).where(
        Honouree.id_number_index == sealer.blind_index(normalise(id_number))))


def snapshot(honouree, sealer=None):
    """The record as plain values, for the audit trail (personal fields masked there)."""
    values = {name: getattr(honouree, name) for name in PLAIN_FIELDS}
    values = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
    values["birth_date"] = honouree.birth_date.isoformat() if honouree.birth_date else None
    values["id_number"] = honouree.id_number_masked
    values["family_members"] = honouree.family_members
    values["income_band"] = honouree.income_band.value if honouree.income_band else None
    values["hardships"] = honouree.hardships or ""
    values["managing_unit_id"] = honouree.managing_unit_id
    return values


def apply_fields(honouree, data, sealer):
    for name in PLAIN_FIELDS:
        if name in data:
            value = data[name]
            setattr(honouree, name, ENUMS[name](value) if name in ENUMS and value is not None else value)
    if "id_number" in data:
        number = normalise(data["id_number"])
        honouree.id_number_sealed = sealer.seal(number)
        honouree.id_number_index = sealer.blind_index(number)
        honouree.id_number_masked = mask_id_number(number)
    if "family" in data:
        family = data["family"]
        honouree.family_members = family.get("members")
        honouree.income_band = IncomeBand(family["income_band"]) if family.get("income_band") else None
        honouree.hardships = ",".join(sorted(set(family.get("hardships") or [])))


def register(uow, sealer, actor, data, scope=None, checked=False):
    """Enter a new honouree (and any honours given with it).

    The same ``request_id`` again returns the record it created. A second
    record for an ID number already held is a conflict naming the holder.
    A bulk import (bulk.py) passes the actor's ``scope`` it already holds, and
    ``checked=True``: it has checked the whole file's ID numbers with one query
    and the honours against each other, so neither is looked up again here,
    and it flushes every record at once.
    """
    session, now = uow.session, uow.database.clock.now()
    earlier = earlier_request(session, Honouree, data.get("request_id"))
    if earlier is not None:
        return earlier
    scope = scope if scope is not None else in_scope(session, actor)
    unit = managing_unit(session, actor, data["managing_unit_id"], scope)
    if data["category"] == Category.FARMER.value and unit.tier is not Tier.DISTRICT:
        raise Invalid("farmers are managed by their district union",
                      {"managing_unit_id": ["a farmer's managing unit must be a district union"]})
    holder = None if checked else find_by_id_number(session, sealer, data["id_number"])
    if holder is not None:
        raise Conflict("this ID number is already registered",
                       {"id_number": ["already registered"], "existing_honouree_id": holder.id})
    honouree = Honouree(id=new_id(), request_id=data.get("request_id"), managing_unit_id=unit.id,
                        district_id=district_of(session, unit.id), verified_year=None, version=1,
                        created_at=now, updated_at=now, hardships="")
    for flag in CATEGORY_FLAGS:
        setattr(honouree, flag, data.get(flag, False))
    honouree.beijing_hukou = data.get("beijing_hukou", True)
    apply_fields(honouree, data, sealer)
    session.add(honouree)
    if not checked:
        session.flush()
    record_change(uow, actor, "honouree", honouree.id, "registered", None, snapshot(honouree), AUDIT_MASKS)
    uow.record_event("honouree_registered", event_view(honouree))
    for honour in data.get("honours") or []:
        confer(uow, actor, honouree, honour, checked)
    return honouree


def correct(uow, sealer, actor, honouree_id, changes):
    """Correct fields of a record in the actor's scope; ``version`` guards against lost updates."""
    session = uow.session
    honouree = get(session, actor, honouree_id)
    if changes.get("version") is not None and changes["version"] != honouree.version:
        raise Conflict("the record changed since it was read; reload it and try again",
                       {"version": honouree.version})
    if "birth_date" in changes and "id_number" not in changes:
        number = sealer.unseal(honouree.id_number_sealed)
        problem = id_number_problem(number, changes["birth_date"])
        if problem:
            raise Invalid("the birth date does not fit the ID number", {"birth_date": [problem]})
    if "id_number" in changes:
        holder = find_by_id_number(session, sealer, changes["id_number"])
        if holder is not None and holder.id != honouree.id:
            raise Conflict("this ID number is already registered",
                           {"id_number": ["already registered"], "existing_honouree_id": holder.id})
        if "birth_date" not in changes:
            problem = id_number_problem(changes["id_number"], honouree.birth_date)
            if problem:
                raise Invalid("the ID number does not fit the record", {"id_number": [problem]})
    before = snapshot(honouree)
    apply_fields(honouree, changes, sealer)
    after = snapshot(honouree)
    if before == after:
        return honouree
    honouree.version += 1
    honouree.updated_at = uow.database.clock.now()
    diff = record_change(uow, actor, "honouree", honouree.id, "corrected", before, after, AUDIT_MASKS)
    uow.record_event("honouree_updated", {"honouree_id": honouree.id, "fields": sorted(diff),
                                          "managing_unit_id": honouree.managing_unit_id})
    return honouree


def confer(uow, actor, honouree, data, checked=False):
    """Enter an honour for ``honouree``; one nomination confers at most one honour.
    ``checked``: the honouree is new and its honours were checked (register's bulk import)."""
    session, now = uow.session, uow.database.clock.now()
    honour_type = session.get(HonourType, data["honour_type"])
    if honour_type is None or not honour_type.active:
        raise Invalid("unknown honour type", {"honour_type": [f"no honour type {data['honour_type']!r}"]})
    if data.get("nomination_id"):
        earlier = session.scalar(select(Honour).where(Honour.nomination_id == data["nomination_id"]))
        if earlier is not None:
            if earlier.honouree_id != honouree.id:
                raise Conflict("that nomination already conferred an honour on someone else",
                               {"nomination_id": data["nomination_id"]})
            return earlier
    duplicate = None if checked else session.scalar(select(Honour).where(
        Honour.honouree_id == honouree.id, Honour.honour_type == honour_type.code,
        Honour.year == data["year"]))
    if duplicate is not None:
        raise Conflict("the honouree already holds this honour for that year",
                       {"honour_id": duplicate.id})
    honour = Honour(id=new_id(), honouree_id=honouree.id, honour_type=honour_type.code,
                    level=HonourLevel(data.get("level") or honour_type.level.value), year=data["year"],
                    conferring_body=data.get("conferring_body") or honour_type.conferring_body,
                    status=HonourStatus.ACTIVE, nomination_id=data.get("nomination_id"),
                    created_at=now)
    session.add(honour)
    if not checked:
        session.flush()
    record_change(uow, actor, "honour", honour.id, "conferred", None, honour_view(honour))
    uow.record_event("honour_conferred", dict(honour_view(honour), honour_id=honour.id,
                                              managing_unit_id=honouree.managing_unit_id))
    return honour


# views -------------------------------------------------------------------------------------

def honour_view(honour):
    return {
        "id": honour.id, "honouree_id": honour.honouree_id, "honour_type": honour.honour_type,
        "level": honour.level.value, "year": honour.year, "conferring_body": honour.conferring_body,
        "status": honour.status.value, "nomination_id": honour.nomination_id,
        "revoked_at": honour.revoked_at.isoformat() if honour.revoked_at else None,
    }


def view(honouree, actor, sealer, honours=None):
    """The record as the actor may see it: personal data in clear only with the right.
    ``honouree`` is a Honouree or a row of its table (then ``honours`` are given)."""
    clear = actor.personal_data
    record = {name: getattr(honouree, name) for name in PLAIN_FIELDS}
    record = {k: (v.value if hasattr(v, "value") else v) for k, v in record.items()}
    record.update({
        "id": honouree.id,
        "birth_date": honouree.birth_date.isoformat(),
        "id_number": sealer.unseal(honouree.id_number_sealed) if clear else honouree.id_number_masked,
        "family": {
            "members": honouree.family_members,
            "income_band": (honouree.income_band.value if honouree.income_band else None) if clear else HIDDEN,
            "hardships": [h for h in (honouree.hardships or "").split(",") if h] if clear else HIDDEN,
        },
        "managing_unit_id": honouree.managing_unit_id,
        "district_id": honouree.district_id,
        "verified_year": honouree.verified_year,
        "version": honouree.version,
        "created_at": honouree.created_at.isoformat(),
        "updated_at": honouree.updated_at.isoformat(),
    })
    if honours is None:
        honours = honouree.honours
    record["honours"] = [honour_view(h) for h in honours]
    return record


def event_view(honouree):
    """What other services learn of a new honouree: no ID number, no family data."""
    return {
        "honouree_id": honouree.id, "name": honouree.name, "gender": honouree.gender.value,
        "birth_date": honouree.birth_date.isoformat(), "category": honouree.category.value,
        "employment_status": honouree.employment_status.value,
        "managing_unit_id": honouree.managing_unit_id, "district_id": honouree.district_id,
    }


# the audit trail ---------------------------------------------------------------------------

AUDITED = {"honouree": Honouree, "honour": Honour, "transfer": Transfer, "revocation": Revocation,
           "change_report": ChangeReport}


def audit_trail(session, actor, entity, entity_id):
    """The recorded changes of one record, oldest first, if the actor may see the record.

    An honouree's trail is the whole person's: the record's own changes and those of its
    honours, change reports, transfers and revocations."""
    model = AUDITED.get(entity)
    if model is None:
        raise Invalid("unknown entity", {"entity": [f"one of {', '.join(sorted(AUDITED))}"]})
    record = session.get(model, entity_id) if isinstance(entity_id, str) else None
    honouree_id = entity_id if model is Honouree else getattr(record, "honouree_id", None)
    if honouree_id is None:
        raise NotFound(f"no {entity} {entity_id!r}", {"entity_id": entity_id})
    try:
        get(session, actor, honouree_id)
    except NotFound:
        raise NotFound(f"no {entity} {entity_id!r}", {"entity_id": entity_id}) from None
    if model is not Honouree:
        return trail_of(session, Base.metadata, {entity: [entity_id]})
    records = {"honouree": [entity_id]}
    for name, related in AUDITED.items():
        if related is not Honouree:
            records[name] = session.scalars(select(related.id).where(related.honouree_id == entity_id)).all()
    return trail_of(session, Base.metadata, records)
