"""official documents (公文)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23

Circulars (document): the office's sections, the frozen results table, the 发文字号 given when
issued (unique per prefix, year and sequence) and the stored PDF; document_counter holds the last
sequence per prefix and year; document_recipient each school's delivery, opening, 签收 and
reminders; document_rectification links a circular to the schools' rectification items;
document_job a background batch of per-school notices (progress, failures, the zip).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_counter',
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', 'year', name=op.f('pk_document_counter'))
    )
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'ISSUED', name='documentstatus', native_enum=False, length=24), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('addressee', sa.String(length=200), nullable=False),
    sa.Column('opening', sa.Text(), nullable=False),
    sa.Column('basics', sa.Text(), nullable=False),
    sa.Column('achievements', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('requirements', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('cc', sa.String(length=200), nullable=False),
    sa.Column('attachment_title', sa.String(length=200), nullable=False),
    sa.Column('table', sa.JSON(), nullable=False),
    sa.Column('audience', sa.Enum('ALL', 'ROUND', name='audience', native_enum=False, length=24), nullable=False),
    sa.Column('create_items', sa.Boolean(), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=60), nullable=True),
    sa.Column('issuer', sa.String(length=80), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('pdf_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['corrects_id'], ['document.id'], name=op.f('fk_document_corrects_id_document'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_document_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_document_issued_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pdf_id'], ['attachment.id'], name=op.f('fk_document_pdf_id_attachment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['round_id'], ['supervision_round.id'], name=op.f('fk_document_round_id_supervision_round'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document')),
    sa.UniqueConstraint('client_key', name=op.f('uq_document_client_key')),
    sa.UniqueConstraint('number', name=op.f('uq_document_number')),
    sa.UniqueConstraint('prefix', 'year', 'sequence', name=op.f('uq_document_prefix_year_sequence'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_corrects_id'), ['corrects_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_status'), ['status'], unique=False)

    op.create_table('document_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('QUEUED', 'RUNNING', 'DONE', 'FAILED', name='jobstatus', native_enum=False, length=24), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('zip_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_document_job_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['supervision_round.id'], name=op.f('fk_document_job_round_id_supervision_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['zip_id'], ['attachment.id'], name=op.f('fk_document_job_zip_id_attachment'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_job')),
    sa.UniqueConstraint('client_key', name=op.f('uq_document_job_client_key'))
    )
    with op.batch_alter_table('document_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_job_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_job_status'), ['status'], unique=False)

    op.create_table('document_recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['user.id'], name=op.f('fk_document_recipient_acknowledged_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_recipient_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user.id'], name=op.f('fk_document_recipient_opened_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_document_recipient_school_id_school'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_recipient')),
    sa.UniqueConstraint('document_id', 'school_id', name=op.f('uq_document_recipient_document_id_school_id'))
    )
    with op.batch_alter_table('document_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_recipient_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_recipient_school_id'), ['school_id'], unique=False)

    op.create_table('document_rectification',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_rectification_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectification_item.id'], name=op.f('fk_document_rectification_rectification_id_rectification_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'rectification_id', name=op.f('pk_document_rectification'))
    )


def downgrade():
    op.drop_table('document_rectification')
    with op.batch_alter_table('document_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_recipient_school_id'))
        batch_op.drop_index(batch_op.f('ix_document_recipient_document_id'))

    op.drop_table('document_recipient')
    with op.batch_alter_table('document_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_job_status'))
        batch_op.drop_index(batch_op.f('ix_document_job_round_id'))

    op.drop_table('document_job')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_status'))
        batch_op.drop_index(batch_op.f('ix_document_round_id'))
        batch_op.drop_index(batch_op.f('ix_document_corrects_id'))

    op.drop_table('document')
    op.drop_table('document_counter')
