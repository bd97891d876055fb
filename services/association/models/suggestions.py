"""Suggestions of the express lane (建言献策直通车): proposals by honourees, handled by the city.

A suggestion is proposed by one or more honourees (``suggestion_proposers``), submitted by a unit;
the city accepts or declines it, transfers an accepted one to a handling body with a deadline for
the answer, records the answer and its feedback, and may commend it as excellent.
"""
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.chassis.database import UtcDateTime, enum_of

from . import Base


class SuggestionStatus(enum.Enum):
    SUBMITTED = "submitted"       # 已提交
    ACCEPTED = "accepted"         # 已采纳 (to be transferred)
    DECLINED = "declined"         # 不予采纳 (final)
    TRANSFERRED = "transferred"   # 已转办: waiting for the handling body's answer by the deadline
    ANSWERED = "answered"         # 已答复: the answer and the feedback recorded (final, may be commended)


class SuggestionCategory(enum.Enum):
    ECONOMY = "economy"                     # 经济发展
    LIVELIHOOD = "livelihood"               # 民生保障
    WORKERS_RIGHTS = "workers_rights"       # 职工权益
    INNOVATION = "innovation"               # 技术创新
    GOVERNANCE = "governance"               # 社会治理
    OTHER = "other"


class HandlingBody(enum.Enum):
    GOVERNMENT_DEPARTMENT = "government_department"   # 政府部门
    NPC_MOTION = "npc_motion"                         # 人大议案、建议
    CPPCC_PROPOSAL = "cppcc_proposal"                 # 政协提案


class Suggestion(Base):
    """A suggestion (建言) from its proposal to the answer, perhaps commended as excellent."""

    __tablename__ = "suggestions"
    __table_args__ = (Index("ix_suggestions_unit", "submitted_by_unit_id", "submitted_year"),
                      Index("ix_suggestions_due", "status", "deadline"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    topic: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    category: Mapped[SuggestionCategory] = mapped_column(enum_of(SuggestionCategory, "suggestion_category"))
    status: Mapped[SuggestionStatus] = mapped_column(enum_of(SuggestionStatus, "suggestion_status"))
    submitted_by_unit_id: Mapped[str] = mapped_column(String(64))
    submitted_by_account: Mapped[str] = mapped_column(String(64))
    submitted_on = mapped_column(Date, nullable=False)  # Beijing date
    submitted_year: Mapped[int] = mapped_column(Integer)
    decision_note: Mapped[str | None] = mapped_column(Text)  # the acceptance's note or the reason declined
    decided_by_account: Mapped[str | None] = mapped_column(String(64))
    decided_at = mapped_column(UtcDateTime, nullable=True)
    handling_body: Mapped[HandlingBody | None] = mapped_column(enum_of(HandlingBody, "handling_body"),
                                                               nullable=True)
    handling_body_name: Mapped[str | None] = mapped_column(String(200))
    deadline = mapped_column(Date, nullable=True)  # the answer is due by this Beijing date
    transferred_at = mapped_column(UtcDateTime, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(Text)
    answered_on = mapped_column(Date, nullable=True)
    commended: Mapped[bool] = mapped_column(Boolean)
    commendation_note: Mapped[str | None] = mapped_column(Text)
    commended_at = mapped_column(UtcDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)

    proposers: Mapped[list["SuggestionProposer"]] = relationship(
        order_by="SuggestionProposer.honouree_id", cascade="all, delete-orphan", lazy="selectin")


class SuggestionProposer(Base):
    """An honouree who proposed the suggestion."""

    __tablename__ = "suggestion_proposers"

    suggestion_id: Mapped[str] = mapped_column(ForeignKey("suggestions.id"), primary_key=True)
    honouree_id: Mapped[str] = mapped_column(String(32), primary_key=True)
