"""content version: one row that changes with public content

Every process keeps public answers in memory (api.public_cache) and checks this row, at most
once a second, to know when they are out of date.

Revision ID: 0006_content_version
Revises: 0005_agency_content
Create Date: 2026-11-24 23:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_content_version'
down_revision = '0005_agency_content'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'content_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 1}])


def downgrade():
    op.drop_table('content_version')
