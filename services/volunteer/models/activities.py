"""Activities (志愿服务活动) and sign-ups (报名).

An activity's places are counted under a lock of the activity's row, so concurrent sign-ups take the
places one after another. ``live_key`` (activity:person while a sign-up is confirmed or waitlisted,
NULL once cancelled) is unique: one live sign-up per person and activity. A sign-up copies its
activity's times, so a person's clashes are one indexed query.
"""
import enum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.chassis.database import UtcDateTime, enum_of

from . import Base


class Category(enum.Enum):
    SCIENCE_TECHNOLOGY = "science_technology"  # 科技服务
    MEDICAL = "medical"                        # 医疗服务
    CULTURE = "culture"                        # 文化服务
    DAILY_LIFE = "daily_life"                  # 生活服务
    ENTERPRISE_TALK = "enterprise_talk"        # 进企业宣讲
    CAMPUS_TALK = "campus_talk"                # 进校园宣讲
    COMMUNITY_TALK = "community_talk"          # 进社区宣讲


class ActivityStatus(enum.Enum):
    DRAFT = "draft"          # 草稿: not open for sign-up
    PUBLISHED = "published"  # 已发布: open for sign-up until it begins
    CANCELLED = "cancelled"  # 已取消: called off by its organiser before it began; its sign-ups are cancelled


class SignupStatus(enum.Enum):
    CONFIRMED = "confirmed"    # 已报名: holds a place
    WAITLISTED = "waitlisted"  # 候补: moves up when a place frees
    CANCELLED = "cancelled"    # 已取消


LIVE = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


class Activity(Base):
    """A volunteer activity organised by a unit (its scope)."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_unit", "organiser_unit_id", "starts_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[Category] = mapped_column(enum_of(Category, "activity_category"))
    organiser_unit_id: Mapped[str] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(String(200))
    starts_at = mapped_column(UtcDateTime, nullable=False)
    ends_at = mapped_column(UtcDateTime, nullable=False)
    capacity: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[ActivityStatus] = mapped_column(enum_of(ActivityStatus, "activity_status"))
    last_seq: Mapped[int] = mapped_column(Integer)  # the order of sign-ups: the waitlist moves up by it
    version: Mapped[int] = mapped_column(Integer)
    created_by_account: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)
    published_at = mapped_column(UtcDateTime, nullable=True)
    cancelled_at = mapped_column(UtcDateTime, nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    updated_at = mapped_column(UtcDateTime, nullable=False)

    skills: Mapped[list["ActivitySkill"]] = relationship(
        order_by="ActivitySkill.skill", cascade="all, delete-orphan", lazy="selectin")


class ActivitySkill(Base):
    """A skill every volunteer of the activity must offer."""

    __tablename__ = "activity_skills"

    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(40), primary_key=True)


class Signup(Base):
    """A volunteer's sign-up for an activity: confirmed (a place) or waitlisted, until cancelled."""

    __tablename__ = "signups"
    __table_args__ = (Index("ix_signups_activity", "activity_id", "status", "seq"),
                      Index("ix_signups_person", "person_key", "status", "starts_at"),
                      Index("ix_signups_volunteer", "volunteer_id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"))
    volunteer_id: Mapped[str] = mapped_column(ForeignKey("volunteers.id"))
    person_key: Mapped[str] = mapped_column(String(40))  # the honouree's id, or the volunteer's ("v:" + id)
    live_key: Mapped[str | None] = mapped_column(String(80), unique=True)  # activity:person while live
    status: Mapped[SignupStatus] = mapped_column(enum_of(SignupStatus, "signup_status"))
    seq: Mapped[int] = mapped_column(Integer)
    starts_at = mapped_column(UtcDateTime, nullable=False)  # the activity's, for clashes
    ends_at = mapped_column(UtcDateTime, nullable=False)
    signed_up_at = mapped_column(UtcDateTime, nullable=False)
    promoted_at = mapped_column(UtcDateTime, nullable=True)
    cancelled_at = mapped_column(UtcDateTime, nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_account: Mapped[str] = mapped_column(String(64))
    updated_at = mapped_column(UtcDateTime, nullable=False)
