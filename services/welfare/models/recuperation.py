"""Recuperation (疗休养): five-year plans, their batches, and the places allocated in a batch.

A plan and its batches belong to a unit (the city for the programme's 12,000 places); a place
is one honouree's seat in one batch. Honouree ids are the registry's (no copy of the record).
"""
import enum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.chassis.database import UtcDateTime, enum_of

from . import Base


class BatchKind(enum.Enum):
    BY_TRADE = "by_trade"        # 按行业: one trade or industry's honourees together
    WITH_FAMILY = "with_family"  # 携家属: honourees with a family member


class PlaceStatus(enum.Enum):
    ALLOCATED = "allocated"  # 已安排
    ATTENDED = "attended"    # 已参加
    DECLINED = "declined"    # 本人放弃: frees the place
    CANCELLED = "cancelled"  # 取消: frees the place


class RecuperationPlan(Base):
    """A five-year plan (五年计划) of recuperation places, owned by a unit."""

    __tablename__ = "recuperation_plans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    places: Mapped[int] = mapped_column(Integer)
    created_by_account: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)


class RecuperationBatch(Base):
    """A batch (批次): where, when, how many, by trade or with family."""

    __tablename__ = "recuperation_batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    plan_id: Mapped[str] = mapped_column(String(32), ForeignKey("recuperation_plans.id"), index=True)
    unit_id: Mapped[str] = mapped_column(String(64))  # the plan's unit
    destination: Mapped[str] = mapped_column(String(200))
    start_date = mapped_column(Date, nullable=False)
    end_date = mapped_column(Date, nullable=False)
    capacity: Mapped[int] = mapped_column(Integer)
    kind: Mapped[BatchKind] = mapped_column(enum_of(BatchKind, "recuperation_batch_kind"))
    trade: Mapped[str | None] = mapped_column(String(100))
    created_by_account: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)


class RecuperationPlace(Base):
    """One honouree's place in one batch; nobody holds two places in one batch."""

    __tablename__ = "recuperation_places"
    __table_args__ = (
        UniqueConstraint("batch_id", "honouree_id", name="uq_recuperation_places_batch_id_honouree_id"),
        Index("ix_recuperation_places_honouree_id", "honouree_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(32), ForeignKey("recuperation_batches.id"))
    honouree_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[PlaceStatus] = mapped_column(enum_of(PlaceStatus, "recuperation_place_status"))
    note: Mapped[str | None] = mapped_column(String(500))
    allocation_id: Mapped[str] = mapped_column(String(32), ForeignKey("recuperation_allocations.id"))
    position: Mapped[int] = mapped_column(Integer)  # its rank in its allocation run (1 = first chosen)
    allocated_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)


class RecuperationAllocation(Base):
    """One run of a batch's allocation; its ``request_id`` makes a retry answer as the first run did."""

    __tablename__ = "recuperation_allocations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    batch_id: Mapped[str] = mapped_column(String(32), ForeignKey("recuperation_batches.id"), index=True)
    skipped_overlapping: Mapped[int] = mapped_column(Integer)
    account: Mapped[str] = mapped_column(String(64))
    at = mapped_column(UtcDateTime, nullable=False)
