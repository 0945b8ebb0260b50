"""全县概览 on a tablet: a leader opens the overview, narrows it to one education group (the results
swap in place, the address keeps the filter), opens a chart's numbers and takes the workbook."""
import re

from playwright.sync_api import expect

from .conftest import settled, sign_in


def test_a_leader_narrows_the_overview_to_a_group_and_reads_a_charts_numbers(page):
    sign_in(page, "juzhang")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="概览").tap()
    expect(page.get_by_role("heading", name="全县概览")).to_be_visible()
    schools = page.locator("#overview-schools")
    expect(schools.locator("svg.chart")).to_be_visible()
    before = schools.locator("details table tbody tr").count()
    page.get_by_label("教育集团", exact=True).select_option("南部教育集团")
    expect(page).to_have_url(re.compile(r"group=%E5%8D%97"))
    settled(page)
    schools.get_by_text("查看数据").tap()
    rows = schools.locator("details table tbody tr")
    expect(rows.first).to_be_visible()
    assert 0 < rows.count() < before
    groups = page.locator("#overview-groups details table tbody tr td:first-child")
    expect(groups.first).to_have_text(re.compile("^南部教育集团"))  # per checklist: 南部教育集团 · 学校综合督导检查表
    texts = groups.all_text_contents()
    assert all(text.startswith("南部教育集团") for text in texts), texts
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").tap()
    assert download.value.suggested_filename.startswith("全县概览-")
