"""Suggestions of the express lane (建言献策直通车) and their proposers.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=30)


def upgrade():
    op.create_table(
        "suggestions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("category", _enum("suggestion_category", "economy", "livelihood", "workers_rights", "innovation",
                                    "governance", "other"), nullable=False),
        sa.Column("status", _enum("suggestion_status", "submitted", "accepted", "declined", "transferred",
                                  "answered"), nullable=False),
        sa.Column("submitted_by_unit_id", sa.String(length=64), nullable=False),
        sa.Column("submitted_by_account", sa.String(length=64), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_year", sa.Integer(), nullable=False),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_by_account", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("handling_body", _enum("handling_body", "government_department", "npc_motion", "cppcc_proposal"),
                  nullable=True),
        sa.Column("handling_body_name", sa.String(length=200), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("transferred_at", UtcDateTime(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("commended", sa.Boolean(), nullable=False),
        sa.Column("commendation_note", sa.Text(), nullable=True),
        sa.Column("commended_at", UtcDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestions")),
        sa.UniqueConstraint("request_id", name=op.f("uq_suggestions_request_id")),
    )
    op.create_index("ix_suggestions_unit", "suggestions", ["submitted_by_unit_id", "submitted_year"])
    op.create_index("ix_suggestions_due", "suggestions", ["status", "deadline"])
    op.create_table(
        "suggestion_proposers",
        sa.Column("suggestion_id", sa.String(length=32), nullable=False),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["suggestion_id"], ["suggestions.id"],
                                name=op.f("fk_suggestion_proposers_suggestion_id_suggestions")),
        sa.PrimaryKeyConstraint("suggestion_id", "honouree_id", name=op.f("pk_suggestion_proposers")),
    )


def downgrade():
    op.drop_table("suggestion_proposers")
    op.drop_table("suggestions")
