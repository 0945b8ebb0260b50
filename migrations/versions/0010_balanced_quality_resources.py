"""balanced-quality (优质均衡) resource figures

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23

resource_figures holds, per school, year (统计年度) and level (小学 / 初中), the raw figures behind
the seven resource indicators of 教督〔2017〕6号; a 九年一贯制 school has one row per part.
balance_rule holds the office's settings (the 85 % rule for the seventh indicator, the county's own
差异系数 goals); no row means the defaults. School kinds already tell 九年一贯制, 教学点, special and
vocational schools apart, so the school table is unchanged.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('balance_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('remaining_rule', sa.Boolean(), nullable=False),
    sa.Column('remaining_share', sa.Numeric(precision=3, scale=2), nullable=False),
    sa.Column('goal_primary', sa.Numeric(precision=4, scale=3), nullable=True),
    sa.Column('goal_junior', sa.Numeric(precision=4, scale=3), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_balance_rule'))
    )
    op.create_table('resource_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('PRIMARY', 'JUNIOR', name='level', native_enum=False, length=24), nullable=False),
    sa.Column('students', sa.Integer(), nullable=False),
    sa.Column('qualified_teachers', sa.Integer(), nullable=False),
    sa.Column('backbone_teachers', sa.Integer(), nullable=False),
    sa.Column('pe_arts_teachers', sa.Integer(), nullable=False),
    sa.Column('teaching_area', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('sports_area', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('equipment_value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('media_classrooms', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_resource_figures_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_figures')),
    sa.UniqueConstraint('school_id', 'year', 'level', name=op.f('uq_resource_figures_school_id_year_level'))
    )
    with op.batch_alter_table('resource_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_figures_year'), ['year'], unique=False)



def downgrade():
    with op.batch_alter_table('resource_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_figures_year'))

    op.drop_table('resource_figures')
    op.drop_table('balance_rule')
