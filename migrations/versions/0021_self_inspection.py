"""学校自查 (self-inspection)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06

inspection gains `purpose` (OFFICIAL 督导检查 / SELF 学校自查): existing inspections are all the
office's own, so every row gets OFFICIAL (the server default). self_check holds what only a
self-check has (which school, the round it prepares or none, the date it is due, who asked, the
request's one-time key), one row per inspection of purpose SELF; self_check_member the school staff
its principal named to fill it; self_check_file its written 自查报告 (an Attachment, with a thumbnail
when it is a photo). No existing rows go into the new tables.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.Enum('OFFICIAL', 'SELF', name='purpose', native_enum=False, length=24),
                                      server_default='OFFICIAL', nullable=False))
        batch_op.create_index(batch_op.f('ix_inspection_purpose'), ['purpose'], unique=False)

    op.create_table('self_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_self_check_inspection_id_inspection'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_self_check_requested_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['supervision_round.id'], name=op.f('fk_self_check_round_id_supervision_round'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_self_check_school_id_school'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_check')),
    sa.UniqueConstraint('client_key', name=op.f('uq_self_check_client_key')),
    sa.UniqueConstraint('inspection_id', name=op.f('uq_self_check_inspection_id')),
    sa.UniqueConstraint('round_id', 'school_id', name=op.f('uq_self_check_round_id_school_id'))
    )
    with op.batch_alter_table('self_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_check_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_self_check_school_id'), ['school_id'], unique=False)

    op.create_table('self_check_member',
    sa.Column('self_check_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['self_check_id'], ['self_check.id'], name=op.f('fk_self_check_member_self_check_id_self_check'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_self_check_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('self_check_id', 'user_id', name=op.f('pk_self_check_member'))
    )

    op.create_table('self_check_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('self_check_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('thumbnail_id', sa.Integer(), nullable=True),
    sa.Column('client_key', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_self_check_file_attachment_id_attachment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['self_check_id'], ['self_check.id'], name=op.f('fk_self_check_file_self_check_id_self_check'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thumbnail_id'], ['attachment.id'], name=op.f('fk_self_check_file_thumbnail_id_attachment'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_check_file')),
    sa.UniqueConstraint('self_check_id', 'client_key', name=op.f('uq_self_check_file_self_check_id_client_key'))
    )
    with op.batch_alter_table('self_check_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_check_file_self_check_id'), ['self_check_id'], unique=False)


def downgrade():
    with op.batch_alter_table('self_check_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_check_file_self_check_id'))
    op.drop_table('self_check_file')
    op.drop_table('self_check_member')
    with op.batch_alter_table('self_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_check_school_id'))
        batch_op.drop_index(batch_op.f('ix_self_check_round_id'))
    op.drop_table('self_check')

    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_purpose'))
        batch_op.drop_column('purpose')
