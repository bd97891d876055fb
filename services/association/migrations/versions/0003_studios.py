"""Innovation studios (劳模创新工作室), their six criteria (六有) and yearly assessments with outputs.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "studios",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("applicant_unit_id", sa.String(length=64), nullable=False),
        sa.Column("leader_honouree_id", sa.String(length=32), nullable=False),
        sa.Column("evidence_leader", sa.Text(), nullable=True),
        sa.Column("evidence_team", sa.Text(), nullable=True),
        sa.Column("evidence_project", sa.Text(), nullable=True),
        sa.Column("evidence_venue", sa.Text(), nullable=True),
        sa.Column("evidence_funding", sa.Text(), nullable=True),
        sa.Column("evidence_results", sa.Text(), nullable=True),
        sa.Column("status", sa.Enum("applied", "recognised", "declined", name="studio_status", native_enum=False,
                                    length=30), nullable=False),
        sa.Column("level", sa.Enum("national", "municipal", "district", name="studio_level", native_enum=False,
                                   length=30), nullable=True),
        sa.Column("recognised_year", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_by_account", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("applied_by_account", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studios")),
        sa.UniqueConstraint("request_id", name=op.f("uq_studios_request_id")),
    )
    op.create_index("ix_studios_unit", "studios", ["applicant_unit_id"])
    op.create_index("ix_studios_recognition", "studios", ["status", "level", "recognised_year"])
    op.create_table(
        "studio_assessments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("studio_id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("result", sa.Enum("excellent", "qualified", "unqualified", name="assessment_result",
                                    native_enum=False, length=30), nullable=False),
        sa.Column("patents", sa.Integer(), nullable=False),
        sa.Column("techniques", sa.Integer(), nullable=False),
        sa.Column("awards", sa.Integer(), nullable=False),
        sa.Column("economic_benefit", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("assessed_by_account", sa.String(length=64), nullable=False),
        sa.Column("assessed_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"], name=op.f("fk_studio_assessments_studio_id_studios")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_assessments")),
        sa.UniqueConstraint("studio_id", "year", name="uq_studio_assessments_studio_id_year"),
    )


def downgrade():
    op.drop_table("studio_assessments")
    op.drop_table("studios")
