"""a worker can cancel an invite before anyone uses it

- invites.revoked_at: when the worker cancelled it (null while it stands). A cancelled
  invite opens nothing, and is no longer listed as pending.

Revision ID: 0011_invite_revoked_at
Revises: 0010_content_audience
Create Date: 2026-12-02 23:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_invite_revoked_at'
down_revision = '0010_content_audience'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column with no default: a plain ALTER TABLE on SQLite and PostgreSQL alike.
    op.add_column('invites', sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('invites', 'revoked_at')
