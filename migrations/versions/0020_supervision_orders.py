"""督办 (supervision orders) and 问责 (accountability)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06

supervision_order records each escalation rule applied to an overdue rectification item, once per
item and rule (unique rectification_id, rule), with the 督办通知 it sent; escalation_run is the
background job of one run of the rules; accountability is an action the office took on a school
(约谈, 通报批评 …), with the items it concerns in accountability_rectification. document gains its
kind: every existing document is a circular (通报), the column's server default.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accountability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.Enum('TALK', 'CRITICISM', 'DEADLINE', 'INSPECTION', 'ASSESSMENT', 'OTHER', name='measure', native_enum=False, length=24), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_accountability_recorded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_accountability_school_id_school'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accountability')),
    sa.UniqueConstraint('client_key', name=op.f('uq_accountability_client_key'))
    )
    with op.batch_alter_table('accountability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accountability_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountability_taken_on'), ['taken_on'], unique=False)

    op.create_table('escalation_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('QUEUED', 'RUNNING', 'DONE', 'FAILED', name='jobstatus', native_enum=False, length=24), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('notices', sa.Integer(), nullable=False),
    sa.Column('leaders', sa.Integer(), nullable=False),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_escalation_run_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_run')),
    sa.UniqueConstraint('client_key', name=op.f('uq_escalation_run_client_key'))
    )
    with op.batch_alter_table('escalation_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_run_status'), ['status'], unique=False)

    op.create_table('accountability_rectification',
    sa.Column('accountability_id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['accountability_id'], ['accountability.id'], name=op.f('fk_accountability_rectification_accountability_id_accountability'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectification_item.id'], name=op.f('fk_accountability_rectification_rectification_id_rectification_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('accountability_id', 'rectification_id', name=op.f('pk_accountability_rectification'))
    )
    op.create_table('supervision_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.Enum('NOTICE', 'LEADERS', name='orderrule', native_enum=False, length=24), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('days_overdue', sa.Integer(), nullable=False),
    sa.Column('new_deadline', sa.Date(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_supervision_order_document_id_document'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectification_item.id'], name=op.f('fk_supervision_order_rectification_id_rectification_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_supervision_order_school_id_school'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_order')),
    sa.UniqueConstraint('rectification_id', 'rule', name=op.f('uq_supervision_order_rectification_id_rule'))
    )
    with op.batch_alter_table('supervision_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_order_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_order_found_on'), ['found_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_order_school_id'), ['school_id'], unique=False)

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('CIRCULAR', 'ORDER', name='documentkind', native_enum=False, length=24),
                                      server_default='CIRCULAR', nullable=False))



def downgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('supervision_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_order_school_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_order_found_on'))
        batch_op.drop_index(batch_op.f('ix_supervision_order_document_id'))

    op.drop_table('supervision_order')
    op.drop_table('accountability_rectification')
    with op.batch_alter_table('escalation_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_run_status'))

    op.drop_table('escalation_run')
    with op.batch_alter_table('accountability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accountability_taken_on'))
        batch_op.drop_index(batch_op.f('ix_accountability_school_id'))

    op.drop_table('accountability')
