"""inspections, their answers and photo evidence

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

An inspection keeps the template version it was started on (RESTRICT: a used version cannot be
deleted). One answer per item with a revision counter (concurrent-edit check) and the key of the
last save applied (idempotent autosave); photos are pairs of attachments (picture, thumbnail).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'SUBMITTED', 'RETURNED', 'APPROVED', name='inspectionstatus', native_enum=False, length=24), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['inspector_id'], ['user.id'], name=op.f('fk_inspection_inspector_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_inspection_reviewed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_inspection_school_id_school'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['template_version.id'], name=op.f('fk_inspection_version_id_template_version'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection')),
    sa.UniqueConstraint('client_key', name=op.f('uq_inspection_client_key'))
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_inspector_id'), ['inspector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_version_id'), ['version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_visit_date'), ['visit_date'], unique=False)

    op.create_table('inspection_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=20), nullable=True),
    sa.Column('na', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('last_key', sa.String(length=36), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_answer_inspection_id_inspection'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_item.id'], name=op.f('fk_inspection_answer_item_id_checklist_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_inspection_answer_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_answer')),
    sa.UniqueConstraint('inspection_id', 'item_id', name=op.f('uq_inspection_answer_inspection_id_item_id'))
    )
    with op.batch_alter_table('inspection_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_answer_item_id'), ['item_id'], unique=False)

    op.create_table('evidence_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('thumbnail_id', sa.Integer(), nullable=False),
    sa.Column('client_key', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['inspection_answer.id'], name=op.f('fk_evidence_photo_answer_id_inspection_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_evidence_photo_attachment_id_attachment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['thumbnail_id'], ['attachment.id'], name=op.f('fk_evidence_photo_thumbnail_id_attachment'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_photo')),
    sa.UniqueConstraint('answer_id', 'client_key', name=op.f('uq_evidence_photo_answer_id_client_key'))
    )
    with op.batch_alter_table('evidence_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_photo_answer_id'), ['answer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evidence_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_photo_answer_id'))

    op.drop_table('evidence_photo')
    with op.batch_alter_table('inspection_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_answer_item_id'))

    op.drop_table('inspection_answer')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_visit_date'))
        batch_op.drop_index(batch_op.f('ix_inspection_version_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_school_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_inspector_id'))

    op.drop_table('inspection')
