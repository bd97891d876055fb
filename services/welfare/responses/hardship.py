"""What the hardship aid (困难帮扶) and sick visit (看望生病劳模) RPCs return (documented in OpenAPI;
tests check real replies). A bare list: ``hardship_application_audit`` (``HardshipAuditEntryOut``)."""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import (
    HIDDEN,
    audit_entry_schema,
    instant,
    maybe_text,
    one_of,
    page_schema,
    text,
)

from ..models.hardship import HardshipKind, HardshipState

STEP_ACTIONS = ("submitted", "reviewed", "approved", "paid", "refused", "cancelled")


def fen(**kwargs):
    return fields.Integer(required=True, validate=validate.Range(min=1), **kwargs)


class HardshipStepOut(Schema):
    """One step of an application: who (account, unit) did what, when, with what note."""

    action = text(validate=validate.OneOf(STEP_ACTIONS))
    account = text(metadata={"description": '"system" when cancelled on revocation'})
    unit_id = text()
    at = instant()
    note = maybe_text(metadata={"description": "the reviewer's note, the refusal's reasons, ..."})


class HardshipApplicationOut(Schema):
    """An application for hardship aid (困难帮扶) with its steps, oldest first."""

    id = text()
    request_id = maybe_text()
    honouree_id = text()
    managing_unit_id = text(metadata={"description": "the honouree's managing unit when applied: it and the "
                                                     "units above it see and review the application"})
    approving_unit_id = text(metadata={"description": "the unit that (or a unit above which) approves: the "
                                                      "managing unit up to the threshold, its parent above it"})
    applicant_unit_id = text()
    applicant_account = text()
    kind = text(validate=one_of(HardshipKind))
    amount = fen(metadata={"description": "fen (分)"})
    reasons = text()
    facts = text(metadata={"description": f'personal data: "{HIDDEN}" without the personal-data right'})
    fund_id = text()
    year = fields.Integer(required=True)
    state = text(validate=one_of(HardshipState))
    commitment_id = maybe_text(metadata={"description": "the ledger's commitment, made on approval"})
    payment_id = maybe_text(metadata={"description": "the disbursement that paid it"})
    void_id = maybe_text(metadata={"description": "the void that released the commitment (refused, cancelled)"})
    refusal_reasons = maybe_text()
    cancellation_reason = maybe_text()
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    created_at = instant()
    updated_at = instant()
    steps = fields.List(fields.Nested(HardshipStepOut), required=True)


HardshipApplicationPageOut = page_schema(HardshipApplicationOut, "HardshipApplicationPageOut")


HardshipAuditEntryOut = audit_entry_schema(
    "HardshipAuditEntryOut", ("hardship_application",),
    "One recorded change of an application, oldest first (the facts always masked).")

class SickVisitOut(Schema):
    """A visit to a sick honouree (看望生病劳模), with the money given, if any."""

    id = text()
    request_id = maybe_text()
    honouree_id = text()
    managing_unit_id = text()
    visited_on = fields.Date(required=True)
    visitors = fields.List(fields.String(), required=True)
    place = text()
    notes = maybe_text(metadata={"description": f'personal data: "{HIDDEN}" without the personal-data right'})
    amount = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=1),
                            metadata={"description": "fen (分) given, or null"})
    fund_id = maybe_text()
    posting_id = maybe_text(metadata={"description": "the ledger's disbursement"})
    recorded_by_account = text()
    recorded_by_unit_id = text()
    recorded_at = instant()


SickVisitPageOut = page_schema(SickVisitOut, "SickVisitPageOut")

__all__ = ["HardshipApplicationOut", "HardshipApplicationPageOut", "HardshipAuditEntryOut", "HardshipStepOut",
           "SickVisitOut", "SickVisitPageOut"]
