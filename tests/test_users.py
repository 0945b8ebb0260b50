import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditLog, Role, School, User

from .conftest import HX, HX_BOOSTED, PASSWORD, Auth

PLAIN = {}


@pytest.fixture
def admin(auth):
    auth.login_as("admin")
    return auth


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def snapshot(app, user_id=None, username=None) -> dict | None:
    """What the database holds for one user, read in its own context."""
    with app.app_context():
        stmt = select(User).where(User.id == user_id if user_id else func.lower(User.username) == username.lower())
        user = db.session.scalar(stmt)
        if user is None:
            return None
        return dict(id=user.id, username=user.username, display_name=user.display_name, phone=user.phone,
                    role=user.role, school_id=user.school_id, schools=sorted(s.id for s in user.schools),
                    active=user.active, password_hash=user.password_hash, session_version=user.session_version)


def audit(app, user_id, action=None) -> list[AuditLog]:
    with app.app_context():
        stmt = select(AuditLog).where(AuditLog.entity == "user", AuditLog.entity_id == str(user_id))
        if action:
            stmt = stmt.where(AuditLog.action == action)
        rows = db.session.scalars(stmt.order_by(AuditLog.id)).all()
        db.session.expunge_all()
        return rows


def errors_beside(html: str, field: str) -> list[str]:
    """The error messages shown in that field's own block (label, input, message line)."""
    block = re.search(rf'id="field-{field}".*?</p>', html, re.S)
    assert block, f"no field {field} on the page"
    return re.findall(r'<span class="error">([^<]*)</span>', block.group(0))


def signed_in_elsewhere(app, username: str):
    """A second browser where `username` is signed in."""
    other = app.test_client()
    assert Auth(app, other, None).login(username).status_code == 303
    assert other.get("/").status_code == 200
    return other


def can_sign_in(app, username: str, password: str = PASSWORD) -> bool:
    return Auth(app, app.test_client(), None).login(username, password).status_code == 303


def new_user(token, **extra):
    return {"username": "wang.xz", "display_name": "王晓舟", "phone": "139-0000-1111", "role": "LEADER",
            "school_id": "", "password": "temp-pass-1", "csrf_token": token, **extra}


def answered(response, headers, url):
    """A change was accepted: 303 to `url` for a page, an htmx navigation to it for a fragment."""
    if headers is HX:
        return response.status_code == 200 and response.headers["HX-Redirect"] == url
    return response.status_code == 303 and response.headers["Location"] == url


# --- the list ------------------------------------------------------------------------------


@pytest.fixture
def people(make_school, make_user):
    east, west = make_school(name="城东小学"), make_school(name="城西中学")
    return {
        "east": east, "west": west,
        "principal": make_user("principal", school_id=east, display_name="何志远", phone="139-1111-2222"),
        "inspector": make_user("inspector", schools=[west], username="du.li", display_name="李督学"),
        "retired": make_user("leader", display_name="许丽萍", active=False),
    }


@pytest.mark.parametrize("query,shown,hidden", [
    ("", {"何志远", "李督学"}, {"许丽萍"}),
    ("status=inactive", {"许丽萍"}, {"何志远", "李督学"}),
    ("status=all", {"何志远", "李督学", "许丽萍"}, set()),
    ("role=INSPECTOR", {"李督学"}, {"何志远"}),
    ("school={east}", {"何志远"}, {"李督学"}),
    ("school={west}", {"李督学"}, {"何志远"}),
    ("q=1111-22", {"何志远"}, {"李督学"}),
    ("q=DU.L", {"李督学"}, {"何志远"}),
    ("q=志远", {"何志远"}, {"李督学"}),
])
def test_list_filters(client, admin, people, query, shown, hidden):
    html = client.get(f"/users/?{query.format(**people)}").get_data(as_text=True)
    assert all(name in html for name in shown)
    assert not any(name in html for name in hidden)


@pytest.mark.parametrize("school", ["999999", "99999999999999999999", "abc"])
def test_list_ignores_a_school_that_is_not_a_choice(client, admin, people, school):
    response = client.get(f"/users/?school={school}")
    assert response.status_code == 200 and "何志远" in response.get_data(as_text=True)


def test_list_page_partial_and_boosted(client, admin, people):
    page = client.get("/users/").get_data(as_text=True)
    assert "<html" in page and 'hx-get="/users/"' in page and "城东小学" in page and "责任区：城西中学" in page
    partial = client.get("/users/?q=何", headers=HX).get_data(as_text=True)
    assert "何志远" in partial and "<html" not in partial and "共 1 个用户" in partial
    boosted = client.get("/users/?q=何", headers=HX_BOOSTED).get_data(as_text=True)
    assert "<html" in boosted and "何志远" in boosted


def test_list_query_count_does_not_grow_with_rows(client, admin, app, make_user, make_school, queries_for):
    school = make_school()
    make_user("inspector", schools=[school])
    make_user("principal", school_id=school)
    few = queries_for("/users/")
    for _ in range(10):
        make_user("inspector", schools=[school, make_school()])
        make_user("principal", school_id=make_school())
    assert queries_for("/users/") == few


# --- create --------------------------------------------------------------------------------


def test_new_user_form(client, admin, make_school):
    make_school(name="城东小学")
    make_school(name="已撤并小学", active=False)
    html = client.get("/users/new").get_data(as_text=True)
    assert 'name="password"' in html and 'autocomplete="new-password"' in html
    assert "城东小学" in html and "已撤并小学" not in html
    fragment = client.get("/users/new", headers=HX).get_data(as_text=True)
    assert 'name="username"' in fragment and "<html" not in fragment


@pytest.mark.parametrize("headers", [PLAIN, HX, HX_BOOSTED], ids=["plain", "htmx", "boosted"])
def test_create_user(client, admin, app, headers):
    response = client.post("/users/new", data=new_user(admin.token()), headers=headers)
    saved = snapshot(app, username="wang.xz")
    assert answered(response, headers, f"/users/{saved['id']}/edit")
    assert saved["display_name"] == "王晓舟" and saved["role"] is Role.LEADER and saved["phone"] == "139-0000-1111"
    assert "temp-pass-1" not in saved["password_hash"]
    assert can_sign_in(app, "wang.xz", "temp-pass-1")
    page = client.get(f"/users/{saved['id']}/edit").get_data(as_text=True)
    assert "用户 wang.xz 已创建" in page


def test_create_inspector_with_zone_and_principal_with_school(client, admin, app, make_school):
    a, b = make_school(), make_school()
    client.post("/users/new", data=new_user(admin.token(), username="du1", role="INSPECTOR", school_ids=[a, b],
                                            school_id=str(a)))
    client.post("/users/new", data=new_user(admin.token(), username="xz1", role="PRINCIPAL", school_id=str(b),
                                            school_ids=[a]))
    inspector, principal = snapshot(app, username="du1"), snapshot(app, username="xz1")
    assert inspector["schools"] == [a, b] and inspector["school_id"] is None
    assert principal["school_id"] == b and principal["schools"] == []


def test_fields_are_trimmed(client, admin, app):
    client.post("/users/new", data=new_user(admin.token(), username="  zhang.s ", display_name=" 张三 ", phone=" 123 "))
    saved = snapshot(app, username="zhang.s")
    assert (saved["username"], saved["display_name"], saved["phone"]) == ("zhang.s", "张三", "123")


@pytest.fixture
def schools(make_school):
    return {"inactive": make_school(name="已撤并小学", active=False), "zone": [make_school() for _ in range(21)]}


@pytest.mark.parametrize("extra,field,message", [
    ({"username": "WANG.XZ"}, "username", "该用户名已被使用"),
    ({"username": "a b"}, "username", "只能包含字母、数字和 . _ -"),
    ({"username": "ab"}, "username", "3 到 40 个字符"),
    ({"display_name": "  "}, "display_name", "请填写姓名"),
    ({"phone": "电话 139"}, "phone", "只能包含数字和 -"),
    ({"phone": "+86-139"}, "phone", "只能包含数字和 -"),
    ({"password": "short"}, "password", "密码至少 8 位"),
    ({"password": ""}, "password", "请设置初始密码"),
    ({"role": "PRINCIPAL"}, "school_id", "校长必须指定所在学校"),
    ({"role": "PRINCIPAL", "school_id": "999999"}, "school_id", "所选学校不存在或已停用"),
    ({"role": "PRINCIPAL", "school_id": "{inactive}"}, "school_id", "所选学校不存在或已停用"),
    ({"role": "PRINCIPAL", "school_id": "99999999999999999999"}, "school_id", "所选学校不存在或已停用"),
    ({"role": "PRINCIPAL", "school_id": "abc"}, "school_id", "所选学校不存在或已停用"),  # a school named, none that exists
    ({"role": "INSPECTOR", "school_ids": ["999999"]}, "school_ids", "所选学校不存在或已停用"),
    ({"role": "INSPECTOR", "school_ids": ["x"]}, "school_ids", "所选学校不存在或已停用"),
    ({"role": "INSPECTOR", "school_ids": "{zone}"}, "school_ids", "责任区最多 20 所学校"),
    ({"role": "EMPEROR"}, "role", "请选择角色"),
    ({"role": ""}, "role", "请选择角色"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_create_invalid_is_422_with_the_error_beside_the_field(client, admin, app, make_user, schools,
                                                               extra, field, message):
    make_user("leader", username="wang.xz")
    placeholders = {"{inactive}": str(schools["inactive"]), "{zone}": [str(s) for s in schools["zone"]]}
    extra = {key: placeholders.get(value, value) if isinstance(value, str) else value for key, value in extra.items()}
    before = user_count(app)
    data = new_user(admin.token(), **{"username": "new.user", **extra})
    response = client.post("/users/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in errors_beside(html, field)
    assert "Not a valid" not in html and "Invalid" not in html
    assert user_count(app) == before


def test_create_invalid_as_htmx_swaps_only_the_form(client, admin, app):
    response = client.post("/users/new", data=new_user(admin.token(), phone="abc"), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert errors_beside(html, "phone") == ["只能包含数字和 -"]
    assert snapshot(app, username="wang.xz") is None


def test_inline_validation_reports_only_what_was_touched(client, admin, app, make_user):
    make_user("leader", username="wang.xz")
    data = {"username": "Wang.XZ", "display_name": "", "password": "", "role": "", "csrf_token": admin.token()}
    response = client.post("/users/new?validate=1", data=data, headers={**HX, "HX-Trigger-Name": "username"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert errors_beside(html, "username") == ["该用户名已被使用"]
    assert errors_beside(html, "display_name") == [] and errors_beside(html, "password") == []
    assert user_count(app) == 1 + 1  # the admin and wang.xz; nothing created


# --- edit ----------------------------------------------------------------------------------


def edit_data(token, **extra):
    return {"username": "zhang3", "display_name": "张三", "phone": "", "role": "LEADER", "school_id": "",
            "csrf_token": token, **extra}


@pytest.mark.parametrize("headers", [PLAIN, HX, HX_BOOSTED], ids=["plain", "htmx", "boosted"])
def test_edit_user(client, admin, app, make_user, headers):
    uid = make_user("leader", username="zhang3", display_name="张三")
    response = client.post(f"/users/{uid}/edit", data=edit_data(admin.token(), display_name="张三丰",
                                                                phone="0571-1234"), headers=headers)
    assert answered(response, headers, f"/users/{uid}/edit")
    saved = snapshot(app, uid)
    assert (saved["display_name"], saved["phone"]) == ("张三丰", "0571-1234")


def test_edit_page_shows_the_user_and_their_change_history(client, admin, app, make_user, make_school):
    school = make_school(name="城东小学")
    uid = make_user("inspector", username="zhang3", display_name="张三", schools=[school])
    client.post(f"/users/{uid}/edit", data=edit_data(admin.token(), role="INSPECTOR", display_name="张三丰",
                                                     school_ids=[school]))
    html = client.get(f"/users/{uid}/edit").get_data(as_text=True)
    assert "张三丰（zhang3）" in html and 'value="张三丰"' in html
    assert re.search(rf'checked[^>]*value="{school}"|value="{school}"[^>]*checked', html)
    assert "变更记录" in html and "姓名：张三 → 张三丰" in html
    assert "新增用户" not in html and 'name="password"' in html  # the reset form, not an initial password


def test_edit_writes_audit_rows_with_the_admin_as_actor(client, admin, app, make_user, make_school):
    a, b = make_school(name="甲校"), make_school(name="乙校")
    uid = make_user("inspector", username="zhang3", display_name="张三", schools=[a])
    client.post(f"/users/{uid}/edit", data=edit_data(admin.token(), role="INSPECTOR", display_name="张三丰",
                                                     school_ids=[b]))
    (entry,) = audit(app, uid, "update")
    assert entry.user_id == admin.user_id
    assert entry.changes["display_name"] == ["张三", "张三丰"]
    assert entry.changes["schools"] == {"added": ["乙校"], "removed": ["甲校"]}


def test_edit_username_taken_in_other_case_is_refused(client, admin, app, make_user):
    make_user("leader", username="li.si")
    uid = make_user("leader", username="zhang3")
    response = client.post(f"/users/{uid}/edit", data=edit_data(admin.token(), username="LI.SI"))
    assert response.status_code == 422 and errors_beside(response.get_data(as_text=True), "username") == ["该用户名已被使用"]
    assert snapshot(app, uid)["username"] == "zhang3"


def test_changing_role_clears_what_belonged_to_the_old_one(client, admin, app, make_user, make_school):
    school = make_school()
    inspector = make_user("inspector", username="zhang3", schools=[school])
    principal = make_user("principal", username="li4", school_id=school)
    client.post(f"/users/{inspector}/edit", data=edit_data(admin.token(), role="LEADER", school_ids=[school]))
    client.post(f"/users/{principal}/edit", data=edit_data(admin.token(), username="li4", role="INSPECTOR",
                                                           school_id=str(school)))
    assert snapshot(app, inspector)["schools"] == [] and snapshot(app, inspector)["role"] is Role.LEADER
    assert snapshot(app, principal)["school_id"] is None and snapshot(app, principal)["role"] is Role.INSPECTOR


def test_principal_of_a_closed_school_must_be_moved(client, admin, app, make_user, make_school):
    closed, open_ = make_school(name="已撤并小学"), make_school(name="合并后小学")
    uid = make_user("principal", username="li4", school_id=closed)
    with app.app_context():
        db.session.get(School, closed).active = False
        db.session.commit()
    assert "已撤并小学（已停用）" in client.get(f"/users/{uid}/edit").get_data(as_text=True)
    data = edit_data(admin.token(), username="li4", role="PRINCIPAL", school_id=str(closed))
    response = client.post(f"/users/{uid}/edit", data=data)
    assert response.status_code == 422
    assert errors_beside(response.get_data(as_text=True), "school_id") == ["该学校已停用，请另选学校"]
    assert client.post(f"/users/{uid}/edit", data={**data, "school_id": str(open_)}).status_code == 303
    assert snapshot(app, uid)["school_id"] == open_


def test_inspector_keeps_a_closed_school_until_unticked(client, admin, app, make_user, make_school):
    closed, other = make_school(name="已撤并小学"), make_school()
    uid = make_user("inspector", username="zhang3", schools=[closed, other])
    with app.app_context():
        db.session.get(School, closed).active = False
        db.session.commit()
    assert "已撤并小学（已停用）" in client.get(f"/users/{uid}/edit").get_data(as_text=True)
    data = edit_data(admin.token(), role="INSPECTOR", phone="123")
    assert client.post(f"/users/{uid}/edit", data={**data, "school_ids": [closed, other]}).status_code == 303
    assert snapshot(app, uid)["schools"] == sorted([closed, other])
    assert client.post(f"/users/{uid}/edit", data={**data, "school_ids": [other]}).status_code == 303
    assert snapshot(app, uid)["schools"] == [other]


def test_admin_cannot_take_away_their_own_admin_role(client, admin, app):
    me = snapshot(app, admin.user_id)
    data = edit_data(admin.token(), username=me["username"], display_name=me["display_name"], role="LEADER")
    response = client.post(f"/users/{admin.user_id}/edit", data=data)
    assert response.status_code == 422
    assert errors_beside(response.get_data(as_text=True), "role") == ["不能取消您自己的管理员角色"]
    assert snapshot(app, admin.user_id)["role"] is Role.ADMIN


def test_edit_unknown_user_is_404(client, admin):
    assert client.get("/users/999999/edit").status_code == 404


# --- password reset ------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [PLAIN, HX, HX_BOOSTED], ids=["plain", "htmx", "boosted"])
def test_reset_password(client, admin, app, make_user, headers):
    uid = make_user("inspector", username="du9")
    response = client.post(f"/users/{uid}/password", data={"password": "brand-new-1", "csrf_token": admin.token()},
                           headers=headers)
    assert answered(response, headers, f"/users/{uid}/edit")
    assert can_sign_in(app, "du9", "brand-new-1") and not can_sign_in(app, "du9", PASSWORD)
    assert "已为 " in client.get(f"/users/{uid}/edit").get_data(as_text=True)


def test_reset_password_ends_the_users_open_sessions(client, admin, app, make_user):
    uid = make_user("inspector", username="du9")
    other = signed_in_elsewhere(app, "du9")
    client.post(f"/users/{uid}/password", data={"password": "brand-new-1", "csrf_token": admin.token()})
    response = other.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    (entry,) = audit(app, uid, "update")
    assert entry.changes["password_hash"] == ["***", "***"] and "brand-new-1" not in str(entry.changes)


@pytest.mark.parametrize("headers", [PLAIN, HX], ids=["plain", "htmx"])
def test_reset_password_too_short_is_422_and_changes_nothing(client, admin, app, make_user, headers):
    uid = make_user("inspector", username="du9")
    before = snapshot(app, uid)
    other = signed_in_elsewhere(app, "du9")
    response = client.post(f"/users/{uid}/password", data={"password": "x", "csrf_token": admin.token()},
                           headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and errors_beside(html, "password") == ["密码至少 8 位"]
    assert ("<html" in html) is (headers is PLAIN)
    assert snapshot(app, uid) == before and other.get("/").status_code == 200


# --- deactivate / reactivate ---------------------------------------------------------------


def set_active(client, token, uid, active: bool, headers=PLAIN):
    return client.post(f"/users/{uid}/active", data={"active": "1" if active else "0", "csrf_token": token},
                       headers=headers)


@pytest.mark.parametrize("headers", [PLAIN, HX, HX_BOOSTED], ids=["plain", "htmx", "boosted"])
def test_deactivate_ends_sessions_and_blocks_sign_in(client, admin, app, make_user, headers):
    uid = make_user("leader", username="ld")
    other = signed_in_elsewhere(app, "ld")
    assert answered(set_active(client, admin.token(), uid, False, headers), headers, f"/users/{uid}/edit")
    assert snapshot(app, uid)["active"] is False
    assert other.get("/").headers["Location"].startswith("/login")
    assert not can_sign_in(app, "ld")
    page = client.get(f"/users/{uid}/edit").get_data(as_text=True)
    assert "用户 ld 已停用" in page and "重新启用" in page
    (entry,) = audit(app, uid, "update")
    assert entry.changes["active"] == [True, False] and entry.user_id == admin.user_id


def test_reactivate_lets_the_user_sign_in_again_but_not_revives_old_sessions(client, admin, app, make_user):
    uid = make_user("leader", username="ld")
    other = signed_in_elsewhere(app, "ld")
    set_active(client, admin.token(), uid, False)
    assert set_active(client, admin.token(), uid, True).status_code == 303
    assert snapshot(app, uid)["active"] is True and can_sign_in(app, "ld")
    assert other.get("/").headers["Location"].startswith("/login")


def test_deactivating_twice_does_not_reactivate(client, admin, app, make_user):
    uid = make_user("leader", username="ld")
    set_active(client, admin.token(), uid, False)
    set_active(client, admin.token(), uid, False)  # a double tap
    assert snapshot(app, uid)["active"] is False
    assert len(audit(app, uid, "update")) == 1


def test_deactivate_without_a_wanted_state_is_refused(client, admin, app, make_user):
    uid = make_user("leader")
    response = client.post(f"/users/{uid}/active", data={"csrf_token": admin.token()})
    assert response.status_code == 400 and snapshot(app, uid)["active"] is True


def test_admin_cannot_deactivate_themselves(client, admin, app):
    page = client.get(f"/users/{admin.user_id}/edit").get_data(as_text=True)
    assert "停用账号" not in page and "不能停用" in page
    response = set_active(client, admin.token(), admin.user_id, False)
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "不能停用您自己的账号" in html
    assert snapshot(app, admin.user_id)["active"] is True
    assert client.get("/users/").status_code == 200  # still signed in


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["inspector", "leader", "staff"])
def test_only_the_admin_manages_users(client, auth, app, make_school, make_user, role):
    sid = make_school()
    target = make_user("leader", username="target")
    auth.login_as(role, school_id=sid if role == "staff" else None, schools=[sid] if role == "inspector" else ())
    token, before, count = auth.token(), snapshot(app, target), user_count(app)
    requests = [
        ("GET", "/users/", None),
        ("GET", "/users/new", None),
        ("POST", "/users/new", new_user(token)),
        ("GET", f"/users/{target}/edit", None),
        ("POST", f"/users/{target}/edit", edit_data(token, username="target", display_name="改名")),
        ("POST", f"/users/{target}/password", {"password": "whatever-123", "csrf_token": token}),
        ("POST", f"/users/{target}/active", {"active": "0", "csrf_token": token}),
    ]
    for method, url, data in requests:
        for headers in (PLAIN, HX):
            response = client.open(url, method=method, data=data, headers=headers)
            assert response.status_code == 403, f"{role} {method} {url}"
    assert snapshot(app, target) == before and user_count(app) == count


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/users/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_search_treats_underscore_literally(client, admin, make_user):
    make_user("leader", username="wang_xz")
    make_user("leader", username="wangAxz")
    html = client.get("/users/?q=wang_x", headers=HX).get_data(as_text=True)
    assert "wang_xz" in html and "wangAxz" not in html


# --- a principal keeps their school's 中层 accounts -------------------------------------------


def staff_data(token, **extra):
    return {"username": "jiaodao.li", "display_name": "李教导", "phone": "139-2222-3333", "password": "temp-pass-1",
            "csrf_token": token, **extra}


@pytest.fixture
def school_people(make_school, make_user):
    own, other = make_school(name="城关第一小学"), make_school(name="石门乡中心小学")
    return {"own": own, "other": other,
            "staff": make_user("staff", school_id=own, username="own.staff", display_name="王教研"),
            "other_staff": make_user("staff", school_id=other, username="other.staff", display_name="邻校教导"),
            "deputy": make_user("principal", school_id=own, username="deputy", display_name="副校长")}


def test_a_principal_creates_a_staff_account_at_their_own_school(client, auth, app, school_people):
    auth.login_as("principal", school_id=school_people["own"])
    page = client.get("/users/new").get_data(as_text=True)
    assert 'name="role"' not in page and 'name="school_id"' not in page and 'name="school_ids"' not in page
    # a role or school slipped into the form changes nothing: a principal makes 中层 of their own school
    response = client.post("/users/new", data=staff_data(auth.token(), role="ADMIN", school_id=str(school_people["other"])))
    assert response.status_code == 303
    made = snapshot(app, username="jiaodao.li")
    assert made["role"] is Role.STAFF and made["school_id"] == school_people["own"] and made["schools"] == []
    assert audit(app, made["id"], "create")
    assert can_sign_in(app, "jiaodao.li", "temp-pass-1")


def test_a_principal_s_staff_form_answers_422_beside_the_field(client, auth, app, school_people):
    auth.login_as("principal", school_id=school_people["own"])
    count = user_count(app)
    response = client.post("/users/new", data=staff_data(auth.token(), username="own.staff", password="short"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert errors_beside(html, "username") == ["该用户名已被使用"] and errors_beside(html, "password")
    assert user_count(app) == count


def test_a_principal_lists_and_deactivates_only_their_own_school_s_staff(client, auth, app, school_people):
    auth.login_as("principal", school_id=school_people["own"])
    html = client.get("/users/?status=all").get_data(as_text=True)
    assert "王教研" in html and "邻校教导" not in html and "副校长" not in html
    assert 'name="role"' not in html and 'name="school"' not in html
    response = client.post(f"/users/{school_people['staff']}/active", data={"active": "0", "csrf_token": auth.token()})
    assert response.status_code == 303 and snapshot(app, school_people["staff"])["active"] is False
    assert not can_sign_in(app, "own.staff")


@pytest.mark.parametrize("target", ["other_staff", "deputy"])
def test_a_principal_keeps_no_other_account(client, auth, app, school_people, target):
    """Another school's 中层, or anyone of their own school who is not 中层 (another principal)."""
    auth.login_as("principal", school_id=school_people["own"])
    user_id, token = school_people[target], auth.token()
    before = snapshot(app, user_id)
    for method, url, data in [("GET", f"/users/{user_id}/edit", None),
                              ("POST", f"/users/{user_id}/edit", staff_data(token, username="x.y")),
                              ("POST", f"/users/{user_id}/password", {"password": "whatever-123", "csrf_token": token}),
                              ("POST", f"/users/{user_id}/active", {"active": "0", "csrf_token": token}),
                              ("POST", f"/users/{user_id}/two-factor/reset", {"csrf_token": token})]:
        assert client.open(url, method=method, data=data).status_code == 403, url
    assert snapshot(app, user_id) == before


def test_the_office_makes_a_staff_account_only_with_a_school(client, admin, app, make_school):
    token = admin.token()
    response = client.post("/users/new", data=new_user(token, role="STAFF"))
    assert response.status_code == 422
    assert errors_beside(response.get_data(as_text=True), "school_id") == ["学校中层必须指定所在学校"]
    sid = make_school()
    assert client.post("/users/new", data=new_user(token, role="STAFF", school_id=str(sid))).status_code == 303
    assert snapshot(app, username="wang.xz")["school_id"] == sid
