"""rectification items

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

Rectification (整改): items made from findings or added freely, the school's evidence files,
the inspection photos linked to an item, and each item's history of steps; see
portal/rectification.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rectification_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('requirement', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('priority', sa.Enum('NORMAL', 'IMPORTANT', 'URGENT', name='priority', native_enum=False, length=24), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'SUBMITTED', 'RETURNED', 'CLOSED', name='rectificationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('report', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_rectification_item_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_rectification_item_inspection_id_inspection'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['inspector_id'], ['user.id'], name=op.f('fk_rectification_item_inspector_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_item.id'], name=op.f('fk_rectification_item_item_id_checklist_item'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_rectification_item_school_id_school'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_rectification_item_submitted_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_item')),
    sa.UniqueConstraint('client_key', name=op.f('uq_rectification_item_client_key'))
    )
    with op.batch_alter_table('rectification_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_item_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_item_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_item_inspector_id'), ['inspector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_item_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_item_status'), ['status'], unique=False)

    op.create_table('rectification_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Enum('CREATE', 'EDIT', 'SUBMIT', 'RETURN', 'CLOSE', name='step', native_enum=False, length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_rectification_event_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectification_item.id'], name=op.f('fk_rectification_event_rectification_id_rectification_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_event')),
    sa.UniqueConstraint('client_key', name=op.f('uq_rectification_event_client_key'))
    )
    with op.batch_alter_table('rectification_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_event_rectification_id'), ['rectification_id'], unique=False)

    op.create_table('rectification_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('thumbnail_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_rectification_file_attachment_id_attachment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectification_item.id'], name=op.f('fk_rectification_file_rectification_id_rectification_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thumbnail_id'], ['attachment.id'], name=op.f('fk_rectification_file_thumbnail_id_attachment'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_file')),
    sa.UniqueConstraint('rectification_id', 'client_key', name=op.f('uq_rectification_file_rectification_id_client_key'))
    )
    with op.batch_alter_table('rectification_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_file_rectification_id'), ['rectification_id'], unique=False)

    op.create_table('rectification_evidence',
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['evidence_photo.id'], name=op.f('fk_rectification_evidence_photo_id_evidence_photo'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectification_item.id'], name=op.f('fk_rectification_evidence_rectification_id_rectification_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rectification_id', 'photo_id', name=op.f('pk_rectification_evidence'))
    )


def downgrade():
    op.drop_table('rectification_evidence')
    with op.batch_alter_table('rectification_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_file_rectification_id'))

    op.drop_table('rectification_file')
    with op.batch_alter_table('rectification_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_event_rectification_id'))

    op.drop_table('rectification_event')
    with op.batch_alter_table('rectification_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_item_status'))
        batch_op.drop_index(batch_op.f('ix_rectification_item_school_id'))
        batch_op.drop_index(batch_op.f('ix_rectification_item_inspector_id'))
        batch_op.drop_index(batch_op.f('ix_rectification_item_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_rectification_item_due_date'))

    op.drop_table('rectification_item')
