"""Innovation studios (劳模创新工作室) and the six criteria (六有) they are recognised on.

A unit applies for a studio led by an honouree, with evidence for each criterion (one text column
each); the city reviews it and recognises it at a level in a year, or declines it.
"""
import enum

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.chassis.database import UtcDateTime, enum_of

from . import Base

# 六有: an honouree leader, an innovation team, a project, a venue, funding, results
CRITERIA = ("leader", "team", "project", "venue", "funding", "results")


class StudioStatus(enum.Enum):
    APPLIED = "applied"         # 申报
    RECOGNISED = "recognised"   # 命名
    DECLINED = "declined"       # 不予命名


class StudioLevel(enum.Enum):
    NATIONAL = "national"       # 全国示范性劳模创新工作室
    MUNICIPAL = "municipal"     # 北京市级 (the city's yearly target counts these)
    DISTRICT = "district"       # 区县、产业级


class Studio(Base):
    """A model-worker innovation studio (劳模创新工作室), from application to the city's decision."""

    __tablename__ = "studios"
    __table_args__ = (Index("ix_studios_unit", "applicant_unit_id"),
                      Index("ix_studios_recognition", "status", "level", "recognised_year"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    applicant_unit_id: Mapped[str] = mapped_column(String(64))
    leader_honouree_id: Mapped[str] = mapped_column(String(32))
    evidence_leader: Mapped[str | None] = mapped_column(Text)
    evidence_team: Mapped[str | None] = mapped_column(Text)
    evidence_project: Mapped[str | None] = mapped_column(Text)
    evidence_venue: Mapped[str | None] = mapped_column(Text)
    evidence_funding: Mapped[str | None] = mapped_column(Text)
    evidence_results: Mapped[str | None] = mapped_column(Text)
    status: Mapped[StudioStatus] = mapped_column(enum_of(StudioStatus, "studio_status"))
    level: Mapped[StudioLevel | None] = mapped_column(enum_of(StudioLevel, "studio_level"), nullable=True)
    recognised_year: Mapped[int | None] = mapped_column(Integer)
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by_account: Mapped[str | None] = mapped_column(String(64))
    decided_at = mapped_column(UtcDateTime, nullable=True)
    applied_by_account: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)

    assessments: Mapped[list["StudioAssessment"]] = relationship(order_by="StudioAssessment.year", lazy="selectin")


class AssessmentResult(enum.Enum):
    EXCELLENT = "excellent"         # 优秀
    QUALIFIED = "qualified"         # 合格
    UNQUALIFIED = "unqualified"     # 不合格


class StudioAssessment(Base):
    """A recognised studio's yearly assessment (年度考核) and the outputs of its year."""

    __tablename__ = "studio_assessments"
    __table_args__ = (UniqueConstraint("studio_id", "year", name="uq_studio_assessments_studio_id_year"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    studio_id: Mapped[str] = mapped_column(ForeignKey("studios.id"))
    year: Mapped[int] = mapped_column(Integer)
    result: Mapped[AssessmentResult] = mapped_column(enum_of(AssessmentResult, "assessment_result"))
    patents: Mapped[int] = mapped_column(Integer)
    techniques: Mapped[int] = mapped_column(Integer)       # 先进操作法、技术革新
    awards: Mapped[int] = mapped_column(Integer)
    economic_benefit: Mapped[int] = mapped_column(BigInteger)  # fen (分)
    note: Mapped[str | None] = mapped_column(Text)
    assessed_by_account: Mapped[str] = mapped_column(String(64))
    assessed_at = mapped_column(UtcDateTime, nullable=False)
