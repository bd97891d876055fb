"""What the innovation-studio RPCs return (documented in OpenAPI; tests check real replies)."""
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

from ..models.studios import CRITERIA, AssessmentResult, StudioLevel, StudioStatus

EvidenceOut = type("EvidenceOut", (Schema,), dict(
    {name: maybe_text() for name in CRITERIA},
    __doc__="The evidence for each of the six criteria (六有); null where none is given."))


class AssessmentOut(Schema):
    """A yearly assessment (年度考核) and the year's outputs."""

    year = fields.Integer(required=True)
    result = text(validate=one_of(AssessmentResult))
    patents = count()
    techniques = count()
    awards = count()
    economic_benefit = count(metadata={"description": "fen (分)"})
    note = maybe_text()
    assessed_by_account = text()
    assessed_at = instant()


class StudioOut(Schema):
    """An innovation studio (劳模创新工作室): applied, recognised (level, year) or declined."""

    id = text()
    name = text()
    applicant_unit_id = text()
    leader_honouree_id = text()
    evidence = fields.Nested(EvidenceOut, required=True)
    missing = fields.List(fields.String(validate=validate.OneOf(CRITERIA)), required=True,
                          metadata={"description": "criteria without evidence (the leader's eligibility is checked "
                                                   "with the registry when the city decides)"})
    status = text(validate=one_of(StudioStatus))
    level = maybe_text(validate=one_of(StudioLevel))
    recognised_year = fields.Integer(required=True, allow_none=True)
    decision_note = maybe_text(metadata={"description": "the recognition's note or the reason for declining"})
    decided_by_account = maybe_text()
    decided_at = maybe_instant()
    assessments = fields.List(fields.Nested(AssessmentOut), required=True, metadata={"description": "by year"})
    applied_by_account = text()
    request_id = maybe_text()
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    created_at = instant()
    updated_at = instant()


StudioPageOut = page_schema(StudioOut, "StudioPageOut", "Studios applied by units in your scope, newest first.")


class RecognitionCountOut(Schema):
    """A year's recognitions in your scope by level, and the city-level ones against the yearly target."""

    year = fields.Integer(required=True)
    by_level = fields.Dict(keys=fields.String(validate=one_of(StudioLevel)), values=fields.Integer(), required=True)
    municipal = count(metadata={"description": "city-level (市级) recognitions in the year"})
    target = count(metadata={"description": "about 50 city-level studios a year"})
    shortfall = count(metadata={"description": "how many more city-level recognitions reach the target (0 when met)"})
