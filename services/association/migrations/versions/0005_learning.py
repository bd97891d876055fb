"""Learning and exchange events (劳模大讲堂、培训、交流) with sign-up and attendance.

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
        "learning_events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.Enum("lecture", "salon", "training", "degree_class", "international_exchange",
                                  "hmt_exchange", name="learning_kind", native_enum=False, length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("organiser_unit_id", sa.String(length=64), nullable=False),
        sa.Column("created_by_account", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_events")),
        sa.UniqueConstraint("request_id", name=op.f("uq_learning_events_request_id")),
    )
    op.create_index("ix_learning_events_year", "learning_events", ["year", "kind"])
    op.create_table(
        "learning_signups",
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.Column("managing_unit_id", sa.String(length=64), nullable=False),
        sa.Column("signed_up_by_account", sa.String(length=64), nullable=False),
        sa.Column("signed_up_at", UtcDateTime(), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("attendance_marked_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["learning_events.id"],
                                name=op.f("fk_learning_signups_event_id_learning_events")),
        sa.PrimaryKeyConstraint("event_id", "honouree_id", name=op.f("pk_learning_signups")),
    )
    op.create_index("ix_learning_signups_unit", "learning_signups", ["managing_unit_id"])


def downgrade():
    op.drop_table("learning_signups")
    op.drop_table("learning_events")
