"""优质均衡 on a tablet: the office sees the county narrowly miss one coefficient, opens the school
that pushes it up most, types a larger sports ground and watches the verdict move before saving."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.balance import queries
from portal.extensions import db
from portal.models import Level, ResourceFigures, School

from .conftest import settled, sign_in

pytestmark = pytest.mark.browser


def shot(page, name):
    if os.environ.get("SHOTS_DIR"):
        Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(os.environ["SHOTS_DIR"]) / f"{name}.png"), full_page=True)


def sports_area(live_app, school_name: str):
    with live_app.app_context():
        return db.session.scalar(select(ResourceFigures.sports_area).join(ResourceFigures.school).where(
            School.name == school_name, ResourceFigures.level == Level.JUNIOR,
            ResourceFigures.year == queries.this_year()))


def test_the_what_if_moves_the_verdict(page, live_app):
    before = sports_area(live_app, "南湖第二初级中学")
    sign_in(page, "admin")
    page.get_by_role("link", name="优质均衡").tap()
    settled(page)
    expect(page.locator("#verdict h2")).to_have_text("资源配置未达到优质均衡要求")
    expect(page.locator("#verdict")).to_contain_text("体育场馆 0.456")
    shot(page, "balance-summary")

    # The school that pushes the junior sports-ground coefficient up most is named beside it.
    row = page.locator(".balance-cv-table tr", has_text="5. 体育场馆").last
    expect(row.locator("td").last).to_contain_text("南湖第二初级中学")
    page.get_by_role("link", name="南湖第二初级中学").first.tap()
    settled(page)
    page.get_by_role("link", name="修改数据（可先预览结果）").tap()
    settled(page)
    expect(page.locator("#whatif-county")).to_have_text("未达标")

    field = page.get_by_label("体育运动场馆面积（㎡）")
    field.fill("19074")  # 10.2 ㎡ for each of its 1870 students
    expect(page.locator("#whatif")).to_contain_text("修改后的结果（未保存）")
    expect(page.locator("#whatif-county")).to_have_text("达标")
    expect(page.locator("#whatif-school")).to_have_text("达标")
    expect(page.locator("#whatif-county")).to_be_in_viewport()  # both verdicts in sight beside the field typed in
    expect(page.locator("#whatif-school")).to_be_in_viewport()
    expect(page.locator("#whatif tr", has_text="体育场馆").last).to_contain_text("0.439")
    shot(page, "balance-whatif")
    assert sports_area(live_app, "南湖第二初级中学") == before  # a preview saves nothing

    field.fill("12000")  # and back below: the verdict follows what is typed
    expect(page.locator("#whatif-county")).to_have_text("未达标")
    field.fill("19074")
    expect(page.locator("#whatif-county")).to_have_text("达标")
    try:
        page.get_by_role("button", name="保存").tap()
        page.wait_for_url(re.compile(r"/balance/schools/\d+\?year="))
        settled(page)
        expect(page.get_by_text("资源数据已保存")).to_be_visible()
        expect(page.locator(".balance-readings tr", has_text="体育场馆")).to_contain_text("19,074")
        page.get_by_role("link", name="全县汇总").tap()
        settled(page)
        expect(page.locator("#verdict h2")).to_have_text("资源配置达到优质均衡要求")
    finally:  # the demo county as the other tests know it
        with live_app.app_context():
            row = db.session.scalar(select(ResourceFigures).join(ResourceFigures.school).where(
                School.name == "南湖第二初级中学", ResourceFigures.level == Level.JUNIOR))
            row.sports_area = before
            db.session.commit()
