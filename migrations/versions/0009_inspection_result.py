"""Inspections keep their result as submitted (percent, band, a critical item failed), so county
figures read one row per inspection instead of scoring every answer again. Inspections already
submitted are scored here by the scoring rules as they stood at this revision, copied below with
the tables as they stood: a later change to the models or to scoring must not change what this
revision does.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# What this revision reads and writes, as it stood here.
template_version = sa.table('template_version', sa.column('id', sa.Integer), sa.column('bands', sa.JSON),
                            sa.column('below_band', sa.String))
checklist_section = sa.table('checklist_section', sa.column('id', sa.Integer), sa.column('version_id', sa.Integer))
checklist_item = sa.table('checklist_item', sa.column('id', sa.Integer), sa.column('section_id', sa.Integer),
                          sa.column('answer_type', sa.String), sa.column('max_points', sa.Numeric(6, 2)),
                          sa.column('critical', sa.Boolean))
inspection = sa.table('inspection', sa.column('id', sa.Integer), sa.column('version_id', sa.Integer),
                      sa.column('status', sa.String), sa.column('percent', sa.Numeric(5, 1)),
                      sa.column('band', sa.String), sa.column('critical_failed', sa.Boolean))
inspection_answer = sa.table('inspection_answer', sa.column('inspection_id', sa.Integer), sa.column('item_id', sa.Integer),
                             sa.column('value', sa.String), sa.column('na', sa.Boolean))

# The scoring rules at this revision (portal/supervision/scoring.py, and sheet.given for stored answers):
# an item's weight is its maximum; points count as given, a label a share of the maximum; N/A items
# leave the maximum, an unanswered one counts 0; a share below 60 % is not met, and a critical item
# not met puts the inspection below the last band; the percent is rounded half-up to one decimal and
# the band read from it; no applicable item, no percent and no band.
SHARES = {
    'RATING': {'达标': Decimal(1), '基本达标': Decimal('0.6'), '未达标': Decimal(0)},
    'GRADE': {'优': Decimal(1), '良': Decimal('0.8'), '合格': Decimal('0.6'), '不合格': Decimal(0)},
    'YES_NO': {'是': Decimal(1), '否': Decimal(0)},
}
MET_SHARE = Decimal('0.6')


def share(item, answer) -> Decimal | None:
    """The share of the item's maximum earned; None when unanswered (or points that are not a number)."""
    if answer is None or answer.value is None:
        return None
    if item.answer_type != 'POINTS':
        return SHARES[item.answer_type][answer.value]
    try:
        points = Decimal(answer.value)
    except InvalidOperation:
        return None
    return points / item.max_points if item.max_points else Decimal(0)


def scored(items, answers: dict, bands, below: str) -> tuple[Decimal | None, str | None, bool]:
    """An inspection's percent, band and whether a critical item failed."""
    points = maximum = Decimal(0)
    critical_failed = False
    for item in items:
        answer = answers.get(item.id)
        if answer is not None and answer.na:
            continue
        maximum += item.max_points
        earned = share(item, answer)
        if earned is not None:
            points += earned * item.max_points
            critical_failed = critical_failed or (item.critical and earned < MET_SHARE)
    if not maximum:
        return None, None, critical_failed
    percent = (points / maximum * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)
    if critical_failed:
        return percent, below, True
    band = next((name for threshold, name in sorted(bands, key=lambda b: -b[0]) if percent >= Decimal(str(threshold))),
                below)
    return percent, band, False


def upgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('percent', sa.Numeric(precision=5, scale=1), nullable=True))
        batch_op.add_column(sa.Column('band', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('critical_failed', sa.Boolean(), nullable=False, server_default=sa.false()))
    score_submitted()


def score_submitted():
    conn = op.get_bind()
    done = conn.execute(
        sa.select(inspection.c.id, template_version.c.id.label('version_id'), template_version.c.bands,
                  template_version.c.below_band)
        .join(template_version, template_version.c.id == inspection.c.version_id)
        .where(inspection.c.status.in_(['SUBMITTED', 'APPROVED']))).all()
    for row in done:
        items = conn.execute(
            sa.select(checklist_item.c.id, checklist_item.c.answer_type, checklist_item.c.max_points,
                      checklist_item.c.critical)
            .join(checklist_section, checklist_section.c.id == checklist_item.c.section_id)
            .where(checklist_section.c.version_id == row.version_id)).all()
        answers = {a.item_id: a for a in conn.execute(
            sa.select(inspection_answer.c.item_id, inspection_answer.c.value, inspection_answer.c.na)
            .where(inspection_answer.c.inspection_id == row.id))}
        percent, band, critical_failed = scored(items, answers, row.bands, row.below_band)
        conn.execute(inspection.update().where(inspection.c.id == row.id)
                     .values(percent=percent, band=band, critical_failed=critical_failed))


def downgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_column('critical_failed')
        batch_op.drop_column('band')
        batch_op.drop_column('percent')
