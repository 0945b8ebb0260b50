"""Rankings (supervision/ranking.py): per category, ties as ties, critical failures after the ranked
schools, the rank change since the previous comparable ranking; and the circular's table and the
overview agreeing with it on the demo county."""
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal import clock
from portal.demo import DEMO_PASSWORD, seed
from portal.extensions import db
from portal.models import (Document, Inspection, InspectionStatus, Role, Round, RoundKind, RoundMode, School, SchoolKind,
                           User)
from portal.supervision import standings
from portal.supervision.ranking import Grouping, Result, change_text, places, rank, rank_text

DEFAULT = "幼儿园=幼儿园;小学=小学,教学点;初中=初中;九年一贯制=九年一贯制;高中=高中,完全中学"
GROUPING = Grouping(DEFAULT)
SCHOOL_IDS: dict[str, int] = {}


def result(name, percent, kind=SchoolKind.PRIMARY, critical=False):
    school_id = SCHOOL_IDS.setdefault(name, len(SCHOOL_IDS) + 1)
    return Result(school_id, name, f"{school_id:04d}", kind, None if percent is None else Decimal(percent),
                  critical=critical)


def table(standings_):
    return {s.category: [(p.result.school, rank_text(p)) for p in s.places] for s in standings_}


def test_each_category_is_ranked_on_its_own_in_the_settings_order():
    found = rank([result("一中", "70", SchoolKind.SENIOR), result("城东小学", "90"), result("实验幼儿园", "95",
                  SchoolKind.KINDERGARTEN), result("城西小学", "85"), result("完中", "99", SchoolKind.COMPLETE_SECONDARY),
                  result("职校", "60", SchoolKind.VOCATIONAL), result("教学点", "88", SchoolKind.TEACHING_POINT)], GROUPING)
    assert [s.category for s in found] == ["幼儿园", "小学", "高中", "其他"]
    assert table(found) == {"幼儿园": [("实验幼儿园", "1")], "小学": [("城东小学", "1"), ("教学点", "2"), ("城西小学", "3")],
                            "高中": [("完中", "1"), ("一中", "2")], "其他": [("职校", "1")]}


def test_ties_share_a_rank_and_the_next_skips():
    found = rank([result("B", "80"), result("A", "95"), result("C", "80"), result("D", "70")], GROUPING)
    ranked = found[0].places
    assert [(p.result.school, p.rank, p.tied) for p in ranked] == [
        ("A", 1, False), ("B", 2, True), ("C", 2, True), ("D", 4, False)]
    assert [rank_text(p) for p in ranked] == ["1", "2（并列）", "2（并列）", "4"]


def test_a_school_failed_by_a_critical_item_comes_after_every_ranked_school_unranked():
    found = rank([result("否决校", "83", critical=True), result("良好校", "81"), result("合格校", "62"),
                  result("未交校", None)], GROUPING)
    assert table(found)["小学"] == [("良好校", "1"), ("合格校", "2"), ("否决校", "一票否决"), ("未交校", "未完成")]
    assert [p.state for p in found[0].places] == ["ranked", "ranked", "critical", "unfinished"]


def test_rank_change_compares_the_same_school_in_the_same_category():
    before = [result("甲", "90"), result("乙", "80"), result("丙", "70"), result("丁", "99", SchoolKind.JUNIOR)]
    now = [result("甲", "75"), result("乙", "85"), result("丙", "70"), result("戊", "72"),
           result("丁", "60"), result("庚", "99", critical=True)]
    found = places(rank(now, GROUPING, before))
    assert {name: (found[SCHOOL_IDS[name]].change, change_text(found[SCHOOL_IDS[name]]))
            for name in ("甲", "乙", "丙", "戊", "丁", "庚")} == {
        "甲": (-1, "↓1"), "乙": (1, "↑1"), "丙": (-1, "↓1"), "戊": (None, "新"), "丁": (None, "新"), "庚": (None, "—")}
    # 丁 was first among 初中 before; among 小学 now it is new, not "down" from another category's rank.
    assert found[SCHOOL_IDS["丁"]].rank == 5
    assert change_text(places(rank([result("甲", "90")], GROUPING, [result("甲", "80")]))[SCHOOL_IDS["甲"]]) == "持平"
    failed_before = places(rank([result("甲", "90")], GROUPING, [result("甲", "80", critical=True), result("乙", "70")]))
    assert change_text(failed_before[SCHOOL_IDS["甲"]]) == "上次未排名"


def test_without_a_previous_ranking_there_is_no_change_to_show():
    found = places(rank([result("甲", "90")], GROUPING, []))
    assert change_text(found[SCHOOL_IDS["甲"]]) == "—"


@pytest.mark.parametrize("setting, problem", [
    ("小学=小学;初中=小学", "两个类别"), ("小学=小学校", "没有“小学校”"), ("小学", "应写成")])
def test_a_wrong_category_setting_is_refused_with_a_reason(setting, problem):
    with pytest.raises(ValueError, match=problem):
        Grouping(setting)


def test_a_wrong_category_setting_stops_the_app(tmp_path):
    from portal import create_app
    with pytest.raises(RuntimeError, match="RANKING_CATEGORIES"):
        create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                    "RANKING_CATEGORIES": "小学=小学校"})


def test_the_categories_are_a_setting():
    grouping = Grouping("中小学=小学,初中,九年一贯制")
    assert [s.category for s in rank([result("一小", "80"), result("一初", "90", SchoolKind.JUNIOR)], grouping)] == \
        ["中小学"]
    assert grouping.category(SchoolKind.KINDERGARTEN) == "其他"


@pytest.fixture
def demo(app):
    with app.app_context():
        seed()
        db.session.commit()
        # The round the demo's circular was composed from (finished two weeks ago).
        return db.session.scalar(select(Document.round_id).where(Document.round_id.is_not(None)))


def cells(html: str, section: str) -> list[list[str]]:
    part = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in part.split("</tr>") if "<td" in row]


def test_the_circular_and_the_overview_agree_with_the_ranking_on_the_demo_round(app, client, auth, demo):
    with app.test_request_context():
        finished = db.session.get(Round, demo)
        expected = [[s.category, rank_text(p), p.result.school] for s in standings.of_round(finished) for p in s.places]
        document = db.session.scalar(select(Document).where(Document.round_id == demo))
        template_id = finished.version.template_id
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN)).username
        term = clock.semester(finished.ends_on)
        by_term = [[s.category, rank_text(p), p.result.school] for s in standings.of_term(template_id, term)
                   for p in s.places]
    assert len({row[0] for row in expected}) >= 4  # the demo round has kindergartens, primary, junior and senior schools
    assert [row[:3] for row in document.table] == expected
    auth.login(admin, DEMO_PASSWORD)
    html = client.get(f"/overview?round={demo}").get_data(as_text=True)
    assert [row[:3] for row in cells(html, "overview-ranking")] == expected
    html = client.get(f"/overview?template={template_id}&semester={term.code}").get_data(as_text=True)
    assert [row[:3] for row in cells(html, "overview-ranking")] == by_term
    # The round's results and two earlier inspections on the same checklist: each school's latest counts.
    assert len(by_term) == len(expected) and by_term != expected


def test_the_workbooks_carry_the_same_ranking_and_the_modes(app, client, auth, demo):
    with app.test_request_context():
        finished = db.session.get(Round, demo)
        expected = [[s.category, rank_text(p), p.result.school, change_text(p)]
                    for s in standings.of_round(finished) for p in s.places]
        since = finished.starts_on.isoformat()
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN)).username
    auth.login(admin, DEMO_PASSWORD)
    book = load_workbook(io.BytesIO(client.get(f"/overview.xlsx?round={demo}").data))
    assert book.sheetnames[:2] == ["督导批次", "排名"]
    assert [[r[0], r[1], r[2], r[5]] for r in book["排名"].iter_rows(min_row=2, values_only=True)] == expected
    assert list(book["督导批次"].iter_rows(values_only=True))[1][:3] == (finished.name, "综合督导", "期末督导")
    # The inspections' workbook: each approved inspection of the round with its place in the same ranking.
    rows = list(load_workbook(io.BytesIO(client.get(f"/inspections/export.xlsx?mode=TERM_END&start={since}").data)).active
                .iter_rows(values_only=True))
    header = rows[0]
    found = {(r[header.index("排名类别")], r[header.index("名次")], r[header.index("学校")], r[header.index("名次升降")])
             for r in rows[1:]}
    assert found == {tuple(row) for row in expected}
    assert {r[header.index("督导方式")] for r in rows[1:]} == {"期末督导"}


def test_the_inspections_list_filters_by_mode(app, client, auth, demo):
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN)).username
        random_round = db.session.scalar(select(Round).where(Round.kind == RoundKind.RANDOM))
        assert random_round.mode is RoundMode.PROCESS and len(random_round.inspections) == 8
    auth.login(admin, DEMO_PASSWORD)
    listed = client.get("/inspections/?mode=PROCESS", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.search(r"共 (\d+) 次检查", listed)[1] == "8"
    assert listed.count("<td>过程督导</td>") == 8 and "期末督导" not in listed.split("<tbody>")[1]
    everything = client.get("/inspections/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "日常检查" in everything  # the inspections outside a round


def test_the_demo_round_shows_rank_changes_since_last_semester(app, demo):
    with app.test_request_context():
        finished = db.session.get(Round, demo)
        before = standings.previous_round(finished)
        assert before is not None and before.mode is RoundMode.TERM_END and before.ends_on < finished.starts_on
        shown = [change_text(p) for s in standings.of_round(finished) for p in s.places]
    assert any(text.startswith("↑") for text in shown) and any(text.startswith("↓") for text in shown)


def history_rows(html: str) -> list[list[str]]:
    return cells(html, "history-inspections")


def test_a_school_history_shows_its_results_with_rank_and_change_to_its_own_people_only(app, client, auth, demo):
    """Demo school 11 has the round's approved inspection and a comprehensive one submitted, not yet
    approved: its principal sees the first only, the office both; another school's history is refused."""
    with app.test_request_context():
        finished = db.session.get(Round, demo)
        submitted = db.session.scalar(select(Inspection).where(Inspection.status == InspectionStatus.SUBMITTED,
                                                               Inspection.round_id.is_(None),
                                                               Inspection.version_id == finished.version_id))
        school = submitted.school
        place = places(standings.of_round(finished))[school.id]
        principal = db.session.scalar(select(User).where(User.school_id == school.id)).username
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN)).username
        other = db.session.scalar(select(School.id).where(School.id != school.id).limit(1))
    auth.login(principal, DEMO_PASSWORD)
    rows = history_rows(client.get(f"/schools/{school.id}/history").get_data(as_text=True))
    ours = [r for r in rows if r[2] == finished.name]
    assert len(ours) == 1 and ours[0][3] == "期末督导" and ours[0][4] == f"{float(place.result.percent):g}"
    assert ours[0][6] == rank_text(place) and ours[0][7] == change_text(place)
    assert not [r for r in rows if r[0] == submitted.visit_date.isoformat() and r[2] == "—"]  # not approved: not theirs yet
    assert client.get(f"/schools/{other}/history").status_code == 403
    assert client.get(f"/schools/{other}/history.xlsx").status_code == 403
    book = load_workbook(io.BytesIO(client.get(f"/schools/{school.id}/history.xlsx").data))
    sheet = list(book["督导检查"].iter_rows(values_only=True))
    assert len(sheet) == 1 + len(rows) and [r[3] for r in sheet[1:]].count(finished.name) == 1
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login(admin, DEMO_PASSWORD)
    rows = history_rows(client.get(f"/schools/{school.id}/history").get_data(as_text=True))
    waiting = [r for r in rows if r[0] == submitted.visit_date.isoformat() and r[2] == "—"]
    assert len(waiting) == 1 and "已提交" in waiting[0][5] and waiting[0][6] == "—"  # handed in, not ranked yet


def test_the_round_page_shows_the_same_ranking(app, client, auth, demo):
    with app.test_request_context():
        finished = db.session.get(Round, demo)
        expected = [[s.category, rank_text(p), p.result.school] for s in standings.of_round(finished) for p in s.places]
        before = standings.previous_round(finished).name
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN)).username
    auth.login(admin, DEMO_PASSWORD)
    html = client.get(f"/rounds/{demo}").get_data(as_text=True)
    assert [row[:3] for row in cells(html, "round-ranking")] == expected and f"与“{before}”比较" in html
