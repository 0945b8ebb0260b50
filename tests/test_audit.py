from sqlalchemy import select

from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.models import AuditLog, Role, School, SchoolKind, User


def entries(entity):
    return db.session.scalars(select(AuditLog).where(AuditLog.entity == entity).order_by(AuditLog.id)).all()


def test_create_update_delete_are_recorded_with_before_and_after(app):
    with app.app_context():
        school = School(code="1", name="甲小学", kind=SchoolKind.PRIMARY)
        db.session.add(school)
        db.session.commit()
        school.name, school.kind = "乙小学", SchoolKind.JUNIOR
        db.session.commit()
        db.session.delete(school)
        db.session.commit()
        created, updated, deleted = entries("school")
        assert created.action == "create" and created.changes["name"] == "甲小学"
        assert updated.changes == {"name": ["甲小学", "乙小学"], "kind": ["小学", "初中"]}
        assert deleted.action == "delete" and deleted.changes["name"] == "乙小学"
        assert created.actor == "系统" and created.school_id == school.id


def test_no_entry_when_nothing_really_changed(app):
    with app.app_context():
        school = School(code="1", name="甲小学", kind=SchoolKind.PRIMARY)
        db.session.add(school)
        db.session.commit()
        school.name = "甲小学"
        db.session.commit()
        assert [e.action for e in entries("school")] == ["create"]


def test_password_hash_never_written_to_the_log(app):
    with app.app_context():
        user = User(username="u", display_name="甲", role=Role.LEADER, password_hash=hash_password("secret-123"))
        db.session.add(user)
        db.session.commit()
        user.password_hash = hash_password("other-secret-456")
        db.session.commit()
        logged = [e.changes for e in entries("user")]
        assert logged[0]["password_hash"] == "***"
        assert logged[1] == {"password_hash": ["***", "***"]}


def test_inspector_assignment_changes_are_recorded(app):
    with app.app_context():
        a = School(code="1", name="甲小学", kind=SchoolKind.PRIMARY)
        user = User(username="u", display_name="督学甲", role=Role.INSPECTOR, password_hash="x")
        db.session.add_all([a, user])
        db.session.commit()
        user.schools.append(a)
        db.session.commit()
        assert entries("user")[-1].changes == {"schools": {"added": ["甲小学"], "removed": []}}


def test_web_changes_name_the_signed_in_user(app, client, auth, make_school):
    sid = make_school(name="旧名")
    auth.login_as("admin")
    client.post(f"/schools/{sid}/edit", data={
        "code": "X1", "name": "新名", "kind": "PRIMARY", "ownership": "PUBLIC", "csrf_token": auth.token()})
    with app.app_context():
        last = entries("school")[-1]
        assert last.user_id == auth.user_id and last.changes["name"] == ["旧名", "新名"]


def test_the_change_log_names_fields_and_shortens_values(app, make_school, make_user):
    from portal.audit import AUDIT_VALUE_CHARS, audit_field, audit_value, history

    school, inspector = make_school(name="河口镇中心小学"), make_user("inspector", display_name="周督学")
    entry = AuditLog(actor="督导室", entity="plan", entity_id="1", action="update",
                     changes={"school_id": [None, school], "reviewer_id": [99999, inspector], "round_id": [6, 7]})
    with app.app_context():  # people and schools named by the view's history(), in one query each
        (row,) = history([entry])
    assert row.changes == {"school_id": [None, "河口镇中心小学"], "reviewer_id": ["#99999", "周督学"], "round_id": [6, 7]}
    assert audit_value(7, "round_id") == "7"  # not a person: the number

    assert (audit_field("display_name"), audit_field("due_date"), audit_field("no_such_column")) == ("姓名", "期限", "no_such_column")
    assert (audit_value(True), audit_value(False), audit_value(None), audit_value("")) == ("是", "否", "（空）", "（空）")
    assert audit_value({"goals": {}, "milestones": {}}) == "（2 项）" and audit_value(0) == "0"
    long = "很" * (AUDIT_VALUE_CHARS + 5)
    assert audit_value(long) == "很" * AUDIT_VALUE_CHARS + "…"


def test_the_change_log_reads_as_people_typed_and_one_burst_of_autosaves_is_one_row(app):
    """变更记录 as an observer and a leader read it (issue 20.8): no keys, revisions or Python reprs,
    decimals and moments as people write them, a run of autosaves as one change from first to last."""
    from datetime import UTC, datetime, timedelta

    from portal.audit import audit_items, audit_value, history

    with app.app_context():
        assert audit_value("81.000000000000000000000000000") == "81"
        assert audit_value("7.50") == "7.5"
        assert audit_value("2026-11-20T02:05:09.123456+00:00") == "2026-11-20 10:05"  # Beijing time
        assert audit_value("2026-11-20") == "2026-11-20"
    assert audit_items(["<ObservationScore (pending 0x7f)>", "<ObservationScore (pending 0x80)>", "一年级1班"]) == \
        "一年级1班、2 项"
    start = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

    def entry(minutes, changes, actor="周督学", action="update"):
        return AuditLog(at=start + timedelta(minutes=minutes), actor=actor, entity="observation", entity_id="1",
                        action=action, changes=changes)

    newest_first = [
        entry(30, {"note": ["课堂活跃", "课堂活跃，互动多"]}),  # 22 minutes after the burst: a row of its own
        entry(8, {"note": ["课堂", "课堂活跃"], "revision": [3, 4], "last_key": ["a", "b"]}),
        entry(4, {"note": ["", "课堂"], "revision": [2, 3]}),
        entry(3, {"topic": ["分数", "分数的意义"]}, actor="吴督学"),
        entry(2, {"revision": [1, 2]}),  # bookkeeping only: nothing people see
        entry(0, {"subject": "数学"}, action="create"),
    ]
    with app.app_context():
        rows = history(newest_first)
    assert [(row.actor, row.action, row.changes) for row in rows] == [
        ("周督学", "update", {"note": ["课堂活跃", "课堂活跃，互动多"]}),
        ("周督学", "update", {"note": ["", "课堂活跃"]}),
        ("吴督学", "update", {"topic": ["分数", "分数的意义"]}),
        ("周督学", "create", {"subject": "数学"}),
    ]


def test_every_table_the_log_can_meet_has_a_chinese_name(app):
    """A record of a new kind reads 督导… in the change log, not its table name (supervision_visit #74)."""
    from portal.audit import AUDIT_ENTITIES, AUDIT_UNNAMED
    unnamed = sorted(set(db.metadata.tables) - set(AUDIT_ENTITIES) - AUDIT_UNNAMED)
    assert unnamed == []
