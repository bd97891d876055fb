"""The default tree: the Beijing city federation, its 16 districts and the development area.

Revision ID: 0002
Revises: 0001
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CITY = ("bj", "北京市总工会")
DISTRICTS = [
    ("bj-dongcheng", "东城区总工会"),
    ("bj-xicheng", "西城区总工会"),
    ("bj-chaoyang", "朝阳区总工会"),
    ("bj-fengtai", "丰台区总工会"),
    ("bj-shijingshan", "石景山区总工会"),
    ("bj-haidian", "海淀区总工会"),
    ("bj-mentougou", "门头沟区总工会"),
    ("bj-fangshan", "房山区总工会"),
    ("bj-tongzhou", "通州区总工会"),
    ("bj-shunyi", "顺义区总工会"),
    ("bj-changping", "昌平区总工会"),
    ("bj-daxing", "大兴区总工会"),
    ("bj-huairou", "怀柔区总工会"),
    ("bj-pinggu", "平谷区总工会"),
    ("bj-miyun", "密云区总工会"),
    ("bj-yanqing", "延庆区总工会"),
    ("bj-etown", "北京经济技术开发区总工会"),
]

units = sa.table(
    "units",
    sa.column("id", sa.String), sa.column("name", sa.String), sa.column("tier", sa.String),
    sa.column("parent_id", sa.String), sa.column("system_parent_id", sa.String),
    sa.column("created_at", UtcDateTime()),
)


def upgrade():
    now = datetime(2015, 1, 9, tzinfo=timezone.utc)  # the plan's date: fixed, so every install agrees
    rows = [dict(id=CITY[0], name=CITY[1], tier="city", parent_id=None, system_parent_id=None,
                 created_at=now)]
    rows += [dict(id=unit_id, name=name, tier="district", parent_id=CITY[0], system_parent_id=None,
                  created_at=now) for unit_id, name in DISTRICTS]
    op.bulk_insert(units, rows)


def downgrade():
    op.execute(units.delete().where(units.c.id.in_([CITY[0]] + [d[0] for d in DISTRICTS])))
