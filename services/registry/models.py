"""The registry's tables. Honourees and honours come with the registry issue."""
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.chassis.database import UtcDateTime, service_metadata

from .domain import Tier


class Base(DeclarativeBase):
    metadata = service_metadata()


class Unit(Base):
    """A union (工会) in the tree: the city federation, a district, a system, a grassroots union."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_units_parent_id_name"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[Tier] = mapped_column(
        Enum(Tier, name="unit_tier", native_enum=False, length=20,
             values_callable=lambda tiers: [t.value for t in tiers]))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), index=True)
    system_parent_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at = mapped_column(UtcDateTime, nullable=False)
