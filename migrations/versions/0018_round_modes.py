"""rounds get a mode (督导方式)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

supervision_round gains `mode` (期末督导 / 过程督导 / 学区督导 / 校内督导 / 挂牌督导, stored by name)
beside its kind, indexed for the overview's filter. Existing rounds were all planned by the county
office to produce results and circulars: they get TERM_END (期末督导); the office can tell them
apart from new rounds by their dates and correct none of their results.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

MODES = ('TERM_END', 'PROCESS', 'DISTRICT', 'SELF', 'LISTED')


def upgrade():
    with op.batch_alter_table('supervision_round', schema=None) as batch_op:
        # The server default fills the existing rows, then goes: the application always names the mode.
        batch_op.add_column(sa.Column('mode', sa.Enum(*MODES, name='roundmode', native_enum=False, length=24),
                                      nullable=False, server_default='TERM_END'))
        batch_op.create_index(batch_op.f('ix_supervision_round_mode'), ['mode'], unique=False)
    with op.batch_alter_table('supervision_round', schema=None) as batch_op:
        batch_op.alter_column('mode', server_default=None)


def downgrade():
    with op.batch_alter_table('supervision_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_round_mode'))
        batch_op.drop_column('mode')
