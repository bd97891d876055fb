"""What the learning-event RPCs (and their gateway routes) take: marshmallow input schemas."""
from marshmallow import Schema, ValidationError, fields, validate

from services.chassis.schemas import PageRequest, Trimmed, choice

from ..models.learning import LearningKind

YEAR = validate.Range(min=2000, max=2200)


def _unique(values):
    if len(set(values)) != len(values):
        raise ValidationError("each only once")


class NewLearningEventSchema(Schema):
    """A lecture, salon, training or degree class, or an international or Hong Kong/Macao/Taiwan
    exchange, organised by your unit."""

    kind = fields.String(required=True, validate=choice(LearningKind))
    title = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    description = Trimmed(load_default="", validate=validate.Length(max=5000))
    place = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "with its UTC offset"})
    capacity = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1, max=100000))
    request_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                               metadata={"description": "a retry with the same request_id returns the first event"})


class SignupSchema(Schema):
    """An eligible honouree in your scope signs up."""

    honouree_id = fields.String(required=True, validate=validate.Length(min=1, max=32))


class CancelSignupSchema(Schema):
    """Cancel a sign-up before the event begins (取消报名), with an optional reason."""

    reason = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=2000))


class AttendanceSchema(Schema):
    """Who attended (the organiser marks it once the event has begun)."""

    honouree_ids = fields.List(fields.String(validate=validate.Length(min=1, max=32)), required=True,
                               validate=[validate.Length(min=1, max=1000), _unique])
    attended = fields.Boolean(load_default=True)


class LearningEventQuerySchema(PageRequest):
    kind = fields.String(validate=choice(LearningKind))
    year = fields.Integer(validate=YEAR, metadata={"description": "starting in this year (Beijing)"})


class SignupQuerySchema(PageRequest):
    attended = fields.Boolean()
    status = fields.String(validate=validate.OneOf(("signed_up", "cancelled")),
                           metadata={"description": "signed_up (standing) or cancelled; default both"})


class ExchangeCountQuerySchema(Schema):
    year = fields.Integer(validate=YEAR, metadata={"description": "default: this year (Beijing)"})
