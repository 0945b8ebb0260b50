import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditLog, Role, User

from .conftest import HX, HX_BOOSTED, PASSWORD, Auth


def user_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def admin(auth):
    auth.login_as("admin")
    return auth


def new_user(token, **extra):
    return {"username": "wang.xz", "display_name": "王校长", "phone": "139-0000-1111", "role": "LEADER",
            "school_id": "", "password": "temp-pass-1", "csrf_token": token, **extra}


@pytest.mark.parametrize("headers,expected", [({}, 303), (HX, 200), (HX_BOOSTED, 303)])
def test_create_user_plain_partial_boosted(client, admin, app, headers, expected):
    response = client.post("/users/new", data=new_user(admin.token()), headers=headers)
    assert response.status_code == expected
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "wang.xz"))
        assert user.role is Role.LEADER and user.password_hash.startswith("$argon2id$")


def test_create_inspector_with_schools_and_principal_with_school(client, admin, app, make_school):
    a, b = make_school(), make_school()
    client.post("/users/new", data=new_user(admin.token(), username="du1", role="INSPECTOR", schools=[a, b],
                                            school_id=str(a)))
    client.post("/users/new", data=new_user(admin.token(), username="xz1", role="PRINCIPAL", school_id=str(b),
                                            schools=[a]))
    with app.app_context():
        inspector = db.session.scalar(select(User).where(User.username == "du1"))
        principal = db.session.scalar(select(User).where(User.username == "xz1"))
        assert sorted(s.id for s in inspector.schools) == [a, b] and inspector.school_id is None
        assert principal.school_id == b and principal.schools == []


@pytest.mark.parametrize("extra,message", [
    ({"username": "Boss"}, "该用户名已被使用"),
    ({"role": "PRINCIPAL"}, "校长必须指定所在学校"),
    ({"phone": "电话号码"}, "只能包含数字"),
    ({"password": "short"}, "至少 8 位"),
    ({"role": "PRINCIPAL", "school_id": "999999"}, "Not a valid choice"),
    ({"role": "EMPEROR"}, "请选择角色"),
    ({"username": "a b"}, "只能包含字母"),
])
def test_create_validation_422_nothing_saved(client, auth, app, make_user, extra, message):
    make_user("admin", username="boss")
    auth.login("boss")
    before = user_count(app)
    response = client.post("/users/new", data=new_user(auth.token(), **extra))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert user_count(app) == before


def test_edit_changes_role_and_records_before_after(client, admin, app, make_user):
    uid = make_user("leader", display_name="张三")
    response = client.post(f"/users/{uid}/edit", data={
        "username": "leader1", "display_name": "张三丰", "phone": "", "role": "LEADER", "school_id": "",
        "csrf_token": admin.token()})
    assert response.status_code == 303
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "user", AuditLog.entity_id == str(uid),
                                                          AuditLog.action == "update")).one()
        assert entry.changes["display_name"] == ["张三", "张三丰"]


def test_reset_password_ends_the_users_sessions(client, admin, app, make_user):
    uid = make_user("inspector", username="du9")
    other = app.test_client()
    assert Auth(app, other, None).login("du9").status_code == 303
    assert other.get("/").status_code == 200
    response = client.post(f"/users/{uid}/password", data={"password": "brand-new-1", "csrf_token": admin.token()})
    assert response.status_code == 303
    assert other.get("/").status_code == 302
    assert Auth(app, app.test_client(), None).login("du9", "brand-new-1").status_code == 303


def test_reset_password_too_short_422(client, admin, make_user):
    uid = make_user("inspector")
    response = client.post(f"/users/{uid}/password", data={"password": "x", "csrf_token": admin.token()}, headers=HX)
    assert response.status_code == 422 and "至少 8 位" in response.get_data(as_text=True)


def test_deactivate_signs_out_and_blocks_sign_in(client, admin, app, make_user):
    uid = make_user("leader", username="ld")
    other = app.test_client()
    Auth(app, other, None).login("ld")
    assert client.post(f"/users/{uid}/active", data={"csrf_token": admin.token()}).status_code == 303
    assert other.get("/").status_code == 302
    assert Auth(app, app.test_client(), None).login("ld").status_code == 422
    client.post(f"/users/{uid}/active", data={"csrf_token": admin.token()})
    assert Auth(app, app.test_client(), None).login("ld").status_code == 303


def test_admin_cannot_deactivate_themselves(client, admin, app):
    response = client.post(f"/users/{admin.user_id}/active", data={"csrf_token": admin.token()}, follow_redirects=True)
    assert "不能停用您自己的账号" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.user_id).active


def test_list_search_and_partial(client, admin, make_user):
    make_user("leader", display_name="何志远")
    make_user("leader", display_name="许丽萍")
    html = client.get("/users/?q=志远", headers=HX).get_data(as_text=True)
    assert "何志远" in html and "许丽萍" not in html and "<html" not in html


def test_users_list_queries_do_not_grow(client, admin, app, make_user, make_school):
    from sqlalchemy import event

    def count():
        seen = []
        with app.app_context():
            listener = lambda *a: seen.append(1)  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            client.get("/users/")
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    school = make_school()
    make_user("inspector", schools=[school])
    make_user("principal", school_id=school)
    few = count()
    for _ in range(10):
        make_user("inspector", schools=[school])
        make_user("principal", school_id=school)
    assert count() == few


@pytest.mark.parametrize("role", ["inspector", "principal", "leader"])
def test_only_admin_manages_users(client, auth, make_school, make_user, role):
    sid = make_school()
    target = make_user("leader")
    auth.login_as(role, school_id=sid if role == "principal" else None)
    token = auth.token()
    assert client.get("/users/").status_code == 403
    assert client.post("/users/new", data=new_user(token)).status_code == 403
    assert client.post(f"/users/{target}/active", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/users/{target}/password", data={"password": "whatever-123", "csrf_token": token}).status_code == 403
