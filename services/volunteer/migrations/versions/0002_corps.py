"""The corps: teams, volunteers, their skills and availability; the audit trail.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=30)


def upgrade():
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])
    op.create_table(
        "teams",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", enum("team_kind", "district", "profession"), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("profession", sa.String(length=100), nullable=True),
        sa.Column("admits_public", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by_account", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("request_id", name=op.f("uq_teams_request_id")),
    )
    op.create_index("ix_teams_unit", "teams", ["unit_id", "name"])
    op.create_table(
        "volunteers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("kind", enum("volunteer_kind", "honouree", "public"), nullable=False),
        sa.Column("honouree_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("live_key", sa.String(length=80), nullable=True),
        sa.Column("status", enum("volunteer_status", "active", "ended"), nullable=False),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("joined_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("created_by_account", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_volunteers_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteers")),
        sa.UniqueConstraint("live_key", name=op.f("uq_volunteers_live_key")),
        sa.UniqueConstraint("request_id", name=op.f("uq_volunteers_request_id")),
    )
    op.create_index("ix_volunteers_team", "volunteers", ["team_id", "status"])
    op.create_index("ix_volunteers_honouree", "volunteers", ["honouree_id"])
    op.create_index("ix_volunteers_unit", "volunteers", ["unit_id"])
    op.create_table(
        "volunteer_skills",
        sa.Column("volunteer_id", sa.String(length=32), nullable=False),
        sa.Column("skill", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"],
                                name=op.f("fk_volunteer_skills_volunteer_id_volunteers")),
        sa.PrimaryKeyConstraint("volunteer_id", "skill", name=op.f("pk_volunteer_skills")),
    )
    op.create_index("ix_volunteer_skills_skill", "volunteer_skills", ["skill"])
    op.create_table(
        "availability_slots",
        sa.Column("volunteer_id", sa.String(length=32), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("period", enum("availability_period", "morning", "afternoon", "evening"), nullable=False),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"],
                                name=op.f("fk_availability_slots_volunteer_id_volunteers")),
        sa.PrimaryKeyConstraint("volunteer_id", "weekday", "period", name=op.f("pk_availability_slots")),
    )


def downgrade():
    for table in ("availability_slots", "volunteer_skills", "volunteers", "teams", "audit_log"):
        op.drop_table(table)
