"""What the learning-event RPCs return (documented in OpenAPI; tests check real replies)."""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import (
    count,
    flag,
    instant,
    maybe_instant,
    one_of,
    page_schema,
    text,
)

from ..models.learning import LearningKind


class LearningEventOut(Schema):
    """A learning or exchange event, with how many signed up and attended."""

    id = text()
    kind = text(validate=one_of(LearningKind))
    title = text()
    description = fields.String(required=True)
    place = text()
    starts_at = instant()
    year = fields.Integer(required=True)
    capacity = fields.Integer(required=True, allow_none=True)
    organiser_unit_id = text()
    created_by_account = text()
    signed_up = count()
    attended = count()
    request_id = fields.String(required=True, allow_none=True)
    created_at = instant()


LearningEventPageOut = page_schema(LearningEventOut, "LearningEventPageOut", "Learning events, soonest last.")


class SignupOut(Schema):
    """An honouree signed up for an event."""

    event_id = text()
    honouree_id = text()
    managing_unit_id = text()
    signed_up_by_account = text()
    signed_up_at = instant()
    attended = flag()
    attendance_marked_at = maybe_instant()
    status = text(validate=validate.OneOf(("signed_up", "cancelled")))
    cancelled_at = maybe_instant()
    cancelled_by_account = fields.String(required=True, allow_none=True)
    cancel_reason = fields.String(required=True, allow_none=True)


SignupPageOut = page_schema(SignupOut, "SignupPageOut", "Sign-ups of an event you may see.")


class ExchangeCountOut(Schema):
    """Honourees in your scope who attended an international or Hong Kong/Macao/Taiwan exchange in the
    year, against the target of at least 100."""

    year = fields.Integer(required=True)
    participants = count(metadata={"description": "distinct honourees who attended"})
    target = count()
    shortfall = count()
