"""erasure removes a person's words from shared goals and milestones

- milestones.created_by: who wrote it, filled in for existing milestones from the audit
  trail's `milestone.create` events (null where none is found).
- goals.title_by, goals.why_by, milestones.title_by: who last wrote each text, so an edit
  is erased with its editor's account; existing rows start as their creator's words.
- goals.words_removed_at, milestones.words_removed_at: when the writer's words were blanked
  because they erased their account.

Revision ID: 0008_erasure
Revises: 0007_sign_in_and_insights
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_erasure'
down_revision = '0007_sign_in_and_insights'
branch_labels = None
depends_on = None

_milestones = sa.table('milestones', sa.column('id', sa.Uuid()),
                       sa.column('created_by', sa.Uuid()))
_users = sa.table('users', sa.column('id', sa.Uuid()))
_audit_events = sa.table('audit_events', sa.column('actor_id', sa.Uuid()),
                         sa.column('action', sa.String()), sa.column('object_type', sa.String()),
                         sa.column('object_id', sa.String()))


def upgrade():
    # Plain ALTER TABLE, never batch mode's copy of the table: on SQLite, dropping the old
    # copy with foreign keys on would delete or unlink every row that points at it. SQLite
    # cannot add a constraint afterwards, so there the reference goes inline with the column.
    inline = op.get_bind().dialect.name == 'sqlite'
    op.add_column('milestones', sa.Column(
        'created_by', sa.Uuid(),
        sa.ForeignKey('users.id', name=op.f('fk_milestones_created_by_users')), nullable=True),
        inline_references=inline)
    for table in ('goals', 'milestones'):
        op.add_column(table, sa.Column('words_removed_at', sa.DateTime(timezone=True),
                                       nullable=True))
    for table, column in (('goals', 'title_by'), ('goals', 'why_by'), ('milestones', 'title_by')):
        op.add_column(table, sa.Column(
            column, sa.Uuid(),
            sa.ForeignKey('users.id', name=op.f(f'fk_{table}_{column}_users')), nullable=True),
            inline_references=inline)
    backfill_milestone_authors(op.get_bind())
    # Until now every text was its creator's: edits left no trace of who made them.
    op.execute('UPDATE goals SET title_by = created_by')
    op.execute('UPDATE goals SET why_by = created_by WHERE why IS NOT NULL')
    op.execute('UPDATE milestones SET title_by = created_by')


def downgrade():
    for table, column in (('goals', 'title_by'), ('goals', 'why_by'), ('milestones', 'title_by')):
        op.drop_column(table, column)
    for table in ('goals', 'milestones'):
        op.drop_column(table, 'words_removed_at')
    op.drop_column('milestones', 'created_by')


def backfill_milestone_authors(connection) -> None:
    """Fill in who made each milestone from the audit trail, where it recorded one.

    Done in Python: the trail keeps object ids as dashed text, while SQLite keeps UUID
    columns as 32 hex digits, so comparing them in SQL would differ by database.
    """
    creators = dict(connection.execute(
        sa.select(_audit_events.c.object_id, _audit_events.c.actor_id)
        .join(_users, _users.c.id == _audit_events.c.actor_id)  # still a user: a valid reference
        .where(_audit_events.c.action == 'milestone.create',
               _audit_events.c.object_type == 'milestone')).all())
    unknown = connection.scalars(
        sa.select(_milestones.c.id).where(_milestones.c.created_by.is_(None))).all()
    found = [{'milestone_id': milestone_id, 'creator': creators[str(milestone_id)]}
             for milestone_id in unknown if str(milestone_id) in creators]
    if found:
        connection.execute(
            _milestones.update().where(_milestones.c.id == sa.bindparam('milestone_id'))
            .values(created_by=sa.bindparam('creator')), found)
