"""foundation schema

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-24 03:33:25.715340
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import store.models


revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('crawlrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('started_at', store.models.UTCDateTime(), nullable=False),
    sa.Column('finished_at', store.models.UTCDateTime(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('new', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crawlrun', schema=None) as batch_op:
        batch_op.create_index('ix_crawlrun_source_started', ['source', 'started_at'], unique=False)

    op.create_table('dossier',
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('updated_at', store.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('slug')
    )
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('date_precision', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('identifiers', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.Column('cites', sa.JSON(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('authority', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('withdrawn_at', store.models.UTCDateTime(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('first_seen_at', store.models.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', store.models.UTCDateTime(), nullable=False),
    sa.Column('changed_at', store.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_first_seen_at'), ['first_seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_status'), ['status'], unique=False)

    op.create_table('meta',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', store.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('source',
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('cursor', sa.JSON(), nullable=False),
    sa.Column('http_cache', sa.JSON(), nullable=False),
    sa.Column('last_run_at', store.models.UTCDateTime(), nullable=True),
    sa.Column('last_success_at', store.models.UTCDateTime(), nullable=True),
    sa.Column('last_new_at', store.models.UTCDateTime(), nullable=True),
    sa.Column('last_error_at', store.models.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('alerted_at', store.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('slug')
    )
    op.create_table('subscriber',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('url_masked', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('created_at', store.models.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', store.models.UTCDateTime(), nullable=True),
    sa.Column('unsubscribed_at', store.models.UTCDateTime(), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('flagged_at', store.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('watch',
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('exclude', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('slug')
    )
    op.create_table('dossierevent',
    sa.Column('dossier', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('added_at', store.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dossier'], ['dossier.slug'], ),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.PrimaryKeyConstraint('dossier', 'event_id')
    )
    with op.batch_alter_table('dossierevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossierevent_event_id'), ['event_id'], unique=False)

    op.create_table('eventidentifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scheme', 'value', name='uq_identifier_scheme_value')
    )
    with op.batch_alter_table('eventidentifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eventidentifier_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eventidentifier_value'), ['value'], unique=False)

    op.create_table('eventrevision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('seen_at', store.models.UTCDateTime(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'number', name='uq_revision_event_number')
    )
    with op.batch_alter_table('eventrevision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eventrevision_event_id'), ['event_id'], unique=False)

    op.create_table('subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('cadence', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('watches', sa.JSON(), nullable=False),
    sa.Column('dossiers', sa.JSON(), nullable=False),
    sa.Column('include_updates', sa.Boolean(), nullable=False),
    sa.Column('last_digest_at', store.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscriber.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscription_subscriber_id'), ['subscriber_id'], unique=False)

    op.create_table('watchmatch',
    sa.Column('watch', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('matched_at', store.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.ForeignKeyConstraint(['watch'], ['watch.slug'], ),
    sa.PrimaryKeyConstraint('watch', 'event_id')
    )
    with op.batch_alter_table('watchmatch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watchmatch_event_id'), ['event_id'], unique=False)

    op.create_table('delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('created_at', store.models.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', store.models.UTCDateTime(), nullable=True),
    sa.Column('sent_at', store.models.UTCDateTime(), nullable=True),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subscription_id', 'event_id', 'revision', 'reason', name='uq_delivery_once')
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_delivery_status_next', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_subscription_id'), ['subscription_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_subscription_id'))
        batch_op.drop_index('ix_delivery_status_next')
        batch_op.drop_index(batch_op.f('ix_delivery_event_id'))

    op.drop_table('delivery')
    with op.batch_alter_table('watchmatch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watchmatch_event_id'))

    op.drop_table('watchmatch')
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscription_subscriber_id'))

    op.drop_table('subscription')
    with op.batch_alter_table('eventrevision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eventrevision_event_id'))

    op.drop_table('eventrevision')
    with op.batch_alter_table('eventidentifier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eventidentifier_value'))
        batch_op.drop_index(batch_op.f('ix_eventidentifier_event_id'))

    op.drop_table('eventidentifier')
    with op.batch_alter_table('dossierevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossierevent_event_id'))

    op.drop_table('dossierevent')
    op.drop_table('watch')
    op.drop_table('subscriber')
    op.drop_table('source')
    op.drop_table('meta')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_status'))
        batch_op.drop_index(batch_op.f('ix_event_source'))
        batch_op.drop_index(batch_op.f('ix_event_kind'))
        batch_op.drop_index(batch_op.f('ix_event_first_seen_at'))
        batch_op.drop_index(batch_op.f('ix_event_date'))
        batch_op.drop_index(batch_op.f('ix_event_changed_at'))

    op.drop_table('event')
    op.drop_table('dossier')
    with op.batch_alter_table('crawlrun', schema=None) as batch_op:
        batch_op.drop_index('ix_crawlrun_source_started')

    op.drop_table('crawlrun')

