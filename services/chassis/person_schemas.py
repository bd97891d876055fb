"""The fields of a person's record as callers write them: the registry's honourees and
nomination's new candidates take the same ones, checked the same way."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .id_numbers import id_number_problem
from .people import (
    Category,
    EmploymentStatus,
    Gender,
    Hardship,
    IncomeBand,
    ManagementMode,
)
from .schemas import PHONE, Trimmed, choice


class FamilySchema(Schema):
    members = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=30))
    income_band = fields.String(load_default=None, allow_none=True, validate=choice(IncomeBand))
    hardships = fields.List(fields.String(validate=choice(Hardship)), load_default=list)


class PersonFieldsSchema(Schema):
    """A person's writable fields; which are required is for the subclasses to say."""

    name = Trimmed(validate=validate.Length(min=1, max=50))
    gender = fields.String(validate=choice(Gender))
    ethnicity = Trimmed(validate=validate.Length(min=1, max=20))
    birth_date = fields.Date()
    # room for white space pasted around it; GB 11643 (id_number_problem) then checks the number's own length
    id_number = Trimmed(validate=validate.Length(min=15, max=24))
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
