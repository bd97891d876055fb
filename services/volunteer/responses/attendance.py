"""What the attendance and hours RPCs return (documented in OpenAPI; tests check real replies)."""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import (
    count,
    instant,
    maybe_instant,
    maybe_text,
    one_of,
    page_schema,
    text,
)

from ..models.activities import Category
from ..models.attendance import AttendanceStatus

MINUTES = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=0))


class AttendanceOut(Schema):
    """An attendance (考勤): check-in, check-out, proposed minutes, and the organiser's confirmed minutes."""

    id = text()
    signup_id = text()
    activity_id = text()
    volunteer_id = text()
    team_id = text()
    unit_id = text(metadata={"description": "the volunteer's team's unit"})
    organiser_unit_id = text()
    category = text(validate=one_of(Category))
    year = fields.Integer(required=True)
    status = text(validate=one_of(AttendanceStatus))
    checked_in_at = instant()
    checked_out_at = maybe_instant()
    proposed_minutes = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=0))
    confirmed_minutes = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=0),
                                       metadata={"description": "what counts; null until confirmed"})
    confirmed_by_account = maybe_text()
    confirmed_at = maybe_instant()


class TotalOut(Schema):
    key = text(metadata={"description": "the volunteer, team or unit id, the category, or the year"})
    label = maybe_text(metadata={"description": "the volunteer's or team's name"})
    minutes = count()
    hours = fields.Float(required=True, validate=validate.Range(min=0))
    attendances = count()


class TotalsOut(Schema):
    """Confirmed service hours grouped as asked, most first; a page of the groups, and the sum of all."""

    group_by = text()
    items = fields.List(fields.Nested(TotalOut), required=True)
    total = count(metadata={"description": "groups"})
    page = fields.Integer(required=True, validate=validate.Range(min=1))
    page_size = fields.Integer(required=True, validate=validate.Range(min=1))
    pages = count()
    total_minutes = count()
    total_hours = fields.Float(required=True, validate=validate.Range(min=0))
    attendances = count()


AttendancePageOut = page_schema(AttendanceOut, "AttendancePageOut")

RecordCsvOut = {
    "type": "string",
    "description": "A volunteer's record as CSV text: a BOM, the header (activity_id, title, category, "
                   "organiser_unit_id, place, starts_at, ends_at, volunteer_id, team_id, status, checked_in_at, "
                   "checked_out_at, proposed_minutes, confirmed_minutes, confirmed_hours), one row per attendance, "
                   "oldest first, CRLF line ends; a text cell that a spreadsheet would run as a formula starts "
                   "with an apostrophe.",
}
