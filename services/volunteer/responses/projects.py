"""What the public-welfare project and donation RPCs return."""
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

from ..models.projects import DonationStatus, Group


class ProjectOut(Schema):
    """A public-welfare project (公益项目) and what was donated to it (recorded in the ledger), in fen."""

    id = text()
    title = text()
    group = text(validate=one_of(Group))
    organiser_unit_id = text()
    fund_id = text(metadata={"description": "the welfare ledger's mutual-aid fund"})
    description = text()
    donated = count(metadata={"description": "fen recorded in the ledger"})
    created_by_account = text()
    created_at = instant()


class DonationOut(Schema):
    """A donation: pending until the ledger holds it, then recorded with its posting."""

    id = text()
    project_id = text()
    donor = text()
    amount = fields.Integer(required=True, validate=validate.Range(min=1))
    status = text(validate=one_of(DonationStatus))
    posting_id = maybe_text()
    idempotency_key = text(metadata={"description": "the ledger's key of this donation"})
    created_by_account = text()
    created_at = instant()
    recorded_at = maybe_instant()


ProjectPageOut = page_schema(ProjectOut, "ProjectPageOut")
DonationPageOut = page_schema(DonationOut, "DonationPageOut")
