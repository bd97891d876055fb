"""Public-welfare projects (公益项目) that care for vulnerable groups, linked to the mutual-aid fund
(互助保障基金, the welfare ledger's ``bj-mutual-aid``, owned by the city federation).

A project is organised by a unit in scope and is seen where that unit is. A donation to it is recorded
here first (``pending``), then posted to the welfare ledger by its ``post`` RPC — kind ``donation`` into
the mutual-aid fund, with the idempotency key ``volunteer-donation:<donation id>`` — and marked
``recorded`` with the posting's id. A retry (the same ``request_id``) returns the first donation, and
posts it again only while it is pending: the ledger answers the same key with the first posting, so the
money goes in once. The fund is the city's: only the city federation's accounts record donations.
"""
from sqlalchemy import func, select

from services.chassis.audit import record_change
from services.chassis.database import add_once, earlier_request, new_id
from services.chassis.errors import Conflict, Forbidden, NotFound

from . import corps
from .models.projects import Donation, DonationStatus, Group, Project

MUTUAL_AID_FUND = "bj-mutual-aid"


def key_of(donation_id):
    return f"volunteer-donation:{donation_id}"


def not_found(project_id):
    return NotFound(f"no public-welfare project {project_id!r}", {"project_id": project_id})


def project(session, project_id, scope):
    found = session.get(Project, project_id) if isinstance(project_id, str) and len(project_id) <= 32 else None
    if found is None or found.organiser_unit_id not in scope:
        raise not_found(project_id)
    return found


def create(uow, actor, data, unit, scope):
    session, now = uow.session, uow.database.clock.now()
    corps.unit_in_scope(unit, scope, "organiser_unit_id")
    earlier = earlier_request(session, Project, data.get("request_id"))
    if earlier is not None:
        return earlier
    made = Project(id=new_id(), request_id=data.get("request_id"), title=data["title"], group=Group(data["group"]),
                   organiser_unit_id=unit["id"], fund_id=MUTUAL_AID_FUND, description=data["description"],
                   created_by_account=actor.account, created_at=now)
    made, new = add_once(session, made)
    if not new:
        return made
    record_change(uow, actor, "welfare_project", made.id, "created", None, project_snapshot(made))
    return made


def must_be_city(unit):
    if unit.get("tier") != "city":
        raise Forbidden("donations go into the mutual-aid fund, the city federation's: its accounts record them",
                        {"unit_id": unit.get("id"), "fund_id": MUTUAL_AID_FUND})


def record(uow, actor, project_id, data, scope):
    """The donation, new (pending) or the first with this request_id."""
    session, now = uow.session, uow.database.clock.now()
    found = project(session, project_id, scope)
    earlier = earlier_request(session, Donation, data.get("request_id"))
    if earlier is not None:
        if earlier.project_id != found.id or earlier.amount != data["amount"]:
            raise Conflict("this request_id was used for another donation",
                           {"request_id": earlier.request_id, "donation_id": earlier.id})
        return earlier
    made = Donation(id=new_id(), request_id=data.get("request_id"), project_id=found.id, donor=data["donor"],
                    amount=data["amount"], status=DonationStatus.PENDING, created_by_account=actor.account,
                    created_at=now)
    made, new = add_once(session, made)
    if not new:
        return made
    record_change(uow, actor, "donation", made.id, "received", None, donation_snapshot(made))
    return made


def posting_request(donation, found_project):
    return {"idempotency_key": key_of(donation.id), "kind": "donation", "fund_id": found_project.fund_id,
            "amount": donation.amount, "reference": f"volunteer-project:{found_project.id}",
            "memo": f"公益项目捐赠 {found_project.title}"[:500]}


def recorded(uow, actor, donation_id, posting_id):
    session, now = uow.session, uow.database.clock.now()
    found = session.get(Donation, donation_id, with_for_update=True, populate_existing=True)
    if found.status is DonationStatus.PENDING:
        before = donation_snapshot(found)
        found.status, found.posting_id, found.recorded_at = DonationStatus.RECORDED, posting_id, now
        record_change(uow, actor, "donation", found.id, "recorded", before, donation_snapshot(found))
        uow.record_event("volunteer_donation_recorded", {
            "donation_id": found.id, "project_id": found.project_id, "amount": found.amount,
            "fund_id": MUTUAL_AID_FUND, "posting_id": posting_id})
    return found


def projects(session, scope, params):
    query = select(Project).where(Project.organiser_unit_id.in_(scope))
    if params.get("group"):
        query = query.where(Project.group == Group(params["group"]))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page, size = params["page"], params["page_size"]
    return session.scalars(query.order_by(Project.created_at.desc(), Project.id)
                           .offset((page - 1) * size).limit(size)).all(), total


def donated(session, project_ids):
    if not project_ids:
        return {}
    return dict(session.execute(select(Donation.project_id, func.sum(Donation.amount)).where(
        Donation.project_id.in_(project_ids), Donation.status == DonationStatus.RECORDED)
        .group_by(Donation.project_id)).all())


def donations(session, project_id, params):
    query = select(Donation).where(Donation.project_id == project_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page, size = params["page"], params["page_size"]
    return session.scalars(query.order_by(Donation.created_at, Donation.id)
                           .offset((page - 1) * size).limit(size)).all(), total


def project_snapshot(found):
    return {"title": found.title, "group": found.group.value, "organiser_unit_id": found.organiser_unit_id,
            "fund_id": found.fund_id, "description": found.description}


def project_view(found, amount):
    return dict(project_snapshot(found), id=found.id, donated=int(amount or 0),
                created_by_account=found.created_by_account, created_at=found.created_at.isoformat())


def donation_snapshot(found):
    return {"project_id": found.project_id, "donor": found.donor, "amount": found.amount,
            "status": found.status.value, "posting_id": found.posting_id}


def donation_view(found):
    return dict(donation_snapshot(found), id=found.id, idempotency_key=key_of(found.id),
                created_by_account=found.created_by_account, created_at=found.created_at.isoformat(),
                recorded_at=found.recorded_at.isoformat() if found.recorded_at else None)
