"""The school roster in Excel: import (all or nothing, every bad row reported), export, CLI."""
import io
import re
import zipfile
from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal import excel
from portal.extensions import db
from portal.models import AuditLog, Ownership, School, SchoolKind, User
from portal.schools import roster

from .conftest import HX, HX_BOOSTED

# Written out, not imported: a renamed column must fail here, as it would fail the office's files.
HEADERS = ["学校代码", "学校名称", "学校类型", "办学性质", "所在乡镇", "教育集团", "公办强校", "学生数", "班级数", "教师数", "状态"]
KIND_CHOICES = "幼儿园、小学、初中、九年一贯制、完全中学、高中、教学点、特殊教育学校、职业学校"


def row(code, name, **changes) -> list:
    values = {"学校代码": code, "学校名称": name, "学校类型": "小学", "办学性质": "公办", "所在乡镇": "城东街道",
              "教育集团": "东部教育集团", "公办强校": "否", "学生数": 800, "班级数": 18, "教师数": 52, "状态": "在册"}
    values.update(changes)
    return [values[h] for h in HEADERS]


def xlsx(*rows, headers=HEADERS) -> bytes:
    """A workbook as the office would make it; a row of None is a blank line."""
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values or [])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def state(app) -> tuple:
    """Every school as stored, and how many audit entries there are: what 'nothing changed' means."""
    with app.app_context():
        schools = db.session.scalars(select(School).order_by(School.code)).all()
        columns = [c.key for c in School.__table__.columns if c.key not in ("created_at", "updated_at")]
        rows = [tuple(getattr(s, c) for c in columns) for s in schools]
        return rows, db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "school"))


def school(app, code) -> School:
    with app.app_context():
        found = db.session.scalar(select(School).where(School.code == code))
        db.session.expunge_all()
        return found


def upload(client, token, data: bytes, name="学校名单.xlsx", headers=None):
    return client.post("/schools/import", data={"file": (io.BytesIO(data), name), "csrf_token": token},
                       content_type="multipart/form-data", headers=headers)


def error_table(html: str) -> list[tuple[int, str, str]]:
    return [(int(n), column, reason) for n, column, reason in
            re.findall(r"<tr><td>第 (\d+) 行</td><td>(.*?)</td><td>(.*?)</td></tr>", html)]


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data)).active


@pytest.fixture
def admin(auth):
    auth.login_as("admin")
    return auth


# Import through the web ---------------------------------------------------------------------

def test_import_page_offers_an_xlsx_upload_and_the_template(client, admin):
    html = client.get("/schools/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert 'href="/schools/import-template.xlsx" hx-boost="false"' in html
    assert "学校类型填：" + KIND_CHOICES in html


def test_good_file_creates_and_updates_only_what_changed(client, admin, app, make_school):
    make_school(code="360102", name="旧名小学", students=100)
    data = xlsx(row("360101", "城东实验小学", 公办强校="是", 学校类型="九年一贯制"),
                row("360102", "河口镇中心小学", 学生数=300, 班级数=14, 教师数=40))
    response = upload(client, admin.token(), data)
    assert response.status_code == 303 and response.headers["Location"] == "/schools/"
    assert "导入完成：新增 1 所，更新 1 所，未变 0 所。" in client.get("/schools/").get_data(as_text=True)

    created = school(app, "360101")
    assert created.name == "城东实验小学" and created.kind is SchoolKind.NINE_YEAR and created.is_project_school
    assert (created.students, created.classes, created.teachers, created.active) == (800, 18, 52, True)
    updated = school(app, "360102")
    assert updated.name == "河口镇中心小学" and updated.students == 300
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "update"))
        assert entry.changes == {"name": ["旧名小学", "河口镇中心小学"], "students": [100, 300]}
        assert entry.actor == db.session.get(User, admin.user_id).display_name


def test_bad_file_lists_every_bad_row_and_changes_nothing(client, admin, app, make_school):
    make_school(code="360900", name="已有小学")
    before = state(app)
    data = xlsx(
        row("AB-01", "新建小学"),                                                     # 2: good, but not saved
        row("", "无代码小学"),                                                        # 3
        row("360103", "某中学", 学校类型="中学"),                                     # 4
        row("36 01", "某小学", 办学性质="国营", 公办强校="也许", 学生数="很多", 班级数=-1, 教师数=12.5),  # 5
        row("ab-01", "另一所小学"),                                                   # 6: same code as row 2
        row("360106", "新建小学"),                                                    # 7: same name as row 2
        row("360107", "已有小学"),                                                    # 8: another school's name
        None,                                                                         # 9: blank, skipped
        row("360110", "十号小学", 学生数=20001, 状态="作废"),                         # 10
    )
    response = upload(client, admin.token(), data)
    assert response.status_code == 422
    assert error_table(response.get_data(as_text=True)) == [
        (3, "学校代码", "必填，不能为空"),
        (4, "学校类型", f"“中学”不是有效的学校类型（可选：{KIND_CHOICES}）"),
        (5, "学校代码", "“36 01”格式不对（只能包含数字、字母和连字符）"),
        (5, "办学性质", "“国营”不是有效的办学性质（可选：公办、民办）"),
        (5, "公办强校", "“也许”无效，请填“是”或“否”"),
        (5, "学生数", "“很多”不是整数（请填写 0 到 20000 之间的整数）"),
        (5, "班级数", "-1 超出范围（请填写 0 到 500 之间的整数）"),
        (5, "教师数", "“12.5”不是整数（请填写 0 到 2000 之间的整数）"),
        (6, "学校代码", "“ab-01”与第 2 行重复"),
        (7, "学校名称", "“新建小学”与第 2 行重复"),
        (8, "学校名称", "“已有小学”已是学校代码 360900 的名称，学校名称不能重复"),
        (10, "学生数", "20001 超出范围（请填写 0 到 20000 之间的整数）"),
        (10, "状态", "“作废”无效，请填“在册”或“停用”"),
    ]
    assert "13 处错误" in response.get_data(as_text=True)
    assert state(app) == before


def test_htmx_upload_swaps_the_errors_in_place(client, admin, app):
    response = upload(client, admin.token(), xlsx(row("360101", "甲", 学校类型="大学")), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert error_table(html) == [(2, "学校类型", f"“大学”不是有效的学校类型（可选：{KIND_CHOICES}）")]
    assert state(app)[0] == []


def test_htmx_upload_that_succeeds_navigates_to_the_list(client, admin, app):
    response = upload(client, admin.token(), xlsx(row("360101", "甲小学")), headers=HX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/schools/"
    assert "新增 1 所" in client.get("/schools/").get_data(as_text=True)


def test_boosted_upload_lands_on_the_list_page(client, admin):
    response = upload(client, admin.token(), xlsx(row("360101", "甲小学")), headers=HX_BOOSTED)
    assert response.status_code == 303
    page = client.get(response.headers["Location"], headers=HX_BOOSTED).get_data(as_text=True)
    assert "<html" in page and "甲小学" in page and "新增 1 所" in page


@pytest.mark.parametrize("data,name,message", [
    (b"\xe5\xad\xa6\xe6\xa0\xa1\xe4\xbb\xa3\xe7\xa0\x81,name\n1,x\n", "学校名单.xlsx", "这不是 Excel 工作簿（.xlsx）"),
    (b"%PDF-1.7\n%...", "学校名单.xlsx", "这不是 Excel 工作簿（.xlsx）"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "学校名单.xlsx", "旧版 .xls"),  # a renamed .xls
    (b"PK\x05\x06" + b"\0" * 18, "学校名单.xlsx", "这不是 Excel 工作簿（.xlsx）"),        # an empty zip
    ("broken", "学校名单.xlsx", "无法读取这个 Excel 文件"),
    (b"code,name\n", "学校名单.csv", "只能导入 .xlsx"),
])
def test_a_file_that_is_not_an_xlsx_gets_one_clear_message(client, admin, app, data, name, message):
    if data == "broken":  # looks like an xlsx from the outside, its sheet is not XML
        good, out = zipfile.ZipFile(io.BytesIO(xlsx(row("1", "甲")))), io.BytesIO()
        with zipfile.ZipFile(out, "w") as broken:
            for item in good.namelist():
                broken.writestr(item, b"<<<" if item.startswith("xl/worksheets/") else good.read(item))
        data = out.getvalue()
    response = upload(client, admin.token(), data, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert 'class="field has-error' in html and error_table(html) == []
    assert state(app) == ([], 0)


def test_missing_file_is_asked_for(client, admin):
    response = client.post("/schools/import", data={"csrf_token": admin.token()}, content_type="multipart/form-data")
    assert response.status_code == 422 and "请选择要导入的 Excel 文件" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["inspector", "principal", "leader"])
def test_only_the_office_imports(client, auth, app, make_school, role):
    sid = make_school()
    auth.login_as(role, school_id=sid if role == "principal" else None, schools=[sid] if role == "inspector" else ())
    before = state(app)
    assert client.get("/schools/import").status_code == 403
    assert client.get("/schools/import-template.xlsx").status_code == 403
    assert upload(client, auth.token(), xlsx(row("360101", "甲小学"))).status_code == 403
    assert state(app) == before
    assert "导入 Excel" not in client.get("/schools/").get_data(as_text=True)


# The rules, without a request ---------------------------------------------------------------

def test_headers_are_found_by_name_in_any_order(app, make_school):
    make_school(code="360101", name="停用小学", active=False, students=5)
    order = ["  教师数 ", "学校名称", "备注", "学校代码", "学校类型", "办学性质", "所在乡镇", "教育集团", "公办强校", "学生数", "班级数"]
    data = xlsx(
        [52, "停用小学", "旧数据", 360101.0, "小学", "公办", "城东街道", "东部教育集团", "否", "600", 14],
        None,
        [10, "新小学", "", "360102", "小学", "民办", None, None, None, None, None],
        headers=order,
    )
    with app.app_context():
        outcome = roster.import_roster(data)
        assert outcome.errors == [] and outcome.summary == "新增 1 所，更新 1 所，未变 0 所"
        db.session.commit()
    kept = school(app, "360101")
    assert kept.students == 600 and kept.teachers == 52 and kept.active is False  # no 状态 column: status kept
    new = school(app, "360102")
    assert (new.ownership, new.township, new.is_project_school, new.students, new.teachers, new.active) == (
        Ownership.PRIVATE, "", False, 0, 10, True)


def test_blank_rows_are_skipped_and_later_rows_keep_their_excel_numbers(app):
    data = xlsx(None, None, row("360101", "甲小学", 学校类型="中学"), None, row("360102", "乙小学"))
    with app.app_context():
        outcome = roster.import_roster(data)
    assert [str(e) for e in outcome.errors] == [f"第 4 行「学校类型」：“中学”不是有效的学校类型（可选：{KIND_CHOICES}）"]


def test_missing_required_headers_are_one_error(app):
    headers = [h for h in HEADERS if h not in ("教育集团", "教师数")]
    with app.app_context(), pytest.raises(roster.RosterError, match="缺少必需的列：教育集团、教师数。第 1 行应是表头"):
        roster.import_roster(xlsx(["1", "甲", "小学", "公办", "", "否", 1, 1, ""], headers=headers))


def test_a_header_used_twice_is_refused(app):
    with app.app_context(), pytest.raises(roster.RosterError, match="「学校名称」出现了两次（第 B 列和第 L 列）"):
        roster.import_roster(xlsx(row("1", "甲") + ["乙"], headers=HEADERS + ["学校名称"]))


def test_a_header_without_rows_is_refused(app):
    with app.app_context(), pytest.raises(roster.RosterError, match="表头下面没有学校数据"):
        roster.import_roster(xlsx())


def test_size_and_row_caps(app, monkeypatch):
    with app.app_context():
        with pytest.raises(roster.RosterError, match="文件太大"):
            roster.import_roster(b"PK\x03\x04" + b"\0" * roster.MAX_BYTES)
        monkeypatch.setattr(roster, "MAX_ROWS", 3)
        with pytest.raises(roster.RosterError, match="数据超过 3 行"):
            roster.import_roster(xlsx(*(row(f"36010{n}", f"{n}号小学") for n in range(4))))
        assert roster.import_roster(xlsx(*(row(f"36010{n}", f"{n}号小学") for n in range(3)))).created == 3
        monkeypatch.setattr(roster, "MAX_UNPACKED", 10_000)  # a small file that inflates: a zip bomb
        with pytest.raises(roster.RosterError, match="文件内容过大"):
            roster.import_roster(xlsx(row("360101", "甲小学")))


def test_a_code_differing_only_in_case_is_the_same_school(app, make_school):
    make_school(code="AB-01", name="甲小学", students=10)
    with app.app_context():
        outcome = roster.import_roster(xlsx(row("ab-01", "甲小学", 学生数=20)))
        db.session.commit()
    assert outcome.summary == "新增 0 所，更新 1 所，未变 0 所"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == 1


# Export -------------------------------------------------------------------------------------

def test_export_then_import_changes_nothing(client, admin, app, make_school):
    make_school(code="036001", name="前导零小学", is_project_school=True, township="")
    make_school(code="X-02", name="停用初中", kind=SchoolKind.JUNIOR, ownership=Ownership.PRIVATE, active=False)
    make_school(code="360003", name="九年一贯制学校", kind=SchoolKind.NINE_YEAR, students=0, education_group="")
    before = state(app)
    exported = client.get("/schools/export.xlsx", query_string={"status": "all"})
    assert exported.status_code == 200
    response = upload(client, admin.token(), exported.data)
    assert response.status_code == 303
    assert "新增 0 所，更新 0 所，未变 3 所" in client.get("/schools/").get_data(as_text=True)
    assert state(app) == before


def test_export_is_a_readable_workbook_named_by_date(client, admin, make_school):
    make_school(code="360001", name="城东实验小学", kind=SchoolKind.JUNIOR, is_project_school=True, students=1234)
    response = client.get("/schools/export.xlsx")
    assert response.mimetype == excel.XLSX
    today = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and unquote(disposition).endswith(f"学校名单-{today}.xlsx")
    sheet = sheet_of(response.data)
    assert [c.value for c in sheet[1]] == HEADERS and all(c.font.b for c in sheet[1])
    assert [c.value for c in sheet[2]] == ["360001", "城东实验小学", "初中", "公办", "城东街道", "东部教育集团", "是",
                                           1234, 14, 40, "在册"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["H"].width >= 8


def test_export_follows_the_list_filters(client, admin, make_school):
    make_school(name="甲初中", kind=SchoolKind.JUNIOR)
    make_school(name="乙小学")
    make_school(name="丙初中", kind=SchoolKind.JUNIOR, active=False)
    sheet = sheet_of(client.get("/schools/export.xlsx", query_string={"kind": "JUNIOR"}).data)
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["甲初中"]
    page = client.get("/schools/?kind=JUNIOR").get_data(as_text=True)
    assert 'href="/schools/export.xlsx?kind=JUNIOR"' in page


def test_inspector_exports_only_their_schools(client, auth, make_school):
    mine, also_mine = make_school(name="我的学校"), make_school(name="我的另一所学校")
    make_school(name="别人的学校")
    auth.login_as("inspector", schools=[mine, also_mine])
    assert "导出 Excel" in client.get("/schools/").get_data(as_text=True)
    sheet = sheet_of(client.get("/schools/export.xlsx").data)
    assert sorted(r[1] for r in sheet.iter_rows(min_row=2, values_only=True)) == ["我的另一所学校", "我的学校"]


def test_principal_exports_only_their_school(client, auth, make_school):
    own = make_school(name="本校小学")
    make_school(name="邻校小学")
    auth.login_as("principal", school_id=own)
    sheet = sheet_of(client.get("/schools/export.xlsx", query_string={"status": "all"}).data)
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["本校小学"]


def test_template_has_the_headers_and_an_example_that_imports(client, admin, app):
    response = client.get("/schools/import-template.xlsx")
    assert unquote(response.headers["Content-Disposition"]).endswith("学校名单导入模板.xlsx")
    sheet = sheet_of(response.data)
    assert [c.value for c in sheet[1]] == HEADERS and sheet.max_row == 2
    assert state(app)[0] == []  # the example is not saved by downloading
    assert upload(client, admin.token(), response.data).status_code == 303
    assert school(app, "360101").name == "示例实验小学"


# Command line -------------------------------------------------------------------------------

def test_cli_imports_a_good_file(runner, app, tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx(row("360101", "甲小学"), row("360102", "乙小学")))
    result = runner.invoke(args=["import-schools", str(path)])
    assert result.exit_code == 0, result.output
    assert "导入完成：新增 2 所，更新 0 所，未变 0 所。" in result.output
    again = runner.invoke(args=["import-schools", str(path)])
    assert "新增 0 所，更新 0 所，未变 2 所" in again.output
    with app.app_context():
        assert db.session.scalar(select(AuditLog.actor).where(AuditLog.action == "create").limit(1)) == "系统"


def test_cli_prints_every_bad_row_and_changes_nothing(runner, app, tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx(row("360101", "甲小学"), row("360102", "乙", 学校类型="大学"), row("360101", "丙", 学生数=-3)))
    result = runner.invoke(args=["import-schools", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines == [
        f"第 3 行「学校类型」：“大学”不是有效的学校类型（可选：{KIND_CHOICES}）",
        "第 4 行「学校代码」：“360101”与第 2 行重复",
        "第 4 行「学生数」：-3 超出范围（请填写 0 到 20000 之间的整数）",
        "共 3 处错误，未导入任何数据。",
    ]
    assert state(app) == ([], 0)


def test_cli_refuses_a_file_that_is_not_an_xlsx(runner, app, tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_text("学校代码,学校名称\n1,甲\n", encoding="utf-8")
    result = runner.invoke(args=["import-schools", str(path)])
    assert result.exit_code == 1 and "名单.xlsx：这不是 Excel 工作簿（.xlsx）" in result.output
    assert state(app) == ([], 0)


def test_export_link_follows_the_filters_in_the_fragment(client, admin, make_school):
    make_school(name="甲小学")
    html = client.get("/schools/?q=甲", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "/schools/export.xlsx?q=" in html
