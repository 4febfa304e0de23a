"""agency console: join codes that can be told apart and revoked, content order, handovers

- agencies.own_content_first: the agency's own items before the core ones (true) or after.
- agency_join_codes.label, .uses, .revoked_at: what a code is for, how many joined with it,
  and when it was revoked (a revoked code lets no one else in).
- users.agency_joined_at: when a worker joined their agency (null where not known).
- partnership_handovers: an admin's request to move a partnership to another worker of the
  agency, and the peer's decision; kept as the partnership's history.

Revision ID: 0014_agency_console
Revises: 0013_push
Create Date: 2026-12-03 06:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_agency_console'
down_revision = '0013_push'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('agencies', sa.Column('own_content_first', sa.Boolean(),
                                        server_default=sa.text('true'), nullable=False))
    op.add_column('agency_join_codes', sa.Column('label', sa.String(length=80), nullable=True))
    op.add_column('agency_join_codes', sa.Column('uses', sa.Integer(),
                                                 server_default=sa.text('0'), nullable=False))
    op.add_column('agency_join_codes',
                  sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('users', sa.Column('agency_joined_at', sa.DateTime(timezone=True),
                                     nullable=True))
    op.create_table(
        'partnership_handovers',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('partnership_id', sa.Uuid(), nullable=False),
        sa.Column('agency_id', sa.Uuid(), nullable=False),
        sa.Column('from_worker_id', sa.Uuid(), nullable=True),
        sa.Column('to_worker_id', sa.Uuid(), nullable=True),
        sa.Column('asked_by', sa.Uuid(), nullable=True),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('waiting', 'accepted', 'declined', 'cancelled')",
                           name=op.f('ck_partnership_handovers_status')),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], ondelete='CASCADE',
                                name=op.f('fk_partnership_handovers_partnership_id_partnerships')),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ondelete='CASCADE',
                                name=op.f('fk_partnership_handovers_agency_id_agencies')),
        sa.ForeignKeyConstraint(['from_worker_id'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_partnership_handovers_from_worker_id_users')),
        sa.ForeignKeyConstraint(['to_worker_id'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_partnership_handovers_to_worker_id_users')),
        sa.ForeignKeyConstraint(['asked_by'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_partnership_handovers_asked_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partnership_handovers')),
    )
    with op.batch_alter_table('partnership_handovers') as batch_op:
        batch_op.create_index(batch_op.f('ix_partnership_handovers_partnership_id'),
                              ['partnership_id'])
        batch_op.create_index(batch_op.f('ix_partnership_handovers_agency_id'), ['agency_id'])
        batch_op.create_index(batch_op.f('ix_partnership_handovers_to_worker_id'),
                              ['to_worker_id'])
        batch_op.create_index('uq_partnership_handovers_waiting', ['partnership_id'],
                              unique=True, sqlite_where=sa.text("status = 'waiting'"),
                              postgresql_where=sa.text("status = 'waiting'"))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of users would trip its foreign keys.
    op.drop_table('partnership_handovers')
    op.drop_column('users', 'agency_joined_at')
    op.drop_column('agency_join_codes', 'revoked_at')
    op.drop_column('agency_join_codes', 'uses')
    op.drop_column('agency_join_codes', 'label')
    op.drop_column('agencies', 'own_content_first')
