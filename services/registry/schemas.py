"""The registry's RPC payloads."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.chassis.person_schemas import PersonFieldsSchema
from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from .domain import Tier
from .people import (
    Category,
    EmploymentStatus,
    Gender,
    HonourLevel,
    ManagementMode,
)

TIERS = [t.value for t in Tier]


class UnitSchema(Schema):
    id = fields.String()
    name = fields.String()
    tier = fields.Function(lambda unit: unit.tier.value)
    parent_id = fields.String(allow_none=True)
    system_parent_id = fields.String(allow_none=True)
    created_at = fields.DateTime()


class CreateUnitSchema(Schema):
    id = fields.String(required=True, validate=UNIT_ID)
    name = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    parent_id = fields.String(load_default=None, allow_none=True, validate=UNIT_ID)
    system_parent_id = fields.String(load_default=None, allow_none=True, validate=UNIT_ID)


class NewUnitSchema(CreateUnitSchema):
    """A unit placed below one in your scope (a city federation is never made this way)."""

    tier = fields.String(required=True, validate=validate.OneOf([t for t in TIERS if t != "city"]))
    parent_id = fields.String(required=True, validate=UNIT_ID)


class UnitQuerySchema(PageRequest):
    tier = fields.String(validate=validate.OneOf(TIERS))
    parent_id = fields.String(validate=UNIT_ID)


# honourees ---------------------------------------------------------------------------------

class HonourInputSchema(Schema):
    honour_type = fields.String(required=True, validate=validate.Length(min=1, max=40))
    year = fields.Integer(required=True, validate=validate.Range(min=1950, max=2100))
    level = fields.String(load_default=None, validate=choice(HonourLevel))
    conferring_body = Trimmed(load_default=None, validate=validate.Length(min=1, max=100))
    nomination_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))


class HonoureeFieldsSchema(PersonFieldsSchema):
    """The fields of a record that callers write; required-ness is set by the subclasses."""


class NewHonoureeSchema(HonoureeFieldsSchema):
    request_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    name = Trimmed(required=True, validate=validate.Length(min=1, max=50))
    gender = fields.String(required=True, validate=choice(Gender))
    ethnicity = Trimmed(required=True, validate=validate.Length(min=1, max=20))
    birth_date = fields.Date(required=True)
    # room for white space pasted around it; GB 11643 (id_number_problem) then checks the number's own length
    id_number = Trimmed(required=True, validate=validate.Length(min=15, max=24))
    category = fields.String(required=True, validate=choice(Category))
    employment_status = fields.String(load_default=EmploymentStatus.IN_SERVICE.value,
                                      validate=choice(EmploymentStatus))
    managing_unit_id = fields.String(required=True, validate=UNIT_ID)
    management_mode = fields.String(load_default=ManagementMode.BY_UNIT.value, validate=choice(ManagementMode))
    honours = fields.List(fields.Nested(HonourInputSchema), load_default=list)


class HonoureeChangesSchema(HonoureeFieldsSchema):
    """A correction: any writable field; the managing unit changes only by transfer."""

    version = fields.Integer(load_default=None, validate=validate.Range(min=1))

    @validates_schema
    def not_read_only(self, data, **kwargs):
        if not data or set(data) == {"version"}:
            raise ValidationError("nothing to change", "_schema")


READ_ONLY_FIELDS = ("id", "managing_unit_id", "district_id", "verified_year", "created_at",
                    "updated_at", "honours", "id_number_masked")


# --- annual verification, major-change reports, to-do lists, transfers ---------------------

from .people import ChangeKind  # noqa: E402  (kept with the part that uses it)

OUTCOMES = ("confirmed", "corrected")
TODO_STATUSES = ("open", "done")
TODO_KINDS = ("change_report", "transfer", "revocation")
TRANSFER_STATUSES = ("pending", "decided", "accepted", "rejected", "cancelled")
REASON = validate.Length(min=1, max=1000)


class VerificationSchema(Schema):
    """A year's verification: confirmed as it stands, or corrected with the fields of a correction."""

    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    changes = fields.Nested(HonoureeChangesSchema)

    @validates_schema
    def changes_only_with_a_correction(self, data, **kwargs):
        if data["outcome"] == "corrected" and "changes" not in data:
            raise ValidationError("required when the outcome is corrected", "changes")
        if data["outcome"] == "confirmed" and "changes" in data:
            raise ValidationError("only when the outcome is corrected", "changes")


class OverdueQuerySchema(PageRequest):
    unit_id = fields.String(validate=UNIT_ID)


class ProgressQuerySchema(Schema):
    year = fields.Integer(strict=True, required=True, validate=validate.Range(min=1950, max=2100))


class ChangeReportSchema(Schema):
    kind = fields.String(required=True, validate=choice(ChangeKind))
    occurred_on = fields.Date(load_default=None, allow_none=True)
    description = Trimmed(required=True, validate=validate.Length(min=1, max=2000))


class TodoQuerySchema(PageRequest):
    status = fields.String(validate=validate.OneOf(TODO_STATUSES))
    kind = fields.String(validate=validate.OneOf(TODO_KINDS))


class TransferRequestSchema(Schema):
    to_unit_id = fields.String(required=True, validate=UNIT_ID)
    reason = Trimmed(required=True, validate=REASON)
    management_mode = fields.String(required=True, validate=choice(ManagementMode))


class TransferRejectionSchema(Schema):
    reason = Trimmed(required=True, validate=REASON)


class TransferQuerySchema(PageRequest):
    status = fields.String(validate=validate.OneOf(TRANSFER_STATUSES))


# --- revocation, and honours conferred by nomination ---------------------------------------

from marshmallow import EXCLUDE  # noqa: E402  (kept with the part that uses it)

REVOCATION_STATUSES = ("pending", "revoked", "refused")
REVOCATION_REASONS = validate.Length(min=1, max=2000)


class RevocationReasonsSchema(Schema):
    """A request, an endorsement or a refusal: the unit's reasons, kept with the step."""

    reasons = Trimmed(required=True, validate=REVOCATION_REASONS)


class RevocationDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("revoke", "refuse")))
    reasons = Trimmed(required=True, validate=REVOCATION_REASONS)


class RevocationQuerySchema(PageRequest):
    status = fields.String(validate=validate.OneOf(REVOCATION_STATUSES))
    waiting_here = fields.Boolean(load_default=False)
    honour_id = fields.String(validate=validate.Length(min=1, max=32))


class NominationConferredSchema(Schema):
    """The ``nomination_conferred`` event (docs/events.md); fields added later are ignored."""

    class Meta:
        unknown = EXCLUDE  # event_id, occurred_at, and whatever a later version adds

    nomination_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    campaign_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    honour_type = fields.String(required=True, validate=validate.Length(min=1, max=40))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=1950, max=2100))
    level = fields.String(load_default=None, allow_none=True, validate=choice(HonourLevel))
    conferring_body = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    honouree_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32))
    managing_unit_id = fields.String(required=True, validate=UNIT_ID)


# --- search, get many, statistics, import and export ---------------------------------------

HONOUR_STATUS_FILTER = ("active", "revoked", "any")  # "any": no condition on the honours at all


class HonoureeFilterSchema(Schema):
    """The filters of a search, the statistics and an export; every one optional, all combined.

    The honour filters (type, level, year, status) ask for one honour matching all of them;
    ``honour_status`` is ``active`` unless given, so by default a record counts only while it
    holds an active honour (the team); ``any`` puts no condition on honours at all (records
    without an honour too). ``overdue``: due for this calendar year's verification.
    """

    unit_id = fields.String(validate=UNIT_ID)  # within the caller's scope; the caller's unit by default
    honour_type = fields.String(validate=validate.Length(min=1, max=40))
    honour_level = fields.String(validate=choice(HonourLevel))
    honour_year = fields.Integer(strict=False, validate=validate.Range(min=1950, max=2100))
    honour_status = fields.String(load_default="active", validate=validate.OneOf(HONOUR_STATUS_FILTER))
    category = fields.String(validate=choice(Category))
    employment_status = fields.String(validate=choice(EmploymentStatus))
    gender = fields.String(validate=choice(Gender))
    district_id = fields.String(validate=UNIT_ID)
    overdue = fields.Boolean()
    name = Trimmed(validate=validate.Length(min=1, max=50))
    front_line = fields.Boolean()
    migrant_worker = fields.Boolean()
    non_public_enterprise = fields.Boolean()
    high_tech_enterprise = fields.Boolean()
    beijing_hukou = fields.Boolean()


class HonoureeSearchSchema(HonoureeFilterSchema, PageRequest):
    """A search: the filters and a page (``page_size`` at most 200)."""


class RosterQuerySchema(Schema):
    """Which records of the caller's scope a roster lists: every one, or those named; ``eligible``
    keeps those who may receive care (an active honour, not deceased)."""

    honouree_ids = fields.List(fields.String(validate=validate.Length(min=1, max=32)),
                               validate=validate.Length(min=1, max=50_000))
    eligible = fields.Boolean(load_default=False)
    employment_status = fields.String(validate=choice(EmploymentStatus))
