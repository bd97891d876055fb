"""Service cards and their service items (with the city's first catalogue); birthday greetings.

Revision ID: 0006
Revises: 0005
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SEEDED = datetime(2026, 1, 1, tzinfo=timezone.utc)
ITEMS = [
    ("health_check", "免费体检", "每年一次免费个性化健康体检"),
    ("park_pass", "公园年票", "北京市公园年票，凭卡免费游览市属公园"),
    ("medical_green_channel", "就医绿色通道", "在合作医院挂号、就诊、住院优先安排"),
    ("legal_aid", "法律援助", "工会法律服务机构免费提供法律咨询与代理"),
    ("recuperation", "疗休养", "按计划参加劳模疗休养活动"),
]


def upgrade():
    items = op.create_table(
        "service_items",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_service_items")),
    )
    op.create_table(
        "service_cards",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.Column("live_honouree_id", sa.String(length=32), nullable=True),
        sa.Column("managing_unit_id", sa.String(length=64), nullable=False),
        sa.Column("issued_by_unit_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Enum("active", "suspended", "cancelled", name="service_card_status",
                                    native_enum=False, length=30), nullable=False),
        sa.Column("suspension_reason", sa.Text(), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("issued_by_account", sa.String(length=64), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("suspended_at", UtcDateTime(), nullable=True),
        sa.Column("cancelled_at", UtcDateTime(), nullable=True),
        sa.Column("cancelled_by_account", sa.String(length=64), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_cards")),
        sa.UniqueConstraint("card_number", name=op.f("uq_service_cards_card_number")),
        sa.UniqueConstraint("live_honouree_id", name=op.f("uq_service_cards_live_honouree_id")),
        sa.UniqueConstraint("request_id", name=op.f("uq_service_cards_request_id")),
    )
    op.create_index("ix_service_cards_honouree", "service_cards", ["honouree_id"])
    op.create_index("ix_service_cards_status", "service_cards", ["status", "card_number"])
    op.create_table(
        "service_card_items",
        sa.Column("card_id", sa.String(length=32), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["service_cards.id"],
                                name=op.f("fk_service_card_items_card_id_service_cards")),
        sa.ForeignKeyConstraint(["item_code"], ["service_items.code"],
                                name=op.f("fk_service_card_items_item_code_service_items")),
        sa.PrimaryKeyConstraint("card_id", "item_code", name=op.f("pk_service_card_items")),
    )
    op.create_table(
        "card_number_sequences",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_card_number_sequences")),
    )
    op.create_table(
        "birthday_greetings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("birthday", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("greeted_by_account", sa.String(length=64), nullable=False),
        sa.Column("greeted_by_unit_id", sa.String(length=64), nullable=False),
        sa.Column("greeted_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_birthday_greetings")),
        sa.UniqueConstraint("honouree_id", "year", name="uq_birthday_greetings_honouree_id_year"),
    )
    op.bulk_insert(items, [{"code": code, "name": name, "description": description, "active": True,
                            "created_at": SEEDED, "updated_at": SEEDED} for code, name, description in ITEMS])


def downgrade():
    op.drop_table("birthday_greetings")
    op.drop_table("card_number_sequences")
    op.drop_table("service_card_items")
    op.drop_index("ix_service_cards_status", table_name="service_cards")
    op.drop_index("ix_service_cards_honouree", table_name="service_cards")
    op.drop_table("service_cards")
    op.drop_table("service_items")
