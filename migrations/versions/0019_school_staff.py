"""a school's 中层 (学校中层) accounts

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

user.role gains STAFF (学校中层: 教导主任, 政教主任, 教研组长 …), who 推门听课 at their own school:
like a principal, such an account must name its school (check constraint staff_has_school). The
role column is a VARCHAR holding the enum's name, so the new value needs no change to it. Existing
rows are all of the four earlier roles and meet the new constraint as they are.

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_user_staff_has_school'), "role != 'STAFF' OR school_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_staff_has_school'), type_='check')
