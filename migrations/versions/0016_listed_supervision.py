"""挂牌督导: the 责任督学's visits, their portraits and the batch of school signs

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

New tables only: supervision_visit (one visit of a 责任督学 to a school: day, the 督导事项 checked,
findings, suggestions, an optional rectification item raised, the form's one-time key),
supervision_visit_photo (its photos, one-time key per visit), inspector_portrait (one portrait per
inspector for the signs) and sign_job (the background batch of every school's sign). No existing
table changes; existing schools start with no visits (every one shows as due a visit).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inspector_portrait',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('thumbnail_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_inspector_portrait_attachment_id_attachment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['thumbnail_id'], ['attachment.id'], name=op.f('fk_inspector_portrait_thumbnail_id_attachment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_inspector_portrait_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_inspector_portrait'))
    )
    op.create_table('sign_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('QUEUED', 'RUNNING', 'DONE', 'FAILED', name='jobstatus', native_enum=False, length=24), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('pdf_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_sign_job_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pdf_id'], ['attachment.id'], name=op.f('fk_sign_job_pdf_id_attachment'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_job')),
    sa.UniqueConstraint('client_key', name=op.f('uq_sign_job_client_key'))
    )
    with op.batch_alter_table('sign_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_job_status'), ['status'], unique=False)

    op.create_table('supervision_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('checked', sa.JSON(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('suggestions', sa.Text(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_supervision_visit_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['inspector_id'], ['user.id'], name=op.f('fk_supervision_visit_inspector_id_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectification_item.id'], name=op.f('fk_supervision_visit_rectification_id_rectification_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_supervision_visit_school_id_school'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_visit')),
    sa.UniqueConstraint('client_key', name=op.f('uq_supervision_visit_client_key'))
    )
    with op.batch_alter_table('supervision_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_visit_inspector_id'), ['inspector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_visit_rectification_id'), ['rectification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_visit_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_visit_visited_on'), ['visited_on'], unique=False)

    op.create_table('supervision_visit_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('thumbnail_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_supervision_visit_photo_attachment_id_attachment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['thumbnail_id'], ['attachment.id'], name=op.f('fk_supervision_visit_photo_thumbnail_id_attachment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['visit_id'], ['supervision_visit.id'], name=op.f('fk_supervision_visit_photo_visit_id_supervision_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_visit_photo')),
    sa.UniqueConstraint('visit_id', 'client_key', name=op.f('uq_supervision_visit_photo_visit_id_client_key'))
    )
    with op.batch_alter_table('supervision_visit_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_visit_photo_visit_id'), ['visit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('supervision_visit_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_visit_photo_visit_id'))

    op.drop_table('supervision_visit_photo')
    with op.batch_alter_table('supervision_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_visit_visited_on'))
        batch_op.drop_index(batch_op.f('ix_supervision_visit_school_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_visit_rectification_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_visit_inspector_id'))

    op.drop_table('supervision_visit')
    with op.batch_alter_table('sign_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_job_status'))

    op.drop_table('sign_job')
    op.drop_table('inspector_portrait')
