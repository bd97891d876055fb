"""The registry's ``honour_revoked`` event as the volunteer service reads it."""
from marshmallow import EXCLUDE, Schema, fields, validate


class HonourRevokedSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    honouree_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    honour_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    revocation_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32))
    managing_unit_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    active_honours_left = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
