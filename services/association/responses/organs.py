"""What the organ RPCs return (documented in OpenAPI; tests check real replies)."""
from marshmallow import Schema, fields

from services.chassis.schemas import instant, maybe_text, one_of, page_schema, text

from ..models.organs import OrganKind, Position, TroupeKind


class SeatOut(Schema):
    honouree_id = text()
    managing_unit_id = text()
    position = text(validate=one_of(Position))
    since = fields.Date(required=True)
    added_by_account = text()
    ended_on = fields.Date(required=True, allow_none=True)
    end_reason = maybe_text()
    ended_by_account = maybe_text()


class OrganOut(Schema):
    """An organ of the association with its members."""

    id = text()
    kind = text(validate=one_of(OrganKind))
    name = text()
    term = fields.Integer(required=True, allow_none=True)
    sector = maybe_text()
    troupe_kind = maybe_text(validate=one_of(TroupeKind))
    unit_id = text()
    members = fields.List(fields.Nested(SeatOut), required=True)
    created_by_account = text()
    request_id = maybe_text()
    created_at = instant()


OrganPageOut = page_schema(OrganOut, "OrganPageOut", "The association's organs, newest first.")
