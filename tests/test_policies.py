"""The records' policies (portal/security.py) beyond the access matrix: a drawn inspector's rights end
with their round and reach only the inspection they were given; nobody changes another inspector's
draft or closes an item named to someone else; results reach principals and leaders only once
approved (a school's record and rankings included); a round's draws stay the office's while it is under
way; HTTPS is kept to."""
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal import clock
from portal.extensions import db
from portal.models import (Draw, Inspection, InspectionMember, InspectionStatus, RectificationItem, RectificationStatus,
                           Role, Round, RoundKind, SectionAssignment, TemplateVersion)

from .conftest import HX, answer_of, items

ZONE, DRAWN = "城东小学", "西山小学"


@pytest.fixture
def county(app, make_school, make_user, make_template):
    """Two schools; 周督学 has the first as 责任区, 吴督学 the second; a random round sends 周督学 to
    the second school (an inspection given to them by a draw)."""
    zone, drawn = make_school(name=ZONE), make_school(name=DRAWN)
    mine = make_user("inspector", username="zhou", schools=[zone])
    local = make_user("inspector", username="wu", schools=[drawn])
    version = make_template()
    with app.app_context():
        today = clock.today()
        supervision_round = Round(name="随机督导", kind=RoundKind.RANDOM, version_id=version,
                                  starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=10))
        given = Inspection(school_id=drawn, version_id=version, visit_date=today, round=supervision_round,
                           inspector_id=mine)
        theirs = Inspection(school_id=drawn, version_id=version, visit_date=today, inspector_id=local)
        db.session.add_all([supervision_round, given, theirs])
        db.session.commit()
        ids = dict(zone=zone, drawn=drawn, mine=mine, local=local, version=version, round=supervision_round.id,
                   given=given.id, theirs=theirs.id)
    return ids


def sign_in(auth, username):
    assert auth.login(username).status_code == 303
    return auth.token()


def post(client, url, token, **data):
    return client.post(url, data=data, headers={**HX, "X-CSRFToken": token})


def end_round(app, round_id, status=None, inspection_id=None):
    with app.app_context():
        db.session.get(Round, round_id).ends_on = clock.today() - timedelta(days=1)
        if status:
            db.session.get(Inspection, inspection_id).status = status
        db.session.commit()


def first_item(app, inspection_id):
    return items(app, inspection_id)[2].id  # the yes/no item


def test_a_drawn_inspector_fills_the_given_inspection_while_the_round_is_open(app, client, auth, county):
    token = sign_in(auth, "zhou")
    item = first_item(app, county["given"])
    assert post(client, f"/inspections/{county['given']}/items/{item}", token, value="是", revision="0").status_code == 200
    assert client.get(f"/schools/{county['drawn']}").status_code == 200  # sees the school while there
    # …and nothing else there: another inspector's draft, a new item of their own, the school's checklists
    assert post(client, f"/inspections/{county['theirs']}/items/{item}", token, value="否", revision="0").status_code == 403
    assert client.get(f"/inspections/new?school={county['drawn']}").status_code == 200
    with app.app_context():
        day = clock.today().isoformat()
    made = client.post("/inspections/new", data={"school": county["drawn"], "version": county["version"],
                                                 "visit_date": day, "key": "k" * 20,
                                                 "csrf_token": token})
    assert made.status_code == 422  # not a school they may start an inspection at
    assert answer_of(app, county["theirs"], item) is None


def test_a_drawn_inspectors_rights_end_with_the_round(app, client, auth, county):
    end_round(app, county["round"])
    token = sign_in(auth, "zhou")
    item = first_item(app, county["given"])
    assert post(client, f"/inspections/{county['given']}/items/{item}", token, value="是", revision="0").status_code == 403
    assert client.get(f"/inspections/{county['given']}").status_code == 200  # their own work, still theirs to read
    assert client.get(f"/schools/{county['drawn']}").status_code == 403
    assert answer_of(app, county["given"], item) is None


def test_an_inspection_returned_after_the_round_ended_is_still_its_inspectors_to_correct(app, client, auth, county):
    end_round(app, county["round"], InspectionStatus.RETURNED, county["given"])
    token = sign_in(auth, "zhou")
    item = first_item(app, county["given"])
    assert post(client, f"/inspections/{county['given']}/items/{item}", token, value="是", revision="0").status_code == 200


def test_the_schools_own_inspector_reads_a_drawn_inspectors_draft_but_does_not_change_it(app, client, auth, county):
    token = sign_in(auth, "wu")
    item = first_item(app, county["given"])
    assert client.get(f"/inspections/{county['given']}").status_code == 200
    assert client.get(f"/inspections/{county['given']}/fill").status_code == 403
    assert post(client, f"/inspections/{county['given']}/items/{item}", token, value="否", revision="0").status_code == 403
    assert answer_of(app, county["given"], item) is None


@pytest.fixture
def submitted_item(app, county):
    """A report awaiting verification at the drawn school, named to 周督学 (who found the problem there)."""
    with app.app_context():
        item = RectificationItem(school_id=county["drawn"], problem="问题", requirement="要求", due_date=date(2026, 12, 31),
                                 status=RectificationStatus.SUBMITTED, inspector_id=county["mine"])
        db.session.add(item)
        db.session.commit()
        return item.id


def status_of(app, item_id):
    with app.app_context():
        return db.session.get(RectificationItem, item_id).status


def test_only_the_named_verifier_closes_an_item(app, client, auth, county, submitted_item):
    token = sign_in(auth, "wu")  # the school's own inspector, not the one named
    assert client.get(f"/rectification/{submitted_item}").status_code == 200
    assert post(client, f"/rectification/{submitted_item}/verify", token, decision="close", key="k" * 20).status_code == 403
    assert status_of(app, submitted_item) is RectificationStatus.SUBMITTED
    client.post("/logout", data={"csrf_token": token})
    end_round(app, county["round"])  # the named verifier keeps the item, whatever their round
    token = sign_in(auth, "zhou")
    assert client.get(f"/rectification/{submitted_item}").status_code == 200
    assert f"/rectification/{submitted_item}" in client.get("/rectification/").get_data(as_text=True)
    assert post(client, f"/rectification/{submitted_item}/verify", token, decision="close", key="k" * 20).status_code == 200
    assert status_of(app, submitted_item) is RectificationStatus.CLOSED


@pytest.fixture
def results(app, county, make_user):
    """At the zone school: one inspection approved (80 %), one handed in and not approved yet (40 %)."""
    with app.app_context():
        day = clock.today()
        for status, percent in ((InspectionStatus.APPROVED, "80"), (InspectionStatus.SUBMITTED, "40")):
            db.session.add(Inspection(school_id=county["zone"], version_id=county["version"], visit_date=day,
                                      status=status, inspector_id=county["mine"], percent=Decimal(percent), band="合格"))
        db.session.commit()
    return county


def school_row(html: str) -> list[str]:
    part = html.split('id="overview-schools"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    row = part.split(f"<td>{ZONE}</td>", 1)[1].split("</tr>", 1)[0]
    return [cell.rsplit(">", 1)[-1] for cell in row.split("</td>")[:-1]]


@pytest.mark.parametrize("role,expected", [
    (Role.PRINCIPAL, ["1", "80"]),   # the approved result only
    (Role.LEADER, ["1", "80"]),
    (Role.INSPECTOR, ["2", "60"]),   # the school's inspector sees the inspectors' work too
    (Role.ADMIN, ["2", "60"]),
])
def test_results_not_approved_yet_reach_neither_the_school_nor_the_leaders(client, auth, results, role, expected):
    auth.login_as(role, school_id=results["zone"], schools=[results["zone"]])
    assert school_row(client.get("/overview").get_data(as_text=True))[:2] == expected


@pytest.fixture
def draws(app, county):
    """The round's draw of schools, and of the inspector for the drawn school."""
    with app.app_context():
        schools = Draw(purpose="随机督导 学校", candidates=[[str(county["drawn"]), DRAWN]], count=1, seed="s",
                       picked=[str(county["drawn"])])
        inspector = Draw(purpose="随机督导 督学", candidates=[[str(county["mine"]), "周督学"]], count=1, seed="s",
                         picked=[str(county["mine"])])
        db.session.add_all([schools, inspector])
        db.session.get(Round, county["round"]).school_draw = schools
        db.session.get(Inspection, county["given"]).inspector_draw = inspector
        db.session.commit()
        return schools.id, inspector.id


def hand_in(app, inspection_id):
    with app.app_context():
        db.session.get(Inspection, inspection_id).status = InspectionStatus.SUBMITTED
        db.session.commit()


def test_a_rounds_draws_stay_the_offices_while_it_is_under_way(app, client, auth, county, draws, make_user):
    schools, inspector = draws
    make_user("principal", username="xz", school_id=county["drawn"])
    sign_in(auth, "xz")
    assert client.get(f"/draws/{schools}").status_code == 403    # where the inspectors go, while they go
    assert client.get(f"/draws/{inspector}").status_code == 403  # who comes to the school
    client.post("/logout", data={"csrf_token": auth.token()})
    sign_in(auth, "zhou")
    assert client.get(f"/draws/{inspector}").status_code == 200  # their own assignment
    assert client.get(f"/draws/{schools}").status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    hand_in(app, county["given"])
    sign_in(auth, "xz")
    assert client.get(f"/draws/{schools}").status_code == 200    # once every inspection is in: the open record
    assert client.get(f"/draws/{inspector}").status_code == 200


def test_served_over_https_browsers_are_told_to_keep_to_it(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"



def test_a_self_check_is_the_schools_until_handed_in_then_also_its_inspectors(app, client, auth, county, make_user):
    """security.can_read_self_check and readable_self_checks side by side: the school's principal and the office
    always; the inspectors of the school (its 责任区, and the one the round sent there) once it is handed in;
    another inspector and a leader never."""
    from portal.models import SelfCheck, utcnow
    from portal.selfcheck import requests

    make_user("principal", username="wang", school_id=county["drawn"])
    make_user("inspector", username="zheng", schools=[county["zone"]])
    make_user("leader", username="qian")
    with app.app_context():
        check = requests.ask(county["drawn"], county["version"], clock.today(), today=clock.today(), requested_by_id=None,
                             round_id=county["round"])
        db.session.commit()
        check_id = check.id

    def reads(username):
        token = sign_in(auth, username)
        page, listing = client.get(f"/self-checks/{check_id}").status_code, client.get("/self-checks/").get_data(as_text=True)
        client.post("/logout", data={"csrf_token": token})
        assert (page == 200) == (f"/self-checks/{check_id}\"" in listing), username  # the page and the list agree
        return page == 200

    people = ("wang", "zhou", "wu", "zheng", "qian")
    assert {who: reads(who) for who in people} == {"wang": True, "zhou": False, "wu": False, "zheng": False, "qian": False}
    with app.app_context():
        db.session.get(SelfCheck, check_id).inspection.submitted_at = utcnow()
        db.session.commit()
    assert {who: reads(who) for who in people} == {"wang": True, "zhou": True, "wu": True, "zheng": False, "qian": False}


@pytest.mark.parametrize("who,sees", [
    ("admin", {ZONE, DRAWN}), ("leader", {ZONE, DRAWN}),
    ("wu", {DRAWN}),             # a 责任督学 their 责任区's
    ("zhou", {ZONE, DRAWN}),     # and while a round sends them elsewhere, that school's too (as they see it)
    ("principal", {DRAWN}),      # their own school's only
])
def test_duban_and_accountability_are_read_as_their_school_in_the_object_check_and_the_list_alike(
        app, client, auth, county, make_user, who, sees):
    """The 督办 and 问责 policies: the object check and the list query say the same, for every role."""
    from flask_login import login_user
    from sqlalchemy import select

    from portal.models import Accountability, Measure, OrderRule, School, SupervisionOrder, User
    from portal.security import (can_read_accountability, can_read_order, readable_accountability, readable_orders)

    users = {"admin": make_user("admin"), "leader": make_user("leader"), "principal": make_user("principal", school_id=county["drawn"])}
    with app.app_context():
        day = clock.today()
        for school in (county["zone"], county["drawn"]):
            item = RectificationItem(school_id=school, problem="p", requirement="r", due_date=day - timedelta(days=40))
            db.session.add_all([item, Accountability(school_id=school, measure=Measure.TALK, taken_on=day, reason="r"),
                                SupervisionOrder(rectification=item, school_id=school, rule=OrderRule.LEADERS,
                                                 found_on=day, due_date=item.due_date, days_overdue=40)])
        db.session.commit()
        user_id = users.get(who) or db.session.scalar(select(User.id).where(User.username == who))
    with app.test_request_context():
        login_user(db.session.get(User, user_id))
        names = dict(db.session.execute(select(School.id, School.name)).all())
        for model, check, listed in ((Accountability, can_read_accountability, readable_accountability),
                                     (SupervisionOrder, can_read_order, readable_orders)):
            rows = db.session.scalars(select(model)).all()
            assert {names[row.school_id] for row in rows if check(row)} == sees
            assert {names[row.school_id] for row in db.session.scalars(listed(select(model)))} == sees


@pytest.fixture
def crew(app, county, make_school, make_user):
    """周督学's round inspection at the drawn school with a 督导组: 孙督学 (whose 责任区 is a third school)
    fills the first section; 钱督学 (the zone school's) is on no team."""
    third = make_school(name="北岭小学")
    member = make_user("inspector", username="sun", schools=[third])
    make_user("inspector", username="qian", schools=[county["zone"]])
    with app.app_context():
        inspection = db.session.get(Inspection, county["given"])
        joined = InspectionMember(user_id=member)
        inspection.members.append(joined)
        db.session.flush()
        inspection.assignments.append(SectionAssignment(section_id=inspection.version.sections[0].id, member=joined))
        db.session.commit()
    return county


def test_a_team_member_reads_and_fills_their_part_and_sees_the_school_while_the_round_is_open(app, client, auth, crew):
    token = sign_in(auth, "sun")
    own, leaders = items(app, crew["given"])[0].id, first_item(app, crew["given"])  # section one; section two
    assert client.get(f"/inspections/{crew['given']}/fill").status_code == 200
    assert post(client, f"/inspections/{crew['given']}/items/{own}", token, value="8", revision="0").status_code == 200
    assert post(client, f"/inspections/{crew['given']}/items/{leaders}", token, value="是", revision="0").status_code == 403
    assert f"/inspections/{crew['given']}\"" in client.get("/inspections/").get_data(as_text=True)  # list and object agree
    assert client.get(f"/schools/{crew['drawn']}").status_code == 200
    assert client.get(f"/inspections/{crew['theirs']}").status_code == 403  # nothing else at the school
    assert post(client, f"/inspections/{crew['given']}/submit", token).status_code == 403  # the 组长's to submit
    assert answer_of(app, crew["given"], leaders) is None


def test_a_team_members_rights_end_with_the_round(app, client, auth, crew):
    end_round(app, crew["round"])
    token = sign_in(auth, "sun")
    own = items(app, crew["given"])[0].id
    assert post(client, f"/inspections/{crew['given']}/items/{own}", token, value="8", revision="0").status_code == 403
    assert client.get(f"/inspections/{crew['given']}").status_code == 200  # their own work, still theirs to read
    assert client.get(f"/schools/{crew['drawn']}").status_code == 403


def test_an_inspector_on_no_team_neither_reads_nor_fills_it(app, client, auth, crew):
    token = sign_in(auth, "qian")
    own = items(app, crew["given"])[0].id
    assert client.get(f"/inspections/{crew['given']}").status_code == 403
    assert f"/inspections/{crew['given']}\"" not in client.get("/inspections/").get_data(as_text=True)
    assert post(client, f"/inspections/{crew['given']}/items/{own}", token, value="8", revision="0").status_code == 403
    assert answer_of(app, crew["given"], own) is None


def test_the_leader_fills_what_is_nobodys_and_not_a_members_part(app, client, auth, crew):
    token = sign_in(auth, "zhou")
    members, leaders = items(app, crew["given"])[0].id, first_item(app, crew["given"])
    assert post(client, f"/inspections/{crew['given']}/items/{leaders}", token, value="是", revision="0").status_code == 200
    assert post(client, f"/inspections/{crew['given']}/items/{members}", token, value="8", revision="0").status_code == 403
    assert answer_of(app, crew["given"], members) is None


@pytest.fixture
def report_tasks(app, county, make_user):
    """A 报送 task sent to both schools (each school's answer handed in), and one with a template sent to
    the drawn school alone; a principal at each school."""
    from portal.files.uploads import store
    from portal.models import AnswerStatus, ReportAnswer, ReportTask, TaskKind, utcnow

    with app.app_context():
        due = clock.today() + timedelta(days=5)
        both = ReportTask(title="自查报告", kind=TaskKind.FORM, due_date=due, questions=[{"label": "人数", "type": "text"}],
                          answers=[ReportAnswer(school_id=sid, status=AnswerStatus.SUBMITTED, submitted_at=utcnow(),
                                                values={"1": f"答复{sid}"}) for sid in (county["zone"], county["drawn"])])
        template = store(b"PK\x03\x04", "模板.xlsx", "application/zip", school_id=None, user_id=None)
        theirs = ReportTask(title="西山专项表", kind=TaskKind.TABLE, due_date=due, headers=["备注"], template=template,
                            answers=[ReportAnswer(school_id=county["drawn"])])
        db.session.add_all([both, theirs])
        db.session.commit()
        ids = dict(both=both.id, zone_answer=both.answers[0].id, drawn_answer=both.answers[1].id, theirs=theirs.id,
                   template=template.id)
    make_user("principal", username="head-zone", school_id=county["zone"])
    make_user("principal", username="head-drawn", school_id=county["drawn"])
    return ids


def test_a_principal_sees_only_their_own_schools_answers(client, auth, county, report_tasks):
    sign_in(auth, "head-zone")
    assert client.get(f"/tasks/answers/{report_tasks['zone_answer']}").status_code == 200
    assert client.get(f"/tasks/answers/{report_tasks['drawn_answer']}").status_code == 403
    listing = client.get("/tasks/").get_data(as_text=True)
    assert "自查报告" in listing and "西山专项表" not in listing  # a task not sent to the school is not listed
    detail = client.get(f"/tasks/{report_tasks['both']}").get_data(as_text=True)
    assert ZONE in detail and DRAWN not in detail  # the task's page lists the school's own row alone
    assert client.get(f"/tasks/{report_tasks['theirs']}").status_code == 403
    assert client.get(f"/files/{report_tasks['template']}").status_code == 403  # another school's task's template
    assert client.get(f"/tasks/{report_tasks['both']}/answers.xlsx").status_code == 403


def test_a_task_template_reaches_the_schools_it_was_sent_to_and_the_inspectors_of_their_schools(client, auth, county,
                                                                                                report_tasks):
    sign_in(auth, "head-drawn")
    with client.get(f"/files/{report_tasks['template']}") as response:
        assert response.status_code == 200
    assert "西山专项表" in client.get("/tasks/").get_data(as_text=True)
    auth.client.delete_cookie(auth.app.config["SESSION_COOKIE_NAME"])
    sign_in(auth, "wu")  # the drawn school's own inspector reads its answers, not the other school's
    assert client.get(f"/tasks/answers/{report_tasks['drawn_answer']}").status_code == 200
    assert client.get(f"/tasks/answers/{report_tasks['zone_answer']}").status_code == 403
    detail = client.get(f"/tasks/{report_tasks['both']}").get_data(as_text=True)
    assert DRAWN in detail and ZONE not in detail
# 责任督学 visits: can_read_visit (one visit) and readable_visits (the list) agree for every reader.

@pytest.fixture
def visited(app, county, make_user, make_school):
    """周督学's visit to their school, and one they made before that school left their 责任区
    (now 吴督学's, at 西山小学)."""
    from portal.models import User, Visit

    with app.app_context():
        today = clock.today()
        kept = Visit(school_id=county["zone"], inspector_id=county["mine"], visited_on=today, checked=["safety"],
                     findings="本责任区的走访")
        left = Visit(school_id=county["drawn"], inspector_id=county["mine"], visited_on=today, checked=["safety"],
                     findings="调离前的走访")
        db.session.add_all([kept, left])
        db.session.commit()
        return dict(kept=kept.id, left=left.id, zhou=db.session.get(User, county["mine"]).username)


@pytest.mark.parametrize("reader,sees", [
    ("zhou", {"kept", "left"}),       # their own visits, wherever the school is now
    ("wu", {"left"}),                 # 西山小学's 责任督学 now: the school's visits, not 周督学's elsewhere
    ("principal_zone", {"kept"}),     # the school's own people: their school's
    ("principal_drawn", {"left"}),
    ("leader", {"kept", "left"}),
])
def test_who_reads_a_visit_on_its_page_reads_it_in_the_list(app, client, auth, county, visited, make_user, reader, sees):
    if reader.startswith("principal"):
        school = county["zone"] if reader.endswith("zone") else county["drawn"]
        reader = "p" + reader[-4:]
        make_user("principal", school_id=school, username=reader)
    elif reader == "leader":
        make_user("leader", username=reader)
    sign_in(auth, reader)
    listing = client.get("/visits/").get_data(as_text=True)
    texts = {"kept": "本责任区的走访", "left": "调离前的走访"}
    for name, visit_id in (("kept", visited["kept"]), ("left", visited["left"])):
        expected = name in sees
        assert (client.get(f"/visits/{visit_id}").status_code == 200) is expected, name
        assert (texts[name] in listing) is expected, name


def test_only_the_visits_own_inspector_or_the_office_changes_it(app, client, auth, county, visited, make_user):
    token = sign_in(auth, "wu")  # the school's 责任督学 now, not the visit's
    assert client.get(f"/visits/{visited['left']}/edit").status_code == 403
    assert post(client, f"/visits/{visited['left']}/photos", token).status_code == 403
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    sign_in(auth, "zhou")  # theirs, though the school has left their 责任区
    assert client.get(f"/visits/{visited['left']}/edit").status_code == 200


def history_percents(html: str) -> list[str]:
    part = html.split('id="history-inspections"', 1)[1].split("</section>", 1)[0]
    body = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in part else ""
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in body.split("</tr>") if "<td" in row]
    return sorted(row[4] for row in rows)  # 得分率%


@pytest.mark.parametrize("role,expected", [
    (Role.PRINCIPAL, ["80"]),   # the approved result only
    (Role.LEADER, ["80"]),
    (Role.INSPECTOR, ["40", "80"]),
    (Role.ADMIN, ["40", "80"]),
])
def test_a_schools_record_holds_only_the_results_its_reader_may_read(app, client, auth, results, role, expected):
    auth.login_as(role, school_id=results["zone"], schools=[results["zone"]])
    assert history_percents(client.get(f"/schools/{results['zone']}/history").get_data(as_text=True)) == expected
    with app.app_context():
        template = db.session.get(TemplateVersion, results["version"]).template_id
    ranking = client.get(f"/overview?template={template}").get_data(as_text=True).split('id="overview-ranking"')[1]
    ranking = ranking.split("</section>", 1)[0]
    # Ranked on approved results only, for everyone: the school once, with its approved 80 %.
    assert ranking.count(f"<td>{ZONE}</td>") == 1 and '<td class="num">80</td>' in ranking and ">40<" not in ranking


def test_a_principal_sees_no_other_schools_place_in_a_ranking(app, client, auth, results, make_school):
    with app.app_context():
        db.session.add(Inspection(school_id=results["drawn"], version_id=results["version"], visit_date=clock.today(),
                                  status=InspectionStatus.APPROVED, percent=Decimal("90"), band="优秀"))
        db.session.commit()
        template = db.session.get(TemplateVersion, results["version"]).template_id
    auth.login_as(Role.PRINCIPAL, school_id=results["zone"])
    ranking = client.get(f"/overview?template={template}").get_data(as_text=True).split('id="overview-ranking"')[1]
    ranking = ranking.split("</section>", 1)[0]
    # Its own school's place among all (second, behind 西山小学's 90 %), and nothing of 西山小学's.
    assert f"<td>{ZONE}</td>" in ranking and DRAWN not in ranking and ">90<" not in ranking
    assert re.search(r'<td class="num">2</td>\s*<td>' + ZONE, ranking)
    assert client.get(f"/schools/{results['drawn']}/history").status_code == 403
# A school's 中层 (学校中层): its lessons, nothing else of it; their accounts are their principal's to keep.

def signed_in_as(app, user_id):
    """A request by `user_id` (for the policies' object checks and list queries side by side)."""
    from flask_login import login_user

    from portal.models import User

    context = app.test_request_context()
    context.push()
    login_user(db.session.get(User, user_id))
    return context


def test_a_schools_staff_reads_its_finished_lessons_in_the_record_check_and_the_list_alike(
        app, make_school, make_user, make_template):
    from sqlalchemy import select

    from portal.models import Observation, ObservationStatus
    from portal.observations.rubric import load_default_rubric
    from portal.security import Action, allowed, can_read_inspection, can_read_observation, readable_observations

    own, other = make_school(), make_school()
    staff, leader = make_user("staff", school_id=own), make_user("leader")
    version = make_template()
    with app.app_context():
        rubric = load_default_rubric().versions[0]
        rows = {(where, status): Observation(school_id=sid, observer_id=leader, version=rubric, status=status,
                                             observed_on=date(2026, 11, 20))
                for where, sid in (("own", own), ("other", other)) for status in ObservationStatus}
        rows["mine"] = Observation(school_id=own, observer_id=staff, version=rubric, observed_on=date(2026, 11, 20))
        approved = Inspection(school_id=own, version_id=version, visit_date=date(2026, 11, 20),
                              status=InspectionStatus.APPROVED)
        db.session.add_all([*rows.values(), approved])
        db.session.commit()
        ids, approved_id = {key: row.id for key, row in rows.items()}, approved.id
    context = signed_in_as(app, staff)
    try:
        readable = {key for key, ident in ids.items() if can_read_observation(db.session.get(Observation, ident))}
        assert readable == {("own", ObservationStatus.FINAL), "mine"}
        listed = set(db.session.scalars(readable_observations(select(Observation.id))))
        assert listed == {ids[key] for key in readable}
        assert not allowed(current(), Action.VIEW, own) and allowed(current(), Action.OBSERVE, own)
        assert not allowed(current(), Action.OBSERVE, other) and not allowed(current(), Action.EDIT, own)
        assert not can_read_inspection(db.session.get(Inspection, approved_id))
    finally:
        context.pop()


def current():
    from flask_login import current_user

    return current_user


def test_a_principal_keeps_their_own_schools_staff_accounts_in_the_check_and_the_list_alike(app, make_school, make_user):
    from sqlalchemy import select

    from portal.models import User
    from portal.security import can_manage_account, manageable_accounts

    own, other = make_school(), make_school()
    principal = make_user("principal", school_id=own)
    people = {"staff": make_user("staff", school_id=own), "other_staff": make_user("staff", school_id=other),
              "deputy": make_user("principal", school_id=own), "leader": make_user("leader"),
              "inspector": make_user("inspector", schools=[own])}
    for who, expected in ((principal, {"staff"}), (make_user("admin"), set(people) | {"me"})):
        context = signed_in_as(app, who)
        try:
            accounts = {**people, "me": principal}
            kept = {name for name, ident in accounts.items() if can_manage_account(db.session.get(User, ident))}
            assert kept == expected
            listed = set(db.session.scalars(manageable_accounts(select(User.id))))
            assert listed & set(accounts.values()) == {accounts[name] for name in expected}
        finally:
            context.pop()
    context = signed_in_as(app, people["staff"])  # a 中层 keeps no account, not even a colleague's
    try:
        assert not can_manage_account(db.session.get(User, people["staff"]))
        assert not set(db.session.scalars(manageable_accounts(select(User.id))))
    finally:
        context.pop()
