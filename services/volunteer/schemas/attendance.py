"""What the attendance, hours and record RPCs (and their gateway routes) take."""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import UNIT_ID, PageRequest, choice

from ..models.activities import Category
from ..models.attendance import AttendanceStatus
from .corps import ID


class CheckSchema(Schema):
    """When the volunteer checked in or out (default: now; never in the future)."""

    at = fields.AwareDateTime(load_default=None, allow_none=True)


class ConfirmSchema(Schema):
    """The organiser confirms the proposed minutes, or fewer."""

    minutes = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100_000),
                             metadata={"description": "default: the proposed minutes"})


class AttendanceQuerySchema(PageRequest):
    status = fields.String(validate=choice(AttendanceStatus))


class TotalsQuerySchema(PageRequest):
    group_by = fields.String(required=True, validate=validate.OneOf(["volunteer", "team", "unit", "category", "year"]))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    category = fields.String(validate=choice(Category))
    unit_id = fields.String(validate=UNIT_ID, metadata={"description": "volunteers of this unit and those below"})
    team_id = fields.String(validate=ID)
