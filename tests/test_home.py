"""Home pages put the open work one tap away: an inspector's drafts, returned inspections (with the
reviewer's comment), lessons still open; the office's queue of what waits for review."""
from portal.extensions import db
from portal.models import Inspection, InspectionStatus, Role


def section(html: str, ident: str) -> str:
    return html.split(f'id="{ident}"')[1].split("</section>")[0]


def test_inspector_home_lists_open_work_and_offers_offline_preparation(app, auth, client, make_school,
                                                                     make_inspection):
    school = make_school(name="南湖小学")
    inspector = auth.login_as(Role.INSPECTOR, schools=[school])
    draft = make_inspection(school, inspector_id=inspector)
    returned = make_inspection(school, inspector_id=inspector, status=InspectionStatus.RETURNED)
    waiting = make_inspection(school, inspector_id=inspector, status=InspectionStatus.SUBMITTED)
    done = make_inspection(school, inspector_id=inspector, status=InspectionStatus.APPROVED)
    with app.app_context():
        db.session.get(Inspection, returned).review_comment = "第2项请补拍照片"
        db.session.commit()
    work = section(client.get("/").get_data(as_text=True), "work")
    assert f"/inspections/{draft}/fill" in work and f"/inspections/{returned}/fill" in work
    assert "第2项请补拍照片" in work and "已答 0/3" in work
    assert f"/inspections/{waiting}\"" in work and f"/inspections/{done}" not in work
    assert work.index(f"/inspections/{returned}/fill") < work.index(f"/inspections/{draft}/fill")  # returned first
    assert "离线准备（3 个页面）" in work and "/visits/new" in work  # the two sheets and 记录走访


def test_offline_preparation_keeps_the_visit_form_for_a_responsible_inspector(auth, client, make_school):
    """A 责任督学 going to a school keeps 记录走访 too: a visit typed there waits until the network is back."""
    auth.login_as(Role.INSPECTOR, schools=[make_school(name="南湖小学")])
    work = section(client.get("/").get_data(as_text=True), "work")
    assert "离线准备（1 个页面）" in work and "/visits/new" in work and "没有待办的检查或听课" in work


def test_an_inspector_without_schools_has_no_visit_form_to_keep(auth, client):
    auth.login_as(Role.INSPECTOR)
    work = section(client.get("/").get_data(as_text=True), "work")
    assert "离线准备" not in work and "/visits/new" not in work


def test_someone_elses_work_is_not_on_my_home(auth, client, make_school, make_inspection, make_user):
    school = make_school()
    other = make_user(Role.INSPECTOR, schools=[school])
    theirs = make_inspection(school, inspector_id=other)
    auth.login_as(Role.INSPECTOR, schools=[school])
    work = section(client.get("/").get_data(as_text=True), "work")
    assert f"/inspections/{theirs}" not in work and "没有待办" in work


def test_an_open_lesson_is_on_the_observers_home(client, observation):
    work = section(client.get("/").get_data(as_text=True), "work")
    assert f"/observations/{observation}/record" in work and "听课中" in work


def test_office_home_lists_what_waits_for_review(auth, client, make_school, make_inspection, make_user):
    school = make_school(name="河口镇中心小学")
    inspector = make_user(Role.INSPECTOR, schools=[school])
    submitted = make_inspection(school, inspector_id=inspector, status=InspectionStatus.SUBMITTED)
    make_inspection(school, inspector_id=inspector)  # a draft: not the office's yet
    auth.login_as(Role.ADMIN)
    reviews = section(client.get("/").get_data(as_text=True), "reviews")
    assert "待审核（1）" in reviews and f"/inspections/{submitted}" in reviews and "河口镇中心小学" in reviews
