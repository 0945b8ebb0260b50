"""The rectification loop on a tablet: a finding becomes an item in one tap, the school answers
with a photo, the inspector closes it (销号)."""
import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import (AnswerType, Inspection, RectificationItem, RectificationStatus, School, Step,
                           TemplateVersion, User, VersionStatus)
from portal.models import Answer
from portal.supervision.scoring import choices

from .conftest import settled, sign_in, signed_out

pytestmark = pytest.mark.browser


def shot(page, name):
    if os.environ.get("SHOTS_DIR"):
        Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(os.environ["SHOTS_DIR"]) / f"{name}.png"), full_page=True)


def filled_inspection(live_app) -> tuple[int, str]:
    """duxue1's inspection at 河口镇初级中学 with every item answered and the first one not met."""
    with live_app.app_context():
        school = db.session.scalar(select(School).where(School.name == "河口镇初级中学"))
        inspector = db.session.scalar(select(User).where(User.username == "duxue1"))
        version = db.session.scalars(select(TemplateVersion).where(TemplateVersion.status == VersionStatus.PUBLISHED)
                                     .order_by(TemplateVersion.id)).first()
        items = [item for section in version.sections for item in section.items]
        answers = []
        for n, item in enumerate(items):
            if item.answer_type is AnswerType.POINTS:
                value = "0" if n == 0 else f"{item.max_points.normalize():f}"
            else:
                labels = choices(item.answer_type)
                value = labels[-1] if n == 0 else labels[0]
            answers.append(Answer(item=item, value=value, note="现场未见相关记录" if n == 0 else ""))
        inspection = Inspection(school=school, version=version, inspector=inspector, visit_date=date.today(),
                                answers=answers)
        db.session.add(inspection)
        db.session.commit()
        return inspection.id, f"xz{school.code}"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (200, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def test_an_answer_not_met_offers_the_button_at_once(page, live_app):
    inspection, _ = filled_inspection(live_app)
    sign_in(page, "duxue1")
    page.goto(page.base + f"/inspections/{inspection}/fill")
    settled(page)
    item = page.locator(".sheet-item").nth(1)  # full points
    button = item.get_by_role("button", name="生成整改事项")
    expect(button).to_have_count(0)
    item.get_by_label("得分").fill("0")
    item.get_by_label("得分").press("Tab")  # a change: the answer saves
    expect(button).to_be_visible()
    expect(item.locator(".item-state")).to_contain_text("已保存")
    expect(item).to_have_class(re.compile(r"\bnot-met\b"))  # the card's red edge
    item.get_by_label("得分").fill(item.get_by_label("得分").get_attribute("max"))
    item.get_by_label("得分").press("Tab")
    expect(button).to_have_count(0)
    expect(item).not_to_have_class(re.compile(r"\bnot-met\b"))


def test_finding_to_closed_item(page, context, live_app):
    inspection, principal = filled_inspection(live_app)

    sign_in(page, "duxue1")
    page.goto(page.base + f"/inspections/{inspection}/fill")
    page.locator(".sheet-item").first.get_by_role("button", name="生成整改事项").tap()
    page.wait_for_url(re.compile(r"/rectification/\d+$"))
    settled(page)
    item_id = int(re.search(r"/rectification/(\d+)$", page.url).group(1))
    expect(page.get_by_text("已生成整改事项")).to_be_visible()
    expect(page.locator(".rect-facts")).to_contain_text("现场未见相关记录")
    shot(page, "rectification-generated")

    signed_out(page)
    sign_in(page, principal)
    page.get_by_role("link", name="整改", exact=True).tap()
    settled(page)
    page.locator("table.rect-table a.row-link").first.tap()
    page.wait_for_url(re.compile(rf"/rectification/{item_id}$"))
    settled(page)
    page.locator("#files input[type=file]").set_input_files(
        files=[{"name": "整改后.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    expect(page.get_by_alt_text("整改照片 1")).to_be_visible()
    page.get_by_label("整改情况").fill("已建立登记制度并补齐记录，附现场照片。")
    shot(page, "rectification-answer")
    page.get_by_role("button", name="提交整改报告").tap()
    expect(page.locator(".rect-facts .badge").first).to_have_text("已提交")

    signed_out(page)
    sign_in(page, "duxue1")
    page.goto(page.base + f"/rectification/{item_id}")
    page.locator("label", has_text="整改到位，销号").tap()
    page.get_by_role("button", name="确定").tap()
    expect(page.locator(".rect-facts .badge").first).to_have_text("已销号")
    expect(page.get_by_text("已销号。")).to_be_visible()
    shot(page, "rectification-closed")

    with live_app.app_context():
        item = db.session.get(RectificationItem, item_id)
        assert item.status is RectificationStatus.CLOSED and item.inspection_id == inspection
        assert [event.step for event in item.events] == [Step.CREATE, Step.SUBMIT, Step.CLOSE]
        assert len(item.files) == 1 and item.files[0].thumbnail_id
