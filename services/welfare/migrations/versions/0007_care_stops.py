"""Care stops: what welfare ended when a person's last honour was revoked.

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
    op.create_table(
        "care_stops",
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.Column("managing_unit_id", sa.String(length=64), nullable=False),
        sa.Column("honour_id", sa.String(length=32), nullable=False),
        sa.Column("revocation_id", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("ended", sa.Text(), nullable=False),
        sa.Column("stopped_at", UtcDateTime(), nullable=False),
        sa.Column("lifted_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("honouree_id", name=op.f("pk_care_stops")),
    )
    op.create_index(op.f("ix_care_stops_managing_unit_id"), "care_stops", ["managing_unit_id"])


def downgrade():
    op.drop_table("care_stops")
