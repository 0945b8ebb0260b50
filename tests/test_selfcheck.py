"""学校自查: asked by a round or the office, filled by the school (its principal and the staff named), handed in
with its report by the date, shown to the inspector beside their own answers, and never an official result."""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.models import (AuditLog, Inspection, InspectionStatus, Purpose, RectificationItem, Round, RoundKind,
                           SelfCheck, utcnow)

from .conftest import HX, items
from .test_rectification import Person

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def county(app, make_school, make_user, make_template):
    """A round under way at two schools: 周督学 inspects 城东小学 (their 责任区), 吴督学 西山小学; each school
    has its principal; the office."""
    east, west = make_school(name="城东小学"), make_school(name="西山小学")
    zhou = make_user("inspector", display_name="周督学", schools=[east])
    wu = make_user("inspector", display_name="吴督学", schools=[west])
    version = make_template()
    with app.app_context():
        today = clock.today()
        supervision_round = Round(name="秋季专项督导", kind=RoundKind.SPECIAL, version_id=version,
                                  starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=20))
        official = {school: Inspection(school_id=school, version_id=version, visit_date=today, inspector_id=who,
                                       round=supervision_round) for school, who in ((east, zhou), (west, wu))}
        db.session.add_all([supervision_round, *official.values()])
        db.session.commit()
        ids = dict(round=supervision_round.id, official_east=official[east].id, official_west=official[west].id)
    return dict(east=east, west=west, zhou=zhou, wu=wu, version=version, today=today,
                principal=make_user("principal", display_name="王校长", school_id=east),
                neighbour=make_user("principal", display_name="李校长", school_id=west),
                admin=make_user("admin"), leader=make_user("leader"), **ids)


def ask_round(app, county, due=None) -> dict[int, SelfCheck]:
    office = Person(app, county["admin"])
    due = due or county["today"] + timedelta(days=7)
    response = office.post(f"/self-checks/round/{county['round']}", {"due_on": due.isoformat()})
    assert response.status_code == 303
    with app.app_context():
        checks = db.session.scalars(select(SelfCheck).where(SelfCheck.round_id == county["round"])).all()
        return {check.school_id: (check.id, check.inspection_id) for check in checks}


def answer(person, inspection_id, item_id, headers=HX, **fields):
    return person.client.post(f"/inspections/{inspection_id}/items/{item_id}", data={"revision": "0", **fields},
                              headers={**headers, "X-CSRFToken": person.token})


def upload(person, check_id, data=PDF, name="自查报告.pdf", key="key-report-0001"):
    return person.client.post(f"/self-checks/{check_id}/files", data={"file": (io.BytesIO(data), name), "key": key},
                              headers={**HX, "X-CSRFToken": person.token}, content_type="multipart/form-data")


def self_check_all(app, person, check_id, inspection_id, values=("10", "达标", "是")):
    points, rating, yes_no = (item.id for item in items(app, inspection_id))
    for n, (item_id, value) in enumerate(zip((points, rating, yes_no), values)):
        assert answer(person, inspection_id, item_id, value=value, note="自评说明", key=f"key-self-{n:04d}").status_code == 200
    assert upload(person, check_id).status_code == 200
    return points, rating, yes_no


def test_a_round_asks_each_of_its_schools_once_on_its_checklist(app, county):
    checks = ask_round(app, county)
    assert set(checks) == {county["east"], county["west"]}
    assert ask_round(app, county) == checks  # asked again: nobody asked twice
    with app.app_context():
        inspection = db.session.get(Inspection, checks[county["east"]][1])
        assert inspection.is_self_check and inspection.round_id is None and inspection.version_id == county["version"]
        assert inspection.inspector_id is None and inspection.self_check.due_on == county["today"] + timedelta(days=7)
    office = Person(app, county["admin"])
    late = office.post(f"/self-checks/round/{county['round']}", {"due_on": (county["today"] - timedelta(days=1)).isoformat()})
    assert late.status_code == 422 and "截止日期不能早于今天" in late.get_data(as_text=True)


def test_the_office_asks_one_school_once_per_tap(app, county):
    office = Person(app, county["admin"])
    form = {"school": county["west"], "version": county["version"], "key": "key-ask-000001",
            "due_on": (county["today"] + timedelta(days=3)).isoformat()}
    first, second = office.post("/self-checks/new", form), office.post("/self-checks/new", form)
    assert first.status_code == second.status_code == 303 and first.headers["Location"] == second.headers["Location"]
    missing = office.post("/self-checks/new", {**form, "school": "", "key": "key-ask-000002"})
    assert missing.status_code == 422 and "请选择学校" in missing.get_data(as_text=True)
    garbled = office.post("/self-checks/new", {**form, "due_on": "下周五", "key": "key-ask-000003"})
    assert garbled.status_code == 422 and 'has-error" id="field-due_on"' in garbled.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(SelfCheck)) == 1


def test_the_principal_fills_their_schools_self_check_and_nobody_elses(app, county):
    checks = ask_round(app, county)
    check_id, inspection_id = checks[county["east"]]
    principal = Person(app, county["principal"])
    page = principal.get(f"/inspections/{inspection_id}/fill").get_data(as_text=True)
    assert "学校自查" in page and "上报自查结果" in page and "提交检查" not in page
    points = items(app, inspection_id)[0].id
    assert answer(principal, inspection_id, points, value="8", note="招生公示齐全", key="key-p-000001").status_code == 200
    listing = principal.get("/self-checks/").get_data(as_text=True)
    assert "城东小学" in listing and "西山小学" not in listing
    for outsider in ("neighbour", "zhou", "leader"):  # another school, the inspector before it is handed in, a leader
        person = Person(app, county[outsider])
        assert person.get(f"/self-checks/{check_id}").status_code == 403
        assert person.get(f"/inspections/{inspection_id}").status_code == 403
        assert answer(person, inspection_id, points, value="1", key="key-o-000001").status_code == 403
        assert "城东小学" not in person.get("/self-checks/").get_data(as_text=True)


def test_the_principal_names_staff_of_their_school_who_then_fill_it(app, county, make_user):
    check_id, inspection_id = ask_round(app, county)[county["east"]]
    # A user of the school without a principal's rights (the coming 学校中层 role will be one).
    staff = make_user("leader", display_name="赵主任", school_id=county["east"])
    elsewhere = make_user("leader", display_name="钱主任", school_id=county["west"])
    principal, colleague = Person(app, county["principal"]), Person(app, staff)
    points = items(app, inspection_id)[0].id
    assert colleague.get(f"/inspections/{inspection_id}/fill").status_code == 403
    assert "钱主任" not in principal.get(f"/self-checks/{check_id}").get_data(as_text=True)  # not offered
    refused = principal.post(f"/self-checks/{check_id}/members", {"user": elsewhere}, headers=HX)
    assert refused.status_code == 422 and "field-user" in refused.get_data(as_text=True)
    named = principal.post(f"/self-checks/{check_id}/members", {"user": staff}, headers=HX)
    assert named.status_code == 200 and "赵主任" in named.get_data(as_text=True)
    assert colleague.get(f"/inspections/{inspection_id}/fill").status_code == 200
    assert answer(colleague, inspection_id, points, value="9", key="key-s-000001").status_code == 200
    assert colleague.post(f"/self-checks/{check_id}/members", {"user": staff}).status_code == 403  # only the principal names
    with app.app_context():
        logged = db.session.scalars(select(AuditLog).where(AuditLog.entity == "self_check", AuditLog.action == "update")).all()
        assert any("赵主任" in str(entry.changes.get("members")) for entry in logged)
    assert principal.post(f"/self-checks/{check_id}/members/{staff}/delete").status_code == 303
    assert colleague.get(f"/inspections/{inspection_id}/fill").status_code == 403


def test_handing_in_needs_every_answer_and_the_report_then_nothing_changes(app, county):
    check_id, inspection_id = ask_round(app, county)[county["east"]]
    principal = Person(app, county["principal"])
    refused = principal.post(f"/self-checks/{check_id}/submit", headers=HX)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "自查报告</a>：尚未上传" in text and "尚未作答" in text
    points, _, _ = self_check_all(app, principal, check_id, inspection_id)
    handed = principal.post(f"/self-checks/{check_id}/submit")
    assert handed.status_code == 303
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        assert inspection.status is InspectionStatus.SUBMITTED and inspection.submitted_at and inspection.percent == 100
    assert answer(principal, inspection_id, points, value="1", key="key-late-0001").status_code == 409
    assert upload(principal, check_id, key="key-report-0002").status_code == 409
    assert principal.post(f"/self-checks/{check_id}/submit").status_code == 303  # a second tap changes nothing
    assert "已上报" in principal.get(f"/self-checks/{check_id}").get_data(as_text=True)
    # Nobody reviews it and nothing official is made of it.
    office = Person(app, county["admin"])
    assert office.post(f"/inspections/{inspection_id}/review", {"decision": "approve"}).status_code == 403
    assert office.get(f"/documents/inspection/{inspection_id}/opinion.pdf").status_code == 404
    assert office.post(f"/rectification/from-finding/{inspection_id}/{points}").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(RectificationItem)) == 0


def test_the_inspector_sees_the_schools_answer_beside_theirs_with_differences_marked(app, county):
    check_id, self_id = ask_round(app, county)[county["east"]]
    principal, zhou = Person(app, county["principal"]), Person(app, county["zhou"])
    official = county["official_east"]
    points, rating, yes_no = self_check_all(app, principal, check_id, self_id, values=("10", "达标", "是"))
    before = zhou.get(f"/inspections/{official}/fill").get_data(as_text=True)
    assert "学校自查" not in before.split("</h1>")[1].split('class="sheet"')[0]  # nothing handed in yet: nothing shown
    assert principal.post(f"/self-checks/{check_id}/submit").status_code == 303
    assert zhou.get(f"/self-checks/{check_id}").status_code == 200  # handed in: the round's inspector reads it
    assert Person(app, county["wu"]).get(f"/self-checks/{check_id}").status_code == 403  # another school's inspector

    far = answer(zhou, official, points, value="4", key="key-z-000001").get_data(as_text=True)
    assert f'id="item-{points}-self"' in far and "differs" in far and "与本次评定差异较大" in far
    near = answer(zhou, official, points, value="9", key="key-z-000002", revision="1").get_data(as_text=True)
    assert f'id="item-{points}-self"' in near and "差异较大" not in near and "自评说明" in near
    answer(zhou, official, rating, value="未达标", note="课表不全", key="key-z-000003")
    answer(zhou, official, yes_no, value="是", key="key-z-000004")
    page = zhou.get(f"/inspections/{official}/fill").get_data(as_text=True)
    marked = {item: f'class="self-score differs" id="item-{item}-self"' in page for item in (points, rating, yes_no)}
    assert marked == {points: False, rating: True, yes_no: False}
    assert "学校自查</strong>" in page and "20/20" in page  # the school's total above the sheet
    # The other school's inspection in the round has no self-check handed in: nothing beside it.
    assert 'class="self-score' not in Person(app, county["wu"]).get(f"/inspections/{county['official_west']}/fill").get_data(as_text=True)


def official_figures(office: Person) -> dict:
    """What the office reads of official results: 概览 (page and workbook), the inspections' list and export,
    the review queue on its home page."""
    def rows(url):
        return list(load_workbook(io.BytesIO(office.get(url).data)).active.iter_rows(values_only=True))

    def page(url, **kwargs):  # its CSRF tokens carry the time they were signed
        return re.sub(r'(csrf_token" value="|"X-CSRFToken": ")[^"]+', r"\1", office.get(url, **kwargs).get_data(as_text=True))
    reviews = re.search(r'<section class="panel work-queue" id="reviews">.*?</section>', page("/"), re.S)
    return {"overview": page("/overview"), "overview.xlsx": rows("/overview.xlsx"),
            "list": page("/inspections/", headers=HX), "export": rows("/inspections/export.xlsx"),
            "reviews": reviews.group(0)}


def test_official_figures_are_unchanged_by_a_self_check(app, county):
    with app.app_context():  # an approved official result for each school, so the figures have something in them
        for key, percent, band in (("official_east", 72, "合格"), ("official_west", 91, "优秀")):
            inspection = db.session.get(Inspection, county[key])
            inspection.status, inspection.percent, inspection.band = InspectionStatus.APPROVED, percent, band
            inspection.submitted_at = utcnow()
        db.session.commit()
    office = Person(app, county["admin"])
    before = official_figures(office)
    check_id, self_id = ask_round(app, county)[county["east"]]
    principal = Person(app, county["principal"])
    self_check_all(app, principal, check_id, self_id, values=("6", "未达标", "否"))
    assert principal.post(f"/self-checks/{check_id}/submit").status_code == 303
    assert official_figures(office) == before
    # The same row as an official inspection would have changed them: the comparison above can fail.
    with app.app_context():
        db.session.get(Inspection, self_id).purpose = Purpose.OFFICIAL
        db.session.commit()
    after = official_figures(office)
    assert after["overview"] != before["overview"] and after["export"] != before["export"]
    assert after["list"] != before["list"] and after["reviews"] != before["reviews"]
