"""The yearly set of research results (调研成果) of the suggestion express lane: a result recorded by
the city, made by honourees, perhaps grown from suggestions."""
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.chassis.database import UtcDateTime

from . import Base


class ResearchResult(Base):
    __tablename__ = "research_results"
    __table_args__ = (Index("ix_research_results_year", "year", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    recorded_by_account: Mapped[str] = mapped_column(String(64))
    recorded_by_unit_id: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UtcDateTime, nullable=False)

    authors: Mapped[list["ResearchAuthor"]] = relationship(order_by="ResearchAuthor.honouree_id", lazy="selectin")
    sources: Mapped[list["ResearchSource"]] = relationship(order_by="ResearchSource.suggestion_id", lazy="selectin")


class ResearchAuthor(Base):
    """An honouree who made the result."""

    __tablename__ = "research_result_authors"

    result_id: Mapped[str] = mapped_column(ForeignKey("research_results.id"), primary_key=True)
    honouree_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class ResearchSource(Base):
    """A suggestion the result grew from."""

    __tablename__ = "research_result_sources"

    result_id: Mapped[str] = mapped_column(ForeignKey("research_results.id"), primary_key=True)
    suggestion_id: Mapped[str] = mapped_column(ForeignKey("suggestions.id"), primary_key=True)
