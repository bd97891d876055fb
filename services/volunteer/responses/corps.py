"""What the corps' RPCs return (documented in OpenAPI; tests check real replies)."""
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

from ..models.corps import Period, TeamKind, VolunteerKind, VolunteerStatus


class TeamOut(Schema):
    """A team of the corps (志愿服务队)."""

    id = text()
    name = text()
    kind = text(validate=one_of(TeamKind))
    unit_id = text()
    profession = maybe_text()
    admits_public = flag()
    description = text()
    active_volunteers = fields.Integer(required=True, validate=validate.Range(min=0))
    created_by_account = text()
    created_at = instant()
    updated_at = instant()


class SlotOut(Schema):
    weekday = fields.Integer(required=True, validate=validate.Range(min=1, max=7))
    period = text(validate=one_of(Period))


class VolunteerOut(Schema):
    """A volunteer's membership of a team, with skills and availability."""

    id = text()
    team_id = text()
    unit_id = text()
    kind = text(validate=one_of(VolunteerKind))
    honouree_id = maybe_text()
    name = text()
    status = text(validate=one_of(VolunteerStatus))
    end_reason = maybe_text()
    skills = fields.List(fields.String(), required=True)
    availability = fields.List(fields.Nested(SlotOut), required=True)
    joined_at = instant()
    ended_at = maybe_instant()
    created_by_account = text()


TeamPageOut = page_schema(TeamOut, "TeamPageOut")
VolunteerPageOut = page_schema(VolunteerOut, "VolunteerPageOut")
