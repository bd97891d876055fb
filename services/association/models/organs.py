"""The association's organs: the council and the standing council by term (理事会/常务理事会, 届), sector
working committees (界别工作委员会), branches (分会) and troupes (choir, lecture troupe, volunteer corps),
each with its members and their positions."""
import enum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.chassis.database import UtcDateTime, enum_of

from . import Base


class OrganKind(enum.Enum):
    COUNCIL = "council"                       # 理事会
    STANDING_COUNCIL = "standing_council"     # 常务理事会
    SECTOR_COMMITTEE = "sector_committee"     # 界别工作委员会
    BRANCH = "branch"                         # 分会
    TROUPE = "troupe"                         # 合唱团、宣讲团、志愿服务队


BY_TERM = (OrganKind.COUNCIL, OrganKind.STANDING_COUNCIL)


class TroupeKind(enum.Enum):
    CHOIR = "choir"                     # 劳模合唱团
    LECTURE_TROUPE = "lecture_troupe"   # 劳模宣讲团
    VOLUNTEER_CORPS = "volunteer_corps"  # 劳模志愿服务队


class Position(enum.Enum):
    PRESIDENT = "president"                   # 会长
    VICE_PRESIDENT = "vice_president"         # 副会长
    SECRETARY_GENERAL = "secretary_general"   # 秘书长
    STANDING_DIRECTOR = "standing_director"   # 常务理事
    DIRECTOR = "director"                     # 理事
    HEAD = "head"                             # 主任、会长、团长 of a committee, branch or troupe
    DEPUTY_HEAD = "deputy_head"
    MEMBER = "member"


COUNCIL_POSITIONS = (Position.PRESIDENT, Position.VICE_PRESIDENT, Position.SECRETARY_GENERAL,
                     Position.STANDING_DIRECTOR, Position.DIRECTOR)
OTHER_POSITIONS = (Position.HEAD, Position.DEPUTY_HEAD, Position.MEMBER)
SINGLE = (Position.PRESIDENT, Position.SECRETARY_GENERAL, Position.HEAD)  # one holder per organ


class Organ(Base):
    __tablename__ = "organs"
    __table_args__ = (Index("ix_organs_unit", "unit_id", "kind"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    kind: Mapped[OrganKind] = mapped_column(enum_of(OrganKind, "organ_kind"))
    name: Mapped[str] = mapped_column(String(200))
    term: Mapped[int | None] = mapped_column(Integer)  # 届, for the council and the standing council
    sector: Mapped[str | None] = mapped_column(String(100))  # 界别, for a sector committee
    troupe_kind: Mapped[TroupeKind | None] = mapped_column(enum_of(TroupeKind, "troupe_kind"), nullable=True)
    unit_id: Mapped[str] = mapped_column(String(64))  # the unit it belongs to (a branch's district, industry, employer)
    created_by_account: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)

    seats: Mapped[list["OrganSeat"]] = relationship(
        # per person, oldest first, an ended seat before the live one given the same moment
        order_by="[OrganSeat.honouree_id, OrganSeat.added_at, OrganSeat.ended_on.is_(None), OrganSeat.id]",
        lazy="selectin")


class OrganSeat(Base):
    """A member of an organ, with the position held."""

    __tablename__ = "organ_seats"
    # a person once per organ among the seats not ended: a seat that ended stays as history and the person
    # may be seated again (migration 0008; a partial unique index on PostgreSQL and SQLite alike)
    __table_args__ = (Index("uq_organ_seats_live", "organ_id", "honouree_id", unique=True,
                            postgresql_where=text("ended_on IS NULL"), sqlite_where=text("ended_on IS NULL")),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organ_id: Mapped[str] = mapped_column(ForeignKey("organs.id"))
    honouree_id: Mapped[str] = mapped_column(String(32))
    managing_unit_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[Position] = mapped_column(enum_of(Position, "organ_position"))
    since = mapped_column(Date, nullable=False)
    added_by_account: Mapped[str] = mapped_column(String(64))
    added_at = mapped_column(UtcDateTime, nullable=False)
    # an ended seat stays as history; the person may take a new seat on the organ later
    ended_on = mapped_column(Date, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(2000))
    ended_by_account: Mapped[str | None] = mapped_column(String(64))
