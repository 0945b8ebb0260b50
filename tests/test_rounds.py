"""Supervision rounds: schools picked or drawn, inspectors assigned or drawn (not to their own
责任区), one inspection per school, progress and lateness, and the draws re-checkable."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.draws import lots
from portal.extensions import db
from portal.models import Draw, Inspection, InspectionStatus, RectificationItem, Role, Round, RoundKind, RoundMode
from portal.rounds import planning

from .conftest import HX


@pytest.fixture
def county(app, auth, make_school, make_user, make_template):
    """Eight schools (three of them project schools), three inspectors each with a 责任区 of two, the admin signed in."""
    schools = [make_school(is_project_school=n < 3) for n in range(8)]
    inspectors = [make_user(Role.INSPECTOR, schools=schools[2 * n:2 * n + 2]) for n in range(3)]
    version = make_template()
    auth.login_as(Role.ADMIN)
    return dict(schools=schools, inspectors=inspectors, version=version, token=auth.token())


def form(county, **fields):
    data = {"csrf_token": county["token"], "key": fields.pop("key", "round-key-1"), "name": "2026 秋季专项督导",
            "kind": "SPECIAL", "mode": "PROCESS", "version": str(county["version"]), "starts_on": "2026-11-02", "ends_on": "2026-11-30",
            "school_mode": "picked", "schools": [str(s) for s in county["schools"][:4]],
            "inspector_mode": "assigned", "inspectors": [str(i) for i in county["inspectors"]]}
    data.update(fields)
    return data


def rounds(app):
    with app.app_context():
        return db.session.scalars(select(Round)).all()


def inspections_of(app, round_id):
    with app.app_context():
        return [(i.school_id, i.inspector_id, i.inspector_draw_id, i.version_id, i.visit_date)
                for i in db.session.scalars(select(Inspection).where(Inspection.round_id == round_id)
                                            .order_by(Inspection.school_id))]


def test_picked_schools_get_one_inspection_each_inspectors_in_turn(app, client, county):
    response = client.post("/rounds/new", data=form(county))
    assert response.status_code == 303
    (made,) = rounds(app)
    assert response.headers["Location"].endswith(f"/rounds/{made.id}")
    assert (made.kind, made.mode) == (RoundKind.SPECIAL, RoundMode.PROCESS)
    listed = client.get("/rounds/").get_data(as_text=True)
    assert "<td>专项督导</td>\n        <td>过程督导</td>" in listed
    rows = inspections_of(app, made.id)
    assert [r[0] for r in rows] == county["schools"][:4]
    assert [r[1] for r in rows] == county["inspectors"] + county["inspectors"][:1]
    assert all(r[3] == county["version"] and r[4] == date(2026, 11, 2) for r in rows)
    again = client.post("/rounds/new", data=form(county))  # the same form sent twice
    assert again.status_code == 303 and len(rounds(app)) == 1


def test_random_schools_come_from_the_filtered_candidates_and_the_draw_checks_out(app, client, county):
    response = client.post("/rounds/new", data=form(county, school_mode="random", school_count="2", project="y",
                                                     schools=[]))
    assert response.status_code == 303
    (made,) = rounds(app)
    with app.app_context():
        record = db.session.get(Draw, made.school_draw_id)
        assert [int(key) for key, _ in record.candidates] == county["schools"][:3]  # the project schools only
        assert lots.check(record) and "公办强校项目学校" in record.rule
        picked = sorted(int(key) for key in record.picked)
    assert sorted(r[0] for r in inspections_of(app, made.id)) == picked and len(picked) == 2
    page = client.get(f"/draws/{made.school_draw_id}").get_data(as_text=True)
    assert "结果一致" in page


def test_random_inspectors_never_go_to_their_own_zone_and_share_the_work(app, client, county):
    data = form(county, inspector_mode="random", exclude_own_zone="y", schools=[str(s) for s in county["schools"][:6]])
    assert client.post("/rounds/new", data=data).status_code == 303
    (made,) = rounds(app)
    zone = {i: set(county["schools"][2 * n:2 * n + 2]) for n, i in enumerate(county["inspectors"])}
    rows = inspections_of(app, made.id)
    assert all(school not in zone[inspector] for school, inspector, *_ in rows)
    loads = [sum(1 for r in rows if r[1] == i) for i in county["inspectors"]]
    assert sum(loads) == 6 and min(loads) >= 1  # school by school, to those with the fewest so far
    with app.app_context():
        for _, inspector, draw_id, *_ in rows:
            record = db.session.get(Draw, draw_id)
            assert lots.check(record) and record.picked == [str(inspector)]
            assert "不含该校的责任督学" in record.rule


def test_an_exclusion_nobody_can_satisfy_is_refused_and_nothing_is_saved(app, client, county):
    only_one = [str(county["inspectors"][0])]  # and both schools are in that inspector's own zone
    data = form(county, inspector_mode="random", exclude_own_zone="y", inspectors=only_one,
                schools=[str(s) for s in county["schools"][:2]])
    response = client.post("/rounds/new", data=data)
    assert response.status_code == 422 and "无人可派" in response.get_data(as_text=True)
    assert rounds(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draw)) == 0
        assert db.session.scalar(select(func.count()).select_from(Inspection)) == 0


@pytest.mark.parametrize("fields,message", [
    ({"ends_on": "2026-10-01"}, "截止日期不能早于开始日期"),
    ({"inspectors": []}, "请至少选择一名督学"),
    ({"inspectors": ["999999"]}, "所选督学不在可选范围内"),
    ({"schools": []}, "请至少选择一所学校"),
    ({"school_mode": "random", "school_count": ""}, "请填写要抽取的学校数"),
    ({"school_mode": "random", "school_count": "50"}, "抽取数须在 1 到 8 之间"),
    ({"schools": ["999999"]}, "不符合筛选条件或已停用"),
    ({"version": "abc"}, "请选择"),
    ({"name": ""}, "请填写批次名称"),
    ({"mode": ""}, "请选择督导方式"),
    ({"mode": "BOGUS"}, 'has-error" id="field-mode"'),
])
def test_bad_input_is_422_with_the_reason_and_nothing_is_saved(app, client, county, fields, message):
    response = client.post("/rounds/new", data=form(county, **fields), headers=HX)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert rounds(app) == []


def test_a_round_sends_the_inspector_to_schools_outside_their_zone(app, client, county, auth):
    outside = county["schools"][7]
    under_way = dict(starts_on=(date.today() - timedelta(days=1)).isoformat(),
                     ends_on=(date.today() + timedelta(days=30)).isoformat())
    data = form(county, schools=[str(outside)], inspectors=[str(county["inspectors"][0])], **under_way)
    client.post("/rounds/new", data=data)
    (made,) = rounds(app)
    with app.app_context():
        inspection = db.session.scalar(select(Inspection).where(Inspection.round_id == made.id))
        username = db.session.get(type(inspection.inspector), county["inspectors"][0]).username
    client.post("/logout", data={"csrf_token": county["token"]})
    assert auth.login(username).status_code == 303
    assert client.get(f"/inspections/{inspection.id}/fill").status_code == 200
    home = client.get("/").get_data(as_text=True)  # the 责任区 stays two schools; the round's task is listed apart
    assert "我的责任区（2 所学校）" in home and "2026 秋季专项督导" in home
    work = home.split('id="work"')[1].split("</section>")[0]  # the round's task is one tap away, in 我的待办
    assert f'/inspections/{inspection.id}/fill' in work and "2026 秋季专项督导" in work


def test_round_page_shows_progress_and_flags_late_schools(app, client, county):
    client.post("/rounds/new", data=form(county, starts_on="2026-01-05", ends_on="2026-01-20"))
    (made,) = rounds(app)
    with app.app_context():
        first, second, third, _ = db.session.scalars(
            select(Inspection).where(Inspection.round_id == made.id).order_by(Inspection.id)).all()
        second.status = InspectionStatus.SUBMITTED
        third.status = InspectionStatus.APPROVED
        db.session.commit()
    html = client.get(f"/rounds/{made.id}").get_data(as_text=True)
    assert "<strong>2</strong> 未开始" in html and "<strong>1</strong> 已提交" in html
    assert "<strong>1</strong> 已通过" in html and "<strong>2</strong> 逾期" in html


def test_progress_and_lateness_rules():
    draft = Inspection(status=InspectionStatus.DRAFT)
    assert planning.progress(draft, 0) is planning.Progress.NOT_STARTED
    assert planning.progress(draft, 3) is planning.Progress.IN_PROGRESS
    assert planning.progress(Inspection(status=InspectionStatus.RETURNED), 0) is planning.Progress.IN_PROGRESS
    last_day = date(2026, 11, 30)
    assert not planning.is_late(draft, last_day, last_day)
    assert planning.is_late(draft, last_day, last_day + timedelta(days=1))
    assert not planning.is_late(Inspection(status=InspectionStatus.SUBMITTED), last_day, last_day + timedelta(days=9))


def test_filters_narrow_the_school_list_as_a_fragment(client, county):
    html = client.post("/rounds/new?preview=1", data=form(county, project="y"), headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="round-schools">') and "符合条件的学校（3 所" in html


def test_rectification_list_narrows_to_a_round(app, client, county):
    client.post("/rounds/new", data=form(county, schools=[str(s) for s in county["schools"][:2]]))
    (made,) = rounds(app)
    with app.app_context():
        in_round = db.session.scalar(select(Inspection).where(Inspection.round_id == made.id))
        for problem, inspection_id in (("批次内发现的问题", in_round.id), ("批次外的问题", None)):
            db.session.add(RectificationItem(school_id=in_round.school_id, problem=problem, requirement="限期整改",
                                             due_date=date(2026, 12, 31), inspection_id=inspection_id))
        db.session.commit()
    html = client.get(f"/rectification/?round={made.id}").get_data(as_text=True)
    assert "批次内发现的问题" in html and "批次外的问题" not in html
    assert "批次外的问题" in client.get("/rectification/").get_data(as_text=True)


def test_the_rounds_list_filters_by_mode(app, client, county):
    assert client.post("/rounds/new", data=form(county, name="过程督导批次")).status_code == 303
    assert client.post("/rounds/new", data=form(county, name="学区督导批次", mode="DISTRICT", key="round-key-2")).status_code == 303
    page = client.get("/rounds/?mode=DISTRICT").get_data(as_text=True)
    assert "学区督导批次" in page and "过程督导批次" not in page and "共 1 个批次" in page
    partial = client.get("/rounds/?mode=PROCESS", headers=HX).get_data(as_text=True)
    assert "过程督导批次" in partial and "学区督导批次" not in partial and "<h1>" not in partial
    assert "没有这种督导方式的批次" in client.get("/rounds/?mode=SELF", headers=HX).get_data(as_text=True)
    everything = client.get("/rounds/?mode=BOGUS").get_data(as_text=True)  # an unknown mode filters nothing
    assert "学区督导批次" in everything and "过程督导批次" in everything
