"""Input of hardship aid (困难帮扶) applications and their steps, and of sick visits (看望生病劳模)."""
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from services.chassis.schemas import PageRequest, Trimmed, choice

from ..models.hardship import HardshipKind, HardshipState
from .ledger import MAX_AMOUNT, RECORD_ID, REQUEST_ID

YEAR = validate.Range(min=2000, max=2100)
NOTE = validate.Length(max=2000)
MAX_FACTS = 10_000


def money(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_AMOUNT), **kwargs)


class NewHardshipApplicationSchema(Schema):
    """An application for hardship aid for an eligible honouree in your scope.

    ``facts`` (family income, illness, ...) are personal data: sealed at rest, shown only with the
    personal-data right, never in the audit trail, an event or a log."""

    request_id = REQUEST_ID
    honouree_id = fields.String(required=True, validate=RECORD_ID)
    kind = fields.String(required=True, validate=choice(HardshipKind))
    amount = money(required=True, metadata={"description": "fen (分)"})
    reasons = Trimmed(required=True, validate=validate.Length(min=1, max=2000))
    facts = Trimmed(required=True, validate=validate.Length(min=1, max=MAX_FACTS))
    fund_id = fields.String(required=True, validate=RECORD_ID,
                            metadata={"description": "the fund to pay from: it must allow hardship_aid"})


class HardshipNoteSchema(Schema):
    """A step's note (optional)."""

    note = Trimmed(load_default=None, validate=NOTE)


class HardshipApprovalSchema(HardshipNoteSchema):
    fund_id = fields.String(validate=RECORD_ID,
                            metadata={"description": "pay from this fund instead of the one applied for"})


class HardshipRefusalSchema(Schema):
    reasons = Trimmed(required=True, validate=validate.Length(min=1, max=2000))


class HardshipCancellationSchema(Schema):
    reason = Trimmed(required=True, validate=validate.Length(min=1, max=2000))


class HardshipQuerySchema(PageRequest):
    state = fields.String(validate=choice(HardshipState))
    kind = fields.String(validate=choice(HardshipKind))
    honouree_id = fields.String(validate=RECORD_ID)
    year = fields.Integer(validate=YEAR)


class NewSickVisitSchema(Schema):
    """A visit to a sick honouree in your scope, with money given from a fund (optional: ``amount``
    and ``fund_id`` together). ``notes`` about health are personal data: sealed, shown only with
    the right."""

    request_id = REQUEST_ID
    honouree_id = fields.String(required=True, validate=RECORD_ID)
    visited_on = fields.Date(required=True)
    visitors = fields.List(Trimmed(validate=validate.Length(min=1, max=50)), required=True,
                           validate=validate.Length(min=1, max=20))
    place = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    notes = Trimmed(allow_none=True, validate=validate.Length(max=MAX_FACTS))
    amount = money(metadata={"description": "fen (分), paid from fund_id (purpose sick_visit)"})
    fund_id = fields.String(validate=RECORD_ID)

    @validates("visited_on")
    def in_laomos_years(self, value, **kwargs):
        if not 2000 <= value.year <= 2100:
            raise ValidationError("a date from 2000 to 2100")

    @validates_schema
    def money_with_its_fund(self, data, **kwargs):
        if ("amount" in data) != ("fund_id" in data):
            missing = "fund_id" if "amount" in data else "amount"
            raise ValidationError({missing: ["give amount and fund_id together"]})


class SickVisitQuerySchema(PageRequest):
    honouree_id = fields.String(validate=RECORD_ID)
    year = fields.Integer(validate=YEAR)
