"""What the suggestion RPCs return (documented in OpenAPI; tests check real replies)."""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import (
    flag,
    instant,
    maybe_instant,
    maybe_text,
    one_of,
    page_schema,
    text,
)

from ..models.suggestions import HandlingBody, SuggestionCategory, SuggestionStatus


class SuggestionOut(Schema):
    """A suggestion of the express lane (建言献策直通车), from its proposal to the answer."""

    id = text()
    topic = text()
    content = text()
    category = text(validate=one_of(SuggestionCategory))
    honouree_ids = fields.List(fields.String(), required=True, metadata={"description": "the proposers"})
    status = text(validate=one_of(SuggestionStatus))
    submitted_by_unit_id = text()
    submitted_by_account = text()
    submitted_on = fields.Date(required=True)
    decision_note = maybe_text()
    decided_by_account = maybe_text()
    decided_at = maybe_instant()
    handling_body = maybe_text(validate=one_of(HandlingBody))
    handling_body_name = maybe_text()
    deadline = fields.Date(required=True, allow_none=True)
    transferred_at = maybe_instant()
    answer = maybe_text()
    feedback = maybe_text()
    answered_on = fields.Date(required=True, allow_none=True)
    overdue = flag()
    days_overdue = fields.Integer(required=True, validate=validate.Range(min=0),
                                  metadata={"description": "days past the deadline without an answer (today, Beijing)"})
    commended = flag()
    commendation_note = maybe_text()
    commended_at = maybe_instant()
    request_id = maybe_text()
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    created_at = instant()
    updated_at = instant()


SuggestionPageOut = page_schema(SuggestionOut, "SuggestionPageOut", "Suggestions in your scope.")
