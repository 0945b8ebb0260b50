"""Rectification (整改闭环): from a finding in one tap, the school's report with evidence, the
inspector's verdict; only the allowed steps; overdue by the county's calendar; lists and export."""
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from portal import clock
from portal.extensions import db
from portal.files.uploads import store
from portal.models import (Answer, Attachment, AuditLog, Inspection, Photo, Priority, RectificationEvent,
                           RectificationFile, RectificationItem, RectificationStatus, Step, User)
from portal.rectification import overdue, workflow

from .conftest import HX, HX_BOOSTED, PASSWORD, csrf_token
from .test_uploads import refused_undecoded

OPEN, SUBMITTED, RETURNED, CLOSED = (RectificationStatus.OPEN, RectificationStatus.SUBMITTED,
                                     RectificationStatus.RETURNED, RectificationStatus.CLOSED)


def jpeg(width=1200, height=900) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 60)).save(out, "JPEG")
    return out.getvalue()


def today_in(app) -> date:
    with app.app_context():
        return clock.today()


class Person:
    """A signed-in user with a test client of their own (several people take turns in one test)."""

    def __init__(self, app, user_id):
        self.app, self.id = app, user_id
        self.client = app.test_client()
        with app.app_context():
            username = db.session.get(User, user_id).username
        token = csrf_token(self.client, "/login")
        response = self.client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303
        self.token = csrf_token(self.client, "/")

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, headers=None, **kwargs):
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, headers=headers, **kwargs)


@pytest.fixture
def setup(app, make_school, make_user, make_inspection):
    """A school with its inspector and principal, a neighbour school, and a draft inspection whose
    first item (critical, 10 points) got 3 points with a note and a photo, the second 达标, the third 否."""
    school, neighbour = make_school(), make_school()
    inspector = make_user("inspector", schools=[school])
    inspection = make_inspection(school, inspector_id=inspector)
    with app.app_context():
        found = db.session.get(Inspection, inspection)
        critical, rating, yes_no = (item for section in found.version.sections for item in section.items)
        first = Answer(inspection=found, item=critical, value="3", note="招生简章未公示")
        first.photos.append(Photo(client_key="p1", attachment=store(jpeg(), "a.jpg", "image/jpeg", school_id=school, user_id=None),
                                  thumbnail=store(jpeg(), "b.jpg", "image/jpeg", school_id=school, user_id=None)))
        db.session.add_all([first, Answer(inspection=found, item=rating, value="达标"),
                            Answer(inspection=found, item=yes_no, value="否")])
        db.session.commit()
        ids = dict(critical=critical.id, rating=rating.id, yes_no=yes_no.id)
    return dict(school=school, neighbour=neighbour, inspection=inspection, inspector=inspector,
                principal=make_user("principal", school_id=school),
                neighbour_principal=make_user("principal", school_id=neighbour), **ids)


@pytest.fixture
def make_item(app):
    def make(school_id, status=OPEN, due=None, inspector_id=None, problem="厕所卫生不达标") -> int:
        with app.app_context():
            item = workflow.create(RectificationItem(
                school_id=school_id, problem=problem, requirement="一周内整改", status=status,
                due_date=due or clock.today() + timedelta(days=30), inspector_id=inspector_id), actor_id=None)
            item.status = status
            db.session.commit()
            return item.id

    return make


def item_of(app, item_id) -> RectificationItem:
    with app.app_context():
        item = db.session.get(RectificationItem, item_id)
        item.steps = [event.step for event in item.events]
        item.file_count = len(item.files)
        item.photo_count = len(item.evidence)
        return item


def generate(person, setup, item="critical", key="key-generate-1"):
    return person.post(f"/rectification/from-finding/{setup['inspection']}/{setup[item]}", {"key": key})


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# From a finding

def test_a_finding_becomes_a_prefilled_item_with_its_photos_in_one_tap(app, setup):
    inspector = Person(app, setup["inspector"])
    response = generate(inspector, setup)
    assert response.status_code == 303
    item_id = int(re.search(r"/rectification/(\d+)$", response.headers["Location"]).group(1))
    item = item_of(app, item_id)
    assert item.problem == "招生规范，无违规招生（未达标）：招生简章未公示"
    assert item.requirement == "按“招生规范，无违规招生”的要求整改到位。"  # the test template has no standard
    assert item.due_date == today_in(app) + timedelta(days=30)
    assert item.priority is Priority.IMPORTANT  # a critical item
    assert item.status is OPEN and item.school_id == setup["school"]
    assert item.inspector_id == setup["inspector"] and item.photo_count == 1
    assert item.steps == [Step.CREATE]
    html = inspector.get(f"/rectification/{item_id}").get_data(as_text=True)
    assert "问题照片 1" in html and "招生简章未公示" in html


def test_a_second_tap_or_a_resend_opens_the_same_item(app, setup):
    inspector = Person(app, setup["inspector"])
    first = generate(inspector, setup)
    again = generate(inspector, setup)                      # the same form resent
    other = generate(inspector, setup, key="key-generate-2")  # the button tapped again after a reload
    assert first.headers["Location"] == again.headers["Location"] == other.headers["Location"]
    assert count(app, RectificationItem) == 1 and count(app, RectificationEvent) == 1


@pytest.mark.parametrize("item", ["rating"])
def test_an_item_that_was_met_gives_no_rectification(app, setup, item):
    response = generate(Person(app, setup["inspector"]), setup, item)
    assert response.status_code == 409 and "未达标" in response.get_data(as_text=True)
    assert count(app, RectificationItem) == 0


def test_inspection_pages_offer_the_button_on_not_met_items_only(app, setup):
    inspector = Person(app, setup["inspector"])
    fill = inspector.get(f"/inspections/{setup['inspection']}/fill").get_data(as_text=True)
    assert fill.count(">生成整改事项</button>") == 2  # 3 of 10 points, and 否; not the 达标 item
    generate(inspector, setup)
    fill = inspector.get(f"/inspections/{setup['inspection']}/fill").get_data(as_text=True)
    assert fill.count(">生成整改事项</button>") == 1 and "整改事项 #1 · 待整改" in fill
    detail = inspector.get(f"/inspections/{setup['inspection']}").get_data(as_text=True)
    assert "未达标项与整改（2 项）" in detail and "整改事项 #1" in detail


def test_autosave_brings_the_button_when_an_answer_makes_the_item_not_met(app, setup):
    inspector = Person(app, setup["inspector"])

    def autosave(revision, value, note=""):
        response = inspector.post(f"/inspections/{setup['inspection']}/items/{setup['rating']}",
                                  {"value": value, "note": note, "revision": revision, "key": f"key-finding-{revision}"},
                                  HX)
        assert response.status_code == 200
        slot = re.search(rf'<div id="item-{setup["rating"]}-finding" hx-swap-oob="true">(.*?)</div>\s*$',
                         response.get_data(as_text=True), re.S)
        return slot and slot[1]

    assert ">生成整改事项</button>" in autosave("1", "未达标")
    assert autosave("2", "未达标", note="厕所无洗手液") is None  # still not met: the button stays as it is
    assert "生成整改事项" not in autosave("3", "达标")  # met again: the button goes


def test_the_school_cannot_generate_items(app, setup):
    response = generate(Person(app, setup["principal"]), setup)
    assert response.status_code == 403 and count(app, RectificationItem) == 0


# The workflow as data

ALLOWED = {(OPEN, Step.SUBMIT), (RETURNED, Step.SUBMIT), (SUBMITTED, Step.RETURN), (SUBMITTED, Step.CLOSE),
           (OPEN, Step.EDIT), (SUBMITTED, Step.EDIT), (RETURNED, Step.EDIT)}


@pytest.mark.parametrize("status", list(RectificationStatus))
@pytest.mark.parametrize("step", [Step.EDIT, Step.SUBMIT, Step.RETURN, Step.CLOSE])
def test_only_the_listed_transitions_happen(app, status, step):
    item = RectificationItem(status=status, report="旧报告", events=[])
    if (status, step) in ALLOWED:
        event = workflow.apply(item, step, actor_id=None, comment="已整改，附照片", now=datetime(2026, 11, 23, tzinfo=UTC))
        assert event.step is step and item.events == [event]
        assert item.status is {Step.SUBMIT: SUBMITTED, Step.RETURN: RETURNED, Step.CLOSE: CLOSED}.get(step, status)
    else:
        with pytest.raises(workflow.Refused, match=f"这项整改{status.value}，不能{step.value}"):
            workflow.apply(item, step, actor_id=None, comment="x")
        assert item.status is status and item.events == [] and item.report == "旧报告"


def test_a_return_needs_a_reason(app):
    item = RectificationItem(status=SUBMITTED, events=[])
    with pytest.raises(workflow.Refused, match="必须写明理由"):
        workflow.apply(item, Step.RETURN, actor_id=None, comment="  ")
    assert item.status is SUBMITTED and item.events == []


# The whole loop over HTTP

def submit(person, item_id, text="已重新公示招生简章。", key="key-report-1", headers=None):
    return person.post(f"/rectification/{item_id}/report", {"report": text, "key": key}, headers=headers)


def verify(person, item_id, decision, comment="", key="key-verify-1"):
    return person.post(f"/rectification/{item_id}/verify", {"decision": decision, "comment": comment, "key": key})


def upload(person, item_id, data, name="整改后.jpg", key="key-file-0001", headers=HX):
    return person.client.post(f"/rectification/{item_id}/files", data={"file": (io.BytesIO(data), name), "key": key},
                              headers={**headers, "X-CSRFToken": person.token}, content_type="multipart/form-data")


def test_report_return_resubmit_close_each_step_in_history_and_audit(app, setup, make_item):
    item_id = make_item(setup["school"], inspector_id=setup["inspector"])
    principal, inspector = Person(app, setup["principal"]), Person(app, setup["inspector"])
    assert upload(principal, item_id, jpeg(3000, 2000)).status_code == 200
    assert upload(principal, item_id, jpeg(3000, 2000)).status_code == 200  # resent: stored once
    assert submit(principal, item_id).status_code == 303
    assert submit(principal, item_id).status_code == 303  # resent after it arrived: nothing more
    assert item_of(app, item_id).steps == [Step.CREATE, Step.SUBMIT]

    refused = verify(inspector, item_id, "return")
    assert refused.status_code == 422 and "退回时请写明还需整改的地方" in refused.get_data(as_text=True)
    assert verify(inspector, item_id, "return", "照片看不清公示栏", key="key-verify-2").status_code == 303
    assert item_of(app, item_id).status is RETURNED
    assert submit(principal, item_id, "已更换公示栏并拍摄近照。", key="key-report-2").status_code == 303
    assert verify(inspector, item_id, "close", key="key-verify-3").status_code == 303

    item = item_of(app, item_id)
    assert item.status is CLOSED and item.closed_at and item.report == "已更换公示栏并拍摄近照。"
    assert item.steps == [Step.CREATE, Step.SUBMIT, Step.RETURN, Step.SUBMIT, Step.CLOSE]
    assert item.file_count == 1
    with app.app_context():
        events = db.session.scalars(select(RectificationEvent).order_by(RectificationEvent.id)).all()
        assert [e.comment for e in events][1:3] == ["已重新公示招生简章。", "照片看不清公示栏"]
        assert [e.actor_id for e in events][1:] == [setup["principal"], setup["inspector"], setup["principal"],
                                                    setup["inspector"]]
        logged = db.session.scalars(select(AuditLog).where(AuditLog.entity == "rectification_item",
                                                           AuditLog.entity_id == str(item_id)).order_by(AuditLog.id)).all()
        statuses = [entry.changes["status"] for entry in logged if entry.action == "update" and "status" in entry.changes]
        assert statuses == [["待整改", "已提交"], ["已提交", "已退回"], ["已退回", "已提交"], ["已提交", "已销号"]]
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "rectification_event", AuditLog.action == "create")) == 5
        assert all(entry.school_id == setup["school"] for entry in logged)
    html = inspector.get(f"/rectification/{item_id}").get_data(as_text=True)
    assert "已销号" in html and "照片看不清公示栏" in html and "整改照片 1" in html


def test_nobody_answers_a_closed_item_and_the_school_never_closes(app, setup, make_item):
    closed = make_item(setup["school"], CLOSED, inspector_id=setup["inspector"])
    submitted = make_item(setup["school"], SUBMITTED)
    principal, inspector = Person(app, setup["principal"]), Person(app, setup["inspector"])
    response = submit(principal, closed)
    assert response.status_code == 409 and "这项整改已销号，不能提交整改报告" in response.get_data(as_text=True)
    assert upload(principal, closed, jpeg()).status_code == 409
    assert verify(principal, submitted, "close").status_code == 403
    assert submit(inspector, submitted).status_code == 403  # answering is the school's
    assert verify(inspector, closed, "close").status_code == 409
    assert inspector.get(f"/rectification/{closed}/edit").status_code == 409
    assert item_of(app, submitted).status is SUBMITTED and item_of(app, closed).steps == [Step.CREATE]


def test_refusals_reach_htmx_as_a_message(app, setup, make_item):
    closed = make_item(setup["school"], CLOSED)
    response = submit(Person(app, setup["principal"]), closed, headers=HX)
    assert response.status_code == 409 and "不能提交整改报告" in response.headers["HX-Trigger"].encode().decode("unicode_escape")


def test_a_report_needs_text(app, setup, make_item):
    item_id = make_item(setup["school"])
    principal = Person(app, setup["principal"])
    response = submit(principal, item_id, text="  ", headers=HX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请写明采取了哪些整改措施" in html and "<html" not in html  # the form only, error beside the field
    assert item_of(app, item_id).status is OPEN


# The school sees and answers only its own items

def test_a_principal_reaches_only_own_school_items(app, setup, make_item):
    mine, theirs = make_item(setup["school"], problem="本校问题"), make_item(setup["neighbour"], problem="邻校问题")
    principal = Person(app, setup["principal"])
    assert principal.get(f"/rectification/{theirs}").status_code == 403
    assert submit(principal, theirs).status_code == 403
    assert upload(principal, theirs, jpeg()).status_code == 403
    listed = principal.get(f"/rectification/?school={setup['neighbour']}").get_data(as_text=True)
    assert "邻校问题" not in listed and "本校问题" not in listed
    listed = principal.get("/rectification/").get_data(as_text=True)
    assert "本校问题" in listed and "邻校问题" not in listed
    # A school_id smuggled into the form changes nothing about whose item it is.
    principal.post(f"/rectification/{mine}/report", {"report": "已整改", "key": "key-smuggle-1",
                                                      "school_id": setup["neighbour"], "school": setup["neighbour"]})
    assert item_of(app, mine).school_id == setup["school"] and item_of(app, mine).status is SUBMITTED
    assert item_of(app, theirs).status is OPEN
    export = load_workbook(io.BytesIO(principal.get("/rectification/export.xlsx").data)).active
    assert [row[2] for row in export.iter_rows(min_row=2, values_only=True)] == ["本校问题"]


# Overdue by the county's calendar (Asia/Shanghai)

def test_overdue_is_decided_by_the_date_in_beijing(app):
    item = RectificationItem(status=OPEN, due_date=date(2026, 11, 23))
    with app.app_context():
        late_evening = clock.today(datetime(2026, 11, 23, 15, 30, tzinfo=UTC))  # 23:30 in Beijing
        past_midnight = clock.today(datetime(2026, 11, 23, 16, 10, tzinfo=UTC))  # 00:10 on the 24th
    assert late_evening == date(2026, 11, 23) and not overdue.is_overdue(item, late_evening)
    assert overdue.is_due_soon(item, late_evening)
    assert past_midnight == date(2026, 11, 24) and overdue.days_overdue(item, past_midnight) == 1
    for status in (SUBMITTED, CLOSED):  # waiting for the inspector, or done: not the school's delay
        assert not overdue.is_overdue(RectificationItem(status=status, due_date=date(2026, 11, 23)), past_midnight)
    returned = RectificationItem(status=RETURNED, due_date=date(2026, 11, 23))
    assert overdue.days_overdue(returned, date(2026, 12, 3)) == 10


def test_due_soon_covers_the_next_seven_days():
    today = date(2026, 11, 23)
    soon = [d for d in range(-1, 10)
            if overdue.is_due_soon(RectificationItem(status=OPEN, due_date=today + timedelta(days=d)), today)]
    assert soon == list(range(0, overdue.DUE_SOON_DAYS + 1))


def test_lists_count_overdue_like_the_rule(app, setup, make_item, auth):
    today = date(2026, 11, 24)
    make_item(setup["school"], due=date(2026, 11, 23))
    make_item(setup["school"], due=date(2026, 11, 24))
    make_item(setup["school"], SUBMITTED, due=date(2026, 11, 1))
    from portal.rectification import queries

    with app.test_request_context():
        from flask_login import login_user

        with app.app_context():
            login_user(db.session.get(User, setup["inspector"]))
            counts = queries.counts(today)
            overdue_ids = db.session.scalars(select(RectificationItem.id).where(overdue.overdue_clause(today))).all()
    assert (counts.open, counts.overdue, counts.submitted) == (2, 1, 1)
    assert overdue_ids == [1]


# Free items, editing

def test_an_inspector_adds_an_item_for_a_school_in_scope_once(app, setup):
    inspector = Person(app, setup["inspector"])
    form = {"school": setup["school"], "problem": "食堂留样不全", "requirement": "按规定留样 48 小时",
            "due_date": (today_in(app) + timedelta(days=14)).isoformat(), "priority": "URGENT",
            "inspector": setup["inspector"], "key": "key-create-1"}
    assert inspector.post("/rectification/new", form).status_code == 303
    assert inspector.post("/rectification/new", form).status_code == 303  # a double tap
    assert count(app, RectificationItem) == 1
    elsewhere = inspector.post("/rectification/new", {**form, "school": setup["neighbour"], "key": "key-create-2"})
    assert elsewhere.status_code in (403, 422) and count(app, RectificationItem) == 1
    assert Person(app, setup["principal"]).post("/rectification/new", {**form, "key": "key-create-3"}).status_code == 403


def test_item_form_errors_are_shown_beside_the_fields(app, setup):
    inspector = Person(app, setup["inspector"])
    response = inspector.post("/rectification/new", {
        "school": setup["school"], "problem": "", "requirement": "x" * 2001, "priority": "URGENT",
        "due_date": (today_in(app) - timedelta(days=1)).isoformat(), "inspector": setup["inspector"],
        "key": "key-create-9"}, headers=HX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in ("请写明存在的问题", "最多 2000 字", "整改期限不能早于今天"):
        assert message in html
    assert count(app, RectificationItem) == 0


def test_editing_records_what_changed(app, setup, make_item):
    item_id = make_item(setup["school"], inspector_id=setup["inspector"])
    inspector = Person(app, setup["inspector"])
    page = inspector.get(f"/rectification/{item_id}/edit", headers=HX_BOOSTED)
    assert page.status_code == 200 and "厕所卫生不达标" in page.get_data(as_text=True)
    new_due = today_in(app) + timedelta(days=60)
    response = inspector.post(f"/rectification/{item_id}/edit", {
        "problem": "厕所卫生不达标", "requirement": "两周内整改", "due_date": new_due.isoformat(),
        "priority": "NORMAL", "inspector": setup["inspector"], "key": "key-edit-1"})
    assert response.status_code == 303
    with app.app_context():
        event = db.session.scalars(select(RectificationEvent).where(RectificationEvent.step == Step.EDIT)).one()
        assert event.comment == "修改了整改要求、整改期限"
    assert item_of(app, item_id).due_date == new_due


# Evidence files

def test_photos_are_downscaled_and_documents_kept(app, setup, make_item):
    item_id = make_item(setup["school"])
    principal = Person(app, setup["principal"])
    assert upload(principal, item_id, jpeg(4000, 3000)).status_code == 200
    pdf = b"%PDF-1.4\n%test report\n"
    response = upload(principal, item_id, pdf, name="整改报告.pdf", key="key-file-0002")
    assert response.status_code == 200 and "整改报告.pdf" in response.get_data(as_text=True)
    from portal.storage import storage

    with app.app_context():
        photo, document = db.session.scalars(select(RectificationFile).order_by(RectificationFile.id)).all()
        with Image.open(storage().path(photo.attachment.storage_key)) as picture:
            assert max(picture.size) == 2000
        assert photo.thumbnail and document.thumbnail is None
        assert storage().path(document.attachment.storage_key).read_bytes() == pdf
        assert photo.attachment.school_id == setup["school"]
    # Removing one before the report is submitted
    with app.app_context():
        file_id = db.session.scalars(select(RectificationFile.id).order_by(RectificationFile.id)).first()
    assert principal.post(f"/rectification/{item_id}/files/{file_id}/delete", headers=HX).status_code == 200
    assert count(app, RectificationFile) == 1


@pytest.mark.parametrize("data,name,message", [
    (b"just some text", "说明.txt", "不是可接受的文件类型"),
    (b"MZ\x90\x00 an executable", "photo.jpg", "不是可接受的文件类型"),
    (b"", "空.jpg", "文件是空的"),
])
def test_bad_uploads_are_refused_and_nothing_is_kept(app, setup, make_item, data, name, message):
    item_id = make_item(setup["school"])
    response = upload(Person(app, setup["principal"]), item_id, data, name=name)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(app, RectificationFile) == 0 and count(app, Attachment) == 2  # the inspection's photo pair only


def test_oversized_uploads_are_refused(app, setup, make_item, monkeypatch):
    from portal.files import evidence

    item_id = make_item(setup["school"])
    principal = Person(app, setup["principal"])
    monkeypatch.setattr(evidence, "PHOTO_MAX_BYTES", 1000)
    monkeypatch.setattr(evidence, "DOCUMENT_MAX_BYTES", 1000)
    for data, name in ((jpeg(), "大照片.jpg"), (b"%PDF-1.4\n" + b"0" * 5000, "大文件.pdf")):
        response = upload(principal, item_id, data, name=name, key=f"key-big-{len(data)}")
        assert response.status_code == 422 and "文件太大" in response.get_data(as_text=True)
    assert count(app, RectificationFile) == 0


def test_a_decompression_bomb_is_refused_by_its_header_beside_the_field(app, setup, make_item):
    item_id = make_item(setup["school"])
    principal = Person(app, setup["principal"])
    html = refused_undecoded(app, lambda data: upload(principal, item_id, data, name="全景.png"))
    assert 'role="alert">“全景.png”的像素太多，无法处理' in html and count(app, RectificationFile) == 0


def test_upload_without_javascript_goes_back_with_a_message(app, setup, make_item):
    item_id = make_item(setup["school"])
    response = upload(Person(app, setup["principal"]), item_id, b"text", name="a.txt", headers={})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/rectification/{item_id}#files")


# Lists, export, home pages

def test_list_filters_orders_overdue_first_and_exports_the_same(app, setup, make_item):
    today = today_in(app)
    make_item(setup["school"], due=today + timedelta(days=20), problem="远期问题")
    make_item(setup["school"], due=today - timedelta(days=3), problem="逾期问题", inspector_id=setup["inspector"])
    make_item(setup["school"], due=today + timedelta(days=2), problem="临期问题")
    make_item(setup["school"], CLOSED, due=today - timedelta(days=9), problem="已销号问题")
    admin = Person(app, setup["inspector"])
    html = admin.get("/rectification/").get_data(as_text=True)
    order = [html.index(p) for p in ("逾期问题", "临期问题", "远期问题", "已销号问题")]
    assert order == sorted(order) and "逾期 3 天" in html
    partial = admin.get("/rectification/?timing=overdue", headers=HX).get_data(as_text=True)
    assert "逾期问题" in partial and "临期问题" not in partial and "<html" not in partial
    assert "临期问题" in admin.get("/rectification/?timing=due_soon").get_data(as_text=True)
    found = admin.get("/rectification/?q=远期").get_data(as_text=True)
    assert "远期问题" in found and "逾期问题" not in found
    assert "已销号问题" not in admin.get("/rectification/?status=OPEN").get_data(as_text=True)
    by_inspector = admin.get(f"/rectification/?inspector={setup['inspector']}").get_data(as_text=True)
    assert "逾期问题" in by_inspector and "远期问题" not in by_inspector
    start, end = (today + timedelta(days=1)).isoformat(), (today + timedelta(days=30)).isoformat()
    ranged = admin.get(f"/rectification/?start={start}&end={end}").get_data(as_text=True)
    assert "远期问题" in ranged and "临期问题" in ranged and "逾期问题" not in ranged

    book = load_workbook(io.BytesIO(admin.get("/rectification/export.xlsx?timing=overdue").data)).active
    header, *rows = list(book.iter_rows(values_only=True))
    assert header[:8] == ("学校代码", "学校", "存在问题", "整改要求", "整改期限", "优先级", "状态", "逾期天数")
    assert [(row[2], row[7], row[8]) for row in rows] == [("逾期问题", 3, "直接添加")]


def test_list_query_count_does_not_grow_with_rows(app, setup, make_item, make_user, client, auth, queries_for):
    auth.login_as("admin")
    make_item(setup["school"], inspector_id=setup["inspector"])
    few = queries_for("/rectification/")
    for n in range(6):
        make_item(setup["school"] if n % 2 else setup["neighbour"], inspector_id=make_user("inspector"))
    assert queries_for("/rectification/") == few


def test_homes_and_school_page_show_what_is_open_and_late(app, setup, make_item):
    today = today_in(app)
    make_item(setup["school"], due=today - timedelta(days=1), problem="逾期的问题")
    make_item(setup["school"], due=today + timedelta(days=5), problem="五天后到期的问题")
    make_item(setup["school"], due=today + timedelta(days=25), problem="下月的问题")
    home = Person(app, setup["principal"]).get("/").get_data(as_text=True)
    assert "逾期的问题" in home and "五天后到期的问题" in home and "下月的问题" not in home
    assert home.index("逾期的问题") < home.index("五天后到期的问题")
    inspector = Person(app, setup["inspector"])
    home = inspector.get("/").get_data(as_text=True)
    assert re.search(r'<div class="figure">3</div><div class="label">待整改</div>', home)
    assert re.search(r'<div class="figure">1</div><div class="label">已逾期</div>', home)
    page = inspector.get(f"/schools/{setup['school']}").get_data(as_text=True)
    assert re.search(r'<div class="figure">1</div><div class="label">已逾期</div>', page)
    assert "添加整改事项" in page


def test_navigation_has_rectification_for_every_role(app, setup, make_user):
    for user_id in (setup["principal"], setup["inspector"], make_user("leader"), make_user("admin")):
        html = Person(app, user_id).get("/rectification/").get_data(as_text=True)
        assert re.search(r'<a href="/rectification/" aria-current="page">整改</a>', html)
