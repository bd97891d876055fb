"""Seats on organs end (with a reason and date) and keep their history; the yearly research results
(调研成果) of the suggestion express lane.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("organ_seats", sa.Column("ended_on", sa.Date(), nullable=True))
    op.add_column("organ_seats", sa.Column("end_reason", sa.String(length=2000), nullable=True))
    op.add_column("organ_seats", sa.Column("ended_by_account", sa.String(length=64), nullable=True))
    op.create_table(
        "research_results",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("recorded_by_account", sa.String(length=64), nullable=False),
        sa.Column("recorded_by_unit_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_results")),
        sa.UniqueConstraint("request_id", name=op.f("uq_research_results_request_id")),
    )
    op.create_index("ix_research_results_year", "research_results", ["year", "created_at"])
    op.create_table(
        "research_result_authors",
        sa.Column("result_id", sa.String(length=32), nullable=False),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["result_id"], ["research_results.id"],
                                name=op.f("fk_research_result_authors_result_id_research_results")),
        sa.PrimaryKeyConstraint("result_id", "honouree_id", name=op.f("pk_research_result_authors")),
    )
    op.create_table(
        "research_result_sources",
        sa.Column("result_id", sa.String(length=32), nullable=False),
        sa.Column("suggestion_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["result_id"], ["research_results.id"],
                                name=op.f("fk_research_result_sources_result_id_research_results")),
        sa.ForeignKeyConstraint(["suggestion_id"], ["suggestions.id"],
                                name=op.f("fk_research_result_sources_suggestion_id_suggestions")),
        sa.PrimaryKeyConstraint("result_id", "suggestion_id", name=op.f("pk_research_result_sources")),
    )


def downgrade():
    op.drop_table("research_result_sources")
    op.drop_table("research_result_authors")
    op.drop_table("research_results")
    with op.batch_alter_table("organ_seats") as batch:
        batch.drop_column("ended_by_account")
        batch.drop_column("end_reason")
        batch.drop_column("ended_on")
