"""全县概览: the figures (SQL aggregates over the schools in reach), the filters, who sees what,
the workbook, and a query count that does not grow with the records."""
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.models import (Inspection, InspectionStatus, Observation, ObservationStatus, RectificationItem,
                           RectificationStatus, Role)
from portal.clock import today

HX = {"HX-Request": "true"}


@pytest.fixture
def county(app, make_school, make_user, make_template):
    """Two groups; inspections of this semester and the last; open, overdue and closed items; lessons."""
    east = make_school(name="东城小学", education_group="东部教育集团")
    east2 = make_school(name="东湖小学", education_group="东部教育集团")
    west = make_school(name="西山小学", education_group="西部教育集团", township="西山镇")
    inspector = make_user("inspector", display_name="赵督学", schools=[east, east2])
    leader = make_user("leader", display_name="钱局长")
    version = make_template()
    with app.app_context():
        now = clock.semester(today())
        day = now.start + timedelta(days=10)
        last = now.previous().start + timedelta(days=10)

        def inspect(school, percent, band, critical=False, status=InspectionStatus.APPROVED, on=day):
            db.session.add(Inspection(school_id=school, version_id=version, visit_date=on, status=status,
                                      inspector_id=inspector, percent=Decimal(percent) if percent else None,
                                      band=band, critical_failed=critical))

        inspect(east, "90", "优秀")
        inspect(east, "70", "合格")
        inspect(east2, "55", "不合格", critical=True, status=InspectionStatus.SUBMITTED)
        inspect(west, "85", "良好")
        inspect(west, None, None, status=InspectionStatus.DRAFT)   # not handed in: not counted
        inspect(west, "60", "合格", on=last)                        # last semester: the trend only

        def item(school, due_in, status=RectificationStatus.OPEN, by=inspector):
            db.session.add(RectificationItem(school_id=school, problem="问题", requirement="要求", status=status,
                                             due_date=today() + timedelta(days=due_in), inspector_id=by))

        item(east, -3)
        item(east, 5)
        item(east, -1, RectificationStatus.CLOSED)
        item(west, -9, by=None)
        for n in range(2):
            db.session.add(Observation(school_id=west, observer_id=leader, version_id=version, observed_on=day,
                                       status=ObservationStatus.FINAL))
        db.session.add(Observation(school_id=west, observer_id=leader, version_id=version, observed_on=day))
        db.session.commit()
    return dict(east=east, east2=east2, west=west, inspector=inspector, leader=leader, now=now)


def rows_of(html: str, section: str) -> list[list[str]]:
    """The data table of one section (after its chart), as text cells."""
    part = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    table = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td[^>]*>(?:<a [^>]*>)?([^<]*)", row) for row in table.split("</tr>") if "<td" in row]


def test_the_office_sees_the_county_in_figures_and_charts(client, auth, county):
    auth.login_as(Role.ADMIN)
    html = client.get("/overview").get_data(as_text=True)
    assert "<h1>全县概览</h1>" in html
    assert rows_of(html, "overview-schools") == [["东湖小学", "1", "55", "1"], ["东城小学", "2", "80", "0"],
                                                 ["西山小学", "1", "85", "0"]]
    assert rows_of(html, "overview-groups") == [["东部教育集团", "3", "71.7", "1"], ["西部教育集团", "1", "85", "0"]]
    assert ["合格", "1"] in rows_of(html, "overview-bands") and len(rows_of(html, "overview-bands")) == 4
    assert rows_of(html, "overview-critical")[0][1] == "东湖小学"
    trend = rows_of(html, "overview-trend")
    assert trend[-1] == [county["now"].name, "4", "75"] and trend[-2] == [county["now"].previous().name, "1", "60"]
    assert rows_of(html, "overview-rect-schools") == [["东城小学", "2", "1"], ["西山小学", "1", "1"]]
    assert rows_of(html, "overview-rect-inspectors") == [["赵督学", "2", "1"], ["未指定", "1", "1"]]
    assert ["钱局长", "领导", "2", "10"] in rows_of(html, "overview-observers")
    assert html.count('<svg class="chart"') >= 7
    groups = html.split('id="overview-groups"', 1)[1].split("</section>", 1)[0]  # red and green bars say what they mean
    assert "80% 及以上" in groups and "低于 60% 或有一票否决" in groups


def test_filters_narrow_every_figure(client, auth, county):
    auth.login_as(Role.LEADER)
    html = client.get("/overview?group=西部教育集团", headers=HX).get_data(as_text=True)
    assert "<html" not in html  # the results block only
    assert [row[0] for row in rows_of(html, "overview-schools")] == ["西山小学"]
    assert rows_of(html, "overview-rect-schools") == [["西山小学", "1", "1"]]
    last = county["now"].previous().code
    html = client.get(f"/overview?semester={last}").get_data(as_text=True)
    assert rows_of(html, "overview-schools") == [["西山小学", "1", "60", "0"]]
    assert client.get("/overview?semester=1999-1&kind=NOPE").status_code == 200  # bad filters: ignored


def test_a_principal_sees_only_their_school_and_an_inspector_only_theirs(client, auth, county):
    auth.login_as(Role.PRINCIPAL, school_id=county["west"])
    html = client.get("/overview").get_data(as_text=True)
    assert "东城小学" not in html and "东湖小学" not in html and "赵督学" not in html
    assert "<h1>本校概览</h1>" in html and "全县概览" not in html  # the page says whose figures they are
    assert [row[0] for row in rows_of(html, "overview-schools")] == ["西山小学"]
    assert 'id="overview-observers"' not in html  # counts against quotas are the county's
    client.post("/logout", headers={"X-CSRFToken": auth.token()})
    auth.login_as(Role.INSPECTOR, schools=[county["east"]])
    html = client.get("/overview").get_data(as_text=True)
    assert [row[0] for row in rows_of(html, "overview-schools")] == ["东城小学"] and "西山小学" not in html
    assert "<h1>责任区概览</h1>" in html


def test_the_workbook_holds_the_numbers_of_every_chart(client, auth, county):
    auth.login_as(Role.ADMIN)
    response = client.get("/overview.xlsx?group=东部教育集团")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["督导批次", "学校得分", "集团得分", "等级分布", "一票否决", "学期趋势", "整改-学校",
                               "整改-督学", "规划完成", "听课完成"]
    assert [list(r) for r in book["学校得分"].iter_rows(min_row=2, values_only=True)] == [
        ["东湖小学", 1, 55.0, 1], ["东城小学", 2, 80.0, 0]]


def test_query_count_does_not_grow_with_the_records(app, client, auth, county, make_school, queries_for):
    auth.login_as(Role.ADMIN)
    before = queries_for("/overview")
    more = make_school(name="新建小学")
    with app.app_context():
        for n in range(30):
            db.session.add(Inspection(school_id=more, version_id=db.session.get(Inspection, 1).version_id,
                                      visit_date=county["now"].start + timedelta(days=n), percent=Decimal(70 + n % 20),
                                      band="合格", status=InspectionStatus.APPROVED))
            db.session.add(RectificationItem(school_id=more, problem="问题", requirement="要求",
                                             due_date=date(2026, 1, 1) + timedelta(days=n)))
        db.session.commit()
    assert queries_for("/overview") == before


def test_plan_milestones_by_dimension_count_only_approved_plans_running_now(app, client, auth, county):
    from portal.models import Dimension, Goal, Milestone, MilestoneStatus, Plan, PlanStatus
    from portal.plans import progress

    with app.app_context():
        year = progress.school_year(today())

        def plan(school, status, start, states):
            goal = Goal(dimension=Dimension.TEACHING, text="课堂教学目标", milestones=[
                Milestone(title=f"里程碑{n}", due_date=due, status=state, owner="教务处", result="成果",
                          done_on=due if state is MilestoneStatus.DONE else None)
                for n, (due, state) in enumerate(states)])
            db.session.add(Plan(school_id=school, start_year=start, title="规划", status=status, goals=[goal]))

        past, later = today() - timedelta(days=10), today() + timedelta(days=30)
        plan(county["east"], PlanStatus.APPROVED, year, [(past, MilestoneStatus.DONE), (past, MilestoneStatus.IN_PROGRESS),
                                                        (later, MilestoneStatus.NOT_STARTED)])
        plan(county["west"], PlanStatus.DRAFT, year, [(past, MilestoneStatus.DONE)])          # not approved
        plan(county["east2"], PlanStatus.APPROVED, year - 5, [(past, MilestoneStatus.DONE)])  # an old period
        db.session.commit()
    auth.login_as(Role.LEADER)
    rows = {row[0]: row[1:] for row in rows_of(client.get("/overview").get_data(as_text=True), "overview-plans")}
    assert rows["提高课程教学质量"] == ["3", "1", "1", "1", "1"]  # the late one is also missed (past its date)
    assert rows["明确办学方向"] == ["0", "0", "0", "0", "0"]


def test_the_observers_chart_counts_inspectors_and_leaders_not_a_schools_own_people(app, client, auth, county,
                                                                                    make_user):
    """A principal's and a 中层's lessons are their school's (counted on 听课统计), not the county's observers'."""
    principal = make_user("principal", school_id=county["west"], display_name="孙校长")
    staff = make_user("staff", school_id=county["west"], display_name="李教导")
    with app.app_context():
        version = db.session.scalar(select(Observation.version_id))
        day = county["now"].start + timedelta(days=10)
        for observer in (principal, staff, staff):
            db.session.add(Observation(school_id=county["west"], observer_id=observer, version_id=version,
                                       observed_on=day, status=ObservationStatus.FINAL))
        db.session.commit()
    auth.login_as(Role.ADMIN)
    rows = rows_of(client.get("/overview").get_data(as_text=True), "overview-observers")
    names = [row[0] for row in rows]
    assert "钱局长" in names and "赵督学" in names and "孙校长" not in names and "李教导" not in names
