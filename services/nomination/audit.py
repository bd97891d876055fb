"""The audit trail of the nomination service's records, for an actor who may see them."""
from sqlalchemy import select

from services.chassis.audit import trail_of
from services.chassis.errors import Invalid

from . import campaigns, cultivation, nominations, notices
from .models import Base, Objection

ENTITIES = ("campaign", "nomination", "notice", "objection", "cultivation")


def trail(session, scope, entity, entity_id):
    """The recorded changes of one record, oldest first; a nomination's include its objections'."""
    if entity not in ENTITIES:
        raise Invalid("unknown entity", {"entity": [f"one of {', '.join(ENTITIES)}"]})
    if entity == "campaign":
        campaigns.get(session, entity_id)
    elif entity == "notice":
        notices.get(session, entity_id)
    elif entity == "objection":
        notices.get_objection(session, scope, entity_id)
    elif entity == "cultivation":
        cultivation.get(session, scope, entity_id)
    else:
        nominations.get(session, scope, entity_id)
        objection_ids = session.scalars(select(Objection.id).where(Objection.nomination_id == entity_id)).all()
        return trail_of(session, Base.metadata, {"nomination": [entity_id], "objection": objection_ids})
    return trail_of(session, Base.metadata, {entity: [entity_id]})
