"""The checklist template editor (督导检查表模板), for the office.

A draft version is edited in place, one block of the version page at a time; a published or
retired version is read-only (409 to any change) and edits go into the next draft.
"""

from flask import Blueprint, abort, flash, redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import audit, excel
from ..extensions import db
from ..htmx import is_partial, render, see_other
from ..models import (ChecklistTemplate, FrozenVersionError, Item, Section, TemplateKind, TemplateVersion,
                      kinds_in_words)
from ..security import Action, authorize, load
from . import versions, workbook
from .forms import BandsForm, ImportForm, ItemForm, KindsForm, MoveForm, SectionForm, TemplateForm, points_text

bp = Blueprint("checklists", __name__, url_prefix="/checklists")
PAGE = "checklists/version.html"


@bp.app_template_filter("points")
def points_filter(value) -> str:
    return points_text(value)


@bp.app_template_filter("school_kinds")
def school_kinds_filter(names, empty: str = "所有类型") -> str:
    """["PRIMARY", "JUNIOR"] -> "小学、初中", in SchoolKind's order."""
    return kinds_in_words(names) or empty


@bp.get("/")
def index():
    """Checklists, or with ?kind=RUBRIC the classroom observation rubrics (听课评价表)."""
    authorize(Action.MANAGE)
    return _index(TemplateForm(formdata=None, kind=_kind(request.args.get("kind")).name))


def _kind(name: str | None) -> TemplateKind:
    return TemplateKind.__members__.get(name or "", TemplateKind.CHECKLIST)


@bp.post("/new")
def create():
    authorize(Action.MANAGE)
    form = TemplateForm()
    if not form.validate_on_submit():
        return _index(form, status=422)
    template = versions.create_template(form.name.data, form.description.data or "", _kind(form.kind.data),
                                        form.school_kinds.data or [])
    db.session.commit()
    flash(f"模板“{template.name}”已创建，请添加一级指标和评估要点。", "success")
    return see_other(url_for("checklists.version", version_id=template.versions[0].id))


def _index(form: TemplateForm, status: int = 200):
    kind = _kind(form.kind.data)
    templates = db.session.scalars(select(ChecklistTemplate).where(ChecklistTemplate.kind == kind)
                                   .options(selectinload(ChecklistTemplate.versions)).order_by(ChecklistTemplate.id)).all()
    return render("checklists/index.html", "create", status, form=form, templates=templates, kind=kind,
                  totals=versions.version_totals(), current_of=versions.current_of, draft_of=versions.draft_of)


@bp.get("/versions/<int:version_id>")
def version(version_id: int):
    return _page(load(TemplateVersion, version_id, Action.MANAGE))


# Editing a draft ----------------------------------------------------------------------------

def _draft(version_id: int) -> TemplateVersion:
    """The draft, or 404 / 403 / 409 (a published or retired version never changes)."""
    version = load(TemplateVersion, version_id, Action.MANAGE)
    try:
        return versions.editable(version)
    except versions.NotADraft as error:
        abort(409, str(error))


def _part(model, ident: int, version_id: int):
    """A section or item of this version; 404 when it is another version's."""
    row = load(model, ident, Action.MANAGE)
    if (row.version_id if model is Section else row.section.version_id) != version_id:
        abort(404)
    return row


def _commit() -> None:
    try:
        db.session.commit()
    except FrozenVersionError as error:  # published by someone else in the meantime
        db.session.rollback()
        abort(409, str(error))


def _changed(version: TemplateVersion, block: str, anchor: str | None = None, **context):
    """After a change: htmx gets the changed block, a plain form goes back to the page (303)."""
    if is_partial():
        return _page(version, block, **context)
    return redirect(url_for("checklists.version", version_id=version.id, _anchor=anchor), 303)


def _move_direction() -> str:
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    return form.direction.data


@bp.post("/versions/<int:version_id>/sections")
def add_section(version_id: int):
    version = _draft(version_id)
    form = SectionForm(version=version)
    if not form.validate_on_submit():
        return _page(version, "outline", 422, section_form=form)
    section = Section(position=versions.next_position(version.sections), title=form.title.data)
    version.sections.append(section)
    _commit()
    return _changed(version, "outline", anchor=f"section-{section.id}")


@bp.post("/versions/<int:version_id>/sections/<int:section_id>/rename")
def rename_section(version_id: int, section_id: int):
    version, section = _draft(version_id), _part(Section, section_id, version_id)
    form = SectionForm(prefix=f"s{section.id}", version=version, section=section)
    if not form.validate_on_submit():
        return _page(version, "section", 422, section=section, forms={("rename", section.id): form})
    section.title = form.title.data
    _commit()
    return _changed(version, "section", f"section-{section.id}", section=section)


@bp.post("/versions/<int:version_id>/sections/<int:section_id>/delete")
def delete_section(version_id: int, section_id: int):
    version, section = _draft(version_id), _part(Section, section_id, version_id)
    db.session.delete(section)  # its items go with it; each deletion is audited
    _commit()
    return _changed(version, "outline")


@bp.post("/versions/<int:version_id>/sections/<int:section_id>/move")
def move_section(version_id: int, section_id: int):
    version, section = _draft(version_id), _part(Section, section_id, version_id)
    if versions.move(section, version.sections, _move_direction()):
        _commit()
    return _changed(version, "outline", anchor=f"section-{section.id}")


@bp.post("/versions/<int:version_id>/sections/<int:section_id>/items")
def add_item(version_id: int, section_id: int):
    version, section = _draft(version_id), _part(Section, section_id, version_id)
    form = ItemForm(prefix=f"n{section.id}")
    if not form.validate_on_submit():
        return _page(version, "section", 422, section=section, forms={("add", section.id): form})
    item = Item(position=versions.next_position(section.items))
    form.populate_obj(item)
    section.items.append(item)
    _commit()
    return _changed(version, "section", f"item-{item.id}", section=section)


@bp.get("/versions/<int:version_id>/items/<int:item_id>")
def item(version_id: int, item_id: int):
    """One item as shown on the page (the 取消 of an edit in place)."""
    item = _part(Item, item_id, version_id)
    return _page(item.section.version, "item", item=item, section=item.section)


@bp.route("/versions/<int:version_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(version_id: int, item_id: int):
    """The item's row becomes a form (GET), and a row again once saved (POST)."""
    version, item = _draft(version_id), _part(Item, item_id, version_id)
    # The item fills the form only when it is shown: a bad value posted must not fall back to the stored one.
    form = ItemForm(prefix=f"i{item.id}", obj=item if request.method == "GET" else None)
    if request.method == "POST" and form.validate_on_submit():
        form.populate_obj(item)
        _commit()
        return _changed(version, "item", f"item-{item.id}", item=item, section=item.section)
    status = 422 if form.errors else 200
    return _page(version, "item", status, item=item, section=item.section, editing=item.id, item_form=form)


@bp.post("/versions/<int:version_id>/items/<int:item_id>/delete")
def delete_item(version_id: int, item_id: int):
    version, item = _draft(version_id), _part(Item, item_id, version_id)
    section = item.section
    db.session.delete(item)
    _commit()
    return _changed(version, "section", f"section-{section.id}", section=section)


@bp.post("/versions/<int:version_id>/items/<int:item_id>/move")
def move_item(version_id: int, item_id: int):
    version, item = _draft(version_id), _part(Item, item_id, version_id)
    section = item.section
    if versions.move(item, section.items, _move_direction()):
        _commit()
    return _changed(version, "section", f"item-{item.id}", section=section)


@bp.post("/versions/<int:version_id>/bands")
def edit_bands(version_id: int):
    version = _draft(version_id)
    form = BandsForm(bands=version.bands)
    if not form.validate_on_submit():
        return _page(version, "bands", 422, bands_form=form)
    version.bands = form.bands
    version.below_band = form.below.data or version.below_band
    _commit()
    flash("结果等级已保存。", "success")
    return _changed(version, "bands", "bands")


@bp.post("/<int:template_id>/kinds")
def edit_kinds(template_id: int):
    """The kinds of school the checklist fits (any time: they decide which schools a round may
    take, not how a version scores)."""
    template = load(ChecklistTemplate, template_id, Action.MANAGE)
    version = versions.current_of(template) or template.versions[-1]
    form = KindsForm()
    if not form.validate_on_submit():
        return _page(version, "kinds", 422, kinds_form=form)
    template.school_kinds = list(form.school_kinds.data or [])
    db.session.commit()
    flash("适用学校类型已保存。", "success")
    return _changed(version, "kinds", "kinds")


# A version's life ---------------------------------------------------------------------------

@bp.post("/versions/<int:version_id>/publish")
def publish(version_id: int):
    version = versions.preload(_draft(version_id))
    try:
        previous = versions.publish(version)
    except versions.CannotPublish as error:
        return _page(version, "head", 422, problems=error.problems)
    _commit()
    retired = f"，第 {previous.number} 版已停用（已有的检查记录仍按原版本显示）" if previous else ""
    flash(f"第 {version.number} 版已发布{retired}。", "success")
    return see_other(url_for("checklists.version", version_id=version.id))


@bp.post("/versions/<int:version_id>/new")
def new_version(version_id: int):
    """编辑新版本: the template's draft, made from this version the first time (never a second one)."""
    template = load(TemplateVersion, version_id, Action.MANAGE).template
    db.session.refresh(template, with_for_update=True)  # PostgreSQL: one request at a time per template
    draft, created = versions.new_draft(template)
    try:
        db.session.commit()
    except IntegrityError:  # another request made the draft a moment ago: use theirs
        db.session.rollback()
        draft = versions.draft_of(template) or abort(409, "请刷新页面后重试。")
        created = False
    flash(f"已创建第 {draft.number} 版草稿，修改后发布即可生效。" if created
          else f"第 {draft.number} 版草稿已存在，已为您打开。", "success" if created else "info")
    return see_other(url_for("checklists.version", version_id=draft.id))


@bp.post("/versions/<int:version_id>/delete")
def delete_draft(version_id: int):
    version = _draft(version_id)
    try:
        shown = versions.delete_draft(version)
    except versions.CannotDelete as error:
        abort(409, str(error))
    number = version.number
    _commit()
    flash(f"第 {number} 版草稿已删除。", "success")
    return see_other(url_for("checklists.version", version_id=shown.id))


def _page(version: TemplateVersion, block: str | None = None, status: int = 200, *, forms: dict | None = None,
          section_form: SectionForm | None = None, bands_form: BandsForm | None = None,
          kinds_form: KindsForm | None = None, editing: int | None = None,
          item_form: ItemForm | None = None, problems=(), **context):
    """The version page, or one block of it. `forms` carry a submitted form back with its errors;
    every other form on the page starts empty. A fragment carries the changed totals along (oob)."""
    versions.preload(version)
    forms = forms or {}
    template = version.template
    items = versions.version_items(version)
    answer_type = items[-1].answer_type if items else None  # a new item answers like the last one

    def add_form(section):
        return forms.get(("add", section.id)) or ItemForm(prefix=f"n{section.id}", formdata=None,
                                                           data={"answer_type": answer_type} if answer_type else None)

    def rename_form(section):
        return forms.get(("rename", section.id)) or SectionForm(prefix=f"s{section.id}", formdata=None, obj=section,
                                                                version=version, section=section)

    return render(
        PAGE, block, status, version=version, checklist=template, draft=not version.frozen,
        current=versions.current_of(template), draft_version=versions.draft_of(template),
        section_form=section_form or SectionForm(formdata=None, version=version),
        bands_form=bands_form or BandsForm(formdata=None, bands=version.bands, below=version.below_band),
        kinds_form=kinds_form or KindsForm(formdata=None, obj=template),
        add_form=add_form, rename_form=rename_form, editing=editing, item_form=item_form, problems=problems,
        history=audit.history(db.session.scalars(versions.trail(version))), oob=block if is_partial() else None, **context,
    )


# Excel ----------------------------------------------------------------------------------------

@bp.get("/versions/<int:version_id>/export.xlsx")
def export_version(version_id: int):
    version = versions.preload(load(TemplateVersion, version_id, Action.MANAGE))
    return excel.download(workbook.export(version), f"{version.template.name}-第{version.number}版.xlsx")


@bp.get("/import-template.xlsx")
def import_template():
    authorize(Action.MANAGE)
    return excel.download(workbook.template(), "检查表导入模板.xlsx")


@bp.route("/import", methods=["GET", "POST"])
def import_workbook():
    """Upload a workbook as a new draft: of an existing template, or of a new one. All or nothing."""
    authorize(Action.MANAGE)
    form = ImportForm(data={"template": request.args.get("template", type=int)} if request.method == "GET" else None)
    return excel.upload(form, lambda data: workbook.import_draft(data, form.target, form.name.data), workbook.MAX_BYTES,
                        then=lambda outcome: url_for("checklists.version", version_id=outcome.draft.id),
                        page=lambda errors, status: render("checklists/import.html", "upload", status, form=form,
                                                           errors=errors, headers=workbook.HEADERS,
                                                           choices=workbook.CHOICES, kinds=workbook.KIND_NAMES,
                                                           max_rows=workbook.MAX_ROWS))

