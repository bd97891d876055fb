"""Public-welfare projects (公益项目) for vulnerable groups, linked to the mutual-aid fund, and their
donations (捐赠), each recorded in the welfare ledger once (``posting_id``)."""
import enum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.chassis.database import UtcDateTime, enum_of

from . import Base


class Group(enum.Enum):
    ELDERLY = "elderly"                        # 空巢、独居老人
    DISABLED = "disabled"                      # 残疾人
    LEFT_BEHIND_CHILDREN = "left_behind_children"  # 留守儿童
    SICK_AND_POOR = "sick_and_poor"            # 困难、大病家庭
    OTHER = "other"


class DonationStatus(enum.Enum):
    PENDING = "pending"    # recorded here, not yet in the ledger (the welfare service did not answer)
    RECORDED = "recorded"  # in the ledger: posting_id


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_unit", "organiser_unit_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    group: Mapped[Group] = mapped_column(enum_of(Group, "project_group"))
    organiser_unit_id: Mapped[str] = mapped_column(String(64))
    fund_id: Mapped[str] = mapped_column(String(32))  # the mutual-aid fund of the welfare ledger
    description: Mapped[str] = mapped_column(Text)
    created_by_account: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)


class Donation(Base):
    __tablename__ = "donations"
    __table_args__ = (Index("ix_donations_project", "project_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    donor: Mapped[str] = mapped_column(String(100))  # a unit or person giving publicly (署名捐赠)
    amount: Mapped[int] = mapped_column(Integer)  # fen
    status: Mapped[DonationStatus] = mapped_column(enum_of(DonationStatus, "donation_status"))
    posting_id: Mapped[str | None] = mapped_column(String(32))
    created_by_account: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)
    recorded_at = mapped_column(UtcDateTime, nullable=True)
