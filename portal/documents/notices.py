"""Per-school documents from the same engine: the 督导意见书 and the 整改通知书 of one inspection
(scores by section, the items not met with the inspector's notes, requirements and a deadline,
the photos as a figure page), the 推门听课 feedback sheet of one observation record, and a school's
three-year plan (一校一规划) as a document."""
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Dimension, Inspection, Observation, Plan, PlanStatus, RectificationItem
from ..observations import grading
from ..pdf import engine
from ..pdf.text import Paragraph, chinese_date, chinese_numeral, paragraphs, quoted
from ..plans import progress
from ..rectification import findings, overdue
from ..storage import storage
from ..supervision import sheet
from . import dictionary

KINDS = {"opinion": "督导意见书", "rectification": "整改通知书"}
MAX_PHOTOS = 12
CAPTION_CHARS = 40
CLAUSE_END = re.compile(r"[，。；：,;:]")


@dataclass
class Notice:
    letter: engine.Letter
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    template: str = "pdf/base.html"
    context: dict = field(default_factory=dict)

    def render(self) -> engine.Rendered:
        return engine.render(self.template, self.letter, self.files, **self.context)

    def html(self) -> str:
        return engine.render_html(self.template, self.letter, **self.context)


def number(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def _photos(built: sheet.Sheet) -> tuple[list[dict], dict[str, tuple[bytes, str]]]:
    """The photos of the items not met, as the figure page shows them and the bytes it may read."""
    figures, files = [], {}
    for part in built.parts:
        for row in part.rows:
            if not row.not_met or row.answer is None:
                continue
            for n, photo in enumerate(row.answer.photos, start=1):
                if len(figures) == MAX_PHOTOS:
                    return figures, files
                name = f"photo-{photo.id}"
                files[name] = (storage().path(photo.attachment.storage_key).read_bytes(), photo.attachment.content_type)
                figures.append({"src": f"dudao-file:{name}", "caption": f"图{len(figures) + 1}　{caption(row.item.text)}"})
    return figures, files


class NothingToRectify(ValueError):
    """A 整改通知书 asked for where every item is met."""


def caption(text: str, longest: int = CAPTION_CHARS) -> str:
    """A photo's caption: the item's text, or when that is long its first clause (never cut mid-phrase)."""
    text = text.strip().rstrip("。；;")
    if len(text) <= longest:
        return text
    clause = CLAUSE_END.split(text, maxsplit=1)[0]
    return clause if len(clause) <= longest else text


def occasion(inspection: Inspection) -> str:
    """What the school had: the round's name, or the checklist's name as a 督导检查 (once: a checklist
    named …检查 or …督导 is not followed by 督导检查 again)."""
    if inspection.round:
        return inspection.round.name
    name = inspection.version.template.name
    return name if name.endswith(("督导检查", "督导", "检查", "评估")) else f"{name}督导检查"


def with_findings(inspections: list[Inspection]) -> set[int]:
    """The ids of those inspections where something is not met (what a 整改通知书 needs)."""
    by_version, answers = sheet.answers_of(inspections)
    return {inspection.id for inspection in inspections
            if any(findings.not_met(item, answers.get(inspection.id, {}).get(item.id))
                   for item in by_version.get(inspection.version_id, []))}


def inspection_notice(inspection: Inspection, kind: str, today: date) -> Notice:
    """督导意见书 (kind "opinion") or 整改通知书 ("rectification") to the inspected school."""
    built = sheet.build(inspection)
    school, total = inspection.school.name, built.total
    items = db.session.scalars(select(RectificationItem).where(RectificationItem.inspection_id == inspection.id)
                               .order_by(RectificationItem.id)).all()
    deadline = max((item.due_date for item in items), default=overdue.default_due(today))
    found = [row for part in built.parts for row in part.rows if row.not_met]
    inspector = inspection.inspector.display_name if inspection.inspector else ""
    body = paragraphs(f"{chinese_date(inspection.visit_date)}，督学{inspector}对你校开展了{occasion(inspection)}。"
                      + ("现将督导意见反馈如下。" if kind == "opinion" else "根据督导检查情况，现将整改事项通知如下。"))
    heading = 0

    def section(title: str) -> None:
        nonlocal heading
        heading += 1
        body.append(Paragraph(1, f"{chinese_numeral(heading)}、{title}"))

    figures, files = _photos(built)
    labels = ["附件1", "附件2"] if kind == "opinion" and figures else ["附件"]
    if kind == "opinion":
        section("督导结果")
        result = (f"你校本次督导得分{number(total.points)}分（满分{number(total.max_points)}分），"
                  f"得分率{total.percent}%，等级为{total.band}。" if total.percent is not None else "你校本次督导尚无评分。")
        if total.critical_failures:
            result += "存在一票否决项目未达标。"
        body += paragraphs(result + f"各项得分见{labels[0]}。")
    section("存在问题")
    if not found:
        body += paragraphs("本次督导的各项评估要点均已达到要求。")
    for n, row in enumerate(found, start=1):
        note = (row.answer.note or "").strip() if row.answer else ""
        body.append(Paragraph(2, f"（{chinese_numeral(n)}）{row.item.text.rstrip('。')}。", note))
    requirements = [item.requirement for item in items] or [row.item.standard or f"按{quoted(row.item.text)}的要求整改到位。"
                                                            for row in found]
    if requirements:
        section("整改要求")
        for n, text in enumerate(requirements, start=1):
            body.append(Paragraph(3, f"{n}.", text))
        body += paragraphs(f"请你校于{chinese_date(deadline)}前完成整改，并通过督导工作平台提交整改报告和佐证材料。")
    elif kind == "rectification":
        raise NothingToRectify(f"{school}本次督导没有未达标的评估要点，无需整改通知书。")
    else:
        body += paragraphs("希望你校保持良好做法，持续规范办学行为，不断提高教育质量。")

    attachments = []
    if kind == "opinion":
        rows = [[part.section.title, number(part.score.points), number(part.score.max_points),
                 "—" if part.score.percent is None else f"{part.score.percent}"] for part in built.parts]
        rows.append(["合计", number(total.points), number(total.max_points), f"{total.percent or '—'}"])
        attachments.append(engine.Attachment(f"{school}督导评分表", columns=["一级指标", "得分", "满分", "得分率（%）"],
                                             rows=rows, text_columns=frozenset({0})))
    if figures:
        attachments.append(engine.Attachment(f"{school}督导现场照片", figures=figures))
    config = current_app.config
    letter = engine.Letter(title=f"{school}{KINDS[kind]}", paragraphs=body, issuer=config["DOC_ISSUER"],
                           addressee=school, attachments=attachments, signed_on=today, colophon=False,
                           words=dictionary.words())
    return Notice(letter, files)


def filename(inspection: Inspection, kind: str) -> str:
    return f"{inspection.school.code} {inspection.school.name}{KINDS[kind]}.pdf"


def observation_sheet(observation: Observation) -> Notice:
    """推门听课反馈单: the lesson, its rubric scores and grade, strengths, problems and suggestions."""
    result = grading.result_of(observation)
    points = {score.item_id: score.points for score in observation.scores}
    facts = [("学校", observation.school.name), ("授课教师", observation.teacher_name or "—"),
             ("学科", observation.subject or "—"), ("年级班级", observation.class_label or "—"),
             ("课题", observation.topic or "—"),
             ("听课时间", chinese_date(observation.observed_on) + (f" 第{observation.period}节" if observation.period else "")),
             ("听课人", observation.observer.display_name if observation.observer else "—"),
             ("总分", f"{number(result.total)} / {number(result.max_points)}" + (f"（{result.grade}）" if result.grade else ""))]
    rubric = [[item.text, number(item.max_points), number(points.get(item.id))]
              for item in grading.dimensions(observation.version)]
    body = []
    for n, (title, text) in enumerate((("亮点", observation.strengths), ("问题", observation.problems),
                                       ("建议", observation.suggestions)), start=1):
        body.append(Paragraph(1, f"{chinese_numeral(n)}、{title}"))
        body += paragraphs(text or "无。")
    if observation.feedback_way:
        body += paragraphs(f"已于{chinese_date(observation.feedback_on)}以{observation.feedback_way.value}方式反馈授课教师。"
                           if observation.feedback_on else f"已以{observation.feedback_way.value}方式反馈授课教师。")
    letter = engine.Letter(title="推门听课反馈单", paragraphs=body, issuer=current_app.config["DOC_ISSUER"],
                           signed_on=observation.feedback_on or observation.observed_on, colophon=False)
    rows = [[*facts[n], *facts[n + 1]] if n + 1 < len(facts) else [*facts[n], "", ""] for n in range(0, len(facts), 2)]
    return Notice(letter, template="pdf/feedback.html", context=dict(facts=rows, rubric=rubric))


@dataclass
class PlanGoal:
    heading: Paragraph       # （一）…, the goal's first sentence in 楷体
    milestones: list[list[str]]


PLAN_WIDTHS = {5: [8, 34, 14, 11, 33], 6: [8, 26, 14, 11, 25, 16]}   # per cent, by the number of columns


def plan_document(plan: Plan, today: date) -> Notice:
    """一校一规划 as the school's document: the nine dimensions as headings, each goal with its
    milestones as a table (date, who, the measurable result and, once approved, how far it has got),
    signed by the school on the day it was approved; a plan not yet approved says so under its title.
    An approved plan carries its progress by dimension as the attachment."""
    approved = plan.status is PlanStatus.APPROVED
    parts = []
    for n, dimension in enumerate(Dimension, start=1):
        goals = [goal for goal in plan.goals if goal.dimension is dimension]
        shaped = []
        for g, goal in enumerate(goals, start=1):
            head = paragraphs(f"（{chinese_numeral(g)}）{goal.text}")[0] if goal.text.strip() else Paragraph(2, f"（{chinese_numeral(g)}）")
            rows = [[str(m), milestone.title, _due(milestone), milestone.owner or "—", milestone.result or "—"]
                    + ([_progress(milestone, today)] if approved else [])
                    for m, milestone in enumerate(goal.milestones, start=1)]
            shaped.append(PlanGoal(head, rows))
        parts.append((Paragraph(1, f"{chinese_numeral(n)}、{dimension.value}"), shaped))
    columns = ["序号", "里程碑", "完成时限", "责任人", "可测成果"] + (["完成情况"] if approved else [])
    attachments = []
    if approved:
        summary = progress.summary(plan, today)
        rows = [[dimension.value, str(summary.dimensions[dimension].total), str(summary.dimensions[dimension].done),
                 str(summary.dimensions[dimension].overdue)] for dimension in Dimension]
        rows.append(["合计", str(summary.overall.total), str(summary.overall.done), str(summary.overall.overdue)])
        attachments.append(engine.Attachment(f"{plan.school.name}规划实施进展", lead=[f"截至{chinese_date(today)}。"],
                                             columns=["维度", "里程碑", "已完成", "已逾期"], rows=rows,
                                             text_columns=frozenset({0})))
    signed = clock.local_date(plan.approved_at) if approved and plan.approved_at else today
    state = (f"（{current_app.config['DOC_ISSUER']}{chinese_date(signed)}审核批准）" if approved
             else {PlanStatus.DRAFT: "（草稿，尚未提交审核）", PlanStatus.SUBMITTED: "（已提交，待审核）",
                   PlanStatus.RETURNED: "（已退回修改，尚未批准）"}[plan.status])
    letter = engine.Letter(title=plan.title, paragraphs=[], issuer=plan.school.name, attachments=attachments,
                           signed_on=signed, colophon=False, words=dictionary.words())
    return Notice(letter, template="pdf/plan.html", context=dict(state=state, parts_of_plan=parts, columns=columns,
                                                                widths=PLAN_WIDTHS[len(columns)]))


def _due(milestone) -> str:
    term = clock.parse_semester(milestone.term)
    return term.name if term else chinese_date(milestone.due_date)


def _progress(milestone, today: date) -> str:
    status = progress.shown(milestone, today)
    if status is progress.DONE and milestone.done_on:
        return f"{status.value}\n{chinese_date(milestone.done_on)}"
    if status is progress.OVERDUE:
        return f"{status.value}\n{progress.days_overdue(milestone, today)}天"
    return status.value


def plan_filename(plan: Plan) -> str:
    return f"{plan.school.code} {plan.title}.pdf"
