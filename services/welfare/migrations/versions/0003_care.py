"""Care: Spring Festival condolence campaigns (春节慰问), their batches and items.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=30)


def upgrade():
    op.create_table(
        "condolence_campaigns",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_national", sa.BigInteger(), nullable=False),
        sa.Column("amount_municipal", sa.BigInteger(), nullable=False),
        sa.Column("amount_district", sa.BigInteger(), nullable=False),
        sa.Column("fund_id", sa.String(length=32), nullable=False),
        sa.Column("owner_unit_id", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_condolence_campaigns_fund_id_funds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_condolence_campaigns")),
        sa.UniqueConstraint("request_id", name=op.f("uq_condolence_campaigns_request_id")),
    )
    op.create_index(op.f("ix_condolence_campaigns_owner_unit_id"), "condolence_campaigns", ["owner_unit_id"])
    op.create_table(
        "condolence_district_funds",
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("fund_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["condolence_campaigns.id"],
                                name=op.f("fk_condolence_district_funds_campaign_id_condolence_campaigns")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_condolence_district_funds_fund_id_funds")),
        sa.PrimaryKeyConstraint("campaign_id", "district_id", name=op.f("pk_condolence_district_funds")),
    )
    op.create_table(
        "condolence_batches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", _enum("condolence_batch_state", "running", "finished"), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("paid", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("left_out", sa.Integer(), nullable=False),
        sa.Column("already_paid", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["condolence_campaigns.id"],
                                name=op.f("fk_condolence_batches_campaign_id_condolence_campaigns")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_condolence_batches")),
        sa.UniqueConstraint("request_id", name=op.f("uq_condolence_batches_request_id")),
        sa.UniqueConstraint("campaign_id", "number", name="uq_condolence_batches_campaign_number"),
    )
    op.create_index(op.f("ix_condolence_batches_campaign_id"), "condolence_batches", ["campaign_id"])
    op.create_index("ix_condolence_batches_state", "condolence_batches", ["state", "started_at"])
    op.create_table(
        "condolence_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.Column("managing_unit_id", sa.String(length=64), nullable=False),
        sa.Column("district_id", sa.String(length=64), nullable=True),
        sa.Column("level", _enum("condolence_level", "national", "municipal", "district"), nullable=False),
        sa.Column("fund_id", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("state", _enum("condolence_item_state", "pending", "paid", "failed", "left_out"), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("posting_id", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("paid_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["condolence_batches.id"],
                                name=op.f("fk_condolence_items_batch_id_condolence_batches")),
        sa.ForeignKeyConstraint(["campaign_id"], ["condolence_campaigns.id"],
                                name=op.f("fk_condolence_items_campaign_id_condolence_campaigns")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_condolence_items_fund_id_funds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_condolence_items")),
        sa.UniqueConstraint("campaign_id", "honouree_id", name="uq_condolence_items_campaign_honouree"),
    )
    op.create_index("ix_condolence_items_batch_state", "condolence_items", ["batch_id", "state", "id"])
    op.create_index("ix_condolence_items_honouree", "condolence_items", ["honouree_id", "state"])


def downgrade():
    op.drop_index("ix_condolence_items_honouree", table_name="condolence_items")
    op.drop_index("ix_condolence_items_batch_state", table_name="condolence_items")
    op.drop_table("condolence_items")
    op.drop_index("ix_condolence_batches_state", table_name="condolence_batches")
    op.drop_index(op.f("ix_condolence_batches_campaign_id"), table_name="condolence_batches")
    op.drop_table("condolence_batches")
    op.drop_table("condolence_district_funds")
    op.drop_index(op.f("ix_condolence_campaigns_owner_unit_id"), table_name="condolence_campaigns")
    op.drop_table("condolence_campaigns")
