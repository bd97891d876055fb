"""Honours conferred through a nomination campaign, entered into the registry from the event.

The nomination service publishes ``nomination_conferred`` when the awarding
body has conferred an honour on a candidate (the contract is in
docs/events.md and in ``RegistryService.on_nomination_conferred``). Events
carry no personal data, so for a candidate who is not yet an honouree the
registry asks the nomination service for the candidate's record by RPC (a
claim check: ``nomination.candidate_record(nomination_id)``).

Entering is idempotent by nomination: ``Honour.nomination_id`` is unique, and
an honour already entered for the nomination ends the handling before any
RPC. A candidate whose ID number is already registered gets the honour on
that record; no second record is made.
"""
from sqlalchemy import select

from services.chassis.actor import SYSTEM, Actor
from services.chassis.audit import record_change
from services.chassis.errors import Invalid, NotFound
from services.chassis.schemas import load

from . import honourees
from .domain import Tier
from .models import Honour, Unit
from .schemas import NewHonoureeSchema, NominationConferredSchema


def conferral_actor(session):
    """Who enters a conferred honour: laomo itself (account ``system``), for the city federation.

    ``chassis.actor.SYSTEM`` acts for the unit "system", which is no unit of the
    tree, and every registry function works within the actor's scope (its unit
    and all below it): with SYSTEM nothing would be in scope. A conferral is
    the awarding body's act, and the registry enters it on the city
    federation's behalf, for an honouree who may be managed by any unit of the
    tree, so the handler acts as SYSTEM's account for the tree's root: its scope
    is the whole tree, and the audit trail reads "system" at the city. It never
    sees personal data in clear (``personal_data`` False).
    """
    city_id = session.scalar(select(Unit.id).where(Unit.tier == Tier.CITY))
    if city_id is None:
        raise NotFound("the union tree has no city federation to enter the honour for")
    return Actor(SYSTEM.account, city_id, SYSTEM.roles, personal_data=False)


def enter(uow, sealer, nomination, event):
    """Enter the honour of a ``nomination_conferred`` event, once; returns (honouree, honour).

    ``nomination`` is the client of the nomination service (``candidate_record``).
    """
    data = load(NominationConferredSchema(), event, "nomination_conferred event")
    session = uow.session
    earlier = session.scalar(select(Honour).where(Honour.nomination_id == data["nomination_id"]))
    if earlier is not None:
        return earlier.honouree, earlier  # another event of the same nomination: entered already
    actor = conferral_actor(session)
    if data["honouree_id"] is not None:
        honouree = honourees.get(session, actor, data["honouree_id"])
    else:
        honouree = new_honouree(uow, sealer, actor, nomination, data)
    return honouree, honour_for(uow, actor, honouree, data)


def new_honouree(uow, sealer, actor, nomination, data):
    """The candidate's record from the nomination service, registered; or its ID number's holder."""
    record = nomination.candidate_record(data["nomination_id"])
    if isinstance(record, dict):
        # the honour comes from the event; a request id of the other service means nothing here
        record = {k: v for k, v in record.items() if k not in ("honours", "request_id")}
        record.setdefault("managing_unit_id", data["managing_unit_id"])
    fields = load(NewHonoureeSchema(), record, "candidate record")
    if fields["managing_unit_id"] != data["managing_unit_id"]:
        raise Invalid("the candidate record and the event name different managing units",
                      {"managing_unit_id": [f"the event names {data['managing_unit_id']!r}"]})
    holder = honourees.find_by_id_number(uow.session, sealer, fields["id_number"])
    if holder is not None:
        return holder  # already an honouree (an earlier honour): the new one goes on that record
    return honourees.register(uow, sealer, actor, fields)


def honour_for(uow, actor, honouree, data):
    """Confer the honour; an identical honour entered by hand before the event is linked instead."""
    by_hand = uow.session.scalar(select(Honour).where(
        Honour.honouree_id == honouree.id, Honour.honour_type == data["honour_type"],
        Honour.year == data["year"], Honour.nomination_id.is_(None)))
    if by_hand is not None:
        before = honourees.honour_view(by_hand)
        by_hand.nomination_id = data["nomination_id"]
        record_change(uow, actor, "honour", by_hand.id, "linked_to_nomination", before,
                      honourees.honour_view(by_hand))
        return by_hand
    return honourees.confer(uow, actor, honouree, {
        "honour_type": data["honour_type"], "year": data["year"], "level": data["level"],
        "conferring_body": data["conferring_body"], "nomination_id": data["nomination_id"]})
