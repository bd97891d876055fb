"""What the public-welfare project and donation RPCs (and their gateway routes) take."""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from ..models.projects import Group
from .corps import REQUEST_ID

MAX_DONATION = 10**11  # fen: a billion yuan, far above any gift


class ProjectSchema(Schema):
    """A public-welfare project for a vulnerable group, organised by a unit in your scope."""

    title = Trimmed(required=True, validate=validate.Length(min=1, max=200), metadata={"description": "e.g. 关爱空巢老人"})
    group = fields.String(required=True, validate=choice(Group), metadata={"description": "the group cared for"})
    organiser_unit_id = fields.String(required=True, validate=UNIT_ID)
    description = Trimmed(load_default="", validate=validate.Length(max=5000))
    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same request_id returns the first"})


class ProjectQuerySchema(PageRequest):
    group = fields.String(validate=choice(Group))


class DonationSchema(Schema):
    """A donation into the mutual-aid fund for the project (the city federation's accounts)."""

    donor = Trimmed(required=True, validate=validate.Length(min=1, max=100), metadata={"description": "署名"})
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_DONATION),
                            metadata={"description": "fen (分)"})
    request_id = fields.String(load_default=None, validate=REQUEST_ID,
                               metadata={"description": "a retry with the same request_id returns the first "
                                                        "donation; the money goes into the ledger once"})
