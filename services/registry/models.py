"""The registry's tables: the union tree, honourees and honours, and their workflows."""
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

from .domain import Tier
from .people import (
    Category,
    ChangeKind,
    EmploymentStatus,
    Gender,
    HonourLevel,
    HonourStatus,
    IncomeBand,
    ManagementMode,
)


class Base(DeclarativeBase):
    metadata = service_metadata()


audit_table(Base.metadata)


class Unit(Base):
    """A union (工会) in the tree: the city federation, a district, a system, a grassroots union."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_units_parent_id_name"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[Tier] = mapped_column(
        Enum(Tier, name="unit_tier", native_enum=False, length=20,
             values_callable=lambda tiers: [t.value for t in tiers]))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), index=True)
    system_parent_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at = mapped_column(UtcDateTime, nullable=False)


class Honouree(Base):
    """A holder of one or more honours (劳模/先进工作者/奖章获得者)."""

    __tablename__ = "honourees"
    __table_args__ = (
        Index("ix_honourees_scope", "managing_unit_id", "name"),
        Index("ix_honourees_district", "district_id"),
        # search: scope, order, then every filtered column; counts and pages read the index only (0004)
        Index("ix_honourees_search", "managing_unit_id", "name", "id", "district_id", "category",
              "employment_status", "gender", "verified_year", "front_line", "migrant_worker",
              "non_public_enterprise", "high_tech_enterprise", "beijing_hukou"),
        # the same, name and id first: a city-wide page, however deep, read in order (0004)
        Index("ix_honourees_order", "name", "id", "managing_unit_id", "district_id", "category",
              "employment_status", "gender", "verified_year", "front_line", "migrant_worker",
              "non_public_enterprise", "high_tech_enterprise", "beijing_hukou"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # the creating request, for retries
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[Gender] = mapped_column(enum_of(Gender, "gender"))
    ethnicity: Mapped[str] = mapped_column(String(20))
    birth_date = mapped_column(Date, nullable=False)
    id_number_sealed: Mapped[str] = mapped_column(Text)
    id_number_index: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    education: Mapped[str | None] = mapped_column(String(30))
    political_status: Mapped[str | None] = mapped_column(String(30))
    employer: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[Category] = mapped_column(enum_of(Category, "category"))
    front_line: Mapped[bool] = mapped_column(Boolean, default=False)
    migrant_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    non_public_enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    high_tech_enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    employment_status: Mapped[EmploymentStatus] = mapped_column(enum_of(EmploymentStatus, "employment_status"))
    beijing_hukou: Mapped[bool] = mapped_column(Boolean, default=True)
    family_members: Mapped[int | None] = mapped_column(Integer)
    income_band: Mapped[IncomeBand | None] = mapped_column(enum_of(IncomeBand, "income_band"))
    hardships: Mapped[str] = mapped_column(String(200), default="")  # comma-separated Hardship values
    managing_unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    management_mode: Mapped[ManagementMode] = mapped_column(enum_of(ManagementMode, "management_mode"))
    district_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"))
    verified_year: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)

    honours = relationship("Honour", back_populates="honouree", order_by="Honour.year")


class HonourType(Base):
    """The extensible catalogue of honours (荣誉称号/奖章)."""

    __tablename__ = "honour_types"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(80))
    level: Mapped[HonourLevel] = mapped_column(enum_of(HonourLevel, "honour_level"))
    conferring_body: Mapped[str] = mapped_column(String(100))
    # the unit that decides a revocation, on the conferring body's behalf where that is outside the tree
    deciding_unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Honour(Base):
    """One honour held by one honouree."""

    __tablename__ = "honours"
    __table_args__ = (
        Index("ix_honours_type_year", "honour_type", "year"),
        # the honour filters' EXISTS, answered from the index (0004)
        Index("ix_honours_holder", "honouree_id", "status", "honour_type", "year", "level"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    honouree_id: Mapped[str] = mapped_column(ForeignKey("honourees.id"), index=True)
    honour_type: Mapped[str] = mapped_column(ForeignKey("honour_types.code"))
    level: Mapped[HonourLevel] = mapped_column(enum_of(HonourLevel, "honour_level"))
    year: Mapped[int] = mapped_column(Integer)
    conferring_body: Mapped[str] = mapped_column(String(100))
    status: Mapped[HonourStatus] = mapped_column(enum_of(HonourStatus, "honour_status"))
    nomination_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    revoked_at = mapped_column(UtcDateTime, nullable=True)
    created_at = mapped_column(UtcDateTime, nullable=False)

    honouree = relationship("Honouree", back_populates="honours")


class Verification(Base):
    """A managing unit's yearly confirmation or correction of a record (年度更新)."""

    __tablename__ = "verifications"
    __table_args__ = (UniqueConstraint("honouree_id", "year", name="uq_verifications_honouree_id_year"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    honouree_id: Mapped[str] = mapped_column(ForeignKey("honourees.id"))
    year: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # confirmed | corrected
    account: Mapped[str] = mapped_column(String(64))
    at = mapped_column(UtcDateTime, nullable=False)


class ChangeReport(Base):
    """A major change in an honouree's life, reported up one tier (重大变化报告)."""

    __tablename__ = "change_reports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    honouree_id: Mapped[str] = mapped_column(ForeignKey("honourees.id"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(enum_of(ChangeKind, "change_kind"))
    occurred_on = mapped_column(Date, nullable=True)
    description: Mapped[str] = mapped_column(Text)
    reported_by_account: Mapped[str] = mapped_column(String(64))
    reported_by_unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    escalated_to_unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | acknowledged
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)
    acknowledged_at = mapped_column(UtcDateTime, nullable=True)


class TodoItem(Base):
    """Something a unit must act on: a reported change, a transfer, a revocation step (待办)."""

    __tablename__ = "todo_items"
    __table_args__ = (Index("ix_todo_items_unit_status", "unit_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(30))  # change_report | transfer | revocation
    subject_id: Mapped[str] = mapped_column(String(32))
    honouree_id: Mapped[str | None] = mapped_column(ForeignKey("honourees.id"))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | done
    created_at = mapped_column(UtcDateTime, nullable=False)
    done_at = mapped_column(UtcDateTime, nullable=True)


class Transfer(Base):
    """A move of an honouree's management from one unit to another (管理关系转移)."""

    __tablename__ = "transfers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    honouree_id: Mapped[str] = mapped_column(ForeignKey("honourees.id"), index=True)
    from_unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    to_unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    management_mode: Mapped[ManagementMode] = mapped_column(enum_of(ManagementMode, "management_mode"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | accepted | rejected | cancelled
    requested_by_account: Mapped[str] = mapped_column(String(64))
    requested_by_unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    decided_by_account: Mapped[str | None] = mapped_column(String(64))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UtcDateTime, nullable=False)
    decided_at = mapped_column(UtcDateTime, nullable=True)


class Revocation(Base):
    """A request to revoke an honour, endorsed tier by tier up to the deciding unit (退出机制)."""

    __tablename__ = "revocations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    honour_id: Mapped[str] = mapped_column(ForeignKey("honours.id"), index=True)
    honouree_id: Mapped[str] = mapped_column(ForeignKey("honourees.id"), index=True)
    reasons: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | revoked | refused
    requested_by_unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    waiting_at_unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), index=True)
    deciding_unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UtcDateTime, nullable=False)
    decided_at = mapped_column(UtcDateTime, nullable=True)

    steps = relationship("RevocationStep", order_by="RevocationStep.id")


class RevocationStep(Base):
    """One tier's act on a revocation request: requested, endorsed, refused, decided."""

    __tablename__ = "revocation_steps"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    revocation_id: Mapped[str] = mapped_column(ForeignKey("revocations.id"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    action: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[str] = mapped_column(Text)
    at = mapped_column(UtcDateTime, nullable=False)


# Personal data at rest, for `python -m services.chassis.reseal registry`: every sealed column (a Fernet
# token), and every blind index with the sealed column it is made from (honourees.py: the normalised number).
SEALED_COLUMNS = ("honourees.id_number_sealed",)
BLIND_INDEXES = (BlindIndex("honourees", "id_number_index", "id_number_sealed", normalise),)
