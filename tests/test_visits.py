"""挂牌督导: the 责任督学 records a visit on the tablet (once, however often 保存 is tapped), the school
reads its own visits, the homes show who is due a visit, and the office prints the signs."""
import io
import re
import subprocess
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal import clock, jobs
from portal.extensions import db
from portal.models import (Attachment, AuditLog, Portrait, RectificationItem, SignJob, User, Visit, VisitPhoto)
from portal.storage import storage
from portal.visits import schedule

from .conftest import HX, HX_BOOSTED

TODAY = date(2026, 12, 6)


def jpeg(width=2400, height=3200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 60)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def zone(app, make_school, make_user):
    """周督学's 责任区 is 城东小学; 河西小学 is 吴督学's."""
    mine, theirs = make_school(name="城东小学"), make_school(name="河西小学")
    zhou = make_user("inspector", username="zhou", display_name="周正清", phone="13907910001", schools=[mine])
    wu = make_user("inspector", username="wu", display_name="吴慧敏", schools=[theirs])
    return dict(mine=mine, theirs=theirs, zhou=zhou, wu=wu)


def sign_out(auth):
    auth.client.delete_cookie(auth.app.config["SESSION_COOKIE_NAME"])


def sign_in(auth, username):
    sign_out(auth)
    assert auth.login(username).status_code == 303
    return auth.token()


def today(app) -> date:
    with app.app_context():
        return clock.today()


def visit_form(app, token, school, key="k" * 20, **fields):
    data = dict(school=school, visited_on=today(app).isoformat(), checked=["safety", "hygiene"],
                findings="查看了食堂留样和晨检记录", suggestions="完善晨检台账", key=key, csrf_token=token)
    data.update(fields)
    return data


def visits(app) -> list[Visit]:
    with app.app_context():
        return db.session.scalars(select(Visit).order_by(Visit.id)).all()


def test_an_inspector_records_a_visit_once_however_often_they_tap(app, client, auth, zone):
    token = sign_in(auth, "zhou")
    first = client.post("/visits/new", data=visit_form(app, token, zone["mine"]))
    again = client.post("/visits/new", data=visit_form(app, token, zone["mine"]))
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    [visit] = visits(app)
    assert (visit.inspector_id, visit.school_id, visit.checked) == (zone["zhou"], zone["mine"], ["safety", "hygiene"])
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "查看了食堂留样和晨检记录" in page and "校园安全、卫生管理" in page
    with app.app_context():  # audited
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "supervision_visit")) == 1


@pytest.mark.parametrize("fields,field,message", [
    ({"visited_on": "2099-01-01"}, "visited_on", "走访日期不能晚于今天"),
    ({"visited_on": ""}, "visited_on", "请填写走访日期"),
    ({"checked": []}, "checked", "请至少选择一项"),
    ({"checked": ["bogus"]}, "checked", ""),
    ({"findings": "  "}, "findings", "请写明走访发现的情况"),
    ({"findings": "长" * 2001}, "findings", "最多 2000 字"),
    ({"key": ""}, "key", ""),
])
def test_an_invalid_visit_is_refused_beside_the_field_and_nothing_is_stored(app, client, auth, zone, fields, field, message):
    token = sign_in(auth, "zhou")
    response = client.post("/visits/new", data=visit_form(app, token, zone["mine"], **fields), headers=HX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<form" in html and "<html" not in html  # the form alone, for htmx to swap
    if field != "key":
        block = re.search(rf'id="field-{field}".*?</div>\s*</div>|id="field-{field}".*?</p>', html, re.S).group(0)
        assert message in block and 'class="error"' in block
    assert visits(app) == []


def test_a_late_entry_is_allowed_within_ninety_days_only(app, client, auth, zone):
    token = sign_in(auth, "zhou")
    day = today(app)
    too_old = client.post("/visits/new", data=visit_form(app, token, zone["mine"], visited_on=(day - timedelta(days=91)).isoformat()))
    assert too_old.status_code == 422 and "只能补录 90 天内的走访" in too_old.get_data(as_text=True)
    late = client.post("/visits/new", data=visit_form(app, token, zone["mine"], key="l" * 20,
                                                      visited_on=(day - timedelta(days=90)).isoformat()))
    assert late.status_code == 303


def test_no_visit_outside_ones_zone(app, client, auth, zone):
    token = sign_in(auth, "zhou")
    response = client.post("/visits/new", data=visit_form(app, token, zone["theirs"]))
    assert response.status_code == 422
    school = re.search(r'id="field-school".*?</p>', response.get_data(as_text=True), re.S).group(0)
    assert 'class="error"' in school
    assert visits(app) == []
    assert 'value="%d"' % zone["theirs"] not in client.get("/visits/new").get_data(as_text=True)


def record(app, school, inspector, day, **fields) -> int:
    with app.app_context():
        visit = Visit(school_id=school, inspector_id=inspector, visited_on=day, checked=["safety"],
                      findings=fields.pop("findings", "例行走访"), **fields)
        db.session.add(visit)
        db.session.commit()
        return visit.id


def test_a_principal_reads_their_own_schools_visits_and_changes_nothing(app, client, auth, zone):
    own = record(app, zone["mine"], zone["zhou"], today(app), findings="本校的走访")
    other = record(app, zone["theirs"], zone["wu"], today(app), findings="邻校的走访")
    auth.login_as("principal", school_id=zone["mine"])
    listing = client.get("/visits/").get_data(as_text=True)
    assert "本校的走访" in listing and "邻校的走访" not in listing
    assert client.get(f"/visits/{own}").status_code == 200
    assert client.get(f"/visits/{other}").status_code == 403
    assert client.get(f"/visits/{own}/edit").status_code == 403
    assert client.get("/visits/new").status_code == 403
    page = client.get(f"/visits/{own}").get_data(as_text=True)
    assert "修改</a>" not in page and "添加照片" not in page


def test_the_list_is_a_plain_page_a_fragment_and_a_boosted_page(app, client, auth, zone):
    record(app, zone["mine"], zone["zhou"], today(app), findings="例行走访一次")
    sign_in(auth, "zhou")
    url = f"/visits/?school={zone['mine']}"
    plain, fragment, boosted = client.get(url), client.get(url, headers=HX), client.get(url, headers=HX_BOOSTED)
    assert "<html" in plain.get_data(as_text=True) and "<html" in boosted.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True) and "例行走访一次" in fragment.get_data(as_text=True)


def test_the_inspector_edits_their_visit_and_links_the_rectification_item_they_raised(app, client, auth, zone):
    visit = record(app, zone["mine"], zone["zhou"], today(app))
    with app.app_context():
        ours = RectificationItem(school_id=zone["mine"], problem="食堂留样不全", requirement="补齐", due_date=TODAY)
        theirs = RectificationItem(school_id=zone["theirs"], problem="邻校问题", requirement="整改", due_date=TODAY)
        db.session.add_all([ours, theirs])
        db.session.commit()
        ours_id, theirs_id = ours.id, theirs.id
    token = sign_in(auth, "zhou")
    data = visit_form(app, token, None, rectification=theirs_id)
    data.pop("school")
    assert client.post(f"/visits/{visit}/edit", data=data).status_code == 422  # another school's item
    data["rectification"] = ours_id
    assert client.post(f"/visits/{visit}/edit", data=data).status_code == 303
    assert "食堂留样不全" in client.get(f"/visits/{visit}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Visit, visit).rectification_id == ours_id
    sign_in(auth, "wu")  # another inspector may not change it
    assert client.post(f"/visits/{visit}/edit", data={**data, "csrf_token": auth.token()}).status_code == 403


def test_photos_of_a_visit_are_kept_once_and_read_as_the_visit(app, client, auth, zone):
    visit = record(app, zone["mine"], zone["zhou"], today(app))
    token = sign_in(auth, "zhou")
    for _ in range(2):  # a resend of the same upload
        response = client.post(f"/visits/{visit}/photos", data={"file": (io.BytesIO(jpeg()), "食堂.jpg"), "key": "p" * 20},
                               headers={**HX, "X-CSRFToken": token}, content_type="multipart/form-data")
        assert response.status_code == 200
    with app.app_context():
        [photo] = db.session.scalars(select(VisitPhoto)).all()
        attachment = photo.attachment_id
        with Image.open(storage().path(photo.attachment.storage_key)) as kept:
            assert kept.size == (1500, 2000)  # shrunk to 2000 px on its long side
    bad = client.post(f"/visits/{visit}/photos", data={"file": (io.BytesIO(b"not a photo"), "a.jpg"), "key": "q" * 20},
                      headers={**HX, "X-CSRFToken": token}, content_type="multipart/form-data")
    assert bad.status_code == 422 and 'class="error"' in bad.get_data(as_text=True)
    with client.get(f"/files/{attachment}") as photo:
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    sign_out(auth)
    auth.login_as("principal", school_id=zone["theirs"])
    assert client.get(f"/files/{attachment}").status_code == 403


# Who is due a visit (portal/visits/schedule.py)

def test_the_interval_and_the_prorated_target(app):
    with app.app_context():
        autumn = clock.Semester(2026, 1)  # 2026-09-01 .. 2027-01-31: 153 days
        assert schedule.interval(autumn) == 39
        assert schedule.expected(autumn, date(2026, 9, 1)) == 0
        assert schedule.expected(autumn, date(2026, 12, 6)) == 2  # 96 of 153 days: 2.5 visits due
        assert schedule.expected(autumn, date(2027, 1, 31)) == 3 and schedule.expected(autumn, date(2027, 2, 1)) == 4
        app.config["VISITS_PER_SEMESTER"] = 2
        assert schedule.interval(autumn) == 77


def test_the_office_sets_the_visit_target_and_schools_fall_due_by_it(app, client, auth, zone):
    """走访频次 on the 公示牌 page: a wrong figure refused beside its field (422, nothing saved), a right
    one saved (audited) and used from then on by every standing and the sign."""
    record(app, zone["theirs"], zone["wu"], date(2026, 12, 1))
    admin = auth.login_as("admin")
    token = auth.token()
    assert re.search(r'<input[^>]*name="per_semester"[^>]*value="4"', client.get("/visits/signs").get_data(as_text=True))
    refused = client.post("/visits/target", headers=HX, data={"per_semester": "0", "csrf_token": token})
    form = refused.get_data(as_text=True)
    assert refused.status_code == 422 and form.lstrip().startswith("<form")
    assert re.search(r'id="per_semester-msg"[^>]*>.*?1 到 30 之间', form, re.S)
    with app.app_context():
        assert schedule.target() == 4
    assert standing(app, zone["theirs"], TODAY).behind  # 1 of 2 due by now (4 a semester)
    assert client.post("/visits/target", data={"per_semester": "2", "csrf_token": token}).status_code == 303
    with app.app_context():
        assert schedule.target() == 2 and schedule.interval(clock.Semester(2026, 1)) == 77
        change = db.session.scalar(select(AuditLog).where(AuditLog.entity == "visit_target"))
        assert change is not None and change.user_id == admin
    assert not standing(app, zone["theirs"], TODAY).behind  # 1 of 1 due by now
    page = client.get(f"/visits/?school={zone['theirs']}").get_data(as_text=True)
    assert "（目标 2 次）" in page  # (who may set it: the access matrix, tests/test_access.py)


def standing(app, school_id, day):
    with app.app_context():
        from portal.models import School

        return schedule.standings([db.session.get(School, school_id)], day)[0]


def test_a_school_is_due_when_never_visited_long_unvisited_or_behind(app, zone):
    day = TODAY  # 2026-12-06: two visits due by now, one every 39 days
    never = standing(app, zone["mine"], day)
    assert never.overdue and never.reason.startswith("从未走访")
    record(app, zone["mine"], zone["zhou"], date(2026, 10, 1))
    record(app, zone["mine"], zone["zhou"], date(2026, 10, 20))
    long_ago = standing(app, zone["mine"], day)
    assert (long_ago.count, long_ago.since) == (2, 47) and long_ago.overdue and not long_ago.behind
    assert "已 47 天未走访" in long_ago.reason
    record(app, zone["mine"], zone["zhou"], date(2026, 11, 30))
    assert not standing(app, zone["mine"], day).overdue
    record(app, zone["theirs"], zone["wu"], date(2026, 12, 1))  # recent, but one of two
    behind = standing(app, zone["theirs"], day)
    assert behind.behind and behind.overdue and behind.reason == "按进度此时应已走访 2 次，实走访 1 次"
    # a visit in the last semester counts for the interval, not for this semester's target
    assert standing(app, zone["theirs"], date(2027, 2, 10)).count == 0


def test_the_inspectors_home_flags_a_school_due_and_clears_it_after_the_visit(app, client, auth, zone):
    token = sign_in(auth, "zhou")
    day = today(app)
    home = client.get("/").get_data(as_text=True)
    row = re.search(r'<tr class="overdue" data-school="城东小学">.*?</tr>', home, re.S)
    assert row and "应走访" in row.group(0) and "从未走访" in row.group(0)
    with app.app_context():
        term = clock.semester(day)
        owed = schedule.expected(term, day)
    for n in range(max(owed - 1, 0)):  # the semester's earlier visits, all but today's
        record(app, zone["mine"], zone["zhou"], term.start + timedelta(days=n))
    assert client.post("/visits/new", data=visit_form(app, token, zone["mine"])).status_code == 303
    home = client.get("/").get_data(as_text=True)
    row = re.search(r'<tr data-school="城东小学">.*?</tr>', home, re.S)
    assert row and "正常" in row.group(0) and "应走访" not in row.group(0)
    assert "河西小学" not in home  # not their school


def test_the_office_home_lists_the_schools_due_by_inspector(app, client, auth, zone):
    record(app, zone["theirs"], zone["wu"], today(app))
    auth.login_as("admin")
    home = client.get("/").get_data(as_text=True)
    section = re.search(r'id="visits-home".*?</section>', home, re.S).group(0)
    zhou = re.search(r"<tr[^>]*>\s*<td>周正清</td>.*?</tr>", section, re.S).group(0)
    assert "城东小学" in zhou and "从未走访" in zhou
    wu = re.search(r"<tr[^>]*>\s*<td>吴慧敏</td>.*?</tr>", section, re.S).group(0)
    assert "城东小学" not in wu


# The sign (公示牌), the portraits and the batch

def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def images_in(data: bytes) -> int:
    listed = subprocess.run(["pdfimages", "-list", "-"], input=data, capture_output=True).stdout.decode()
    if not listed:  # pdfimages reads files only
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(data)
            f.flush()
            listed = subprocess.run(["pdfimages", "-list", f.name], capture_output=True, check=True).stdout.decode()
    return len(listed.strip().splitlines()) - 2


def test_the_sign_names_the_school_its_inspector_and_the_office(app, client, auth, zone):
    app.config["SUPERVISION_PHONE"] = "0791-12345678"
    auth.login_as("principal", school_id=zone["mine"])
    response = client.get(f"/visits/signs/{zone['mine']}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(pdf_text(response.data).split())
    for expected in ("责任督学挂牌督导公示牌", "城东小学", "周正清", "13907910001", "校园安全", "家长和社会反映的问题",
                     "0791-12345678", app.config["DOC_ISSUER"]):
        assert expected in text, expected
    assert images_in(response.data) == 0  # no portrait yet: the placeholder (drawn, not a picture)
    assert client.get(f"/visits/signs/{zone['theirs']}.pdf").status_code == 403


def test_an_inspector_uploads_their_portrait_and_the_sign_shows_it(app, client, auth, zone):
    token = sign_in(auth, "zhou")
    assert client.post(f"/visits/portraits/{zone['wu']}", data={"csrf_token": token}).status_code == 403
    bad = client.post(f"/visits/portraits/{zone['zhou']}", data={"csrf_token": token, "key": "b" * 20,
                                                               "file": (io.BytesIO(b"%PDF-1.4"), "a.pdf")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and 'class="error"' in bad.get_data(as_text=True)
    for key in ("a" * 20, "a" * 20, "c" * 20):  # the first sent twice, then a new one
        response = client.post(f"/visits/portraits/{zone['zhou']}", data={"csrf_token": token, "key": key,
                                                                        "file": (io.BytesIO(jpeg()), "我.jpg")},
                               content_type="multipart/form-data")
        assert response.status_code == 303
    with app.app_context():
        portrait = db.session.get(Portrait, zone["zhou"])
        assert portrait.client_key == "c" * 20
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 2  # the old picture is gone
    assert images_in(client.get(f"/visits/signs/{zone['mine']}.pdf").data) == 1


def test_the_office_makes_every_schools_sign_in_one_background_job(app, client, auth, zone):
    auth.login_as("admin")
    token = auth.token()
    first = client.post("/visits/signs/batch", data={"csrf_token": token, "key": "j" * 20})
    again = client.post("/visits/signs/batch", data={"csrf_token": token, "key": "j" * 20})
    assert first.status_code == again.status_code == 303 and first.headers["Location"] == again.headers["Location"]
    with app.app_context():
        [job] = db.session.scalars(select(SignJob)).all()
        assert (job.status.name, job.total) == ("QUEUED", 2)
        job = jobs.run(SignJob, job.id)
        assert (job.status.name, job.done, job.failures) == ("DONE", 2, [])
        job_id = job.id
    page = client.get(f"/visits/signs/batch/{job_id}").get_data(as_text=True)
    assert "已完成" in page and "下载 PDF（2 页" in page
    with client.get(f"/visits/signs/batch/{job_id}.pdf") as response:
        data = response.data
    pages = pdf_text(data).split("\f")
    assert "城东小学" in pages[0] and "河西小学" in pages[1]


def test_the_signs_page_lists_each_inspector_with_their_schools(app, client, auth, zone):
    auth.login_as("admin")
    page = client.get("/visits/signs").get_data(as_text=True)
    assert "周正清" in page and "城东小学" in page and "未上传" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 3


def test_the_pages_do_not_query_per_row(app, client, auth, zone, make_school, make_user, queries_for):
    auth.login_as("admin")
    record(app, zone["mine"], zone["zhou"], today(app))
    urls = ("/", "/visits/", "/visits/signs")
    before = {url: queries_for(url) for url in urls}
    for n in range(3):  # three more 责任区, each with a school and a visit there
        school = make_school(name=f"新增学校{n}")
        inspector = make_user("inspector", schools=[school])
        record(app, school, inspector, today(app))
    assert {url: queries_for(url) for url in urls} == before
