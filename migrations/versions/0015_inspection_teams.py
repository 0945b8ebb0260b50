"""inspection teams (督导组)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

inspection_member holds the 组员 of an inspection's 督导组 beside its inspector (who stays its 组长),
with when each marked their part 已完成; inspection_section_assignment gives a section of the
inspection's checklist to one member (a section given to nobody is the 组长's). Existing inspections
get no rows: each is filled by its inspector alone, as before.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inspection_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_member_inspection_id_inspection'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_inspection_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_member')),
    sa.UniqueConstraint('inspection_id', 'user_id', name=op.f('uq_inspection_member_inspection_id_user_id'))
    )
    with op.batch_alter_table('inspection_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_member_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_member_user_id'), ['user_id'], unique=False)

    op.create_table('inspection_section_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_section_assignment_inspection_id_inspection'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['inspection_member.id'], name=op.f('fk_inspection_section_assignment_member_id_inspection_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['section_id'], ['checklist_section.id'], name=op.f('fk_inspection_section_assignment_section_id_checklist_section'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_section_assignment')),
    sa.UniqueConstraint('inspection_id', 'section_id', name=op.f('uq_inspection_section_assignment_inspection_id_section_id'))
    )
    with op.batch_alter_table('inspection_section_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_section_assignment_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_section_assignment_member_id'), ['member_id'], unique=False)


def downgrade():
    with op.batch_alter_table('inspection_section_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_section_assignment_member_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_section_assignment_inspection_id'))

    op.drop_table('inspection_section_assignment')
    with op.batch_alter_table('inspection_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_member_inspection_id'))

    op.drop_table('inspection_member')
