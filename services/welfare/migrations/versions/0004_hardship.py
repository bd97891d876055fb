"""Hardship aid applications and sick visits.

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

KINDS = ("low_income", "special_hardship", "sudden_hardship")
STATES = ("submitted", "reviewed", "approved", "paid", "refused", "cancelled")


def upgrade():
    op.create_table(
        "hardship_applications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.Column("managing_unit_id", sa.String(length=64), nullable=False),
        sa.Column("approving_unit_id", sa.String(length=64), nullable=False),
        sa.Column("applicant_unit_id", sa.String(length=64), nullable=False),
        sa.Column("applicant_account", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="hardship_kind", native_enum=False, length=30), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("facts_sealed", sa.Text(), nullable=False),
        sa.Column("fund_id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("state", sa.Enum(*STATES, name="hardship_state", native_enum=False, length=30), nullable=False),
        sa.Column("commitment_id", sa.String(length=32), nullable=True),
        sa.Column("payment_id", sa.String(length=32), nullable=True),
        sa.Column("void_id", sa.String(length=32), nullable=True),
        sa.Column("refusal_reasons", sa.Text(), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hardship_applications")),
        sa.UniqueConstraint("request_id", name=op.f("uq_hardship_applications_request_id")),
    )
    op.create_index("ix_hardship_applications_honouree", "hardship_applications", ["honouree_id", "state"])
    op.create_index("ix_hardship_applications_unit", "hardship_applications", ["managing_unit_id", "state"])
    op.create_table(
        "hardship_steps",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["hardship_applications.id"],
                                name=op.f("fk_hardship_steps_application_id_hardship_applications")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_hardship_steps")),
    )
    op.create_index("ix_hardship_steps_application", "hardship_steps", ["application_id", "seq"])
    op.create_table(
        "sick_visits",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.Column("managing_unit_id", sa.String(length=64), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visitors", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("notes_sealed", sa.Text(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("fund_id", sa.String(length=32), nullable=True),
        sa.Column("posting_id", sa.String(length=32), nullable=True),
        sa.Column("recorded_by_account", sa.String(length=64), nullable=False),
        sa.Column("recorded_by_unit_id", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sick_visits")),
        sa.UniqueConstraint("request_id", name=op.f("uq_sick_visits_request_id")),
    )
    op.create_index("ix_sick_visits_honouree", "sick_visits", ["honouree_id", "visited_on"])
    op.create_index("ix_sick_visits_unit", "sick_visits", ["managing_unit_id", "visited_on"])


def downgrade():
    op.drop_index("ix_sick_visits_unit", table_name="sick_visits")
    op.drop_index("ix_sick_visits_honouree", table_name="sick_visits")
    op.drop_table("sick_visits")
    op.drop_index("ix_hardship_steps_application", table_name="hardship_steps")
    op.drop_table("hardship_steps")
    op.drop_index("ix_hardship_applications_unit", table_name="hardship_applications")
    op.drop_index("ix_hardship_applications_honouree", table_name="hardship_applications")
    op.drop_table("hardship_applications")
