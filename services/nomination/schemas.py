"""The nomination service's RPC and event payloads (plain marshmallow: the gateway reads them too)."""
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from services.chassis.person_schemas import PersonFieldsSchema
from services.chassis.schemas import UNIT_ID, PageRequest, Trimmed, choice

from . import procedure
from .vocabulary import (
    MEASURES,
    Channel,
    CultivationSource,
    CultivationStatus,
    EntryLevel,
    HonourLevel,
    ObjectionStatus,
    target_key,
)

RECORD_ID = validate.Length(min=1, max=32)
REQUEST_ID = validate.Length(min=1, max=64)
YEAR = validate.Range(min=1950, max=2100)
REASONS = validate.Length(min=1, max=2000)
LONG_TEXT = validate.Length(min=1, max=20000)
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="64 lower-case hexadecimal characters")
CONTENT_TYPE = validate.Regexp(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$",
                               error="a media type such as application/pdf")
MAX_ATTACHMENTS = 50
MAX_ATTACHMENT_BYTES = 2**31 - 1


def unique_list(values, name):
    if len(set(values)) != len(values):
        raise ValidationError("each only once", name)


# --- campaigns ----------------------------------------------------------------------------------

class WindowSchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)

    @validates_schema
    def in_order(self, data, **kwargs):
        if data["end"] < data["start"]:
            raise ValidationError("ends before it starts", "end")


class TimetableSchema(Schema):
    """The campaign's plan: the dates of each stage (nomination, review, notice) and of conferral."""

    open = fields.Nested(WindowSchema, required=True, metadata={"description": "nominations and tier steps"})
    reviewing = fields.Nested(WindowSchema, required=True, metadata={"description": "preliminary and second review"})
    notice = fields.Nested(WindowSchema, required=True, metadata={"description": "the three public notices"})
    conferral_on = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def stages_in_order(self, data, **kwargs):
        if data["reviewing"]["start"] < data["open"]["end"]:
            raise ValidationError("the review starts before nominations close", "reviewing")
        if data["notice"]["start"] < data["reviewing"]["end"]:
            raise ValidationError("the notices start before the review ends", "notice")
        if data.get("conferral_on") and data["conferral_on"] < data["notice"]["end"]:
            raise ValidationError("conferral comes after the notices", "conferral_on")


PERCENT = validate.Range(min=0, max=100)
TargetsSchema = type("TargetsSchema", (Schema,), {
    "__doc__": "Structure-ratio targets (结构比例), whole percentages of the slate: a minimum share of "
               "front-line workers, farmers, migrant workers, non-public- and high-tech-enterprise and "
               "intermediary organisations' staff; a maximum share of leaders and cadres. Absent: no target.",
    **{target_key(m): fields.Integer(load_default=None, allow_none=True, strict=True, validate=PERCENT)
       for m in MEASURES},
})


class CampaignFieldsSchema(Schema):
    title = Trimmed(validate=validate.Length(min=1, max=200))
    level = fields.String(allow_none=True, validate=choice(HonourLevel))
    conferring_body = Trimmed(allow_none=True, validate=validate.Length(min=1, max=100))
    total_quota = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    timetable = fields.Nested(TimetableSchema)
    targets = fields.Nested(TargetsSchema)
    entry_level = fields.String(validate=choice(EntryLevel), metadata={
        "description": "where self- and social-organisation nominations enter"})
    revocation_bar_years = fields.Integer(strict=True, validate=validate.Range(min=0, max=50), metadata={
        "description": "years after a revocation during which the person cannot be nominated again"})


class NewCampaignSchema(CampaignFieldsSchema):
    request_id = fields.String(load_default=None, validate=REQUEST_ID)
    honour_type = fields.String(required=True, validate=validate.Length(min=1, max=40))
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    title = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    level = fields.String(load_default=None, allow_none=True, validate=choice(HonourLevel))
    conferring_body = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    total_quota = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100_000))
    timetable = fields.Nested(TimetableSchema, required=True)
    targets = fields.Nested(TargetsSchema, load_default=dict)
    entry_level = fields.String(load_default=EntryLevel.SECOND_TIER.value, validate=choice(EntryLevel))
    revocation_bar_years = fields.Integer(load_default=5, strict=True, validate=validate.Range(min=0, max=50))


class CampaignChangesSchema(CampaignFieldsSchema):
    """Changes to a draft campaign; ``version`` guards against lost updates."""

    version = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1))

    @validates_schema
    def something(self, data, **kwargs):
        if not set(data) - {"version"}:
            raise ValidationError("nothing to change", "_schema")


class CampaignTransitionSchema(Schema):
    state = fields.String(required=True, validate=validate.OneOf(procedure.CAMPAIGN_STATES))


class CampaignQuerySchema(PageRequest):
    state = fields.String(validate=validate.OneOf(procedure.CAMPAIGN_STATES))
    year = fields.Integer(validate=YEAR)
    honour_type = fields.String(validate=validate.Length(min=1, max=40))


class AllocationSchema(Schema):
    unit_id = fields.String(required=True, validate=UNIT_ID)
    quota = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100_000))


class QuotaAllocationSchema(Schema):
    """Quotas the actor's unit gives the units directly below it (one call, one or many)."""

    allocations = fields.List(fields.Nested(AllocationSchema), required=True,
                              validate=validate.Length(min=1, max=200))

    @validates_schema
    def each_unit_once(self, data, **kwargs):
        unique_list([a["unit_id"] for a in data["allocations"]], "allocations")


# --- candidates and nominations -----------------------------------------------------------------

# a new person's fields, as the registry's NewHonoureeSchema has them
PERSON_FIELDS = ("name", "gender", "ethnicity", "birth_date", "id_number", "phone", "address", "education",
                 "political_status", "employer", "position", "category", "front_line", "migrant_worker",
                 "non_public_enterprise", "high_tech_enterprise", "employment_status", "beijing_hukou",
                 "family", "management_mode", "managing_unit_id")
# what a nomination adds for the ratios, for either kind of candidate
RATIO_FIELDS = ("leader_cadre", "intermediary_organisation")
REQUIRED_PERSON_FIELDS = ("name", "gender", "ethnicity", "birth_date", "id_number", "category")


class CandidateSchema(PersonFieldsSchema):
    """The candidate: an existing registry honouree (``honouree_id``) or a new person.

    For an honouree the registry's record is the candidate's (read by RPC): only the
    nomination's own flags (``leader_cadre``, ``intermediary_organisation``) may be given.
    A new person is described as the registry would register them; ``managing_unit_id``
    is the nominating unit unless given (a farmer's must be a district union), and
    ``leader_cadre`` follows the category (cadre) unless given.
    """

    honouree_id = fields.String(validate=RECORD_ID)
    managing_unit_id = fields.String(validate=UNIT_ID)
    leader_cadre = fields.Boolean()
    intermediary_organisation = fields.Boolean()

    @validates_schema
    def one_kind(self, data, **kwargs):
        if "honouree_id" in data:
            extra = sorted(set(data) - {"honouree_id", *RATIO_FIELDS})
            if extra:
                raise ValidationError(
                    {name: ["not with honouree_id: the registry's record is the candidate's"] for name in extra})
            return
        missing = [name for name in REQUIRED_PERSON_FIELDS if name not in data]
        if missing:
            raise ValidationError({name: ["required for a new person (or give honouree_id)"] for name in missing})
        # the ID number against the birth date: PersonFieldsSchema.id_number_fits_birth_date


class AttachmentSchema(Schema):
    """A deed material's metadata: the file is stored elsewhere and named by its sha256."""

    name = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    size = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_ATTACHMENT_BYTES))
    sha256 = fields.String(required=True, validate=SHA256)
    content_type = fields.String(required=True, validate=CONTENT_TYPE)


def attachments_field():
    return fields.List(fields.Nested(AttachmentSchema), load_default=list,
                       validate=validate.Length(max=MAX_ATTACHMENTS))


class DeedsFieldsSchema(Schema):
    deeds_summary = Trimmed(required=True, validate=validate.Length(min=1, max=500), metadata={
        "description": "shown on the public notices"})
    deeds = Trimmed(required=True, validate=LONG_TEXT)
    attachments = attachments_field()

    @validates_schema
    def each_file_once(self, data, **kwargs):
        unique_list([a["sha256"] for a in data.get("attachments") or []], "attachments")


class NominationSchema(DeedsFieldsSchema):
    """A nomination. Organisational: by ``nominating_unit_id`` (the actor's unit unless given, in
    its scope), which is where it enters. Self or social organisation: received by
    ``nominating_unit_id``, a unit of the campaign's entry level."""

    request_id = fields.String(load_default=None, validate=REQUEST_ID)
    channel = fields.String(required=True, validate=choice(Channel))
    nominating_unit_id = fields.String(load_default=None, validate=UNIT_ID)
    social_organisation = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    candidate = fields.Nested(CandidateSchema, required=True)

    @validates_schema
    def organisation_with_its_channel(self, data, **kwargs):
        if data["channel"] == Channel.SOCIAL_ORGANISATION.value and not data.get("social_organisation"):
            raise ValidationError("required for a social organisation's recommendation", "social_organisation")
        if data["channel"] != Channel.SOCIAL_ORGANISATION.value and data.get("social_organisation"):
            raise ValidationError("only for a social organisation's recommendation", "social_organisation")


class AttachmentsSchema(Schema):
    attachments = fields.List(fields.Nested(AttachmentSchema), required=True,
                              validate=validate.Length(min=1, max=MAX_ATTACHMENTS))

    @validates_schema
    def each_file_once(self, data, **kwargs):
        unique_list([a["sha256"] for a in data["attachments"]], "attachments")


class NominationQuerySchema(PageRequest):
    status = fields.String(validate=validate.OneOf(procedure.STATUSES))
    stage = fields.String(validate=validate.OneOf(procedure.STAGES))
    channel = fields.String(validate=choice(Channel))
    unit_id = fields.String(validate=UNIT_ID, metadata={"description": "nominated by, or now at, this unit"})


# --- the steps' evidence ------------------------------------------------------------------------

class DeedsReportSchema(Schema):
    """一报告: the candidate's deeds reported to the workers."""

    reported_on = fields.Date(required=True)
    audience_size = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    minutes = Trimmed(required=True, validate=LONG_TEXT)


MEETINGS = ("workers_congress", "workers_representatives_congress", "group_meetings")
COUNT = validate.Range(min=0, max=1_000_000)


class DemocraticRecommendationSchema(Schema):
    """民主推荐: a vote of the workers' (representatives') congress or of group meetings."""

    held_on = fields.Date(required=True)
    meeting = fields.String(required=True, validate=validate.OneOf(MEETINGS))
    participants = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    votes_for = fields.Integer(required=True, strict=True, validate=COUNT)
    votes_against = fields.Integer(required=True, strict=True, validate=COUNT)
    votes_abstain = fields.Integer(required=True, strict=True, validate=COUNT)

    @validates_schema
    def counts_add_up(self, data, **kwargs):
        problem = procedure.vote_problem(data["participants"], data["votes_for"], data["votes_against"],
                                         data["votes_abstain"])
        if problem:
            raise ValidationError(problem, "_schema")


class PartyApprovalSchema(Schema):
    """同级党委同意: the same-level party committee's approval."""

    committee = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    approved_on = fields.Date(required=True)
    document = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


class RecommendationSchema(Schema):
    """A tier recommends the nomination upward: to its parent (or ``to_unit_id``, its system parent)."""

    opinion = Trimmed(required=True, validate=REASONS)
    to_unit_id = fields.String(load_default=None, validate=UNIT_ID)


class ReasonsSchema(Schema):
    reasons = Trimmed(required=True, validate=REASONS)


REVIEW_OUTCOMES = ("passed", "rejected")


class ReviewSchema(Schema):
    """初审 (basic facts, with the slate's ratios) or 复审 (the deed materials)."""

    outcome = fields.String(required=True, validate=validate.OneOf(REVIEW_OUTCOMES))
    findings = Trimmed(required=True, validate=validate.Length(min=1, max=5000))
    reasons = Trimmed(load_default=None, allow_none=True, validate=REASONS)

    @validates_schema
    def reasons_for_a_rejection(self, data, **kwargs):
        if data["outcome"] == "rejected" and not data.get("reasons"):
            raise ValidationError("required when the outcome is rejected", "reasons")


class ConferralSchema(Schema):
    decided_on = fields.Date(required=True)
    document = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


# --- notices and objections ---------------------------------------------------------------------

class NoticeSchema(Schema):
    """A public notice of candidates at one level, open from ``starts_at`` to ``ends_at``."""

    level = fields.String(required=True, validate=validate.OneOf(procedure.NOTICE_LEVELS))
    title = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    nomination_ids = fields.List(fields.String(validate=RECORD_ID), required=True,
                                 validate=validate.Length(min=1, max=500))

    @validates_schema
    def window(self, data, **kwargs):
        if data["ends_at"] <= data["starts_at"]:
            raise ValidationError("the window must end after it starts", "ends_at")
        unique_list(data["nomination_ids"], "nomination_ids")


class NoticeQuerySchema(PageRequest):
    status = fields.String(validate=validate.OneOf(("open", "closed")))
    level = fields.String(validate=validate.OneOf(procedure.NOTICE_LEVELS))


class PublicNoticeQuerySchema(PageRequest):
    campaign_id = fields.String(validate=RECORD_ID)
    level = fields.String(validate=validate.OneOf(procedure.NOTICE_LEVELS))


class ObjectionSchema(Schema):
    """An objection anyone may lodge during an open notice; ``contact`` is optional and sealed."""

    request_id = fields.String(load_default=None, validate=REQUEST_ID)
    grounds = Trimmed(required=True, validate=validate.Length(min=1, max=2000))
    contact = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))


class ObjectionResolutionSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(
        (ObjectionStatus.UPHELD.value, ObjectionStatus.DISMISSED.value)))
    reasons = Trimmed(required=True, validate=REASONS)


class ObjectionQuerySchema(PageRequest):
    campaign_id = fields.String(validate=RECORD_ID)
    notice_id = fields.String(validate=RECORD_ID)
    status = fields.String(validate=choice(ObjectionStatus))


MAX_ADDRESS = 100  # characters of the caller's address (IPv6 with a zone fits)


# --- reports ------------------------------------------------------------------------------------

RATIO_BASES = ("slate", "live")


class DashboardQuerySchema(Schema):
    unit_id = fields.String(load_default=None, validate=UNIT_ID)


class RatioQuerySchema(Schema):
    unit_id = fields.String(load_default=None, validate=UNIT_ID)
    basis = fields.String(load_default="slate", validate=validate.OneOf(RATIO_BASES), metadata={
        "description": "slate: nominations alive at the organiser (reviews onward) and conferred; "
                       "live: every nomination alive at any tier"})


# --- cultivation --------------------------------------------------------------------------------

class CultivationSchema(Schema):
    """A worker the unit tracks for development this year (重点跟踪培养)."""

    request_id = fields.String(load_default=None, validate=REQUEST_ID)
    unit_id = fields.String(load_default=None, validate=UNIT_ID)
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    source = fields.String(required=True, validate=choice(CultivationSource))
    source_detail = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    candidate = fields.Nested(CandidateSchema, required=True)
    note = Trimmed(load_default=None, allow_none=True, validate=validate.Length(min=1, max=5000))


class NoteSchema(Schema):
    note = Trimmed(required=True, validate=validate.Length(min=1, max=5000))


class CultivationQuerySchema(PageRequest):
    unit_id = fields.String(validate=UNIT_ID)
    year = fields.Integer(validate=YEAR)
    source = fields.String(validate=choice(CultivationSource))
    status = fields.String(validate=choice(CultivationStatus))


class PromotionSchema(DeedsFieldsSchema):
    """A tracked worker put forward in a campaign by the tracking unit (organisational channel)."""

    request_id = fields.String(load_default=None, validate=REQUEST_ID)
    campaign_id = fields.String(required=True, validate=RECORD_ID)


# --- events -------------------------------------------------------------------------------------

class NominationConferredSchema(Schema):
    """The ``nomination_conferred`` event this service publishes (docs/events.md): no personal data."""

    nomination_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    campaign_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    honour_type = fields.String(required=True, validate=validate.Length(min=1, max=40))
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    level = fields.String(validate=choice(HonourLevel))
    conferring_body = fields.String(validate=validate.Length(min=1, max=100))
    honouree_id = fields.String(validate=RECORD_ID)
    managing_unit_id = fields.String(required=True, validate=UNIT_ID)


class HonourRevokedSchema(Schema):
    """The registry's ``honour_revoked`` event, as this service reads it."""

    class Meta:
        unknown = EXCLUDE

    honour_id = fields.String(required=True, validate=RECORD_ID)
    honouree_id = fields.String(required=True, validate=RECORD_ID)
    honour_type = fields.String(required=True, validate=validate.Length(min=1, max=40))
    revocation_id = fields.String(load_default=None, allow_none=True, validate=RECORD_ID)
    occurred_at = fields.AwareDateTime(required=True)


class HonourConferredSchema(Schema):
    """The registry's ``honour_conferred`` event: which honouree a conferred nomination became."""

    class Meta:
        unknown = EXCLUDE

    honour_id = fields.String(required=True, validate=RECORD_ID)
    honouree_id = fields.String(required=True, validate=RECORD_ID)
    nomination_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
