"""Real-name membership (实名入会) of the model-worker association.

One live (active) membership per honouree is the database's rule: ``live_honouree_id`` holds the
honouree's id while the membership is active and NULL once it has ended, under a unique constraint
(NULLs never clash). A person who left may join again: a new membership, the old one kept.

``managing_unit_id`` and ``district_id`` are the registry's as of joining (kept current by
``management_transferred``): the member list filters and scopes on them without asking the
registry for 20,000 rows.
"""
import enum

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.chassis.database import UtcDateTime, enum_of

from . import Base


class MembershipStatus(enum.Enum):
    ACTIVE = "active"   # 在会
    LEFT = "left"       # 退会: the member left (or an officer recorded it), with the reason
    ENDED = "ended"     # 终止: ended by laomo when the person's last active honour was revoked


class Membership(Base):
    """A membership of the association (会员), from joining to leaving or ending."""

    __tablename__ = "memberships"
    __table_args__ = (
        # the member list's: covering its scope, filters and order, so a page's ids never touch the table
        Index("ix_memberships_status_unit", "status", "managing_unit_id", "joined_on", "id"),
        Index("ix_memberships_unit", "managing_unit_id", "joined_on", "id"),
        Index("ix_memberships_honouree", "honouree_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    honouree_id: Mapped[str] = mapped_column(String(32))
    live_honouree_id: Mapped[str | None] = mapped_column(String(32), unique=True)  # NULL once ended
    managing_unit_id: Mapped[str] = mapped_column(String(64))
    district_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[MembershipStatus] = mapped_column(enum_of(MembershipStatus, "membership_status"))
    joined_on = mapped_column(Date, nullable=False)  # Beijing date
    joined_year: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500))
    joined_by_account: Mapped[str] = mapped_column(String(64))
    joined_by_unit_id: Mapped[str] = mapped_column(String(64))
    end_reason: Mapped[str | None] = mapped_column(Text)
    ended_at = mapped_column(UtcDateTime, nullable=True)
    ended_by_account: Mapped[str | None] = mapped_column(String(64))
    honour_id: Mapped[str | None] = mapped_column(String(32))  # the revoked honour that ended it
    revocation_id: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)
