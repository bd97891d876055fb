"""The registry's RPC payloads."""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import PageRequest

from .domain import Tier

UNIT_ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,63}$",
                          error="lower-case letters, digits and hyphens, 2 to 64 characters")
TIERS = [t.value for t in Tier]


class UnitSchema(Schema):
    id = fields.String()
    name = fields.String()
    tier = fields.Function(lambda unit: unit.tier.value)
    parent_id = fields.String(allow_none=True)
    system_parent_id = fields.String(allow_none=True)
    created_at = fields.DateTime()


class UnitName(fields.String):
    """A unit's name, surrounding white space trimmed; nothing but spaces is no name."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class CreateUnitSchema(Schema):
    id = fields.String(required=True, validate=UNIT_ID)
    name = UnitName(required=True, validate=validate.Length(min=1, max=200))
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    parent_id = fields.String(load_default=None, allow_none=True, validate=UNIT_ID)
    system_parent_id = fields.String(load_default=None, allow_none=True, validate=UNIT_ID)


class UnitQuerySchema(PageRequest):
    tier = fields.String(validate=validate.OneOf(TIERS))
    parent_id = fields.String(validate=UNIT_ID)
