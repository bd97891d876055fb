"""What the condolence RPCs (春节慰问) accept: a campaign, a run, and the queries over them."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from ..models.care import ItemState
from .ledger import MAX_AMOUNT, RECORD_ID, REQUEST_ID

MAX_DISTRICTS = 100


def fen(**kwargs):
    return fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_AMOUNT), **kwargs)


class AmountsSchema(Schema):
    """The condolence money per honour level, in fen (分): an honouree gets their highest level's."""

    national = fen(metadata={"description": "全国劳模, fen"})
    municipal = fen(metadata={"description": "北京市劳模、先进工作者, fen"})
    district = fen(metadata={"description": "区级劳模, fen"})


class NewCampaignSchema(Schema):
    """A Spring Festival condolence campaign of your unit for the eligible honourees in your scope.

    ``fund_id`` pays (it must allow condolence); ``district_funds`` (district unit id → fund id)
    pays the honourees of those districts instead. A retry with the same ``request_id`` returns
    the first campaign."""

    request_id = REQUEST_ID
    title = Trimmed(required=True, validate=validate.Length(min=1, max=100))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    amounts = fields.Nested(AmountsSchema, required=True)
    fund_id = fields.String(required=True, validate=RECORD_ID)
    district_funds = fields.Dict(keys=fields.String(validate=UNIT_ID), values=fields.String(validate=RECORD_ID),
                                 load_default=dict)

    @validates_schema
    def not_too_many(self, data, **kwargs):
        if len(data.get("district_funds") or {}) > MAX_DISTRICTS:
            raise ValidationError(f"at most {MAX_DISTRICTS} districts", "district_funds")


class RunSchema(Schema):
    """Start a run (批次) of the campaign; a retry with the same ``request_id`` returns the first run."""

    request_id = REQUEST_ID


class CampaignQuerySchema(PageRequest):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class ItemQuerySchema(PageRequest):
    state = fields.String(validate=choice(ItemState))
    batch_id = fields.String(validate=RECORD_ID)
    honouree_id = fields.String(validate=RECORD_ID)
