"""What the nomination service's RPCs return: the reply shapes the gateway documents in OpenAPI.

One schema per reply shape; the view functions that build the replies
(campaigns.view, nominations.view, notices.view, reports.*, cultivation.view)
are the source of truth, and tests/test_responses.py checks real replies
against the JSON Schema apispec derives from these classes. Every key a reply
always has is required; every value that can be null allows None. Times are
ISO 8601 with the UTC offset, dates ``YYYY-MM-DD``.

RPCs that answer with a bare list: ``allocate_quotas`` and ``list_quotas``
(``QuotaOut``), ``audit_trail`` (``AuditEntryOut``).
"""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import (
    audit_entry_schema,
    flag,
    instant,
    maybe_instant,
    maybe_text,
    one_of,
    page_schema,
    text,
)
from services.chassis.schemas import (
    count as amount,  # "count" is also a field name here
)

from . import procedure
from .schemas import RATIO_BASES
from .vocabulary import (
    MEASURES,
    Category,
    Channel,
    CultivationSource,
    CultivationStatus,
    EmploymentStatus,
    EntryLevel,
    Gender,
    HonourLevel,
    ManagementMode,
    NoticeStatus,
    ObjectionStatus,
    target_key,
)

# --- campaigns ----------------------------------------------------------------------------------

class WindowOut(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class TimetableOut(Schema):
    """The dates of each stage, as planned (the campaign's state is what gates the steps)."""

    open = fields.Nested(WindowOut, required=True)
    reviewing = fields.Nested(WindowOut, required=True)
    notice = fields.Nested(WindowOut, required=True)
    conferral_on = fields.Date(required=True, allow_none=True)


TargetsOut = type("TargetsOut", (Schema,), {
    "__doc__": "Structure-ratio targets in whole percent; null: no target.",
    **{target_key(m): fields.Integer(required=True, allow_none=True) for m in MEASURES},
})


class CampaignOut(Schema):
    """A campaign (create_campaign, update_campaign, transition_campaign, list_campaigns)."""

    id = text()
    honour_type = text(metadata={"description": "a code of registry.list_honour_types"})
    year = fields.Integer(required=True)
    title = text()
    level = maybe_text(validate=one_of(HonourLevel))
    conferring_body = maybe_text()
    organiser_unit_id = text(metadata={"description": "the unit that created it: it moves, reviews and confers"})
    state = text(validate=one_of(procedure.CAMPAIGN_STATES))
    total_quota = amount()
    timetable = fields.Nested(TimetableOut, required=True)
    targets = fields.Nested(TargetsOut, required=True)
    entry_level = text(validate=one_of(EntryLevel))
    revocation_bar_years = amount()
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    created_at = instant()
    updated_at = instant()


class QuotaOut(Schema):
    """A unit's quota in a campaign and its use (allocate_quotas, list_quotas; in get_campaign)."""

    unit_id = text()
    allocated_by_unit_id = text()
    quota = amount()
    used = amount(metadata={"description": "nominations it recommended upward that are still alive"})
    allocated_below = amount()


class CampaignWithQuotasOut(CampaignOut):
    """A campaign with every quota (get_campaign)."""

    quotas = fields.List(fields.Nested(QuotaOut), required=True)


CampaignPageOut = page_schema(CampaignOut, "CampaignPageOut")


# --- nominations --------------------------------------------------------------------------------

class CandidateOut(Schema):
    """The candidate as the actor may see it: the ID number in clear with the personal-data right,
    else masked; phone, address and family "***" without it (null when none was given)."""

    kind = text(validate=validate.OneOf(("honouree", "new")))
    honouree_id = maybe_text(metadata={"description": "the registry record nominated, for kind honouree"})
    registered_honouree_id = maybe_text(metadata={"description": "the record a conferred new person became"})
    name = text()
    gender = maybe_text(validate=one_of(Gender))
    ethnicity = maybe_text()
    birth_date = fields.Date(required=True, allow_none=True)
    id_number = maybe_text(metadata={"description": "null for an honouree (the registry keeps it)"})
    phone = fields.Raw(required=True, allow_none=True, metadata={"type": "string"})
    address = fields.Raw(required=True, allow_none=True, metadata={"type": "string"})
    family = fields.Raw(required=True, allow_none=True, metadata={
        "description": 'the family situation (an object), "***" without the personal-data right, or null'})
    education = maybe_text()
    political_status = maybe_text()
    employer = maybe_text()
    position = maybe_text()
    employment_status = maybe_text(validate=one_of(EmploymentStatus))
    beijing_hukou = fields.Boolean(required=True, allow_none=True)
    management_mode = maybe_text(validate=one_of(ManagementMode))
    managing_unit_id = text()
    category = text(validate=one_of(Category))
    front_line = flag()
    migrant_worker = flag()
    non_public_enterprise = flag()
    high_tech_enterprise = flag()
    leader_cadre = flag()
    intermediary_organisation = flag()


class StepOut(Schema):
    """One step of the procedure: who (account, unit), when, the outcome and its evidence."""

    step = text(metadata={"description": "nominated, a stage's name, <stage>_opened for a notice, recommended, "
                                         "rejected, withdrawn, lapsed"})
    outcome = text()
    unit_id = text()
    account = text()
    at = instant()
    evidence = fields.Dict(required=True, metadata={"description": "the step's input, and what it found"})


class AttachmentOut(Schema):
    name = text()
    size = amount()
    sha256 = text()
    content_type = text()
    added_by_unit_id = text()
    added_at = instant()


class NominationSummaryOut(Schema):
    """A nomination in a list: no personal data but the name (list_nominations)."""

    id = text()
    campaign_id = text()
    channel = text(validate=one_of(Channel))
    name = text()
    honouree_id = maybe_text()
    category = text(validate=one_of(Category))
    nominating_unit_id = text()
    nominating_unit_name = text()
    entry_unit_id = text()
    current_unit_id = text(metadata={"description": "the unit whose step it waits for (the organiser from the "
                                                    "reviews on)"})
    status = text(validate=one_of(procedure.STATUSES))
    stage = text(validate=one_of(procedure.STAGES), metadata={"description": "the step it waits for (or ended at)"})
    notice_id = maybe_text(metadata={"description": "the public notice it is on, while that is open"})
    deeds_summary = text()
    created_at = instant()
    updated_at = instant()


class NominationOut(NominationSummaryOut):
    """A nomination with its candidate, deeds, attachments and steps (nominate, get_nomination, every step)."""

    social_organisation = maybe_text()
    candidate = fields.Nested(CandidateOut, required=True)
    deeds = text()
    attachments = fields.List(fields.Nested(AttachmentOut), required=True)
    steps = fields.List(fields.Nested(StepOut), required=True)
    cultivation_id = maybe_text()
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    ended_at = maybe_instant()


NominationPageOut = page_schema(NominationSummaryOut, "NominationPageOut")


# --- structure ratios and dashboards ------------------------------------------------------------

class TargetOut(Schema):
    kind = text(validate=validate.OneOf(("min", "max")))
    percent = amount()


class MeasureOut(Schema):
    count = amount()
    share = fields.Float(required=True, metadata={"description": "0..1, four places"})
    target = fields.Nested(TargetOut, required=True, allow_none=True)
    met = fields.Boolean(required=True, allow_none=True, metadata={"description": "null: no target, or no slate"})
    gap = amount(metadata={"description": "candidates a minimum lacks, or a maximum has too many, at this size"})


MeasuresOut = type("MeasuresOut", (Schema,), {
    "__doc__": "Each structure ratio measured.",
    **{m: fields.Nested(MeasureOut, required=True) for m in MEASURES},
})


class BodyOut(Schema):
    count = amount()
    share = fields.Float(required=True)


class RatioReportOut(Schema):
    """The structure ratios of a set of nominations against the campaign's targets."""

    basis = text(validate=validate.OneOf(RATIO_BASES))
    total = amount()
    measures = fields.Nested(MeasuresOut, required=True)
    body = fields.Nested(BodyOut, required=True, metadata={
        "description": "workers, farmers and intellectuals: the body of the team (主体)"})
    all_met = fields.Boolean(required=True, allow_none=True)


class RatiosOut(RatioReportOut):
    """structure_ratios: over ``unit_id``'s part of the tree."""

    campaign_id = text()
    unit_id = text()


class ReviewOut(Schema):
    """preliminary_review: the nomination and the slate's ratios after this review."""

    nomination = fields.Nested(NominationOut, required=True)
    structure_ratios = fields.Nested(RatioReportOut, required=True)


ByStageOut = type("ByStageOut", (Schema,), {"__doc__": "Nominations in progress waiting for each step.",
                                            **{s: amount() for s in procedure.STAGES}})
ByStatusOut = type("ByStatusOut", (Schema,), {"__doc__": "Nominations by status.",
                                              **{s: amount() for s in procedure.STATUSES}})


class QuotaBelowOut(Schema):
    unit_id = text()
    quota = amount()
    used = amount()


class QuotaUseOut(Schema):
    """The unit's quota (the organiser's: the total, used by conferrals) and what it gave below."""

    quota = fields.Integer(required=True, allow_none=True, metadata={"description": "null: the unit holds none"})
    used = amount()
    allocated_below = amount()
    below = fields.List(fields.Nested(QuotaBelowOut), required=True)


class OpenObjectionsOut(Schema):
    total = amount()
    by_notice = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class DashboardOut(Schema):
    """One tier's view of a campaign (campaign_dashboard)."""

    campaign_id = text()
    state = text(validate=one_of(procedure.CAMPAIGN_STATES))
    unit_id = text()
    by_stage = fields.Nested(ByStageOut, required=True)
    by_status = fields.Nested(ByStatusOut, required=True)
    waiting_here = amount()
    quota = fields.Nested(QuotaUseOut, required=True)
    structure_ratios = fields.Nested(RatioReportOut, required=True)
    open_objections = fields.Nested(OpenObjectionsOut, required=True)
    open_notices = amount()


# --- notices and objections ---------------------------------------------------------------------

class NoticeEntryOut(Schema):
    nomination_id = text()
    status = text(validate=validate.OneOf(("listed", "withdrawn", "passed")))


class NoticeOut(Schema):
    """A public notice (open_notice, close_notice, get_notice, list_notices)."""

    id = text()
    campaign_id = text()
    level = text(validate=one_of(procedure.NOTICE_LEVELS))
    title = text()
    unit_id = text()
    unit_name = text()
    starts_at = instant()
    ends_at = instant()
    status = text(validate=one_of(NoticeStatus))
    opened_by_account = text()
    closed_by_account = maybe_text()
    created_at = instant()
    closed_at = maybe_instant()
    entries = fields.List(fields.Nested(NoticeEntryOut), required=True)


NoticePageOut = page_schema(NoticeOut, "NoticePageOut")


class PublicCandidateOut(Schema):
    """A candidate on a public notice: the name, the unit and the deeds summary, nothing else."""

    nomination_id = text()
    name = text()
    unit = text(metadata={"description": "the employer, else the nominating unit's name"})
    deeds_summary = text()


class PublicNoticeOut(Schema):
    """A notice open now, for anyone (public_notices)."""

    id = text()
    campaign_id = text()
    level = text(validate=one_of(procedure.NOTICE_LEVELS))
    title = text()
    unit_name = text()
    starts_at = instant()
    ends_at = instant()
    open_for_objections = flag()
    candidates = fields.List(fields.Nested(PublicCandidateOut), required=True)


PublicNoticePageOut = page_schema(PublicNoticeOut, "PublicNoticePageOut")


class ObjectionReceiptOut(Schema):
    """What the person lodging an objection gets back (lodge_objection)."""

    id = text()
    notice_id = text()
    nomination_id = text()
    status = text(validate=one_of(ObjectionStatus))
    lodged_at = instant()


class ObjectionOut(ObjectionReceiptOut):
    """An objection for the units dealing with it (resolve_objection, get_objection, list_objections)."""

    grounds = text()
    contact = maybe_text(metadata={"description": 'in clear with the personal-data right (get_objection only), '
                                                  'else "***"; null when none was given'})
    resolution_reasons = maybe_text()
    resolved_by_unit_id = maybe_text()
    resolved_by_account = maybe_text()
    resolved_at = maybe_instant()


ObjectionPageOut = page_schema(ObjectionOut, "ObjectionPageOut")


# --- cultivation --------------------------------------------------------------------------------

class CultivationSummaryOut(Schema):
    """A tracked worker in a list (list_cultivations)."""

    id = text()
    unit_id = text()
    year = fields.Integer(required=True)
    source = text(validate=one_of(CultivationSource))
    source_detail = maybe_text()
    status = text(validate=one_of(CultivationStatus))
    name = text()
    honouree_id = maybe_text()
    id_number = maybe_text(metadata={"description": "masked; null for an honouree"})
    employer = maybe_text()
    position = maybe_text()
    promoted_nomination_id = maybe_text()
    end_reasons = maybe_text()
    created_at = instant()
    updated_at = instant()


class NoteOut(Schema):
    note = text()
    account = text()
    unit_id = text()
    at = instant()


class CultivationOut(CultivationSummaryOut):
    """A tracked worker with the progress notes (track_candidate, add_cultivation_note, end_cultivation,
    get_cultivation)."""

    notes = fields.List(fields.Nested(NoteOut), required=True)


CultivationPageOut = page_schema(CultivationSummaryOut, "CultivationPageOut")


# --- the claim check and the audit trail --------------------------------------------------------

class FamilyRecordOut(Schema):
    members = fields.Integer(allow_none=True)
    income_band = fields.String(allow_none=True)
    hardships = fields.List(fields.String())


class CandidateRecordOut(Schema):
    """candidate_record: a conferred new person in the fields of the registry's NewHonoureeSchema
    (personal data: the ID number in clear). Fields without a value are left out."""

    name = text()
    gender = text(validate=one_of(Gender))
    ethnicity = text()
    birth_date = fields.Date(required=True)
    id_number = text()
    category = text(validate=one_of(Category))
    front_line = flag()
    migrant_worker = flag()
    non_public_enterprise = flag()
    high_tech_enterprise = flag()
    employment_status = text(validate=one_of(EmploymentStatus))
    beijing_hukou = flag()
    management_mode = text(validate=one_of(ManagementMode))
    managing_unit_id = text()
    phone = fields.String()
    address = fields.String()
    education = fields.String()
    political_status = fields.String()
    employer = fields.String()
    position = fields.String()
    family = fields.Nested(FamilyRecordOut)


AuditEntryOut = audit_entry_schema(
    "AuditEntryOut", ("campaign", "nomination", "notice", "objection", "cultivation"),
    "One recorded change, oldest first (audit_trail); a nomination's trail holds its objections' too.")
