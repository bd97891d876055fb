"""Health check-ups (个性化体检): one a year per honouree; the results are personal data, sealed."""
from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.chassis.database import UtcDateTime

from . import Base


class HealthCheckUp(Base):
    """A yearly check-up: when, where, and the results (``results_sealed``: a Fernet token)."""

    __tablename__ = "health_check_ups"
    __table_args__ = (
        UniqueConstraint("honouree_id", "year", name="uq_health_check_ups_honouree_id_year"),
        Index("ix_health_check_ups_year", "year"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    honouree_id: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)  # the year of checked_on, for the one-a-year rule
    checked_on = mapped_column(Date, nullable=False)
    institution: Mapped[str] = mapped_column(String(200))
    results_sealed: Mapped[str] = mapped_column(Text)
    recorded_by_account: Mapped[str] = mapped_column(String(64))
    recorded_by_unit_id: Mapped[str] = mapped_column(String(64))
    recorded_at = mapped_column(UtcDateTime, nullable=False)
