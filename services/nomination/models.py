"""The nomination service's tables: campaigns, quotas, nominations and their steps, public notices
and objections, cultivation, and the revocations learnt from the registry.

Unit ids are the registry's (the union tree is the registry's): plain strings here, no foreign key.
Personal data is sealed (``*_sealed``: Fernet tokens) and found by a keyed blind index.
"""
import json

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.chassis.audit import audit_table
from services.chassis.database import UtcDateTime, enum_of, service_metadata
from services.chassis.id_numbers import normalise
from services.chassis.reseal import BlindIndex

from . import procedure
from .vocabulary import (
    Channel,
    CultivationSource,
    CultivationStatus,
    EntryLevel,
    NoticeStatus,
    ObjectionStatus,
)


def one_of(values, name):
    """A checked string of plain values (the procedure's states and stages)."""
    return Enum(*values, name=name, native_enum=False, length=30)


class Base(DeclarativeBase):
    metadata = service_metadata()


audit_table(Base.metadata)


class Campaign(Base):
    """A campaign (评选活动) that confers one honour type for one year."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("honour_type", "year", name="uq_campaigns_honour_type_year"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    honour_type: Mapped[str] = mapped_column(String(40))       # a registry honour type code
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(20))       # national | municipal | district
    conferring_body: Mapped[str | None] = mapped_column(String(100))
    organiser_unit_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(one_of(procedure.CAMPAIGN_STATES, "campaign_state"))
    total_quota: Mapped[int] = mapped_column(Integer)
    timetable: Mapped[str] = mapped_column(Text)                # JSON: the dates of each stage
    targets: Mapped[str] = mapped_column(Text)                  # JSON: structure-ratio targets, percent
    entry_level: Mapped[EntryLevel] = mapped_column(enum_of(EntryLevel, "entry_level"))
    revocation_bar_years: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_account: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)


class Quota(Base):
    """A unit's quota (名额) in a campaign: the organiser allocates to the units below it, which may
    sub-allocate to theirs."""

    __tablename__ = "quotas"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", name="uq_quotas_campaign_id_unit_id"),
                      Index("ix_quotas_allocator", "campaign_id", "allocated_by_unit_id"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[str] = mapped_column(String(64))
    allocated_by_unit_id: Mapped[str] = mapped_column(String(64))
    quota: Mapped[int] = mapped_column(Integer)
    updated_at = mapped_column(UtcDateTime, nullable=False)


class Nomination(Base):
    """A candidate put forward in a campaign, and where the procedure stands."""

    __tablename__ = "nominations"
    __table_args__ = (
        # the same person once per campaign: "h:<honouree id>" or "p:<blind index of the ID number>"
        UniqueConstraint("campaign_id", "candidate_key", name="uq_nominations_campaign_id_candidate_key"),
        Index("ix_nominations_campaign_status", "campaign_id", "status", "stage"),
        Index("ix_nominations_current", "campaign_id", "current_unit_id"),
        Index("ix_nominations_nominating", "campaign_id", "nominating_unit_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    channel: Mapped[Channel] = mapped_column(enum_of(Channel, "channel"))
    social_organisation: Mapped[str | None] = mapped_column(String(200))
    nominating_unit_id: Mapped[str] = mapped_column(String(64))
    nominating_unit_name: Mapped[str] = mapped_column(String(200))
    entry_unit_id: Mapped[str] = mapped_column(String(64))
    current_unit_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(one_of(procedure.STATUSES, "nomination_status"))
    stage: Mapped[str] = mapped_column(one_of(procedure.STAGES, "nomination_stage"))
    notice_id: Mapped[str | None] = mapped_column(String(32))   # the notice it is on, while open
    # the candidate
    candidate_key: Mapped[str] = mapped_column(String(80))
    honouree_id: Mapped[str | None] = mapped_column(String(32), index=True)
    registered_honouree_id: Mapped[str | None] = mapped_column(String(32), index=True)  # learnt on conferral
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str | None] = mapped_column(String(10))
    ethnicity: Mapped[str | None] = mapped_column(String(20))
    birth_date = mapped_column(Date, nullable=True)
    id_number_sealed: Mapped[str | None] = mapped_column(Text)
    id_number_index: Mapped[str | None] = mapped_column(String(64), index=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    private_sealed: Mapped[str | None] = mapped_column(Text)    # sealed JSON: phone, address, family
    education: Mapped[str | None] = mapped_column(String(30))
    political_status: Mapped[str | None] = mapped_column(String(30))
    employer: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(100))
    employment_status: Mapped[str | None] = mapped_column(String(20))
    beijing_hukou: Mapped[bool | None] = mapped_column(Boolean)
    management_mode: Mapped[str | None] = mapped_column(String(20))
    managing_unit_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(20))
    front_line: Mapped[bool] = mapped_column(Boolean, default=False)
    migrant_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    non_public_enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    high_tech_enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    leader_cadre: Mapped[bool] = mapped_column(Boolean, default=False)
    intermediary_organisation: Mapped[bool] = mapped_column(Boolean, default=False)
    # the deeds (事迹)
    deeds_summary: Mapped[str] = mapped_column(String(500))
    deeds: Mapped[str] = mapped_column(Text)
    cultivation_id: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_account: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)
    ended_at = mapped_column(UtcDateTime, nullable=True)

    steps = relationship("NominationStep", order_by="NominationStep.id")
    attachments = relationship("Attachment", order_by="Attachment.id")


class NominationStep(Base):
    """One step of the procedure: who (account, unit), when, its outcome and evidence."""

    __tablename__ = "nomination_steps"
    __table_args__ = (Index("ix_nomination_steps_unit", "unit_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    nomination_id: Mapped[str] = mapped_column(ForeignKey("nominations.id"), index=True)
    step: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[str] = mapped_column(String(64))
    account: Mapped[str] = mapped_column(String(64))
    at = mapped_column(UtcDateTime, nullable=False)
    evidence: Mapped[str] = mapped_column(Text)  # JSON


class Attachment(Base):
    """A deed material's metadata (the file itself lives elsewhere, found by its sha256)."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("nomination_id", "sha256", name="uq_attachments_nomination_id_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    nomination_id: Mapped[str] = mapped_column(ForeignKey("nominations.id"))
    name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    added_by_account: Mapped[str] = mapped_column(String(64))
    added_by_unit_id: Mapped[str] = mapped_column(String(64))
    added_at = mapped_column(UtcDateTime, nullable=False)


class Notice(Base):
    """A public notice (公示) of candidates, at one of the three levels, open for a window."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_campaign_status", "campaign_id", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    level: Mapped[str] = mapped_column(one_of(procedure.NOTICE_LEVELS, "notice_level"))
    unit_id: Mapped[str] = mapped_column(String(64))            # the publishing unit
    unit_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    starts_at = mapped_column(UtcDateTime, nullable=False)
    ends_at = mapped_column(UtcDateTime, nullable=False)
    status: Mapped[NoticeStatus] = mapped_column(enum_of(NoticeStatus, "notice_status"))
    opened_by_account: Mapped[str] = mapped_column(String(64))
    closed_by_account: Mapped[str | None] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)
    closed_at = mapped_column(UtcDateTime, nullable=True)

    entries = relationship("NoticeEntry", order_by="NoticeEntry.position")


class NoticeEntry(Base):
    """A nomination on a notice: listed, withdrawn (an objection upheld) or passed (closed)."""

    __tablename__ = "notice_entries"

    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    nomination_id: Mapped[str] = mapped_column(ForeignKey("nominations.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # listed | withdrawn | passed


class Objection(Base):
    """An objection (异议) to a candidate on an open notice, from anyone; the contact is sealed."""

    __tablename__ = "objections"
    __table_args__ = (Index("ix_objections_address", "address_index", "lodged_at"),
                      Index("ix_objections_notice_status", "notice_id", "status"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"))
    nomination_id: Mapped[str] = mapped_column(ForeignKey("nominations.id"), index=True)
    grounds: Mapped[str] = mapped_column(Text)
    contact_sealed: Mapped[str | None] = mapped_column(Text)
    address_index: Mapped[str] = mapped_column(String(64))  # keyed hash of the caller's address
    status: Mapped[ObjectionStatus] = mapped_column(enum_of(ObjectionStatus, "objection_status"))
    resolution_reasons: Mapped[str | None] = mapped_column(Text)
    resolved_by_account: Mapped[str | None] = mapped_column(String(64))
    resolved_by_unit_id: Mapped[str | None] = mapped_column(String(64))
    lodged_at = mapped_column(UtcDateTime, nullable=False)
    resolved_at = mapped_column(UtcDateTime, nullable=True)


class Cultivation(Base):
    """A worker a unit tracks for development in a year (重点跟踪培养)."""

    __tablename__ = "cultivations"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "candidate_key", name="uq_cultivations_unit_id_year_candidate_key"),
        Index("ix_cultivations_unit_year", "unit_id", "year", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[CultivationSource] = mapped_column(enum_of(CultivationSource, "cultivation_source"))
    source_detail: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[CultivationStatus] = mapped_column(enum_of(CultivationStatus, "cultivation_status"))
    candidate_key: Mapped[str] = mapped_column(String(80))
    honouree_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    employer: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(100))
    candidate_sealed: Mapped[str] = mapped_column(Text)  # sealed JSON: the candidate as entered
    promoted_nomination_id: Mapped[str | None] = mapped_column(String(32))
    end_reasons: Mapped[str | None] = mapped_column(Text)
    created_by_account: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)

    notes = relationship("CultivationNote", order_by="CultivationNote.id")


class CultivationNote(Base):
    """A progress note on a tracked worker: who, when, what."""

    __tablename__ = "cultivation_notes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    cultivation_id: Mapped[str] = mapped_column(ForeignKey("cultivations.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    account: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[str] = mapped_column(String(64))
    at = mapped_column(UtcDateTime, nullable=False)


class RevokedHonour(Base):
    """An honour the registry revoked (its ``honour_revoked`` event): bars a re-nomination for a while."""

    __tablename__ = "revoked_honours"

    honour_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    honouree_id: Mapped[str] = mapped_column(String(32), index=True)
    honour_type: Mapped[str] = mapped_column(String(40))
    revocation_id: Mapped[str | None] = mapped_column(String(32))
    revoked_at = mapped_column(UtcDateTime, nullable=False)
    received_at = mapped_column(UtcDateTime, nullable=False)


def _cultivated_id_number(candidate):
    """The ID number in a cultivation's sealed candidate (None for an honouree's: its key is ``h:<id>``)."""
    return normalise(json.loads(candidate).get("id_number"))


# Personal data at rest, for `python -m services.chassis.reseal nomination`: every sealed column (a Fernet
# token: an ID number, or JSON), and every blind index with the sealed column it is made from
# (nominations.py, cultivation.py: the index of the normalised ID number; the candidate keys are "p:" + that
# index, or "h:<honouree id>", which has no index). An objection's address_index hashes the client address,
# which is not stored: it only limits objections per address and hour (notices.py).
SEALED_COLUMNS = ("nominations.id_number_sealed", "nominations.private_sealed", "objections.contact_sealed",
                  "cultivations.candidate_sealed")
BLIND_INDEXES = (
    BlindIndex("nominations", "id_number_index", "id_number_sealed", normalise),
    BlindIndex("nominations", "candidate_key", "id_number_sealed", normalise, prefix="p:"),
    BlindIndex("cultivations", "candidate_key", "candidate_sealed", _cultivated_id_number, prefix="p:"),
    BlindIndex("objections", "address_index", None, unrecoverable=(
        "it hashes the objector's client address, which is not stored; it only counts objections per address "
        "over the last hour, so for an hour after the key change an address may lodge that many again")),
)
