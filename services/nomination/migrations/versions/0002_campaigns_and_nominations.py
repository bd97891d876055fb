"""The nomination service's records: campaigns and quotas, nominations with their steps and
attachments, public notices and objections, cultivation, revoked honours, the audit trail.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from services.chassis.database import UtcDateTime

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('correlation_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('campaigns',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('honour_type', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=True),
    sa.Column('conferring_body', sa.String(length=100), nullable=True),
    sa.Column('organiser_unit_id', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Enum('draft', 'open', 'reviewing', 'notice', 'closed', name='campaign_state', native_enum=False, length=30), nullable=False),
    sa.Column('total_quota', sa.Integer(), nullable=False),
    sa.Column('timetable', sa.Text(), nullable=False),
    sa.Column('targets', sa.Text(), nullable=False),
    sa.Column('entry_level', sa.Enum('grassroots', 'second_tier', 'organiser', name='entry_level', native_enum=False, length=30), nullable=False),
    sa.Column('revocation_bar_years', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_account', sa.String(length=64), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('honour_type', 'year', name='uq_campaigns_honour_type_year'),
    sa.UniqueConstraint('request_id', name=op.f('uq_campaigns_request_id'))
    )
    op.create_table('cultivations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('skill_competition_champion', 'chief_employee', 'post_expert', 'innovation_studio_leader', 'other', name='cultivation_source', native_enum=False, length=30), nullable=False),
    sa.Column('source_detail', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('tracking', 'promoted', 'ended', name='cultivation_status', native_enum=False, length=30), nullable=False),
    sa.Column('candidate_key', sa.String(length=80), nullable=False),
    sa.Column('honouree_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_number_masked', sa.String(length=18), nullable=True),
    sa.Column('employer', sa.String(length=200), nullable=True),
    sa.Column('position', sa.String(length=100), nullable=True),
    sa.Column('candidate_sealed', sa.Text(), nullable=False),
    sa.Column('promoted_nomination_id', sa.String(length=32), nullable=True),
    sa.Column('end_reasons', sa.Text(), nullable=True),
    sa.Column('created_by_account', sa.String(length=64), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cultivations')),
    sa.UniqueConstraint('request_id', name=op.f('uq_cultivations_request_id')),
    sa.UniqueConstraint('unit_id', 'year', 'candidate_key', name='uq_cultivations_unit_id_year_candidate_key')
    )
    with op.batch_alter_table('cultivations', schema=None) as batch_op:
        batch_op.create_index('ix_cultivations_unit_year', ['unit_id', 'year', 'status'], unique=False)

    op.create_table('revoked_honours',
    sa.Column('honour_id', sa.String(length=32), nullable=False),
    sa.Column('honouree_id', sa.String(length=32), nullable=False),
    sa.Column('honour_type', sa.String(length=40), nullable=False),
    sa.Column('revocation_id', sa.String(length=32), nullable=True),
    sa.Column('revoked_at', UtcDateTime(), nullable=False),
    sa.Column('received_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('honour_id', name=op.f('pk_revoked_honours'))
    )
    with op.batch_alter_table('revoked_honours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revoked_honours_honouree_id'), ['honouree_id'], unique=False)

    op.create_table('cultivation_notes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('cultivation_id', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cultivation_id'], ['cultivations.id'], name=op.f('fk_cultivation_notes_cultivation_id_cultivations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cultivation_notes'))
    )
    with op.batch_alter_table('cultivation_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cultivation_notes_cultivation_id'), ['cultivation_id'], unique=False)

    op.create_table('nominations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('campaign_id', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.Enum('organisational', 'social_organisation', 'self', name='channel', native_enum=False, length=30), nullable=False),
    sa.Column('social_organisation', sa.String(length=200), nullable=True),
    sa.Column('nominating_unit_id', sa.String(length=64), nullable=False),
    sa.Column('nominating_unit_name', sa.String(length=200), nullable=False),
    sa.Column('entry_unit_id', sa.String(length=64), nullable=False),
    sa.Column('current_unit_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('in_progress', 'conferred', 'not_recommended', 'rejected', 'withdrawn', 'lapsed', name='nomination_status', native_enum=False, length=30), nullable=False),
    sa.Column('stage', sa.Enum('deeds_report', 'democratic_recommendation', 'party_approval', 'tier_recommendation', 'preliminary_review', 'second_review', 'unit_notice', 'second_tier_notice', 'city_notice', 'conferral', name='nomination_stage', native_enum=False, length=30), nullable=False),
    sa.Column('notice_id', sa.String(length=32), nullable=True),
    sa.Column('candidate_key', sa.String(length=80), nullable=False),
    sa.Column('honouree_id', sa.String(length=32), nullable=True),
    sa.Column('registered_honouree_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('ethnicity', sa.String(length=20), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('id_number_sealed', sa.Text(), nullable=True),
    sa.Column('id_number_index', sa.String(length=64), nullable=True),
    sa.Column('id_number_masked', sa.String(length=18), nullable=True),
    sa.Column('private_sealed', sa.Text(), nullable=True),
    sa.Column('education', sa.String(length=30), nullable=True),
    sa.Column('political_status', sa.String(length=30), nullable=True),
    sa.Column('employer', sa.String(length=200), nullable=True),
    sa.Column('position', sa.String(length=100), nullable=True),
    sa.Column('employment_status', sa.String(length=20), nullable=True),
    sa.Column('beijing_hukou', sa.Boolean(), nullable=True),
    sa.Column('management_mode', sa.String(length=20), nullable=True),
    sa.Column('managing_unit_id', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('front_line', sa.Boolean(), nullable=False),
    sa.Column('migrant_worker', sa.Boolean(), nullable=False),
    sa.Column('non_public_enterprise', sa.Boolean(), nullable=False),
    sa.Column('high_tech_enterprise', sa.Boolean(), nullable=False),
    sa.Column('leader_cadre', sa.Boolean(), nullable=False),
    sa.Column('intermediary_organisation', sa.Boolean(), nullable=False),
    sa.Column('deeds_summary', sa.String(length=500), nullable=False),
    sa.Column('deeds', sa.Text(), nullable=False),
    sa.Column('cultivation_id', sa.String(length=32), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_account', sa.String(length=64), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('ended_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_nominations_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nominations')),
    sa.UniqueConstraint('campaign_id', 'candidate_key', name='uq_nominations_campaign_id_candidate_key'),
    sa.UniqueConstraint('request_id', name=op.f('uq_nominations_request_id'))
    )
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.create_index('ix_nominations_campaign_status', ['campaign_id', 'status', 'stage'], unique=False)
        batch_op.create_index('ix_nominations_current', ['campaign_id', 'current_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nominations_honouree_id'), ['honouree_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nominations_id_number_index'), ['id_number_index'], unique=False)
        batch_op.create_index('ix_nominations_nominating', ['campaign_id', 'nominating_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nominations_registered_honouree_id'), ['registered_honouree_id'], unique=False)

    op.create_table('notices',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('campaign_id', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Enum('unit', 'second_tier', 'city', name='notice_level', native_enum=False, length=30), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('unit_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', UtcDateTime(), nullable=False),
    sa.Column('ends_at', UtcDateTime(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='notice_status', native_enum=False, length=30), nullable=False),
    sa.Column('opened_by_account', sa.String(length=64), nullable=False),
    sa.Column('closed_by_account', sa.String(length=64), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('closed_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_notices_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_campaign_status', ['campaign_id', 'status'], unique=False)

    op.create_table('quotas',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('campaign_id', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('allocated_by_unit_id', sa.String(length=64), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_quotas_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotas')),
    sa.UniqueConstraint('campaign_id', 'unit_id', name='uq_quotas_campaign_id_unit_id')
    )
    with op.batch_alter_table('quotas', schema=None) as batch_op:
        batch_op.create_index('ix_quotas_allocator', ['campaign_id', 'allocated_by_unit_id'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('nomination_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('added_by_account', sa.String(length=64), nullable=False),
    sa.Column('added_by_unit_id', sa.String(length=64), nullable=False),
    sa.Column('added_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['nomination_id'], ['nominations.id'], name=op.f('fk_attachments_nomination_id_nominations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('nomination_id', 'sha256', name='uq_attachments_nomination_id_sha256')
    )
    op.create_table('nomination_steps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('nomination_id', sa.String(length=32), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['nomination_id'], ['nominations.id'], name=op.f('fk_nomination_steps_nomination_id_nominations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination_steps'))
    )
    with op.batch_alter_table('nomination_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_steps_nomination_id'), ['nomination_id'], unique=False)
        batch_op.create_index('ix_nomination_steps_unit', ['unit_id', 'step'], unique=False)

    op.create_table('notice_entries',
    sa.Column('notice_id', sa.String(length=32), nullable=False),
    sa.Column('nomination_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['nomination_id'], ['nominations.id'], name=op.f('fk_notice_entries_nomination_id_nominations')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_entries_notice_id_notices')),
    sa.PrimaryKeyConstraint('notice_id', 'nomination_id', name=op.f('pk_notice_entries'))
    )
    with op.batch_alter_table('notice_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_entries_nomination_id'), ['nomination_id'], unique=False)

    op.create_table('objections',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('notice_id', sa.String(length=32), nullable=False),
    sa.Column('nomination_id', sa.String(length=32), nullable=False),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('contact_sealed', sa.Text(), nullable=True),
    sa.Column('address_index', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('open', 'upheld', 'dismissed', name='objection_status', native_enum=False, length=30), nullable=False),
    sa.Column('resolution_reasons', sa.Text(), nullable=True),
    sa.Column('resolved_by_account', sa.String(length=64), nullable=True),
    sa.Column('resolved_by_unit_id', sa.String(length=64), nullable=True),
    sa.Column('lodged_at', UtcDateTime(), nullable=False),
    sa.Column('resolved_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['nomination_id'], ['nominations.id'], name=op.f('fk_objections_nomination_id_nominations')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_objections_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections')),
    sa.UniqueConstraint('request_id', name=op.f('uq_objections_request_id'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index('ix_objections_address', ['address_index', 'lodged_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_nomination_id'), ['nomination_id'], unique=False)
        batch_op.create_index('ix_objections_notice_status', ['notice_id', 'status'], unique=False)


def downgrade():
    for table in ("objections", "notice_entries", "nomination_steps", "attachments", "quotas", "notices",
                  "nominations", "cultivation_notes", "revoked_honours", "cultivations", "campaigns",
                  "audit_log"):
        op.drop_table(table)
