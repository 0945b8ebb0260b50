import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import Inspection, InspectionStatus

from .conftest import settled, sign_in, submit_login

pytestmark = pytest.mark.browser


def nav(page):
    return page.get_by_role("navigation", name="主导航")


def mark_page(page):
    """A marker that a full page load would wipe out: still there means htmx swapped in place."""
    page.evaluate("window.__samePage = true")


def same_page(page) -> bool:
    return page.evaluate("window.__samePage === true")


def test_admin_lands_on_the_office_home(page):
    sign_in(page, "admin")
    expect(page.get_by_role("heading", name="最近变更")).to_be_visible()
    expect(nav(page).get_by_text("管理", exact=True)).to_be_visible()  # 督导批次, 检查表模板, 用户 behind it
    expect(nav(page).get_by_role("link", name="学校")).to_be_visible()


def test_inspector_lands_on_their_schools(page):
    sign_in(page, "duxue1")
    heading = page.get_by_role("heading", name=re.compile("我的责任区"))
    expect(heading).to_contain_text("5 所学校")
    schools = page.locator("section", has=heading).get_by_role("link")
    expect(schools).to_have_count(5)
    expect(schools.first).to_contain_text("城东实验小学")  # duxue1's 责任区 is the first five schools
    # Not in the 责任区 (the home may still list it among the open draw's assignments, by chance of the draw).
    expect(page.locator("section", has=heading).get_by_text("南湖小学")).to_have_count(0)
    expect(nav(page).get_by_role("link", name="用户")).to_have_count(0)


def test_principal_sees_only_their_school(page):
    sign_in(page, "xz360001")
    expect(page.get_by_role("heading", name="城东实验小学", exact=True)).to_be_visible()
    expect(nav(page).get_by_role("link", name="本校")).to_be_visible()
    expect(nav(page).get_by_role("link", name="学校")).to_have_count(0)
    expect(nav(page).get_by_role("link", name="用户")).to_have_count(0)


def test_leader_sees_the_county(page):
    sign_in(page, "juzhang")
    expect(page.get_by_role("link", name=re.compile(r"^28\s*在册学校$"))).to_be_visible()
    expect(page.get_by_role("heading", name="按教育集团")).to_be_visible()
    expect(page.get_by_role("heading", name="最近变更")).to_have_count(0)
    expect(nav(page).get_by_role("link", name="用户")).to_have_count(0)


def test_wrong_password_error_beside_the_field(page, console):
    console.allow(422)  # the sign-in form answers 422 when it is refused
    sign_in(page, "admin", "not-the-password", succeeds=False)
    expect(page.locator("#field-password .error")).to_have_text("用户名或密码不正确。")
    expect(page).to_have_url(re.compile("/login"))
    expect(page.get_by_label("用户名")).to_have_value("admin")


def test_a_sign_in_page_left_open_while_the_session_changed_still_signs_in(page, context, console):
    """Signed out in another tab after this sign-in page was opened: its token is no longer the
    session's. The form comes back asking only for the password, and then signs in."""
    console.allow(422)
    page.goto(page.base + "/login")
    context.clear_cookies()
    other = context.new_page()
    other.goto(page.base + "/login?next=/schools")  # a new session, with a token of its own
    other.close()
    submit_login(page, "admin")
    expect(page.locator("#field-password .error")).to_have_text("登录页已过期，请再输入一次密码后登录。")
    expect(page.get_by_label("用户名")).to_have_value("admin")
    expect(page.get_by_label("密码", exact=True)).to_have_value("")
    submit_login(page, "admin")
    page.wait_for_url(lambda url: "/login" not in url)
    expect(nav(page).get_by_role("link", name="学校")).to_be_visible()


def open_school_list(page):
    """Sign in as the admin, tap 学校, wait for htmx to settle; the list's rows."""
    sign_in(page, "admin")
    nav(page).get_by_role("link", name="学校").tap()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(28)
    settled(page)
    mark_page(page)
    return rows


def test_active_search_narrows_as_you_type(page):
    rows = open_school_list(page)
    page.get_by_label("搜索").press_sequentially("西山", delay=60)
    expect(rows).to_have_count(3)  # two by name, 县特殊教育学校 by its township 西山镇
    for row in rows.all():
        expect(row).to_contain_text("西山")
    expect(page).to_have_url(re.compile(r"/schools/\?q=%E8%A5%BF%E5%B1%B1"))
    assert same_page(page)


def test_filter_select_narrows(page):
    rows = open_school_list(page)
    page.get_by_label("类型").select_option(label="初中")
    expect(rows).to_have_count(6)
    for row in rows.all():
        expect(row.locator("td").nth(2)).to_have_text("初中")
    expect(page).to_have_url(re.compile(r"kind=JUNIOR"))
    assert same_page(page)


def sign_in_again(page, password: str = DEMO_PASSWORD):
    """The page's own 重新登录 dialog: the user name is filled in, the password typed."""
    dialog = page.get_by_role("dialog", name="登录已过期，请重新登录")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("用户名")).not_to_have_value("")
    dialog.get_by_label("密码", exact=True).fill(password)
    dialog.get_by_role("button", name="登录").tap()
    expect(dialog).to_be_hidden()


def test_expired_session_signs_in_again_without_leaving_the_page(page, context, console):
    console.allow(401)  # htmx's request finds the session gone
    sign_in(page, "admin")
    page.goto(page.base + "/schools/")
    settled(page)
    context.clear_cookies()
    page.get_by_label("搜索").press_sequentially("北关", delay=60)
    sign_in_again(page)
    expect(page).to_have_url(re.compile(r"/schools/$"))  # never left
    expect(page.get_by_label("搜索")).to_have_value("北关")
    mark_page(page)
    page.get_by_label("搜索").press("End")
    page.get_by_label("搜索").press_sequentially("小学", delay=60)  # the page works on with the new session
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("北关小学")
    assert same_page(page)


def test_typed_form_survives_an_expired_session(page, context, console):
    console.allow(401)
    sign_in(page, "admin")
    page.goto(page.base + "/schools/new")
    page.get_by_label("学校名称").fill("断线重登小学")
    # Leaving the name field checks it; let that answer (which renews the cookie) land first.
    with page.expect_response(lambda r: "validate=1" in r.url):
        page.get_by_label("学校代码").fill("369999")
    context.clear_cookies()
    page.get_by_label("学校代码").press("Tab")  # the inline check finds the session gone
    sign_in_again(page)
    expect(page).to_have_url(re.compile(r"/schools/new"))
    expect(page.get_by_label("学校名称")).to_have_value("断线重登小学")
    expect(page.get_by_label("学校代码")).to_have_value("369999")


def test_the_manage_menu_opens_on_a_tap_and_closes_on_a_tap_elsewhere(page):
    sign_in(page, "admin")
    expect(page.get_by_role("link", name="督导批次")).to_be_hidden()
    page.get_by_text("管理", exact=True).tap()
    expect(page.get_by_role("link", name="督导批次")).to_be_visible()
    page.locator("main h1").tap()
    expect(page.get_by_role("link", name="督导批次")).to_be_hidden()
    page.get_by_text("管理", exact=True).tap()
    page.get_by_role("link", name="用户").tap()
    expect(page).to_have_url(re.compile("/users"))


def test_inline_validation_beside_the_field(page):
    sign_in(page, "admin")
    page.goto(page.base + "/schools/new")
    page.get_by_label("学校代码").fill("36 01")
    page.get_by_label("学校名称").tap()
    expect(page.locator("#field-code .error")).to_contain_text("只能包含")
    expect(page.locator("#field-name .error")).to_have_count(0)


def test_sign_out(page):
    sign_in(page, "duxue2")
    page.locator(".usermenu summary").tap()  # the user's menu opens on a tap
    page.get_by_role("button", name="退出登录").tap()
    expect(page).to_have_url(re.compile("/login"))
    expect(page.get_by_text("您已退出登录")).to_be_visible()
    page.goto(page.base + "/schools/")  # the session is really gone, not just the page
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_console_guard_catches_csp_violations(page, context, console, csp_violations):
    """The guards every test relies on: an inline style or script is refused and reported, in the test's
    page and in any other page of its context."""
    page.goto(page.base + "/login")
    with page.expect_console_message(lambda m: "Content Security Policy violation" in m.text):  # the page's report
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    assert any("style-src-attr" in p for p in console.problems)
    console.problems.clear()
    other = context.new_page()  # a page the test opens itself: no Console of its own
    other.goto(page.base + "/login")
    with other.expect_console_message(lambda m: "violation" in m.text):
        other.evaluate("const s = document.createElement('script'); s.textContent = '1'; document.body.append(s)")
    assert any("script-src" in found for found in csp_violations.found), csp_violations.found
    csp_violations.expected = True


def test_a_swap_never_applies_an_inline_style(page, live_app, console):
    """A textarea the user has resized carries an inline height; htmx used to copy it onto the form
    a refused save sends back (its settle step), which the CSP refuses and the console reports."""
    console.allow(422)
    with live_app.app_context():
        waiting = db.session.scalars(select(Inspection).where(Inspection.status == InspectionStatus.SUBMITTED)
                                     .order_by(Inspection.id)).first().id
    sign_in(page, "admin")
    page.goto(page.base + f"/inspections/{waiting}")
    settled(page)
    page.evaluate("document.querySelector('#review textarea').style.height = '160px'")  # dragged taller
    page.locator("#review label.chip", has_text="退回修改").tap()
    page.locator("#review").get_by_role("button", name="确定").tap()  # returning needs a comment: 422
    expect(page.locator("#review .error")).to_be_visible()
    settled(page)
