"""Indexes for searching, counting and exporting honourees at the target size (20,000)

- ix_honourees_search: the scope column first, then the order (name, id), then every
  column a search filters on, so a search's count and its page of ids are read from the
  index alone (no visit to the wide rows, which hold the sealed ID number).
- ix_honourees_order: the same columns in the order of a listing (name, id first): a
  city-wide page, however deep, is read in order from it and stops at the page's end.
- ix_honours_holder: "holds an honour of this status/type/year/level", answered from
  the index for each honouree (the EXISTS of the honour filters).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 00:00:00
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

SEARCH_COLUMNS = ['managing_unit_id', 'name', 'id', 'district_id', 'category', 'employment_status', 'gender',
                  'verified_year', 'front_line', 'migrant_worker', 'non_public_enterprise',
                  'high_tech_enterprise', 'beijing_hukou']
ORDER_COLUMNS = ['name', 'id', 'managing_unit_id'] + SEARCH_COLUMNS[3:]
HOLDER_COLUMNS = ['honouree_id', 'status', 'honour_type', 'year', 'level']


def upgrade():
    with op.batch_alter_table('honourees', schema=None) as batch_op:
        batch_op.create_index('ix_honourees_search', SEARCH_COLUMNS, unique=False)
        batch_op.create_index('ix_honourees_order', ORDER_COLUMNS, unique=False)
    with op.batch_alter_table('honours', schema=None) as batch_op:
        batch_op.create_index('ix_honours_holder', HOLDER_COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table('honours', schema=None) as batch_op:
        batch_op.drop_index('ix_honours_holder')
    with op.batch_alter_table('honourees', schema=None) as batch_op:
        batch_op.drop_index('ix_honourees_order')
        batch_op.drop_index('ix_honourees_search')
