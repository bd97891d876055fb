"""What the activity and sign-up RPCs return (documented in OpenAPI; tests check real replies)."""
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

from ..models.activities import ActivityStatus, Category, SignupStatus


class ActivityOut(Schema):
    """A volunteer activity (志愿服务活动) with its places taken and its waitlist."""

    id = text()
    title = text()
    category = text(validate=one_of(Category))
    organiser_unit_id = text()
    place = text()
    starts_at = instant()
    ends_at = instant()
    capacity = fields.Integer(required=True, validate=validate.Range(min=1))
    required_skills = fields.List(fields.String(), required=True)
    description = text()
    status = text(validate=one_of(ActivityStatus))
    confirmed = count()
    waitlisted = count()
    free_places = count()
    created_by_account = text()
    created_at = instant()
    published_at = maybe_instant()
    cancelled_at = maybe_instant(metadata={"description": "when the organiser called it off"})
    cancel_reason = maybe_text()
    version = fields.Integer(required=True, validate=validate.Range(min=1),
                             metadata={"description": "send it back with a change: 409 if it moved on"})


class SignupOut(Schema):
    """A sign-up (报名): confirmed (a place), waitlisted (候补, at waitlist_position) or cancelled."""

    id = text()
    activity_id = text()
    volunteer_id = text()
    volunteer_name = text()
    status = text(validate=one_of(SignupStatus))
    seq = fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "order of sign-up"})
    waitlist_position = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=1))
    cancel_reason = maybe_text()
    signed_up_at = instant()
    promoted_at = maybe_instant(metadata={"description": "when it moved up from the waitlist"})
    cancelled_at = maybe_instant()
    created_by_account = text()


class CancelledOut(Schema):
    """The cancelled sign-up, and the sign-ups its freed place confirmed from the waitlist."""

    signup = fields.Nested(SignupOut, required=True)
    promoted = fields.List(fields.Nested(SignupOut), required=True)


class ClashOut(Schema):
    """A sign-up whose person holds another live sign-up at the activity's new time."""

    signup_id = text()
    volunteer_id = text()
    clashing_signup_id = text()
    clashing_activity_id = text()


class ActivityChangedOut(Schema):
    """The changed activity; which fields changed; the waitlisted sign-ups a higher capacity confirmed; the
    clashes its new time made (reported, not refused: the organiser tells the people)."""

    activity = fields.Nested(ActivityOut, required=True)
    changed = fields.List(fields.String(), required=True)
    promoted = fields.List(fields.Nested(SignupOut), required=True)
    clashes = fields.List(fields.Nested(ClashOut), required=True)


class ActivityCancelledOut(Schema):
    """The cancelled activity and the sign-ups cancelled with it."""

    activity = fields.Nested(ActivityOut, required=True)
    cancelled_signups = fields.List(fields.Nested(SignupOut), required=True)


ActivityPageOut = page_schema(ActivityOut, "ActivityPageOut")
SignupPageOut = page_schema(SignupOut, "SignupPageOut")
