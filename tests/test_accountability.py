"""督办 and 问责: the escalation rules (N days: a 督办通知 in the school's inbox; M days: the leaders'
home), once per item and rule however the run repeats or races, and the office's 问责 records."""
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import clock, config
from portal.accountability import escalation
from portal.documents import compose
from portal.extensions import db
from portal.models import (Accountability, AuditLog, Document, DocumentCounter, DocumentKind, DocumentRecipient,
                           EscalationRun, InspectionStatus, JobStatus, Measure, OrderRule, RectificationItem,
                           RectificationStatus, Role, SupervisionOrder, User)

from .conftest import HX, Auth

DUE = date(2026, 11, 2)


@pytest.fixture
def today(monkeypatch):
    """The county's calendar, moved by hand: today(days) makes it DUE + days (noon in Beijing)."""
    def move(days: int) -> date:
        day = DUE + timedelta(days=days)
        monkeypatch.setattr(clock, "utcnow", lambda: datetime.combine(day, time(4), tzinfo=UTC))
        return day
    return move


@pytest.fixture
def county(app, make_school, make_user, make_inspection):
    """Two schools, each with a principal; 周督学's 责任区 is the first; an item of the first school's
    from an approved inspection, due on DUE and named to 周督学 to verify."""
    own, other = make_school(name="城东小学"), make_school(name="西山小学")
    inspector = make_user("inspector", username="zhou", display_name="周督学", schools=[own])
    inspection = make_inspection(own, status=InspectionStatus.APPROVED, inspector_id=inspector)
    with app.app_context():
        item = RectificationItem(school_id=own, problem="校门口护栏破损。", requirement="一周内修复护栏。", due_date=DUE,
                                 inspector_id=inspector, inspection_id=inspection)
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    return dict(own=own, other=other, inspector=inspector, item=item_id, inspection=inspection,
                principal=make_user("principal", username="head", school_id=own),
                neighbour=make_user("principal", username="next", school_id=other))


def run(app):
    with app.app_context():
        return escalation.run(clock.today())


def orders(app):
    with app.app_context():
        return db.session.execute(select(SupervisionOrder.rule, SupervisionOrder.days_overdue, SupervisionOrder.document_id)
                                  .order_by(SupervisionOrder.id)).all()


def test_an_item_n_days_overdue_gets_one_notice_and_m_days_the_leaders(app, county, today):
    notice, leaders = app.config["DUBAN_NOTICE_DAYS"], app.config["DUBAN_LEADER_DAYS"]
    today(notice - 1)
    assert run(app).notices == [] and orders(app) == []
    today(notice)
    outcome = run(app)
    assert len(outcome.notices) == 1 and outcome.leaders == 0
    assert [(rule, days) for rule, days, _ in orders(app)] == [(OrderRule.NOTICE, notice)]
    today(leaders - 1)
    assert run(app).notices == [] and len(orders(app)) == 1   # the notice is not sent again
    today(leaders)
    assert run(app).leaders == 1
    assert [(rule, days) for rule, days, _ in orders(app)] == [(OrderRule.NOTICE, notice), (OrderRule.LEADERS, leaders)]
    today(leaders + 10)
    outcome = run(app)
    assert outcome.notices == [] and outcome.leaders == 0 and len(orders(app)) == 2


def test_the_notice_is_a_numbered_document_in_that_schools_inbox_alone(app, county, today):
    day = today(app.config["DUBAN_NOTICE_DAYS"])
    run(app)
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert document.kind is DocumentKind.ORDER and document.issued
        assert document.number == "X教督办〔2026〕1号"
        assert [r.school_id for r in document.recipients] == [county["own"]]
        assert [item.id for item in document.items] == [county["item"]]
        new_deadline = day + timedelta(days=app.config["DUBAN_NEW_DEADLINE_DAYS"])
        assert document.deadline == new_deadline and document.signed_on == day
        text = "".join(p.lead + p.rest for p in compose.body(document))
        # the item, its inspection, the deadline missed, the days overdue and the new deadline
        for part in ("校门口护栏破损", "一周内修复护栏", "2026年11月20日", "测试检查表", "2026年11月2日",
                     f"已逾期{app.config['DUBAN_NOTICE_DAYS']}天", "2026年11月24日", "督办要求"):
            assert part in text, part
        assert document.pdf is not None  # stored when sent: what the school opens never changes


def test_only_items_the_school_still_owes_are_escalated(app, county, today):
    with app.app_context():
        item = db.session.get(RectificationItem, county["item"])
        item.status = RectificationStatus.SUBMITTED
        db.session.commit()
    today(app.config["DUBAN_LEADER_DAYS"] + 5)
    assert run(app).notices == [] and orders(app) == []
    with app.app_context():  # sent back to the school: it owes an answer again, and is overdue
        db.session.get(RectificationItem, county["item"]).status = RectificationStatus.RETURNED
        db.session.commit()
    outcome = run(app)
    assert len(outcome.notices) == 1 and outcome.leaders == 1


def test_the_database_refuses_a_second_order_for_the_same_item_and_rule(app, county):
    with app.app_context():
        for _ in range(2):
            db.session.add(SupervisionOrder(rectification_id=county["item"], school_id=county["own"],
                                            rule=OrderRule.NOTICE, found_on=DUE, due_date=DUE, days_overdue=7))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_run_that_read_the_list_before_another_run_committed_adds_nothing(app, county, today, monkeypatch):
    """Two runs race: both read the same due items, the other commits first. The loser's order is
    refused by the unique constraint, its 督办通知 rolled back with its number: no duplicate, no gap."""
    today(app.config["DUBAN_LEADER_DAYS"])
    with app.app_context():
        read_first = {rule: escalation.due(rule, clock.today()) for rule in OrderRule}
    assert run(app).leaders == 1  # the other run wins
    monkeypatch.setattr(escalation, "due", lambda rule, day: read_first[rule])
    outcome = run(app)
    assert outcome.skipped == 2 and outcome.notices == [] and outcome.leaders == 0
    assert len(orders(app)) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 1
        assert db.session.scalar(select(DocumentCounter.last)) == 1  # the loser's number was given back


def test_the_daily_command_can_be_run_twice_and_sends_one_notice(app, county, today, runner):
    today(app.config["DUBAN_NOTICE_DAYS"] + 1)
    first = runner.invoke(args=["duban", "run"])
    assert first.exit_code == 0, first.output
    assert "督办通知 1 份" in first.output
    second = runner.invoke(args=["duban", "run"])
    assert second.exit_code == 0 and "督办通知 0 份" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 1
        runs = db.session.scalars(select(EscalationRun).order_by(EscalationRun.id)).all()
        assert [(r.status, r.notices) for r in runs] == [(JobStatus.DONE, 1), (JobStatus.DONE, 0)]
        assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "supervision_order")).actor == "系统"


def test_queued_runs_are_done_by_the_job_worker(app, county, today, runner, auth, client):
    from portal import jobs

    today(app.config["DUBAN_NOTICE_DAYS"])
    assert "已排队" in runner.invoke(args=["duban", "run", "--queue"]).output
    auth.login_as(Role.ADMIN)
    token = auth.token()
    key = "k" * 20
    for _ in range(2):  # a second tap on 立即督办检查 finds the first run
        assert client.post("/accountability/run", data={"csrf_token": token, "key": key}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EscalationRun)) == 2
        jobs.work(once=True, interval=0, report=lambda job: None)
        runs = db.session.scalars(select(EscalationRun).order_by(EscalationRun.id)).all()
        assert [(r.status, r.notices) for r in runs] == [(JobStatus.DONE, 1), (JobStatus.DONE, 0)]


def test_the_principal_signs_for_the_notice_and_the_neighbour_never_sees_it(app, county, today, auth, client, make_user):
    today(app.config["DUBAN_NOTICE_DAYS"])
    run(app)
    with app.app_context():
        recipient = db.session.scalar(select(DocumentRecipient))
        number = recipient.document.number
    neighbour = app.test_client()
    assert Auth(app, neighbour, make_user).login("next").status_code == 303
    assert number not in neighbour.get("/documents/inbox").get_data(as_text=True)
    assert neighbour.get(f"/documents/received/{recipient.id}").status_code == 403
    assert auth.login("head").status_code == 303
    home = client.get("/").get_data(as_text=True)
    assert number in home and "待签收" in home
    page = client.get(f"/documents/received/{recipient.id}").get_data(as_text=True)
    assert "督办期限" in page and "督办的整改事项" in page and "校门口护栏破损" in page
    pdf = client.get(f"/documents/received/{recipient.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    token = auth.token()
    assert client.post(f"/documents/received/{recipient.id}/acknowledge", data={"csrf_token": token, "key": "a" * 20},
                       headers=HX).status_code == 200
    with app.app_context():
        signed = db.session.get(DocumentRecipient, recipient.id)
        assert signed.acknowledged_at is not None and signed.acknowledged_by_id == county["principal"]


def test_the_office_cannot_draft_a_correction_of_a_notice(app, county, today, auth, client):
    today(app.config["DUBAN_NOTICE_DAYS"])
    run(app)
    auth.login_as(Role.ADMIN)
    with app.app_context():
        document_id = db.session.scalar(select(Document.id))
    assert "起草更正文件" not in client.get(f"/documents/{document_id}").get_data(as_text=True)
    response = client.post(f"/documents/{document_id}/correct", data={"csrf_token": auth.token(), "key": "c" * 20})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 1


def test_the_leaders_home_lists_items_m_days_overdue_with_school_and_inspectors(app, county, today, auth, client):
    today(app.config["DUBAN_LEADER_DAYS"] - 1)
    auth.login_as(Role.LEADER)
    assert "逾期报领导" not in client.get("/").get_data(as_text=True)
    today(app.config["DUBAN_LEADER_DAYS"])
    home = client.get("/").get_data(as_text=True)
    assert "逾期报领导" in home
    row = home[home.index('id="escalated"'):]
    assert "城东小学" in row and "周督学" in row and f"{app.config['DUBAN_LEADER_DAYS']} 天" in row
    with app.app_context():  # answered: it leaves the leaders' list at once
        db.session.get(RectificationItem, county["item"]).status = RectificationStatus.SUBMITTED
        db.session.commit()
    assert "逾期报领导" not in client.get("/").get_data(as_text=True)


def test_the_principals_home_has_no_leaders_list(app, county, today, auth, client):
    today(app.config["DUBAN_LEADER_DAYS"])
    assert auth.login("head").status_code == 303
    assert "逾期报领导" not in client.get("/").get_data(as_text=True)


def two_notices(app, county, today):
    """A second overdue item at the school: two 督办通知 this school year."""
    with app.app_context():
        db.session.add(RectificationItem(school_id=county["own"], problem="食堂留样记录不全。", requirement="补齐留样。",
                                         due_date=DUE + timedelta(days=3), inspector_id=county["inspector"]))
        db.session.commit()
    today(app.config["DUBAN_NOTICE_DAYS"] + 3)
    run(app)


def test_a_school_with_repeated_notices_is_a_candidate_for_the_leaders(app, county, today, auth, client):
    today(app.config["DUBAN_NOTICE_DAYS"])
    run(app)
    auth.login_as(Role.LEADER)
    page = client.get("/accountability/").get_data(as_text=True)
    assert "城东小学" not in page  # one 督办通知 is not yet lagging repeatedly
    two_notices(app, county, today)
    page = client.get("/accountability/").get_data(as_text=True)
    assert "城东小学" in page and "2 份" in page
    assert "立即督办检查" not in page and "记录问责" not in page  # leaders read, the office records


def record(client, token, school_id, **fields):
    data = {"csrf_token": token, "key": "r" * 20, "measure": "TALK", "taken_on": fields.pop("taken_on", ""),
            "reason": "两份督办通知逾期未整改。", **fields}
    return client.post(f"/accountability/school/{school_id}/new", data=data)


def test_the_office_records_an_action_with_its_items_once(app, county, today, auth, client):
    day = today(app.config["DUBAN_NOTICE_DAYS"])
    run(app)
    admin = auth.login_as(Role.ADMIN)
    token = auth.token()
    form = client.get(f"/accountability/school/{county['own']}/new").get_data(as_text=True)
    assert "校门口护栏破损" in form  # the 督办 item is offered
    for _ in range(2):  # a second tap finds the first record
        response = record(client, token, county["own"], taken_on=day.isoformat(), items=str(county["item"]))
        assert response.status_code == 303
    with app.app_context():
        entries = db.session.scalars(select(Accountability)).all()
        assert len(entries) == 1
        entry = entries[0]
        assert (entry.measure.value, entry.taken_on, entry.recorded_by_id) == ("约谈", day, admin)
        assert [item.id for item in entry.items] == [county["item"]]
        logged = db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "accountability")).all()
        assert sorted(logged) == ["create", "items"]
    history = client.get(f"/accountability/school/{county['own']}").get_data(as_text=True)
    assert "约谈" in history and "两份督办通知逾期未整改" in history and "X教督办〔2026〕1号" in history


@pytest.mark.parametrize("fields,field,message", [
    ({"reason": ""}, "reason", "请写明问责事由"),
    ({"measure": ""}, "measure", "请选择问责措施"),
    ({"measure": "FIRE"}, "measure", ""),
    ({"taken_on": "2026-13-01"}, "taken_on", ""),
    ({"taken_on": "2027-01-01"}, "taken_on", "日期不能晚于今天"),
    ({"taken_on": "2025-01-01"}, "taken_on", "日期不能早于一年前"),
    ({"items": "999"}, "items", ""),
    ({"reason": "长" * 2001}, "reason", "最多 2000 字"),
])
def test_an_invalid_record_answers_422_beside_the_field_and_saves_nothing(app, county, today, auth, client, fields, field,
                                                                           message):
    day = today(app.config["DUBAN_NOTICE_DAYS"])
    auth.login_as(Role.ADMIN)
    fields = {"taken_on": day.isoformat(), **fields}
    response = record(client, auth.token(), county["own"], **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    beside = html[html.index(f'id="field-{field}"'):]
    beside = beside[:beside.index("</div>", beside.index('class="field-msg"'))]
    assert 'class="error"' in beside and message in beside
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Accountability)) == 0


def test_principals_see_their_own_schools_records_only(app, county, today, auth, client):
    day = today(app.config["DUBAN_NOTICE_DAYS"])
    with app.app_context():
        recorder = db.session.get(User, county["inspector"])  # whoever recorded it
        for school, reason in ((county["own"], "本校的问责"), (county["other"], "邻校的问责")):
            db.session.add(Accountability(school_id=school, measure=Measure.CRITICISM,
                                          taken_on=day, reason=reason, recorded_by_id=recorder.id))
        db.session.commit()
        theirs = db.session.scalar(select(Accountability.id).where(Accountability.school_id == county["other"]))
    assert auth.login("head").status_code == 303
    page = client.get("/accountability/").get_data(as_text=True)
    assert "本校的问责" in page and "邻校的问责" not in page and "问责候选学校" not in page
    assert client.get(f"/accountability/{theirs}").status_code == 403
    assert client.get(f"/accountability/school/{county['other']}").status_code == 403
    assert client.get(f"/accountability/school/{county['own']}/new").status_code == 403


def test_settings_that_would_escalate_to_the_leaders_first_are_refused(app):
    settings = dict(app.config, DUBAN_NOTICE_DAYS=30, DUBAN_LEADER_DAYS=30)
    with pytest.raises(RuntimeError, match="DUBAN_NOTICE_DAYS"):
        config.check(settings)



def test_the_record_form_as_htmx_fragment_and_boosted_page(app, county, today, auth, client):
    """htmx swaps the form alone (422 with the errors, then a full navigation once saved); a boosted
    request gets the whole page."""
    from .conftest import HX_BOOSTED

    day = today(app.config["DUBAN_NOTICE_DAYS"])
    auth.login_as(Role.ADMIN)
    token, url = auth.token(), f"/accountability/school/{county['own']}/new"
    assert "<html" in client.get(url, headers=HX_BOOSTED).get_data(as_text=True)
    invalid = client.post(url, data={"csrf_token": token, "key": "h" * 20, "measure": "TALK", "taken_on": day.isoformat()},
                          headers=HX)
    html = invalid.get_data(as_text=True)
    assert invalid.status_code == 422 and "<html" not in html and html.lstrip().startswith("<form")
    assert "请写明问责事由" in html
    saved = client.post(url, data={"csrf_token": token, "key": "h" * 20, "measure": "TALK", "taken_on": day.isoformat(),
                                   "reason": "约谈校长。"}, headers=HX)
    assert saved.headers["HX-Redirect"] == f"/accountability/school/{county['own']}"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Accountability)) == 1


def _racing_run(url: str, uploads: str, barrier, queue) -> None:
    """One process's run of the rules, reading its due list at the same moment as the other's."""
    from portal import create_app

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": uploads,
                      "SQLITE_BUSY_TIMEOUT_MS": 60000})
    read = escalation.due

    def due_then_wait(rule, day):
        found = read(rule, day)
        db.session.commit()  # the read's transaction ends (SQLite: it holds the write lock), as run() does next
        barrier.wait(timeout=60)  # both have read the list: each now writes what the other writes
        return found

    escalation.due = due_then_wait
    with app.app_context():
        outcome = escalation.run(clock.today())
        queue.put((len(outcome.notices), outcome.leaders, outcome.skipped))


def test_two_processes_running_at_once_escalate_each_item_once(app, make_school):
    """A real race: two runs in two processes read the same due items, then both write them."""
    import multiprocessing

    school = make_school(name="赛跑小学")
    real_today = date.today()
    with app.app_context():
        for n in range(3):
            db.session.add(RectificationItem(school_id=school, problem=f"问题{n}", requirement="整改",
                                             due_date=clock.today() - timedelta(days=app.config["DUBAN_LEADER_DAYS"] + n)))
        db.session.commit()
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    processes = [ctx.Process(target=_racing_run, args=(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_FOLDER"],
                                                        barrier, queue)) for _ in range(2)]
    for process in processes:
        process.start()
    outcomes = [queue.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert date.today() == real_today  # the processes' "today" was this one's
    assert sum(notices for notices, _, _ in outcomes) == 3 and sum(leaders for _, leaders, _ in outcomes) == 3
    assert sum(skipped for _, _, skipped in outcomes) == 6  # every order the loser tried was refused
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SupervisionOrder)) == 6
        numbers = db.session.scalars(select(Document.sequence).order_by(Document.sequence)).all()
        assert numbers == [1, 2, 3]  # no duplicate notice, no gap in the numbers
