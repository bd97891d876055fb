"""What the research-result RPCs (and their gateway routes) take: marshmallow input schemas."""
from marshmallow import Schema, ValidationError, fields, validate, validates

from services.chassis.schemas import PageRequest, Trimmed

ID = fields.String(validate=validate.Length(min=1, max=32))


class NewResearchResultSchema(Schema):
    """A research result (调研成果) of the year, by honourees, perhaps grown from suggestions."""

    title = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    summary = Trimmed(required=True, validate=validate.Length(min=1, max=8000))
    honouree_ids = fields.List(fields.String(validate=validate.Length(min=1, max=32)), required=True,
                               validate=validate.Length(min=1, max=20))
    suggestion_ids = fields.List(fields.String(validate=validate.Length(min=1, max=32)), load_default=list,
                                 validate=validate.Length(max=50))
    request_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))

    @validates("honouree_ids")
    def _once(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError("each honouree once")

    @validates("suggestion_ids")
    def _once_each(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError("each suggestion once")


class ResearchQuerySchema(PageRequest):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
