"""The gateway's own request and reply shapes: logging in, accounts, errors."""
from marshmallow import Schema, fields, validate

from services.chassis.actor import ROLES
from services.chassis.schemas import PageRequest, page_schema

UNIT_ID = validate.Length(min=1, max=64)


class ErrorOut(Schema):
    """Every error: a code, a message for people, and details (field errors under their names)."""

    error = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class TokenOut(Schema):
    """A bearer token: send it as ``Authorization: Bearer <access_token>``."""

    access_token = fields.String(required=True)
    token_type = fields.String(required=True, validate=validate.OneOf(["Bearer"]))
    expires_in = fields.Integer(required=True)
    must_change_password = fields.Boolean(required=True)


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=128))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class AccountOut(Schema):
    """An account: the unit it acts for, its roles and its personal-data right."""

    id = fields.String(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    unit_id = fields.String(required=True)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True)
    personal_data = fields.Boolean(required=True)
    active = fields.Boolean(required=True)
    must_change_password = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.String(required=True)
    updated_at = fields.DateTime(required=True)
    password_changed_at = fields.DateTime(required=True)


class NewAccountOut(Schema):
    """A created account, or one whose password was reset, with its one-time password (shown once)."""

    account = fields.Nested(AccountOut, required=True)
    one_time_password = fields.String(required=True)


class NewAccountSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=3, max=64))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    unit_id = fields.String(required=True, validate=UNIT_ID)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True,
                        validate=validate.Length(min=1, max=len(ROLES)))
    personal_data = fields.Boolean(load_default=False)


class AccountChangesSchema(Schema):
    display_name = fields.String(validate=validate.Length(min=1, max=100))
    unit_id = fields.String(validate=UNIT_ID)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)),
                        validate=validate.Length(min=1, max=len(ROLES)))
    personal_data = fields.Boolean()
    active = fields.Boolean()


class AccountQuerySchema(PageRequest):
    unit_id = fields.String(validate=UNIT_ID)
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()


class MeOut(Schema):
    """The caller: its account, and the units it acts for (its unit and all below it)."""

    account = fields.Nested(AccountOut, required=True)
    scope = fields.List(fields.String(), required=True)


AccountPageOut = page_schema(AccountOut, "AccountPageOut")
