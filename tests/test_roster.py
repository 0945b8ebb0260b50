import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.models import School, SchoolKind
from portal.schools.roster import COLUMNS

HEADERS = [h for _, h, _ in COLUMNS]


def workbook(*rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_ROW = ["360101", "城东实验小学", "小学", "公办", "城东街道", "东部教育集团", "是", 800, 18, 50, "在册"]


def snapshot(app):
    with app.app_context():
        return [(s.code, s.name, s.kind, s.students, s.active) for s in db.session.scalars(select(School).order_by(School.code))]


@pytest.fixture
def admin(auth):
    auth.login_as("admin")
    return auth


def upload(client, token, data: bytes, name="学校.xlsx"):
    return client.post("/schools/import", data={"file": (io.BytesIO(data), name), "csrf_token": token},
                       content_type="multipart/form-data")


def test_good_file_creates_and_updates(client, admin, app, make_school):
    make_school(code="360102", name="旧名小学", students=100)
    data = workbook(GOOD_ROW, ["360102", "河口镇中心小学", "小学", "公办", "河口镇", "东部教育集团", "否", 300, 8, 20, ""])
    response = upload(client, admin.token(), data)
    assert response.status_code == 303
    page = client.get("/schools/").get_data(as_text=True)
    assert "新增 1 所，更新 1 所" in page
    with app.app_context():
        updated = db.session.scalar(select(School).where(School.code == "360102"))
        assert updated.name == "河口镇中心小学" and updated.students == 300
        created = db.session.scalar(select(School).where(School.code == "360101"))
        assert created.is_project_school and created.kind is SchoolKind.PRIMARY


def test_bad_file_reports_every_row_and_changes_nothing(client, admin, app, make_school):
    make_school(code="360900", name="已有学校")
    before = snapshot(app)
    data = workbook(
        GOOD_ROW,
        ["", "无代码学校", "小学", "公办", "", "", "否", 1, 1, 1, ""],                 # row 3: code missing
        ["360103", "某中学", "中学", "公办", "", "", "否", 1, 1, 1, ""],               # row 4: bad kind
        ["360104", "某小学", "小学", "国营", "", "", "也许", "很多", -1, 1, ""],       # row 5: four errors
        ["360101", "重复代码小学", "小学", "公办", "", "", "否", 1, 1, 1, ""],         # row 6: duplicate code
        ["360105", "已有学校", "小学", "公办", "", "", "否", 1, 1, 1, ""],             # row 7: name taken
    )
    response = upload(client, admin.token(), data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for expected in ("必填，不能为空", "“中学”不是有效的学校类型", "“国营”不是有效的办学性质", "“也许”应填“是”或“否”",
                     "“很多”应为 0 到 20000", "“-1”应为 0 到 500", "与第 2 行重复", "已被代码为 360900 的学校使用"):
        assert expected in html, expected
    for row in (3, 4, 5, 6, 7):
        assert f'<td class="num">{row}</td>' in html
    assert snapshot(app) == before


def test_missing_header_is_one_clear_error(client, admin, app):
    response = upload(client, admin.token(), workbook(["1", "x"], headers=["学校代码", "名称"]))
    assert response.status_code == 422
    assert "表头缺少列：学校名称、学校类型、办学性质" in response.get_data(as_text=True)


@pytest.mark.parametrize("data,name", [(b"code,name\n1,x\n", "学校.xlsx"), (b"%PDF-1.7", "学校.xlsx"),
                                       (b"code,name", "学校.csv")])
def test_not_an_xlsx_is_refused_clearly(client, admin, app, data, name):
    response = upload(client, admin.token(), data, name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "无法读取" in html or "只能导入 .xlsx" in html
    assert snapshot(app) == []


def test_export_then_import_changes_nothing(client, admin, app, make_school):
    make_school(name="甲小学", is_project_school=True)
    make_school(name="乙初中", kind=SchoolKind.JUNIOR, active=False)
    exported = client.get("/schools/export.xlsx", query_string={"status": "all"})
    assert exported.headers["Content-Disposition"].startswith("attachment")
    before = snapshot(app)
    response = upload(client, admin.token(), exported.data)
    assert response.status_code == 303
    assert "新增 0 所，更新 0 所，未变 2 所" in client.get("/schools/").get_data(as_text=True)
    assert snapshot(app) == before


def test_export_is_scoped_to_what_the_user_sees(client, auth, make_school):
    mine, theirs = make_school(name="我的学校"), make_school(name="别人的学校")
    auth.login_as("inspector", schools=[mine])
    sheet = load_workbook(io.BytesIO(client.get("/schools/export.xlsx").data)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["我的学校"] and theirs


def test_template_downloads_and_imports(client, admin):
    template = client.get("/schools/import-template.xlsx")
    assert template.status_code == 200
    assert upload(client, admin.token(), template.data).status_code == 303


@pytest.mark.parametrize("role", ["inspector", "principal", "leader"])
def test_only_admin_imports(client, auth, make_school, role):
    sid = make_school()
    auth.login_as(role, school_id=sid if role == "principal" else None)
    assert client.get("/schools/import").status_code == 403
    assert upload(client, auth.token(), workbook(GOOD_ROW)).status_code == 403


def test_cli_import(runner, app, tmp_path):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook(GOOD_ROW))
    bad.write_bytes(workbook(["360109", "x", "大学", "公办", "", "", "否", 1, 1, 1, ""]))
    result = runner.invoke(args=["import-schools", str(bad)])
    assert result.exit_code == 1 and "第 2 行「学校类型」" in result.output
    assert snapshot(app) == []
    result = runner.invoke(args=["import-schools", str(good)])
    assert result.exit_code == 0 and "新增 1 所" in result.output
