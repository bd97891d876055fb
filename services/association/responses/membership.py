"""What the membership RPCs return (documented in OpenAPI; tests check real replies).

Bare list: ``membership_history`` (``MembershipHistoryEntryOut``).
"""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import (
    instant,
    maybe_instant,
    maybe_text,
    one_of,
    page_schema,
    text,
)

from ..models.membership import MembershipStatus


class MembershipOut(Schema):
    """A membership of the association (实名入会), active, left or ended."""

    id = text()
    honouree_id = text()
    honouree_name = maybe_text(metadata={"description": "from the registry's roster (null when no longer in "
                                                        "your scope)"})
    managing_unit_id = text()
    district_id = maybe_text()
    status = text(validate=one_of(MembershipStatus))
    joined_on = fields.Date(required=True, metadata={"description": "Beijing date"})
    note = maybe_text()
    joined_by_account = text()
    joined_by_unit_id = text()
    end_reason = maybe_text(metadata={"description": "why the member left, or why laomo ended the membership"})
    ended_at = maybe_instant()
    ended_by_account = maybe_text(metadata={"description": '"system" when ended on a revocation'})
    honour_id = maybe_text(metadata={"description": "the revoked honour that ended the membership"})
    revocation_id = maybe_text()
    request_id = maybe_text()
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    created_at = instant()
    updated_at = instant()


MembershipPageOut = page_schema(MembershipOut, "MembershipPageOut", "Memberships in your scope, newest first.")


class MembershipHistoryEntryOut(Schema):
    """One recorded change of a membership, oldest first."""

    entity = text(validate=validate.OneOf(("membership",)))
    entity_id = text()
    at = instant()
    account = text(metadata={"description": '"system" for what laomo did on an event'})
    unit_id = text()
    action = text()
    changes = fields.Dict(keys=fields.String(), values=fields.List(fields.Raw(), validate=validate.Length(equal=2)),
                          required=True, metadata={"description": "{field: [old value, new value]}"})
