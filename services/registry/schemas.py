"""The registry's RPC payloads."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.chassis.schemas import PageRequest

from .domain import Tier
from .id_numbers import id_number_problem
from .people import Category, EmploymentStatus, Gender, Hardship, HonourLevel, IncomeBand, ManagementMode

UNIT_ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,63}$",
                          error="lower-case letters, digits and hyphens, 2 to 64 characters")
TIERS = [t.value for t in Tier]


class Trimmed(fields.String):
    """Text with surrounding white space trimmed; nothing but spaces counts as empty."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class UnitSchema(Schema):
    id = fields.String()
    name = fields.String()
    tier = fields.Function(lambda unit: unit.tier.value)
    parent_id = fields.String(allow_none=True)
    system_parent_id = fields.String(allow_none=True)
    created_at = fields.DateTime()


class CreateUnitSchema(Schema):
    id = fields.String(required=True, validate=UNIT_ID)
    name = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    parent_id = fields.String(load_default=None, allow_none=True, validate=UNIT_ID)
    system_parent_id = fields.String(load_default=None, allow_none=True, validate=UNIT_ID)


class UnitQuerySchema(PageRequest):
    tier = fields.String(validate=validate.OneOf(TIERS))
    parent_id = fields.String(validate=UNIT_ID)


# honourees ---------------------------------------------------------------------------------

def choice(enum_class):
    return validate.OneOf([member.value for member in enum_class])


PHONE = validate.Regexp(r"^\+?[0-9][0-9 -]{4,19}$", error="digits, spaces or hyphens, 5 to 20")


class FamilySchema(Schema):
    members = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=30))
    income_band = fields.String(load_default=None, allow_none=True, validate=choice(IncomeBand))
    hardships = fields.List(fields.String(validate=choice(Hardship)), load_default=list)


class HonourInputSchema(Schema):
    honour_type = fields.String(required=True, validate=validate.Length(min=1, max=40))
    year = fields.Integer(required=True, validate=validate.Range(min=1950, max=2100))
    level = fields.String(load_default=None, validate=choice(HonourLevel))
    conferring_body = Trimmed(load_default=None, validate=validate.Length(min=1, max=100))
    nomination_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))


class HonoureeFieldsSchema(Schema):
    """The fields of a record that callers write; required-ness is set by the subclasses."""

    name = Trimmed(validate=validate.Length(min=1, max=50))
    gender = fields.String(validate=choice(Gender))
    ethnicity = Trimmed(validate=validate.Length(min=1, max=20))
    birth_date = fields.Date()
    id_number = Trimmed(validate=validate.Length(min=15, max=18))
    phone = fields.String(allow_none=True, validate=PHONE)
    address = Trimmed(allow_none=True, validate=validate.Length(max=200))
    education = Trimmed(allow_none=True, validate=validate.Length(max=30))
    political_status = Trimmed(allow_none=True, validate=validate.Length(max=30))
    employer = Trimmed(allow_none=True, validate=validate.Length(max=200))
    position = Trimmed(allow_none=True, validate=validate.Length(max=100))
    category = fields.String(validate=choice(Category))
    front_line = fields.Boolean()
    migrant_worker = fields.Boolean()
    non_public_enterprise = fields.Boolean()
    high_tech_enterprise = fields.Boolean()
    employment_status = fields.String(validate=choice(EmploymentStatus))
    beijing_hukou = fields.Boolean()
    family = fields.Nested(FamilySchema)
    management_mode = fields.String(validate=choice(ManagementMode))

    @validates_schema
    def id_number_fits_birth_date(self, data, **kwargs):
        if "id_number" in data:
            problem = id_number_problem(data["id_number"], data.get("birth_date"))
            if problem:
                raise ValidationError(problem, "id_number")


class NewHonoureeSchema(HonoureeFieldsSchema):
    request_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    name = Trimmed(required=True, validate=validate.Length(min=1, max=50))
    gender = fields.String(required=True, validate=choice(Gender))
    ethnicity = Trimmed(required=True, validate=validate.Length(min=1, max=20))
    birth_date = fields.Date(required=True)
    id_number = Trimmed(required=True, validate=validate.Length(min=15, max=18))
    category = fields.String(required=True, validate=choice(Category))
    employment_status = fields.String(load_default=EmploymentStatus.IN_SERVICE.value,
                                      validate=choice(EmploymentStatus))
    managing_unit_id = fields.String(required=True, validate=UNIT_ID)
    management_mode = fields.String(load_default=ManagementMode.BY_UNIT.value, validate=choice(ManagementMode))
    honours = fields.List(fields.Nested(HonourInputSchema), load_default=list)


class HonoureeChangesSchema(HonoureeFieldsSchema):
    """A correction: any writable field; the managing unit changes only by transfer."""

    version = fields.Integer(load_default=None, validate=validate.Range(min=1))

    @validates_schema
    def not_read_only(self, data, **kwargs):
        if not data or set(data) == {"version"}:
            raise ValidationError("nothing to change", "_schema")


READ_ONLY_FIELDS = ("id", "managing_unit_id", "district_id", "verified_year", "created_at",
                    "updated_at", "honours", "id_number_masked")
