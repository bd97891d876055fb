"""Care stops: a person whose last active honour was revoked, and what welfare ended for them."""
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.chassis.database import UtcDateTime

from . import Base


class CareStop(Base):
    """Welfare's care for one person has stopped (``lifted_at``: until an honour was conferred again)."""

    __tablename__ = "care_stops"

    honouree_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    managing_unit_id: Mapped[str] = mapped_column(String(64), index=True)  # when care stopped
    honour_id: Mapped[str] = mapped_column(String(32))  # the last honour revoked
    revocation_id: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))
    ended: Mapped[str] = mapped_column(Text)  # JSON: what the stop cancelled, by kind, with ids
    stopped_at = mapped_column(UtcDateTime, nullable=False)
    lifted_at = mapped_column(UtcDateTime, nullable=True)
