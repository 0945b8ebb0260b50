"""The template editor on a tablet: a draft edited in place (htmx swaps, no page loads), then
published and read-only."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import settled, sign_in
from .test_layout import SIDEWAYS, SMALL_TARGETS

pytestmark = pytest.mark.browser


def mark_page(page):
    """A marker that a full page load would wipe out: still there means htmx swapped in place."""
    page.evaluate("window.__samePage = true")


def same_page(page) -> bool:
    return page.evaluate("window.__samePage === true")


def add_item(page, section, text: str, points: str):
    section.locator("summary", has_text="添加评估要点").tap()
    form = section.locator("details.add-item form")
    form.get_by_label("评估要点（二级指标）").fill(text)
    form.get_by_label("分值").fill(points)
    form.get_by_role("button", name="添加").tap()
    settled(page)


def test_admin_edits_a_draft_in_place_then_publishes(page, console):
    console.allow(422)  # one refused item on purpose
    sign_in(page, "admin")
    page.get_by_role("navigation", name="主导航").get_by_text("管理", exact=True).tap()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="检查表模板").tap()
    expect(page.get_by_role("heading", name="检查表模板", exact=True)).to_be_visible()
    page.get_by_label("模板名称").fill("平板测试检查表")
    page.get_by_role("button", name="新建模板").tap()
    expect(page.get_by_role("heading", name=re.compile("平板测试检查表"))).to_contain_text("草稿")
    settled(page)
    mark_page(page)

    page.get_by_label("一级指标").fill("一、课堂教学")
    page.get_by_role("button", name="＋ 添加一级指标").tap()
    section = page.locator("section.cl-section", has=page.get_by_role("heading", name="一、课堂教学"))
    expect(section).to_be_visible()
    settled(page)

    add_item(page, section, "推门听课：课堂教学达标", "0")  # refused: the error beside the field, nothing added
    expect(section.locator(".field-msg .error")).to_have_text("分值须大于 0 且不超过 100")
    expect(section.locator("li.item:not(.empty)")).to_have_count(0)
    form = section.locator("details.add-item form")
    form.get_by_label("分值").fill("10")
    form.get_by_role("button", name="添加").tap()
    settled(page)
    add_item(page, section, "听评课制度落实", "5")
    items = section.locator("li.item")
    expect(items).to_have_count(2)
    expect(page.locator("#version-summary")).to_contain_text("2 项评估要点，满分合计 15 分")

    items.first.get_by_role("link", name="编辑").tap()
    editing = section.locator("li.item.editing")
    expect(editing.get_by_label("评估要点（二级指标）")).to_have_value("推门听课：课堂教学达标")
    editing.get_by_label("评估要点（二级指标）").fill("推门听课：随机听课，课堂教学达标")
    editing.get_by_label("分值").fill("12.5")
    editing.get_by_text("一票否决 ★").tap()
    editing.get_by_role("button", name="保存").tap()
    expect(section.locator("li.item.editing")).to_have_count(0)
    expect(items.first).to_contain_text("推门听课：随机听课，课堂教学达标")
    expect(items.first).to_contain_text("★ 一票否决")
    expect(section.locator(".section-total")).to_have_text("2 项 · 17.5 分")
    expect(page.locator("#version-summary")).to_contain_text("满分合计 17.5 分，其中一票否决 1 项")

    settled(page)
    items.first.get_by_role("button", name="下移").tap()
    expect(items.first).to_contain_text("听评课制度落实")
    expect(items.nth(1)).to_contain_text("推门听课")
    settled(page)
    assert same_page(page), "the edits should have been swapped in place"

    for width in (1024, 768):  # the draft, with all its buttons, still fits a tablet
        page.set_viewport_size({"width": width, "height": 768})
        if os.environ.get("SHOTS_DIR"):
            Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(os.environ["SHOTS_DIR"]) / f"checklist-draft-{width}.png"), full_page=True)
        assert page.evaluate(SIDEWAYS) <= 0, f"{width}px scrolls sideways"
        assert page.evaluate(SMALL_TARGETS) == [], f"{width}px targets under 44 px"
    page.set_viewport_size({"width": 1024, "height": 768})

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布", exact=True).tap()
    expect(page.get_by_text("第 1 版已发布")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("已发布")
    expect(page.get_by_role("button", name="编辑新版本")).to_be_visible()
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("下移|上移|删除"))).to_have_count(0)
    expect(page.locator("li.item").first).to_contain_text("听评课制度落实")
