"""Attendance (考勤) and service hours (服务时长).

One attendance per confirmed sign-up. It carries copies of what the totals group by (the volunteer, the
person, the volunteer's team and unit, the activity's category and Beijing year), so totals are one
indexed aggregate over this table; hours count only once the organiser confirmed them.
"""
import enum

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.chassis.database import UtcDateTime, enum_of

from . import Base


class AttendanceStatus(enum.Enum):
    CHECKED_IN = "checked_in"    # 已签到
    CHECKED_OUT = "checked_out"  # 已签退: hours proposed, not yet counted
    CONFIRMED = "confirmed"      # 已确认: the organiser confirmed the hours; they count


class Attendance(Base):
    __tablename__ = "attendances"
    # the totals: one covering index per thing they group by, led by it, so a group is read in its order
    # with every column the filters and the sum need (no table lookups, no sorting of the rows)
    __table_args__ = (
        Index("ix_attendances_by_volunteer", "status", "volunteer_id", "year", "unit_id", "category", "team_id",
              "confirmed_minutes"),
        Index("ix_attendances_by_team", "status", "team_id", "year", "unit_id", "category", "confirmed_minutes"),
        Index("ix_attendances_by_unit", "status", "unit_id", "year", "category", "team_id", "confirmed_minutes"),
        Index("ix_attendances_by_category", "status", "category", "year", "unit_id", "team_id", "confirmed_minutes"),
        Index("ix_attendances_by_year", "status", "year", "unit_id", "category", "team_id", "confirmed_minutes"),
        Index("ix_attendances_person", "person_key", "checked_in_at"),
        Index("ix_attendances_activity", "activity_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    signup_id: Mapped[str] = mapped_column(ForeignKey("signups.id"), unique=True)
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"))
    volunteer_id: Mapped[str] = mapped_column(ForeignKey("volunteers.id"))
    person_key: Mapped[str] = mapped_column(String(40))
    team_id: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[str] = mapped_column(String(64))  # the volunteer's team's unit
    organiser_unit_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(30))  # the activity's Category value
    year: Mapped[int] = mapped_column(Integer)  # the activity's year in Beijing
    status: Mapped[AttendanceStatus] = mapped_column(enum_of(AttendanceStatus, "attendance_status"))
    checked_in_at = mapped_column(UtcDateTime, nullable=False)
    checked_out_at = mapped_column(UtcDateTime, nullable=True)
    proposed_minutes: Mapped[int | None] = mapped_column(Integer)  # from check-in to check-out
    confirmed_minutes: Mapped[int | None] = mapped_column(Integer)  # what counts, once confirmed
    confirmed_by_account: Mapped[str | None] = mapped_column(String(64))
    confirmed_at = mapped_column(UtcDateTime, nullable=True)
    updated_at = mapped_column(UtcDateTime, nullable=False)
