"""What the ledger's RPCs accept: funds, budgets, posting requests, and the queries over them."""
from datetime import timedelta

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from ..vocabulary import FundKind, PostingKind, Purpose

MAX_AMOUNT = 10**12  # fen: ten billion yuan, far above any fund; stops overflow and typos alike
MAX_PERIOD_DAYS = 3660
RECORD_ID = validate.Length(min=1, max=32)
KEY = validate.Regexp(r"^[\x21-\x7e]{1,100}$", error="1 to 100 visible ASCII characters, no spaces")
REQUEST_ID = fields.String(validate=validate.Length(min=1, max=64))


def amount(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_AMOUNT), **kwargs)


class NewFundSchema(Schema):
    """A fund of a unit in your scope (yours unless named), with the purposes it may pay for."""

    request_id = REQUEST_ID
    code = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z0-9][a-z0-9-]{1,39}$", error="2 to 40 of a-z, 0-9 and -, starting with a letter or digit"))
    name = Trimmed(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=choice(FundKind))
    owner_unit_id = fields.String(validate=UNIT_ID)
    purposes = fields.List(fields.String(validate=choice(Purpose)), required=True,
                           validate=validate.Length(min=1, max=len(Purpose)))

    @validates_schema
    def distinct(self, data, **kwargs):
        if len(set(data.get("purposes", []))) != len(data.get("purposes", [])):
            raise ValidationError("each purpose once", "purposes")


class FundChangesSchema(Schema):
    """A new name, or more purposes: a purpose once allowed stays allowed, as the postings made for it stay."""

    name = Trimmed(validate=validate.Length(min=1, max=100))
    add_purposes = fields.List(fields.String(validate=choice(Purpose)), validate=validate.Length(min=1))
    version = fields.Integer(strict=True, validate=validate.Range(min=1))

    @validates_schema
    def something(self, data, **kwargs):
        if not set(data) - {"version"}:
            raise ValidationError("nothing to change: give name or add_purposes", "_schema")


class BudgetSchema(Schema):
    """A purpose's budget for a year: set, raised or lowered (never below what is already used)."""

    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    purpose = fields.String(required=True, validate=choice(Purpose))
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_AMOUNT))


class PostingRequestSchema(Schema):
    """One movement of money. Every request carries your idempotency key: send the same request
    again (after a timeout, say) and you get the first answer; never reuse a key for another one.

    - appropriation, donation: ``amount`` into the fund;
    - commitment: ``amount`` set aside for a ``purpose`` (pending);
    - disbursement: ``amount`` paid for a ``purpose``, or a commitment paid (``commitment_id``; the
      amount at most the commitment's, the rest released);
    - void: a commitment (``commitment_id``) released unpaid;
    - reversal: a posted posting (``reverses_id``) undone whole.
    """

    idempotency_key = fields.String(required=True, validate=KEY)
    kind = fields.String(required=True, validate=choice(PostingKind))
    fund_id = fields.String(required=True, validate=RECORD_ID)
    amount = amount()
    purpose = fields.String(validate=choice(Purpose))
    commitment_id = fields.String(validate=RECORD_ID)
    reverses_id = fields.String(validate=RECORD_ID)
    honouree_id = fields.String(validate=RECORD_ID)
    reference = fields.String(validate=validate.Length(min=1, max=100))
    memo = Trimmed(validate=validate.Length(max=500))

    @validates_schema
    def fields_of_the_kind(self, data, **kwargs):
        kind = data.get("kind")
        if kind is None:
            return
        needs = {"appropriation": ("amount",), "donation": ("amount",), "commitment": ("amount", "purpose"),
                 "disbursement": ("amount",), "void": ("commitment_id",), "reversal": ("reverses_id",)}[kind]
        refuses = {"appropriation": ("purpose", "commitment_id", "reverses_id"),
                   "donation": ("purpose", "commitment_id", "reverses_id"),
                   "commitment": ("commitment_id", "reverses_id"), "disbursement": ("reverses_id",),
                   "void": ("reverses_id", "purpose"), "reversal": ("commitment_id", "purpose")}[kind]
        errors = {name: [f"required for a {kind}"] for name in needs if name not in data}
        errors.update({name: [f"not part of a {kind}"] for name in refuses if name in data})
        if kind == "disbursement" and "purpose" not in data and "commitment_id" not in data:
            errors["purpose"] = ["a disbursement names its purpose, or the commitment it pays"]
        if errors:
            raise ValidationError(errors)


class FundQuerySchema(PageRequest):
    kind = fields.String(validate=choice(FundKind))
    owner_unit_id = fields.String(validate=UNIT_ID)


class Period(Schema):
    """Days in Beijing time, both included."""

    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")

    @validates_schema
    def ordered(self, data, **kwargs):
        if "start" in data and "end" in data:
            if data["end"] < data["start"]:
                raise ValidationError("the period ends before it starts", "to")
            if data["end"] - data["start"] > timedelta(days=MAX_PERIOD_DAYS):
                raise ValidationError(f"at most {MAX_PERIOD_DAYS} days", "to")


class PostingQuerySchema(PageRequest):
    fund_id = fields.String(validate=RECORD_ID)
    kind = fields.String(validate=choice(PostingKind))
    honouree_id = fields.String(validate=RECORD_ID)
    reference = fields.String(validate=validate.Length(min=1, max=100))
    open_commitments = fields.Boolean()  # commitments not yet paid or void


class StatementQuerySchema(Period, PageRequest):
    page_size = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class ExportQuerySchema(Period):
    fund_id = fields.String(validate=RECORD_ID)


class FundYearQuerySchema(Schema):
    """Which year's budgets to show with a fund (this year unless given)."""

    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
