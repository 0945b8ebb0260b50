"""A covering index for the 推门听课 semester counts: the counts read the index, not the table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_counting', ['observed_on', 'status', 'observer_id', 'school_id', 'subject',
                                                          'class_id', 'grade', 'total'], unique=False)


def downgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_counting')
