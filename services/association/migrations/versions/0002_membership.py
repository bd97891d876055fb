"""The association's audit trail and real-name membership (实名入会).

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

STATUS = sa.Enum("active", "left", "ended", name="membership_status", native_enum=False, length=30)


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
        "memberships",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.Column("live_honouree_id", sa.String(length=32), nullable=True),
        sa.Column("managing_unit_id", sa.String(length=64), nullable=False),
        sa.Column("district_id", sa.String(length=64), nullable=True),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("joined_year", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("joined_by_account", sa.String(length=64), nullable=False),
        sa.Column("joined_by_unit_id", sa.String(length=64), nullable=False),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("ended_by_account", sa.String(length=64), nullable=True),
        sa.Column("honour_id", sa.String(length=32), nullable=True),
        sa.Column("revocation_id", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("request_id", name=op.f("uq_memberships_request_id")),
        sa.UniqueConstraint("live_honouree_id", name=op.f("uq_memberships_live_honouree_id")),
    )
    op.create_index("ix_memberships_status_unit", "memberships", ["status", "managing_unit_id", "joined_on", "id"])
    op.create_index("ix_memberships_unit", "memberships", ["managing_unit_id", "joined_on", "id"])
    op.create_index("ix_memberships_honouree", "memberships", ["honouree_id"])


def downgrade():
    op.drop_table("memberships")
    op.drop_table("audit_log")
