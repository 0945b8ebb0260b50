"""报送 tasks: the office collects files, forms and tables from schools by a date

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

report_task holds what the office asks for (a file, a form's questions, or a table's Excel template
and its header), the deadline and, in words, which schools; report_answer one row per school it was
sent to: its state, what it handed in (form values, table rows, the stored file), the office's
return comment, and its reminders (count and the county day of the last, one a day). New tables
only: existing rows are untouched.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('FILE', 'FORM', 'TABLE', name='taskkind', native_enum=False, length=24), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('audience', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_report_task_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['attachment.id'], name=op.f('fk_report_task_template_id_attachment'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_task')),
    sa.UniqueConstraint('client_key', name=op.f('uq_report_task_client_key'))
    )
    with op.batch_alter_table('report_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_task_due_date'), ['due_date'], unique=False)

    op.create_table('report_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'SUBMITTED', 'RETURNED', name='answerstatus', native_enum=False, length=24), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_comment', sa.Text(), nullable=False),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_report_answer_attachment_id_attachment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_report_answer_school_id_school'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_report_answer_submitted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['report_task.id'], name=op.f('fk_report_answer_task_id_report_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_answer')),
    sa.UniqueConstraint('client_key', name=op.f('uq_report_answer_client_key')),
    sa.UniqueConstraint('task_id', 'school_id', name=op.f('uq_report_answer_task_id_school_id'))
    )
    with op.batch_alter_table('report_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_answer_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_answer_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_answer_task_id'), ['task_id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_answer_task_id'))
        batch_op.drop_index(batch_op.f('ix_report_answer_status'))
        batch_op.drop_index(batch_op.f('ix_report_answer_school_id'))

    op.drop_table('report_answer')
    with op.batch_alter_table('report_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_task_due_date'))

    op.drop_table('report_task')
