"""What the membership RPCs (and their gateway routes) take: marshmallow input schemas."""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from ..models.membership import MembershipStatus

HONOUREE_ID = validate.Length(min=1, max=32)
REQUEST_ID = validate.Length(min=1, max=64)


class JoinSchema(Schema):
    """An honouree in your scope joins the association (实名入会): living, with an active honour."""

    honouree_id = fields.String(required=True, validate=HONOUREE_ID)
    note = Trimmed(load_default=None, validate=validate.Length(min=1, max=500))
    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same request_id returns the first "
                                                        "membership"})


class LeaveSchema(Schema):
    """Why the member leaves (退会): kept with the membership."""

    reason = Trimmed(required=True, validate=validate.Length(min=1, max=2000))


class MembershipQuerySchema(PageRequest):
    status = fields.String(validate=choice(MembershipStatus))
    unit_id = fields.String(validate=UNIT_ID,
                            metadata={"description": "members managed by this unit or below (in your scope)"})
    district_id = fields.String(validate=UNIT_ID, metadata={"description": "the members' district (区县)"})
    joined_year = fields.Integer(validate=validate.Range(min=1900, max=2200),
                                 metadata={"description": "joined in this year (Beijing time)"})
    honouree_id = fields.String(validate=HONOUREE_ID)
