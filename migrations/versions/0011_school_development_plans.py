"""school development plans (一校一规划)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23

The school's three-year development plan (一校一规划): plans per school and period, goals by
the nine dimensions, milestones (已逾期 is derived, the table refuses it), progress updates and
evidence files, workflow events with comments per goal, revisions after approval (the approved
baseline is kept on the plan), annual self-assessments, the office's evaluations with a rating per
dimension, and the link from a rectification item to the milestone that addresses it; see
portal/plans.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'SUBMITTED', 'RETURNED', 'APPROVED', name='planstatus', native_enum=False, length=24), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('based_on_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('baseline', sa.JSON(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['based_on_id'], ['plan.id'], name=op.f('fk_plan_based_on_id_plan'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_plan_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_plan_reviewer_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_plan_school_id_school'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan')),
    sa.UniqueConstraint('client_key', name=op.f('uq_plan_client_key')),
    sa.UniqueConstraint('school_id', 'start_year', name=op.f('uq_plan_school_id_start_year'))
    )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_status'), ['status'], unique=False)

    op.create_table('plan_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('MIDTERM', 'FINAL', name='evaluationkind', native_enum=False, length=24), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluator_id'], ['user.id'], name=op.f('fk_plan_evaluation_evaluator_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_evaluation_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_evaluation')),
    sa.UniqueConstraint('plan_id', 'kind', name=op.f('uq_plan_evaluation_plan_id_kind'))
    )
    with op.batch_alter_table('plan_evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_evaluation_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Enum('CREATE', 'SUBMIT', 'RETURN', 'APPROVE', name='planstep', native_enum=False, length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_plan_event_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_event_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_event')),
    sa.UniqueConstraint('client_key', name=op.f('uq_plan_event_client_key'))
    )
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_event_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.Enum('DIRECTION', 'CONDUCT', 'MANAGEMENT', 'TEACHING', 'RESEARCH', 'GROUP', 'TEACHERS', 'STUDENTS', 'EVALUATION', name='dimension', native_enum=False, length=24), nullable=False),
    sa.Column('dimension_order', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_goal_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_goal')),
    sa.UniqueConstraint('client_key', name=op.f('uq_plan_goal_client_key'))
    )
    with op.batch_alter_table('plan_goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_goal_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_plan_revision_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_revision_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_revision'))
    )
    with op.batch_alter_table('plan_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_revision_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_evaluation_rating',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.Enum('DIRECTION', 'CONDUCT', 'MANAGEMENT', 'TEACHING', 'RESEARCH', 'GROUP', 'TEACHERS', 'STUDENTS', 'EVALUATION', name='dimension', native_enum=False, length=24), nullable=False),
    sa.Column('dimension_order', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Enum('EXCELLENT', 'GOOD', 'PASS', 'FAIL', name='rating', native_enum=False, length=24), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['plan_evaluation.id'], name=op.f('fk_plan_evaluation_rating_evaluation_id_plan_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evaluation_id', 'dimension', name=op.f('pk_plan_evaluation_rating'))
    )
    op.create_table('plan_goal_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['plan_event.id'], name=op.f('fk_plan_goal_comment_event_id_plan_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goal.id'], name=op.f('fk_plan_goal_comment_goal_id_plan_goal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_goal_comment'))
    )
    with op.batch_alter_table('plan_goal_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_goal_comment_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_goal_comment_goal_id'), ['goal_id'], unique=False)

    op.create_table('plan_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('term', sa.String(length=6), nullable=True),
    sa.Column('owner', sa.String(length=40), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('NOT_STARTED', 'IN_PROGRESS', 'DONE', 'OVERDUE', 'NOT_MET', name='milestonestatus', native_enum=False, length=24), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status != 'OVERDUE'", name=op.f('ck_plan_milestone_overdue_is_derived')),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goal.id'], name=op.f('fk_plan_milestone_goal_id_plan_goal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_milestone')),
    sa.UniqueConstraint('client_key', name=op.f('uq_plan_milestone_client_key'))
    )
    with op.batch_alter_table('plan_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_milestone_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_milestone_goal_id'), ['goal_id'], unique=False)

    op.create_table('plan_self_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Enum('MET', 'PARTLY', 'NOT_MET', name='goalrating', native_enum=False, length=24), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('year BETWEEN 1 AND 3', name=op.f('ck_plan_self_assessment_plan_year')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_plan_self_assessment_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goal.id'], name=op.f('fk_plan_self_assessment_goal_id_plan_goal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_self_assessment')),
    sa.UniqueConstraint('goal_id', 'year', name=op.f('uq_plan_self_assessment_goal_id_year'))
    )
    with op.batch_alter_table('plan_self_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_self_assessment_goal_id'), ['goal_id'], unique=False)

    op.create_table('plan_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('thumbnail_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_plan_file_attachment_id_attachment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['milestone_id'], ['plan_milestone.id'], name=op.f('fk_plan_file_milestone_id_plan_milestone'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thumbnail_id'], ['attachment.id'], name=op.f('fk_plan_file_thumbnail_id_attachment'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_file')),
    sa.UniqueConstraint('milestone_id', 'client_key', name=op.f('uq_plan_file_milestone_id_client_key'))
    )
    with op.batch_alter_table('plan_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_file_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('plan_milestone_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('NOT_STARTED', 'IN_PROGRESS', 'DONE', 'OVERDUE', 'NOT_MET', name='milestonestatus', native_enum=False, length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_plan_milestone_update_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['milestone_id'], ['plan_milestone.id'], name=op.f('fk_plan_milestone_update_milestone_id_plan_milestone'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_milestone_update')),
    sa.UniqueConstraint('client_key', name=op.f('uq_plan_milestone_update_client_key'))
    )
    with op.batch_alter_table('plan_milestone_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_milestone_update_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('milestone_rectification',
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['plan_milestone.id'], name=op.f('fk_milestone_rectification_milestone_id_plan_milestone'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectification_item.id'], name=op.f('fk_milestone_rectification_rectification_id_rectification_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rectification_id', name=op.f('pk_milestone_rectification'))
    )
    with op.batch_alter_table('milestone_rectification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_rectification_milestone_id'), ['milestone_id'], unique=False)



def downgrade():
    with op.batch_alter_table('milestone_rectification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_rectification_milestone_id'))

    op.drop_table('milestone_rectification')
    with op.batch_alter_table('plan_milestone_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_milestone_update_milestone_id'))

    op.drop_table('plan_milestone_update')
    with op.batch_alter_table('plan_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_file_milestone_id'))

    op.drop_table('plan_file')
    with op.batch_alter_table('plan_self_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_self_assessment_goal_id'))

    op.drop_table('plan_self_assessment')
    with op.batch_alter_table('plan_milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_milestone_goal_id'))
        batch_op.drop_index(batch_op.f('ix_plan_milestone_due_date'))

    op.drop_table('plan_milestone')
    with op.batch_alter_table('plan_goal_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_goal_comment_goal_id'))
        batch_op.drop_index(batch_op.f('ix_plan_goal_comment_event_id'))

    op.drop_table('plan_goal_comment')
    op.drop_table('plan_evaluation_rating')
    with op.batch_alter_table('plan_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_revision_plan_id'))

    op.drop_table('plan_revision')
    with op.batch_alter_table('plan_goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_goal_plan_id'))

    op.drop_table('plan_goal')
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_event_plan_id'))

    op.drop_table('plan_event')
    with op.batch_alter_table('plan_evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_evaluation_plan_id'))

    op.drop_table('plan_evaluation')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_status'))
        batch_op.drop_index(batch_op.f('ix_plan_school_id'))

    op.drop_table('plan')
