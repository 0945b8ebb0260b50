"""Inspections keep their result as submitted (percent, band, a critical item failed), so county
figures read one row per inspection instead of scoring every answer again. Inspections already
submitted are scored here with the app's own scoring rules.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('percent', sa.Numeric(precision=5, scale=1), nullable=True))
        batch_op.add_column(sa.Column('band', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('critical_failed', sa.Boolean(), nullable=False, server_default=sa.false()))
    score_submitted()


def score_submitted():
    from portal.models import Answer, Inspection, InspectionStatus, Item, Section
    from portal.supervision import scoring, sheet

    session = Session(bind=op.get_bind())
    done = session.scalars(sa.select(Inspection).where(
        Inspection.status.in_([InspectionStatus.SUBMITTED, InspectionStatus.APPROVED]))).all()
    for inspection in done:
        items = session.scalars(sa.select(Item).join(Item.section).where(Section.version_id == inspection.version_id)).all()
        answers = {a.item_id: a for a in session.scalars(sa.select(Answer).where(Answer.inspection_id == inspection.id))}
        total = scoring.score([sheet.rule(item) for item in items],
                              {item.id: sheet.given(item, answers.get(item.id)) for item in items},
                              inspection.version.bands, inspection.version.below_band)
        inspection.percent, inspection.band = total.percent, total.band
        inspection.critical_failed = bool(total.critical_failures)
    session.flush()


def downgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_column('critical_failed')
        batch_op.drop_column('band')
        batch_op.drop_column('percent')
