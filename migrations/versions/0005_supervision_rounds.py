"""supervision rounds

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

A round (督导批次) has one template version, a date window and the draw that picked its
schools; each of its inspections points back to it and to the draw that picked its inspector.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervision_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('COMPREHENSIVE', 'SPECIAL', 'RANDOM', 'REGULAR', name='roundkind', native_enum=False, length=24), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('school_draw_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_supervision_round_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_draw_id'], ['draw.id'], name=op.f('fk_supervision_round_school_draw_id_draw'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['template_version.id'], name=op.f('fk_supervision_round_version_id_template_version'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_round')),
    sa.UniqueConstraint('client_key', name=op.f('uq_supervision_round_client_key'))
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('inspector_draw_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_inspection_round_id'), ['round_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_inspection_inspector_draw_id_draw'), 'draw', ['inspector_draw_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_inspection_round_id_supervision_round'), 'supervision_round', ['round_id'], ['id'], ondelete='RESTRICT')



def downgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_inspection_round_id_supervision_round'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_inspection_inspector_draw_id_draw'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_inspection_round_id'))
        batch_op.drop_column('inspector_draw_id')
        batch_op.drop_column('round_id')

    op.drop_table('supervision_round')
