"""What the ledger's RPCs return: funds with their figures, budgets, postings, statements.

Money is integer fen (分) throughout. ``tests/test_ledger_responses.py`` checks real replies against
these schemas, which the gateway also documents in OpenAPI.
"""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import (
    audit_entry_schema,
    count,
    instant,
    maybe_text,
    one_of,
    page_schema,
    text,
)

from ..vocabulary import FundKind, PostingKind, Purpose


def fen(**kwargs):
    return fields.Integer(required=True, **kwargs)


def maybe_fen():
    return fields.Integer(required=True, allow_none=True)


class BalancesOut(Schema):
    """The fund's money now: posted, set aside for commitments (pending), and what is free to commit."""

    posted = fen()
    pending = fen(validate=validate.Range(min=0))
    available = fen(validate=validate.Range(min=0))


class BudgetOut(Schema):
    """A purpose's budget for a year and its use (committed and paid, less what was released or reversed)."""

    fund_id = text()
    year = count()
    purpose = text(validate=one_of(Purpose))
    amount = fen(validate=validate.Range(min=0))
    used = fen(validate=validate.Range(min=0))
    remaining = fen(validate=validate.Range(min=0))


class FundOut(Schema):
    id = text()
    code = text()
    name = text()
    kind = text(validate=one_of(FundKind))
    owner_unit_id = text()
    purposes = fields.List(fields.String(validate=one_of(Purpose)), required=True)
    version = count()
    created_by = text()
    created_at = instant()
    balances = fields.Nested(BalancesOut, required=True)
    year = count()
    budgets = fields.List(fields.Nested(BudgetOut), required=True)


FundPageOut = page_schema(FundOut, "FundPageOut", "A page of funds in your scope, by code.")


class PostingOut(Schema):
    """A posting: ``amount`` fen from the debit account to the credit account of one fund."""

    id = text()
    seq = count()
    idempotency_key = text()
    kind = text(validate=one_of(PostingKind))
    fund_id = text()
    amount = fen(validate=validate.Range(min=1))
    debit_account_id = text()
    credit_account_id = text()
    posted_change = fen()
    pending_change = fen()
    purpose = maybe_text(validate=one_of(Purpose))
    budget_year = fields.Integer(required=True, allow_none=True)
    commitment_id = maybe_text()
    reverses_id = maybe_text()
    commitment_status = maybe_text(validate=validate.OneOf(["open", "paid", "void"]))
    honouree_id = maybe_text()
    reference = maybe_text()
    memo = text()
    account = text()
    unit_id = text()
    at = instant()


PostingPageOut = page_schema(PostingOut, "PostingPageOut", "A page of postings of the funds in your scope, newest "
                                                           "first.")


class StatementLineOut(Schema):
    seq = count()
    posting_id = text()
    at = instant()
    kind = text(validate=one_of(PostingKind))
    amount = fen()
    posted_change = fen()
    pending_change = fen()
    purpose = maybe_text(validate=one_of(Purpose))
    budget_year = fields.Integer(required=True, allow_none=True)
    commitment_id = maybe_text()
    reverses_id = maybe_text()
    honouree_id = maybe_text()
    reference = maybe_text()
    memo = text()
    account = text()
    unit_id = text()
    balance = fen()


class StatementOut(page_schema(StatementLineOut, "StatementLines")):
    """A fund's statement (对账单) for a period of Beijing days: the opening balance, a page of the
    period's lines with the posted balance after each, and the closing balance."""

    fund_id = text()
    fund_code = text()
    fund_name = text()
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    opening_balance = fen()
    credits = fen(validate=validate.Range(min=0))
    debits = fen(validate=validate.Range(min=0))
    closing_balance = fen()


FundAuditEntryOut = audit_entry_schema(
    "FundAuditEntryOut", ("fund",),
    "One recorded change, oldest first.")

# export_postings answers with the CSV text itself: an OpenAPI schema object, as no Schema describes a string
PostingsCsvOut = {
    "type": "string",
    "description": "The postings as CSV text: a BOM, the header (seq, posting_id, at, fund_code, kind, amount_fen, "
                   "amount_yuan, posted_change, pending_change, purpose, budget_year, commitment_id, reverses_id, "
                   "honouree_id, reference, memo, account, unit_id, idempotency_key, debit_account_id, "
                   "credit_account_id, chain), one row per posting, oldest first, CRLF line ends; a text cell "
                   "that a spreadsheet would run as a formula starts with an apostrophe.",
}
