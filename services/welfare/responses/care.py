"""What the condolence RPCs (春节慰问) return (documented in OpenAPI; tests check real replies).

Bare lists: ``list_condolence_batches`` (``CondolenceBatchOut``).
"""
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

from ..models.care import BatchState, ItemState, Level


def fen(**kwargs):
    return fields.Integer(required=True, validate=validate.Range(min=0), **kwargs)


class AmountsOut(Schema):
    """Fen per honour level."""

    national = fen()
    municipal = fen()
    district = fen()


class ItemCountsOut(Schema):
    """How many of the campaign's honourees are in each state."""

    pending = count()
    paid = count()
    failed = count()
    left_out = count()


class CondolenceBatchOut(Schema):
    """A run (批次) of a campaign and its progress; pending = total - paid - failed - left_out."""

    id = text()
    campaign_id = text()
    number = fields.Integer(required=True, validate=validate.Range(min=1),
                            metadata={"description": "the campaign's first run, second run, ..."})
    state = text(validate=one_of(BatchState))
    total = count(metadata={"description": "honourees taken into this run"})
    paid = count()
    failed = count(metadata={"description": "refused by the ledger (reason on the item); retried by the next run"})
    left_out = count(metadata={"description": "care stopped while the run went on"})
    pending = count()
    already_paid = count(metadata={"description": "eligible, paid by an earlier run: skipped"})
    started_by = text()
    started_at = instant()
    finished_at = maybe_instant()


class CondolenceCampaignOut(Schema):
    """A Spring Festival condolence campaign (春节慰问), with its honourees' states and latest run."""

    id = text()
    title = text()
    year = fields.Integer(required=True)
    amounts = fields.Nested(AmountsOut, required=True)
    fund_id = text()
    district_funds = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                                 metadata={"description": "district unit id -> the fund paying its honourees"})
    owner_unit_id = text()
    created_by = text()
    created_at = instant()
    items = fields.Nested(ItemCountsOut, required=True)
    paid_amount = fen(metadata={"description": "fen paid so far"})
    latest_batch = fields.Nested(CondolenceBatchOut, required=True, allow_none=True)


CondolenceCampaignPageOut = page_schema(CondolenceCampaignOut, "CondolenceCampaignPageOut")


class LevelFiguresOut(Schema):
    people = count()
    amount = fen()


class ByLevelOut(Schema):
    national = fields.Nested(LevelFiguresOut, required=True)
    municipal = fields.Nested(LevelFiguresOut, required=True)
    district = fields.Nested(LevelFiguresOut, required=True)


class FundPreviewOut(Schema):
    """One paying fund: who it would pay, how much, what it holds and may still spend on condolence."""

    fund_id = text()
    fund_code = text()
    fund_name = text()
    people = count()
    total = fen()
    available = fields.Integer(required=True, metadata={"description": "fen, pending commitments deducted"})
    budget = fields.Integer(required=True, allow_none=True,
                            metadata={"description": "the condolence budget of the campaign's year; null if none"})
    budget_remaining = fields.Integer(required=True)
    shortfall = fen(metadata={"description": "total - min(available, budget_remaining), when above 0"})


class CondolencePreviewOut(Schema):
    """What a run would pay now."""

    campaign_id = text()
    year = fields.Integer(required=True)
    eligible = count(metadata={"description": "eligible honourees in the campaign's scope"})
    stopped = count(metadata={"description": "eligible, but their care stopped: left out"})
    already_paid = count()
    to_retry = count(metadata={"description": "failed in an earlier run, taken again"})
    to_pay = count()
    total = fen()
    shortfall = fen()
    by_level = fields.Nested(ByLevelOut, required=True)
    funds = fields.List(fields.Nested(FundPreviewOut), required=True)


class CondolenceItemOut(Schema):
    """One honouree of a campaign: amount, fund, and what became of the payment."""

    honouree_id = text()
    campaign_id = text()
    batch_id = text(metadata={"description": "the run that last took it"})
    managing_unit_id = text()
    district_id = maybe_text()
    level = text(validate=one_of(Level))
    fund_id = text()
    amount = fen()
    state = text(validate=one_of(ItemState))
    reason = maybe_text()
    posting_id = maybe_text()
    attempts = count()
    paid_at = maybe_instant()


CondolenceItemPageOut = page_schema(CondolenceItemOut, "CondolenceItemPageOut")
