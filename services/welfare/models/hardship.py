"""Hardship aid (困难帮扶) applications with their steps, and sick visits (看望生病劳模).

An application belongs to the honouree's managing unit as it was when the application was made
(``managing_unit_id``): that unit and the units above it see it, review it and (up to the
approval threshold) approve it; ``approving_unit_id`` is the unit that, or a unit above which,
must approve it. Its money is a ledger commitment (``commitment_id``) made on approval and
posted on payment (``payment_id``). The supporting facts (family income, illness ...) and the
visits' notes about health are personal data: sealed (``*_sealed``), never stored in clear.
"""
import enum

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.chassis.database import UtcDateTime, enum_of

from . import Base


class HardshipKind(str, enum.Enum):
    LOW_INCOME = "low_income"              # 低收入
    SPECIAL_HARDSHIP = "special_hardship"  # 特殊困难
    SUDDEN_HARDSHIP = "sudden_hardship"    # 突发困难


class HardshipState(str, enum.Enum):
    SUBMITTED = "submitted"  # 已申请
    REVIEWED = "reviewed"    # 已审核 (by the managing unit or a unit above it)
    APPROVED = "approved"    # 已审批 (money committed)
    PAID = "paid"            # 已发放 (final)
    REFUSED = "refused"      # 未通过 (final; the reasons kept)
    CANCELLED = "cancelled"  # 已撤销 (final: by the applicant unit, or on revocation of the last honour)


OPEN_STATES = (HardshipState.SUBMITTED, HardshipState.REVIEWED, HardshipState.APPROVED)


class HardshipApplication(Base):
    """An application for hardship aid for one honouree."""

    __tablename__ = "hardship_applications"
    __table_args__ = (
        Index("ix_hardship_applications_honouree", "honouree_id", "state"),
        Index("ix_hardship_applications_unit", "managing_unit_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    honouree_id: Mapped[str] = mapped_column(String(32))
    managing_unit_id: Mapped[str] = mapped_column(String(64))  # the honouree's, when applied
    approving_unit_id: Mapped[str] = mapped_column(String(64))  # who (or a unit above whom) approves
    applicant_unit_id: Mapped[str] = mapped_column(String(64))
    applicant_account: Mapped[str] = mapped_column(String(64))
    kind: Mapped[HardshipKind] = mapped_column(enum_of(HardshipKind, "hardship_kind"))
    amount: Mapped[int] = mapped_column(BigInteger)  # fen
    reasons: Mapped[str] = mapped_column(Text)
    facts_sealed: Mapped[str] = mapped_column(Text)  # personal data (family income, illness): sealed
    fund_id: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)  # of the application (Beijing)
    state: Mapped[HardshipState] = mapped_column(enum_of(HardshipState, "hardship_state"))
    commitment_id: Mapped[str | None] = mapped_column(String(32))  # the ledger's commitment, on approval
    payment_id: Mapped[str | None] = mapped_column(String(32))  # the disbursement posting it
    void_id: Mapped[str | None] = mapped_column(String(32))  # the void releasing it (refused, cancelled)
    refusal_reasons: Mapped[str | None] = mapped_column(Text)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)

    steps: Mapped[list["HardshipStep"]] = relationship(order_by="HardshipStep.seq", lazy="selectin")


class HardshipStep(Base):
    """One step of an application: who (account, unit) did what, when, with what note."""

    __tablename__ = "hardship_steps"
    __table_args__ = (Index("ix_hardship_steps_application", "application_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("hardship_applications.id"))
    action: Mapped[str] = mapped_column(String(20))  # submitted | reviewed | approved | paid | refused | cancelled
    account: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[str] = mapped_column(String(64))
    at = mapped_column(UtcDateTime, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


class SickVisit(Base):
    """A visit to a sick honouree (看望生病劳模), with the payment made, if any."""

    __tablename__ = "sick_visits"
    __table_args__ = (
        Index("ix_sick_visits_honouree", "honouree_id", "visited_on"),
        Index("ix_sick_visits_unit", "managing_unit_id", "visited_on"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    honouree_id: Mapped[str] = mapped_column(String(32))
    managing_unit_id: Mapped[str] = mapped_column(String(64))  # the honouree's, when visited
    visited_on = mapped_column(Date, nullable=False)
    visitors: Mapped[str] = mapped_column(Text)  # a JSON list of names
    place: Mapped[str] = mapped_column(String(200))
    notes_sealed: Mapped[str | None] = mapped_column(Text)  # about health: personal data, sealed
    amount: Mapped[int | None] = mapped_column(BigInteger)  # fen, when money was given
    fund_id: Mapped[str | None] = mapped_column(String(32))
    posting_id: Mapped[str | None] = mapped_column(String(32))  # the disbursement
    recorded_by_account: Mapped[str] = mapped_column(String(64))
    recorded_by_unit_id: Mapped[str] = mapped_column(String(64))
    recorded_at = mapped_column(UtcDateTime, nullable=False)
