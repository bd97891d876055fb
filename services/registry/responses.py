"""What the registry's RPCs return: the reply shapes the gateway documents in OpenAPI.

One schema per reply shape, named in the domain's language; the view functions
that build the replies (honourees.view, transfers.view, search.statistics, ...)
are the source of truth, and tests/test_responses.py checks real replies
against the JSON Schema apispec derives from these classes. Every key a reply
always has is required; every value that can be null allows None; enum-like
strings list their values. Times are ISO 8601 with the UTC offset
(``2024-05-01T08:30:00+00:00``), dates ``YYYY-MM-DD``.

RPCs that answer with a bare list (``get_honourees``, ``audit_trail``,
``list_honour_types``, ``get_units``, ``list_children``) answer with a list of
``HonoureeOut``, ``AuditEntryOut``, ``HonourTypeOut`` or ``UnitOut``;
``export_honourees`` answers with a bare string, described by ``ExportOut``
(an OpenAPI schema object: a string is no marshmallow Schema).
"""
from marshmallow import Schema, fields, validate

from services.chassis.schemas import (
    HIDDEN,
    audit_entry_schema,
    count,
    instant,
    maybe_instant,
    maybe_text,
    one_of,
    page_schema,
    text,
)

from .domain import Tier
from .people import (
    AGE_BANDS,
    CATEGORY_FLAGS,
    TEAM_SIZE_TARGET,
    Category,
    ChangeKind,
    EmploymentStatus,
    Gender,
    Hardship,
    HonourLevel,
    HonourStatus,
    IncomeBand,
    ManagementMode,
)
from .schemas import UnitSchema

# the union tree --------------------------------------------------------------------------------

class UnitOut(UnitSchema):
    """A union in the tree (get_unit, get_units, list_children, create_unit, list_units)."""

    id = text()
    name = text()
    tier = fields.Function(lambda unit: unit.tier.value, required=True, validate=one_of(Tier),
                           metadata={"type": "string"})
    parent_id = maybe_text(metadata={"description": "null only for the city federation"})
    system_parent_id = maybe_text(metadata={"description": "a grassroots union's second (system) parent"})
    created_at = instant()


# honourees and honours -------------------------------------------------------------------------

class HonourOut(Schema):
    """One honour held by one honouree (confer_honour; in every honouree)."""

    id = text()
    honouree_id = text()
    honour_type = text(metadata={"description": "a code of list_honour_types"})
    level = text(validate=one_of(HonourLevel))
    year = fields.Integer(required=True)
    conferring_body = text()
    status = text(validate=one_of(HonourStatus))
    nomination_id = maybe_text(metadata={"description": "the nomination that conferred it, if any"})
    revoked_at = maybe_instant()


class FamilyOut(Schema):
    """An honouree's family situation; income band and hardships are "***" without the personal-data right."""

    members = fields.Integer(required=True, allow_none=True)
    income_band = maybe_text(validate=one_of([*IncomeBand, HIDDEN]),
                             metadata={"description": 'an income band, or "***" without the personal-data right'})
    hardships = fields.Raw(required=True, metadata={
        "description": 'the hardships (a list), or the string "***" without the personal-data right',
        "oneOf": [{"type": "array", "items": {"type": "string", "enum": [h.value for h in Hardship]}},
                  {"type": "string", "enum": [HIDDEN]}],
    })


class HonoureeOut(Schema):
    """An honouree's record with its honours, as the actor may see it (register, get, correct, search)."""

    id = text()
    name = text()
    gender = text(validate=one_of(Gender))
    ethnicity = text()
    birth_date = fields.Date(required=True)
    id_number = text(metadata={"description": "in clear with the personal-data right, else masked: "
                                              "the first 6 and last 4 characters, '*' between"})
    phone = maybe_text()
    address = maybe_text()
    education = maybe_text()
    political_status = maybe_text()
    employer = maybe_text()
    position = maybe_text()
    category = text(validate=one_of(Category))
    front_line = fields.Boolean(required=True)
    migrant_worker = fields.Boolean(required=True)
    non_public_enterprise = fields.Boolean(required=True)
    high_tech_enterprise = fields.Boolean(required=True)
    employment_status = text(validate=one_of(EmploymentStatus))
    beijing_hukou = fields.Boolean(required=True)
    management_mode = text(validate=one_of(ManagementMode))
    family = fields.Nested(FamilyOut, required=True)
    managing_unit_id = text()
    district_id = maybe_text(metadata={"description": "null when the managing unit is in no district"})
    verified_year = fields.Integer(required=True, allow_none=True,
                                   metadata={"description": "the year of the last verification (年度更新)"})
    version = fields.Integer(required=True, validate=validate.Range(min=1),
                             metadata={"description": "give it back with a correction"})
    created_at = instant()
    updated_at = instant()
    honours = fields.List(fields.Nested(HonourOut), required=True)


class HonourTypeOut(Schema):
    """An honour in the catalogue (list_honour_types)."""

    code = text()
    name = text()
    name_en = text()
    level = text(validate=one_of(HonourLevel))
    conferring_body = text()
    active = fields.Boolean(required=True)


AUDIT_ACTIONS = (
    "registered", "corrected", "verified", "transferred",   # honouree
    "conferred", "linked_to_nomination", "revoked",         # honour (and revocation: revoked)
    "requested", "accepted", "rejected", "cancelled",       # transfer (and revocation: requested)
    "endorsed", "refused",                                  # revocation
    "reported", "acknowledged",                             # change_report
)


AuditEntryOut = audit_entry_schema(
    "AuditEntryOut", ("honouree", "honour", "transfer", "revocation", "change_report"),
    "One recorded change of a record, oldest first; an honouree's trail holds its related records' too "
    "(audit_trail).", actions=AUDIT_ACTIONS)

# annual verification ---------------------------------------------------------------------------

class VerificationOut(Schema):
    """This year's verification of a record, and the record as it now stands (verify_honouree)."""

    id = fields.Integer(required=True)
    honouree_id = text()
    year = fields.Integer(required=True)
    unit_id = text()
    outcome = text(validate=validate.OneOf(("confirmed", "corrected")))
    account = text()
    at = instant()
    honouree = fields.Nested(HonoureeOut, required=True)


class OverdueOut(Schema):
    """A living record not yet verified this year; no personal data (overdue_verifications)."""

    id = text()
    name = text()
    category = text(validate=one_of(Category))
    employer = maybe_text()
    employment_status = text(validate=one_of(s for s in EmploymentStatus if s is not EmploymentStatus.DECEASED))
    managing_unit_id = text()
    district_id = maybe_text()
    verified_year = fields.Integer(required=True, allow_none=True)


class UnitProgressOut(Schema):
    """One managing unit's verification progress in a year."""

    unit_id = text()
    unit_name = text()
    due = count()
    verified = count()
    rate = fields.Float(required=True, metadata={"description": "verified / due, 4 decimals"})


class ProgressTotalOut(Schema):
    """The verification progress of every unit in scope together."""

    due = count()
    verified = count()
    rate = fields.Float(required=True, allow_none=True, metadata={"description": "null when nothing is due"})


class ProgressOut(Schema):
    """Per managing unit in scope: records due in the year and how many were verified (verification_progress)."""

    year = fields.Integer(required=True)
    units = fields.List(fields.Nested(UnitProgressOut), required=True)
    total = fields.Nested(ProgressTotalOut, required=True)


# transfers, major-change reports, to-do lists --------------------------------------------------

class TransferOut(Schema):
    """A transfer of management from one unit to another (request/accept/reject_transfer, list_transfers)."""

    id = text()
    honouree_id = text()
    honouree_name = text()
    from_unit_id = text()
    to_unit_id = text()
    management_mode = text(validate=one_of(ManagementMode))
    reason = text()
    status = text(validate=validate.OneOf(("pending", "accepted", "rejected", "cancelled")))
    requested_by_account = text()
    requested_by_unit_id = text()
    deciding_unit_id = text(metadata={"description": "the side that did not ask"})
    decided_by_account = maybe_text()
    decision_reason = maybe_text(metadata={"description": "a rejection's reason"})
    created_at = instant()
    decided_at = maybe_instant()


class _ChangeReportFields(Schema):
    """A major change reported by the managing unit (重大变化报告)."""

    id = text()
    honouree_id = text()
    kind = text(validate=one_of(ChangeKind))
    occurred_on = fields.Date(required=True, allow_none=True)
    description = text()
    reported_by_account = text()
    reported_by_unit_id = text()
    escalated_to_unit_id = text()
    status = text(validate=validate.OneOf(("open", "acknowledged")))
    acknowledged_by = maybe_text()
    created_at = instant()
    acknowledged_at = maybe_instant()


class ChangeReportOut(_ChangeReportFields):
    """A major change just reported, with the transfer it opened, if any (report_change)."""

    transfer = fields.Nested(TransferOut, required=True, allow_none=True,
                             metadata={"description": "the transfer to the district union that leaving "
                                                      "the employer opened; else null"})


class AcknowledgedChangeOut(_ChangeReportFields):
    """A major-change report, acknowledged by the unit it went to (acknowledge_change)."""


class TodoItemOut(Schema):
    """Something the actor's unit must act on (list_todo)."""

    id = fields.Integer(required=True)
    unit_id = text()
    kind = text(validate=validate.OneOf(("change_report", "transfer", "revocation")))
    subject_id = text(metadata={"description": "the id of the report, transfer or revocation"})
    honouree_id = text()  # a nullable column, but every kind of item names its honouree
    title = text()
    status = text(validate=validate.OneOf(("open", "done")))
    created_at = instant()
    done_at = maybe_instant()


# revocation ------------------------------------------------------------------------------------

class RevocationStepOut(Schema):
    """One tier's act on a revocation request."""

    unit_id = text()
    action = text(validate=validate.OneOf(("requested", "endorsed", "refused", "decided")))
    account = text()
    reasons = text()
    at = instant()


class RevocationSummaryOut(Schema):
    """A request to revoke an honour, without its steps (list_revocations)."""

    id = text()
    honour_id = text()
    honouree_id = text()
    honour_type = text()
    reasons = text()
    status = text(validate=validate.OneOf(("pending", "revoked", "refused")))
    requested_by_unit_id = text()
    waiting_at_unit_id = maybe_text(metadata={"description": "null once the request is closed"})
    deciding_unit_id = text()
    decision_reasons = maybe_text()
    created_at = instant()
    decided_at = maybe_instant()


class RevocationOut(RevocationSummaryOut):
    """A request to revoke an honour with every step so far (request/endorse/refuse/decide/get_revocation)."""

    steps = fields.List(fields.Nested(RevocationStepOut), required=True)


# search, statistics, import, export ------------------------------------------------------------

def counts_of(name, doc, keys):
    """A schema of one required count per key (keys need not be identifiers: ``40_49``)."""
    attributes = {"__doc__": doc}
    for key in keys:
        attributes[key if key.isidentifier() else f"n_{key}"] = fields.Integer(
            required=True, validate=validate.Range(min=0), data_key=key)
    return type(name, (Schema,), attributes)


CategoryCountsOut = counts_of("CategoryCountsOut", "Records per category.", [c.value for c in Category])
GenderCountsOut = counts_of("GenderCountsOut", "Records per gender.", [g.value for g in Gender])
EmploymentStatusCountsOut = counts_of("EmploymentStatusCountsOut", "Records per employment status.",
                                      [s.value for s in EmploymentStatus])
AgeBandCountsOut = counts_of("AgeBandCountsOut", "Records per age band, as of the day.",
                             [name for _, _, name in AGE_BANDS])
HonourLevelCountsOut = counts_of("HonourLevelCountsOut", "Holders of an honour of each level.",
                                 [level.value for level in HonourLevel])
FlagCountsOut = counts_of("FlagCountsOut", "Records with each category flag, and with a Beijing hukou.",
                          [*CATEGORY_FLAGS, "beijing_hukou"])


class TeamOut(Schema):
    """The living records against the programme's target of about 20,000 people."""

    size = count()
    target = fields.Integer(required=True, validate=validate.Equal(TEAM_SIZE_TARGET))
    share_of_target = fields.Float(required=True, metadata={"description": "size / target, 4 decimals"})


class StatisticsOut(Schema):
    """The make-up of the records in scope matching the filters (statistics)."""

    unit_id = text(metadata={"description": "the unit counted: the filter's, else the actor's"})
    as_of = fields.Date(required=True)
    total = count()
    team = fields.Nested(TeamOut, required=True)
    by_category = fields.Nested(CategoryCountsOut, required=True)
    by_gender = fields.Nested(GenderCountsOut, required=True)
    by_employment_status = fields.Nested(EmploymentStatusCountsOut, required=True)
    by_district = fields.Dict(keys=fields.String(), values=fields.Integer(validate=validate.Range(min=0)),
                              required=True, metadata={"description": 'records per district union in scope; '
                                                                      '"none" for records in no district'})
    by_age_band = fields.Nested(AgeBandCountsOut, required=True)
    by_honour_type = fields.Dict(keys=fields.String(), values=fields.Integer(validate=validate.Range(min=0)),
                                 required=True, metadata={"description": "holders per honour type code, "
                                                                         "every type of the catalogue"})
    by_honour_level = fields.Nested(HonourLevelCountsOut, required=True)
    flags = fields.Nested(FlagCountsOut, required=True)


class ImportErrorOut(Schema):
    """The problems of one line of an imported file."""

    row = fields.Integer(required=True, validate=validate.Range(min=1),
                         metadata={"description": "the 1-based line number in the file"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata={"description": '{column: [messages]}; "_row" for the row as a whole, '
                                                  '"_file" for the file'})


class ImportReportOut(Schema):
    """The report on a CSV file of honourees, checked or imported (import_honourees)."""

    status = text(validate=validate.OneOf(("valid", "invalid", "imported", "refused")),
                  metadata={"description": "dry run: valid | invalid; real run: imported | refused; "
                                           "a file that cannot be read: refused"})
    dry_run = fields.Boolean(required=True)
    rows = count()
    valid = count()
    invalid = count()
    people = count()
    honours = count()
    errors = fields.List(fields.Nested(ImportErrorOut), required=True,
                         metadata={"description": "at most 1000, by line"})
    errors_not_listed = fields.Integer(validate=validate.Range(min=1),
                                       metadata={"description": "only when more than 1000 rows failed"})
    imported = fields.Integer(validate=validate.Range(min=0),
                              metadata={"description": "people entered; only when status is imported"})


# bulk.HEADER, the columns an export writes (and an import reads), in order
EXPORT_COLUMNS = (
    "id_number", "name", "gender", "ethnicity", "birth_date", "category", "managing_unit_id",
    "management_mode", "employment_status", "employer", "position", "education", "political_status",
    "phone", "address", "front_line", "migrant_worker", "non_public_enterprise", "high_tech_enterprise",
    "beijing_hukou", "family_members", "income_band", "hardships", "honour_type", "honour_year",
    "honour_level", "conferring_body",
)

# export_honourees answers with the CSV text itself, not an object: an OpenAPI schema object
# (spec.components.schema("ExportOut", component=ExportOut)), since no Schema describes a string
ExportOut = {
    "type": "string",
    "description": "The records as CSV text (docs/csv.md): a BOM, the header, one row per active "
                   "honour (one for a record without one), CRLF line ends; ID numbers, income band "
                   'and hardships masked ("***") without the personal-data right.',
    "pattern": "^\ufeff" + ",".join(EXPORT_COLUMNS) + "\r\n",
}


# pages -----------------------------------------------------------------------------------------

UnitPageOut = page_schema(UnitOut, "UnitPageOut", "A page of units, from the city down (list_units).")
SearchPageOut = page_schema(HonoureeOut, "SearchPageOut",
                               "A page of the records matching a search, by name then id (search_honourees).")
OverduePageOut = page_schema(OverdueOut, "OverduePageOut",
                                "A page of records due for this year's verification (overdue_verifications).")
TodoPageOut = page_schema(TodoItemOut, "TodoPageOut", "A page of the unit's to-do items, oldest first (list_todo).")
TransferPageOut = page_schema(TransferOut, "TransferPageOut",
                                 "A page of transfers, newest first (list_transfers).")
RevocationPageOut = page_schema(RevocationSummaryOut, "RevocationPageOut",
                                   "A page of revocation requests, newest first (list_revocations).")
