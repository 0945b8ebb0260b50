"""checklist templates: versions, sections, items

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Checklist templates (督导检查表): numbered versions, each a tree of sections and items. A
published version is never changed (enforced in portal/models/checklist.py).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checklist_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_template')),
    sa.UniqueConstraint('name', name=op.f('uq_checklist_template_name'))
    )
    op.create_table('template_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'PUBLISHED', 'RETIRED', name='versionstatus', native_enum=False, length=24), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bands', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_template.id'], name=op.f('fk_template_version_template_id_checklist_template'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_version')),
    sa.UniqueConstraint('template_id', 'number', name=op.f('uq_template_version_template_id_number'))
    )
    op.create_table('checklist_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['template_version.id'], name=op.f('fk_checklist_section_version_id_template_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_section'))
    )
    with op.batch_alter_table('checklist_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_section_version_id'), ['version_id'], unique=False)

    op.create_table('checklist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('standard', sa.Text(), nullable=False),
    sa.Column('answer_type', sa.Enum('POINTS', 'RATING', 'GRADE', 'YES_NO', name='answertype', native_enum=False, length=24), nullable=False),
    sa.Column('max_points', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('na_allowed', sa.Boolean(), nullable=False),
    sa.Column('critical', sa.Boolean(), nullable=False),
    sa.Column('evidence', sa.Enum('NONE', 'PHOTO', 'NOTE', 'BOTH', name='evidencerule', native_enum=False, length=24), nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['checklist_section.id'], name=op.f('fk_checklist_item_section_id_checklist_section'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_item'))
    )
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_item_section_id'), ['section_id'], unique=False)



def downgrade():
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_item_section_id'))

    op.drop_table('checklist_item')
    with op.batch_alter_table('checklist_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_section_version_id'))

    op.drop_table('checklist_section')
    op.drop_table('template_version')
    op.drop_table('checklist_template')
