"""What the activity and sign-up RPCs (and their gateway routes) take."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from ..models.activities import ActivityStatus, Category, SignupStatus
from .corps import ID, REQUEST_ID, SkillsField


class ActivitySchema(Schema):
    """A new activity (a draft until published) organised by a unit in your scope."""

    title = Trimmed(required=True, validate=validate.Length(min=1, max=200), metadata={"description": "e.g. 劳模进校园宣讲"})
    category = fields.String(required=True, validate=choice(Category))
    organiser_unit_id = fields.String(required=True, validate=UNIT_ID)
    place = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000),
                              metadata={"description": "places; sign-ups past them go on the waitlist"})
    required_skills = SkillsField(load_default=list, metadata={"description": "every volunteer must offer these"})
    description = Trimmed(load_default="", validate=validate.Length(max=5000))
    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same request_id returns the first"})

    @validates_schema
    def _times(self, data, **kwargs):
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError("must be after starts_at", "ends_at")


class ActivityChangesSchema(Schema):
    """Changes to an activity that has not begun: any of its title, place, description, time, capacity and
    required skills; ``version`` (the one you read) guards against lost updates."""

    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1),
                             metadata={"description": "the activity's version as you read it; 409 if it changed"})
    title = Trimmed(validate=validate.Length(min=1, max=200))
    place = Trimmed(validate=validate.Length(min=1, max=200))
    description = Trimmed(validate=validate.Length(max=5000))
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    capacity = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000),
                              metadata={"description": "not below the places taken; more places confirm the "
                                                       "waitlist in its order"})
    required_skills = SkillsField(metadata={"description": "replaces the list; people signed up stay"})

    @validates_schema
    def _something(self, data, **kwargs):
        if not set(data) - {"version"}:
            raise ValidationError("nothing to change", "_schema")
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError("must be after starts_at", "ends_at")


class ActivityCancelSchema(Schema):
    """Call the activity off (before it begins), with the reason every sign-up is cancelled with."""

    reason = Trimmed(required=True, validate=validate.Length(min=1, max=2000),
                     metadata={"description": "e.g. 因天气原因取消"})


class ActivityQuerySchema(PageRequest):
    category = fields.String(validate=choice(Category))
    status = fields.String(validate=choice(ActivityStatus))
    starts_from = fields.AwareDateTime(metadata={"description": "activities starting at or after this time"})
    starts_before = fields.AwareDateTime(metadata={"description": "activities starting before this time"})


class SignupSchema(Schema):
    """Sign a volunteer (an active one in your scope) up for the activity."""

    volunteer_id = fields.String(required=True, validate=ID)
    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same request_id returns the first"})


class CancelSchema(Schema):
    reason = Trimmed(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class SignupQuerySchema(PageRequest):
    status = fields.String(validate=choice(SignupStatus))
