import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in, submit_login

pytestmark = pytest.mark.browser


def nav(page):
    return page.get_by_role("navigation", name="主导航")


def test_admin_lands_on_the_office_home(page):
    sign_in(page, "admin")
    expect(page.get_by_role("heading", name="最近变更")).to_be_visible()
    expect(nav(page).get_by_role("link", name="用户")).to_be_visible()


def test_inspector_lands_on_their_schools(page):
    sign_in(page, "duxue1")
    expect(page.get_by_role("heading", name=re.compile("我的责任区"))).to_contain_text("5 所学校")
    expect(page.locator(".card")).to_have_count(5)
    expect(nav(page).get_by_role("link", name="用户")).to_have_count(0)


def test_principal_sees_only_their_school(page):
    sign_in(page, "xz360001")
    expect(page.get_by_role("heading", name="城东实验小学")).to_be_visible()
    expect(nav(page).get_by_role("link", name="本校")).to_be_visible()
    expect(nav(page).get_by_role("link", name="学校")).to_have_count(0)
    expect(nav(page).get_by_role("link", name="用户")).to_have_count(0)


def test_leader_sees_the_county(page):
    sign_in(page, "juzhang")
    expect(page.get_by_text("在册学校")).to_be_visible()
    expect(page.get_by_role("heading", name="最近变更")).to_have_count(0)
    expect(nav(page).get_by_role("link", name="用户")).to_have_count(0)


def test_wrong_password_error_beside_the_field(page):
    sign_in(page, "admin", "not-the-password", succeeds=False)
    expect(page.locator("#field-password .error")).to_have_text("用户名或密码不正确。")
    expect(page).to_have_url(re.compile("/login"))


def test_active_search_narrows_as_you_type(page):
    sign_in(page, "admin")
    nav(page).get_by_role("link", name="学校").tap()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(28)
    page.evaluate("window.__samePage = true")
    page.get_by_label("搜索").press_sequentially("西山", delay=60)
    expect(rows).to_have_count(3)  # two by name, one more by township
    expect(page.locator("#results")).to_contain_text("西山镇中心小学")
    expect(page).to_have_url(re.compile(r"q=%E8%A5%BF%E5%B1%B1"))
    assert page.evaluate("window.__samePage") is True  # swapped, not reloaded


def test_filter_select_narrows(page):
    sign_in(page, "admin")
    page.goto(page.base + "/schools/")
    page.evaluate("window.__samePage = true")
    page.get_by_label("类型").select_option(label="初中")
    expect(page.locator("#results tbody tr")).to_have_count(6)
    assert page.evaluate("window.__samePage") is True


def test_expired_session_comes_back_to_the_same_page(page, context):
    sign_in(page, "admin")
    page.goto(page.base + "/schools/")
    context.clear_cookies()
    page.get_by_label("搜索").press_sequentially("北关", delay=60)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    submit_login(page, "admin")
    expect(page).to_have_url(re.compile(r"/schools/$"))


def test_typed_form_survives_an_expired_session(page, context):
    sign_in(page, "admin")
    page.goto(page.base + "/schools/new")
    page.get_by_label("学校名称").fill("断线重登小学")
    # Leaving the name field checks it; let that answer (which renews the cookie) land first.
    with page.expect_response(lambda r: "validate=1" in r.url):
        page.get_by_label("学校代码").fill("369999")
    context.clear_cookies()
    page.get_by_label("学校代码").press("Tab")  # the inline check finds the session gone
    expect(page).to_have_url(re.compile(r"/login\?next="))
    submit_login(page, "admin")
    expect(page).to_have_url(re.compile(r"/schools/new"))
    expect(page.get_by_label("学校名称")).to_have_value("断线重登小学")
    expect(page.get_by_label("学校代码")).to_have_value("369999")


def test_inline_validation_beside_the_field(page):
    sign_in(page, "admin")
    page.goto(page.base + "/schools/new")
    page.get_by_label("学校代码").fill("36 01")
    page.get_by_label("学校名称").tap()
    expect(page.locator("#field-code .error")).to_contain_text("只能包含")
    expect(page.locator("#field-name .error")).to_have_count(0)


def test_sign_out(page):
    sign_in(page, "duxue2")
    page.get_by_role("button", name="退出").tap()
    expect(page).to_have_url(re.compile("/login"))
    expect(page.get_by_text("您已退出登录")).to_be_visible()
