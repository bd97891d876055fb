"""What the suggestion RPCs (and their gateway routes) take: marshmallow input schemas."""
from marshmallow import Schema, ValidationError, fields, validate

from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from ..models.suggestions import HandlingBody, SuggestionCategory, SuggestionStatus

NOTE = validate.Length(min=1, max=2000)


def _unique(values):
    if len(set(values)) != len(values):
        raise ValidationError("each only once")


class NewSuggestionSchema(Schema):
    """A suggestion (建言献策直通车) proposed by one or more eligible honourees in your scope."""

    topic = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    content = Trimmed(required=True, validate=validate.Length(min=1, max=20000))
    category = fields.String(required=True, validate=choice(SuggestionCategory))
    honouree_ids = fields.List(fields.String(validate=validate.Length(min=1, max=32)), required=True,
                               validate=[validate.Length(min=1, max=20), _unique],
                               metadata={"description": "the proposers, 1 to 20, each once"})
    request_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                               metadata={"description": "a retry with the same request_id returns the first"})


class NoteSchema(Schema):
    """An optional note on the decision."""

    note = Trimmed(load_default=None, validate=NOTE)


class ReasonSchema(Schema):
    reason = Trimmed(required=True, validate=NOTE)


class TransferSchema(Schema):
    """The handling body the accepted suggestion goes to, and the date its answer is due by (Beijing)."""

    handling_body = fields.String(required=True, validate=choice(HandlingBody))
    handling_body_name = Trimmed(required=True, validate=validate.Length(min=1, max=200),
                                 metadata={"description": "e.g. 北京市人力资源和社会保障局"})
    deadline = fields.Date(required=True, metadata={"description": "today (Beijing) or later"})


class AnswerSchema(Schema):
    """The handling body's answer and the feedback on it (反馈)."""

    answer = Trimmed(required=True, validate=validate.Length(min=1, max=20000))
    feedback = Trimmed(required=True, validate=NOTE)


class SuggestionQuerySchema(PageRequest):
    status = fields.String(validate=choice(SuggestionStatus))
    category = fields.String(validate=choice(SuggestionCategory))
    year = fields.Integer(validate=validate.Range(min=2000, max=2200), metadata={"description": "submitted in"})
    commended = fields.Boolean()
    unit_id = fields.String(validate=UNIT_ID, metadata={"description": "submitted by this unit or one below it"})


class OverdueQuerySchema(PageRequest):
    pass
