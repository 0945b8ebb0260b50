"""The office plans a 双随机 round on a tablet: schools drawn from a filtered list, inspectors
drawn per school, and anyone re-checks the draw from its record."""
import re

from playwright.sync_api import expect

from .conftest import settled, sign_in


def test_admin_draws_a_round_and_rechecks_the_draw(page):
    sign_in(page, "admin")
    page.get_by_text("管理", exact=True).tap()  # the office's menu
    page.get_by_role("link", name="督导批次").tap()
    page.get_by_role("link", name="新建批次").tap()
    settled(page)
    page.get_by_label("批次名称").fill("项目学校随机督导")
    page.get_by_label("督导类型").select_option(label="随机督导")
    page.get_by_label("检查表").select_option(index=1)
    page.get_by_label("截止日期").fill("2026-12-20")
    page.get_by_label("只含公办强校项目学校").tap()
    expect(page.locator("#round-schools legend")).not_to_contain_text("（0 所")
    settled(page)
    listed = int(re.search(r"（(\d+) 所", page.locator("#round-schools legend").inner_text())[1])
    assert 3 <= listed < 40  # narrowed to the project schools
    page.get_by_label("随机抽取").first.tap()
    page.get_by_label("抽取学校数").fill("3")
    page.locator("#field-inspector_mode").get_by_label("随机抽取").tap()
    inspectors = page.locator("#field-inspectors input[type=checkbox]")
    for index in range(3):
        inspectors.nth(index).tap()
    page.get_by_role("button", name="创建批次并生成检查").tap()
    page.wait_for_url(re.compile(r"/rounds/\d+$"))
    expect(page.locator("main h1")).to_contain_text("项目学校随机督导")
    expect(page.locator("table.data:not(.ranking) tbody tr")).to_have_count(3)  # the schools, not the ranking
    expect(page.get_by_role("link", name="抽取记录", exact=True)).to_have_count(3)
    expect(page.locator(".tally")).to_contain_text("3 未开始")
    page.get_by_role("link", name="学校随机抽取记录").tap()
    expect(page.get_by_text("按记录重新抽取，结果一致")).to_be_visible()
    expect(page.locator("tr.row-picked")).to_have_count(3)
