"""Public-welfare projects and their donations.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "projects",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("group", sa.Enum("elderly", "disabled", "left_behind_children", "sick_and_poor", "other",
                                   name="project_group", native_enum=False, length=30), nullable=False),
        sa.Column("organiser_unit_id", sa.String(length=64), nullable=False),
        sa.Column("fund_id", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by_account", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("request_id", name=op.f("uq_projects_request_id")),
    )
    op.create_index("ix_projects_unit", "projects", ["organiser_unit_id", "created_at"])
    op.create_table(
        "donations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("donor", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("pending", "recorded", name="donation_status", native_enum=False, length=30),
                  nullable=False),
        sa.Column("posting_id", sa.String(length=32), nullable=True),
        sa.Column("created_by_account", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_donations_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_donations")),
        sa.UniqueConstraint("request_id", name=op.f("uq_donations_request_id")),
    )
    op.create_index("ix_donations_project", "donations", ["project_id", "created_at"])


def downgrade():
    op.drop_table("donations")
    op.drop_table("projects")
