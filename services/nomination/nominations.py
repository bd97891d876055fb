"""Nominations: putting a candidate forward, reading nominations in scope, the claim check.

A nomination is visible to an actor whose scope (its unit and every unit
below it, both trees: ``registry.scope_of``) holds the nominating unit, the
unit where it entered, or the unit it is at now; for anyone else it does not
exist (NotFound).

Nominating runs in two phases, so no RPC waits inside a database transaction:
``prepare`` reads the campaign on a read-only connection and asks the
registry what it must (the actor's scope, the units named, the honouree's
record), then ``create`` writes, re-checking the campaign's state under the
write lock.

The candidate is an existing honouree (``h:<honouree id>``) or a new person
(``p:<blind index of the ID number>``): that key is unique per campaign, so
the same person twice in one campaign is a Conflict. A new person's ID
number is sealed; their phone, address and family are sealed together.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from services.chassis.actor import Actor
from services.chassis.audit import record_change
from services.chassis.database import earlier_request, new_id
from services.chassis.errors import Conflict, Forbidden, Invalid, NotFound
from services.chassis.id_numbers import normalise
from services.chassis.personal_data import mask_id_number

from . import campaigns, procedure, revocations
from .common import as_conflict, from_json, iso, to_json
from .models import Attachment, Nomination, NominationStep
from .vocabulary import (
    CANDIDATE_FLAGS,
    DISTRICT_TIER,
    GRASSROOTS_TIERS,
    SECOND_TIERS,
    Category,
    Channel,
    EmploymentStatus,
    EntryLevel,
    ManagementMode,
)

HIDDEN = "***"
PRIVATE_FIELDS = ("phone", "address", "family")
PLAIN_PERSON_FIELDS = ("name", "gender", "ethnicity", "birth_date", "education", "political_status",
                       "employer", "position", "employment_status", "beijing_hukou", "management_mode",
                       "managing_unit_id", "category") + CANDIDATE_FLAGS


# --- visibility ---------------------------------------------------------------------------------

def visible(nomination, scope):
    return (nomination.nominating_unit_id in scope or nomination.entry_unit_id in scope
            or nomination.current_unit_id in scope)


def in_scope_clause(scope):
    scope = list(scope)
    return or_(Nomination.nominating_unit_id.in_(scope), Nomination.entry_unit_id.in_(scope),
               Nomination.current_unit_id.in_(scope))


def get(session, scope, nomination_id, lock=False):
    nomination = None
    if isinstance(nomination_id, str):
        nomination = session.get(Nomination, nomination_id, with_for_update=lock or None)
    if nomination is None or not visible(nomination, scope):
        raise NotFound(f"no nomination {nomination_id!r}", {"nomination_id": nomination_id})
    return nomination


def must_act_for(actor, unit_id, what):
    if actor.unit_id != unit_id:
        raise Forbidden(f"only unit {unit_id} may {what}", {"unit_id": unit_id})


# --- nominating -----------------------------------------------------------------------------------

@dataclass
class Prepared:
    """What the registry said, gathered before the write: the units and the candidate's fields."""

    campaign_id: str
    nominating_unit: dict
    candidate: dict          # the nomination's candidate columns (id_number and private still in clear)
    registry_honours: list   # the existing honouree's honours, as the registry reported them


def prepare(db, tree, actor, campaign_id, data):
    """Check the request against the campaign and the union tree; asks the registry, writes nothing."""
    with db.database.reading_session() as session:
        campaign = campaigns.get(session, campaign_id)
        organiser, entry_level, state = campaign.organiser_unit_id, campaign.entry_level, campaign.state
        honour = (campaign.honour_type, campaign.year)
    with as_conflict():
        procedure.require_campaign_state(state, (procedure.OPEN,), "nominating")
    scope = tree.scope(actor.unit_id)
    unit_id = data.get("nominating_unit_id") or actor.unit_id
    if unit_id not in scope:
        raise Invalid("the nominating unit must be the caller's unit or one below it",
                      {"nominating_unit_id": ["outside the caller's scope"]})
    unit = tree.unit_for("nominating_unit_id", unit_id)
    if data["channel"] != Channel.ORGANISATIONAL.value:
        check_entry_level(unit, entry_level, organiser)
    organiser_scope = scope if organiser == actor.unit_id else tree.scope(organiser)
    if unit_id not in organiser_scope:
        raise Invalid("the nominating unit is not below the campaign's organiser",
                      {"nominating_unit_id": [f"not in {organiser}'s part of the tree"]})
    candidate = data["candidate"]
    if "honouree_id" in candidate:
        record = honouree_record(tree, actor, candidate["honouree_id"])
        columns, honours = from_honouree(record, candidate), record.get("honours") or []
        held = [h for h in honours if (h.get("honour_type"), h.get("year")) == honour]
        if held:
            raise Conflict("the honouree already holds this honour for that year",
                           {"honour_id": held[0].get("id"), "honouree_id": candidate["honouree_id"]})
    else:
        columns = from_person(tree, candidate, unit_id)
        # a new person may be in the registry already (entered by hand): its honours count as well
        honours = tree.registry.honours_of_person(columns["id_number"])
        held = [h for h in honours if (h.get("honour_type"), h.get("year")) == honour and h.get("status") == "active"]
        if held:
            raise Conflict("this person already holds this honour for that year", {"honour_type": honour[0]})
    return Prepared(campaign_id, unit, columns, honours)


def check_entry_level(unit, entry_level, organiser):
    """Self- and social-organisation nominations enter at the level the campaign sets."""
    level = EntryLevel(entry_level)
    fits = {EntryLevel.GRASSROOTS: unit["tier"] in GRASSROOTS_TIERS,
            EntryLevel.SECOND_TIER: unit["tier"] in SECOND_TIERS,
            EntryLevel.ORGANISER: unit["id"] == organiser}[level]
    if not fits:
        raise Invalid("self- and social-organisation nominations enter at the campaign's entry level",
                      {"nominating_unit_id": [f"must be a unit of the entry level {level.value}"]})


def honouree_record(tree, actor, honouree_id):
    """The registry's record of an honouree in the actor's scope (without personal data in clear)."""
    plain = Actor(actor.account, actor.unit_id, actor.roles, personal_data=False)
    try:
        return tree.registry.get_honouree(plain.to_dict(), honouree_id)
    except NotFound:
        raise Invalid("no such honouree in the caller's scope",
                      {"candidate": {"honouree_id": [f"no honouree {honouree_id!r}"]}}) from None


def from_honouree(record, candidate):
    columns = {name: record.get(name) for name in PLAIN_PERSON_FIELDS}
    columns.update(honouree_id=record["id"], id_number=None, private=None)
    for flag in CANDIDATE_FLAGS:
        columns[flag] = bool(record.get(flag))
    columns["leader_cadre"] = candidate.get("leader_cadre", record.get("category") == Category.CADRE.value)
    columns["intermediary_organisation"] = candidate.get("intermediary_organisation", False)
    return columns


def from_person(tree, candidate, nominating_unit_id):
    managing_unit_id = candidate.get("managing_unit_id") or nominating_unit_id
    managing = tree.unit_for("candidate.managing_unit_id", managing_unit_id)
    if candidate["category"] == Category.FARMER.value and managing["tier"] != DISTRICT_TIER:
        raise Invalid("farmers are managed by their district union",
                      {"candidate": {"managing_unit_id": ["a farmer's managing unit must be a district union"]}})
    columns = {name: candidate.get(name) for name in PLAIN_PERSON_FIELDS}
    columns.update(
        honouree_id=None, managing_unit_id=managing_unit_id, id_number=normalise(candidate["id_number"]),
        employment_status=candidate.get("employment_status") or EmploymentStatus.IN_SERVICE.value,
        beijing_hukou=candidate.get("beijing_hukou", True),
        management_mode=candidate.get("management_mode") or ManagementMode.BY_UNIT.value,
        private={k: candidate[k] for k in PRIVATE_FIELDS if candidate.get(k) is not None} or None)
    for flag in CANDIDATE_FLAGS:
        columns[flag] = candidate.get(flag, False)
    columns["leader_cadre"] = candidate.get("leader_cadre", candidate["category"] == Category.CADRE.value)
    columns["intermediary_organisation"] = candidate.get("intermediary_organisation", False)
    return columns


def create(uow, sealer, actor, prepared, data, cultivation_id=None):
    """Write the nomination prepared; the same ``request_id`` returns the one it made."""
    session, now = uow.session, uow.database.clock.now()
    earlier = earlier_request(session, Nomination, data.get("request_id"))
    if earlier is not None:
        return earlier
    campaign = campaigns.get(session, prepared.campaign_id, lock=True)
    with as_conflict():
        procedure.require_campaign_state(campaign.state, (procedure.OPEN,), "nominating")
    columns = dict(prepared.candidate)
    id_number, private = columns.pop("id_number"), columns.pop("private")
    index = sealer.blind_index(id_number) if id_number else None
    key = f"p:{index}" if index else f"h:{columns['honouree_id']}"
    earlier = session.scalar(select(Nomination.id).where(
        Nomination.campaign_id == campaign.id, Nomination.candidate_key == key))
    if earlier is not None:
        raise Conflict("this candidate is already nominated in the campaign",
                       {"nomination_id": earlier, "candidate": ["already nominated in this campaign"]})
    revocations.check_bar(session, campaign, columns["honouree_id"], index, uow.database.clock.today(),
                          prepared.registry_honours)
    unit = prepared.nominating_unit
    birth_date = columns.pop("birth_date")
    nomination = Nomination(
        id=new_id(), request_id=data.get("request_id"), campaign_id=campaign.id, channel=Channel(data["channel"]),
        social_organisation=data.get("social_organisation"), nominating_unit_id=unit["id"],
        nominating_unit_name=unit["name"], entry_unit_id=unit["id"], current_unit_id=unit["id"],
        status=procedure.IN_PROGRESS, stage=procedure.DEEDS_REPORT, candidate_key=key,
        birth_date=_date(birth_date),
        id_number_sealed=sealer.seal(id_number) if id_number else None, id_number_index=index,
        id_number_masked=mask_id_number(id_number) if id_number else None,
        private_sealed=sealer.seal(to_json(private)) if private else None,
        deeds_summary=data["deeds_summary"], deeds=data["deeds"], cultivation_id=cultivation_id, version=1,
        created_by_account=actor.account, created_at=now, updated_at=now, **columns)
    session.add(nomination)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same candidate, nominated at the same moment by another worker
        raise Conflict("this candidate is already nominated in the campaign",
                       {"candidate": ["already nominated in this campaign"]}) from None
    for attachment in data.get("attachments") or []:
        add_attachment(session, actor, nomination, attachment, now)
    session.add(NominationStep(
        nomination_id=nomination.id, step="nominated", outcome="done", unit_id=actor.unit_id,
        account=actor.account, at=now, evidence=to_json({
            "channel": nomination.channel.value, "nominating_unit_id": unit["id"],
            "social_organisation": nomination.social_organisation, "cultivation_id": cultivation_id})))
    session.flush()
    record_change(uow, actor, "nomination", nomination.id, "nominated", None, snapshot(nomination))
    return nomination


def _date(value):
    """A birth date as the schema loaded it (a date) or as the registry sent it (ISO text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def add_attachment(session, actor, nomination, data, now):
    session.add(Attachment(nomination_id=nomination.id, name=data["name"], size=data["size"],
                           sha256=data["sha256"], content_type=data["content_type"],
                           added_by_account=actor.account, added_by_unit_id=actor.unit_id, added_at=now))


def add_attachments(uow, actor, scope, nomination_id, attachments):
    """More deed materials, by the nominating unit or the unit the nomination is at, while in progress."""
    session, now = uow.session, uow.database.clock.now()
    nomination = get(session, scope, nomination_id, lock=True)
    if actor.unit_id not in (nomination.nominating_unit_id, nomination.current_unit_id):
        raise Forbidden("deed materials are added by the nominating unit or the unit the nomination is at",
                        {"nominating_unit_id": nomination.nominating_unit_id,
                         "current_unit_id": nomination.current_unit_id})
    if nomination.status != procedure.IN_PROGRESS:
        raise Conflict(f"the nomination has ended: {nomination.status}", {"status": nomination.status})
    held = {a.sha256 for a in nomination.attachments}
    again = sorted(a["sha256"] for a in attachments if a["sha256"] in held)
    if again:
        raise Conflict("these files are attached already", {"sha256": again})
    for attachment in attachments:
        add_attachment(session, actor, nomination, attachment, now)
    session.flush()
    session.expire(nomination, ["attachments"])
    record_change(uow, actor, "nomination", nomination.id, "attachments_added", None,
                  {"attachments": [{"name": a["name"], "sha256": a["sha256"]} for a in attachments]})
    return nomination


# --- reading ------------------------------------------------------------------------------------

def listing(session, campaign_id, scope, organiser_sees_all, status=None, stage=None, channel=None,
            unit_id=None, page=1, page_size=50):
    query = select(Nomination).where(Nomination.campaign_id == campaign_id)
    if not organiser_sees_all:
        query = query.where(in_scope_clause(scope))
    if status is not None:
        query = query.where(Nomination.status == status)
    if stage is not None:
        query = query.where(Nomination.stage == stage)
    if channel is not None:
        query = query.where(Nomination.channel == Channel(channel))
    if unit_id is not None:
        query = query.where(or_(Nomination.nominating_unit_id == unit_id, Nomination.current_unit_id == unit_id))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Nomination.created_at, Nomination.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return items, total


def candidate_record(session, sealer, nomination_id):
    """A conferred new person's record, as the registry's NewHonoureeSchema takes it (claim check).

    Only for a nomination that is conferred and whose candidate was not yet an honouree; for any
    other the answer is NotFound, so nothing personal is told before conferral.
    """
    nomination = session.get(Nomination, nomination_id) if isinstance(nomination_id, str) else None
    if nomination is None or nomination.status != procedure.CONFERRED or nomination.honouree_id is not None:
        raise NotFound(f"no conferred new candidate {nomination_id!r}", {"nomination_id": nomination_id})
    record = {name: getattr(nomination, name) for name in PLAIN_PERSON_FIELDS}
    record["birth_date"] = nomination.birth_date.isoformat()
    record["id_number"] = sealer.unseal(nomination.id_number_sealed)
    record.update(from_json(sealer.unseal(nomination.private_sealed)) if nomination.private_sealed else {})
    return {k: v for k, v in record.items() if v is not None}


# --- views --------------------------------------------------------------------------------------

def snapshot(nomination):
    """The nomination for the audit trail: the ID number masked, nothing private."""
    return {"campaign_id": nomination.campaign_id, "channel": nomination.channel.value,
            "nominating_unit_id": nomination.nominating_unit_id, "current_unit_id": nomination.current_unit_id,
            "status": nomination.status, "stage": nomination.stage, "name": nomination.name,
            "honouree_id": nomination.honouree_id, "id_number": nomination.id_number_masked,
            "category": nomination.category, "deeds_summary": nomination.deeds_summary}


def candidate_view(nomination, actor, sealer):
    clear = actor.personal_data
    candidate = {name: getattr(nomination, name) for name in PLAIN_PERSON_FIELDS}
    candidate.update(
        kind="honouree" if nomination.honouree_id else "new", honouree_id=nomination.honouree_id,
        registered_honouree_id=nomination.registered_honouree_id, birth_date=iso(nomination.birth_date),
        leader_cadre=nomination.leader_cadre, intermediary_organisation=nomination.intermediary_organisation,
        id_number=(sealer.unseal(nomination.id_number_sealed) if clear and nomination.id_number_sealed
                   else nomination.id_number_masked))
    private = from_json(sealer.unseal(nomination.private_sealed)) if clear and nomination.private_sealed else {}
    for name in PRIVATE_FIELDS:
        candidate[name] = private.get(name) if clear else (HIDDEN if nomination.private_sealed else None)
    return candidate


def step_view(step):
    return {"step": step.step, "outcome": step.outcome, "unit_id": step.unit_id, "account": step.account,
            "at": step.at.isoformat(), "evidence": from_json(step.evidence)}


def attachment_view(attachment):
    return {"name": attachment.name, "size": attachment.size, "sha256": attachment.sha256,
            "content_type": attachment.content_type, "added_by_unit_id": attachment.added_by_unit_id,
            "added_at": attachment.added_at.isoformat()}


def summary(nomination):
    """A nomination in a list: no personal data but the name."""
    return {"id": nomination.id, "campaign_id": nomination.campaign_id, "channel": nomination.channel.value,
            "name": nomination.name, "honouree_id": nomination.honouree_id, "category": nomination.category,
            "nominating_unit_id": nomination.nominating_unit_id,
            "nominating_unit_name": nomination.nominating_unit_name,
            "entry_unit_id": nomination.entry_unit_id, "current_unit_id": nomination.current_unit_id,
            "status": nomination.status, "stage": nomination.stage, "notice_id": nomination.notice_id,
            "deeds_summary": nomination.deeds_summary, "created_at": nomination.created_at.isoformat(),
            "updated_at": nomination.updated_at.isoformat()}


def view(nomination, actor, sealer):
    return dict(
        summary(nomination), social_organisation=nomination.social_organisation,
        candidate=candidate_view(nomination, actor, sealer), deeds=nomination.deeds,
        attachments=[attachment_view(a) for a in nomination.attachments],
        steps=[step_view(s) for s in nomination.steps], cultivation_id=nomination.cultivation_id,
        version=nomination.version, ended_at=iso(nomination.ended_at))
