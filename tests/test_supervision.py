"""Inspections: start, autosave (idempotent, concurrent-edit safe), photos, submit, review, lists."""
import io
import os
import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.idempotency import among
from portal.models import Answer, AnswerType, AuditLog, Inspection, InspectionStatus, Item, Photo, Role, SchoolKind, User
from portal.supervision import sheet

from .conftest import HX, HX_BOOSTED, Auth, answer_of, csrf_token, items, save
from .test_uploads import refused_undecoded


def test_fill_page_shows_every_item(client, setup):
    html = client.get(f"/inspections/{setup['inspection']}/fill").get_data(as_text=True)
    assert "招生规范，无违规招生" in html and "消防设施完好" in html
    assert '已答 <strong data-answered="0">0</strong>/3<span' in html


def test_autosave_saves_and_updates_subtotals(app, client, setup):
    response = save(client, setup, "points", value="8", key="key-00001")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "已保存" in html and 'name="revision" value="1"' in html
    assert re.search(r'id="section-\d+-stats" hx-swap-oob="true">\s*已答 <span data-answered="1">1</span>/2<span class="pending" data-answered-note></span> · 8 / 15 分', html)
    assert 'id="sheet-summary" hx-swap-oob="true"' in html
    assert answer_of(app, setup["inspection"], setup["points"]).value == "8"


def audit_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditLog))


def test_resent_save_changes_nothing_twice(app, client, setup):
    assert save(client, setup, "rating", value="达标", key="key-00002").status_code == 200
    logged = audit_count(app)
    again = save(client, setup, "rating", value="达标", key="key-00002")  # the same request, resent
    assert again.status_code == 200 and 'name="revision" value="1"' in again.get_data(as_text=True)
    assert answer_of(app, setup["inspection"], setup["rating"]).revision == 1
    assert audit_count(app) == logged


def test_resent_save_after_a_later_change_does_not_undo_it(app, client, setup):
    device = "0123456789abcdef"  # the outbox's keys: <device>-<seq>
    save(client, setup, "rating", value="达标", key=f"{device}-1")
    save(client, setup, "rating", value="未达标", revision="1", key=f"{device}-2")
    late = save(client, setup, "rating", value="达标", key=f"{device}-1")  # the first save, resent after the second
    assert late.status_code == 200
    stored = answer_of(app, setup["inspection"], setup["rating"])
    assert (stored.value, stored.revision) == ("未达标", 2)


def test_two_people_cannot_overwrite_each_other(app, client, setup):
    save(client, setup, "rating", value="达标", key="key-00005")  # someone else, from revision 0
    stale = save(client, setup, "rating", value="基本达标", key="key-00006")  # I still saw revision 0
    assert stale.status_code == 409
    assert stale.headers["HX-Retarget"] == f"#item-{setup['rating']}"
    html = stale.get_data(as_text=True)
    assert "刚被" in html and 'value="达标" checked' in html and 'name="revision" value="1"' in html
    assert answer_of(app, setup["inspection"], setup["rating"]).value == "达标"


def test_the_same_content_from_an_old_revision_is_not_a_conflict(app, client, setup):
    save(client, setup, "yes_no", value="是", key="key-00007")
    assert save(client, setup, "yes_no", value="是", key="key-00008").status_code == 200


@pytest.mark.parametrize("item,fields,message", [
    ("points", {"value": "11"}, "分值应在 0 到 10 之间"),
    ("points", {"value": "-1"}, "分值应在 0 到 10 之间"),
    ("points", {"value": "abc"}, "请填写数字分值"),
    ("points", {"value": "NaN"}, "分值应在 0 到 10 之间"),
    ("points", {"value": "2.25"}, "最多保留一位小数"),
    ("points", {"na": "y"}, "不可选“不适用”"),
    ("rating", {"value": "优"}, "无效的选项"),
    ("rating", {"note": "长" * 2001}, "说明最多 2000 字"),
    ("yes_no", {"value": "是", "revision": "x"}, ""),
    ("yes_no", {"value": "是", "key": "<script>"}, "无效的请求标识"),
])
def test_bad_answers_are_refused_beside_the_item(app, client, setup, item, fields, message):
    response = save(client, setup, item, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert answer_of(app, setup["inspection"], setup[item]) is None


def test_unknown_item_is_404_and_nothing_saved(app, client, setup, make_template):
    foreign = make_template()
    with app.app_context():
        other_item = db.session.scalar(select(Item.id).where(Item.section.has(version_id=foreign)))
    response = client.post(f"/inspections/{setup['inspection']}/items/{other_item}", data={"revision": "0", "value": "是"},
                           headers={**HX, "X-CSRFToken": setup["token"]})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_plain_form_save_redirects_back_to_the_item(app, client, setup):
    response = save(client, setup, "points", headers={}, value="6")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/fill#item-{setup['points']}")
    assert answer_of(app, setup["inspection"], setup["points"]).value == "6"
    refused = save(client, setup, "points", headers={}, value="60", revision="1")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "<html" in html and "分值应在 0 到 10 之间" in html
    assert answer_of(app, setup["inspection"], setup["points"]).value == "6"


def test_fill_page_as_boosted_page_and_other_schools_are_forbidden(client, setup, make_school, make_inspection):
    assert "招生规范" in client.get(f"/inspections/{setup['inspection']}/fill", headers=HX_BOOSTED).get_data(as_text=True)
    theirs = make_inspection(make_school())
    assert client.get(f"/inspections/{theirs}/fill").status_code == 403
    response = client.post(f"/inspections/{theirs}/items/1", data={"revision": "0", "value": "1"},
                           headers={**HX, "X-CSRFToken": setup["token"]})
    assert response.status_code == 403


def test_query_count_does_not_depend_on_items(client, setup, make_template, make_inspection, queries_for):
    from portal.models import AnswerType

    big = make_template([(f"第{s}部分", [(f"要点{s}-{i}", AnswerType.RATING, 2, "") for i in range(30)]) for s in range(4)])
    large = make_inspection(setup["school"], version_id=big, inspector_id=setup["inspector"])
    for i, item in enumerate(items(client.application, large)[:50]):
        save(client, {**setup, "inspection": large, "x": item.id}, "x", value="达标", key=f"key-bulk-{i:04d}")
    upload(client, setup, png())
    small, big_count = (queries_for(f"/inspections/{i}/fill") for i in (setup["inspection"], large))
    assert small == big_count


def png(width=40, height=30, color=(200, 30, 30), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), color)
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def upload(client, setup, data, key="photo-0001", name="现场.png", item="points"):
    return client.post(f"/inspections/{setup['inspection']}/items/{setup[item]}/photos",
                       data={"photo": (io.BytesIO(data), name), "key": key},
                       headers={**HX, "X-CSRFToken": setup["token"]}, content_type="multipart/form-data")


def test_photo_is_downscaled_upright_without_location_and_counted_once(app, client, setup):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    exif[0x8825] = {2: (30.0, 0.0, 0.0)}  # GPS
    response = upload(client, setup, png(3000, 1500, exif=exif), name="IMG_1.jpg")
    assert response.status_code == 200
    assert upload(client, setup, png(3000, 1500, exif=exif), name="IMG_1.jpg").status_code == 200  # resent
    from portal.storage import storage

    with app.app_context():
        photos = db.session.scalars(select(Photo)).all()
        assert len(photos) == 1
        with Image.open(storage().path(photos[0].attachment.storage_key)) as picture:
            assert picture.size == (1000, 2000)  # turned upright, long side 2000
            assert not picture.getexif()
        with Image.open(storage().path(photos[0].thumbnail.storage_key)) as thumbnail:
            assert max(thumbnail.size) == 320
    html = response.get_data(as_text=True)
    assert "佐证照片 1" in html and 'hx-swap-oob="true"' in html  # the item's revision comes along


@pytest.mark.parametrize("data,name,message", [
    (b"%PDF-1.4 not a photo", "报告.pdf", "不是可接受的文件类型"),
    (b"", "空.jpg", "文件是空的"),
    (b"MZ\x90\x00 an executable", "photo.jpg", "不是可接受的文件类型"),
])
def test_non_images_are_refused_with_a_message(app, client, setup, data, name, message):
    response = upload(client, setup, data, name=name)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Photo)) == 0


def test_oversized_photo_is_refused(app, client, setup, monkeypatch):
    from portal.files import evidence

    monkeypatch.setattr(evidence, "PHOTO_MAX_BYTES", 1000)
    response = upload(client, setup, png(400, 400, color=(1, 2, 3)) + b"\0" * 2000)
    assert response.status_code == 422 and "文件太大" in response.get_data(as_text=True)


def test_a_decompression_bomb_is_refused_by_its_header_beside_the_field(app, client, setup):
    html = refused_undecoded(app, lambda data: upload(client, setup, data, name="全景.png"))
    assert 'role="alert">“全景.png”的像素太多，无法处理' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Photo)) == 0


def stored_files(app) -> int:
    return sum(path.is_file() for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*"))


def test_a_photo_sent_again_while_the_first_is_saved_answers_as_the_first(app, client, setup, monkeypatch):
    """Defect 11: the tablet resends a photo while the server still shrinks the first copy, so both check the
    key before either commits. The second's commit meets the unique key: it answers as the first did, with no
    second row and no file left behind. (Here its check is made blind to the first copy; for real, the two
    overlap only on PostgreSQL, as in the next test: on SQLite write requests queue.)"""
    from portal.files import evidence

    assert upload(client, setup, png()).status_code == 200
    checks = []

    def overlapping(rows, key):
        checks.append(key)
        return None if len(checks) == 1 else among(rows, key)

    monkeypatch.setattr(evidence, "among", overlapping)
    again = upload(client, setup, png())
    assert again.status_code == 200 and len(checks) == 2
    assert "佐证照片 1" in again.get_data(as_text=True) and "佐证照片 2" not in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Photo)) == 1
    assert stored_files(app) == 2  # the first copy's picture and thumbnail


def test_a_first_photo_that_loses_the_items_answer_to_another_is_refused_not_lost(app, client, setup, monkeypatch):
    """Two different photos sent at once as an item's first each make the item's answer; the second to commit
    is turned away by the answer's unique key. It is not kept, and it says so (its sender sends it again)."""
    from portal.supervision import autosave

    assert upload(client, setup, png()).status_code == 200
    find, looks = autosave.find, []

    def unseen(inspection, item, user_id):  # the first look, made before the other photo's answer was committed
        looks.append(item.id)
        return Answer(inspection_id=inspection.id, item_id=item.id) if len(looks) == 1 else find(inspection, item)

    monkeypatch.setattr(autosave, "find_or_new", unseen)
    refused = upload(client, setup, png(color=(1, 2, 3)), key="photo-0002")
    assert refused.status_code == 422 and "没有保存，请重新上传" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Photo)) == 1
    assert stored_files(app) == 2


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="SQLite runs write requests one after the other (BEGIN IMMEDIATE): two cannot overlap")
def test_two_uploads_of_one_photo_at_the_same_moment_make_one_photo(app, client, setup):
    """Defect 11 as it happens: the same photo (one key) sent twice at once, the item's first photo, so each
    upload also makes the item's answer. Each waits for the other before its first write."""
    other = app.test_client()
    with app.app_context():
        Auth(app, other, None).login(db.session.get(User, setup["inspector"]).username)
    tokens = {client: setup["token"], other: csrf_token(other, "/")}
    barrier, seen, answers = threading.Barrier(2, timeout=30), threading.local(), {}

    def meet(_conn, _cursor, statement, *_):
        if statement.startswith("INSERT") and not getattr(seen, "insert", False):
            seen.insert = True
            barrier.wait()

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", meet)
    try:
        threads = [threading.Thread(target=lambda c=c: answers.update({c: upload(c, {**setup, "token": tokens[c]}, png())}))
                   for c in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", meet)
    assert [answer.status_code for answer in answers.values()] == [200, 200]
    assert all("佐证照片 1" in answer.get_data(as_text=True) for answer in answers.values())
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Photo)) == 1
    assert stored_files(app) == 2


def test_photo_can_be_deleted_before_submit(app, client, setup):
    upload(client, setup, png())
    with app.app_context():
        photo = db.session.scalar(select(Photo))
        keys = [photo.attachment.storage_key, photo.thumbnail.storage_key]
    response = client.post(f"/inspections/{setup['inspection']}/photos/{photo.id}/delete",
                           headers={**HX, "X-CSRFToken": setup["token"]})
    assert response.status_code == 200 and "佐证照片" not in response.get_data(as_text=True)
    from portal.storage import storage

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Photo)) == 0
        assert not any(storage().path(key).exists() for key in keys)


def test_school_sees_evidence_photos_only_once_the_inspection_is_approved(app, client, make_user, setup):
    upload(client, setup, png())
    with app.app_context():
        photo = db.session.scalar(select(Photo))
        files = [f"/files/{photo.attachment_id}", f"/files/{photo.thumbnail_id}"]

    def codes(as_client):
        responses = [as_client.get(url) for url in files]
        for response in responses:
            response.close()
        return [response.status_code for response in responses]

    assert codes(client) == [200, 200]  # the inspector
    principal = Auth(app, app.test_client(), make_user)
    principal.login_as(Role.PRINCIPAL, school_id=setup["school"])
    assert codes(principal.client) == [403, 403]
    with app.app_context():
        db.session.get(Inspection, setup["inspection"]).status = InspectionStatus.APPROVED
        db.session.commit()
    assert codes(principal.client) == [200, 200]


def submit(client, setup):
    return client.post(f"/inspections/{setup['inspection']}/submit", headers={**HX, "X-CSRFToken": setup["token"]})


def test_submit_lists_exactly_what_blocks_it(app, client, setup):
    save(client, setup, "points", value="3", key="key-00010")  # critical, not met, photo required
    save(client, setup, "rating", value="未达标", key="key-00011")  # note required
    response = submit(client, setup)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "第 1.1 项</a>：未达标，须拍照留证" in html
    assert "第 1.2 项</a>：未达标，须填写说明" in html
    assert "第 2.1 项</a>：尚未作答" in html
    with app.app_context():
        assert db.session.get(Inspection, setup["inspection"]).status is InspectionStatus.DRAFT


def test_submit_then_read_only(app, client, setup):
    save(client, setup, "points", value="3", key="key-00012")
    upload(client, setup, png())
    save(client, setup, "rating", na="y", key="key-00013")
    save(client, setup, "yes_no", value="是", key="key-00014")
    response = submit(client, setup)
    assert response.status_code == 200 and response.headers["HX-Redirect"].endswith(f"/inspections/{setup['inspection']}")
    with app.app_context():
        inspection = db.session.get(Inspection, setup["inspection"])
        assert inspection.status is InspectionStatus.SUBMITTED and inspection.submitted_at
        total = sheet.build(inspection).total  # the result as submitted is kept for the county figures
        assert (inspection.percent, inspection.band, inspection.critical_failed) == (total.percent, "不合格", True)
    late = save(client, setup, "yes_no", value="否", revision="1", key="key-00015")
    assert late.status_code == 409
    assert answer_of(app, setup["inspection"], setup["yes_no"]).value == "是"
    assert upload(client, setup, png(), key="photo-0002").status_code == 409
    assert client.get(f"/inspections/{setup['inspection']}/fill").status_code == 303
    detail = client.get(f"/inspections/{setup['inspection']}").get_data(as_text=True)
    assert "不合格" in detail  # 3 of 10 on a critical item fails the whole inspection


@pytest.fixture
def submitted(app, make_school, make_inspection):
    school = make_school()
    inspection = make_inspection(school, status=InspectionStatus.SUBMITTED)
    return {"school": school, "inspection": inspection}


def test_review_return_needs_a_comment_then_inspector_can_edit(app, client, auth, submitted):
    auth.login_as(Role.ADMIN)
    token = auth.token()
    url = f"/inspections/{submitted['inspection']}/review"
    response = client.post(url, data={"decision": "return", "comment": "", "csrf_token": token}, headers=HX)
    assert response.status_code == 422 and "退回时请写明" in response.get_data(as_text=True)
    response = client.post(url, data={"decision": "return", "comment": "请补拍食堂照片", "csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        inspection = db.session.get(Inspection, submitted["inspection"])
        assert inspection.status is InspectionStatus.RETURNED and inspection.editable
        assert inspection.review_comment == "请补拍食堂照片"
    assert client.post(url, data={"decision": "approve", "csrf_token": token}).status_code == 409


def test_approved_inspection_reaches_the_principal_drafts_do_not(app, client, auth, submitted, make_inspection):
    auth.login_as(Role.ADMIN)
    client.post(f"/inspections/{submitted['inspection']}/review", data={"decision": "approve", "csrf_token": auth.token()})
    draft = make_inspection(submitted["school"])
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login_as(Role.PRINCIPAL, school_id=submitted["school"])
    assert client.get(f"/inspections/{submitted['inspection']}").status_code == 200
    assert client.get(f"/inspections/{submitted['inspection']}/print").status_code == 200
    assert client.get(f"/inspections/{draft}").status_code == 403
    listing = client.get("/inspections/").get_data(as_text=True)
    assert f"/inspections/{submitted['inspection']}\"" in listing and f"/inspections/{draft}\"" not in listing
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.changes).where(AuditLog.entity == "inspection")).all()
    assert any("status" in change for change in actions)


def test_start_is_idempotent_and_limited_to_own_schools(app, client, auth, make_school, make_template):
    mine, theirs = make_school(name="我的学校"), make_school(name="别人的学校")
    auth.login_as(Role.INSPECTOR, schools=[mine])
    version = make_template()
    page = client.get(f"/inspections/new?school={mine}").get_data(as_text=True)
    assert "我的学校" in page and "别人的学校" not in page
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    data = {"school": mine, "version": version, "visit_date": "2026-11-20", "key": key, "csrf_token": auth.token()}
    first = client.post("/inspections/new", data=data)
    second = client.post("/inspections/new", data=data)  # a second tap
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Inspection)) == 1
    forged = client.post("/inspections/new", data={**data, "school": theirs, "key": "another-key-1"})
    assert forged.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Inspection)) == 1


def test_list_filters_and_export_one_row_per_item_with_page_scores(app, client, setup):
    untouched = client.get("/inspections/?status=DRAFT", headers=HX).get_data(as_text=True)
    assert "0.0%" not in untouched and '<td class="num">—</td>' in untouched and "未开始" in untouched
    save(client, setup, "points", value="10", key="key-00020")
    save(client, setup, "rating", value="基本达标", key="key-00021")
    save(client, setup, "yes_no", value="是", key="key-00022")
    listing = client.get("/inspections/?status=DRAFT", headers=HX).get_data(as_text=True)
    assert "90.0%" in listing and "优秀" in listing  # (10 + 3 + 5) / 20
    assert "没有符合条件" in client.get("/inspections/?status=APPROVED", headers=HX).get_data(as_text=True)
    response = client.get("/inspections/export.xlsx?status=DRAFT")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 3
    header = rows[0]
    assert rows[2][header.index("答案")] == "基本达标" and rows[2][header.index("得分")] == 3
    assert rows[1][header.index("得分率(%)")] == 90.0 and rows[1][header.index("等级")] == "优秀"


def test_an_empty_score_is_no_answer_not_an_empty_string(app, client, setup):
    """A note typed on an item with no score stores no value (None), as every other path does; an empty
    string would read as an answer to anything comparing values."""
    assert save(client, setup, "points", value="", note="只有说明", key="0123456789abcdef-1").status_code == 200
    assert answer_of(app, setup["inspection"], setup["points"]).value is None


# --- the 推门听课 item: the school's lesson records beside the inspector's score -------------------

LESSON_ITEM = "推门听课：随机听课节次，课堂教学达标（听课记录）"


def test_the_lesson_item_shows_the_schools_lessons_of_the_semester_on_the_filling_and_read_pages(
        app, client, auth, make_school, make_user, make_template, make_inspection):
    from datetime import timedelta

    from portal import clock
    from portal.models import AnswerType, Observation, ObservationStatus
    from portal.observations.rubric import load_default_rubric

    school, other = make_school(), make_school()
    version = make_template([("二、教育教学", [(LESSON_ITEM, AnswerType.POINTS, 10, ""),
                                            ("作业管理规范", AnswerType.POINTS, 5, "")])])
    leader = make_user("leader")
    with app.app_context():
        day = clock.today()
        semester = clock.semester(day)
        rubric = load_default_rubric().versions[0]
        good, poor = rubric.bands[0][1], rubric.below_band

        def lesson(sid=school, grade=good, status=ObservationStatus.FINAL, on=day):
            return Observation(school_id=sid, observer_id=leader, version=rubric, observed_on=on, status=status,
                               grade=grade)
        db.session.add_all([lesson(), lesson(), lesson(grade=poor),  # counted: 3, 2 达标
                            lesson(status=ObservationStatus.DRAFT, grade=None),  # open: not counted
                            lesson(sid=other),  # another school's
                            lesson(on=semester.start - timedelta(days=1))])  # the semester before
        db.session.commit()
    inspector = auth.login_as(Role.INSPECTOR, schools=[school])
    inspection = make_inspection(school, version, inspector_id=inspector)
    fill = client.get(f"/inspections/{inspection}/fill").get_data(as_text=True)
    with app.test_request_context():
        from flask import url_for
        link = url_for("observations.index", school=school, semester=semester.code)

    def panels(html):
        return re.findall(r'<div class="lesson-records".*?</div>', html, re.S)

    (panel,) = panels(fill)
    assert semester.name in panel and "已完成 <strong>3</strong> 节" in panel and "达标 <strong>2</strong> 节" in panel
    assert "达标率 <strong>66.7%</strong>" in panel and f'href="{link.replace("&", "&amp;")}"' in panel
    assert fill.index(LESSON_ITEM) < fill.index(panel) < fill.index("作业管理规范")  # beside that item only
    listed = client.get(link).get_data(as_text=True)
    assert "共 3 条听课记录" in listed  # the link lists the very lessons counted
    (read,) = panels(client.get(f"/inspections/{inspection}").get_data(as_text=True))
    assert "已完成 <strong>3</strong> 节" in read


def test_a_checklist_without_the_lesson_item_shows_no_lesson_records(client, setup):
    assert "lesson-records" not in client.get(f"/inspections/{setup['inspection']}/fill").get_data(as_text=True)
    assert "lesson-records" not in client.get(f"/inspections/{setup['inspection']}").get_data(as_text=True)


KINDERGARTEN_AND_SCHOOLS = [
    ("一、保育教育", [("户外活动每天不少于2小时", AnswerType.POINTS, 10, ""),
                 ("课后服务开展", AnswerType.POINTS, 10, "na:KINDERGARTEN")]),
]


def test_a_kindergarten_is_inspected_with_a_checklist_that_fits_it(app, client, auth, make_school, make_template):
    kindergarten = make_school(name="城东幼儿园", kind=SchoolKind.KINDERGARTEN)
    auth.login_as(Role.INSPECTOR, schools=[kindergarten])
    for_schools = make_template(name="中小学检查表", school_kinds=["PRIMARY", "JUNIOR"])
    fitting = make_template(KINDERGARTEN_AND_SCHOOLS, name="幼儿园检查表", school_kinds=["KINDERGARTEN", "PRIMARY"])
    page = client.get(f"/inspections/new?school={kindergarten}").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    data = {"school": kindergarten, "version": for_schools, "visit_date": "2026-11-20", "key": key,
            "csrf_token": auth.token()}
    refused = client.post("/inspections/new", data=data, headers=HX)
    assert refused.status_code == 422 and "该检查表不适用于幼儿园" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Inspection)) == 0
    started = client.post("/inspections/new", data={**data, "version": fitting})
    assert started.status_code == 303
    with app.app_context():
        inspection = db.session.scalar(select(Inspection))
        outdoor, after_school = (item.id for item in inspection.version.sections[0].items)
    fill = client.get(f"/inspections/{inspection.id}/fill").get_data(as_text=True)
    marked = fill.split(f'id="item-{after_school}"')[1].split("</article>")[0]
    assert "本项对幼儿园不适用，不作答、不计分" in marked and 'name="value"' not in marked
    setup = {"inspection": inspection.id, "outdoor": outdoor, "token": auth.token()}
    saved = save(client, setup, "outdoor", value="8").get_data(as_text=True)
    assert "8 / 10 分 · 80.0%" in saved  # out of 10, not 20: 课后服务 is not a 幼儿园's
    submitted = client.post(f"/inspections/{inspection.id}/submit", data={"csrf_token": auth.token()})
    assert submitted.status_code == 303  # the N/A item is not owed an answer
    with app.app_context():
        assert db.session.get(Inspection, inspection.id).percent == Decimal("80.0")


def test_each_subject_group_gets_its_own_result_on_the_inspection_page(app, client, auth, make_school, make_template,
                                                                        make_inspection):
    school = make_school()
    inspector = auth.login_as(Role.INSPECTOR, schools=[school])
    groups = [(group, [("备课", AnswerType.GRADE, 10, ""), ("反思改进", AnswerType.GRADE, 10, "")])
              for group in ("一、语文组", "二、数学组", "三、英语组")]
    inspection = make_inspection(school, make_template(groups), inspector_id=inspector)
    chinese, maths, _ = _group_items(app, inspection)
    setup = {"inspection": inspection, "token": auth.token()}
    for item, grade in zip(chinese + maths, ["优", "优", "合格", "不合格"]):
        setup["item"] = item
        assert save(client, setup, "item", value=grade).status_code == 200
    page = client.get(f"/inspections/{inspection}").get_data(as_text=True)
    heads = {h.split("<small>")[0].strip(): h for h in page.split('<section class="sheet-part">')[1:]}
    assert 'title="本部分评定">优秀</span>' in heads["<h2>一、语文组"].split("</h2>")[0]
    assert 'title="本部分评定">不合格</span>' in heads["<h2>二、数学组"].split("</h2>")[0]  # 30 %
    assert "本部分评定" not in heads["<h2>三、英语组"].split("</h2>")[0]  # not checked yet: no result


def _group_items(app, inspection_id):
    with app.app_context():
        return [[i.id for i in s.items] for s in db.session.get(Inspection, inspection_id).version.sections]
