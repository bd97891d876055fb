"""Recuperation plans, batches and places; yearly health check-ups.

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
        "recuperation_plans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("created_by_account", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recuperation_plans")),
        sa.UniqueConstraint("request_id", name=op.f("uq_recuperation_plans_request_id")),
    )
    op.create_index(op.f("ix_recuperation_plans_unit_id"), "recuperation_plans", ["unit_id"])
    op.create_table(
        "recuperation_batches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("destination", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("by_trade", "with_family", name="recuperation_batch_kind", native_enum=False,
                                  length=30), nullable=False),
        sa.Column("trade", sa.String(length=100), nullable=True),
        sa.Column("created_by_account", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["recuperation_plans.id"],
                                name=op.f("fk_recuperation_batches_plan_id_recuperation_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recuperation_batches")),
        sa.UniqueConstraint("request_id", name=op.f("uq_recuperation_batches_request_id")),
    )
    op.create_index(op.f("ix_recuperation_batches_plan_id"), "recuperation_batches", ["plan_id"])
    op.create_table(
        "recuperation_allocations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("skipped_overlapping", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["recuperation_batches.id"],
                                name=op.f("fk_recuperation_allocations_batch_id_recuperation_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recuperation_allocations")),
        sa.UniqueConstraint("request_id", name=op.f("uq_recuperation_allocations_request_id")),
    )
    op.create_index(op.f("ix_recuperation_allocations_batch_id"), "recuperation_allocations", ["batch_id"])
    op.create_table(
        "recuperation_places",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.Enum("allocated", "attended", "declined", "cancelled",
                                    name="recuperation_place_status", native_enum=False, length=30), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("allocation_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("allocated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["allocation_id"], ["recuperation_allocations.id"],
                                name=op.f("fk_recuperation_places_allocation_id_recuperation_allocations")),
        sa.ForeignKeyConstraint(["batch_id"], ["recuperation_batches.id"],
                                name=op.f("fk_recuperation_places_batch_id_recuperation_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recuperation_places")),
        sa.UniqueConstraint("batch_id", "honouree_id", name="uq_recuperation_places_batch_id_honouree_id"),
    )
    op.create_index("ix_recuperation_places_honouree_id", "recuperation_places", ["honouree_id"])
    op.create_table(
        "health_check_ups",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("institution", sa.String(length=200), nullable=False),
        sa.Column("results_sealed", sa.Text(), nullable=False),
        sa.Column("recorded_by_account", sa.String(length=64), nullable=False),
        sa.Column("recorded_by_unit_id", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_check_ups")),
        sa.UniqueConstraint("honouree_id", "year", name="uq_health_check_ups_honouree_id_year"),
        sa.UniqueConstraint("request_id", name=op.f("uq_health_check_ups_request_id")),
    )
    op.create_index("ix_health_check_ups_year", "health_check_ups", ["year"])


def downgrade():
    op.drop_table("health_check_ups")
    op.drop_table("recuperation_places")
    op.drop_table("recuperation_allocations")
    op.drop_table("recuperation_batches")
    op.drop_table("recuperation_plans")
