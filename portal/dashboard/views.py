from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy import select

from .. import clock
from .. import excel
from ..extensions import db
from ..htmx import render
from ..models import School
from ..observations import queries as observations
from ..rectification import queries as rectification
from ..visits import queries as visits
from ..security import Action, Reach, allowed, authorize, reach, school_ids, scoped
from ..tasks import queries as tasks
from . import export, home, overview
from .forms import OverviewForm

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    """Each role lands on a home page of its own: what it shows follows from the user's rights."""
    authorize(Action.ACCOUNT)  # every role: a school's 中层 sees no school's data, only their lessons
    schools = db.session.scalars(
        scoped(select(School).where(School.active), School.id).order_by(School.code)
    ).all()
    context = dict(schools=schools, rectification=rectification.home(current_user))
    context["visits"] = visits.home(current_user)  # 挂牌督导: the schools due a visit
    seen = reach(current_user, Action.VIEW)
    if seen is Reach.ALL:  # the office and leaders: the county
        context.update(home.county())
        context.update(home.escalated(clock.today()))
    if seen is Reach.SCOPE:  # the 责任区, and apart from it the schools rounds send them to
        context["zone"] = sorted((s for s in current_user.schools if s.active), key=lambda s: s.code)
    if seen is Reach.OWN:  # a school's own people
        context.update(home.school(current_user.school_id, clock.today()))
        context["report_tasks"] = tasks.school_open(current_user.school_id, clock.today())
    if allowed(current_user, Action.OBSERVE) and not allowed(current_user, Action.MANAGE):  # out in schools
        context["work"] = home.field_work(current_user)
    if allowed(current_user, Action.OBSERVE):
        context["lessons"] = _lessons()
    if allowed(current_user, Action.MANAGE):
        context["reviews"] = home.to_review()
        context["recent"] = home.recent_changes()
    return render("dashboard/index.html", **context)


def _lessons() -> dict:
    """推门听课 this semester: one's own lessons against one's role's quota (none for the office),
    and the county's when one sees the whole county."""
    semester = clock.semester(clock.today())
    quota = observations.quota_table().get(current_user.role)
    lessons = dict(semester=semester, quota=quota, county=None,
                   mine=observations.semester_count(semester, current_user.id) if quota else None)
    if school_ids(current_user, Action.VIEW) is None:
        lessons["county"] = observations.semester_count(semester)
    return lessons


def _figures() -> tuple[OverviewForm, dict]:
    authorize(Action.VIEW)
    form = OverviewForm(request.args)
    form.validate()
    county = school_ids(current_user, Action.VIEW) is None
    return form, overview.figures(overview.scope_of(form, clock.today()), county)


@bp.get("/overview")
def county():
    """全县概览: the office's and leaders' county; an inspector's schools; a principal's own school."""
    form, figures = _figures()
    return render("dashboard/overview.html", "results", form=form, **figures)


@bp.get("/overview.xlsx")
def county_export():
    form, figures = _figures()
    return excel.download(export.workbook(figures), f"全县概览-{form.chosen_semester.name}.xlsx")
