"""The roster: every record of a scope in a few fields, for services that care for the whole
team at once (welfare's condolence batches, birthdays, check-ups, recuperation).

One Core query for the records and one for their active honours: a city-wide roster of 20,000
is one answer, not 100 pages. It carries no personal data: no ID number, phone, address or family.
"""
from sqlalchemy import select

from services.chassis.people import EmploymentStatus, HonourLevel

from . import tree
from .models import Honour, Honouree
from .people import HonourStatus

LEVEL_ORDER = [level.value for level in HonourLevel]  # highest first

_RECORD = Honouree.__table__.c
_HONOUR = Honour.__table__.c
COLUMNS = (_RECORD.id, _RECORD.name, _RECORD.gender, _RECORD.birth_date, _RECORD.category,
           _RECORD.employment_status, _RECORD.managing_unit_id, _RECORD.district_id)


def roster(connection, actor, params):
    """``[{honouree_id, name, gender, birth_date, category, employment_status, managing_unit_id,
    district_id, honour_levels, highest_level, eligible}]`` in the actor's scope, by id."""
    in_scope = _RECORD.managing_unit_id.in_(tree.scope_query(actor.unit_id))
    where = [in_scope]
    if params.get("honouree_ids"):
        where.append(_RECORD.id.in_(params["honouree_ids"]))
    if params.get("employment_status"):
        where.append(_RECORD.employment_status == EmploymentStatus(params["employment_status"]))
    records = connection.execute(select(*COLUMNS).where(*where).order_by(_RECORD.id)).all()
    levels = {}
    honours = select(_HONOUR.honouree_id, _HONOUR.level).where(
        _HONOUR.status == HonourStatus.ACTIVE,
        _HONOUR.honouree_id.in_(select(_RECORD.id).where(*where)))
    for holder, level in connection.execute(honours):
        levels.setdefault(holder, set()).add(getattr(level, "value", level))
    rows = []
    for record in records:
        held = sorted(levels.get(record.id, ()), key=LEVEL_ORDER.index)
        status = getattr(record.employment_status, "value", record.employment_status)
        eligible = bool(held) and status != EmploymentStatus.DECEASED.value
        if params.get("eligible") and not eligible:
            continue
        rows.append({
            "honouree_id": record.id, "name": record.name, "gender": getattr(record.gender, "value", record.gender),
            "birth_date": record.birth_date.isoformat(),
            "category": getattr(record.category, "value", record.category), "employment_status": status,
            "managing_unit_id": record.managing_unit_id, "district_id": record.district_id,
            "honour_levels": held, "highest_level": held[0] if held else None, "eligible": eligible})
    return rows
