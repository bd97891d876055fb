"""The audit trail: who changed what, when, from what to what.

Each service that changes records adds the ``audit_log`` table to its
metadata with :func:`audit_table` and calls :func:`record_change` inside the
unit of work of the change, so the trail commits or rolls back with it.
Values named in ``masked`` are recorded as masked text, never in clear.
"""
import json

from sqlalchemy import Column, Index, Integer, String, Table, Text, and_, or_, select

from .database import UtcDateTime
from .logs import current_correlation_id


def audit_table(metadata):
    return Table(
        "audit_log", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("entity", String(40), nullable=False),
        Column("entity_id", String(64), nullable=False),
        Column("action", String(40), nullable=False),
        Column("account", String(64), nullable=False),
        Column("unit_id", String(64), nullable=False),
        Column("at", UtcDateTime, nullable=False),
        Column("changes", Text, nullable=False),
        Column("correlation_id", String(64), nullable=True),
        Index("ix_audit_log_entity", "entity", "entity_id"),
    )


def changes_between(before, after, masked=None):
    """``{field: [old, new]}`` for each field whose value differs; masked fields via their mask."""
    masked = masked or {}
    before, after = before or {}, after or {}
    diff = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            mask = masked.get(name)
            diff[name] = [mask(old) if mask and old is not None else old,
                          mask(new) if mask and new is not None else new]
    return diff


def record_change(uow, actor, entity, entity_id, action, before=None, after=None, masked=None):
    table = uow.database.metadata.tables["audit_log"]
    diff = changes_between(before, after, masked)
    uow.session.execute(table.insert().values(
        entity=entity, entity_id=str(entity_id), action=action, account=actor.account,
        unit_id=actor.unit_id, at=uow.database.clock.now(),
        changes=json.dumps(diff, ensure_ascii=False, sort_keys=True, default=str),
        correlation_id=current_correlation_id()))
    return diff


def trail_of(session, metadata, records):
    """The recorded changes of ``records`` ({entity: [ids]}), oldest first, each naming its record.

    The caller has checked it may see them."""
    log = metadata.tables["audit_log"]
    wanted = [and_(log.c.entity == entity, log.c.entity_id.in_([str(i) for i in ids]))
              for entity, ids in records.items() if ids]
    if not wanted:
        return []
    rows = session.execute(select(log).where(or_(*wanted)).order_by(log.c.id)).all()
    return [{"entity": row.entity, "entity_id": row.entity_id, "at": row.at.isoformat(), "account": row.account,
             "unit_id": row.unit_id, "action": row.action, "changes": json.loads(row.changes)} for row in rows]
