"""What the recuperation RPCs return (documented in OpenAPI; tests check real replies against them).

Bare lists: ``recuperation_batch_audit`` (``RecuperationAuditEntryOut``).
"""
from marshmallow import Schema, fields

from services.chassis.schemas import (
    audit_entry_schema,
    count,
    instant,
    maybe_text,
    one_of,
    page_schema,
    text,
)

from ..models.recuperation import BatchKind, PlaceStatus


class RecuperationPlanOut(Schema):
    """A five-year plan (五年计划) of recuperation places."""

    id = text()
    unit_id = text()
    name = text()
    first_year = fields.Integer(required=True)
    last_year = fields.Integer(required=True)
    places = count()
    created_by_account = text()
    created_at = instant()


class RecuperationPlaceCountsOut(Schema):
    """The batch's places by status."""

    allocated = count()
    attended = count()
    declined = count()
    cancelled = count()


class RecuperationBatchOut(Schema):
    """A batch (批次) of a plan, with its places by status and how many are free."""

    id = text()
    plan_id = text()
    unit_id = text()
    destination = text()
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    capacity = count()
    kind = text(validate=one_of(BatchKind))
    trade = maybe_text()
    created_by_account = text()
    created_at = instant()
    places = fields.Nested(RecuperationPlaceCountsOut, required=True)
    free = count()


class RecuperationPlaceOut(Schema):
    """One honouree's place in a batch."""

    id = text()
    batch_id = text()
    honouree_id = text()
    status = text(validate=one_of(PlaceStatus))
    note = maybe_text()
    allocation_id = text()
    allocated_at = instant()
    updated_at = instant()


class RecuperationAllocationOut(Schema):
    """One run of a batch's allocation: the places it gave, and how many it skipped for an overlap."""

    allocation_id = text()
    batch = fields.Nested(RecuperationBatchOut, required=True)
    allocated = fields.List(fields.Nested(RecuperationPlaceOut), required=True)
    skipped_overlapping = count()


class RecuperationOverdueOut(Schema):
    """An in-service honouree with no attended recuperation in the last two years."""

    honouree_id = text()
    name = text()
    managing_unit_id = text()
    last_attended_end = fields.Date(required=True, allow_none=True)


class RecuperationYearOut(Schema):
    year = fields.Integer(required=True)
    batches = count()
    capacity = count()
    allocated = count()
    attended = count()
    used = count()


class RecuperationTotalOut(Schema):
    batches = count()
    capacity = count()
    allocated = count()
    attended = count()
    used = count()
    places = count()
    remaining = count()


class RecuperationProgressOut(Schema):
    """Places used (allocated + attended) against the plan's places, per year of the batches' start and in total."""

    plan = fields.Nested(RecuperationPlanOut, required=True)
    years = fields.List(fields.Nested(RecuperationYearOut), required=True)
    total = fields.Nested(RecuperationTotalOut, required=True)


RecuperationAuditEntryOut = audit_entry_schema(
    "RecuperationAuditEntryOut", ("recuperation_batch", "recuperation_place"),
    "One recorded change of a batch or of one of its places.")

RecuperationPlanPageOut = page_schema(RecuperationPlanOut, "RecuperationPlanPageOut")
RecuperationBatchPageOut = page_schema(RecuperationBatchOut, "RecuperationBatchPageOut")
RecuperationPlacePageOut = page_schema(RecuperationPlaceOut, "RecuperationPlacePageOut")
RecuperationOverduePageOut = page_schema(RecuperationOverdueOut, "RecuperationOverduePageOut")
