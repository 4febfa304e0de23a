"""tips and FAQs say whom they are written for

- tips.audience, faqs.audience: "worker" (the peer support worker; every item so far) or
  "peer" (the person they support), so each reads the words meant for them.

Revision ID: 0010_content_audience
Revises: 0009_checkin_received_at
Create Date: 2026-12-02 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_content_audience'
down_revision = '0009_checkin_received_at'
branch_labels = None
depends_on = None

TABLES = ('tips', 'faqs')
CHECK = "audience IN ('worker', 'peer')"


def upgrade():
    # Plain ALTER TABLE, never batch mode's copy (see 0008). SQLite cannot add a constraint
    # afterwards, so there the check goes inline with the column.
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in TABLES:
        if sqlite:
            op.execute(f"ALTER TABLE {table} ADD COLUMN audience VARCHAR(10) DEFAULT 'worker' "
                       f"NOT NULL CONSTRAINT ck_{table}_audience CHECK ({CHECK})")
        else:
            op.add_column(table, sa.Column('audience', sa.String(10), nullable=False,
                                           server_default='worker'))
            op.create_check_constraint(f'ck_{table}_audience', table, CHECK)


def downgrade():
    for table in TABLES:
        if op.get_bind().dialect.name != 'sqlite':
            op.drop_constraint(f'ck_{table}_audience', table, type_='check')
        op.drop_column(table, 'audience')
