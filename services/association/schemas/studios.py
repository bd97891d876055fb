"""What the innovation-studio RPCs (and their gateway routes) take: marshmallow input schemas."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from ..models.studios import CRITERIA, AssessmentResult, StudioLevel, StudioStatus

EVIDENCE = validate.Length(min=1, max=4000)
YEAR = validate.Range(min=2000, max=2200)


def _evidence_fields():
    return {name: Trimmed(allow_none=True, validate=EVIDENCE) for name in CRITERIA}


EvidenceSchema = type("EvidenceSchema", (Schema,), dict(
    _evidence_fields(),
    __doc__="The evidence for each of the six criteria (六有): leader (an honouree leads it), team, project, "
            "venue, funding, results; a criterion without evidence is missing (null or absent)."))


class NewStudioSchema(Schema):
    """A unit in your scope applies for an innovation studio led by an eligible honouree in your scope."""

    name = Trimmed(required=True, validate=validate.Length(min=1, max=100),
                   metadata={"description": "e.g. 张三劳模创新工作室"})
    unit_id = fields.String(required=True, validate=UNIT_ID, metadata={"description": "the applying unit"})
    leader_honouree_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    evidence = fields.Nested(EvidenceSchema, load_default=dict)
    request_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                               metadata={"description": "a retry with the same request_id returns the first studio"})


class EvidenceChangesSchema(EvidenceSchema):
    """Evidence given or replaced for some criteria (null takes it away); at least one."""

    @validates_schema
    def some(self, data, **kwargs):
        if not data:
            raise ValidationError("give the evidence of at least one criterion", "_schema")


class RecognitionSchema(Schema):
    """The city recognises the studio at a level in a year (default: this year, Beijing)."""

    level = fields.String(required=True, validate=choice(StudioLevel))
    year = fields.Integer(load_default=None, strict=True, validate=YEAR)
    note = Trimmed(load_default=None, validate=validate.Length(min=1, max=2000))


class DeclineSchema(Schema):
    """Why the city does not recognise the studio."""

    reason = Trimmed(required=True, validate=validate.Length(min=1, max=2000))


class StudioQuerySchema(PageRequest):
    status = fields.String(validate=choice(StudioStatus))
    level = fields.String(validate=choice(StudioLevel))
    year = fields.Integer(validate=YEAR, metadata={"description": "recognised in this year"})
    unit_id = fields.String(validate=UNIT_ID, metadata={"description": "applied by this unit or one below it"})


class RecognitionCountQuerySchema(Schema):
    year = fields.Integer(validate=YEAR, metadata={"description": "default: this year (Beijing)"})


class AssessmentSchema(Schema):
    """A recognised studio's assessment for a year (年度考核) with the year's outputs."""

    year = fields.Integer(required=True, strict=True, validate=YEAR)
    result = fields.String(required=True, validate=choice(AssessmentResult))
    patents = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=100000))
    techniques = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=100000),
                                metadata={"description": "advanced operating methods and technical innovations"})
    awards = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=100000))
    economic_benefit = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=10**15),
                                      metadata={"description": "fen (分)"})
    note = Trimmed(load_default=None, validate=validate.Length(min=1, max=2000))
