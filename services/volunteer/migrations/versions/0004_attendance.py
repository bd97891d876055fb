"""Attendance and service hours.

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


TOTALS_INDEXES = {  # one covering index per thing the totals group by, led by it
    "ix_attendances_by_volunteer": ["status", "volunteer_id", "year", "unit_id", "category", "team_id",
                                    "confirmed_minutes"],
    "ix_attendances_by_team": ["status", "team_id", "year", "unit_id", "category", "confirmed_minutes"],
    "ix_attendances_by_unit": ["status", "unit_id", "year", "category", "team_id", "confirmed_minutes"],
    "ix_attendances_by_category": ["status", "category", "year", "unit_id", "team_id", "confirmed_minutes"],
    "ix_attendances_by_year": ["status", "year", "unit_id", "category", "team_id", "confirmed_minutes"],
}


def upgrade():
    op.create_table(
        "attendances",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("signup_id", sa.String(length=32), nullable=False),
        sa.Column("activity_id", sa.String(length=32), nullable=False),
        sa.Column("volunteer_id", sa.String(length=32), nullable=False),
        sa.Column("person_key", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("organiser_unit_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("checked_in", "checked_out", "confirmed", name="attendance_status",
                                    native_enum=False, length=30), nullable=False),
        sa.Column("checked_in_at", UtcDateTime(), nullable=False),
        sa.Column("checked_out_at", UtcDateTime(), nullable=True),
        sa.Column("proposed_minutes", sa.Integer(), nullable=True),
        sa.Column("confirmed_minutes", sa.Integer(), nullable=True),
        sa.Column("confirmed_by_account", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"], name=op.f("fk_attendances_activity_id_activities")),
        sa.ForeignKeyConstraint(["signup_id"], ["signups.id"], name=op.f("fk_attendances_signup_id_signups")),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"],
                                name=op.f("fk_attendances_volunteer_id_volunteers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendances")),
        sa.UniqueConstraint("signup_id", name=op.f("uq_attendances_signup_id")),
    )
    for name, columns in TOTALS_INDEXES.items():
        op.create_index(name, "attendances", columns)
    op.create_index("ix_attendances_person", "attendances", ["person_key", "checked_in_at"])
    op.create_index("ix_attendances_activity", "attendances", ["activity_id"])


def downgrade():
    op.drop_table("attendances")
