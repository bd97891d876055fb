"""Activities, their required skills, and sign-ups.

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


def enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=30)


def upgrade():
    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", enum("activity_category", "science_technology", "medical", "culture", "daily_life",
                                   "enterprise_talk", "campus_talk", "community_talk"), nullable=False),
        sa.Column("organiser_unit_id", sa.String(length=64), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", enum("activity_status", "draft", "published"), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_account", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint("request_id", name=op.f("uq_activities_request_id")),
    )
    op.create_index("ix_activities_unit", "activities", ["organiser_unit_id", "starts_at"])
    op.create_table(
        "activity_skills",
        sa.Column("activity_id", sa.String(length=32), nullable=False),
        sa.Column("skill", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"],
                                name=op.f("fk_activity_skills_activity_id_activities")),
        sa.PrimaryKeyConstraint("activity_id", "skill", name=op.f("pk_activity_skills")),
    )
    op.create_table(
        "signups",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("activity_id", sa.String(length=32), nullable=False),
        sa.Column("volunteer_id", sa.String(length=32), nullable=False),
        sa.Column("person_key", sa.String(length=40), nullable=False),
        sa.Column("live_key", sa.String(length=80), nullable=True),
        sa.Column("status", enum("signup_status", "confirmed", "waitlisted", "cancelled"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("signed_up_at", UtcDateTime(), nullable=False),
        sa.Column("promoted_at", UtcDateTime(), nullable=True),
        sa.Column("cancelled_at", UtcDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("created_by_account", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"], name=op.f("fk_signups_activity_id_activities")),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"], name=op.f("fk_signups_volunteer_id_volunteers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signups")),
        sa.UniqueConstraint("live_key", name=op.f("uq_signups_live_key")),
        sa.UniqueConstraint("request_id", name=op.f("uq_signups_request_id")),
    )
    op.create_index("ix_signups_activity", "signups", ["activity_id", "status", "seq"])
    op.create_index("ix_signups_person", "signups", ["person_key", "status", "starts_at"])
    op.create_index("ix_signups_volunteer", "signups", ["volunteer_id"])


def downgrade():
    for table in ("signups", "activity_skills", "activities"):
        op.drop_table(table)
