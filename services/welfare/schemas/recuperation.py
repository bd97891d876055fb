"""Input of recuperation (疗休养): plans, batches, allocation, a place's outcome, lists."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.chassis.schemas import PageRequest, Trimmed

REQUEST_ID = validate.Length(min=1, max=64)
YEAR = validate.Range(min=2000, max=2100)
PLAN_YEARS = 5  # a plan runs five years: first_year .. first_year + 4
DEFAULT_PLACES = 12_000  # the programme's five-year target (12,000 places)
MAX_PLACES = 1_000_000
MAX_CAPACITY = 10_000
MAX_BATCH_DAYS = 90
OUTCOMES = ("attended", "declined", "cancelled")  # what an allocated place can become
KINDS = ("by_trade", "with_family")


class NewRecuperationPlanSchema(Schema):
    """A five-year plan of the actor's unit: ``first_year`` to ``first_year + 4``."""

    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same id returns the same plan"})
    name = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    first_year = fields.Integer(required=True, strict=True, validate=YEAR)
    places = fields.Integer(load_default=DEFAULT_PLACES, strict=True, validate=validate.Range(min=1, max=MAX_PLACES),
                            metadata={"description": "places over the five years (12,000 unless given)"})


class NewRecuperationBatchSchema(Schema):
    """A batch of a plan: destination, dates (within the plan's years), capacity, kind.

    ``by_trade`` batches name their trade or industry; ``with_family`` ones take none."""

    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same id returns the same batch"})
    destination = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CAPACITY))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    trade = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100),
                    metadata={"description": "the trade or industry (行业) of a by_trade batch"})

    @validates_schema
    def consistent(self, data, **kwargs):
        if data["end_date"] < data["start_date"]:
            raise ValidationError("ends before it starts", "end_date")
        if (data["end_date"] - data["start_date"]).days >= MAX_BATCH_DAYS:
            raise ValidationError(f"a batch lasts less than {MAX_BATCH_DAYS} days", "end_date")
        if data["kind"] == "by_trade" and not data.get("trade"):
            raise ValidationError("a by_trade batch names its trade", "trade")
        if data["kind"] == "with_family" and data.get("trade"):
            raise ValidationError("only a by_trade batch has a trade", "trade")


class RecuperationAllocationSchema(Schema):
    """Run the batch's allocation: fill its free places from the roster, most overdue first."""

    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same id answers as the first run did"})


class RecuperationPlaceOutcomeSchema(Schema):
    """What became of an allocated place: attended, or declined/cancelled (the place is freed)."""

    status = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    note = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=500))


class RecuperationPlanQuerySchema(PageRequest):
    pass


class RecuperationBatchQuerySchema(PageRequest):
    pass


class RecuperationPlaceQuerySchema(PageRequest):
    status = fields.String(validate=validate.OneOf(("allocated", *OUTCOMES)))


class RecuperationOverdueQuerySchema(PageRequest):
    pass
