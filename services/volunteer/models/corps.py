"""The corps (首都劳模志愿服务团): its teams (志愿服务队) and their volunteers (志愿者).

A team is either a district's (按区) or a profession's (按行业/专业); it belongs to a unit of the union
tree, which decides who sees it. A volunteer is a member of one team: an honouree (劳模, from the
registry's roster) or, where the team allows it, another person (社会志愿者). One live membership per
honouree and team is the database's rule: ``live_key`` holds ``team:honouree`` while the membership
is active and NULL once it ended, under a unique constraint (NULLs never clash).
"""
import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.chassis.database import UtcDateTime, enum_of

from . import Base


class TeamKind(enum.Enum):
    DISTRICT = "district"      # 区域服务队
    PROFESSION = "profession"  # 行业/专业服务队


class VolunteerKind(enum.Enum):
    HONOUREE = "honouree"  # 劳模志愿者: requires honouree status
    PUBLIC = "public"      # 社会志愿者: only in a team that admits them


class VolunteerStatus(enum.Enum):
    ACTIVE = "active"  # 在队
    ENDED = "ended"    # 已退出 (left, or honouree status lost): the history stays


class Period(enum.Enum):
    MORNING = "morning"      # 上午
    AFTERNOON = "afternoon"  # 下午
    EVENING = "evening"      # 晚上


class Team(Base):
    """A team of the corps (志愿服务队)."""

    __tablename__ = "teams"
    __table_args__ = (Index("ix_teams_unit", "unit_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[TeamKind] = mapped_column(enum_of(TeamKind, "team_kind"))
    unit_id: Mapped[str] = mapped_column(String(64))  # the owning unit (a district's union for district teams)
    profession: Mapped[str | None] = mapped_column(String(100))  # e.g. 医疗卫生 (profession teams)
    admits_public: Mapped[bool] = mapped_column(Boolean)  # other people than honourees may join
    description: Mapped[str] = mapped_column(Text)
    created_by_account: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)


class Volunteer(Base):
    """A volunteer's membership of a team, with skills and availability."""

    __tablename__ = "volunteers"
    __table_args__ = (Index("ix_volunteers_team", "team_id", "status"),
                      Index("ix_volunteers_honouree", "honouree_id"),
                      Index("ix_volunteers_unit", "unit_id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"))
    unit_id: Mapped[str] = mapped_column(String(64))  # the team's unit: who sees the volunteer
    kind: Mapped[VolunteerKind] = mapped_column(enum_of(VolunteerKind, "volunteer_kind"))
    honouree_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))  # a copy for lists; the registry's name is the truth
    live_key: Mapped[str | None] = mapped_column(String(80), unique=True)  # team:honouree while active
    status: Mapped[VolunteerStatus] = mapped_column(enum_of(VolunteerStatus, "volunteer_status"))
    end_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    joined_at = mapped_column(UtcDateTime, nullable=False)
    ended_at = mapped_column(UtcDateTime, nullable=True)
    created_by_account: Mapped[str] = mapped_column(String(64))
    updated_at = mapped_column(UtcDateTime, nullable=False)

    skills: Mapped[list["VolunteerSkill"]] = relationship(
        order_by="VolunteerSkill.skill", cascade="all, delete-orphan", lazy="selectin")
    slots: Mapped[list["AvailabilitySlot"]] = relationship(
        order_by=lambda: [AvailabilitySlot.weekday, AvailabilitySlot.period], cascade="all, delete-orphan",
        lazy="selectin")


class VolunteerSkill(Base):
    """A skill a volunteer offers (e.g. first_aid, legal_advice), matched against activities' needs."""

    __tablename__ = "volunteer_skills"
    __table_args__ = (Index("ix_volunteer_skills_skill", "skill"),)

    volunteer_id: Mapped[str] = mapped_column(ForeignKey("volunteers.id"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(40), primary_key=True)


class AvailabilitySlot(Base):
    """When a volunteer is usually free: a weekday (1 Monday .. 7 Sunday) and a part of the day."""

    __tablename__ = "availability_slots"

    volunteer_id: Mapped[str] = mapped_column(ForeignKey("volunteers.id"), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[Period] = mapped_column(enum_of(Period, "availability_period"), primary_key=True)
