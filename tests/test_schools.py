import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditLog, School, SchoolKind

from .conftest import HX, HX_BOOSTED

GOOD = {"code": "360999", "name": "新建实验小学", "kind": "PRIMARY", "ownership": "PUBLIC", "township": "城东街道",
        "education_group": "东部教育集团", "students": "800", "classes": "18", "teachers": "52", "active": "y"}


def count_schools(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(School))


@pytest.fixture
def admin(auth):
    auth.login_as("admin")
    return auth


def test_list_search_narrows(client, admin, make_school):
    make_school(name="西山镇中心小学", township="西山镇")
    make_school(name="北关小学", township="北关街道")
    html = client.get("/schools/?q=西山").get_data(as_text=True)
    assert "西山镇中心小学" in html and "北关小学" not in html


def test_list_htmx_partial_returns_only_results(client, admin, make_school):
    make_school(name="西山镇中心小学")
    response = client.get("/schools/?q=西山", headers=HX)
    html = response.get_data(as_text=True)
    assert "西山镇中心小学" in html
    assert "<html" not in html and 'class="filters"' not in html
    assert "共 1 所学校" in html


def test_list_boosted_returns_whole_page(client, admin, make_school):
    html = client.get("/schools/", headers=HX_BOOSTED).get_data(as_text=True)
    assert "<html" in html and 'class="filters"' in html


@pytest.mark.parametrize("query,expected", [
    ({"kind": "JUNIOR"}, {"初中甲"}),
    ({"group": "北部教育集团"}, {"北部小学"}),
    ({"township": "西山镇"}, {"初中甲"}),
    ({"project": "1"}, {"北部小学"}),
    ({"status": "inactive"}, {"停用小学"}),
    ({"kind": "BOGUS"}, {"初中甲", "北部小学"}),  # an unknown filter value is ignored, not a 500
])
def test_list_filters(client, admin, make_school, query, expected):
    make_school(name="初中甲", kind=SchoolKind.JUNIOR, township="西山镇")
    make_school(name="北部小学", education_group="北部教育集团", is_project_school=True)
    make_school(name="停用小学", active=False)
    html = client.get("/schools/", query_string=query).get_data(as_text=True)
    for name in ("初中甲", "北部小学", "停用小学"):
        assert (name in html) == (name in expected), name


def test_create_plain_redirects_303(client, admin, app):
    response = client.post("/schools/new", data={**GOOD, "csrf_token": admin.token()})
    assert response.status_code == 303
    with app.app_context():
        school = db.session.scalar(select(School).where(School.code == "360999"))
        assert school.name == "新建实验小学" and school.students == 800 and school.kind is SchoolKind.PRIMARY
    assert response.headers["Location"] == f"/schools/{school.id}"


def test_create_htmx_partial_navigates(client, admin):
    response = client.post("/schools/new", data={**GOOD, "csrf_token": admin.token()}, headers=HX)
    assert response.status_code == 200 and response.headers["HX-Redirect"].startswith("/schools/")


def test_create_boosted_follows_redirect(client, admin):
    response = client.post("/schools/new", data={**GOOD, "csrf_token": admin.token()}, headers=HX_BOOSTED,
                           follow_redirects=True)
    assert "新建实验小学" in response.get_data(as_text=True)
    assert "学校已添加" in response.get_data(as_text=True)


@pytest.mark.parametrize("field,value,message", [
    ("code", "", "请填写学校代码"),
    ("code", "36 01", "只能包含"),
    ("name", "", "请填写学校名称"),
    ("kind", "UNIVERSITY", "请选择学校类型"),
    ("ownership", "", ""),
    ("students", "-5", "0 到 20000"),
    ("students", "很多", ""),
    ("classes", "9999", "0 到 500"),
    ("name", "名" * 81, "最多 80 个字"),
])
def test_create_validation_422_nothing_saved(client, admin, app, field, value, message):
    before = count_schools(app)
    response = client.post("/schools/new", data={**GOOD, field: value, "csrf_token": admin.token()})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and message in html
    assert count_schools(app) == before


def test_duplicate_code_and_name_rejected(client, admin, app, make_school):
    make_school(code="360999", name="已有学校")
    response = client.post("/schools/new", data={**GOOD, "csrf_token": admin.token()})
    assert response.status_code == 422 and "该学校代码已被使用" in response.get_data(as_text=True)
    response = client.post("/schools/new", data={**GOOD, "code": "361000", "name": "已有学校",
                                                 "csrf_token": admin.token()})
    assert "已有同名学校" in response.get_data(as_text=True)


def test_edit_keeps_own_code_and_audits_the_change(client, admin, app, make_school):
    sid = make_school(code="360001", name="旧名小学", students=500)
    data = {**GOOD, "code": "360001", "name": "新名小学", "csrf_token": admin.token()}
    assert client.post(f"/schools/{sid}/edit", data=data).status_code == 303
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "school", AuditLog.action == "update")).one()
        assert entry.changes["name"] == ["旧名小学", "新名小学"]
        assert entry.changes["students"] == [500, 800]
        assert entry.actor.startswith("督导室管理员")
    detail = client.get(f"/schools/{sid}").get_data(as_text=True)
    assert "名称：旧名小学 → 新名小学" in detail and "学生数：500 → 800" in detail


def test_inline_validation_reports_only_touched_fields(client, admin):
    response = client.post("/schools/new?validate=1", data={"code": "36 01", "csrf_token": admin.token()},
                           headers={**HX, "HX-Trigger-Name": "code"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "只能包含" in html
    assert "请填写学校名称" not in html  # not reached yet


def test_inline_validation_saves_nothing(client, admin, app):
    before = count_schools(app)
    client.post("/schools/new?validate=1", data={**GOOD, "csrf_token": admin.token()}, headers=HX)
    assert count_schools(app) == before


def test_list_query_count_does_not_grow(client, admin, make_school, queries_for):
    make_school()
    few = queries_for("/schools/")
    for _ in range(15):
        make_school()
    assert queries_for("/schools/") == few


def test_flash_survives_an_htmx_navigation(client, admin):
    client.post("/schools/new", data={**GOOD, "csrf_token": admin.token()}, headers=HX)
    page = client.get("/schools/").get_data(as_text=True)
    assert "学校已添加" in page


def test_flash_reaches_a_fragment_out_of_band(client, admin, app):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "已保存")]
    html = client.get("/schools/", headers=HX).get_data(as_text=True)
    assert 'hx-swap-oob="beforeend"' in html and "已保存" in html
