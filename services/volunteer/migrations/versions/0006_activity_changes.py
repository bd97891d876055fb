"""Activities can be cancelled: when and why.

The new status value ``cancelled`` needs no change of the table: the enum columns of laomo are plain
VARCHAR(30) without a CHECK constraint (``enum_of``: no native type, no constraint), so the value
fits as it is, on SQLite and PostgreSQL alike.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("activities", sa.Column("cancelled_at", UtcDateTime(), nullable=True))
    op.add_column("activities", sa.Column("cancel_reason", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("cancel_reason")
        batch.drop_column("cancelled_at")
