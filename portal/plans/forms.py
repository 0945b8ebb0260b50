from datetime import date

from sqlalchemy import select
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .. import clock
from ..extensions import db
from ..forms import KEY, Form, enum_field, options, stripped, to_id
from ..models import (Dimension, GoalRating, Plan, PlanStatus, RectificationItem, RectificationStatus, Rating, Role,
                      User, inspector_school, milestone_rectification)
from ..schools.forms import SchoolFilterForm
from . import progress

TEXT_LIMIT = 1000
NOTE_LIMIT = 500


def text_field(label: str, required: str | None = None, limit: int = TEXT_LIMIT) -> TextAreaField:
    first = DataRequired(required) if required else Optional()
    return TextAreaField(label, filters=[stripped], validators=[first, Length(max=limit, message=f"最多 {limit} 字")])


def key_field() -> HiddenField:
    return HiddenField(validators=[DataRequired("缺少请求标识，请刷新页面"), KEY])


class KeyForm(Form):
    """A button's form (提交审核): its one-time key (optional: without it the step still happens once)."""

    key = HiddenField(validators=[Optional(), KEY])


class RevisionMixin:
    """An approved plan changes only with a reason (a recorded revision): the field is there only then."""

    def drop_reason_unless(self, revising: bool) -> None:
        if not revising:
            del self.reason

    @property
    def reason_text(self) -> str:
        return self.reason.data if "reason" in self else ""


REASON = "调整理由"


def reason_field() -> TextAreaField:
    return text_field(REASON, "已批准的规划调整须写明理由", NOTE_LIMIT)


class PlanForm(Form):
    """A new plan: its period and where it starts from (a blank nine-dimension outline or an earlier plan)."""

    start_year = SelectField("规划期", coerce=to_id, validators=[InputRequired("请选择规划期")])
    source = SelectField("起点", coerce=to_id, validators=[Optional()])
    title = StringField("规划名称", filters=[stripped], validators=[Optional(), Length(max=120, message="最多 120 字")],
                        render_kw={"placeholder": "留空则为“学校名称 + 三年发展规划（规划期）”"})
    key = key_field()

    def __init__(self, school_id: int, today: date, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = db.session.scalars(select(Plan).where(Plan.school_id == school_id)
                                           .order_by(Plan.start_year.desc())).all()
        first = progress.school_year(today) - 1
        self.start_year.choices = options([(str(y), f"{y}—{y + 2}学年（{y}年9月至{y + 3}年8月）")
                                           for y in range(first, first + 4)])
        self.source.choices = options([("", "空白框架（九个维度）")] + [
            (str(p.id), f"在上一期规划基础上：{p.title}") for p in self.existing])

    def validate_start_year(self, field):
        for plan in self.existing:
            if field.data is not None and abs(plan.start_year - field.data) < 3:
                raise ValidationError(f"与本校已有的规划（{plan.period}）时间重叠")


class GoalForm(RevisionMixin, Form):
    dimension = enum_field("维度", Dimension, validators=[InputRequired("请选择维度")])
    text = text_field("目标", "请填写目标内容", NOTE_LIMIT)
    reason = reason_field()
    key = key_field()

    def __init__(self, *args, revising: bool = False, with_dimension: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.drop_reason_unless(revising)
        if not with_dimension:
            del self.dimension


class MilestoneForm(RevisionMixin, Form):
    title = text_field("里程碑", "请写明这一步要做成什么", NOTE_LIMIT)
    term = SelectField("目标学期", validators=[Optional()])
    due_date = DateField("完成时间", validators=[Optional()])
    owner = StringField("责任人", filters=[stripped], validators=[DataRequired("请填写责任人或责任部门"),
                                                              Length(max=40, message="最多 40 字")])
    result = text_field("可测成果", "请写明可以检验的成果（数量、比例、材料）", NOTE_LIMIT)
    reason = reason_field()
    key = key_field()

    LABELS = {"title": "内容", "due_date": "完成时间", "owner": "责任人", "result": "可测成果"}

    def __init__(self, plan: Plan, *args, revising: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.drop_reason_unless(revising)
        self.term.choices = options([("", "按具体日期")] + [(s.code, s.name) for s in progress.semesters(plan)])

    def validate_term(self, field):
        if field.data and clock.parse_semester(field.data) not in progress.semesters(self.plan):
            raise ValidationError("请选择规划期内的学期")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.term.data and self.due_date.data is None and not self.due_date.errors:  # Optional() stopped its chain
            self.due_date.errors.append("请选择目标学期，或填写完成时间（年-月-日）")
            return False
        return valid

    def validate_due_date(self, field):
        if field.data is None:  # not a date: the field's own message says so
            return
        if not self.term.data and not self.plan.starts_on <= field.data <= self.plan.ends_on:
            raise ValidationError(f"完成时间须在规划期内（{self.plan.starts_on} 至 {self.plan.ends_on}）")

    @property
    def chosen_due(self) -> date:
        term = clock.parse_semester(self.term.data)
        return term.end if term else self.due_date.data


class UpdateForm(Form):
    """A progress update from the tablet: the status, a short note; evidence is uploaded beforehand."""

    status = RadioField("进度", choices=options([(s.name, s.value) for s in progress.SET_BY_HAND]),
                        validators=[InputRequired("请选择进度")])
    note = text_field("进展说明", limit=NOTE_LIMIT)
    key = key_field()

    def __init__(self, *args, evidence: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.evidence = evidence

    def validate_status(self, field):
        if field.data == "DONE" and not self.evidence:
            raise ValidationError("标为已完成前，请先上传佐证材料（照片或文件）")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.status.data == "NOT_MET" and not self.note.data:  # an empty note stops its own validators
            self.note.errors.append("标为未达成时，请写明原因")
            return False
        return valid


class ReviewerForm(Form):
    reviewer = SelectField("审核专家（督学）", coerce=to_id, validators=[Optional()])

    def __init__(self, school_id: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reviewer.choices = options([("", "督导室审核")] + reviewers(school_id))


def reviewers(school_id: int) -> list[tuple[str, str]]:
    """Who may be assigned to review: the active inspectors whose 责任区 holds the school."""
    rows = db.session.execute(select(User.id, User.display_name).join(inspector_school, inspector_school.c.user_id == User.id)
                              .where(inspector_school.c.school_id == school_id, User.role == Role.INSPECTOR, User.active)
                              .order_by(User.username))
    return [(str(user_id), name) for user_id, name in rows]


def review_form(plan: Plan, *args, **kwargs) -> Form:
    """The reviewer's verdict, an overall comment and a comment box per goal (goal_<id>)."""

    class ReviewForm(Form):
        decision = RadioField("审核结果", choices=options([("approve", "同意，批准规划"), ("return", "退回修改")]),
                              validators=[InputRequired("请选择审核结果")])
        comment = text_field("总体意见", limit=TEXT_LIMIT)
        key = key_field()

        def goal_comments(self) -> dict[int, str]:
            return {goal.id: self[f"goal_{goal.id}"].data or "" for goal in plan.goals}

        def validate(self, extra_validators=None) -> bool:
            valid = super().validate(extra_validators)
            if self.decision.data == "return" and not self.comment.data and not any(self.goal_comments().values()):
                self.comment.errors.append("退回时请写明需要修改的地方（总体意见或对具体目标的意见）")
                return False
            return valid

    for goal in plan.goals:
        setattr(ReviewForm, f"goal_{goal.id}", text_field("对此目标的意见", limit=NOTE_LIMIT))
    return ReviewForm(*args, **kwargs)


class AssessmentForm(Form):
    rating = RadioField("自评结果", choices=options([(r.name, r.value) for r in GoalRating]),
                        validators=[InputRequired("请选择自评结果")])
    text = text_field("自评说明", "请写明本年度目标的达成情况和依据", TEXT_LIMIT)


def evaluation_form(*args, **kwargs) -> Form:
    """The office's evaluation: a rating per dimension (dim_<NAME>) and a written conclusion."""

    class EvaluationForm(Form):
        conclusion = text_field("评估结论", "请填写评估结论", 3000)

        def ratings(self) -> dict[Dimension, Rating]:
            return {d: self[f"dim_{d.name}"].data for d in Dimension}

    for dimension in Dimension:
        setattr(EvaluationForm, f"dim_{dimension.name}",
                enum_field(dimension.value, Rating, blank="请选择", validators=[InputRequired(f"请评定“{dimension.value}”")]))
    return EvaluationForm(*args, **kwargs)


class LinkForm(Form):
    """The rectification item this milestone addresses (one of the school's, not yet linked elsewhere)."""

    rectification = SelectField("关联整改事项", coerce=to_id, validators=[InputRequired("请选择整改事项")])

    def __init__(self, school_id: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        linked = select(milestone_rectification.c.rectification_id)
        rows = db.session.execute(select(RectificationItem.id, RectificationItem.problem).where(
            RectificationItem.school_id == school_id, RectificationItem.status != RectificationStatus.CLOSED,
            RectificationItem.id.not_in(linked)).order_by(RectificationItem.due_date))
        self.rectification.choices = options([("", "请选择")] + [(str(i), f"#{i} {p[:30]}") for i, p in rows])


PLAN_STATES = [("", "全部"), ("none", "未制定")] + [(s.name, s.value) for s in PlanStatus]
STAGES = [("", "全部"), ("MET", progress.Stage.MET.value), ("MISSED", progress.Stage.MISSED.value),
          ("PENDING", progress.Stage.PENDING.value)]


class BoardFilterForm(SchoolFilterForm):
    """The school list's filters, plus the plan's state and its stage in a plan year."""

    plan = SelectField("规划状态", choices=options(PLAN_STATES), validators=[Optional()])
    year = SelectField("规划年度", choices=options([("", "当前年度"), ("1", "第一年"), ("2", "第二年"), ("3", "第三年")]),
                       validators=[Optional()])
    stage = SelectField("阶段目标", choices=options(STAGES), validators=[Optional()])

    SCHOOL_FILTERS = ("q", "kind", "group", "township", "project")

    def school_filters(self) -> dict:
        return {name: self[name].data for name in self.SCHOOL_FILTERS}

    def board_filters(self) -> dict:
        """The plan's state and the stage, ignored when not one of the choices."""
        return {name: "" if self[name].errors else (self[name].data or "") for name in ("plan", "year", "stage")}
