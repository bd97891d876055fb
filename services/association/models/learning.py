"""Learning and exchanges (劳模大讲堂、沙龙、培训、学历教育、国际及港澳台交流): events with sign-up and attendance.

Events are shared: every unit may sign its honourees up for an event another unit organises. A
sign-up keeps the honouree's managing unit (as of signing up), so each unit sees its own people.
"""
import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.chassis.database import UtcDateTime, enum_of

from . import Base


class LearningKind(enum.Enum):
    LECTURE = "lecture"                              # 劳模大讲堂
    SALON = "salon"                                  # 沙龙
    TRAINING = "training"                            # 培训班
    DEGREE_CLASS = "degree_class"                    # 学历教育班
    INTERNATIONAL_EXCHANGE = "international_exchange"  # 国际交流
    HMT_EXCHANGE = "hmt_exchange"                    # 港澳台交流


EXCHANGES = (LearningKind.INTERNATIONAL_EXCHANGE, LearningKind.HMT_EXCHANGE)


class LearningEvent(Base):
    """A learning or exchange event, organised by a unit."""

    __tablename__ = "learning_events"
    __table_args__ = (Index("ix_learning_events_year", "year", "kind"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    kind: Mapped[LearningKind] = mapped_column(enum_of(LearningKind, "learning_kind"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200))
    starts_at = mapped_column(UtcDateTime, nullable=False)
    year: Mapped[int] = mapped_column(Integer)  # of starts_at, in Beijing
    capacity: Mapped[int | None] = mapped_column(Integer)
    organiser_unit_id: Mapped[str] = mapped_column(String(64))
    created_by_account: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)


class LearningSignup(Base):
    """An honouree signed up for an event, and whether they attended (the organiser marks it).

    A sign-up cancelled before the event began keeps its row (``cancelled_at``, ``cancelled_by_account``,
    ``cancel_reason``): it no longer takes a place nor can attend. Signing the person up again re-activates
    this row (one row per event and person); the earlier cancellation stays in the audit trail."""

    __tablename__ = "learning_signups"
    __table_args__ = (Index("ix_learning_signups_unit", "managing_unit_id"),)

    event_id: Mapped[str] = mapped_column(ForeignKey("learning_events.id"), primary_key=True)
    honouree_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    managing_unit_id: Mapped[str] = mapped_column(String(64))
    signed_up_by_account: Mapped[str] = mapped_column(String(64))
    signed_up_at = mapped_column(UtcDateTime, nullable=False)
    attended: Mapped[bool] = mapped_column(Boolean)
    attendance_marked_at = mapped_column(UtcDateTime, nullable=True)
    cancelled_at = mapped_column(UtcDateTime, nullable=True)  # null while the sign-up stands
    cancelled_by_account: Mapped[str | None] = mapped_column(String(64))
    cancel_reason: Mapped[str | None] = mapped_column(String(2000))
