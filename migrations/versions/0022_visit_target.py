"""责任督学走访目标 set by the office

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

visit_target holds the office's target of visits per school per semester (one row); no row means the
VISITS_PER_SEMESTER setting, as before, so nothing is copied in.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('visit_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visits_per_semester', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_target'))
    )


def downgrade():
    op.drop_table('visit_target')
