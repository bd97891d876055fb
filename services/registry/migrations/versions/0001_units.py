"""The registry's outbox and inbox, and the union tree.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime
from services.chassis.migrations import create_outbox_and_inbox

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    create_outbox_and_inbox(op)
    op.create_table(
        "units",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("tier", sa.Enum("city", "district", "industry", "bureau", "group_company",
                                  "university", "grassroots", name="unit_tier",
                                  native_enum=False, length=20), nullable=False),
        sa.Column("parent_id", sa.String(64), nullable=True),
        sa.Column("system_parent_id", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["units.id"], name="fk_units_parent_id_units"),
        sa.ForeignKeyConstraint(["system_parent_id"], ["units.id"],
                                name="fk_units_system_parent_id_units"),
        sa.PrimaryKeyConstraint("id", name="pk_units"),
        sa.UniqueConstraint("parent_id", "name", name="uq_units_parent_id_name"),
    )
    op.create_index("ix_units_parent_id", "units", ["parent_id"])
    op.create_index("ix_units_system_parent_id", "units", ["system_parent_id"])


def downgrade():
    op.drop_table("units")
    op.drop_table("inbox")
    op.drop_table("outbox")
