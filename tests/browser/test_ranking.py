"""Rankings and a school's record on a tablet: a leader narrows 概览 to one checklist and one mode and
reads the ranking per school category; a principal opens their school's 督导档案 (chart, ranks, the
rank change since last semester) and takes its workbook."""
import os
import re

from playwright.sync_api import expect

from .conftest import settled, sign_in

SHOTS = os.environ.get("SCREENSHOTS")  # a folder: the pages as a tablet shows them, to look at


def shot(page, name, part=None):
    if SHOTS:
        (part or page).screenshot(path=os.path.join(SHOTS, name), **({} if part else {"full_page": True}))


def test_a_leader_filters_the_overview_by_template_and_mode_and_reads_the_ranking(page):
    sign_in(page, "juzhang")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="概览").tap()
    ranking = page.locator("#overview-ranking")
    expect(ranking).to_contain_text("选择一份检查表或一个督导批次")
    page.get_by_label("检查表", exact=True).select_option(label="学校综合督导检查表")
    expect(page).to_have_url(re.compile(r"template=\d+"))
    settled(page)
    page.get_by_label("督导方式", exact=True).select_option(label="期末督导")
    expect(page).to_have_url(re.compile(r"mode=TERM_END"))
    settled(page)
    expect(ranking.get_by_role("heading")).to_contain_text("学校综合督导检查表")
    categories = ranking.locator("tbody tr td:first-child").all_inner_texts()
    # The 幼儿园 are inspected on their own checklist: none in this one's ranking.
    assert "幼儿园" not in categories and {"小学", "初中", "高中"} <= set(categories)
    assert categories == sorted(categories, key=["幼儿园", "小学", "初中", "九年一贯制", "高中", "其他"].index)
    expect(ranking.locator("tbody tr").first.locator("td").nth(1)).to_have_text(re.compile(r"^1"))
    # Every school of a category is ranked against last semester's 期末督导: some rose, some fell.
    changes = ranking.locator(".rank-change").all_inner_texts()
    assert any(c.startswith("↑") for c in changes) and any(c.startswith("↓") for c in changes)
    shot(page, "overview.png")
    shot(page, "overview-ranking.png", ranking)
    # No mean over unlike checklists: each school's average names its checklist when there are several.
    page.get_by_label("检查表", exact=True).select_option(label="全部检查表")
    settled(page)
    expect(ranking).to_contain_text("选择一份检查表或一个督导批次")


def test_a_principal_opens_the_school_history_with_ranks_and_takes_the_workbook(page):
    sign_in(page, "xz360001")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="本校").tap()
    page.get_by_role("link", name="督导档案").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("督导档案")
    inspections = page.locator("#history-inspections")
    expect(inspections.locator("svg.chart")).to_be_visible()
    rows = inspections.locator("tbody tr")
    term_end = rows.filter(has_text="期末督导")
    expect(term_end).to_have_count(2)  # this semester's round and last semester's
    expect(term_end.first.locator("td").nth(6)).to_have_text(re.compile(r"^(\d+(（并列）)?|一票否决)$"))
    expect(term_end.first.locator(".rank-change")).to_have_text(re.compile(r"^(↑\d+|↓\d+|持平|新|上次未排名)$"))
    expect(page.locator("#history-lessons tbody tr")).to_have_count(6)
    shot(page, "school-history.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").tap()
    assert re.fullmatch(r".+-督导档案-\d{4}-\d{2}-\d{2}\.xlsx", download.value.suggested_filename)
