"""checklists name the kinds of school they fit; items N/A for named kinds

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

checklist_template gains school_kinds (the SchoolKind names the checklist is written for) and
checklist_item gains na_kinds (the kinds an item does not apply to: N/A there, out of the score).
Existing templates get [] (fit every kind, as before) and existing items [] (apply everywhere), so
existing inspections score exactly as they did; the office names the kinds in the editor.
Downgrading drops both columns: what the office named is lost, and inspections at a school of a
kind an item was N/A for score that item again (as 0009's copy of the rules does).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('school_kinds', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))

    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('na_kinds', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade():
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_column('na_kinds')

    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.drop_column('school_kinds')
