"""推门听课: rubric grading and version freeze, the open class draw, autosave (idempotent, conflict
safe), who may see and edit what, semesters, counts, export, feedback and acknowledgement."""
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal import clock
from portal.draws import lots
from portal.extensions import db
from portal.models import (AuditLog, InspectionStatus, Item, Observation, ObservationScore, ObservationStatus, Role,
                           SchoolClass, TimetableSlot, User, utcnow)
from portal.observations import grading, queries, rubric
from portal.observations.forms import QuotaForm
from portal.clock import local_date

from .conftest import HX, Auth


@pytest.fixture
def rubric_version(app):
    """The default rubric, published (version 1); returns its version id."""
    with app.app_context():
        template = rubric.load_default_rubric()
        db.session.commit()
        return template.versions[0].id


def dimensions(app, version_id) -> list[tuple[int, Decimal]]:
    with app.app_context():
        return [(item.id, item.max_points) for item in db.session.scalars(
            select(Item).join(Item.section).where(Item.section.has(version_id=version_id)).order_by(Item.position))]


@pytest.fixture
def make_classes(app):
    def make(school_id: int, labels=(("七年级", "1班"), ("七年级", "2班"), ("八年级", "1班"))) -> list[int]:
        with app.app_context():
            rows = [SchoolClass(school_id=school_id, grade=g, name=n) for g, n in labels]
            db.session.add_all(rows)
            db.session.commit()
            return [row.id for row in rows]
    return make


@pytest.fixture
def make_observation(app, rubric_version):
    def make(school_id: int, observer_id: int | None, status=ObservationStatus.DRAFT, observed_on=date(2026, 11, 20),
             points: dict | None = None, **fields) -> int:
        with app.app_context():
            observation = Observation(school_id=school_id, observer_id=observer_id, version_id=rubric_version,
                                      observed_on=observed_on, status=status, **fields)
            db.session.add(observation)
            db.session.flush()
            for item_id, value in (points or {}).items():
                observation.scores.append(ObservationScore(item_id=item_id, points=Decimal(value)))
            db.session.flush()
            db.session.refresh(observation)
            grading.regrade(observation)
            db.session.commit()
            return observation.id
    return make


@pytest.fixture
def leader(app, auth, make_school, make_classes, make_observation):
    """A leader signed in, with an open record of their own at a school with three classes."""
    school = make_school(name="城东实验小学")
    classes = make_classes(school)
    user = auth.login_as(Role.LEADER)
    observation = make_observation(school, user)
    return dict(school=school, classes=classes, user=user, observation=observation, token=auth.token())


def score(client, setup, item_id, value, revision="0", key=None, headers=HX):
    data = {"value": value, "revision": revision}
    if key:
        data["key"] = key
    return client.post(f"/observations/{setup['observation']}/scores/{item_id}", data=data,
                       headers={**headers, "X-CSRFToken": setup["token"]})


def record(client, setup, headers=HX, **fields):
    data = {"observed_on": "2026-11-20", "revision": "0", **fields}
    return client.post(f"/observations/{setup['observation']}/record", data=data,
                       headers={**headers, "X-CSRFToken": setup["token"]})


def stored(app, observation_id) -> Observation:
    with app.app_context():
        observation = db.session.get(Observation, observation_id)
        observation.scores  # noqa: B018 - loaded before the session goes
        return observation


# Grading -------------------------------------------------------------------------------------

@pytest.mark.parametrize("total,grade", [
    ("100", "优"), ("90", "优"), ("89.5", "良"), ("75", "良"), ("74.5", "中"), ("60", "中"), ("59.5", "差"), ("0", "差"),
])
def test_grade_bands_of_the_default_rubric(app, rubric_version, total, grade):
    """One dimension takes what the total needs; the others their maximum or 0."""
    dims = dimensions(app, rubric_version)
    remaining, points = Decimal(total), {}
    for item_id, max_points in dims:
        points[item_id] = min(max_points, remaining)
        remaining -= points[item_id]
    with app.test_request_context():
        from portal.models import TemplateVersion
        result = grading.grade(db.session.get(TemplateVersion, rubric_version), points)
    assert (result.total, result.grade) == (Decimal(total), grade)


def test_no_grade_until_every_dimension_is_scored(app, rubric_version):
    dims = dimensions(app, rubric_version)
    with app.test_request_context():
        from portal.models import TemplateVersion
        version = db.session.get(TemplateVersion, rubric_version)
        partial = grading.grade(version, {item_id: m for item_id, m in dims[:-1]})
        full = grading.grade(version, {item_id: m for item_id, m in dims})
    assert partial.grade is None and partial.scored == len(dims) - 1
    assert (full.total, full.grade, full.complete) == (Decimal(100), "优", True)


@pytest.mark.parametrize("max_points,chips", [
    (Decimal(5), ["0", "0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5"]),
    (Decimal(10), [str(n) for n in range(11)]),
    (Decimal(15), [str(n) for n in range(16)]),
    (Decimal(20), [str(n) for n in range(21)]),  # any whole score, not only even ones
    (Decimal(30), [str(n) for n in range(0, 31, 2)]),
])
def test_score_chips_step_through_each_dimension(max_points, chips):
    assert [f"{step.normalize():f}" for step in grading.steps(max_points)] == chips


def test_tapping_scores_updates_total_and_grade_live(app, client, leader, rubric_version):
    dims = dimensions(app, rubric_version)
    for n, (item_id, max_points) in enumerate(dims):
        response = score(client, leader, item_id, f"{max_points}", key=f"key-tap-{n:04d}")
        assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'id="obs-summary"[^>]*hx-swap-oob="true"', html)
    assert re.search(r"总分 <strong data-total>100</strong>/100", html) and ">优<" in html
    saved = stored(app, leader["observation"])
    assert (saved.total, saved.grade) == (Decimal(100), "优")


@pytest.mark.parametrize("value,message", [
    ("11", "得分应在 0 到 10 之间"), ("-1", "得分应在 0 到 10 之间"), ("abc", "请填写数字分值"),
    ("NaN", "得分应在 0 到 10 之间"), ("2.3", "0.5 的整数倍"),
])
def test_bad_scores_are_refused_and_nothing_saved(app, client, leader, rubric_version, value, message):
    item_id, _ = dimensions(app, rubric_version)[0]  # 教学目标, 10 points
    response = score(client, leader, item_id, value)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert stored(app, leader["observation"]).scores == []


def test_a_dimension_of_another_rubric_is_404(app, client, leader, make_template):
    version = make_template()
    with app.app_context():
        foreign = db.session.scalar(select(Item.id).join(Item.section).where(Item.section.has(version_id=version)))
    assert score(client, leader, foreign, "1").status_code == 404


def test_editing_the_rubric_does_not_change_an_earlier_record(app, client, leader, rubric_version):
    """A new version with other bands and maxima: the old record keeps its version, total and grade."""
    dims = dimensions(app, rubric_version)
    for n, (item_id, max_points) in enumerate(dims):
        score(client, leader, item_id, f"{max_points - (1 if n == 0 else 0)}", key=f"key-frz-{n:04d}")
    before = stored(app, leader["observation"])
    assert (before.total, before.grade) == (Decimal(99), "优")
    with app.app_context():
        from portal.checklists import versions
        from portal.models import TemplateVersion
        template = db.session.get(TemplateVersion, rubric_version).template
        draft, _ = versions.new_draft(template)
        draft.bands = [[99.5, "优"], [75, "良"], [60, "中"]]
        draft.sections[0].items[0].max_points = Decimal(20)
        db.session.flush()
        versions.publish(draft)
        db.session.commit()
    page = client.get(f"/observations/{leader['observation']}/record").get_data(as_text=True)
    assert "（第 1 版）" in page and "总分 <strong data-total>99</strong>/100" in page
    item_id, _ = dims[1]
    score(client, leader, item_id, f"{dims[1][1] - 1}", revision="1", key="key-frz-late")
    after = stored(app, leader["observation"])
    assert (after.version_id, after.total, after.grade) == (rubric_version, Decimal(98), "优")


def test_bands_and_the_name_below_them_come_from_the_version(app, rubric_version):
    zeros = {item_id: Decimal(0) for item_id, _ in dimensions(app, rubric_version)}
    with app.app_context():
        from portal.models import TemplateVersion
        version = db.session.get(TemplateVersion, rubric_version)
        assert version.bands == [[90, "优"], [75, "良"], [60, "中"]] and version.below_band == "差"
        result = grading.grade(version, zeros)
    assert result.grade == "差"


# Autosave ------------------------------------------------------------------------------------

def test_a_resent_score_changes_nothing(app, client, leader, rubric_version):
    item_id, _ = dimensions(app, rubric_version)[0]
    first = score(client, leader, item_id, "8", key="key-once-0001")
    again = score(client, leader, item_id, "8", key="key-once-0001")
    assert first.status_code == again.status_code == 200
    assert 'name="revision" value="1"' in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ObservationScore)) == 1
        changes = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "observation_score"))
    assert changes == 1


def test_a_stale_revision_is_a_conflict_and_shows_the_stored_score(app, client, leader, rubric_version):
    item_id, _ = dimensions(app, rubric_version)[0]
    score(client, leader, item_id, "8", key="key-tab-a-001")                    # tablet A: revision 0 -> 1
    response = score(client, leader, item_id, "6", revision="0", key="key-tab-b-001")  # tablet B, still at 0
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == f"#unit-{item_id}"
    assert "另一台设备上修改" in html and re.search(r'value="8" checked', html)
    assert stored(app, leader["observation"]).scores[0].points == Decimal(8)


def test_record_fields_autosave_as_one_unit_with_a_revision(app, client, leader):
    fields = dict(teacher_name="王老师", subject="语文", class_id=str(leader["classes"][1]), topic="春", period="3",
                  strengths="朗读充分", problems="", suggestions="多给学生提问时间")
    first = record(client, leader, key="key-rec-00001", **fields)
    assert first.status_code == 200 and 'name="revision" value="1"' in first.get_data(as_text=True)
    assert record(client, leader, key="key-rec-00001", **fields).status_code == 200  # resend: nothing
    conflict = record(client, leader, key="key-rec-00002", **{**fields, "topic": "秋"})  # from revision 0
    assert conflict.status_code == 409 and conflict.headers["HX-Retarget"] == "#unit-record"
    saved = stored(app, leader["observation"])
    assert (saved.revision, saved.topic, saved.class_label, saved.period) == (1, "春", "七年级2班", 3)


def test_record_refuses_a_class_of_another_school(app, client, leader, make_school, make_classes):
    foreign = make_classes(make_school(), [("九年级", "1班")])[0]
    response = record(client, leader, class_id=str(foreign), key="key-rec-foreign")
    assert response.status_code == 422 and "不是本校的班级" in response.get_data(as_text=True)
    assert stored(app, leader["observation"]).class_id is None


def test_plain_form_save_without_javascript_redirects_back(app, client, leader, rubric_version):
    item_id, _ = dimensions(app, rubric_version)[0]
    response = score(client, leader, item_id, "7", headers={})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#unit-{item_id}")
    bad = score(client, leader, item_id, "70", revision="1", headers={})
    assert bad.status_code == 422 and "得分应在 0 到 10 之间" in bad.get_data(as_text=True)


# Start, the class draw -----------------------------------------------------------------------

def start_form(client, school):
    page = client.get(f"/observations/new?school={school}").get_data(as_text=True)
    return re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1), page


def test_draw_a_class_openly_and_reproduce_it(app, client, auth, make_school, make_classes, rubric_version):
    school, other = make_school(), make_school()
    mine, theirs = make_classes(school), make_classes(other, [("一年级", "1班")])
    auth.login_as(Role.INSPECTOR, schools=[school])
    key, page = start_form(client, school)
    assert "随机抽班并开始" in page
    data = {"school": school, "version": rubric_version, "key": key, "draw": "随机抽班并开始", "csrf_token": auth.token()}
    first, second = client.post("/observations/new", data=data), client.post("/observations/new", data=data)
    assert first.status_code == second.status_code == 303 and first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        observation = db.session.scalars(select(Observation)).one()
        draw = observation.draw
        assert draw.school_id == school and [int(k) for k, _ in draw.candidates] == mine
        assert lots.check(draw) and observation.class_id == int(draw.picked[0]) and observation.class_id not in theirs
        assert lots.pick(draw.seed, [k for k, _ in reversed(draw.candidates)], 1) == draw.picked
    assert client.get(f"/draws/{draw.id}").status_code == 200


def test_a_principal_observes_lessons_at_their_own_school_only(app, client, auth, make_school, make_classes,
                                                               rubric_version):
    """推门听课 by the school's own leaders: at their school, counted against the principals' quota."""
    school, other = make_school(), make_school()
    mine = make_classes(school)[0]
    principal = auth.login_as(Role.PRINCIPAL, school_id=school)
    key, _ = start_form(client, school)
    data = {"school": school, "version": rubric_version, "key": key, "school_class": mine, "begin": "开始听课",
            "csrf_token": auth.token()}
    assert client.post("/observations/new", data={**data, "school": other, "school_class": ""}).status_code == 403
    assert client.get(f"/observations/new?school={other}").status_code == 403
    started = client.post("/observations/new", data=data)
    assert started.status_code == 303
    with app.app_context():
        (observation,) = db.session.scalars(select(Observation)).all()
        assert (observation.school_id, observation.observer_id) == (school, principal)
    counts = client.get("/observations/counts").get_data(as_text=True)
    assert re.search(r"<td>[^<]*</td><td>校长</td><td class=\"num\">0</td>\s*<td class=\"num\">20</td>", counts)


def test_a_schools_staff_observes_at_their_own_school_counted_as_staff(app, client, auth, make_school, make_user,
                                                                      make_classes, make_observation, rubric_version):
    """推门听课 by a school's 中层 (教导主任, 教研组长): at their school only, against their own quota and
    summed as 学校中层; their principal sees their counts beside their own."""
    school, other = make_school(name="城关第一小学"), make_school(name="石门乡中心小学")
    mine = make_classes(school)[0]
    staff = auth.login_as(Role.STAFF, school_id=school)
    key, _ = start_form(client, school)
    data = {"school": school, "version": rubric_version, "key": key, "school_class": mine, "begin": "开始听课",
            "csrf_token": auth.token()}
    assert client.get(f"/observations/new?school={other}").status_code == 403
    assert client.post("/observations/new", data={**data, "school": other, "school_class": ""}).status_code == 403
    assert client.post("/observations/new", data=data).status_code == 303
    with app.app_context():
        (observation,) = db.session.scalars(select(Observation)).all()
        assert (observation.school_id, observation.observer_id) == (school, staff)
        name = db.session.get(User, staff).display_name
    today = date.today()
    make_observation(school, staff, ObservationStatus.FINAL, observed_on=today)
    make_observation(other, make_user("leader"), ObservationStatus.FINAL, observed_on=today)
    counts = client.get("/observations/counts").get_data(as_text=True)
    assert re.search(rf"<td>{name}</td><td>学校中层</td><td class=\"num\">1</td>\s*<td class=\"num\">20</td>", counts)
    assert "石门乡中心小学" not in counts  # the other school's lesson is not theirs to count
    principal = Auth(app, app.test_client(), make_user)
    principal.login_as(Role.PRINCIPAL, school_id=school)
    counts = principal.client.get("/observations/counts").get_data(as_text=True)
    assert re.search(rf"<td>{name}</td><td>学校中层</td><td class=\"num\">1</td>", counts)
    assert re.search(r"<td>[^<]*</td><td>校长</td><td class=\"num\">0</td>", counts)
    assert re.search(r'<th scope="row">学校中层合计</th><td>学校中层</td><td class="num">1</td>', counts)


def test_a_schools_staff_reads_its_finished_lessons_and_nothing_else_of_it(app, client, auth, make_school, make_user,
                                                                          make_observation, make_inspection):
    school, other = make_school(), make_school()
    leader = make_user("leader")
    done = make_observation(school, leader, ObservationStatus.FINAL, teacher_name="林晓梅")
    open_ = make_observation(school, leader, teacher_name="周燕")
    elsewhere = make_observation(other, leader, ObservationStatus.FINAL, teacher_name="邻校教师")
    inspection = make_inspection(school, status=InspectionStatus.APPROVED)
    auth.login_as(Role.STAFF, school_id=school)
    listed = client.get("/observations/").get_data(as_text=True)
    assert "林晓梅" in listed and "周燕" not in listed and "邻校教师" not in listed
    assert client.get(f"/observations/{done}").status_code == 200
    assert client.get(f"/observations/{open_}").status_code == 403
    assert client.get(f"/observations/{elsewhere}").status_code == 403
    token = auth.token()
    assert client.post(f"/observations/{done}/acknowledge", data={"csrf_token": token}).status_code == 403
    with app.test_request_context():
        urls = [url_for("schools.detail", school_id=school), url_for("supervision.detail", inspection_id=inspection),
                url_for("supervision.index"), url_for("rectification.index"), url_for("documents.inbox"),
                url_for("plans.school_plans", school_id=school), url_for("dashboard.county"), url_for("users.index")]
    for url in urls:
        assert client.get(url).status_code == 403, url
    home = client.get("/").get_data(as_text=True)
    assert "开始听课" in home and "本校听课记录" in home and "督导检查" not in home


def test_start_refuses_a_class_of_another_school_and_schools_out_of_scope(app, client, auth, make_school,
                                                                          make_classes, rubric_version):
    school, other = make_school(), make_school()
    make_classes(school)
    theirs = make_classes(other, [("一年级", "1班")])[0]
    auth.login_as(Role.INSPECTOR, schools=[school])
    key, _ = start_form(client, school)
    data = {"school": school, "version": rubric_version, "key": key, "school_class": theirs, "begin": "开始听课",
            "csrf_token": auth.token()}
    assert client.post("/observations/new", data=data).status_code == 422
    assert client.post("/observations/new", data={**data, "school": other, "school_class": ""}).status_code == 403
    assert client.get(f"/observations/new?school={other}").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Observation)) == 0


def test_start_stamps_the_time_and_prefills_the_subject_from_the_timetable(app, client, auth, make_school,
                                                                         make_classes, rubric_version):
    school = make_school()
    class_id = make_classes(school)[0]
    with app.app_context():
        today = local_date(datetime.now(UTC))
        db.session.add(TimetableSlot(class_id=class_id, weekday=today.isoweekday(), period=2, subject="数学"))
        db.session.commit()
    auth.login_as(Role.LEADER)
    key, _ = start_form(client, school)
    client.post("/observations/new", data={"school": school, "version": rubric_version, "key": key,
                                           "school_class": class_id, "period": "2", "begin": "开始听课",
                                           "csrf_token": auth.token()})
    with app.app_context():
        observation = db.session.scalars(select(Observation)).one()
        assert (observation.subject, observation.class_label, observation.observed_on) == ("数学", "七年级1班", today)
        assert (datetime.now(UTC) - observation.started_at).total_seconds() < 60


def test_draw_needs_classes(app, client, auth, make_school, rubric_version):
    school = make_school()
    auth.login_as(Role.LEADER)
    key, page = start_form(client, school)
    assert "随机抽班并开始" not in page
    response = client.post("/observations/new", data={"school": school, "version": rubric_version, "key": key,
                                                      "draw": "1", "csrf_token": auth.token()})
    assert response.status_code == 422 and "不能随机抽班" in response.get_data(as_text=True)


# Who may do what -----------------------------------------------------------------------------

def finish_all(app, client, setup, rubric_version):
    for n, (item_id, max_points) in enumerate(dimensions(app, rubric_version)):
        score(client, setup, item_id, f"{max_points}", key=f"key-fin-{n:04d}")
    record(client, setup, teacher_name="李老师", subject="数学", key="key-fin-rec1")
    return client.post(f"/observations/{setup['observation']}/finish", data={"csrf_token": setup["token"]})


def test_finish_needs_every_score_then_closes_the_record(app, client, leader, rubric_version):
    early = client.post(f"/observations/{leader['observation']}/finish", data={"csrf_token": leader["token"]}, headers=HX)
    assert early.status_code == 422 and "7 项评价指标未打分" in early.get_data(as_text=True)
    assert finish_all(app, client, leader, rubric_version).status_code == 303
    assert stored(app, leader["observation"]).status is ObservationStatus.FINAL
    item_id, _ = dimensions(app, rubric_version)[0]
    assert score(client, leader, item_id, "1", revision="1", key="key-after-fin").status_code == 409
    assert client.get(f"/observations/{leader['observation']}/record").status_code == 303


def test_only_the_observer_edits_their_record(app, client, auth, make_school, make_user, make_observation,
                                             rubric_version):
    school = make_school()
    colleague = make_user("leader")
    theirs = make_observation(school, colleague)
    auth.login_as(Role.LEADER)
    item_id, _ = dimensions(app, rubric_version)[0]
    setup = {"observation": theirs, "token": auth.token()}
    assert score(client, setup, item_id, "5").status_code == 403
    assert record(client, setup, topic="x").status_code == 403
    assert client.get(f"/observations/{theirs}/record").status_code == 403
    assert client.get(f"/observations/{theirs}").status_code == 403  # an open record is the observer's alone
    assert stored(app, theirs).scores == []


def test_principal_reads_and_acknowledges_own_school_finished_records_only(app, client, auth, make_school, make_user,
                                                                          make_observation):
    own, other = make_school(), make_school()
    observer = make_user("inspector", schools=[own, other])
    done = make_observation(own, observer, ObservationStatus.FINAL, teacher_name="赵老师", feedback_note="已当面反馈")
    open_one = make_observation(own, observer, teacher_name="钱老师")
    elsewhere = make_observation(other, observer, ObservationStatus.FINAL, teacher_name="孙老师")
    auth.login_as(Role.PRINCIPAL, school_id=own)
    listing = client.get("/observations/").get_data(as_text=True)
    assert "赵老师" in listing and "钱老师" not in listing and "孙老师" not in listing
    assert f"/observations/{done}" in listing and f"/observations/{open_one}\"" not in listing
    assert f"/observations/{elsewhere}" not in listing
    assert client.get(f"/observations/{done}").status_code == 200
    assert client.get(f"/observations/{open_one}").status_code == 403
    assert client.get(f"/observations/{elsewhere}").status_code == 403
    token = auth.token()
    for _ in range(2):  # a second tap changes nothing
        assert client.post(f"/observations/{done}/acknowledge", data={"csrf_token": token}).status_code == 303
    assert client.post(f"/observations/{elsewhere}/acknowledge", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/observations/{open_one}/acknowledge", data={"csrf_token": token}).status_code == 409
    with app.app_context():
        assert db.session.get(Observation, done).acknowledged_at is not None
        acks = db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "observation", AuditLog.entity_id == str(done), AuditLog.action == "update"))
    assert acks == 1


def test_inspector_lists_only_their_scope(app, client, auth, make_school, make_user, make_observation):
    mine, theirs = make_school(name="我的学校"), make_school(name="别人的学校")
    colleague = make_user("leader")
    make_observation(mine, colleague, ObservationStatus.FINAL, teacher_name="甲老师")
    make_observation(theirs, colleague, ObservationStatus.FINAL, teacher_name="乙老师")
    auth.login_as(Role.INSPECTOR, schools=[mine])
    html = client.get("/observations/").get_data(as_text=True)
    assert "甲老师" in html and "乙老师" not in html


def test_an_open_record_lists_no_total_yet(app, client, leader, make_observation):
    make_observation(leader["school"], leader["user"], ObservationStatus.FINAL, points={})
    rows = re.findall(r'<td class="num">([^<]*)</td><td>', client.get("/observations/").get_data(as_text=True))
    assert sorted(rows) == ["0", "—"]  # the finished one's 0 is a score; the open one has none yet
    book = load_workbook(io.BytesIO(client.get("/observations/export.xlsx").data))
    header, *records = book.active.iter_rows(values_only=True)
    assert sorted((row[header.index("状态")], row[header.index("总分")]) for row in records) == [
        ("听课中", None), ("已完成", 0)]


def test_feedback_is_recorded_by_the_observer_with_errors_beside_fields(app, client, leader):
    url = f"/observations/{leader['observation']}/feedback"
    bad = client.post(url, data={"csrf_token": leader["token"], "feedback_on": "2026-11-20"}, headers=HX)
    assert bad.status_code == 422 and "请选择反馈方式" in bad.get_data(as_text=True)
    good = client.post(url, data={"csrf_token": leader["token"], "feedback_way": "IN_PERSON",
                                  "feedback_on": "2026-11-20", "feedback_note": "课后当面交流"})
    assert good.status_code == 303
    saved = stored(app, leader["observation"])
    assert (saved.feedback_way.value, saved.feedback_note) == ("当面", "课后当面交流")


def test_the_feedback_date_starts_as_today(app, client, leader):
    """The first 保存反馈 needs no date typed: it is the day the page was opened, until one is given."""
    with app.app_context():
        today = clock.today().isoformat()
    html = client.get(f"/observations/{leader['observation']}").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="feedback_on"[^>]*>', html)[0]
    assert f'value="{today}"' in field


def test_quick_log_adds_a_stamped_line_once_per_key(app, client, leader):
    url = f"/observations/{leader['observation']}/log"
    headers = {**HX, "X-CSRFToken": leader["token"]}
    for _ in range(2):
        response = client.post(url, data={"kind": "学生讨论", "key": "key-log-00001"}, headers=headers)
    assert response.status_code == 200 and response.get_data(as_text=True).count("学生讨论</li>") == 1
    assert client.post(url, data={"kind": "<b>", "key": "key-log-00002"}, headers=headers).status_code == 422
    assert [line.kind for line in stored_log(app, leader["observation"])] == ["学生讨论"]


def test_a_tap_kept_offline_keeps_its_moment_but_never_precedes_the_start(app, client, leader):
    url = f"/observations/{leader['observation']}/log"
    headers = {**HX, "X-CSRFToken": leader["token"]}
    with app.app_context():
        observation = db.session.get(Observation, leader["observation"])
        observation.started_at = utcnow() - timedelta(minutes=30)
        db.session.commit()
    client.post(url, data={"kind": "学生练习", "key": "key-log-00003", "age": 10 * 60 * 1000}, headers=headers)
    client.post(url, data={"kind": "提问互动", "key": "key-log-00004", "age": 3 * 3600 * 1000}, headers=headers)
    refused = client.post(url, data={"kind": "提问互动", "key": "key-log-00005", "age": -5}, headers=headers)
    assert refused.status_code == 422
    with app.app_context():
        observation = db.session.get(Observation, leader["observation"])
        at = {line.kind: line.at for line in observation.log}
        assert abs((utcnow() - at["学生练习"]).total_seconds() - 600) < 30
        assert at["提问互动"] == observation.started_at and len(at) == 2


def stored_log(app, observation_id):
    with app.app_context():
        return list(db.session.get(Observation, observation_id).log)


# Semesters -----------------------------------------------------------------------------------

@pytest.mark.parametrize("day,name", [
    (date(2027, 1, 31), "2026—2027学年第一学期"), (date(2027, 2, 1), "2026—2027学年第二学期"),
    (date(2027, 7, 31), "2026—2027学年第二学期"), (date(2027, 8, 31), "2026—2027学年第二学期"),
    (date(2027, 9, 1), "2027—2028学年第一学期"), (date(2026, 12, 31), "2026—2027学年第一学期"),
])
def test_semester_boundaries(day, name):
    assert clock.semester(day).name == name
    semester = clock.semester(day)
    assert semester.start <= day <= semester.end


def test_semester_dates_are_beijing_dates(app):
    late_utc = datetime(2027, 1, 31, 16, 30, tzinfo=UTC)   # 2027-02-01 00:30 in Beijing
    with app.app_context():
        assert clock.semester(local_date(late_utc)).name == "2026—2027学年第二学期"
        assert clock.semester(local_date(datetime(2027, 1, 31, 15, 59, tzinfo=UTC))).term == 1


# Counts, list, export ------------------------------------------------------------------------

def test_counts_per_observer_against_quota_and_per_school_subject_grade(app, client, auth, make_school, make_user,
                                                                       make_classes, make_observation,
                                                                       rubric_version, queries_for):
    school = make_school(name="南湖小学")
    class_id = make_classes(school)[0]
    observer = make_user("inspector", display_name="周督学", schools=[school])
    dims = dimensions(app, rubric_version)
    full = {item_id: m for item_id, m in dims}
    low = {item_id: 0 for item_id, _ in dims}
    for n in range(3):
        make_observation(school, observer, ObservationStatus.FINAL, observed_on=date(2026, 10, 10 + n),
                         points=full if n else low, subject="数学", class_id=class_id)
    make_observation(school, observer, ObservationStatus.FINAL, observed_on=date(2027, 2, 1), points=full, subject="语文")
    make_observation(school, observer, observed_on=date(2026, 10, 1), subject="英语")  # open: not counted
    auth.login_as(Role.ADMIN)
    html = client.get("/observations/counts?semester=2026-1").get_data(as_text=True)
    assert re.search(r"<td>周督学</td><td>督学</td><td class=\"num\">3</td>\s*<td class=\"num\">20</td>", html)
    assert re.search(r"<td>数学</td><td class=\"num\">3</td><td class=\"num\">66.7</td>", html)
    assert "优 2" in html and "差 1" in html and "<td>七年级</td>" in html and "英语" not in html
    assert client.post("/observations/quota", data={"leader": "12", "inspector": "15", "principal": "18",
                                                    "staff": "16", "csrf_token": auth.token()}).status_code == 303
    assert re.search(r"<td class=\"num\">3</td>\s*<td class=\"num\">15</td>", client.get("/observations/counts?semester=2026-1").get_data(as_text=True))
    few = queries_for("/observations/counts?semester=2026-1")
    for n in range(10):
        make_observation(school, observer, ObservationStatus.FINAL, observed_on=date(2026, 11, 1 + n), points=full)
    assert queries_for("/observations/counts?semester=2026-1") == few
    assert queries_for("/observations/?semester=2026-1") == queries_for("/observations/?semester=2027-2")


def test_a_refused_quota_comes_back_beside_its_field_and_saves_nothing(app, client, auth):
    """The 任务量 form has a field for each role it saves (学校中层 was missing from the page, so every
    save from it was refused); a wrong figure is refused beside its field (422), the others kept."""
    auth.login_as(Role.ADMIN)
    page = client.get("/observations/counts").get_data(as_text=True)
    assert all(f'name="{name}"' in page for name in QuotaForm.ROLES)
    before = queries_table(app)
    answer = client.post("/observations/quota", headers=HX, data={"leader": "12", "inspector": "-1", "principal": "18",
                                                                  "staff": "", "csrf_token": auth.token()})
    assert answer.status_code == 422
    form = answer.get_data(as_text=True)
    assert form.lstrip().startswith("<form") and "<html" not in form
    assert re.search(r'id="inspector-msg"[^>]*>.*?0 到 500 之间', form, re.S)
    assert re.search(r'id="staff-msg"[^>]*>.*?请填写', form, re.S)
    assert 'value="12"' in form and 'value="18"' in form
    assert queries_table(app) == before
    assert client.post("/observations/quota", data={"leader": "12", "inspector": "15", "principal": "18", "staff": "6",
                                                    "csrf_token": auth.token()}).status_code == 303
    assert queries_table(app)[Role.STAFF] == 6


def queries_table(app) -> dict:
    with app.app_context():
        return queries.quota_table()


def test_an_inspector_sees_only_their_own_count_not_others_partial_ones(app, client, auth, make_school, make_user,
                                                                         make_observation):
    shared, elsewhere = make_school(), make_school()
    colleague = make_user("inspector", display_name="钱督学", schools=[shared, elsewhere])
    for school in (shared, elsewhere):
        make_observation(school, colleague, ObservationStatus.FINAL, observed_on=date(2026, 10, 9))
    me = auth.login_as(Role.INSPECTOR, schools=[shared])
    make_observation(shared, me, ObservationStatus.FINAL, observed_on=date(2026, 10, 9))
    with app.app_context():
        my_name = db.session.get(User, me).display_name
    html = client.get("/observations/counts?semester=2026-1").get_data(as_text=True)
    rows = re.findall(r"<td>([^<]+)</td><td>督学</td><td class=\"num\">(\d+)</td>", html)
    assert rows == [(my_name, "1")]
    html = client.get(f"/observations/counts?semester=2026-1&observer={colleague}").get_data(as_text=True)
    assert [name for name, _ in re.findall(r"<td>([^<]+)</td><td>督学</td><td class=\"num\">(\d+)</td>", html)] == [my_name]


def test_list_filters_and_export_one_row_per_record_with_dimension_scores(app, client, auth, make_school, make_user,
                                                                        make_observation, rubric_version):
    school = make_school(name="北关小学")
    observer = make_user("leader", display_name="何局长")
    dims = dimensions(app, rubric_version)
    make_observation(school, observer, ObservationStatus.FINAL, points={item_id: m for item_id, m in dims},
                     subject="数学", teacher_name="甲老师")
    make_observation(school, observer, ObservationStatus.FINAL, points={item_id: 0 for item_id, _ in dims},
                     subject="语文", teacher_name="乙老师", observed_on=date(2027, 3, 1))
    auth.login_as(Role.LEADER)
    listing = client.get("/observations/?subject=数学", headers=HX).get_data(as_text=True)
    assert "甲老师" in listing and "乙老师" not in listing
    assert "乙老师" in client.get("/observations/?semester=2026-2&grade=差").get_data(as_text=True)
    assert "甲老师" not in client.get("/observations/?start=2027-01-01").get_data(as_text=True)
    response = client.get("/observations/export.xlsx?school=" + str(school))
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 3 and "教学目标：明确，符合课程标准和学生实际" in rows[0]
    header = list(rows[0])
    by_teacher = {row[header.index("授课教师")]: row for row in rows[1:]}
    assert by_teacher["甲老师"][header.index("总分")] == 100 and by_teacher["甲老师"][header.index("等级")] == "优"
    assert by_teacher["乙老师"][header.index("教学目标：明确，符合课程标准和学生实际")] == 0


def test_rubrics_are_listed_apart_from_checklists(app, client, auth, rubric_version, make_template):
    make_template(name="某检查表")
    auth.login_as(Role.ADMIN)
    checklists = client.get("/checklists/").get_data(as_text=True)
    rubrics = client.get("/checklists/?kind=RUBRIC").get_data(as_text=True)
    assert "某检查表" in checklists and rubric.NAME not in checklists
    assert rubric.NAME in rubrics and "某检查表" not in rubrics
    start = client.get("/inspections/new").get_data(as_text=True)
    assert rubric.NAME not in start


def test_csrf_is_required(client, leader, rubric_version, app):
    item_id, _ = dimensions(app, rubric_version)[0]
    response = client.post(f"/observations/{leader['observation']}/scores/{item_id}", data={"value": "1", "revision": "0"},
                           headers=HX)
    assert response.status_code == 400
    assert stored(app, leader["observation"]).scores == []
    assert score(client, leader, item_id, "1").status_code == 200  # the same save with the token: all it lacked
    assert [s.points for s in stored(app, leader["observation"]).scores] == [Decimal(1)]


# School classes, timetable and teachers (Excel) ----------------------------------------------

def lists_xlsx(classes=(), timetable=(), teachers=(), headers=None) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    sheets = {"班级": (["年级", "班级"], classes), "课表": (["年级", "班级", "星期", "节次", "学科"], timetable),
              "教师": (["姓名", "任教学科"], teachers)}
    book.remove(book.active)
    for name, (header, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append((headers or {}).get(name, header))
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, auth, school, data):
    return client.post(f"/schools/{school}/classes/import", content_type="multipart/form-data",
                       data={"csrf_token": auth.token(), "file": (io.BytesIO(data), "lists.xlsx")})


def test_principal_imports_classes_timetable_and_teachers(app, client, auth, make_school):
    school = make_school()
    auth.login_as(Role.PRINCIPAL, school_id=school)
    data = lists_xlsx(classes=[("七年级", "1班"), ("七年级", "2班")],
                      timetable=[("七年级", "1班", "星期一", 1, "语文"), ("七年级", "1班", 2, 3, "数学")],
                      teachers=[("王晓燕", "语文"), ("李志刚", "数学")])
    assert upload(client, auth, school, data).status_code == 303
    assert upload(client, auth, school, data).status_code == 303  # the same file again: nothing doubles
    page = client.get(f"/schools/{school}/classes/").get_data(as_text=True)
    assert "班级（2）" in page and "王晓燕" in page
    with app.app_context():
        slots = db.session.scalars(select(TimetableSlot).order_by(TimetableSlot.weekday)).all()
        assert [(s.weekday, s.period, s.subject) for s in slots] == [(1, 1, "语文"), (2, 3, "数学")]
    exported = client.get(f"/schools/{school}/classes/lists.xlsx")
    assert upload(client, auth, school, exported.data).status_code == 303  # what goes out comes back in


def test_a_bad_row_anywhere_imports_nothing_and_every_error_is_listed(app, client, auth, make_school):
    school = make_school()
    auth.login_as(Role.PRINCIPAL, school_id=school)
    data = lists_xlsx(classes=[("七年级", "1班"), ("七年级", "1班"), ("", "3班")],
                      timetable=[("八年级", "1班", "星期八", 13, "语文")],
                      teachers=[("王晓燕", "语文"), ("王" * 41, "数学")])
    response = upload(client, auth, school, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "文件未导入" in html
    for text in ("「班级」第 3 行", "该班级与第 2 行重复", "「班级」第 4 行", "必填，不能为空", "不是星期几",
                 "不是 1 到 12 之间的节次", "“八年级1班”不在本校班级中", "「教师」第 3 行", "最多 40 个字"):
        assert text in html, text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SchoolClass)) == 0


def test_another_schools_lists_cannot_be_imported(client, auth, make_school):
    own, other = make_school(), make_school()
    auth.login_as(Role.PRINCIPAL, school_id=own)
    assert upload(client, auth, other, lists_xlsx(classes=[("七年级", "1班")])).status_code == 403


@pytest.mark.parametrize("span,name,leaders,standard", [
    ("", "2026—2027学年第一学期", 2, "66.7"),   # A's and B's autumn lessons; 2 of 3 up to standard
    ("year", "2026—2027学年", 3, "50.0"),       # and A's spring lesson (差): 2 of 4
    ("calendar", "2026年", 3, "75.0"),          # A's lesson of last May instead (优): 3 of 4
])
def test_counts_by_semester_school_year_and_calendar_year_with_role_totals_and_standard_rate(
        app, client, auth, make_school, make_user, make_observation, rubric_version, span, name, leaders, standard):
    """A report's "领导听课60余节次" and the 优质均衡 plan's 课堂教学达标率 (≥ 95 %), counted by hand here."""
    school = make_school(name="南湖小学")
    a, b = make_user("leader", display_name="甲局长"), make_user("leader", display_name="乙局长")
    inspector = make_user("inspector", display_name="周督学", schools=[school])
    dims = dimensions(app, rubric_version)
    full, low = {i: m for i, m in dims}, {i: 0 for i, _ in dims}
    for observer, day, points in ((a, date(2026, 10, 10), full), (a, date(2027, 3, 1), low), (a, date(2026, 5, 1), full),
                                  (b, date(2026, 11, 11), full), (inspector, date(2026, 10, 12), low)):
        make_observation(school, observer, ObservationStatus.FINAL, observed_on=day, points=points)
    auth.login_as(Role.ADMIN)
    html = client.get(f"/observations/counts?semester=2026-1&span={span}").get_data(as_text=True)
    assert name in html
    assert re.search(rf'<th scope="row">领导合计</th><td>领导</td><td class="num">{leaders}</td>', html)
    school_table = html.split('id="counts-school"', 1)[1].split("</table>", 1)[0]
    assert re.search(rf'<tr><td>南湖小学</td><td class="num">{leaders + 1}</td>.*?<td class="num">{standard}</td>',
                     school_table, re.S)
    assert re.search(rf'<th scope="row">合计</th><td class="num">{leaders + 1}</td><td class="num">[\d.]+</td>\s*'
                     rf'<td class="num">{standard}</td>', school_table)


def test_counts_default_to_the_current_semester(app, client, auth, make_school, make_user, make_observation):
    school = make_school()
    observer = make_user("leader", display_name="许局长")
    today = date.today()
    make_observation(school, observer, ObservationStatus.FINAL, observed_on=today)
    make_observation(school, observer, ObservationStatus.FINAL, observed_on=today.replace(year=today.year - 1))
    auth.login_as(Role.ADMIN)
    html = client.get("/observations/counts").get_data(as_text=True)
    assert clock.semester(today).name in html
    assert re.search(r"<td>许局长</td><td>领导</td><td class=\"num\">1</td>", html)


def test_home_pages_show_this_semesters_lessons_against_the_quota(app, make_school, make_user, make_observation):
    school = make_school()
    today = date.today()
    inspector = make_user("inspector", schools=[school])
    leader = make_user("leader")
    make_observation(school, inspector, ObservationStatus.FINAL, observed_on=today)
    make_observation(school, leader, ObservationStatus.FINAL, observed_on=today)
    make_observation(school, leader, ObservationStatus.DRAFT, observed_on=today)  # not finished: not counted
    make_observation(school, leader, ObservationStatus.FINAL, observed_on=today.replace(year=today.year - 1))

    def cards(user_id):
        """(own lessons, quota) and the county's lessons on the user's home page."""
        client = app.test_client()
        with app.app_context():
            Auth(app, client, make_user).login(db.session.get(User, user_id).username)
        html = client.get("/").get_data(as_text=True)
        mine = re.search(r'<div class="figure">(\d+)<span class="figure-of"> / (\d+)</span></div>\s*'
                         r'<div class="label">本学期我的推门听课', html)
        county = re.search(r'<div class="figure">(\d+)</div><div class="label">本学期全县推门听课', html)
        return mine and mine.groups(), county and county[1]

    assert cards(leader) == (("1", "10"), "2")
    assert cards(make_user("admin")) == (None, "2")  # the office has no quota of its own
    assert cards(inspector) == (("1", "20"), None)  # their own only: they see part of the county
    assert cards(make_user("principal", school_id=school)) == (("0", "20"), None)  # their own, at their school
