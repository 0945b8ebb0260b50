"""Checklists that fit each kind of school: rounds over several kinds, the schools a round leaves out
(a checklist that does not fit, 教学点, too few pupils) and why."""
import json

import pytest
from sqlalchemy import func, select

from portal.draws import lots
from portal.extensions import db
from portal.models import Answer, AnswerType, AuditLog, Draw, Inspection, Role, SchoolKind
from portal.rounds import planning

from .conftest import HX, items, save
from .test_rounds import form, inspections_of, rounds


@pytest.fixture
def kinds(app, auth, make_school, make_user, make_template):
    """A county of every kind the 五项管理 question touches, a checklist for 中小学 and one for 幼儿园."""
    made = {name: make_school(kind=SchoolKind[name], name=label)
            for name, label in [("PRIMARY", "城东小学"), ("JUNIOR", "城东初中"), ("NINE_YEAR", "东岗九年制"),
                                ("SENIOR", "县一中"), ("KINDERGARTEN", "城东幼儿园"), ("VOCATIONAL", "县职专")]}
    made["TEACHING_POINT"] = make_school(kind=SchoolKind.TEACHING_POINT, name="李家湾教学点", students=23)
    made["SMALL"] = make_school(kind=SchoolKind.PRIMARY, name="山口小学", students=40)
    inspector = make_user(Role.INSPECTOR)
    school_checklist = make_template(school_kinds=["PRIMARY", "JUNIOR", "NINE_YEAR", "SENIOR", "TEACHING_POINT"])
    kindergarten_checklist = make_template(school_kinds=["KINDERGARTEN"])
    auth.login_as(Role.ADMIN)
    return dict(schools=list(made.values()), by_kind=made, inspectors=[inspector], version=school_checklist,
                kindergarten=kindergarten_checklist,
                token=auth.token())


def test_a_round_over_three_kinds_draws_only_from_those_kinds(app, client, kinds):
    data = form(kinds, school_mode="random", school_count="3", schools=[], skip_teaching_points="y",
                school_kinds=list(planning.COMPULSORY))
    assert client.post("/rounds/new", data=data).status_code == 303
    (made,) = rounds(app)
    wanted = {kinds["by_kind"][k] for k in ("PRIMARY", "JUNIOR", "NINE_YEAR", "SMALL")}
    with app.app_context():
        record = db.session.get(Draw, made.school_draw_id)
        assert {int(key) for key, _ in record.candidates} == wanted  # no 高中, 幼儿园, 职专 or 教学点
        assert "小学、初中、九年一贯制" in record.rule and "不含教学点" in record.rule and lots.check(record)
        drawn = {i.school_id for i in db.session.scalars(select(Inspection).where(Inspection.round_id == made.id))}
    assert len(drawn) == 3 and drawn <= wanted


def test_the_preview_lists_the_schools_left_out_and_why(client, kinds):
    data = form(kinds, school_kinds=["PRIMARY", "KINDERGARTEN", "TEACHING_POINT"], skip_teaching_points="y",
                min_students="50")
    html = client.post("/rounds/new?preview=1", data=data, headers=HX).get_data(as_text=True)
    taken = html.split('id="field-schools"')[1].split("</fieldset>")[0]
    left_out = html.split('id="left-out"')[1].split("</details>")[0]
    assert "城东小学" in taken and "符合条件的学校（1 所" in taken
    assert "城东幼儿园" in left_out and "不适用于幼儿园" in left_out
    assert "李家湾教学点" in left_out and "教学点（本批次设置为不列入）" in left_out
    assert "山口小学" in left_out and "在校生 40 人，少于 50 人" in left_out
    assert "县一中" not in html  # not asked for: neither taken nor left out


def test_teaching_points_may_be_taken_when_the_setting_is_off(client, kinds):
    html = client.post("/rounds/new?preview=1", data=form(kinds, school_kinds=["TEACHING_POINT"]),
                       headers=HX).get_data(as_text=True)
    assert "符合条件的学校（1 所" in html and "李家湾教学点" in html and 'id="left-out"' not in html


def test_a_kindergarten_cannot_be_put_in_a_round_its_checklist_does_not_fit(app, client, kinds):
    picked = [str(kinds["by_kind"]["PRIMARY"]), str(kinds["by_kind"]["KINDERGARTEN"])]
    response = client.post("/rounds/new", data=form(kinds, schools=picked), headers=HX)
    assert response.status_code == 422
    assert "城东幼儿园：测试检查表1不适用于幼儿园" in response.get_data(as_text=True)
    assert rounds(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Inspection)) == 0
    ok = client.post("/rounds/new", data=form(kinds, version=str(kinds["kindergarten"]), key="round-key-2",
                                              schools=[str(kinds["by_kind"]["KINDERGARTEN"])]))
    assert ok.status_code == 303
    (made,) = rounds(app)
    assert [r[0] for r in inspections_of(app, made.id)] == [kinds["by_kind"]["KINDERGARTEN"]]


@pytest.mark.parametrize("fields,message", [
    ({"min_students": "0"}, "请填写 1 到 10000 之间的整数"),
    ({"min_students": "many"}, "请填写 1 到 10000 之间的整数"),
    ({"school_kinds": ["PRIMARY", "CASTLE"]}, "所选内容中有无效的选项"),
])
def test_bad_exclusions_are_422_beside_the_field(app, client, kinds, fields, message):
    response = client.post("/rounds/new", data=form(kinds, **fields), headers=HX)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert rounds(app) == []


# A checklist one of whose items (课后服务) does not apply to a 幼儿园.
AFTER_SCHOOL = [("一、规范办学", [("一日活动安排科学", AnswerType.RATING, 5, ""),
                              ("课后服务全覆盖", AnswerType.RATING, 5, "na:KINDERGARTEN")])]


@pytest.fixture
def at_kindergarten(app, auth, make_school, make_template, make_inspection):
    """An inspector signed in, with a draft inspection at a 幼儿园 on a checklist with an item N/A there."""
    school = make_school(kind=SchoolKind.KINDERGARTEN, name="城东幼儿园")
    inspector = auth.login_as(Role.INSPECTOR, schools=[school])
    inspection = make_inspection(school, make_template(AFTER_SCHOOL), inspector_id=inspector)
    applies, not_here = (item.id for item in items(app, inspection))
    return dict(inspection=inspection, applies=applies, not_here=not_here, token=auth.token())


def stored(app):
    with app.app_context():
        return (db.session.scalars(select(Answer.item_id)).all(),
                db.session.scalar(select(func.count()).select_from(AuditLog)))


def test_an_answer_to_an_item_not_applicable_to_the_schools_kind_is_refused(app, client, at_kindergarten):
    assert save(client, at_kindergarten, "applies", value="达标", key="key-00001").status_code == 200
    before = stored(app)
    refused = save(client, at_kindergarten, "not_here", value="未达标", note="无课后服务", key="key-00002")
    # As a save to a handed-in inspection: 409 with the reason, which the tablet keeps beside the held change.
    assert refused.status_code == 409 and refused.headers["HX-Reswap"] == "none"
    assert "该项对本校不适用" in json.loads(refused.headers["HX-Trigger"])["app-error"]["message"]
    plain = save(client, at_kindergarten, "not_here", headers={}, value="达标", key="key-00003")
    assert plain.status_code == 409 and "该项对本校不适用（本校为幼儿园）" in plain.get_data(as_text=True)
    photo = client.post(f"/inspections/{at_kindergarten['inspection']}/items/{at_kindergarten['not_here']}/photos",
                        data={"key": "photo-0001"}, headers={**HX, "X-CSRFToken": at_kindergarten["token"]})
    assert photo.status_code == 409
    assert stored(app) == before  # nothing stored, nothing audited


def test_a_rounds_progress_counts_only_the_items_that_apply_at_each_school(app, client, auth, make_school, make_user,
                                                                           make_template):
    kindergarten, primary = make_school(kind=SchoolKind.KINDERGARTEN, name="城东幼儿园"), make_school(name="城东小学")
    inspector = make_user(Role.INSPECTOR)
    auth.login_as(Role.ADMIN)
    county = dict(schools=[kindergarten, primary], inspectors=[inspector], version=make_template(AFTER_SCHOOL),
                  token=auth.token())
    assert client.post("/rounds/new", data=form(county)).status_code == 303
    (made,) = rounds(app)
    with app.app_context():
        made_ids = db.session.scalars(select(Inspection.id).where(Inspection.round_id == made.id)).all()
    answered = [(inspection, item.id) for inspection in made_ids for item in items(app, inspection)]
    with app.app_context():
        # both items answered at each school; at the 幼儿园 the N/A one kept from before saves to it were
        # refused: scoring ignores it, and so does the count
        db.session.add_all(Answer(inspection_id=inspection, item_id=item, value="达标") for inspection, item in answered)
        db.session.commit()
    html = client.get(f"/rounds/{made.id}").get_data(as_text=True)
    assert "<td>城东幼儿园</td>" in html
    progress = html.split('id="round-ranking"')[0]
    counts = {name: row.split('<td class="num">')[1].split("</td>")[0]
              for row in progress.split("<tr>")[2:] for name in ["城东幼儿园", "城东小学"] if f"<td>{name}</td>" in row}
    assert counts == {"城东幼儿园": "1/1", "城东小学": "2/2"}
