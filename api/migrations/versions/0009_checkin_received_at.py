"""a check-in keeps when it was made and when the server received it

- checkins.received_at: when the server stored it. `created_at` stays the time the check-in
  was made, which for one written offline is earlier (the phone sends it as `made_at`).
  Existing check-ins were made when they were received.

Revision ID: 0009_checkin_received_at
Revises: 0008_erasure
Create Date: 2026-12-02 16:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_checkin_received_at'
down_revision = '0008_erasure'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (never batch mode's copy: see 0008), so the column stays nullable.
    op.add_column('checkins', sa.Column('received_at', sa.DateTime(timezone=True),
                                        nullable=True))
    op.execute('UPDATE checkins SET received_at = created_at')


def downgrade():
    op.drop_column('checkins', 'received_at')
