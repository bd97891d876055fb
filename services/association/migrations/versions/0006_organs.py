"""The association's organs (council, standing council, sector committees, branches, troupes) and seats.

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


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=30)


def upgrade():
    op.create_table(
        "organs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("kind", _enum("organ_kind", "council", "standing_council", "sector_committee", "branch", "troupe"),
                  nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("term", sa.Integer(), nullable=True),
        sa.Column("sector", sa.String(length=100), nullable=True),
        sa.Column("troupe_kind", _enum("troupe_kind", "choir", "lecture_troupe", "volunteer_corps"), nullable=True),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("created_by_account", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organs")),
        sa.UniqueConstraint("request_id", name=op.f("uq_organs_request_id")),
    )
    op.create_index("ix_organs_unit", "organs", ["unit_id", "kind"])
    op.create_table(
        "organ_seats",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organ_id", sa.String(length=32), nullable=False),
        sa.Column("honouree_id", sa.String(length=32), nullable=False),
        sa.Column("managing_unit_id", sa.String(length=64), nullable=False),
        sa.Column("position", _enum("organ_position", "president", "vice_president", "secretary_general",
                                    "standing_director", "director", "head", "deputy_head", "member"), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("added_by_account", sa.String(length=64), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organ_id"], ["organs.id"], name=op.f("fk_organ_seats_organ_id_organs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organ_seats")),
        sa.UniqueConstraint("organ_id", "honouree_id", name="uq_organ_seats_organ_id_honouree_id"),
    )


def downgrade():
    op.drop_table("organ_seats")
    op.drop_table("organs")
