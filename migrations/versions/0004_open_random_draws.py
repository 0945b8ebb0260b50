"""open random draws

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

A draw is kept whole (candidates in order, count, seed, result, who and when) so that anyone
can run it again from the record; see portal/draws.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('draw',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=100), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('picked', sa.JSON(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['user.id'], name=op.f('fk_draw_drawn_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_draw_school_id_school'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draw'))
    )
    with op.batch_alter_table('draw', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draw_school_id'), ['school_id'], unique=False)



def downgrade():
    with op.batch_alter_table('draw', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draw_school_id'))

    op.drop_table('draw')
