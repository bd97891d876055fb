"""Major-change reports (重大变化报告) and each unit's to-do list (待办).

The managing unit reports a major change in an honouree's life; the report
goes one tier up (the managing unit's parent; the city federation reports to
itself) as a to-do item and a ``major_change_reported`` event that carries no
personal data. A death marks the record deceased; leaving the employer marks
it so and opens a transfer to the district union (属地管理).
"""
from sqlalchemy import func, select, update

from services.chassis.audit import record_change
from services.chassis.database import new_id
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound

from . import honourees, transfers
from .models import ChangeReport, TodoItem, Unit
from .people import ChangeKind, EmploymentStatus, ManagementMode
from .verification import locked

OPEN, ACKNOWLEDGED, DONE = "open", "acknowledged", "done"
TITLE_LENGTH = 200

KIND_NAMES = {
    ChangeKind.DEATH: "去世 death",
    ChangeKind.SERIOUS_ILLNESS: "重病 serious illness",
    ChangeKind.LEFT_EMPLOYER: "离开原单位 left the employer",
    ChangeKind.LEGAL_PROCEEDINGS: "涉诉/违法 legal proceedings",
    ChangeKind.CONTACT_LOST: "失联 contact lost",
}


def escalation_unit_id(session, unit_id):
    """The next tier up from ``unit_id``: its (first) parent; the city federation is its own."""
    unit = session.get(Unit, unit_id)
    return unit.parent_id or unit.id


def report(uow, sealer, actor, honouree_id, data):
    """Record a change reported by the managing unit; returns the report and any transfer opened."""
    session, clock = uow.session, uow.database.clock
    honouree = honourees.get(session, actor, honouree_id)
    if actor.unit_id != honouree.managing_unit_id:
        raise Forbidden("only the record's managing unit reports its changes",
                        {"managing_unit_id": honouree.managing_unit_id})
    honouree = locked(session, honouree.id)
    kind = ChangeKind(data["kind"])
    if data.get("occurred_on") is not None and data["occurred_on"] > clock.today():
        raise Invalid("the change cannot have happened after today", {"occurred_on": ["after today"]})
    status = honouree.employment_status
    if kind is ChangeKind.DEATH and status is EmploymentStatus.DECEASED:
        raise Conflict("the honouree is already recorded as deceased", {"employment_status": status.value})
    if kind is ChangeKind.LEFT_EMPLOYER:
        if status in (EmploymentStatus.DECEASED, EmploymentStatus.LEFT_EMPLOYER):
            raise Conflict(f"the honouree is already recorded as {status.value}",
                           {"employment_status": status.value})
        if honouree.district_id is None:
            raise Invalid(
                "the honouree's managing unit belongs to no district union, so nobody can take the "
                "record over territorially (属地); request a transfer to a district union first",
                {"kind": ["left_employer needs the record's district union, and it has none"]})
    report = ChangeReport(
        id=new_id(), honouree_id=honouree.id, kind=kind, occurred_on=data.get("occurred_on"),
        description=data["description"], reported_by_account=actor.account,
        reported_by_unit_id=actor.unit_id,
        escalated_to_unit_id=escalation_unit_id(session, honouree.managing_unit_id),
        status=OPEN, created_at=clock.now())
    session.add(report)
    session.flush()
    record_change(uow, actor, "change_report", report.id, "reported", None, audit_view(report))
    transfer = apply_effects(uow, sealer, actor, honouree, report)
    uow.record_event("major_change_reported", {
        "report_id": report.id, "honouree_id": honouree.id, "kind": kind.value,
        "managing_unit_id": honouree.managing_unit_id, "escalated_to_unit_id": report.escalated_to_unit_id})
    add_todo(uow, report.escalated_to_unit_id, "change_report", report.id, honouree.id,
             f"重大变化报告 major change: {KIND_NAMES[kind]} — {honouree.name}")
    return report, transfer


def apply_effects(uow, sealer, actor, honouree, report):
    """A death or leaving the employer changes the record (through the audited correction)."""
    if report.kind is ChangeKind.DEATH:
        honourees.correct(uow, sealer, actor, honouree.id,
                          {"employment_status": EmploymentStatus.DECEASED.value})
        return None
    if report.kind is not ChangeKind.LEFT_EMPLOYER:
        return None
    changes = {"employment_status": EmploymentStatus.LEFT_EMPLOYER.value}
    if honouree.district_id == honouree.managing_unit_id:  # the district union already holds it
        changes["management_mode"] = ManagementMode.TERRITORIAL.value
        honourees.correct(uow, sealer, actor, honouree.id, changes)
        return None
    pending = transfers.pending_of(uow.session, honouree.id)
    if pending is not None and pending.to_unit_id == honouree.district_id:
        honourees.correct(uow, sealer, actor, honouree.id, changes)
        return pending
    district = uow.session.get(Unit, honouree.district_id)
    transfer = transfers.open_transfer(
        uow, actor, honouree, district, ManagementMode.TERRITORIAL,
        f"离开原单位，转属地管理 left the employer; territorial management (change report {report.id})")
    honourees.correct(uow, sealer, actor, honouree.id, changes)
    return transfer


def acknowledge(uow, actor, report_id):
    """The unit the report went to has read it: the report is acknowledged, its to-do item done."""
    session, now = uow.session, uow.database.clock.now()
    report = session.get(ChangeReport, report_id) if isinstance(report_id, str) else None
    if report is None:
        raise NotFound(f"no change report {report_id!r}", {"report_id": report_id})
    if actor.unit_id != report.escalated_to_unit_id:
        try:
            honourees.get(session, actor, report.honouree_id)
        except NotFound:
            raise NotFound(f"no change report {report_id!r}", {"report_id": report_id}) from None
        raise Forbidden("only the unit the report went to acknowledges it",
                        {"escalated_to_unit_id": report.escalated_to_unit_id})
    session.refresh(report, with_for_update=True)
    if report.status != OPEN:
        raise Conflict(f"the report is already {report.status}",
                       {"acknowledged_by": report.acknowledged_by})
    before = audit_view(report)
    report.status = ACKNOWLEDGED
    report.acknowledged_by = actor.account
    report.acknowledged_at = now
    session.flush()
    record_change(uow, actor, "change_report", report.id, "acknowledged", before, audit_view(report))
    close_todos(uow, "change_report", report.id)
    return report


def audit_view(report):
    return {"honouree_id": report.honouree_id, "kind": report.kind.value,
            "occurred_on": report.occurred_on.isoformat() if report.occurred_on else None,
            "description": report.description, "escalated_to_unit_id": report.escalated_to_unit_id,
            "status": report.status, "acknowledged_by": report.acknowledged_by}


def view(report):
    return {
        "id": report.id, "honouree_id": report.honouree_id, "kind": report.kind.value,
        "occurred_on": report.occurred_on.isoformat() if report.occurred_on else None,
        "description": report.description, "reported_by_account": report.reported_by_account,
        "reported_by_unit_id": report.reported_by_unit_id,
        "escalated_to_unit_id": report.escalated_to_unit_id, "status": report.status,
        "acknowledged_by": report.acknowledged_by, "created_at": report.created_at.isoformat(),
        "acknowledged_at": report.acknowledged_at.isoformat() if report.acknowledged_at else None,
    }


# to-do lists ----------------------------------------------------------------------------------

def add_todo(uow, unit_id, kind, subject_id, honouree_id, title):
    item = TodoItem(unit_id=unit_id, kind=kind, subject_id=subject_id, honouree_id=honouree_id,
                    title=title[:TITLE_LENGTH], status=OPEN, created_at=uow.database.clock.now())
    uow.session.add(item)
    uow.session.flush()
    return item


def close_todos(uow, kind, subject_id):
    """Mark the open to-do items about one subject done."""
    uow.session.execute(update(TodoItem).where(
        TodoItem.kind == kind, TodoItem.subject_id == subject_id, TodoItem.status == OPEN,
    ).values(status=DONE, done_at=uow.database.clock.now()))


def todo_list(session, actor, status=None, kind=None, page=1, page_size=50):
    """The actor's own unit's to-do items, oldest first."""
    query = select(TodoItem).where(TodoItem.unit_id == actor.unit_id)
    if status is not None:
        query = query.where(TodoItem.status == status)
    if kind is not None:
        query = query.where(TodoItem.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(TodoItem.created_at, TodoItem.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


def todo_view(item):
    return {"id": item.id, "unit_id": item.unit_id, "kind": item.kind, "subject_id": item.subject_id,
            "honouree_id": item.honouree_id, "title": item.title, "status": item.status,
            "created_at": item.created_at.isoformat(),
            "done_at": item.done_at.isoformat() if item.done_at else None}
