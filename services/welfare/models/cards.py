"""Service cards (劳模服务卡) and their service items (服务项目); birthday greetings (生日慰问).

One live card per honouree is the database's rule, not only the code's: ``live_honouree_id`` holds
the honouree's id while the card is active or suspended and NULL once it is cancelled, under a
unique constraint (NULLs never clash, on SQLite and PostgreSQL alike). Card numbers come from a
per-year counter row taken under lock, and are unique too.
"""
import enum

from sqlalchemy import (
    Boolean,
    Date,
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


class CardStatus(enum.Enum):
    ACTIVE = "active"         # 正常
    SUSPENDED = "suspended"   # 暂停
    CANCELLED = "cancelled"   # 注销 (final)


LIVE = (CardStatus.ACTIVE, CardStatus.SUSPENDED)


class ServiceItem(Base):
    """A service a card may carry (免费体检, 公园年票, ...): the city's catalogue."""

    __tablename__ = "service_items"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean)  # an inactive item goes on no new card; cards keep it
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)


class ServiceCard(Base):
    """An honouree's service card (劳模服务卡): active → suspended → active, or cancelled for good."""

    __tablename__ = "service_cards"
    __table_args__ = (Index("ix_service_cards_honouree", "honouree_id"),
                      Index("ix_service_cards_status", "status", "card_number"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    card_number: Mapped[str] = mapped_column(String(16), unique=True)
    honouree_id: Mapped[str] = mapped_column(String(32))
    live_honouree_id: Mapped[str | None] = mapped_column(String(32), unique=True)  # NULL once cancelled
    managing_unit_id: Mapped[str] = mapped_column(String(64))  # the honouree's, as of the last change
    issued_by_unit_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[CardStatus] = mapped_column(enum_of(CardStatus, "service_card_status"))
    suspension_reason: Mapped[str | None] = mapped_column(Text)  # the latest suspension's
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    issued_by_account: Mapped[str] = mapped_column(String(64))
    issued_at = mapped_column(UtcDateTime, nullable=False)
    suspended_at = mapped_column(UtcDateTime, nullable=True)
    cancelled_at = mapped_column(UtcDateTime, nullable=True)
    cancelled_by_account: Mapped[str | None] = mapped_column(String(64))
    updated_at = mapped_column(UtcDateTime, nullable=False)

    items: Mapped[list["ServiceCardItem"]] = relationship(
        order_by="ServiceCardItem.item_code", cascade="all, delete-orphan", lazy="selectin")


class ServiceCardItem(Base):
    """A service item a card carries."""

    __tablename__ = "service_card_items"

    card_id: Mapped[str] = mapped_column(ForeignKey("service_cards.id"), primary_key=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("service_items.code"), primary_key=True)


class CardNumberSequence(Base):
    """The last sequence number given out in a year: taken under a row lock, so never twice."""

    __tablename__ = "card_number_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class BirthdayGreeting(Base):
    """A birthday greeting sent (生日慰问), once per honouree and year."""

    __tablename__ = "birthday_greetings"
    __table_args__ = (UniqueConstraint("honouree_id", "year", name="uq_birthday_greetings_honouree_id_year"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    honouree_id: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)  # the year of the birthday greeted
    birthday = mapped_column(Date, nullable=False)  # that year's birthday (28 Feb for 29 Feb in common years)
    note: Mapped[str | None] = mapped_column(String(500))
    greeted_by_account: Mapped[str] = mapped_column(String(64))
    greeted_by_unit_id: Mapped[str] = mapped_column(String(64))
    greeted_at = mapped_column(UtcDateTime, nullable=False)
