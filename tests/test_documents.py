"""公文: a circular composed from a round, edited with a live preview, numbered and issued without
gaps or duplicates (also by two admins at once), immutable once issued, received and acknowledged
(签收) by the schools, reminders, and the rectification items its requirements make."""
import io
import os
import re
import threading
from datetime import date, timedelta

import pdfplumber
import pytest
from sqlalchemy import func, select

from portal import clock
from portal.documents import compose, numbering
from portal.extensions import db
from portal.models import (Answer, AuditLog, Document, DocumentCounter, DocumentRecipient, Inspection,
                           InspectionStatus, IssuedDocumentError, RectificationItem, Round, RoundKind, School, TemplateVersion)
from portal.rectification import overdue

from . import gbt9704
from .conftest import HX, HX_BOOSTED, worker_process
from .test_rectification import Person, jpeg

KEY = "0f5c2a8e-1d3b-4c5a-9e7f-112233445566"


def today(app) -> date:
    with app.app_context():
        return clock.today()


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join("".join(page.extract_text().split()) for page in pdf.pages)


@pytest.fixture
def world(app, make_school, make_user, make_template):
    """A finished round at three schools: 城东 full marks, 城西 the same (a tie), 城南 fails the critical
    item (with a note) and the yes/no item; 城北 is not in the round. Their principals and the admin."""
    schools = {name: make_school(name=name) for name in ("城东小学", "城西小学", "城南小学", "城北小学")}
    version = make_template()
    inspector = make_user("inspector", display_name="周督学")
    with app.app_context():
        items = [item for section in db.session.get(TemplateVersion, version).sections
                 for item in section.items]
        critical, rating, yes_no = items
        supervision_round = Round(name="2026年秋季学期专项督导", kind=RoundKind.SPECIAL, version_id=version,
                                  starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 13))
        answers = {"城东小学": ("10", "达标", "是", ""), "城西小学": ("10", "达标", "是", ""),
                   "城南小学": ("2", "达标", "否", "招生简章未公示。")}
        for name, (points, rated, yes, note) in answers.items():
            supervision_round.inspections.append(Inspection(
                school_id=schools[name], version_id=version, inspector_id=inspector, visit_date=date(2026, 11, 5),
                status=InspectionStatus.APPROVED,
                answers=[Answer(item=critical, value=points, note=note), Answer(item=rating, value=rated),
                         Answer(item=yes_no, value=yes)]))
        db.session.add(supervision_round)
        db.session.commit()
        round_id = supervision_round.id
        item_ids = dict(critical=critical.id, yes_no=yes_no.id)
    return dict(round=round_id, schools=schools, inspector=inspector, admin=make_user("admin"),
                principal=make_user("principal", school_id=schools["城东小学"]),
                north_principal=make_user("principal", school_id=schools["城北小学"]), **item_ids)


def drafted(app, world) -> int:
    with app.test_request_context():
        document = compose.drafted(db.session.get(Round, world["round"]), "XX县人民政府教育督导室", "各中小学、幼儿园",
                                   "县教育局", overdue.default_due(clock.today()))
        db.session.add(document)
        db.session.commit()
        return document.id


def test_compose_prefills_every_section_from_the_round(app, world):
    with app.app_context():
        document = db.session.get(Document, drafted(app, world))
        assert document.title == "关于2026年秋季学期专项督导情况的通报"
        assert "2026年11月2日至2026年11月13日" in document.opening
        assert "共涉及3所学校，由1名督学（周督学）" in document.basics and "共3项评估要点" in document.basics
        assert "优秀2所" in document.basics and "不合格1所" in document.basics
        assert "城东小学、城西小学等2所学校督导结果为优秀" in document.achievements
        problems = document.problems.splitlines()
        assert problems[0].startswith("（一）“招生规范，无违规招生”未达到要求。共1所学校：城南小学。")
        assert problems[0].endswith("督学记录：城南小学“招生简章未公示”。")  # the note's own stop dropped inside the quote
        assert problems[1].startswith("（二）“消防设施完好”未达到要求")
        # The ranking (supervision/ranking.py): a tie shared, the critical failure after it, unranked;
        # no earlier round on this checklist to compare with.
        assert document.table == [["小学", "1（并列）", "城东小学", "100.0", "优秀", "—"],
                                  ["小学", "1（并列）", "城西小学", "100.0", "优秀", "—"],
                                  ["小学", "一票否决", "城南小学", "35.0", "不合格", "—"]]
        assert document.deadline == overdue.default_due(today(app))


def test_compose_view_makes_one_draft_per_tap(app, world):
    admin = Person(app, world["admin"])
    url = f"/documents/compose/{world['round']}"
    first = admin.post(url, {"key": KEY})
    assert first.status_code == 303 and re.search(r"/documents/\d+/edit$", first.headers["Location"])
    assert admin.post(url, {"key": KEY}).headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 1


def test_editing_saves_every_section_and_refuses_bad_input(app, world):
    document_id = drafted(app, world)
    admin = Person(app, world["admin"])
    page = admin.get(f"/documents/{document_id}/edit").get_data(as_text=True)
    assert "一、基本情况" in page and "招生简章未公示" in page
    deadline = (today(app) + timedelta(days=20)).isoformat()
    bad = admin.post(f"/documents/{document_id}/edit", {"title": "", "deadline": "明天", "audience": "ALL"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "请填写标题" in html and "不是有效的日期值" in html
    data = {"title": "关于专项督导情况的通报", "addressee": "各中小学", "opening": "开头。", "basics": "基本。",
            "achievements": "", "problems": "（一）问题。", "requirements": "（一）要求。", "deadline": deadline,
            "attachment_title": "结果", "cc": "县教育局", "audience": "ROUND", "create_items": "y"}
    saved = admin.post(f"/documents/{document_id}/edit", data)
    assert saved.status_code == 303
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert (document.title, document.achievements, document.audience.name) == ("关于专项督导情况的通报", "", "ROUND")
        assert document.deadline.isoformat() == deadline
        entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "document", AuditLog.action == "update")).one()
        assert entry.changes["title"][1] == "关于专项督导情况的通报"


def test_preview_shows_the_first_page_of_what_is_typed(app, world):
    document_id = drafted(app, world)
    admin = Person(app, world["admin"])
    response = admin.post(f"/documents/{document_id}/preview", {"title": "预览标题", "deadline": "2026-12-31",
                                                               "audience": "ALL"}, headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<img class="page-image" src="data:image/png;base64,' in html and "<html" not in html
    assert re.search(r"不含附件共 \d 页；附件“[^”]+”（3 行）另起页", html)  # the table of the round's three schools
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert document.title != "预览标题"  # nothing saved
        # The preview leaves the attachments' pages out: its page 1 is the whole document's page 1.
        from portal.pdf import engine
        letter = compose.letter(document, clock.today())
        whole, body = engine.render("pdf/base.html", letter), engine.render("pdf/base.html", letter, body_only=True)
        title = letter.attachments[0].title
        assert pdf_text(whole.pdf).count(title) == 2 and pdf_text(body.pdf).count(title) == 1  # the 附件 note only
        assert engine.first_page_png(body.pdf, 1) == engine.first_page_png(whole.pdf, 1)


def confirmation(person, document_id) -> dict:
    """What the confirmation page's 印发 form posts."""
    page = person.get(f"/documents/{document_id}/issue").get_data(as_text=True)
    return {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1) for name in ("key", "revision")}


def issue(person, document_id, key=None, **extra):
    """印发 from the confirmation page, as a person does."""
    return person.post(f"/documents/{document_id}/issue", {**confirmation(person, document_id), **extra})


def test_issuing_numbers_dates_sends_and_stores_the_pdf(app, world):
    first, second = drafted(app, world), drafted(app, world)
    admin = Person(app, world["admin"])
    page = admin.get(f"/documents/{first}/issue").get_data(as_text=True)
    year = today(app).year
    assert f"X教督〔{year}〕1号（印发时取号）" in page and "4 所学校" in page and '<img class="page-image"' in page
    confirmed = confirmation(admin, first)
    response = admin.post(f"/documents/{first}/issue", confirmed)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/documents/{first}")
    assert admin.post(f"/documents/{first}/issue", confirmed).status_code == 303  # a second tap issues nothing more
    issue(admin, second, another="y")
    with app.app_context():
        one, two = db.session.get(Document, first), db.session.get(Document, second)
        assert (one.number, two.number) == (f"X教督〔{year}〕1号", f"X教督〔{year}〕2号")
        assert one.signed_on == today(app) and one.issuer == "XX县人民政府教育督导室"
        assert {r.school.name for r in one.recipients} == {"城东小学", "城西小学", "城南小学", "城北小学"}
        assert db.session.get(DocumentCounter, ("X教督", year)).last == 2
        assert one.pdf is not None
    pdf = admin.get(f"/documents/{first}/pdf")
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert f"X教督〔{year}〕1号" in text and "一、基本情况" in text and "附件：2026年秋季学期专项督导结果" in text
    assert f"{year}年{today(app).month}月{today(app).day}日印发" in text
    assert "请各学校于" in text and "城南小学" in text


def test_issue_saves_what_is_typed_and_issues_exactly_that(app, world):
    """Editing the title and tapping 印发 without saving first: the typed title is saved, confirmed and
    issued (the preview showed it); nothing is issued before the confirmation."""
    document_id = drafted(app, world)
    admin = Person(app, world["admin"])
    typed = {"title": "关于专项督导情况的通报（修订）", "addressee": "各中小学", "opening": "开头。", "basics": "基本。",
             "achievements": "", "problems": "（一）问题。", "requirements": "（一）要求。",
             "deadline": (today(app) + timedelta(days=20)).isoformat(), "attachment_title": "结果", "cc": "县教育局",
             "audience": "ALL", "create_items": "y", "then": "issue"}
    response = admin.post(f"/documents/{document_id}/edit", typed)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/documents/{document_id}/issue")
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert document.title == typed["title"] and document.number is None  # saved, not issued
    page = admin.get(f"/documents/{document_id}/issue").get_data(as_text=True)
    assert "关于专项督导情况的通报（修订）" in page and "确认印发" in page
    issue(admin, document_id)
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert document.issued and document.title == typed["title"]
    assert "关于专项督导情况的通报（修订）" in pdf_text(admin.get(f"/documents/{document_id}/pdf").data)


def test_issue_refuses_a_draft_changed_after_its_confirmation(app, world):
    document_id = drafted(app, world)
    admin, other_tab = Person(app, world["admin"]), Person(app, world["admin"])
    confirmed = confirmation(admin, document_id)
    with app.app_context():
        db.session.get(Document, document_id).title = "另一个标签页里改过的标题"
        db.session.commit()
    refused = admin.post(f"/documents/{document_id}/issue", confirmed)
    assert refused.status_code == 409 and "重新确认" in refused.get_data(as_text=True)
    assert admin.post(f"/documents/{document_id}/issue", {"key": KEY}).status_code == 409  # not from the page at all
    with app.app_context():
        assert db.session.get(Document, document_id).number is None
        assert db.session.scalar(select(func.count()).select_from(DocumentCounter)) == 0
    assert issue(other_tab, document_id).status_code == 303  # confirmed again: issued


def test_a_second_circular_for_a_round_asks_first_and_offers_the_correction(app, world):
    first, second = drafted(app, world), drafted(app, world)
    admin = Person(app, world["admin"])
    issue(admin, first)
    year = today(app).year
    page = admin.get(f"/documents/{second}/issue").get_data(as_text=True)
    assert "本督导批次已经印发了通报" in page and f"改为更正 X教督〔{year}〕1号" in page and "仍然另行印发" in page
    asked = issue(admin, second)
    assert asked.status_code == 422 and "仍要另行印发" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Document, second).number is None and len(db.session.get(Document, first).recipients) == 4
    corrected = admin.post(f"/documents/{second}/as-correction/{first}", {"key": KEY})
    assert corrected.status_code == 303 and corrected.headers["Location"].endswith(f"/documents/{second}/issue")
    page = admin.get(f"/documents/{second}/issue").get_data(as_text=True)
    assert "本督导批次已经印发了通报" not in page and f"X教督〔{year}〕1号（原件同时废止）" in page
    assert issue(admin, second).status_code == 303
    with app.app_context():
        document = db.session.get(Document, second)
        assert document.corrects_id == first and document.number == f"X教督〔{year}〕2号"
    assert f"（此件更正X教督〔{year}〕1号，原件同时废止）" in pdf_text(admin.get(f"/documents/{second}/pdf").data)


def test_a_second_circular_for_a_round_is_issued_when_the_office_says_so(app, world):
    first, second = drafted(app, world), drafted(app, world)
    admin = Person(app, world["admin"])
    issue(admin, first)
    assert issue(admin, second, another="y").status_code == 303
    with app.app_context():
        assert db.session.get(Document, second).issued and db.session.get(Document, second).corrects_id is None


def test_an_issued_document_never_changes_and_a_correction_refers_to_it(app, world):
    document_id = drafted(app, world)
    admin = Person(app, world["admin"])
    issue(admin, document_id)
    with app.app_context():
        document = db.session.get(Document, document_id)
        document.title = "改了"
        with pytest.raises(IssuedDocumentError):
            db.session.flush()
        db.session.rollback()
    assert admin.get(f"/documents/{document_id}/edit").status_code == 409
    assert admin.post(f"/documents/{document_id}/edit", {"title": "改了"}).status_code == 409
    correction = admin.post(f"/documents/{document_id}/correct", {"key": KEY})
    assert correction.status_code == 303
    assert correction.status_code == 303
    corrected_id = int(re.search(r"/documents/(\d+)/edit", correction.headers["Location"]).group(1))
    issue(admin, corrected_id)
    year = today(app).year
    with app.app_context():
        corrected = db.session.get(Document, corrected_id)
        assert corrected.corrects_id == document_id and corrected.number == f"X教督〔{year}〕2号"
        assert db.session.get(Document, document_id).title != "改了"
    assert f"（此件更正X教督〔{year}〕1号，原件同时废止）" in pdf_text(admin.get(f"/documents/{corrected_id}/pdf").data)


def test_a_draft_with_nothing_to_say_is_not_issued(app, world):
    admin = Person(app, world["admin"])
    with app.app_context():
        empty = Document(title="空", deadline=None)
        db.session.add(empty)
        db.session.commit()
        empty_id = empty.id
    response = issue(admin, empty_id)
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Document, empty_id).number is None
        assert db.session.scalar(select(func.count()).select_from(DocumentCounter)) == 0


@pytest.mark.parametrize("threads", [2, 4])
def test_numbers_under_concurrency_are_consecutive_and_distinct(app, threads):
    """Admins issuing at the same moment (threads with their own connections, on this run's
    database: SQLite or PostgreSQL) get consecutive, distinct numbers."""
    barrier = threading.Barrier(threads)
    numbers, problems = [], []

    def take():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                for _ in range(3):
                    numbers.append(numbering.next_sequence("X教督", 2026))
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                problems.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=take) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert problems == []
    assert sorted(numbers) == list(range(1, 3 * threads + 1))


def test_two_admins_issuing_two_drafts_at_once(app, world):
    ids = [drafted(app, world), drafted(app, world)]
    admins = [Person(app, world["admin"]), Person(app, world["admin"])]
    barrier = threading.Barrier(2)
    codes = []

    def go(person, document_id):
        barrier.wait(timeout=10)
        codes.append(issue(person, document_id, another="y").status_code)  # two circulars of one round, on purpose

    workers = [threading.Thread(target=go, args=pair) for pair in zip(admins, ids)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert codes == [303, 303]
    with app.app_context():
        assert sorted(db.session.get(Document, i).sequence for i in ids) == [1, 2]


def test_schools_find_open_and_acknowledge_it(app, world):
    document_id = drafted(app, world)
    admin, principal = Person(app, world["admin"]), Person(app, world["principal"])
    issue(admin, document_id)
    inbox = principal.get("/documents/inbox").get_data(as_text=True)
    assert "关于2026年秋季学期专项督导情况的通报" in inbox and "待签收" in inbox
    home = principal.get("/").get_data(as_text=True)
    assert "1 件待签收" in home
    with app.app_context():
        mine = db.session.scalar(select(DocumentRecipient).where(
            DocumentRecipient.document_id == document_id, DocumentRecipient.school_id == world["schools"]["城东小学"]))
        recipient_id = mine.id
    assert admin.get(f"/documents/received/{recipient_id}").status_code == 200
    with app.app_context():
        assert db.session.get(DocumentRecipient, recipient_id).opened_at is None  # the office looking is not the school
    page = principal.get(f"/documents/received/{recipient_id}")
    assert page.status_code == 200 and "签收" in page.get_data(as_text=True)
    pdf = principal.get(f"/documents/received/{recipient_id}/pdf")
    assert pdf.mimetype == "application/pdf"
    acknowledged = principal.post(f"/documents/received/{recipient_id}/acknowledge", {"key": KEY}, headers=HX)
    assert acknowledged.status_code == 200 and "已签收" in acknowledged.get_data(as_text=True)
    with app.app_context():
        recipient = db.session.get(DocumentRecipient, recipient_id)
        first = recipient.acknowledged_at
        assert recipient.opened_by_id == world["principal"] and recipient.acknowledged_by_id == world["principal"]
    principal.post(f"/documents/received/{recipient_id}/acknowledge", {"key": KEY})
    with app.app_context():
        assert db.session.get(DocumentRecipient, recipient_id).acknowledged_at == first
    detail = admin.get(f"/documents/{document_id}?show=waiting").get_data(as_text=True)
    assert "城北小学" in detail and "城东小学" not in detail.split("未签收</a>")[1]


def test_a_school_sees_only_its_own_copy(app, world):
    document_id = drafted(app, world)
    admin, north = Person(app, world["admin"]), Person(app, world["north_principal"])
    issue(admin, document_id)
    with app.app_context():
        other = db.session.scalar(select(DocumentRecipient.id).where(
            DocumentRecipient.document_id == document_id, DocumentRecipient.school_id == world["schools"]["城东小学"]))
        pdf_id = db.session.get(Document, document_id).pdf_id
    assert north.get(f"/documents/received/{other}").status_code == 403
    assert north.get(f"/documents/received/{other}/pdf").status_code == 403
    assert north.post(f"/documents/received/{other}/acknowledge").status_code == 403
    assert north.get(f"/files/{pdf_id}").status_code == 403  # the stored PDF only through the inbox
    assert north.get(f"/documents/{document_id}").status_code == 403
    assert "城东小学" not in north.get("/documents/inbox").get_data(as_text=True)


def test_round_audience_reaches_only_the_round_schools(app, world):
    document_id = drafted(app, world)
    with app.app_context():
        from portal.models import Audience

        db.session.get(Document, document_id).audience = Audience.ROUND
        db.session.commit()
    issue(Person(app, world["admin"]), document_id)
    with app.app_context():
        assert {r.school.name for r in db.session.get(Document, document_id).recipients} == {"城东小学", "城西小学", "城南小学"}


def test_reminders_reach_who_has_not_acknowledged(app, world):
    document_id = drafted(app, world)
    admin, principal = Person(app, world["admin"]), Person(app, world["principal"])
    issue(admin, document_id)
    with app.app_context():
        recipients = {r.school.name: r.id for r in db.session.get(Document, document_id).recipients}
    principal.post(f"/documents/received/{recipients['城东小学']}/acknowledge")
    response = admin.post(f"/documents/{document_id}/remind", headers=HX)
    assert response.status_code == 200 and "已提醒 3 所学校签收" in response.get_data(as_text=True)
    admin.post(f"/documents/{document_id}/remind", {"school": str(world["schools"]["城北小学"])})
    with app.app_context():
        counts = {r.school.name: r.reminders for r in db.session.get(Document, document_id).recipients}
    assert counts == {"城东小学": 0, "城西小学": 1, "城南小学": 1, "城北小学": 2}
    north = Person(app, world["north_principal"])
    assert "已提醒 2 次" in north.get("/").get_data(as_text=True)


def test_requirements_create_or_link_the_schools_items(app, world):
    document_id = drafted(app, world)
    admin = Person(app, world["admin"])
    with app.app_context():  # the critical finding already has its item; the yes/no one does not
        south = db.session.scalar(select(Inspection).join(School).where(School.name == "城南小学"))
        existing = RectificationItem(school_id=south.school_id, inspection_id=south.id, item_id=world["critical"],
                                     problem="招生", requirement="整改", due_date=date(2027, 1, 1))
        db.session.add(existing)
        db.session.commit()
        existing_id = existing.id
        deadline = db.session.get(Document, document_id).deadline
    issue(admin, document_id)
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert len(document.items) == 2 and existing_id in {i.id for i in document.items}
        made = next(i for i in document.items if i.id != existing_id)
        assert (made.item_id, made.due_date, made.school.name) == (world["yes_no"], deadline, "城南小学")
        assert db.session.scalar(select(func.count()).select_from(RectificationItem)) == 2
    principal = Person(app, world["principal"])
    with app.app_context():
        south_copy = db.session.scalar(select(DocumentRecipient.id).where(
            DocumentRecipient.document_id == document_id, DocumentRecipient.school_id == world["schools"]["城南小学"]))
    assert principal.get(f"/documents/received/{south_copy}").status_code == 403


def test_user_text_is_text_on_the_page_and_in_the_pdf(app, world):
    document_id = drafted(app, world)
    admin = Person(app, world["admin"])
    hostile = '<script>alert(1)</script><img src="http://example.invalid/x.png">'
    admin.post(f"/documents/{document_id}/edit", {"title": f"通报{hostile}", "opening": hostile, "deadline": "2026-12-31",
                                                  "audience": "ALL", "requirements": "要求"})
    page = admin.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    text = pdf_text(admin.get(f"/documents/{document_id}/pdf").data)
    assert "<script>alert(1)</script>" in text


def test_pages_as_plain_htmx_and_boosted_requests(app, world):
    document_id = drafted(app, world)
    admin = Person(app, world["admin"])
    for headers in ({}, HX_BOOSTED):
        for url in ("/documents/", f"/documents/{document_id}/edit", f"/documents/{document_id}"):
            response = admin.get(url, headers=headers)
            assert response.status_code == 200 and "<html" in response.get_data(as_text=True), url
    issue(admin, document_id)
    fragment = admin.get(f"/documents/{document_id}", headers=HX).get_data(as_text=True)
    assert "送达与签收" in fragment and "<html" not in fragment


def test_leaders_read_issued_circulars_their_pdfs_and_who_has_signed(app, world, make_user):
    issued, draft = drafted(app, world), drafted(app, world)
    issue(Person(app, world["admin"]), issued)
    leader = Person(app, make_user("leader", display_name="局长"))
    assert 'href="/documents/"' in leader.get("/").get_data(as_text=True)
    listing = leader.get("/documents/").get_data(as_text=True)
    assert listing.count("关于2026年秋季学期专项督导情况的通报") == 1  # the issued one, not the draft
    assert "起草通报" not in listing and "批量生成" not in listing and "公文字体" not in listing
    page = leader.get(f"/documents/{issued}").get_data(as_text=True)
    assert "送达与签收" in page and "未签收" in page and "城北小学" in page
    assert f"/documents/{issued}/remind" not in page and "起草更正文件" not in page  # read-only
    assert leader.get(f"/documents/{issued}/pdf").mimetype == "application/pdf"
    for url in (f"/documents/{draft}", f"/documents/{draft}/pdf", f"/documents/{draft}/edit", f"/documents/{draft}/issue"):
        assert leader.get(url).status_code == 403, url
    assert leader.post(f"/documents/{issued}/remind", {}).status_code == 403
    assert leader.post(f"/documents/{issued}/correct", {"key": KEY}).status_code == 403


def test_navigation_offers_documents_to_the_office_and_the_schools(app, world):
    admin, principal = Person(app, world["admin"]), Person(app, world["principal"])
    assert 'href="/documents/"' in admin.get("/").get_data(as_text=True)
    assert 'href="/documents/inbox"' in principal.get("/").get_data(as_text=True)


# Per-school documents and batches.

def south_inspection(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Inspection.id).join(School).where(School.name == "城南小学"))


def test_opinion_and_rectification_notice_of_one_inspection(app, world):
    from portal.files.uploads import store

    inspection_id = south_inspection(app)
    with app.app_context():  # a photo of the finding goes on a figure page
        answer = db.session.scalar(select(Answer).where(Answer.inspection_id == inspection_id,
                                                        Answer.item_id == world["critical"]))
        from portal.models import Photo

        answer.photos.append(Photo(client_key="p1", attachment=store(jpeg(), "a.jpg", "image/jpeg", school_id=None, user_id=None),
                                   thumbnail=store(jpeg(), "b.jpg", "image/jpeg", school_id=None, user_id=None)))
        db.session.commit()
    admin = Person(app, world["admin"])
    response = admin.get(f"/documents/inspection/{inspection_id}/opinion.pdf")
    assert response.mimetype == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.data)) as pdf:
        text = "".join("".join(page.extract_text().split()) for page in pdf.pages)
        assert any(page.images for page in pdf.pages)
    assert "城南小学督导意见书" in text and "得分率35.0%，等级为不合格" in text and "招生简章未公示" in text
    assert "附件1" in text and "城南小学督导评分表" in text and "城南小学督导现场照片" in text
    notice = pdf_text(admin.get(f"/documents/inspection/{inspection_id}/rectification.pdf").data)
    assert "城南小学整改通知书" in notice and "整改要求" in notice and "得分率" not in notice
    assert Person(app, world["principal"]).get(f"/documents/inspection/{inspection_id}/opinion.pdf").status_code == 403


def test_observation_feedback_sheet(app, world):
    from portal.models import FeedbackWay, Observation, ObservationStatus
    from portal.observations.rubric import load_default_rubric

    with app.app_context():
        rubric = load_default_rubric().versions[0]
        record = Observation(school_id=world["schools"]["城东小学"], observer_id=world["inspector"], version=rubric,
                             observed_on=date(2026, 11, 20), status=ObservationStatus.FINAL, teacher_name="李老师",
                             subject="数学", topic="分数的意义", strengths="<b>互动充分</b>", feedback_way=FeedbackWay.IN_PERSON,
                             feedback_on=date(2026, 11, 20))
        db.session.add(record)
        db.session.commit()
        record_id = record.id
    response = Person(app, world["principal"]).get(f"/documents/observation/{record_id}/feedback.pdf")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "推门听课反馈单" in text and "李老师" in text and "分数的意义" in text and "<b>互动充分</b>" in text
    assert "已于2026年11月20日以当面方式反馈授课教师" in text
    assert Person(app, world["north_principal"]).get(f"/documents/observation/{record_id}/feedback.pdf").status_code == 403


def start_batch(app, world, kind="opinion"):
    admin = Person(app, world["admin"])
    response = admin.post(f"/documents/batch/{world['round']}", {"key": KEY, "kind": kind})
    assert response.status_code == 303
    return admin, int(re.search(r"/job/(\d+)$", response.headers["Location"]).group(1))


def test_a_batch_makes_every_school_notice_and_reports_a_failure(app, world, monkeypatch):
    import zipfile

    from portal import jobs
    from portal.documents import notices
    from portal.models import DocumentJob, JobStatus

    admin, job_id = start_batch(app, world)
    waiting = admin.get(f"/documents/batch/job/{job_id}", headers=HX).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in waiting and "排队中" in waiting and "<html" not in waiting
    real = notices.inspection_notice

    def failing(inspection, kind, today):
        if inspection.school.name == "城西小学":
            raise RuntimeError("照片文件缺失")
        return real(inspection, kind, today)

    monkeypatch.setattr(notices, "inspection_notice", failing)
    with app.app_context():
        job = jobs.run(DocumentJob, job_id)
        assert (job.status, job.total, job.done) == (JobStatus.DONE, 3, 3)
        assert job.failures == [["城西小学", "RuntimeError: 照片文件缺失"]]
        assert jobs.run(DocumentJob, job_id).status is JobStatus.DONE  # run again: nothing happens twice
        assert db.session.get(DocumentJob, job_id).done == 3
    done = admin.get(f"/documents/batch/job/{job_id}", headers=HX).get_data(as_text=True)
    assert "every 1s" not in done and "城西小学" in done and "照片文件缺失" in done and "下载压缩包（2 份 PDF）" in done
    archive = admin.get(f"/documents/batch/job/{job_id}/zip")
    assert archive.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    archive.close()
    assert sorted(names) == sorted(["T0001 城东小学督导意见书.pdf", "T0003 城南小学督导意见书.pdf", "未生成的文件.txt"])
    principal = Person(app, world["principal"])
    assert principal.get(f"/documents/batch/job/{job_id}/zip").status_code == 403
    with app.app_context():
        zip_id = db.session.get(DocumentJob, job_id).zip_id
    assert principal.get(f"/files/{zip_id}").status_code == 403


def test_a_batch_holds_no_transaction_while_a_notice_renders(app, world, monkeypatch):
    """Each notice is prepared, then its read ends before the PDF renders: on SQLite a worker's open
    transaction holds the write lock, and the inspectors' autosaves would wait behind every render."""
    from portal import jobs
    from portal.models import DocumentJob
    from portal.pdf import pool

    _, job_id = start_batch(app, world)
    held = []

    def rendering(documents, *args, **kwargs):
        for tag, html, files in documents:
            held.append(db.session().in_transaction())  # as the PDF of this notice would render
            yield tag, b"%PDF-1.7"

    monkeypatch.setattr(pool, "pdfs", rendering)
    with app.app_context():
        jobs.run(DocumentJob, job_id)
    assert held == [False, False, False]


def test_a_worker_process_runs_the_batch_while_the_app_stays_responsive(app, world):
    import time

    from portal.models import DocumentJob, JobStatus

    admin, job_id = start_batch(app, world, "rectification")
    with worker_process(app):
        assert admin.get("/documents/").status_code == 200  # answered while the job runs
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with app.app_context():
                job = db.session.get(DocumentJob, job_id)
                if job.status in (JobStatus.DONE, JobStatus.FAILED):
                    break
            time.sleep(0.2)
    with app.app_context():
        job = db.session.get(DocumentJob, job_id)  # a 整改通知书 only where something is not met: 城南小学
        assert (job.status, job.total, job.done, job.failures) == (JobStatus.DONE, 1, 1, []) and job.zip_id


def test_the_worker_command_runs_queued_jobs(app, world, runner):
    from portal.models import DocumentJob, JobStatus

    _, job_id = start_batch(app, world)
    result = runner.invoke(args=["jobs", "work", "--once"])
    assert result.exit_code == 0 and "已完成，3/3" in result.output
    with app.app_context():
        assert db.session.get(DocumentJob, job_id).status is JobStatus.DONE


def stall(app, job_id, status, minutes=10):
    """The job as a process that stopped `minutes` ago left it."""
    from portal.models import DocumentJob, utcnow

    with app.app_context():
        job = db.session.get(DocumentJob, job_id)
        job.status, job.done = status, 1
        db.session.flush()
        job.updated_at = utcnow() - timedelta(minutes=minutes)
        db.session.commit()


def test_a_batch_that_stopped_mid_way_shows_as_interrupted_and_is_made_again_once(app, world):
    from portal import jobs
    from portal.models import DocumentJob, JobStatus

    admin, job_id = start_batch(app, world)
    stall(app, job_id, JobStatus.RUNNING, minutes=2)
    moving = admin.get(f"/documents/batch/job/{job_id}", headers=HX).get_data(as_text=True)
    assert "every 1s" in moving and "已中断" not in moving and "重新生成" not in moving
    stall(app, job_id, JobStatus.RUNNING)
    page = admin.get(f"/documents/batch/job/{job_id}", headers=HX).get_data(as_text=True)
    assert "已中断" in page and "生成中途停止了" in page and "every 1s" not in page
    assert admin.post(f"/documents/batch/job/{job_id}/restart", {}).status_code == 303
    assert admin.post(f"/documents/batch/job/{job_id}/restart", {}).status_code == 303  # the second tap: nothing
    with app.app_context():
        job = db.session.get(DocumentJob, job_id)
        assert (job.status, job.done, job.failures) == (JobStatus.QUEUED, 0, [])
        assert not jobs.requeue(job) and jobs.run(DocumentJob, job_id).status is JobStatus.DONE
    principal = Person(app, world["principal"])
    assert principal.post(f"/documents/batch/job/{job_id}/restart", {}).status_code == 403


def test_the_worker_takes_up_a_job_a_stopped_worker_left_running(app, world, runner):
    from portal.models import DocumentJob, JobStatus

    _, job_id = start_batch(app, world)
    stall(app, job_id, JobStatus.RUNNING)
    result = runner.invoke(args=["jobs", "work", "--once"])
    assert result.exit_code == 0 and "已完成，3/3" in result.output
    with app.app_context():
        assert db.session.get(DocumentJob, job_id).status is JobStatus.DONE


@pytest.fixture
def redis_queue(app):
    """JOBS=rq against the Redis at REDIS_URL (else 127.0.0.1:6379; `.ci/run` starts one), on a queue of
    this test's own."""
    import uuid

    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    from portal import jobs

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        Redis.from_url(url).ping()
    except RedisDown:
        pytest.skip(f"no Redis at {url}")
    app.config.update(JOBS="rq", REDIS_URL=url, JOB_QUEUE=f"dudao-test-{uuid.uuid4().hex}")
    with app.app_context():
        queue = jobs.queue()
    yield queue
    queue.delete(delete_jobs=True)


@pytest.mark.redis
def test_on_a_redis_queue_the_worker_command_runs_the_batch(app, world, runner, redis_queue):
    """The batch goes on the Redis queue, and `flask jobs work --once` (an RQ SimpleWorker in burst mode)
    makes it."""
    from portal.models import DocumentJob, JobStatus

    admin, job_id = start_batch(app, world)
    assert redis_queue.count == 1 and "排队中" in admin.get(f"/documents/batch/job/{job_id}", headers=HX).get_data(as_text=True)
    result = runner.invoke(args=["jobs", "work", "--once"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        job = db.session.get(DocumentJob, job_id)
        assert (job.status, job.done, job.failures) == (JobStatus.DONE, 3, []) and job.zip_id
    assert redis_queue.count == 0


def test_a_queue_that_cannot_be_reached_fails_the_job_on_its_page(app, world):
    from portal.models import DocumentJob, JobStatus

    app.config.update(JOBS="rq", REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    admin, job_id = start_batch(app, world)
    with app.app_context():
        job = db.session.get(DocumentJob, job_id)
        assert job.status is JobStatus.FAILED and "任务未能进入队列" in job.failures[0][1]
    assert "任务未能进入队列" in admin.get(f"/documents/batch/job/{job_id}").get_data(as_text=True)


# Every kind of document, read back from its PDF against GB/T 9704 (tests/gbt9704.py): the demo county
# and a 270-school round.

def rules_of(app) -> tuple[dict, tuple[str, ...]]:
    from portal.documents import dictionary
    from portal.pdf import engine, titles

    with app.app_context():
        faces = engine.faces()
        words = (*dictionary.words(), *titles.TERMS)
    return {level: faces.first(level) for level in ("xbs", "body", "hei", "kai")}, words


def every_kind(app, limit: int) -> dict[str, bytes]:
    """The circular of each round, 督导意见书 and 整改通知书 of up to `limit` schools, the feedback
    sheets and the plans, as PDFs."""
    from portal.documents import batch, notices, pdfs
    from portal.models import Observation, ObservationStatus, Plan

    made = {}
    with app.test_request_context():
        day = clock.today()
        for round_ in db.session.scalars(select(Round)).all():
            document = compose.drafted(round_, "XX县人民政府教育督导室", "各中小学、幼儿园", "县教育局", day + timedelta(days=30))
            made[f"通报 {round_.name}"] = pdfs.rendered(document)
            for kind in notices.KINDS:
                for inspection in batch.inspections_of(round_.id, kind)[:limit]:
                    made[f"{notices.KINDS[kind]} {inspection.school.name}"] = notices.inspection_notice(
                        inspection, kind, day).render().pdf
        for record in db.session.scalars(select(Observation).where(Observation.status == ObservationStatus.FINAL)).all()[:limit]:
            made[f"反馈单 {record.id}"] = notices.observation_sheet(record).render().pdf
        for plan in db.session.scalars(select(Plan)).all():
            made[f"规划 {plan.title}"] = notices.plan_document(plan, day).render().pdf
    return made


def test_every_document_of_the_demo_county_passes_every_rule(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    faces, words = rules_of(app)
    made = every_kind(app, limit=8)
    kinds = {name.split()[0] for name in made}
    assert kinds == {"通报", "督导意见书", "整改通知书", "反馈单", "规划"}
    problems = {name: found for name, pdf in made.items()
                if (found := gbt9704.every_rule(pdf, faces, words, "XX县人民政府教育督导室"))}
    assert problems == {}
    full = 0
    for pdf in (pdf for name, pdf in made.items() if name.startswith("通报")):
        with gbt9704.open_pdf(pdf) as read:
            full += sum(len(gbt9704.body_lines(page)) == 22 for page in gbt9704.body_pages(read))
    assert full >= 1  # the comprehensive round's circular runs over full pages of 22 lines
    sheets = [pdf for name, pdf in made.items() if name.startswith("反馈单")]
    assert all(len(gbt9704.open_pdf(pdf).pages) == 1 for pdf in sheets)  # a lesson's feedback on one page


def test_a_270_school_round_passes_every_rule(app):
    from bench.documents import county

    with app.app_context():
        county(270)
    faces, words = rules_of(app)
    made = every_kind(app, limit=3)
    circular = next(pdf for name, pdf in made.items() if name.startswith("通报"))
    with gbt9704.open_pdf(circular) as pdf:
        table = "".join(page.extract_text() for page in pdf.pages)
        assert len(pdf.pages) > 12 and len(set(re.findall(r"第\d+学校", table))) == 270
    problems = {name: found for name, pdf in made.items()
                if (found := gbt9704.every_rule(pdf, faces, words, "XX县人民政府教育督导室"))}
    assert problems == {}
