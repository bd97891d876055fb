"""What the health check-up RPCs return (documented in OpenAPI; tests check real replies against them).

Bare lists: ``health_check_up_audit`` (``HealthAuditEntryOut``).
"""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import (
    audit_entry_schema,
    count,
    instant,
    page_schema,
    text,
)


class HealthCheckUpOut(Schema):
    """A yearly check-up (个性化体检); ``results`` is "***" without the personal-data right."""

    id = text()
    honouree_id = text()
    year = fields.Integer(required=True)
    checked_on = fields.Date(required=True)
    institution = text()
    results = text(metadata={"description": 'the results in clear with the personal-data right, else "***"'})
    recorded_by_account = text()
    recorded_by_unit_id = text()
    recorded_at = instant()


class HealthOverdueOut(Schema):
    """An eligible honouree with no check-up dated in the current year."""

    honouree_id = text()
    name = text()
    managing_unit_id = text()
    last_checked_on = fields.Date(required=True, allow_none=True)


class HealthCoverageRowOut(Schema):
    eligible = count()
    checked = count()
    ratio = fields.Float(required=True, validate=validate.Range(min=0, max=1),
                         metadata={"description": "checked / eligible (0 when none is eligible)"})


class HealthUnitCoverageOut(HealthCoverageRowOut):
    """One managing unit's eligible honourees and how many were checked in the year."""

    unit_id = text()
    unit_name = fields.String(required=True, allow_none=True)


class HealthCoverageOut(Schema):
    """Check-up coverage per managing unit of the scope, and in total, for one year."""

    year = fields.Integer(required=True)
    units = fields.List(fields.Nested(HealthUnitCoverageOut), required=True)
    total = fields.Nested(HealthCoverageRowOut, required=True)


HealthAuditEntryOut = audit_entry_schema(
    "HealthAuditEntryOut", ("health_check_up",),
    "One recorded change of a check-up; the results masked.")

HealthCheckUpPageOut = page_schema(HealthCheckUpOut, "HealthCheckUpPageOut")
HealthOverduePageOut = page_schema(HealthOverdueOut, "HealthOverduePageOut")
