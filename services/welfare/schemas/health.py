"""Input of health check-ups (个性化体检)."""
from marshmallow import Schema, ValidationError, fields, validate, validates

from services.chassis.schemas import PageRequest, Trimmed

REQUEST_ID = validate.Length(min=1, max=64)
RECORD_ID = validate.Length(min=1, max=32)
YEAR = validate.Range(min=2000, max=2100)
MAX_RESULTS = 20_000


class NewHealthCheckUpSchema(Schema):
    """A check-up of one honouree: the date (not in the future), the institution, the results.

    The results are personal data: sealed at rest, shown only with the personal-data right."""

    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same id returns the same check-up"})
    honouree_id = fields.String(required=True, validate=RECORD_ID)
    checked_on = fields.Date(required=True)
    institution = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    results = Trimmed(required=True, validate=validate.Length(min=1, max=MAX_RESULTS))

    @validates("checked_on")
    def in_laomos_years(self, value, **kwargs):
        if not 2000 <= value.year <= 2100:
            raise ValidationError("a date from 2000 to 2100")


class HealthCheckUpQuerySchema(PageRequest):
    honouree_id = fields.String(validate=RECORD_ID)
    year = fields.Integer(validate=YEAR)


class HealthOverdueQuerySchema(PageRequest):
    pass


class HealthCoverageQuerySchema(Schema):
    year = fields.Integer(validate=YEAR, metadata={"description": "the clock's current year unless given"})
