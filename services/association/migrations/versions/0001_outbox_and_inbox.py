"""The association service's outbox and inbox.

Revision ID: 0001
Revises:
"""
from alembic import op

from services.chassis.migrations import create_outbox_and_inbox

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    create_outbox_and_inbox(op)


def downgrade():
    op.drop_table("inbox")
    op.drop_table("outbox")
