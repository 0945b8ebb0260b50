"""公文: circulars drafted from a round, edited with a live preview, numbered, issued, reminded and
corrected. The blueprint's other pages: the schools' inbox with 签收 (received.py), per-school
notices and their batches (records.py; see notices.py, batch.py)."""
import base64

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from .. import clock
from .. import errors
from ..extensions import db
from ..htmx import is_partial, render, see_other
from ..idempotency import made, new_key
from ..models import (Document, DocumentJob, DocumentKind, DocumentRecipient, DocumentStatus, Inspection, InspectionStatus,
                      IssuedDocumentError, Round, utcnow)
from ..pdf import engine, fonts
from ..pdf.text import chinese_date
from ..rectification import overdue
from ..security import Action, allowed, authorize, load, load_document, readable_documents
from . import batch, compose, distribution, notices, numbering, pdfs
from .forms import CircularForm, IssueForm, KeyForm, RemindForm

bp = Blueprint("documents", __name__, url_prefix="/documents")
bp.add_app_template_filter(chinese_date, "chinese_date")  # dates in documents' pages as the documents write them
PREVIEW_SCALE = 1.1  # 72 dpi × 1.1: the first page about as wide as the form beside it


@bp.errorhandler(IssuedDocumentError)
def immutable(problem: IssuedDocumentError):
    db.session.rollback()
    return errors.respond(409, str(problem))


@bp.errorhandler(notices.NothingToRectify)
def nothing_to_rectify(problem: notices.NothingToRectify):
    return errors.respond(409, str(problem))


def managed(document_id: int, *options) -> Document:
    """A document to change or act on: the office's."""
    return load(Document, document_id, Action.MANAGE, *options)


def readable(document_id: int, *options) -> Document:
    """A document to read: the office's, or an issued one for the leaders (security.load_document)."""
    return load_document(Document, document_id, *options)


def load_draft(document_id: int) -> Document:
    document = managed(document_id)
    if document.issued:
        abort(409, description=f"{document.number} 已印发，不能修改；如需更正请起草更正文件。")
    return document


def to_edit(document: Document):
    return see_other(url_for("documents.edit", document_id=document.id))


def to_detail(document: Document):
    return see_other(url_for("documents.detail", document_id=document.id))


@bp.get("/")
def index():
    """The office's 公文 (drafts, circulars, batches); a leader sees the issued circulars and their 签收."""
    authorize(Action.DOCUMENTS)
    documents = db.session.scalars(readable_documents(select(Document), Document.status, DocumentStatus.ISSUED).options(
        joinedload(Document.round)).order_by(Document.status, Document.issued_at.desc(), Document.id.desc())).all()
    tally = {doc_id: (total, acknowledged) for doc_id, total, acknowledged in db.session.execute(
        select(DocumentRecipient.document_id, func.count(), func.count(DocumentRecipient.acknowledged_at))
        .group_by(DocumentRecipient.document_id))}
    rounds, approved, jobs = [], {}, []
    if allowed(current_user, Action.MANAGE):  # what the office drafts from, and its batches
        finished = select(Inspection.round_id, func.count()).where(Inspection.status == InspectionStatus.APPROVED)
        approved = dict(db.session.execute(finished.group_by(Inspection.round_id)).all())
        rounds = db.session.scalars(select(Round).order_by(Round.ends_on.desc(), Round.id.desc())).all()
        jobs = db.session.scalars(select(DocumentJob).options(joinedload(DocumentJob.round))
                                  .order_by(DocumentJob.id.desc()).limit(5)).all()
    short = {r.id: len(batch.inspections_of(r.id, "rectification")) for r in rounds if approved.get(r.id)}
    return render("documents/index.html", documents=documents, tally=tally, rounds=rounds, approved=approved, short=short,
                  jobs=jobs, kinds=notices.KINDS, form=KeyForm(formdata=None, data={"key": new_key()}))


@bp.get("/faces")
def faces():
    """公文字体: the faces each level of a document uses, whether the standard's own or a free stand-in,
    and what the office's font folder (DOC_FONT_DIR) holds."""
    authorize(Action.MANAGE)
    found = engine.faces()
    levels = [(label, found.levels[level], found.first(level) in found.licensed) for level, label in fonts.LEVELS.items()]
    return render("documents/faces.html", levels=levels, faces=found, folder=current_app.config["DOC_FONT_DIR"],
                  standard=fonts.STANDARD, labels=fonts.LEVELS)


@bp.post("/compose/<int:round_id>")
def compose_from_round(round_id: int):
    """起草通报: the engine's draft from the round's results, to be edited before issuing."""
    round_ = load(Round, round_id, Action.MANAGE)
    form = KeyForm()
    if not form.validate():
        abort(400)
    existing = made(Document, form.key.data)
    if existing:  # a second tap opens the first draft
        return to_edit(existing)
    config = current_app.config
    document = compose.drafted(round_, config["DOC_ISSUER"], config["DOC_ADDRESSEE"], config["DOC_CC"],
                               overdue.default_due(clock.today()))
    document.client_key, document.created_by_id = form.key.data or None, current_user.id
    db.session.add(document)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return to_edit(made(Document, form.key.data))
    flash("已根据督导批次起草通报。请逐项核对修改；第一页的预览随输入更新。", "success")
    return to_edit(document)


@bp.route("/<int:document_id>/edit", methods=["GET", "POST"])
def edit(document_id: int):
    document = load_draft(document_id)
    form = CircularForm(obj=document if request.method == "GET" else None, today=clock.today())
    if form.validate_on_submit():
        changed = form.copy_to(document)
        if changed:
            db.session.commit()
            flash(f"已保存（{'、'.join(changed)}）。", "success")
        if request.form.get("then") == "issue":  # 印发… saves what is typed first, then asks to confirm it
            return see_other(url_for("documents.issue", document_id=document.id))
        return to_edit(document)
    return render("documents/edit.html", form=form, document=document, problems=distribution.problems(document),
                  status=422 if form.errors else 200)


@bp.post("/<int:document_id>/preview")
def preview(document_id: int):
    """The first page as the form stands now (nothing saved): the live preview beside the form."""
    document = load_draft(document_id)
    if not is_partial():  # only htmx asks for a preview; without JavaScript the PDF link shows the saved text
        return to_edit(document)
    form = CircularForm(today=clock.today())
    form.validate()
    letter = compose.letter(pdfs.unsaved(document, form), clock.today())
    # The attachments begin on pages of their own: page 1 is the same without them, and a 270-school
    # table would make each preview seconds long instead of a fraction of one.
    rendered = engine.render("pdf/base.html", letter, body_only=True)
    png = base64.b64encode(engine.first_page_png(rendered.pdf, PREVIEW_SCALE)).decode()
    return render("documents/edit.html", "preview", document=document, png=png, pages=rendered.pages,
                  attachments=letter.attachments)


@bp.get("/<int:document_id>/pdf")
def pdf(document_id: int):
    document = readable(document_id)
    return pdfs.send(pdfs.of_document(document), pdfs.filename(document))


@bp.get("/<int:document_id>/issue")
def confirm_issue(document_id: int):
    """印发's confirmation: the saved draft's first page, its next number and recipients, and a
    warning (with the correction instead) when its round already has a circular."""
    document = load_draft(document_id)
    return _confirm(document, IssueForm(formdata=None, data={"key": new_key(), "revision": distribution.fingerprint(document)}))


def _confirm(document: Document, form: IssueForm, status: int = 200):
    letter = compose.letter(document, clock.today())
    png = base64.b64encode(engine.first_page_png(engine.render("pdf/base.html", letter, body_only=True).pdf,
                                                 PREVIEW_SCALE)).decode()
    return render("documents/issue.html", document=document, form=form, png=png, problems=distribution.problems(document),
                  earlier=distribution.issued_for_round(document), recipients=len(distribution.schools_for(document)),
                  number=numbering.peek(current_app.config["DOC_NUMBER_PREFIX"], clock.today().year), status=status)


@bp.post("/<int:document_id>/issue")
def issue(document_id: int):
    """印发 what was confirmed: the next number of the year, the date, every receiving school's inbox."""
    managed(document_id)
    form = IssueForm()
    if not form.validate():
        abort(409, description="请从印发确认页面印发。")
    # The draft's row, locked (PostgreSQL; SQLite writes one at a time): two admins issuing the same
    # draft at once issue it once.
    document = db.session.scalar(select(Document).where(Document.id == document_id).with_for_update()
                                 .execution_options(populate_existing=True))
    if document.issued:
        flash(f"{document.number} 已印发。", "info")
        return to_detail(document)
    if form.revision.data != distribution.fingerprint(document):
        abort(409, description="草稿在确认之后又有修改，没有印发。请重新确认后再印发。")
    problems = distribution.problems(document)
    if problems:
        abort(409, description="；".join(problems))
    if distribution.issued_for_round(document) and not form.another.data:
        return _confirm(document, form, 422)
    config = current_app.config
    distribution.issue(document, prefix=config["DOC_NUMBER_PREFIX"], issuer=config["DOC_ISSUER"],
                       actor_id=current_user.id, now=utcnow(), today=clock.today())
    db.session.commit()
    pdfs.store(document)
    flash(f"已印发 {document.number}，已送达 {len(document.recipients)} 所学校。", "success")
    return to_detail(document)


@bp.post("/<int:document_id>/as-correction/<int:issued_id>")
def as_correction(document_id: int, issued_id: int):
    """The draft becomes the correction of the round's issued circular (印发 then says so and takes
    a new number): what the office usually means by issuing a second circular for one round."""
    document = load_draft(document_id)
    issued = managed(issued_id)
    if not KeyForm().validate() or not issued.issued or issued.round_id != document.round_id:
        abort(409, description="只能更正本批次已印发的通报。")
    document.corrects = issued
    db.session.commit()
    flash(f"本草稿已改为更正 {issued.number}，印发后将另行编号并注明更正。", "success")
    return see_other(url_for("documents.issue", document_id=document.id))


@bp.get("/<int:document_id>")
def detail(document_id: int):
    document = readable(document_id, selectinload(Document.recipients).options(
        joinedload(DocumentRecipient.school), joinedload(DocumentRecipient.opened_by),
        joinedload(DocumentRecipient.acknowledged_by)), selectinload(Document.items))
    return _detail(document)


def _detail(document: Document):
    waiting_only = request.args.get("show") == "waiting"
    rows = distribution.waiting(document) if waiting_only else document.recipients
    corrections = db.session.scalars(select(Document).where(Document.corrects_id == document.id)).all()
    return render("documents/detail.html", "recipients", document=document, rows=rows, waiting_only=waiting_only,
                  waiting=len(distribution.waiting(document)), corrections=corrections,
                  form=KeyForm(formdata=None, data={"key": new_key()}))


@bp.post("/<int:document_id>/remind")
def remind(document_id: int):
    """Remind the schools that have not acknowledged (all, or the one named)."""
    document = managed(document_id, selectinload(Document.recipients))
    if not document.issued:
        abort(409, description="草稿尚未印发。")
    form = RemindForm()
    if not form.validate():
        abort(400)
    count = distribution.remind(document, utcnow(), form.school.data)
    db.session.commit()
    flash(f"已提醒 {count} 所学校签收。" if count else "没有需要提醒的学校。", "success")
    if is_partial():
        return _detail(document)
    return to_detail(document)


@bp.post("/<int:document_id>/correct")
def correct(document_id: int):
    """更正: a new draft with the same text that names the issued document it corrects."""
    old = managed(document_id)
    if not old.issued:
        abort(409, description="草稿可以直接修改，无需更正。")
    if old.kind is DocumentKind.ORDER:  # made by the escalation rules for one school, not drafted
        abort(409, description="督办通知由督办规则生成，不能起草更正文件。")
    form = KeyForm()
    if not form.validate():
        abort(400)
    existing = made(Document, form.key.data)
    if existing:
        return to_edit(existing)
    fields = ("round_id", "title", "addressee", "opening", "basics", "achievements", "problems", "requirements",
              "deadline", "cc", "attachment_title", "table", "audience", "create_items")
    draft = Document(**{name: getattr(old, name) for name in fields}, corrects=old, created_by_id=current_user.id,
                     client_key=form.key.data or None)
    db.session.add(draft)
    db.session.commit()
    flash(f"已起草更正文件，印发后将另行编号并注明更正 {old.number}。", "success")
    return to_edit(draft)


# The blueprint's other pages: the schools' side (received.py), per-object documents and batches (records.py).
from . import received, records  # noqa: E402,F401 - their routes join bp
