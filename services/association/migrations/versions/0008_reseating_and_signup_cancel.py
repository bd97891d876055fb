"""A person whose seat on an organ ended may be seated on it again: the rule "once per organ" counts
only the seats not ended (a partial unique index instead of the table's unique constraint). Sign-ups
for learning events can be cancelled (who, when, why kept on the row).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LIVE = sa.text("ended_on IS NULL")


def upgrade():
    # SQLite keeps the old rule in the table's definition: batch mode rebuilds the table without it,
    # copying every row (PostgreSQL simply drops the constraint)
    with op.batch_alter_table("organ_seats") as batch:
        batch.drop_constraint("uq_organ_seats_organ_id_honouree_id", type_="unique")
    op.create_index("uq_organ_seats_live", "organ_seats", ["organ_id", "honouree_id"], unique=True,
                    postgresql_where=LIVE, sqlite_where=LIVE)
    op.add_column("learning_signups", sa.Column("cancelled_at", UtcDateTime(), nullable=True))
    op.add_column("learning_signups", sa.Column("cancelled_by_account", sa.String(length=64), nullable=True))
    op.add_column("learning_signups", sa.Column("cancel_reason", sa.String(length=2000), nullable=True))


def downgrade():
    # fails (as it should) while a person holds an ended and a live seat on the same organ
    with op.batch_alter_table("learning_signups") as batch:
        batch.drop_column("cancel_reason")
        batch.drop_column("cancelled_by_account")
        batch.drop_column("cancelled_at")
    op.drop_index("uq_organ_seats_live", table_name="organ_seats")
    with op.batch_alter_table("organ_seats") as batch:
        batch.create_unique_constraint("uq_organ_seats_organ_id_honouree_id", ["organ_id", "honouree_id"])
