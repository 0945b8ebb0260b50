"""督导组: a 组长 and 组员 fill one inspection, each their own sections; the 组长 sets the team and submits."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.models import (AnswerType, AuditLog, Inspection, InspectionMember, InspectionStatus, Round, RoundKind,
                           SectionAssignment, User)

from .conftest import HX, answer_of

THREE_SECTIONS = [
    ("一、规范办学", [("招生规范", AnswerType.YES_NO, 5, ""), ("课程开齐开足", AnswerType.YES_NO, 5, "")]),
    ("二、安全管理", [("消防设施完好", AnswerType.YES_NO, 5, "")]),
    ("三、五项管理", [("作业公示", AnswerType.YES_NO, 5, "")]),
]


@pytest.fixture
def team(app, make_school, make_user, make_template):
    """At 城东小学: 组长 周 (its 责任督学), 组员 吴 (section one) and 郑 (section two, from another
    zone); section three is nobody's, so the 组长's. 王 inspects at the school, on no team; 钱 elsewhere."""
    school, elsewhere = make_school(name="城东小学"), make_school(name="西山小学")
    people = dict(leader=make_user("inspector", username="zhou", display_name="周正清", schools=[school]),
                  wu=make_user("inspector", username="wu", display_name="吴慧敏", schools=[school]),
                  zheng=make_user("inspector", username="zheng", display_name="郑国华", schools=[elsewhere]),
                  wang=make_user("inspector", username="wang", display_name="王督学", schools=[school]),
                  qian=make_user("inspector", username="qian", display_name="钱督学", schools=[elsewhere]),
                  admin=make_user("admin", username="office"))
    version = make_template(THREE_SECTIONS)
    with app.app_context():
        inspection = Inspection(school_id=school, version_id=version, visit_date=clock.today(),
                                inspector_id=people["leader"])
        db.session.add(inspection)
        db.session.flush()
        sections = [s.id for s in inspection.version.sections]
        items = [[i.id for i in s.items] for s in inspection.version.sections]
        wu, zheng = InspectionMember(user_id=people["wu"]), InspectionMember(user_id=people["zheng"])
        inspection.members.extend([wu, zheng])
        db.session.flush()
        inspection.assignments.extend([SectionAssignment(section_id=sections[0], member=wu),
                                       SectionAssignment(section_id=sections[1], member=zheng)])
        db.session.commit()
        return dict(people, school=school, elsewhere=elsewhere, inspection=inspection.id, sections=sections,
                    items=items, members=dict(wu=wu.id, zheng=zheng.id), version=version)


@pytest.fixture
def as_user(app, client, auth):
    """Sign in as `username` (whoever was signed in before is signed out); returns a CSRF token."""
    def login(username):
        client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
        assert auth.login(username).status_code == 303
        return auth.token()
    return login


def save(client, team, token, item, value="是", revision="0"):
    return client.post(f"/inspections/{team['inspection']}/items/{item}", data={"value": value, "revision": revision},
                       headers={**HX, "X-CSRFToken": token})


@pytest.mark.parametrize("who,section,code", [
    ("wu", 0, 200), ("wu", 1, 403), ("wu", 2, 403),           # a member: their own section only
    ("zheng", 1, 200), ("zheng", 0, 403),                     # from another zone: still their own section
    ("zhou", 2, 200), ("zhou", 0, 403),                       # the 组长: what is nobody's; not a member's
    ("wang", 2, 403), ("qian", 0, 403),                       # not on the team: nothing
    ("office", 0, 200), ("office", 1, 200),                   # the office: everything
])
def test_each_saves_only_their_own_sections(app, client, team, as_user, who, section, code):
    token = as_user(who)
    item = team["items"][section][0]
    assert save(client, team, token, item).status_code == code
    stored = answer_of(app, team["inspection"], item)
    assert (stored is not None) == (code == 200)
    if stored is not None:
        with app.app_context():
            assert db.session.get(User, stored.updated_by_id).username == who


def test_a_member_reads_every_section_and_changes_only_their_own(client, team, as_user):
    as_user("wu")
    html = client.get(f"/inspections/{team['inspection']}/fill").get_data(as_text=True)
    own, theirs, leaders = (html.split(f'id="section-{s}"', 1)[1].split("</details>", 1)[0] for s in team["sections"])
    assert "data-queue=\"replace\"" in own and "disabled" not in own.split("<form", 1)[1].split(">", 1)[0]
    assert "吴慧敏填写" in own
    for part, filler in ((theirs, "郑国华"), (leaders, "周正清")):
        assert f"{filler}填写（只读）" in part
        assert "data-queue" not in part and "<fieldset class=\"plain\" disabled>" in part
    assert "提交检查" not in html and "由组长周正清提交" in html
    assert "我负责的部分已完成" in html


def test_progress_of_each_part_shows_on_reload(client, team, as_user):
    token = as_user("zheng")
    assert save(client, team, token, team["items"][1][0]).status_code == 200
    as_user("zhou")
    html = client.get(f"/inspections/{team['inspection']}/fill").get_data(as_text=True)
    panel = html.split('id="team"', 1)[1].split("</section>", 1)[0]
    zheng = panel.split("郑国华", 1)[1].split("</li>", 1)[0]
    assert "已答 1/1" in zheng and "二、安全管理" in zheng
    assert "已答 0/2" in panel.split("吴慧敏", 1)[1].split("</li>", 1)[0]


def test_only_the_leader_submits(app, client, team, as_user):
    token = as_user("office")
    for items in team["items"]:
        for item in items:
            assert save(client, team, token, item).status_code == 200
    url = f"/inspections/{team['inspection']}/submit"
    token = as_user("wu")
    assert client.post(url, data={"csrf_token": token}).status_code == 403
    token = as_user("zhou")
    assert client.post(url, data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.get(Inspection, team["inspection"]).status is InspectionStatus.SUBMITTED


def test_a_member_marks_their_part_done_and_the_leader_sees_it(app, client, team, as_user):
    token = as_user("wu")
    url = f"/inspections/{team['inspection']}/team/members/{team['members']['wu']}/done"
    assert client.post(url, data={"csrf_token": token, "done": "1"}).status_code == 303
    other = f"/inspections/{team['inspection']}/team/members/{team['members']['zheng']}/done"
    assert client.post(other, data={"csrf_token": token, "done": "1"}).status_code == 403  # not theirs to mark
    as_user("zhou")
    html = client.get(f"/inspections/{team['inspection']}/fill").get_data(as_text=True)
    panel = html.split('id="team"', 1)[1].split("</section>", 1)[0]
    assert "已完成" in panel.split("吴慧敏", 1)[1].split("</li>", 1)[0]
    assert "已完成" not in panel.split("郑国华", 1)[1].split("</li>", 1)[0]
    with app.app_context():
        logged = db.session.scalars(select(AuditLog).where(AuditLog.entity == "inspection_member",
                                                           AuditLog.entity_id == str(team["members"]["wu"]))
                                    .order_by(AuditLog.id)).all()  # in the order written (PostgreSQL gives no order)
        assert [entry.action for entry in logged][-1] == "update" and "done_at" in logged[-1].changes


def test_members_see_the_inspection_at_home_and_in_the_list(client, team, as_user):
    as_user("zheng")  # from another zone
    home = client.get("/").get_data(as_text=True)
    assert f"/inspections/{team['inspection']}/fill" in home and "督导组：周正清（组长）、吴慧敏、郑国华" in home
    listed = client.get("/inspections/").get_data(as_text=True)
    assert f"/inspections/{team['inspection']}\"" in listed and "周正清（组长）、吴慧敏、郑国华" in listed
    as_user("qian")
    assert f"/inspections/{team['inspection']}\"" not in client.get("/inspections/").get_data(as_text=True)
    assert client.get(f"/inspections/{team['inspection']}").status_code == 403


def test_the_export_names_the_team(app, client, team, as_user):
    from openpyxl import load_workbook
    import io

    as_user("zhou")
    book = load_workbook(io.BytesIO(client.get("/inspections/export.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    column = rows[0].index("督学（督导组）")
    assert {row[column] for row in rows[1:]} == {"周正清（组长）、吴慧敏、郑国华"}


def team_form(token, leader, *members):
    return {"csrf_token": token, "leader": str(leader), "members": [str(m) for m in members]}


def test_the_leader_changes_the_team_and_a_member_left_off_gives_back_their_section(app, client, team, as_user):
    token = as_user("zhou")
    url = f"/inspections/{team['inspection']}/team"
    assert client.get(url).status_code == 200
    response = client.post(url, data=team_form(token, team["leader"], team["zheng"], team["wang"]))
    assert response.status_code == 303
    with app.app_context():
        inspection = db.session.get(Inspection, team["inspection"])
        assert sorted(m.user.username for m in inspection.members) == ["wang", "zheng"]
        assert [(a.section_id, a.member.user.username) for a in inspection.assignments] == [(team["sections"][1], "zheng")]
    token = as_user("wu")  # off the team: section one is the 组长's again
    assert save(client, team, token, team["items"][0][0]).status_code == 403
    assert client.get(f"/inspections/{team['inspection']}/fill").status_code == 403


def test_the_leader_assigns_sections(app, client, team, as_user):
    token = as_user("zhou")
    url = f"/inspections/{team['inspection']}/team/sections"
    sections = team["sections"]
    data = {"csrf_token": token, f"section_{sections[0]}": "", f"section_{sections[1]}": str(team["members"]["wu"]),
            f"section_{sections[2]}": str(team["members"]["wu"])}
    assert client.post(url, data=data).status_code == 303
    with app.app_context():
        given = db.session.scalars(select(SectionAssignment).where(SectionAssignment.inspection_id == team["inspection"])).all()
        assert sorted((a.section_id, a.member_id) for a in given) == [(sections[1], team["members"]["wu"]),
                                                                      (sections[2], team["members"]["wu"])]
    assert save(client, team, token, team["items"][0][0]).status_code == 200  # section one is the 组长's now
    token = as_user("wu")
    assert save(client, team, token, team["items"][2][0]).status_code == 200


@pytest.mark.parametrize("data,field,message", [
    ({"leader": ""}, "leader", "请选择组长"),
    ({"leader": "999999"}, "leader", "组长须是在岗的督学"),
    ({"members": ["admin"]}, "members", "所选组员不在可选范围内"),  # the office is not an inspector
])
def test_an_invalid_team_is_refused_beside_the_field_and_nothing_changes(app, client, team, as_user, data, field, message):
    token = as_user("zhou")
    form = team_form(token, team["leader"], team["wu"])
    form.update({k: [str(team[v]) for v in value] if isinstance(value, list) else value for k, value in data.items()})
    response = client.post(f"/inspections/{team['inspection']}/team", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html.split(f'id="field-{field}"', 1)[1].split("</p>", 1)[0]
    with app.app_context():
        inspection = db.session.get(Inspection, team["inspection"])
        assert inspection.inspector_id == team["leader"] and len(inspection.members) == 2


def test_an_unknown_member_for_a_section_is_refused(app, client, team, as_user):
    token = as_user("zhou")
    response = client.post(f"/inspections/{team['inspection']}/team/sections",
                           data={"csrf_token": token, f"section_{team['sections'][2]}": "999999"})
    assert response.status_code == 422
    with app.app_context():
        assert len(db.session.scalars(select(SectionAssignment)).all()) == 2


def test_members_and_other_inspectors_do_not_set_the_team(client, team, as_user):
    for who in ("wu", "wang"):
        token = as_user(who)
        assert client.get(f"/inspections/{team['inspection']}/team").status_code == 403
        assert client.post(f"/inspections/{team['inspection']}/team",
                           data=team_form(token, team[who])).status_code == 403


@pytest.mark.parametrize("status", [InspectionStatus.SUBMITTED, InspectionStatus.APPROVED])
def test_the_team_is_fixed_once_handed_in(app, client, team, as_user, status):
    with app.app_context():
        db.session.get(Inspection, team["inspection"]).status = status
        db.session.commit()
    token = as_user("office")
    response = client.post(f"/inspections/{team['inspection']}/team", data=team_form(token, team["leader"]))
    assert response.status_code == 409
    assert "督导组和分工不能再修改" in client.get(f"/inspections/{team['inspection']}/team").get_data(as_text=True)


def test_a_returned_inspections_team_can_be_changed_for_the_correction(app, client, team, as_user):
    """退回 for correction: a member who cannot come back is taken off and their sections go back to the
    组长 (who corrects them), as while it was first filled."""
    with app.app_context():
        db.session.get(Inspection, team["inspection"]).status = InspectionStatus.RETURNED
        db.session.commit()
    token = as_user("zhou")
    assert "督导组和分工不能再修改" not in client.get(f"/inspections/{team['inspection']}/team").get_data(as_text=True)
    assert 'href="/inspections/%d/team"' % team["inspection"] in client.get(
        f"/inspections/{team['inspection']}/fill").get_data(as_text=True)
    response = client.post(f"/inspections/{team['inspection']}/team", data=team_form(token, team["leader"]))
    assert response.status_code in (200, 303)
    with app.app_context():
        inspection = db.session.get(Inspection, team["inspection"])
        assert inspection.members == [] and inspection.assignments == []


def test_a_team_chosen_at_the_start_of_an_inspection(app, client, team, as_user):
    token = as_user("zhou")
    with app.app_context():
        today = clock.today()
    response = client.post("/inspections/new", data={
        "csrf_token": token, "school": team["school"], "version": team["version"],
        "visit_date": today.isoformat(), "key": "k" * 20, "members": [str(team["wu"]), str(team["zheng"])]})
    assert response.status_code == 303
    with app.app_context():
        made = db.session.scalar(select(Inspection).where(Inspection.client_key == "k" * 20))
        assert made.inspector_id == team["leader"]
        assert sorted(m.user.username for m in made.members) == ["wu", "zheng"]


def test_a_rounds_team_goes_with_each_schools_inspector(app, client, team, as_user):
    token = as_user("office")
    with app.app_context():
        today = clock.today()
    response = client.post("/rounds/new", data={
        "csrf_token": token, "name": "春季专项督导", "kind": "SPECIAL", "mode": "PROCESS", "version": team["version"],
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=20)).isoformat(),
        "school_mode": "picked", "schools": [str(team["school"]), str(team["elsewhere"])],
        "inspectors": [str(team["leader"]), str(team["zheng"])], "inspector_mode": "assigned",
        "team": [str(team["wu"]), str(team["zheng"])], "key": "r" * 20})
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        made = db.session.scalar(select(Round).where(Round.kind == RoundKind.SPECIAL))
        teams = {i.inspector.username: sorted(m.user.username for m in i.members) for i in made.inspections}
    assert teams == {"zhou": ["wu", "zheng"], "zheng": ["wu"]}  # 郑 leads one school and is not their own member


def test_a_section_nobody_had_left_to_the_leader_changes_nothing(app, client, team, as_user):
    token = as_user("zhou")
    sections = team["sections"]
    data = {"csrf_token": token, f"section_{sections[0]}": str(team["members"]["wu"]),
            f"section_{sections[1]}": str(team["members"]["zheng"]), f"section_{sections[2]}": ""}
    assert client.post(f"/inspections/{team['inspection']}/team/sections", data=data).status_code == 303
    with app.app_context():
        given = db.session.scalars(select(SectionAssignment)).all()
        assert sorted((a.section_id, a.member_id) for a in given) == [(sections[0], team["members"]["wu"]),
                                                                      (sections[1], team["members"]["zheng"])]


def test_the_list_filtered_by_an_inspector_finds_the_inspections_they_are_on_a_team_of(client, team, as_user):
    as_user("office")
    for who in ("leader", "zheng"):
        assert f"/inspections/{team['inspection']}\"" in client.get(f"/inspections/?inspector={team[who]}").get_data(as_text=True)
    assert f"/inspections/{team['inspection']}\"" not in client.get(f"/inspections/?inspector={team['wang']}").get_data(as_text=True)
