"""What the care stops' RPCs return."""
from marshmallow import Schema, fields

from services.chassis.schemas import (
    instant,
    maybe_instant,
    maybe_text,
    page_schema,
    text,
)


class EndedOut(Schema):
    """What the stop ended: cancelled applications, voided commitments, batch items left out, the card,
    cancelled recuperation places."""

    hardship_applications = fields.List(fields.String(), required=True)
    commitments = fields.List(fields.String(), required=True)
    condolence_items = fields.Integer(required=True)
    service_card = maybe_text()
    recuperation_places = fields.List(fields.String(), required=True)


class CareStopOut(Schema):
    """A person's care stopped when their last active honour was revoked (lifted if one was conferred again)."""

    honouree_id = text()
    managing_unit_id = text()
    honour_id = text()
    revocation_id = maybe_text()
    reason = text()
    ended = fields.Nested(EndedOut, required=True)
    stopped_at = instant()
    lifted_at = maybe_instant()


CareStopPageOut = page_schema(CareStopOut, "CareStopPageOut", "Care stops in your scope, newest first.")
