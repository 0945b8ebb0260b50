"""优质均衡: the county summary (does the county pass this year, and if not, which schools must change
what), each school's card, its figures kept by the school or the office with a what-if preview
before saving, the office's rules, and the county table to and from Excel."""
from decimal import Decimal

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .. import audit, excel
from ..extensions import db
from ..htmx import render, see_other
from ..models import BalanceRule, Level, ResourceFigures, School
from ..queries import audit_trail
from ..security import Action, authorize, load, school_ids
from . import indicators, queries, workbook
from .forms import FiguresForm, ImportForm, RulesForm

bp = Blueprint("balance", __name__, url_prefix="/balance")
bp.add_app_template_global(indicators.percent, "percent")
bp.add_app_template_global(indicators.in_scope, "balance_in_scope")
bp.add_app_template_filter(indicators.rounded, "rounded")
LEVEL = "<any(PRIMARY,JUNIOR):level>"


@bp.context_processor
def page_helpers() -> dict:
    return dict(balance_indicators=indicators.INDICATORS, balance_levels=indicators.LEVELS)


@bp.app_template_filter()
def amount(value) -> str:
    """A raw figure as people read it: 2,200,000 and 4,499.5, no trailing zeros."""
    return f"{Decimal(value).normalize():,f}"


@bp.app_template_filter()
def cv_bar(c: indicators.Coefficient) -> tuple:
    """A coefficient as a row of the bars chart: over its limit bad, over the county's goal warn."""
    state = "bad" if not c.passed else "warn" if c.meets_goal is False else "ok"
    return f"{c.indicator.number}.{c.indicator.short}", c.cv or 0, str(c.cv) if c.cv is not None else "—", state


@bp.app_template_global()
def sees_county() -> bool:
    """The county's table and coefficients compare every school: for those who see every school
    (the office, leaders). A school's own people and inspectors open school cards instead."""
    return current_user.is_authenticated and school_ids(current_user, Action.VIEW) is None


def county_wide() -> None:
    authorize(Action.VIEW)
    if not sees_county():
        abort(403)


def chosen_year() -> int:
    year = request.args.get("year", type=int) or queries.this_year()
    if not queries.FIRST_YEAR <= year <= queries.LAST_YEAR:
        abort(404)
    return year


@bp.get("/")
def index():
    county_wide()
    return _index()


def _index(rules_form: RulesForm | None = None, status: int = 200):
    """The county's table, or (a refused 评估设置 brought back with its errors) only the settings form."""
    year = chosen_year()
    row = queries.rule_row()
    found = queries.county(year, rule=queries.rules(row))
    form = rules_form or RulesForm(formdata=None, obj=row or BalanceRule(remaining_rule=True,
                                                                        remaining_share=found.rules.remaining_share))
    return render("balance/index.html", "rules" if rules_form else None, status, found=found,
                  years=queries.years(year), rules_form=form)


@bp.get("/export.xlsx")
def export_table():
    county_wide()
    found = queries.county(chosen_year())
    return excel.download(workbook.export(found), f"优质均衡资源配置-{found.year}年度.xlsx")


@bp.post("/rules")
def save_rules():
    authorize(Action.MANAGE)
    form = RulesForm()
    if not form.validate_on_submit():
        return _index(form, 422)  # each refusal beside its field, what was typed kept
    row = queries.rule_row() or BalanceRule()
    form.populate_obj(row)
    db.session.add(row)
    db.session.commit()
    flash("优质均衡评估设置已保存。", "success")
    return see_other(url_for("balance.index", year=request.args.get("year", type=int)))


@bp.get("/schools/<int:school_id>")
def school(school_id: int):
    found_school = load(School, school_id, Action.VIEW)
    if not indicators.in_scope(found_school.kind):
        abort(404)
    year = chosen_year()
    found = queries.county(year, {found_school.id})
    history = [entry for e in found.entries if e.figures for entry in db.session.scalars(audit_trail(e.figures))]
    return render("balance/school.html", school=found_school, found=found, years=queries.years(year),
                  history=audit.history(sorted(history, key=lambda entry: -entry.id)))


def load_part(school_id: int, year: int, level: str) -> tuple[School, Level, ResourceFigures | None]:
    """The school (EDIT: the office, or its own principal) and one of its parts, 404 for a part
    the school does not have or a year out of range."""
    found_school = load(School, school_id, Action.EDIT)
    level = Level[level]
    if level not in indicators.levels_of(found_school.kind) or not queries.FIRST_YEAR <= year <= queries.LAST_YEAR:
        abort(404)
    return found_school, level, queries.figures_of(year, {found_school.id}).get((found_school.id, level))


@bp.route(f"/schools/<int:school_id>/<int:year>/{LEVEL}", methods=["GET", "POST"])
def edit(school_id: int, year: int, level: str):
    found_school, level, row = load_part(school_id, year, level)
    form = FiguresForm(obj=row)
    if form.validate_on_submit():
        _save(found_school, year, level, form)
        flash(f"{found_school.name}{level.value} {year} 年度资源数据已保存。", "success")
        return see_other(url_for("balance.school", school_id=found_school.id, year=year))
    return render("balance/edit.html", school=found_school, year=year, level=level, form=form,
                  preview=_preview(found_school, year, level, None), status=422 if form.errors else 200)


def _save(school: School, year: int, level: Level, form: FiguresForm) -> None:
    """Insert or update the part's row; a second submit racing the first updates the row it made."""
    for attempt in (1, 2):
        row = queries.figures_of(year, {school.id}).get((school.id, level))
        if row is None:
            row = ResourceFigures(school_id=school.id, year=year, level=level)
            db.session.add(row)
        form.copy_to(row)
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise


@bp.post(f"/schools/<int:school_id>/<int:year>/{LEVEL}/preview")
def preview(school_id: int, year: int, level: str):
    """The what-if: the form as typed, judged with the county, before anything is saved."""
    found_school, level, _ = load_part(school_id, year, level)
    form = FiguresForm()
    valid = form.validate_on_submit()
    context = _preview(found_school, year, level, form.figures if valid else None)
    return render("balance/edit.html", "preview", status=200 if valid else 422, school=found_school, year=year,
                  level=level, form=form, preview=context, invalid=not valid)


def _preview(school: School, year: int, level: Level, figures: dict | None) -> dict:
    """The saved state and, for typed figures, the state they would give: the school's part and the
    level's coefficients (aggregates over the county, never another school's figures)."""
    rule = queries.rules()
    before = queries.county(year, rule=rule)
    after = queries.county(year, what_if=(school.id, level, figures), rule=rule) if figures else before
    mine = lambda found: next((e for e in found.entries if e.school.id == school.id and e.level is level), None)  # noqa: E731
    return dict(before=before, after=after, mine_before=mine(before), mine_after=mine(after), level=level,
                changed=figures is not None)


@bp.route("/import", methods=["GET", "POST"])
def import_table():
    """The county's table from Excel: every bad row listed, or all of it saved."""
    authorize(Action.MANAGE)
    this_year = queries.this_year()
    years = sorted(set(queries.years(this_year)) | {this_year - back for back in range(5)}, reverse=True)
    form = ImportForm(years, data={"year": request.args.get("year", this_year, type=int)})
    return excel.upload(form, lambda data: workbook.import_figures(form.year.data, data), workbook.MAX_BYTES,
                        then=lambda outcome: url_for("balance.index", year=form.year.data),
                        page=lambda errors, status: render("balance/import.html", "upload", status, form=form,
                                                           errors=errors, headers=workbook.HEADERS))


@bp.get("/import-template.xlsx")
def import_template():
    authorize(Action.MANAGE)
    return excel.download(workbook.template(), "优质均衡资源配置导入模板.xlsx")
