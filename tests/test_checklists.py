"""The checklist template editor: templates, versions, the draft edited in place, publishing,
new versions, and Excel in and out."""
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal import excel
from portal.checklists import workbook
from portal.extensions import db
from portal.models import (AnswerType, AuditLog, ChecklistTemplate, EvidenceRule, Item, Section, TemplateVersion,
                           VersionStatus, utcnow)

from .conftest import HX, HX_BOOSTED

# (section title, [(text, answer type, max points, critical)])
SPEC = [
    ("一、学校常规管理", [("校务管理规范", AnswerType.POINTS, "5", False), ("招生行为规范", AnswerType.RATING, "6", True)]),
    ("二、安全管理", [("消防设施完好", AnswerType.YES_NO, "7.5", False)]),
]


def build(app, status=VersionStatus.DRAFT, name="测试检查表", spec=SPEC, number=1, template_id=None) -> dict:
    """A template version straight into the database; its ids."""
    with app.app_context():
        version = TemplateVersion(number=number, status=status,
                                  published_at=None if status is VersionStatus.DRAFT else utcnow())
        for s, (title, items) in enumerate(spec, start=1):
            version.sections.append(Section(position=s, title=title, items=[
                Item(position=i, text=text, standard=f"{text}的评分标准", answer_type=kind, max_points=Decimal(points),
                     critical=critical, evidence=EvidenceRule.PHOTO if critical else EvidenceRule.NONE)
                for i, (text, kind, points, critical) in enumerate(items, start=1)]))
        template = db.session.get(ChecklistTemplate, template_id) if template_id else ChecklistTemplate(name=name)
        template.versions.append(version)
        db.session.add(template)
        db.session.commit()
        return {"template": template.id, "version": version.id, "sections": [s.id for s in version.sections],
                "items": [[i.id for i in s.items] for s in version.sections]}


def snapshot(app) -> tuple:
    """Everything the editor can change, and the audit log's length: what "nothing changed" means."""
    with app.app_context():
        def rows(model):
            columns = [c.key for c in model.__table__.columns if c.key not in ("created_at", "updated_at")]
            return [tuple(getattr(r, c) for c in columns) for r in db.session.scalars(select(model).order_by(model.id))]
        return (rows(ChecklistTemplate), rows(TemplateVersion), rows(Section), rows(Item),
                db.session.scalar(select(func.count()).select_from(AuditLog)))


def outline(app, version_id) -> list:
    """The version as the page orders it: [(section title, [(item text, points)])]."""
    with app.app_context():
        version = db.session.get(TemplateVersion, version_id)
        return [(s.title, [(i.text, i.max_points) for i in s.items]) for s in version.sections]


def one(app, model, ident):
    with app.app_context():
        row = db.session.get(model, ident)
        db.session.expunge_all()
        return row


@pytest.fixture
def admin(auth):
    auth.login_as("admin")
    return auth


@pytest.fixture
def draft(app):
    return build(app)


def item_data(prefix: str, **changes) -> dict:
    values = {"text": "食堂卫生达标", "standard": "查看台账", "answer_type": "POINTS", "max_points": "4",
              "evidence": "NOTE", "na_allowed": "y"}
    values.update(changes)
    return {f"{prefix}-{key}": value for key, value in values.items() if value is not None}


def post(client, admin, url, data=None, headers=None, **kwargs):
    return client.post(url, data={**(data or {}), "csrf_token": admin.token()}, headers=headers, **kwargs)


# The list and new templates -------------------------------------------------------------------

def test_list_shows_current_version_draft_and_totals(client, admin, app):
    ids = build(app, VersionStatus.PUBLISHED, name="综合督导")
    build(app, number=2, template_id=ids["template"], spec=[("一、新", [("新增项", AnswerType.POINTS, "3", False)])])
    build(app, name="新草稿")
    html = client.get("/checklists/").get_data(as_text=True)
    assert "综合督导" in html and "第 1 版" in html and "第 2 版草稿" in html
    row = html[html.index("综合督导"):html.index("新草稿")]
    assert ">3<" in row and ">18.5<" in row  # the current version's items and points, not the draft's
    assert "未发布" in html[html.index("新草稿"):]


def test_list_query_count_does_not_grow(client, admin, app, queries_for):
    build(app, name="甲")
    few = queries_for("/checklists/")
    for n in range(5):
        build(app, VersionStatus.PUBLISHED, name=f"乙{n}")
    assert queries_for("/checklists/") == few


def test_create_plain_makes_an_empty_draft_and_goes_there(client, admin, app):
    response = post(client, admin, "/checklists/new", {"name": "专项督导", "description": "五项管理"})
    assert response.status_code == 303
    with app.app_context():
        template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.name == "专项督导"))
        [version] = template.versions
        assert (version.number, version.status, version.sections) == (1, VersionStatus.DRAFT, [])
        assert template.description == "五项管理"
    assert response.headers["Location"] == f"/checklists/versions/{version.id}"


def test_create_htmx_navigates_and_boosted_shows_the_draft(client, admin):
    response = post(client, admin, "/checklists/new", {"name": "甲模板"}, headers=HX)
    assert response.status_code == 200 and response.headers["HX-Redirect"].startswith("/checklists/versions/")
    response = post(client, admin, "/checklists/new", {"name": "乙模板"}, headers=HX_BOOSTED, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "<html" in html and "乙模板" in html and "已创建" in html and "＋ 添加一级指标" in html


@pytest.mark.parametrize("name,message", [("", "请填写模板名称"), ("名" * 81, "最多 80 个字"), ("测试检查表", "已有同名模板"),
                                          ("  测试检查表 ", "已有同名模板")])
def test_create_validation_422_nothing_saved(client, admin, app, draft, name, message):
    before = snapshot(app)
    response = post(client, admin, "/checklists/new", {"name": name}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and 'aria-invalid="true"' in html
    assert "<html" not in html
    assert snapshot(app) == before


# The version page -------------------------------------------------------------------------------

def test_version_page_shows_items_and_totals(client, admin, draft):
    html = client.get(f"/checklists/versions/{draft['version']}").get_data(as_text=True)
    assert "2 个一级指标，3 项评估要点，满分合计" in html and "<strong>18.5</strong> 分" in html
    assert "一票否决 1 项" in html and "★ 一票否决" in html
    assert "2 项 · 11 分" in html and "1 项 · 7.5 分" in html
    assert "招生行为规范的评分标准" in html and "达标/基本达标/未达标" in html and "未达标须拍照" in html
    assert "发布" in html and "＋ 添加评估要点" in html


def test_version_page_query_count_does_not_grow(client, admin, app, queries_for):
    small = build(app, spec=[("一", [("甲", AnswerType.POINTS, "1", False)])], name="小")
    big = build(app, spec=[(f"{n}、指标", [(f"项{n}.{i}", AnswerType.POINTS, "1", False) for i in range(6)])
                           for n in range(8)], name="大")
    assert queries_for(f"/checklists/versions/{big['version']}") == queries_for(f"/checklists/versions/{small['version']}")


@pytest.mark.parametrize("url", ["/checklists/versions/999", "/checklists/versions/99999999999",
                                 "/checklists/versions/{version}/items/999/edit",
                                 "/checklists/versions/{version}/items/999"])
def test_unknown_ids_404(client, admin, draft, url):
    assert client.get(url.format(**draft)).status_code == 404


def test_parts_of_another_version_404(client, admin, app, draft):
    other = build(app, name="另一个")
    before = snapshot(app)
    v, item, section = draft["version"], other["items"][0][0], other["sections"][0]
    assert client.get(f"/checklists/versions/{v}/items/{item}/edit").status_code == 404
    assert post(client, admin, f"/checklists/versions/{v}/items/{item}/delete").status_code == 404
    assert post(client, admin, f"/checklists/versions/{v}/sections/{section}/delete").status_code == 404
    assert post(client, admin, f"/checklists/versions/{v}/sections/{section}/items", item_data(f"n{section}")).status_code == 404
    assert snapshot(app) == before


# Sections -----------------------------------------------------------------------------------------

def test_add_section_plain_303(client, admin, app, draft):
    response = post(client, admin, f"/checklists/versions/{draft['version']}/sections", {"title": "三、课堂教学"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/checklists/versions/{draft['version']}#section-")
    assert [title for title, _ in outline(app, draft["version"])] == ["一、学校常规管理", "二、安全管理", "三、课堂教学"]


def test_add_section_htmx_returns_the_outline_with_new_totals(client, admin, draft):
    response = post(client, admin, f"/checklists/versions/{draft['version']}/sections", {"title": "三、课堂教学"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'class="page-head"' not in html
    assert "三、课堂教学" in html and "一、学校常规管理" in html
    assert 'id="version-summary" hx-swap-oob="true"' in html and "3 个一级指标" in html


def test_add_section_boosted_returns_the_page(client, admin, draft):
    response = post(client, admin, f"/checklists/versions/{draft['version']}/sections", {"title": "三、课堂教学"},
                    headers=HX_BOOSTED, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "<html" in html and "三、课堂教学" in html


@pytest.mark.parametrize("title,message", [("", "请填写一级指标名称"), ("指" * 121, "最多 120 个字"),
                                           ("二、安全管理", "本版本已有同名的一级指标")])
def test_add_section_validation(client, admin, app, draft, title, message):
    before = snapshot(app)
    response = post(client, admin, f"/checklists/versions/{draft['version']}/sections", {"title": title}, headers=HX)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_rename_section(client, admin, app, draft):
    v, s = draft["version"], draft["sections"][1]
    response = post(client, admin, f"/checklists/versions/{v}/sections/{s}/rename", {f"s{s}-title": "二、校园安全"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith(f'<section class="panel cl-section" id="section-{s}"')
    assert "二、校园安全" in html and "一、学校常规管理" not in html
    assert one(app, Section, s).title == "二、校园安全"
    assert post(client, admin, f"/checklists/versions/{v}/sections/{s}/rename", {f"s{s}-title": "二、安全"}).status_code == 303
    assert one(app, Section, s).title == "二、安全"


def test_rename_section_to_its_own_name_is_fine_to_another_is_not(client, admin, app, draft):
    v, s = draft["version"], draft["sections"][1]
    url = f"/checklists/versions/{v}/sections/{s}/rename"
    assert post(client, admin, url, {f"s{s}-title": "二、安全管理"}).status_code == 303
    before = snapshot(app)
    response = post(client, admin, url, {f"s{s}-title": "一、学校常规管理"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "本版本已有同名的一级指标" in html and "<details class=\"rename\" open" in html
    assert snapshot(app) == before


def test_delete_section_removes_its_items(client, admin, app, draft):
    v, s = draft["version"], draft["sections"][0]
    response = post(client, admin, f"/checklists/versions/{v}/sections/{s}/delete", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "一、学校常规管理" not in html and "二、安全管理" in html
    assert "1 个一级指标，1 项评估要点" in html
    assert outline(app, v) == [("二、安全管理", [("消防设施完好", Decimal("7.5"))])]
    with app.app_context():
        assert db.session.get(Item, draft["items"][0][0]) is None


@pytest.mark.parametrize("headers", [None, HX, HX_BOOSTED])
def test_move_section(client, admin, app, draft, headers):
    v, _, second = draft["version"], *draft["sections"]
    response = post(client, admin, f"/checklists/versions/{v}/sections/{second}/move", {"direction": "up"}, headers=headers)
    assert response.status_code == (200 if headers == HX else 303)  # boosted: a redirect to the page
    assert [t for t, _ in outline(app, v)] == ["二、安全管理", "一、学校常规管理"]
    if headers == HX:
        html = response.get_data(as_text=True)
        assert html.index("二、安全管理") < html.index("一、学校常规管理") and "<html" not in html
    post(client, admin, f"/checklists/versions/{v}/sections/{second}/move", {"direction": "down"})
    assert [t for t, _ in outline(app, v)] == ["一、学校常规管理", "二、安全管理"]


def test_move_past_the_end_changes_nothing_and_bad_direction_is_400(client, admin, app, draft):
    v, first, _ = draft["version"], *draft["sections"]
    before = snapshot(app)
    assert post(client, admin, f"/checklists/versions/{v}/sections/{first}/move", {"direction": "up"}).status_code == 303
    assert post(client, admin, f"/checklists/versions/{v}/sections/{first}/move", {"direction": "sideways"}).status_code == 400
    assert snapshot(app) == before


# Items -------------------------------------------------------------------------------------------

def test_add_item_plain_303(client, admin, app, draft):
    v, s = draft["version"], draft["sections"][1]
    response = post(client, admin, f"/checklists/versions/{v}/sections/{s}/items", item_data(f"n{s}"))
    assert response.status_code == 303 and "#item-" in response.headers["Location"]
    with app.app_context():
        item = db.session.get(Section, s).items[-1]
        assert (item.text, item.standard, item.answer_type, item.max_points, item.evidence, item.na_allowed, item.critical,
                item.position) == ("食堂卫生达标", "查看台账", AnswerType.POINTS, Decimal("4"), EvidenceRule.NOTE, True, False, 2)


def test_add_item_htmx_returns_the_section_and_totals(client, admin, draft):
    v, s = draft["version"], draft["sections"][1]
    response = post(client, admin, f"/checklists/versions/{v}/sections/{s}/items", item_data(f"n{s}"), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith(f'<section class="panel cl-section" id="section-{s}"')
    assert "食堂卫生达标" in html and "消防设施完好" in html and "一、学校常规管理" not in html
    assert "2 项 · 11.5 分" in html
    assert 'id="version-summary" hx-swap-oob="true"' in html and "满分合计\n  <strong>22.5</strong>" in html


def test_add_item_boosted_returns_the_page(client, admin, draft):
    v, s = draft["version"], draft["sections"][1]
    response = post(client, admin, f"/checklists/versions/{v}/sections/{s}/items", item_data(f"n{s}"),
                    headers=HX_BOOSTED, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "<html" in html and "食堂卫生达标" in html and "4 项评估要点" in html


ITEM_ERRORS = [
    ({"text": ""}, "请填写评估要点"),
    ({"text": "   "}, "请填写评估要点"),
    ({"text": "长" * 501}, "最多 500 个字"),
    ({"standard": "长" * 1001}, "最多 1000 个字"),
    ({"max_points": ""}, "请填写分值"),
    ({"max_points": None}, "请填写分值"),
    ({"max_points": "0"}, "分值须大于 0 且不超过 100"),
    ({"max_points": "-3"}, "请填写数字"),
    ({"max_points": "100.01"}, "分值须大于 0 且不超过 100"),
    ({"max_points": "1.234"}, "分值最多保留两位小数"),
    ({"max_points": "五分"}, "请填写数字"),
    ({"max_points": "1e2"}, "请填写数字"),
    ({"answer_type": "YES_NO", "max_points": ""}, "请填写分值"),  # the weight is needed whatever the answer
    ({"answer_type": "ESSAY"}, "请选择答题方式"),
    ({"evidence": "VIDEO"}, "请选择佐证要求"),
]


@pytest.mark.parametrize("changes,message", ITEM_ERRORS)
def test_add_item_validation_422_nothing_saved(client, admin, app, draft, changes, message):
    v, s = draft["version"], draft["sections"][0]
    before = snapshot(app)
    response = post(client, admin, f"/checklists/versions/{v}/sections/{s}/items", item_data(f"n{s}", **changes), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and 'aria-invalid="true"' in html
    assert '<details class="add-item" open' in html  # the form stays open with what was typed
    assert snapshot(app) == before


@pytest.mark.parametrize("changes,message", ITEM_ERRORS)
def test_edit_item_validation_422_nothing_saved(client, admin, app, draft, changes, message):
    v, i = draft["version"], draft["items"][0][0]
    before = snapshot(app)
    response = post(client, admin, f"/checklists/versions/{v}/items/{i}/edit", item_data(f"i{i}", **changes), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert html.lstrip().startswith(f'<li class="item editing" id="item-{i}"')
    assert snapshot(app) == before


def test_points_with_two_decimals_are_kept(client, admin, app, draft):
    v, i = draft["version"], draft["items"][0][0]
    assert post(client, admin, f"/checklists/versions/{v}/items/{i}/edit", item_data(f"i{i}", max_points="2.75")).status_code == 303
    assert one(app, Item, i).max_points == Decimal("2.75")


def test_edit_item_get_turns_the_row_into_a_form(client, admin, draft):
    v, i = draft["version"], draft["items"][0][1]
    html = client.get(f"/checklists/versions/{v}/items/{i}/edit", headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="item editing" id="item-{i}"') and "<html" not in html
    assert "招生行为规范</textarea>" in html and f'checked id="i{i}-critical"' in html
    assert f'id="i{i}-max_points"' in html and 'value="6"' in html and 'selected value="RATING"' in html
    page = client.get(f"/checklists/versions/{v}/items/{i}/edit").get_data(as_text=True)  # without JavaScript
    assert "<html" in page and f'<li class="item editing" id="item-{i}"' in page and "消防设施完好" in page


def test_edit_item_htmx_returns_the_row_and_new_totals(client, admin, app, draft):
    v, i = draft["version"], draft["items"][0][1]
    data = item_data(f"i{i}", text="招生规范，无违规招生", max_points="8", answer_type="RATING", evidence="PHOTO",
                     na_allowed=None)  # critical unticked: it is absent from the form
    response = post(client, admin, f"/checklists/versions/{v}/items/{i}/edit", data, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith(f'<li class="item" id="item-{i}"')
    assert "招生规范，无违规招生" in html and "<form method=\"post\" action=\"/checklists/versions/%d/items/%d/edit\"" % (v, i) not in html
    assert f'id="section-{draft["sections"][0]}-total" hx-swap-oob="true">2 项 · 13 分' in html
    assert "满分合计\n  <strong>20.5</strong>" in html and "一票否决" not in html.split("version-summary")[1]
    item = one(app, Item, i)
    assert (item.text, item.max_points, item.critical, item.na_allowed) == ("招生规范，无违规招生", Decimal("8"), False, False)


def test_edit_item_plain_303_and_audited_on_the_page(client, admin, app, draft):
    v, i = draft["version"], draft["items"][0][0]
    response = post(client, admin, f"/checklists/versions/{v}/items/{i}/edit", item_data(f"i{i}", text="校务公开"))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#item-{i}")
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "checklist_item", AuditLog.action == "update")).one()
        assert entry.changes["text"] == ["校务管理规范", "校务公开"] and entry.entity_id == str(i)
    page = client.get(f"/checklists/versions/{v}").get_data(as_text=True)
    assert "内容：校务管理规范 → 校务公开" in page and f"评估要点 #{i}" in page


def test_change_log_keeps_deleted_items_and_sections(client, admin, app, draft):
    v, (_, second), item = draft["version"], draft["sections"], draft["items"][0][0]
    other = build(app, name="别的模板")
    post(client, admin, f"/checklists/versions/{other['version']}/items/{other['items'][0][0]}/delete")
    post(client, admin, f"/checklists/versions/{v}/items/{item}/delete")
    post(client, admin, f"/checklists/versions/{v}/sections/{second}/delete")
    page = client.get(f"/checklists/versions/{v}").get_data(as_text=True)
    log = page[page.index("变更记录"):]
    assert f"评估要点 #{item}</td><td>删除</td>" in log and "校务管理规范" in log
    assert f"一级指标 #{second}</td><td>删除</td>" in log and "二、安全管理" in log
    assert f"评估要点 #{other['items'][0][0]}<" not in log  # another template's change is not this one's


def test_item_get_is_the_row_again(client, admin, draft):
    v, i = draft["version"], draft["items"][0][0]
    html = client.get(f"/checklists/versions/{v}/items/{i}", headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="item" id="item-{i}"') and "校务管理规范" in html and "<textarea" not in html


@pytest.mark.parametrize("headers", [None, HX, HX_BOOSTED])
def test_delete_item(client, admin, app, draft, headers):
    v, s, i = draft["version"], draft["sections"][0], draft["items"][0][0]
    response = post(client, admin, f"/checklists/versions/{v}/items/{i}/delete", headers=headers, follow_redirects=headers == HX_BOOSTED)
    assert response.status_code in (200, 303)
    assert outline(app, v)[0] == ("一、学校常规管理", [("招生行为规范", Decimal("6"))])
    if headers == HX:
        html = response.get_data(as_text=True)
        assert html.lstrip().startswith(f'<section class="panel cl-section" id="section-{s}"') and "校务管理规范" not in html
        assert "1 项 · 6 分" in html and "2 项评估要点" in html


@pytest.mark.parametrize("headers", [None, HX, HX_BOOSTED])
def test_move_item(client, admin, app, draft, headers):
    v, (first, _) = draft["version"], draft["items"][0]
    response = post(client, admin, f"/checklists/versions/{v}/items/{first}/move", {"direction": "down"}, headers=headers)
    assert response.status_code == (200 if headers == HX else 303)
    assert [t for t, _ in outline(app, v)[0][1]] == ["招生行为规范", "校务管理规范"]
    if headers == HX:
        html = response.get_data(as_text=True)
        assert html.index("招生行为规范") < html.index("校务管理规范")
        assert "1.</span> 招生行为规范" in html
    post(client, admin, f"/checklists/versions/{v}/items/{first}/move", {"direction": "up"})
    assert [t for t, _ in outline(app, v)[0][1]] == ["校务管理规范", "招生行为规范"]


def test_new_items_go_last_after_a_delete(client, admin, app, draft):
    v, s, (first, _) = draft["version"], draft["sections"][0], draft["items"][0]
    post(client, admin, f"/checklists/versions/{v}/items/{first}/delete")
    post(client, admin, f"/checklists/versions/{v}/sections/{s}/items", item_data(f"n{s}"))
    assert [t for t, _ in outline(app, v)[0][1]] == ["招生行为规范", "食堂卫生达标"]


# Result bands ----------------------------------------------------------------------------------

def test_bands_saved(client, admin, app, draft):
    v = draft["version"]
    response = post(client, admin, f"/checklists/versions/{v}/bands", {"excellent": "85", "good": "75", "passing": "60"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section class="panel" id="bands">')
    assert 'value="85"' in html and "结果等级已保存" in html
    assert one(app, TemplateVersion, v).bands == [[85, "优秀"], [75, "良好"], [60, "合格"]]


@pytest.mark.parametrize("bands,message", [
    (("80", "80", "60"), "须低于优秀线"), (("90", "80", "85"), "须低于良好线"), (("101", "80", "60"), "0 到 100"),
    (("90", "", "60"), "请填写"), (("90", "八十", "60"), "0 到 100 之间的整数"), (("90", "80.5", "60"), "整数"),
])
def test_bands_validation(client, admin, app, draft, bands, message):
    before = snapshot(app)
    data = dict(zip(("excellent", "good", "passing"), bands))
    response = post(client, admin, f"/checklists/versions/{draft['version']}/bands", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert snapshot(app) == before


# Published versions never change ---------------------------------------------------------------

def edits(ids) -> list[tuple[str, dict]]:
    v, s, i = ids["version"], ids["sections"][0], ids["items"][0][0]
    return [
        (f"/checklists/versions/{v}/sections", {"title": "三、新指标"}),
        (f"/checklists/versions/{v}/sections/{s}/rename", {f"s{s}-title": "改名"}),
        (f"/checklists/versions/{v}/sections/{s}/delete", {}),
        (f"/checklists/versions/{v}/sections/{s}/move", {"direction": "down"}),
        (f"/checklists/versions/{v}/sections/{s}/items", item_data(f"n{s}")),
        (f"/checklists/versions/{v}/items/{i}/edit", item_data(f"i{i}")),
        (f"/checklists/versions/{v}/items/{i}/delete", {}),
        (f"/checklists/versions/{v}/items/{i}/move", {"direction": "down"}),
        (f"/checklists/versions/{v}/bands", {"excellent": "95", "good": "85", "passing": "70"}),
        (f"/checklists/versions/{v}/publish", {}),
        (f"/checklists/versions/{v}/delete", {}),
    ]


@pytest.mark.parametrize("status", [VersionStatus.PUBLISHED, VersionStatus.RETIRED])
@pytest.mark.parametrize("n", range(11))
@pytest.mark.parametrize("headers", [None, HX])
def test_published_and_retired_versions_refuse_every_edit(client, admin, app, status, n, headers):
    ids = build(app, status)
    build(app, number=2, template_id=ids["template"])  # so that deleting is not refused for being the only version
    url, data = edits(ids)[n]
    before = snapshot(app)
    response = post(client, admin, url, data, headers=headers)
    assert response.status_code == 409
    if headers:
        assert "不能修改" in response.headers["HX-Trigger"].encode().decode("unicode_escape")
        assert response.headers["HX-Reswap"] == "none"
    else:
        assert "不能修改" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_published_version_is_read_only_on_the_page(client, admin, app):
    ids = build(app, VersionStatus.PUBLISHED)
    html = client.get(f"/checklists/versions/{ids['version']}").get_data(as_text=True)
    assert "编辑新版本" in html and "内容不能再修改" in html and "优秀</dt><dd>得分率 ≥ 90%" in html
    for control in ("＋ 添加评估要点", "＋ 添加一级指标", ">编辑<", "上移", "删除", "保存结果等级", ">发布<"):
        assert control not in html
    assert client.get(f"/checklists/versions/{ids['version']}/items/{ids['items'][0][0]}/edit").status_code == 409


# Publishing, new versions, deleting drafts -------------------------------------------------------

def test_publish_retires_the_previous_version(client, admin, app):
    first = build(app, VersionStatus.PUBLISHED)
    second = build(app, number=2, template_id=first["template"])
    response = post(client, admin, f"/checklists/versions/{second['version']}/publish")
    assert response.status_code == 303 and response.headers["Location"] == f"/checklists/versions/{second['version']}"
    new, old = one(app, TemplateVersion, second["version"]), one(app, TemplateVersion, first["version"])
    assert new.status is VersionStatus.PUBLISHED and new.published_at is not None
    assert old.status is VersionStatus.RETIRED
    page = client.get(f"/checklists/versions/{first['version']}").get_data(as_text=True)  # still readable
    assert "已停用" in page and "校务管理规范" in page and "第 2 版已发布，第 1 版已停用" in page


def test_publish_htmx_navigates(client, admin, draft):
    response = post(client, admin, f"/checklists/versions/{draft['version']}/publish", headers=HX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == f"/checklists/versions/{draft['version']}"


@pytest.mark.parametrize("spec,message", [
    ([], "还没有任何评估要点"),
    ([("一、空指标", [])], "还没有任何评估要点"),
    (SPEC + [("三、空指标", [])], "一级指标“三、空指标”下没有评估要点"),
])
@pytest.mark.parametrize("headers", [None, HX_BOOSTED, HX])
def test_publish_refuses_an_incomplete_draft(client, admin, app, spec, message, headers):
    ids = build(app, spec=spec)
    before = snapshot(app)
    response = post(client, admin, f"/checklists/versions/{ids['version']}/publish", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "还不能发布" in html and message in html
    assert ("<html" in html) == (headers != HX)
    assert snapshot(app) == before


def test_new_version_copies_everything_once(client, admin, app):
    ids = build(app)
    with app.app_context():
        version = db.session.get(TemplateVersion, ids["version"])
        version.bands = [[85, "优秀"], [70, "良好"], [50, "合格"]]
        db.session.commit()
        version.status = VersionStatus.PUBLISHED
        db.session.commit()
    response = post(client, admin, f"/checklists/versions/{ids['version']}/new")
    assert response.status_code == 303
    with app.app_context():
        template = db.session.get(ChecklistTemplate, ids["template"])
        assert [v.number for v in template.versions] == [1, 2]
        draft = template.versions[1]
        assert draft.status is VersionStatus.DRAFT and draft.bands == [[85, "优秀"], [70, "良好"], [50, "合格"]]
        assert response.headers["Location"] == f"/checklists/versions/{draft.id}"

        def fields(version):
            return [(s.position, s.title, [(i.position, i.text, i.standard, i.answer_type, i.max_points, i.na_allowed,
                                            i.critical, i.evidence) for i in s.items]) for s in version.sections]
        assert fields(draft) == fields(template.versions[0])
        assert not {i.id for s in draft.sections for i in s.items} & {i for row in ids["items"] for i in row}
        draft_id = draft.id
    again = post(client, admin, f"/checklists/versions/{ids['version']}/new", headers=HX_BOOSTED, follow_redirects=True)
    assert "第 2 版草稿已存在，已为您打开" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TemplateVersion)) == 2
    assert post(client, admin, f"/checklists/versions/{ids['version']}/new", headers=HX).headers["HX-Redirect"] == \
        f"/checklists/versions/{draft_id}"


def test_editing_the_new_draft_leaves_the_published_version_alone(client, admin, app):
    ids = build(app, VersionStatus.PUBLISHED)
    draft_id = int(post(client, admin, f"/checklists/versions/{ids['version']}/new").headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        item = db.session.get(TemplateVersion, draft_id).sections[0].items[0].id
    post(client, admin, f"/checklists/versions/{draft_id}/items/{item}/edit", item_data(f"i{item}", text="新版本的说法"))
    assert outline(app, ids["version"])[0][1][0][0] == "校务管理规范"
    assert outline(app, draft_id)[0][1][0][0] == "新版本的说法"


def test_delete_draft(client, admin, app):
    first = build(app, VersionStatus.PUBLISHED)
    second = build(app, number=2, template_id=first["template"])
    response = post(client, admin, f"/checklists/versions/{second['version']}/delete")
    assert response.status_code == 303 and response.headers["Location"] == f"/checklists/versions/{first['version']}"
    with app.app_context():
        assert db.session.get(TemplateVersion, second["version"]) is None
        assert db.session.scalar(select(func.count()).select_from(Item)) == 3


def test_the_only_version_cannot_be_deleted(client, admin, app, draft):
    before = snapshot(app)
    response = post(client, admin, f"/checklists/versions/{draft['version']}/delete")
    assert response.status_code == 409 and "唯一的版本" in response.get_data(as_text=True)
    assert snapshot(app) == before
    assert "删除草稿" not in client.get(f"/checklists/versions/{draft['version']}").get_data(as_text=True)


# Excel -----------------------------------------------------------------------------------------

def upload(client, admin, data: bytes, headers=None, filename="检查表.xlsx", follow_redirects=False, **fields):
    return client.post("/checklists/import", data={"file": (io.BytesIO(data), filename), "csrf_token": admin.token(),
                                                   **fields}, headers=headers, follow_redirects=follow_redirects)


def xlsx(*rows, headers=workbook.HEADERS, bands=None, kinds=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values or [])
    for title, extra in (("结果等级", bands), ("适用学校", kinds)):
        if extra is not None:
            added = book.create_sheet(title)
            for values in extra:
                added.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_export_has_one_row_per_item(client, admin, app, draft):
    response = client.get(f"/checklists/versions/{draft['version']}/export.xlsx")
    assert response.status_code == 200 and response.mimetype == excel.XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["一级指标", "二级指标/评估要点", "评分标准", "答题方式", "分值", "可不适用", "一票否决", "佐证要求",
                       "不适用的学校类型"]
    assert rows[1:] == [
        ["一、学校常规管理", "校务管理规范", "校务管理规范的评分标准", "计分", 5, "否", "否", "不要求", None],
        ["一、学校常规管理", "招生行为规范", "招生行为规范的评分标准", "达标/基本达标/未达标", 6, "否", "是", "未达标须拍照", None],
        ["二、安全管理", "消防设施完好", "消防设施完好的评分标准", "是/否", 7.5, "否", "否", "不要求", None],
    ]


def test_export_then_import_round_trips(client, admin, app):
    ids = build(app)
    with app.app_context():
        version = db.session.get(TemplateVersion, ids["version"])
        version.sections[0].items[0].na_allowed = True
        version.sections[1].items[0].na_kinds = ["KINDERGARTEN", "TEACHING_POINT"]
        version.bands = [[88, "优秀"], [77, "良好"], [66, "合格"]]
        version.template.school_kinds = ["PRIMARY", "JUNIOR", "NINE_YEAR"]
        db.session.commit()
        version.status = VersionStatus.PUBLISHED
        db.session.commit()
    exported = client.get(f"/checklists/versions/{ids['version']}/export.xlsx").data
    with app.app_context():  # kinds the file says, not kinds the template happens to have
        db.session.get(ChecklistTemplate, ids["template"]).school_kinds = []
        db.session.commit()
    response = upload(client, admin, exported, template=str(ids["template"]))
    assert response.status_code == 303
    with app.app_context():
        template = db.session.get(ChecklistTemplate, ids["template"])
        old, new = template.versions
        assert (new.number, new.status) == (2, VersionStatus.DRAFT)
        assert template.school_kinds == ["PRIMARY", "JUNIOR", "NINE_YEAR"]

        def fields(v):
            return v.bands, [(s.title, [(i.text, i.standard, i.answer_type, i.max_points, i.na_allowed, i.critical,
                                         i.evidence, i.na_kinds) for i in s.items]) for s in v.sections]
        assert fields(new) == fields(old)
        assert new.sections[1].items[0].na_kinds == ["KINDERGARTEN", "TEACHING_POINT"]
        assert response.headers["Location"] == f"/checklists/versions/{new.id}"
    assert workbook.read(client.get(f"/checklists/versions/{new.id}/export.xlsx").data)[1] == []


def test_import_as_a_new_template(client, admin, app):
    data = xlsx(["一、规范办学", "均衡编班", "", "计分", 5, "否", "是", "未达标须拍照"],
                [None, "课程开齐开足", "", "", "2.5", "", "", ""],
                ["二、安全", "消防设施", "", "是/否", 10, "是", "否", "未达标须说明"])
    response = upload(client, admin, data, headers=HX_BOOSTED, follow_redirects=True, template="", name="导入的模板")
    html = response.get_data(as_text=True)
    assert "已导入为“导入的模板”第 1 版草稿：2 个一级指标、3 项评估要点" in html
    with app.app_context():
        template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.name == "导入的模板"))
        [version] = template.versions
        assert version.status is VersionStatus.DRAFT and version.bands == [[90, "优秀"], [80, "良好"], [60, "合格"]]
        first, second = version.sections
        assert [i.text for i in first.items] == ["均衡编班", "课程开齐开足"]
        assert (first.items[1].answer_type, first.items[1].max_points, first.items[1].critical) == \
            (AnswerType.POINTS, Decimal("2.5"), False)
        assert (second.items[0].na_allowed, second.items[0].evidence) == (True, EvidenceRule.NOTE)


def test_kinds_are_written_in_chinese_and_read_back_into_a_new_template(client, admin, app):
    ids = build(app, VersionStatus.PUBLISHED)
    with app.app_context():
        version = db.session.get(TemplateVersion, ids["version"])
        version.template.school_kinds = ["JUNIOR", "PRIMARY"]
        db.session.commit()
        version.status = VersionStatus.DRAFT  # a published version's items do not change: edited as a draft
        db.session.commit()
        version.sections[0].items[1].na_kinds = ["SENIOR", "KINDERGARTEN"]
        db.session.commit()
    book = load_workbook(io.BytesIO(client.get(f"/checklists/versions/{ids['version']}/export.xlsx").data))
    assert [row[-1] for row in book["检查表"].iter_rows(min_row=2, values_only=True)] == [None, "幼儿园、高中", None]
    assert book["适用学校"]["A1"].value == "适用学校类型" and book["适用学校"]["A2"].value == "小学、初中"
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(client, admin, buffer.getvalue(), template="", name="导入的模板", headers=HX_BOOSTED,
                      follow_redirects=True)
    assert "适用于小学、初中" in response.get_data(as_text=True)
    with app.app_context():
        template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.name == "导入的模板"))
        assert template.school_kinds == ["PRIMARY", "JUNIOR"]
        assert [i.na_kinds for s in template.versions[0].sections for i in s.items] == [[], ["KINDERGARTEN", "SENIOR"], []]


def test_every_kind_and_an_older_file_without_kinds(client, admin, app):
    ids = build(app, VersionStatus.PUBLISHED)
    every = xlsx(["一、甲", "项", "", "", 5, "", "", "", ""], kinds=[["适用学校类型"], ["所有类型"]])
    assert upload(client, admin, every, template="", name="所有类型").status_code == 303
    older = xlsx(["一、甲", "项", "", "", 5], headers=workbook.HEADERS[:5])  # before the kind columns
    with app.app_context():
        db.session.get(ChecklistTemplate, ids["template"]).school_kinds = ["KINDERGARTEN"]
        db.session.commit()
    assert upload(client, admin, older, template=str(ids["template"])).status_code == 303
    with app.app_context():
        named = {t.name: t for t in db.session.scalars(select(ChecklistTemplate))}
        assert named["所有类型"].school_kinds == [] and named["测试检查表"].school_kinds == ["KINDERGARTEN"]
        assert named["测试检查表"].versions[-1].sections[0].items[0].na_kinds == []


def test_an_unknown_kind_is_an_error_on_its_row_and_nothing_is_imported(client, admin, app, draft):
    before = snapshot(app)
    data = xlsx(["一、甲", "课后服务", "", "", 5, "", "", "", "幼儿园、高中"],
                ["一、甲", "午休", "", "", 5, "", "", "", "幼儿园，月球学校"],
                ["一、甲", "作业", "", "", 5, "", "", "", "小学 初中"],
                kinds=[["适用学校类型"], ["小学、初中"], ["火星"]])
    response = upload(client, admin, data, template="", name="坏文件", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "文件未导入" in html
    assert "第 3 行</td><td>不适用的学校类型</td><td>“月球学校”不是学校类型" in html
    assert "「适用学校」第 3 行</td><td>适用学校类型</td><td>“火星”不是学校类型" in html
    assert "第 2 行</td><td>不适用" not in html and "第 4 行" not in html  # the good rows are not errors
    assert snapshot(app) == before


def test_import_reports_every_bad_row_and_changes_nothing(client, admin, app, draft):
    before = snapshot(app)
    data = xlsx([None, "没有指标", "", "", 5, "", "", ""],
                ["一、甲", "", "", "", 5, "", "", ""],
                ["一、甲", "分值错", "", "", "五", "", "", ""],
                ["一、甲", "太多", "", "", 101, "", "", ""],
                ["一、甲", "类型错", "", "打分", 3, "对", "", "录像"],
                ["二、乙", "正常", "", "", 3, "", "", ""],
                ["一、甲", "又回到甲", "", "", 3, "", "", ""],
                bands=[["等级", "最低得分率（%）"], ["优秀", 90], ["良好", 95], ["合格", 60]])
    response = upload(client, admin, data, template="", name="坏文件", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "文件未导入" in html
    for expected in ("第 2 行", "第一行评估要点须写明一级指标", "第 3 行</td><td>二级指标/评估要点</td><td>必填",
                     "“五”不是数字", "101：分值须大于 0 且不超过 100", "“打分”不是有效的答题方式", "“对”无效，请填“是”或“否”",
                     "“录像”不是有效的佐证要求", "与第 3 行的一级指标相同", "「结果等级」工作表第 1 行",
                     "最低得分率须从优秀到合格依次降低"):
        assert expected in html, expected
    assert snapshot(app) == before


@pytest.mark.parametrize("data,message", [
    (b"not a workbook", "这不是 Excel 工作簿"),
    (b"", "文件是空的"),
    (xlsx(["一、甲", "项", 5], headers=["一级指标", "评估要点", "分值"]), "缺少必需的列：二级指标/评估要点"),
    (xlsx(), "表头下面没有评估要点"),
])
def test_import_refuses_unusable_files(client, admin, app, data, message):
    before = snapshot(app)
    response = upload(client, admin, data, template="", name="新模板")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_size_and_row_caps(monkeypatch):
    """Checked on the function: a test request this big would leave the test client's temp file open."""
    with pytest.raises(workbook.WorkbookError, match="文件太大"):
        workbook.read(b"PK\x03\x04" + b"\0" * workbook.MAX_BYTES)
    rows = [["一、甲", f"项{n}", "", "", 1, "", "", ""] for n in range(4)]
    monkeypatch.setattr(workbook, "MAX_ROWS", 3)
    with pytest.raises(workbook.WorkbookError, match="评估要点超过 3 行"):
        workbook.read(xlsx(*rows))
    assert workbook.read(xlsx(*rows[:3]))[0].item_count == 3
    monkeypatch.setattr(workbook, "MAX_UNPACKED", 5_000)  # a small file that inflates: a zip bomb
    with pytest.raises(workbook.WorkbookError, match="文件内容过大"):
        workbook.read(xlsx(*rows[:3]))


@pytest.mark.parametrize("fields,message", [
    ({"template": "", "name": ""}, "导入为新模板时请填写模板名称"),
    ({"template": "", "name": "测试检查表"}, "已有同名模板"),
    ({"template": "{template}"}, "该模板已有草稿（第 1 版）"),
    ({"template": "99999"}, "所选模板不存在"),
])
def test_import_target_checked(client, admin, app, draft, fields, message):
    before = snapshot(app)
    data = client.get(f"/checklists/versions/{draft['version']}/export.xlsx").data
    response = upload(client, admin, data, **{k: v.format(**draft) for k, v in fields.items()})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_blank_import_template_imports(client, admin, app):
    response = client.get("/checklists/import-template.xlsx")
    assert response.status_code == 200 and response.mimetype == excel.XLSX
    checklist, errors = workbook.read(response.data)
    assert errors == [] and checklist.item_count == 2 and checklist.sections[0][0] == "一、学校常规管理"
    assert upload(client, admin, response.data, template="", name="示例").status_code == 303


def test_import_page_and_preselected_template(client, admin, draft):
    html = client.get(f"/checklists/import?template={draft['template']}").get_data(as_text=True)
    assert f'<option selected value="{draft["template"]}">测试检查表</option>' in html
    assert "下载导入模板" in html


# Navigation -----------------------------------------------------------------------------------

def test_only_the_office_sees_the_nav_link(client, auth):
    auth.login_as("inspector")
    assert "检查表模板" not in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login_as("admin")
    assert "检查表模板" in client.get("/").get_data(as_text=True)


def test_school_kinds_named_at_creation_and_shown_in_the_list(client, admin, app):
    response = post(client, admin, "/checklists/new", {"name": "幼儿园检查表", "school_kinds": ["KINDERGARTEN"]})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(ChecklistTemplate.school_kinds)) == ["KINDERGARTEN"]
    row = client.get("/checklists/").get_data(as_text=True).split("幼儿园检查表</a></td>")[1].split("</tr>")[0]
    assert '<td class="small">幼儿园</td>' in row


def test_school_kinds_can_be_changed_on_a_published_checklist_and_are_audited(client, admin, app):
    built = build(app, VersionStatus.PUBLISHED)
    url = f"/checklists/{built['template']}/kinds"
    response = post(client, admin, url, {"school_kinds": ["JUNIOR", "PRIMARY"]}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section class="panel" id="kinds">')
    assert "目前：小学、初中。" in html  # in SchoolKind's order, whatever order they were ticked
    with app.app_context():
        assert db.session.get(ChecklistTemplate, built["template"]).school_kinds == ["JUNIOR", "PRIMARY"]
        entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "checklist_template",
                                                          AuditLog.action == "update")).one()
        assert entry.changes["school_kinds"] == [[], ["JUNIOR", "PRIMARY"]]
    cleared = post(client, admin, url, {})  # nothing ticked: every kind again
    assert cleared.status_code == 303 and cleared.headers["Location"].endswith("#kinds")
    assert one(app, ChecklistTemplate, built["template"]).school_kinds == []
    before = snapshot(app)
    refused = post(client, admin, url, {"school_kinds": ["CASTLE"]}, headers=HX)
    assert refused.status_code == 422 and "所选内容中有无效的选项" in refused.get_data(as_text=True)
    assert snapshot(app) == before


def test_an_item_names_the_kinds_it_is_na_for_and_the_next_draft_keeps_them(client, admin, app):
    built = build(app)
    v, i = built["version"], built["items"][0][0]
    data = item_data(f"i{i}", na_kinds=["SENIOR", "KINDERGARTEN"])
    assert post(client, admin, f"/checklists/versions/{v}/items/{i}/edit", data).status_code == 303
    assert one(app, Item, i).na_kinds == ["SENIOR", "KINDERGARTEN"]
    assert "对幼儿园、高中不适用" in client.get(f"/checklists/versions/{v}").get_data(as_text=True)
    assert post(client, admin, f"/checklists/versions/{v}/publish").status_code == 303
    post(client, admin, f"/checklists/versions/{v}/new")
    with app.app_context():
        draft = db.session.scalars(select(TemplateVersion).where(TemplateVersion.number == 2)).one()
        assert draft.sections[0].items[0].na_kinds == ["SENIOR", "KINDERGARTEN"]
        d, copied = draft.id, draft.sections[0].items[0].id
    bad = post(client, admin, f"/checklists/versions/{d}/items/{copied}/edit",
               item_data(f"i{copied}", na_kinds=["MOON"]), headers=HX)
    assert bad.status_code == 422 and "所选内容中有无效的选项" in bad.get_data(as_text=True)
    assert one(app, Item, copied).na_kinds == ["SENIOR", "KINDERGARTEN"]
