"""The access-control matrix: every route × role × own/other school.

Each route names its rule; the test fails when a route exists that is not listed here, so a
new view cannot ship without saying who may reach it.
"""
from dataclasses import dataclass

import pytest
from flask import url_for

from portal.extensions import db
from portal.files.uploads import store
from portal.models import Role

from .conftest import PASSWORD, csrf_token

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

# Who may pass, by rule. Values: the roles allowed at their own school ("own") and elsewhere ("other").
VIEW = {"admin": {"own", "other"}, "leader": {"own", "other"}, "inspector": {"own"}, "principal": {"own"}}
MANAGE = {"admin": {"own", "other"}}
SIGNED_IN = {role: {"own", "other"} for role in ("admin", "leader", "inspector", "principal")}


@dataclass
class Route:
    rule: dict | None          # None: public
    url: callable              # (world, "own"|"other") -> url
    methods: tuple = ("GET",)


def school(endpoint, **extra):
    return lambda w, where: url_for(endpoint, school_id=w[where], **extra)


def fixed(endpoint, **extra):
    """A route not bound to one school (lists, forms): any reach of the role suffices."""
    url = lambda w, where: url_for(endpoint, **extra)  # noqa: E731
    url.school_bound = False
    return url


ROUTES = {
    "auth.login": Route(None, fixed("auth.login"), ("GET",)),
    "auth.logout": Route(None, fixed("auth.logout"), ("POST",)),
    "auth.change_password": Route(SIGNED_IN, fixed("auth.change_password"), ("GET", "POST")),
    "dashboard.index": Route(SIGNED_IN, fixed("dashboard.index")),
    "files.download": Route(VIEW, lambda w, where: url_for("files.download", attachment_id=w[f"file_{where}"])),
    "schools.index": Route(VIEW, fixed("schools.index")),
    "schools.detail": Route(VIEW, school("schools.detail")),
    "schools.create": Route(MANAGE, fixed("schools.create"), ("GET", "POST")),
    "schools.edit": Route(MANAGE, school("schools.edit"), ("GET", "POST")),
    "schools.import_roster": Route(MANAGE, fixed("schools.import_roster"), ("GET", "POST")),
    "schools.roster_template": Route(MANAGE, fixed("schools.roster_template")),
    "schools.export_roster": Route(VIEW, fixed("schools.export_roster")),
    "users.index": Route(MANAGE, fixed("users.index")),
    "users.create": Route(MANAGE, fixed("users.create"), ("GET", "POST")),
    "users.edit": Route(MANAGE, lambda w, where: url_for("users.edit", user_id=w[f"user_{where}"]), ("GET", "POST")),
    "users.reset_password": Route(MANAGE, lambda w, where: url_for("users.reset_password", user_id=w[f"user_{where}"]), ("POST",)),
    "users.toggle_active": Route(MANAGE, lambda w, where: url_for("users.toggle_active", user_id=w[f"user_{where}"]), ("POST",)),
}


@pytest.fixture
def world(app, make_school, make_user):
    own, other = make_school(), make_school()
    with app.app_context():
        files = {}
        for where, sid in (("own", own), ("other", other)):
            attachment = store(PNG, "照片.png", "image/png", school_id=sid, user_id=None)
            db.session.add(attachment)
            db.session.commit()
            files[f"file_{where}"] = attachment.id
    users = {"user_own": make_user("principal", school_id=own), "user_other": make_user("principal", school_id=other)}
    return {"own": own, "other": other, **files, **users}


def sign_in(client, make_user, role, world):
    kwargs = {"principal": {"school_id": world["own"]}, "inspector": {"schools": [world["own"]]}}.get(role, {})
    user_id = make_user(role, **kwargs)
    from portal.models import User

    with client.application.app_context():
        username = db.session.get(User, user_id).username
    token = csrf_token(client)
    assert client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token}).status_code == 303


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(ROUTES), "add the new route(s) to ROUTES with the rule they follow"


def cases():
    for endpoint, route in ROUTES.items():
        for method in route.methods:
            for role in ("anonymous", "admin", "leader", "inspector", "principal"):
                for where in ("own", "other") if getattr(route.url, "school_bound", True) else ("any",):
                    yield pytest.param(endpoint, method, role, where, id=f"{endpoint}-{method}-{role}-{where}")


@pytest.mark.parametrize("endpoint,method,role,where", list(cases()))
def test_access(app, client, make_user, world, endpoint, method, role, where):
    route = ROUTES[endpoint]
    if role != "anonymous":
        sign_in(client, make_user, role, world)
    with app.test_request_context():
        url = route.url(world, where)
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_token(client, "/login") if role == "anonymous" else csrf_token(client, "/account/password")
        response = client.post(url, data={"csrf_token": token})
    code = response.status_code
    response.close()
    if route.rule is None:
        assert code not in (401, 403, 500)
    elif role == "anonymous":
        assert code == 302 and response.headers["Location"].startswith("/login")
    elif (where in route.rule.get(role, set())) or (where == "any" and role in route.rule):
        assert code not in (302, 401, 403, 404, 500), f"{role} should reach {url}"
    else:
        assert code == 403, f"{role} must not reach {url} ({where} school), got {code}"


def test_inspector_list_shows_only_their_schools(app, client, make_user, make_school):
    mine, theirs = make_school(name="我的学校"), make_school(name="别人的学校")
    user_id = make_user("inspector", schools=[mine])
    from portal.models import User

    with app.app_context():
        username = db.session.get(User, user_id).username
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client)})
    html = client.get("/schools/").get_data(as_text=True)
    assert "我的学校" in html and "别人的学校" not in html
    assert theirs


def test_principal_list_shows_only_own_school(app, auth, client, make_school):
    own = make_school(name="本校小学")
    make_school(name="邻校小学")
    auth.login_as(Role.PRINCIPAL, school_id=own)
    html = client.get("/schools/?q=小学").get_data(as_text=True)
    assert "本校小学" in html and "邻校小学" not in html
