"""What the organ RPCs (and their gateway routes) take: marshmallow input schemas."""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from ..models.organs import OrganKind, Position, TroupeKind


class NewOrganSchema(Schema):
    """A council or standing council of a term, a sector committee, a troupe (the city's), or a branch of a
    unit in your scope."""

    kind = fields.String(required=True, validate=choice(OrganKind))
    name = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    term = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1, max=100),
                          metadata={"description": "届: the council and the standing council only"})
    sector = Trimmed(load_default=None, validate=validate.Length(min=1, max=100),
                     metadata={"description": "界别: a sector committee only"})
    troupe_kind = fields.String(load_default=None, validate=choice(TroupeKind),
                                metadata={"description": "a troupe only"})
    unit_id = fields.String(load_default=None, validate=UNIT_ID,
                            metadata={"description": "a branch only: the district, industry or employer union"})
    request_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))


class SeatSchema(Schema):
    """An active member of the association in your scope takes a seat with a position."""

    honouree_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    position = fields.String(required=True, validate=choice(Position))


class EndSeatSchema(Schema):
    """The seat ends, with the reason and the date (today by default; not before it began, not after today)."""

    reason = Trimmed(required=True, validate=validate.Length(min=1, max=2000))
    ended_on = fields.Date(load_default=None)


class SeatChangeSchema(Schema):
    """The seat's new position."""

    position = fields.String(required=True, validate=choice(Position))


class OrganQuerySchema(PageRequest):
    kind = fields.String(validate=choice(OrganKind))
    term = fields.Integer(validate=validate.Range(min=1, max=100))
    unit_id = fields.String(validate=UNIT_ID)
