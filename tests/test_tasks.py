"""报送 tasks: the office sends a task to chosen schools; each school answers its own (a file, a form, a
table checked row by row); the office follows handed in / late / not yet, reminds once a day, returns
with a comment and collects everything in one download."""
import io
import threading
import time
import zipfile
from pathlib import Path
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select, text

from portal import clock
from portal.extensions import db
from portal.models import AnswerStatus, Attachment, AuditLog, ReportAnswer, ReportTask, SchoolKind
from portal.tasks import deadlines, questions, table
from portal.tasks.deadlines import Standing

from .conftest import HX

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG_HEADER = b"\xff\xd8\xff"
DUE = date(2026, 11, 29)


def xlsx(*rows, headers=("学校联系人*", "学生数（人）", "备注")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for values in rows:
        sheet.append(list(values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def county(app, make_school, make_user):
    """Three 小学 and a 初中, a principal at each 小学 and the office."""
    primary = [make_school(name=name, code=code) for name, code in
               (("城东小学", "P001"), ("河口小学", "P002"), ("南湖小学", "P003"))]
    junior = make_school(name="城东初中", code="J001", kind=SchoolKind.JUNIOR)
    heads = [make_user("principal", school_id=sid, username=f"xz{n}") for n, sid in enumerate(primary, start=1)]
    make_user("admin", username="office")
    return dict(primary=primary, junior=junior, heads=heads)


@pytest.fixture
def today(monkeypatch):
    """The county's calendar, set by the test: every view reads clock.today()."""
    day = {"value": date(2026, 11, 20)}
    monkeypatch.setattr(clock, "today", lambda now=None: day["value"])
    return day


def sign_in(auth, username):
    """Sign in as `username`, whoever was signed in before (the office, then a school, then the office)."""
    auth.client.delete_cookie(auth.app.config["SESSION_COOKIE_NAME"])
    assert auth.login(username).status_code == 303
    return auth.token()


def send(client, token, *, kind="FILE", key="k-task-0001", **fields):
    data = dict(csrf_token=token, key=key, title="秋季学期督导自查报告", instructions="请各校按要求报送。",
                kind=kind, due_date=DUE.isoformat(), school_kind="PRIMARY", school_mode="all")
    data.update(fields)
    return client.post("/tasks/new", data=data, content_type="multipart/form-data")


def answers(app, task_id=None) -> dict[str, ReportAnswer]:
    with app.app_context():
        stmt = select(ReportAnswer).join(ReportAnswer.task)
        if task_id:
            stmt = stmt.where(ReportAnswer.task_id == task_id)
        found = db.session.scalars(stmt).all()
        return {a.school.name: a for a in found}


def only_task(app) -> ReportTask:
    with app.app_context():
        return db.session.scalars(select(ReportTask)).one()


def answer_id(app, school_name) -> int:
    return answers(app)[school_name].id


def hand_in(client, token, answer, *, key, file=None, **values):
    data = dict(csrf_token=token, key=key, **values)
    if file is not None:
        data["file"] = (io.BytesIO(file[1]), file[0])
    return client.post(f"/tasks/answers/{answer}", data=data, content_type="multipart/form-data")


# Sending -----------------------------------------------------------------------------------------

def test_the_office_sends_a_task_to_every_primary_school_once(app, client, auth, county, today):
    token = sign_in(auth, "office")
    response = send(client, token)
    assert response.status_code == 303
    assert set(answers(app)) == {"城东小学", "河口小学", "南湖小学"}  # not the 初中
    assert send(client, token).status_code == 303  # the same form sent again (a second tap)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReportTask)) == 1
        assert db.session.scalar(select(func.count()).select_from(ReportAnswer)) == 3
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "report_task")) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "未到期未报 <strong>3</strong>" in page


def test_the_filters_refresh_the_list_of_schools_in_place(app, client, auth, county, today):
    token = sign_in(auth, "office")
    response = client.post("/tasks/new?preview=1", data={"csrf_token": token, "school_kind": "JUNIOR"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="task-schools">')  # the block alone
    assert "城东初中" in html and "城东小学" not in html and "（1 所" in html


def test_hand_picked_schools_only(app, client, auth, county, today):
    token = sign_in(auth, "office")
    response = send(client, token, school_mode="picked", schools=[str(county["primary"][1])])
    assert response.status_code == 303
    assert set(answers(app)) == {"河口小学"}


@pytest.mark.parametrize("fields,field,message", [
    (dict(due_date="2026-11-19"), "due_date", "截止日期不能早于今天"),
    (dict(due_date=""), "due_date", "请填写截止日期"),
    (dict(title=""), "title", "请填写报送事项"),
    (dict(kind="FORM"), "question_text", "请至少写一个问题"),
    (dict(kind="FORM", question_text="是否完成｜是"), "question_text", "第 1 行的选项"),
    (dict(kind="TABLE"), "template", "请上传表格模板"),
    (dict(school_mode="picked"), "schools", "请至少勾选一所学校"),
    (dict(school_mode="picked", schools="999"), "schools", "不符合筛选条件"),
])
def test_a_task_form_with_a_problem_says_so_beside_the_field_and_sends_nothing(app, client, auth, county, today,
                                                                              fields, field, message):
    token = sign_in(auth, "office")
    response = send(client, token, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    block = html[html.index(f'id="field-{field}"'):]
    assert message in block[:block.index("</p>")]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReportTask)) == 0


# Where a school stands -----------------------------------------------------------------------------

def standing(status, submitted_at=None, today=DUE):
    return deadlines.standing(ReportAnswer(status=status, submitted_at=submitted_at), DUE, today)


def beijing(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone(timedelta(hours=8))).astimezone(timezone.utc)


def test_standing_before_on_and_after_the_deadline(app):
    with app.app_context():
        assert standing(AnswerStatus.PENDING, today=DUE) is Standing.NOT_YET  # the last day is still on time
        assert standing(AnswerStatus.PENDING, today=DUE + timedelta(days=1)) is Standing.LATE
        assert standing(AnswerStatus.RETURNED, today=DUE) is Standing.RETURNED
        assert standing(AnswerStatus.RETURNED, today=DUE + timedelta(days=1)) is Standing.LATE
        # 23:30 in the county on the last day is on time, though it is already the next day nowhere but in UTC
        assert standing(AnswerStatus.SUBMITTED, beijing(DUE, 23), today=DUE + timedelta(days=5)) is Standing.HANDED_IN
        # 00:30 on the day after is late, though UTC still says the last day
        late = beijing(DUE + timedelta(days=1), 0)
        assert late.date() == DUE
        assert standing(AnswerStatus.SUBMITTED, late, today=DUE + timedelta(days=1)) is Standing.HANDED_IN_LATE


def test_tally_counts_late_hand_ins_as_handed_in():
    found = deadlines.tally([Standing.HANDED_IN, Standing.HANDED_IN_LATE, Standing.LATE, Standing.NOT_YET,
                             Standing.RETURNED])
    assert (found.handed_in, found.handed_in_late, found.late, found.waiting, found.total) == (2, 1, 1, 2, 5)


# A file task ---------------------------------------------------------------------------------------

@pytest.fixture
def file_task(app, client, auth, county, today):
    assert send(client, sign_in(auth, "office")).status_code == 303
    return only_task(app).id


def stored_files(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attachment))


def test_a_principal_hands_in_a_file_and_a_second_tap_stores_it_once(app, client, auth, file_task, today):
    token = sign_in(auth, "xz1")
    answer = answer_id(app, "城东小学")
    first = hand_in(client, token, answer, key="k-answer-0001", file=("自查报告.pdf", PDF))
    assert first.status_code == 303
    kept = answers(app)["城东小学"].attachment_id
    again = hand_in(client, token, answer, key="k-answer-0001", file=("自查报告.pdf", PDF))
    assert again.status_code == 303
    assert stored_files(app) == 1
    found = answers(app)["城东小学"]
    assert found.attachment_id == kept  # the resend changed nothing: not even a new copy of the same file
    with app.app_context():
        changes = db.session.scalars(select(AuditLog).where(AuditLog.entity == "report_answer",
                                                            AuditLog.action == "update")).all()
        assert len(changes) == 1 and changes[0].actor and changes[0].changes["status"][1] == "已报送"
    assert found.status is AnswerStatus.SUBMITTED and found.attachment_id
    with app.app_context():
        assert db.session.get(Attachment, found.attachment_id).school_id == found.school_id
    # Handed in again before the deadline: the new file replaces the old one (its row and its bytes).
    assert hand_in(client, token, answer, key="k-answer-0002", file=("自查报告（修改）.pdf", PDF + b" ")).status_code == 303
    assert stored_files(app) == 1
    with app.app_context():
        assert db.session.get(Attachment, answers(app)["城东小学"].attachment_id).filename == "自查报告（修改）.pdf"
    assert sum(1 for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if path.is_file()) == 1  # the old bytes went


def test_the_same_hand_in_sent_twice_at_once_is_stored_once(app, client, auth, file_task):
    """Two copies of one request racing (a double tap on weak Wi-Fi). On PostgreSQL the test holds the
    answer's row while both arrive, so that both have read it before either writes; SQLite queues writing
    requests whole (BEGIN IMMEDIATE)."""
    token = sign_in(auth, "xz1")
    answer = answer_id(app, "城东小学")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    tablets = [app.test_client() for _ in range(2)]
    for tablet in tablets:
        tablet.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    codes = []

    def send_once(tablet):
        response = hand_in(tablet, token, answer, key="k-race-0001", file=("自查报告.pdf", PDF))
        codes.append(response.status_code)
        response.close()

    with app.app_context():
        holder = db.engine.connect()
    held = holder.begin()
    if holder.dialect.name == "postgresql":
        holder.execute(text("SELECT id FROM report_answer WHERE id = :id FOR UPDATE"), {"id": answer})
    threads = [threading.Thread(target=send_once, args=(tablet,)) for tablet in tablets]
    for thread in threads:
        thread.start()
    time.sleep(1.5)  # both requests are in, waiting for the row
    held.rollback()
    holder.close()
    for thread in threads:
        thread.join(timeout=30)
    assert codes == [303, 303]
    assert stored_files(app) == 1
    assert sum(1 for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if path.is_file()) == 1


@pytest.mark.parametrize("file,message", [
    (None, "请选择要上传的文件"),
    (("照片.jpg", JPEG_HEADER + b"x" * 100), "不是可接受的文件类型"),
    (("报告.txt", b"plain text"), "不是可接受的文件类型"),
])
def test_a_file_that_is_not_taken_is_said_beside_the_field(app, client, auth, file_task, file, message):
    token = sign_in(auth, "xz1")
    response = hand_in(client, token, answer_id(app, "城东小学"), key="k-answer-0003", file=file)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html[html.index('id="field-file"'):]
    assert answers(app)["城东小学"].status is AnswerStatus.PENDING
    assert stored_files(app) == 0


def test_after_the_deadline_a_handed_in_answer_stays_as_it_is(app, client, auth, file_task, today):
    token = sign_in(auth, "xz1")
    answer = answer_id(app, "城东小学")
    assert hand_in(client, token, answer, key="k-answer-0004", file=("a.pdf", PDF)).status_code == 303
    today["value"] = DUE + timedelta(days=1)
    assert hand_in(client, token, answer, key="k-answer-0005", file=("b.pdf", PDF)).status_code == 409
    assert "联系督导室退回" in client.get(f"/tasks/answers/{answer}").get_data(as_text=True)
    # One never handed in may still come late, and shows as late.
    other = sign_in(auth, "xz2")
    assert hand_in(client, other, answer_id(app, "河口小学"), key="k-answer-0006", file=("c.pdf", PDF)).status_code == 303
    with app.app_context():
        late = answers(app)["河口小学"]
        assert deadlines.standing(late, DUE, today["value"]) is Standing.HANDED_IN_LATE


# Reminders and returns ---------------------------------------------------------------------------------

def test_one_tap_reminds_the_late_schools_once_a_day_and_their_home_shows_it(app, client, auth, file_task, today):
    token = sign_in(auth, "xz1")
    assert hand_in(client, token, answer_id(app, "城东小学"), key="k-answer-0007", file=("a.pdf", PDF)).status_code == 303
    today["value"] = DUE + timedelta(days=1)
    office = sign_in(auth, "office")
    page = client.get(f"/tasks/{file_task}").get_data(as_text=True)
    assert "逾期未报 <strong class=\"is-bad\">2</strong>" in page
    response = client.post(f"/tasks/{file_task}/remind", data={}, headers={**HX, "X-CSRFToken": office})
    assert response.status_code == 200 and "今天已提醒" in response.get_data(as_text=True)
    client.post(f"/tasks/{file_task}/remind", data={}, headers={**HX, "X-CSRFToken": office})  # a second tap
    found = answers(app)
    assert [found[n].reminders for n in ("城东小学", "河口小学", "南湖小学")] == [0, 1, 1]
    today["value"] = DUE + timedelta(days=2)
    client.post(f"/tasks/{file_task}/remind", data={"school": found["南湖小学"].school_id},
                headers={"X-CSRFToken": office})
    assert [answers(app)[n].reminders for n in ("河口小学", "南湖小学")] == [1, 2]
    sign_in(auth, "xz3")
    home = client.get("/").get_data(as_text=True)
    assert "秋季学期督导自查报告" in home and "督导室已提醒 2 次" in home and "逾期未报" in home
    sign_in(auth, "xz1")
    assert "秋季学期督导自查报告" not in client.get("/").get_data(as_text=True)  # handed in and past the deadline


def test_the_office_returns_an_answer_with_a_comment_and_the_school_answers_again(app, client, auth, file_task, today):
    token = sign_in(auth, "xz1")
    answer = answer_id(app, "城东小学")
    assert hand_in(client, token, answer, key="k-answer-0008", file=("a.pdf", PDF)).status_code == 303
    office = sign_in(auth, "office")
    empty = client.post(f"/tasks/answers/{answer}/return", data={"csrf_token": office, "comment": " "})
    assert empty.status_code == 422 and "请写明退回的理由" in empty.get_data(as_text=True)
    assert answers(app)["城东小学"].status is AnswerStatus.SUBMITTED
    assert client.post(f"/tasks/answers/{answer}/return",
                       data={"csrf_token": office, "comment": "缺少校长签字页"}).status_code == 303
    assert answers(app)["城东小学"].status is AnswerStatus.RETURNED
    token = sign_in(auth, "xz1")
    home = client.get("/").get_data(as_text=True)
    assert "缺少校长签字页" in home and "已退回" in home
    assert hand_in(client, token, answer, key="k-answer-0009", file=("b.pdf", PDF)).status_code == 303
    assert answers(app)["城东小学"].status is AnswerStatus.SUBMITTED


def test_the_office_downloads_every_file_as_one_zip_named_by_school(app, client, auth, file_task, county):
    for username, name in (("xz1", "城东小学"), ("xz2", "河口小学")):
        token = sign_in(auth, username)
        assert hand_in(client, token, answer_id(app, name), key=f"k-zip-{username}-01",
                       file=("自查报告.pdf", PDF + username.encode())).status_code == 303
    sign_in(auth, "office")
    response = client.get(f"/tasks/{file_task}/answers.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert sorted(bundle.namelist()) == ["P001-城东小学.pdf", "P002-河口小学.pdf"]
    assert bundle.read("P002-河口小学.pdf") == PDF + b"xz2"


# A form task ---------------------------------------------------------------------------------------------

def test_a_form_answer_is_checked_question_by_question(app, client, auth, county, today):
    office = sign_in(auth, "office")
    assert send(client, office, kind="FORM",
                question_text="本学期家长会次数｜数字\n是否完成自查｜是/否\n主要问题").status_code == 303
    token = sign_in(auth, "xz1")
    answer = answer_id(app, "城东小学")
    wrong = hand_in(client, token, answer, key="k-form-0001", q1="三次", q2="也许", q3="")
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert "请填写数字" in html and "请从选项中选择" in html and "请填写" in html
    assert 'value="三次"' in html  # what was typed stays
    assert answers(app)["城东小学"].status is AnswerStatus.PENDING
    assert hand_in(client, token, answer, key="k-form-0002", q1="3", q2="是", q3="无").status_code == 303
    assert answers(app)["城东小学"].values == {"1": "3", "2": "是", "3": "无"}
    sign_in(auth, "office")
    book = load_workbook(io.BytesIO(client.get(f"/tasks/{only_task(app).id}/answers.xlsx").get_data()))
    assert [list(r) for r in book.active.iter_rows(values_only=True)] == [
        ["学校代码", "学校名称", "本学期家长会次数", "是否完成自查", "主要问题"], ["P001", "城东小学", "3", "是", "无"]]


def test_questions_read_back_as_written():
    written = "本学期家长会次数｜数字\n是否完成自查|是/否/部分完成\n\n主要问题"
    parsed = questions.parse(written)
    assert [q["type"] for q in parsed] == ["number", "choice", "text"]
    assert questions.parse(questions.as_text(parsed)) == parsed
    assert questions.check(parsed, {"1": "1,200", "2": "否", "3": "无"}) == ({"1": "1200", "2": "否", "3": "无"}, {})


# A table task --------------------------------------------------------------------------------------------

def test_table_rows_are_checked_against_the_templates_header():
    headers = table.template_headers(xlsx())
    assert headers == ["学校联系人*", "学生数（人）", "备注"]
    rows, errors = table.check_rows(headers, xlsx(["王老师", 820, ""], ["", "八百", "x"], ["李老师", "1,024", None],
                                                  [None, None, None]))
    assert [str(e) for e in errors] == ["第 3 行「学校联系人*」：必填，不能为空", "第 3 行「学生数（人）」：“八百”不是数字"]
    # Columns found by their header, wherever the school moved them; a blank line is skipped.
    rows, errors = table.check_rows(headers, xlsx(["本部", "王老师", 820], [None, None, None], ["", "李老师", "1,024"],
                                                  headers=("备注", "学校联系人*", "学生数（人）")))
    assert errors == [] and rows == [["王老师", 820, "本部"], ["李老师", 1024, None]]
    with pytest.raises(table.excel.WorkbookError, match="缺少必需的列：学生数（人）"):
        table.check_rows(headers, xlsx(["王老师", ""], headers=("学校联系人*", "备注")))
    with pytest.raises(table.excel.WorkbookError, match="没有填写任何数据行"):
        table.check_rows(headers, xlsx())


def test_a_table_answer_with_bad_rows_keeps_nothing_and_a_good_one_merges(app, client, auth, county, today):
    office = sign_in(auth, "office")
    template = ("报送模板.xlsx", xlsx())
    response = client.post("/tasks/new", data=dict(
        csrf_token=office, key="k-table-0001", title="学生数统计", kind="TABLE", due_date=DUE.isoformat(),
        school_kind="PRIMARY", school_mode="all", template=(io.BytesIO(template[1]), template[0])),
        content_type="multipart/form-data")
    assert response.status_code == 303
    task = only_task(app)
    assert task.headers == ["学校联系人*", "学生数（人）", "备注"]
    token = sign_in(auth, "xz1")
    answer = answer_id(app, "城东小学")
    bad = hand_in(client, token, answer, key="k-table-0002", file=("填报.xlsx", xlsx(["", "很多", ""])))
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "第 2 行" in html and "必填，不能为空" in html and "不是数字" in html
    assert answers(app)["城东小学"].status is AnswerStatus.PENDING and stored_files(app) == 1  # the template alone
    good = hand_in(client, token, answer, key="k-table-0003", file=("填报.xlsx", xlsx(["王老师", 820, "本部"], ["李老师", 96, "分校"])))
    assert good.status_code == 303
    assert answers(app)["城东小学"].rows == [["王老师", 820, "本部"], ["李老师", 96, "分校"]]
    sign_in(auth, "office")
    merged = load_workbook(io.BytesIO(client.get(f"/tasks/{task.id}/answers.xlsx").get_data()))
    assert [list(r) for r in merged.active.iter_rows(values_only=True)] == [
        ["学校代码", "学校名称", "学校联系人*", "学生数（人）", "备注"],
        ["P001", "城东小学", "王老师", 820, "本部"], ["P001", "城东小学", "李老师", 96, "分校"]]
