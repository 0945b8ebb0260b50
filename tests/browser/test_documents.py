"""A circular on a tablet: the office drafts it from the finished round, edits a section while the
first page follows, issues it; a principal finds it on the home page and signs for it (签收); the
office sees who has and who has not."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Document, DocumentRecipient, School

from ..conftest import worker_process
from .conftest import settled, sign_in, signed_out

pytestmark = pytest.mark.browser


def shot(page, name):
    if os.environ.get("SHOTS_DIR"):
        Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(os.environ["SHOTS_DIR"]) / f"{name}.png"), full_page=True)


def test_from_finished_round_to_every_inbox_and_back(page, context, live_app):
    sign_in(page, "admin")
    page.get_by_role("link", name="公文", exact=True).tap()
    settled(page)
    shot(page, "documents-index")
    page.locator("tr", has_text="学校综合督导").get_by_role("button", name="起草通报").tap()
    page.wait_for_url(re.compile(r"/documents/\d+/edit$"))
    document_id = int(re.search(r"/documents/(\d+)/edit$", page.url).group(1))
    preview = page.locator("#preview img.page-image")
    expect(preview).to_be_visible(timeout=20_000)
    first = preview.get_attribute("src")
    expect(page.get_by_label("三、存在问题")).to_contain_text("（一）")
    shot(page, "documents-edit")

    page.get_by_label("标题", exact=True).fill("关于2026年秋季学期学校综合督导\n情况的通报")
    expect(preview).not_to_have_attribute("src", first, timeout=20_000)  # the first page follows the typing
    page.get_by_label("二、主要成效").fill("各学校办学行为总体规范。\n（一）课后服务全面覆盖。")
    # The items the circular would make are tested without a browser; here they would change the
    # demo schools' rectification lists that other browser tests read.
    page.get_by_label("印发时按整改要求为各校生成（或关联）整改事项").uncheck()
    page.get_by_role("button", name="保存草稿").tap()
    expect(page.get_by_text(re.compile("已保存（标题、二、主要成效、"))).to_be_visible()
    page.get_by_label("二、主要成效").fill("各学校办学行为总体规范，课后服务全面覆盖。")  # typed, not saved
    page.get_by_role("button", name="保存并印发…").tap()
    page.wait_for_url(re.compile(rf"/documents/{document_id}/issue$"))
    # The demo round's circular went out a week ago: a second one is offered as its correction.
    expect(page.get_by_text("本督导批次已经印发了通报")).to_be_visible()
    shot(page, "documents-confirm")
    page.get_by_role("button", name=re.compile(r"改为更正 X教督〔\d{4}〕1号")).tap()
    expect(page.get_by_text("原件同时废止")).to_be_visible()
    page.get_by_role("button", name="确认印发并送达学校").tap()
    page.wait_for_url(re.compile(rf"/documents/{document_id}$"))
    expect(page.get_by_text(re.compile(r"已印发 X教督〔\d{4}〕\d+号"))).to_be_visible()
    shot(page, "documents-issued")

    with live_app.app_context():
        document = db.session.get(Document, document_id)
        number, total = document.number, len(document.recipients)
        assert document.achievements == "各学校办学行为总体规范，课后服务全面覆盖。" and document.corrects_id
        school = db.session.scalar(select(School).where(School.name == "城东实验小学"))
    assert total >= 25

    signed_out(page)
    sign_in(page, f"xz{school.code}")
    panel = page.locator(".doc-inbox")
    expect(panel).to_contain_text("待签收")
    panel.get_by_role("link", name=re.compile(re.escape(number))).tap()
    settled(page)
    shot(page, "documents-received")
    page.get_by_role("button", name="签收").tap()
    expect(page.locator("#receipt")).to_contain_text("已签收")

    signed_out(page)
    sign_in(page, "admin")
    page.goto(page.base + f"/documents/{document_id}")
    expect(page.locator(".tally")).to_contain_text("已签收 1 所")
    page.get_by_role("link", name="未签收", exact=True).tap()
    settled(page)
    expect(page.locator("#recipients tbody tr")).to_have_count(total - 1)
    page.get_by_role("button", name=re.compile("提醒全部未签收学校")).tap()
    expect(page.get_by_text(f"已提醒 {total - 1} 所学校签收。")).to_be_visible()
    shot(page, "documents-recipients")

    with live_app.app_context():
        mine = db.session.scalar(select(DocumentRecipient).where(
            DocumentRecipient.document_id == document_id, DocumentRecipient.school_id == school.id))
        assert mine.acknowledged_at is not None and mine.opened_at is not None
        assert mine.acknowledged_by.username == f"xz{school.code}"


def test_a_round_of_notices_in_the_background_with_a_progress_bar(page, live_app):
    from portal.documents import batch

    with live_app.app_context():
        short = len(batch.inspections_of(db.session.scalar(select(Document.round_id).where(Document.round_id.is_not(None))),
                                         "rectification"))  # a 整改通知书 only where something is not met
    with worker_process(live_app):  # as `make run` starts it beside the server
        sign_in(page, "admin")
        page.goto(page.base + "/documents/")
        page.locator("tr", has_text="学校综合督导").get_by_role("button", name="批量生成整改通知书").tap()
        page.wait_for_url(re.compile(r"/documents/batch/job/\d+$"))
        expect(page.locator("#job progress")).to_be_visible()
        page.get_by_role("link", name="公文", exact=True).tap()  # the app answers while the batch runs
        expect(page.get_by_role("heading", name="最近的批量生成")).to_be_visible()
        page.go_back()
        expect(page.locator("#job")).to_contain_text("已完成", timeout=90_000)
        expect(page.get_by_role("link", name=re.compile(rf"下载压缩包（{short} 份 PDF）"))).to_be_visible()
        shot(page, "documents-batch")
