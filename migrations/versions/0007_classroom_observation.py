"""classroom observation (推门听课)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

Rubrics are checklist templates of a new kind (checklist_template.kind, existing rows CHECKLIST),
and every template version names the result below its last band (below_band, existing rows
不合格). Schools get their classes (with an optional timetable) and teachers. An observation keeps
its rubric version, its scores (one row per dimension, revision-checked like inspection answers),
a quick log, the feedback and the school's acknowledgement; observation_quota holds the office's
lessons-per-semester figure for each observing role.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('observation_quota',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('ADMIN', 'INSPECTOR', 'PRINCIPAL', 'LEADER', name='role', native_enum=False, length=24), nullable=False),
    sa.Column('per_semester', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation_quota')),
    sa.UniqueConstraint('role', name=op.f('uq_observation_quota_role'))
    )
    op.create_table('school_class',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_school_class_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_class')),
    sa.UniqueConstraint('school_id', 'grade', 'name', name=op.f('uq_school_class_school_id_grade_name'))
    )
    with op.batch_alter_table('school_class', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_class_school_id'), ['school_id'], unique=False)

    op.create_table('teacher',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_teacher_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teacher')),
    sa.UniqueConstraint('school_id', 'name', name=op.f('uq_teacher_school_id_name'))
    )
    with op.batch_alter_table('teacher', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teacher_school_id'), ['school_id'], unique=False)

    op.create_table('timetable_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_timetable_slot_class_id_school_class'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timetable_slot')),
    sa.UniqueConstraint('class_id', 'weekday', 'period', name=op.f('uq_timetable_slot_class_id_weekday_period'))
    )
    op.create_table('observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('observer_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=True),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.Column('teacher_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('DRAFT', 'FINAL', name='observationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=True),
    sa.Column('class_label', sa.String(length=40), nullable=False),
    sa.Column('teacher_name', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.Column('topic', sa.String(length=120), nullable=False),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('suggestions', sa.Text(), nullable=False),
    sa.Column('total', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('grade', sa.String(length=20), nullable=True),
    sa.Column('feedback_way', sa.Enum('IN_PERSON', 'WRITTEN', 'PHONE', 'ONLINE', name='feedbackway', native_enum=False, length=24), nullable=True),
    sa.Column('feedback_on', sa.Date(), nullable=True),
    sa.Column('feedback_note', sa.Text(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('last_key', sa.String(length=36), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['user.id'], name=op.f('fk_observation_acknowledged_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_observation_class_id_school_class'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draw_id'], ['draw.id'], name=op.f('fk_observation_draw_id_draw'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['observer_id'], ['user.id'], name=op.f('fk_observation_observer_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_observation_school_id_school'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher.id'], name=op.f('fk_observation_teacher_id_teacher'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['template_version.id'], name=op.f('fk_observation_version_id_template_version'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation')),
    sa.UniqueConstraint('client_key', name=op.f('uq_observation_client_key'))
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_grade'), ['grade'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_observed_on'), ['observed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_observer_id'), ['observer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_subject'), ['subject'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_version_id'), ['version_id'], unique=False)

    op.create_table('observation_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('observation_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('client_key', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['observation_id'], ['observation.id'], name=op.f('fk_observation_log_observation_id_observation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation_log')),
    sa.UniqueConstraint('observation_id', 'client_key', name=op.f('uq_observation_log_observation_id_client_key'))
    )
    op.create_table('observation_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('observation_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('last_key', sa.String(length=36), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_item.id'], name=op.f('fk_observation_score_item_id_checklist_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['observation_id'], ['observation.id'], name=op.f('fk_observation_score_observation_id_observation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation_score')),
    sa.UniqueConstraint('observation_id', 'item_id', name=op.f('uq_observation_score_observation_id_item_id'))
    )
    with op.batch_alter_table('observation_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_score_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('CHECKLIST', 'RUBRIC', name='templatekind', native_enum=False, length=24), server_default='CHECKLIST', nullable=False))

    with op.batch_alter_table('template_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('below_band', sa.String(length=20), server_default='不合格', nullable=False))



def downgrade():
    with op.batch_alter_table('template_version', schema=None) as batch_op:
        batch_op.drop_column('below_band')

    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('observation_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observation_score_item_id'))

    op.drop_table('observation_score')
    op.drop_table('observation_log')
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observation_version_id'))
        batch_op.drop_index(batch_op.f('ix_observation_subject'))
        batch_op.drop_index(batch_op.f('ix_observation_school_id'))
        batch_op.drop_index(batch_op.f('ix_observation_observer_id'))
        batch_op.drop_index(batch_op.f('ix_observation_observed_on'))
        batch_op.drop_index(batch_op.f('ix_observation_grade'))

    op.drop_table('observation')
    op.drop_table('timetable_slot')
    with op.batch_alter_table('teacher', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teacher_school_id'))

    op.drop_table('teacher')
    with op.batch_alter_table('school_class', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_class_school_id'))

    op.drop_table('school_class')
    op.drop_table('observation_quota')
