"""sessions end when idle; insights released once per agency and period

- auth_sessions.last_seen_at: sessions already open count as seen when this runs.
- insight_releases: an agency's differentially private figures for a closed month or
  quarter, kept so that asking again returns the same numbers.

Revision ID: 0007_sign_in_and_insights
Revises: 0006_content_version
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_sign_in_and_insights'
down_revision = '0006_content_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True),
                                      nullable=False, server_default=sa.func.now()))
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.alter_column('last_seen_at', server_default=None)

    op.create_table(
        'insight_releases',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('agency_id', sa.Uuid(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('epsilon', sa.Float(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'],
                                name=op.f('fk_insight_releases_agency_id_agencies'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_insight_releases')),
        sa.UniqueConstraint('agency_id', 'period',
                            name=op.f('uq_insight_releases_agency_id_period')),
    )


def downgrade():
    op.drop_table('insight_releases')
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
