"""Client keys (portal/idempotency.py): a resend changes nothing, a lost reply is not a conflict,
one device's changes keep their order, and someone else's change is never overwritten silently."""
import json

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.idempotency import Outcome, QueueKey, judge
from portal.models import AuditLog, Observation, ObservationLog
from portal.observations import recording

from .conftest import HX, answer_of, save

ME, OTHER = "0123456789abcdef", "fedcba9876543210"


def key(device: str, seq: int) -> str:
    return f"{device}-{seq}"


def test_queue_keys_are_told_from_page_keys():
    assert QueueKey.parse(key(ME, 42)) == QueueKey(ME, 42)
    assert QueueKey.parse("3fa85f64-5717-4562-b3fc-2c963f66afa6") is None  # a page key (uuid4)
    assert QueueKey.parse(None) is None and QueueKey.parse("0123456789ABCDEF-1") is None


@pytest.mark.parametrize("same,revision,last,base,this,outcome", [
    (False, 3, key(ME, 7), 3, key(ME, 8), None),                  # made on the stored revision
    (False, 3, key(ME, 7), 2, key(ME, 8), None),                  # a reply was lost: its own revision unseen
    (False, 3, key(ME, 7), 2, key(ME, 7), Outcome.UNCHANGED),     # the same save again
    (False, 3, key(ME, 7), 2, key(ME, 5), Outcome.UNCHANGED),     # overtaken by its successor
    (True, 3, key(OTHER, 7), 1, key(ME, 8), Outcome.UNCHANGED),   # the same content
    (False, 3, key(OTHER, 7), 2, key(ME, 8), Outcome.CONFLICT),   # someone else saved meanwhile
    (False, 3, key(OTHER, 7), 3, key(ME, 8), None),               # …and this device saw it
    (False, 3, "3fa85f64-5717-4562-b3fc-2c963f66afa6", 2, key(ME, 1), Outcome.CONFLICT),
    (False, 3, key(ME, 7), 2, None, Outcome.CONFLICT),            # no key (no JavaScript): revision only
])
def test_judge(same, revision, last, base, this, outcome):
    assert judge(same, revision, last, base, this) is outcome


def test_a_save_whose_reply_was_lost_then_more_typing_saves_normally(app, client, setup):
    assert save(client, setup, "rating", value="达标", note="一", key=key(ME, 1)).status_code == 200
    # The reply was lost: the tablet still holds revision 0 and keeps typing in the same note.
    again = save(client, setup, "rating", value="达标", note="一二", key=key(ME, 2))
    assert again.status_code == 200
    stored = answer_of(app, setup["inspection"], setup["rating"])
    assert (stored.note, stored.revision, stored.last_key) == ("一二", 2, key(ME, 2))
    late = save(client, setup, "rating", value="达标", note="一", key=key(ME, 1))  # the first, resent late
    assert late.status_code == 200
    assert answer_of(app, setup["inspection"], setup["rating"]).note == "一二"


def test_a_real_conflict_is_refused_shown_side_by_side_and_logged_once(app, client, setup):
    save(client, setup, "rating", value="达标", note="对方写的", key=key(OTHER, 1))
    refused = save(client, setup, "rating", value="基本达标", note="我写的", key=key(ME, 1))
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "对方写的" in html and "我写的" in html and "保留我的" in html
    assert 'name="note" value="我写的"' in html and 'name="value" value="基本达标"' in html  # for 保留我的
    assert answer_of(app, setup["inspection"], setup["rating"]).note == "对方写的"
    save(client, setup, "rating", value="基本达标", note="我写的", key=key(ME, 1))  # resent after a reload
    with app.app_context():
        logged = db.session.scalars(select(AuditLog).where(AuditLog.action == "conflict")).all()
    assert len(logged) == 1
    assert logged[0].entity == "inspection" and logged[0].entity_id == str(setup["inspection"])
    assert (logged[0].changes["mine"]["note"], logged[0].changes["theirs"]["note"]) == ("我写的", "对方写的")
    kept = save(client, setup, "rating", value="基本达标", note="我写的", revision="1", key=key(ME, 2))  # 保留我的
    assert kept.status_code == 200
    assert answer_of(app, setup["inspection"], setup["rating"]).note == "我写的"


def test_quick_log_taps_keep_their_order_however_late_they_arrive(app, observation):
    """Taps 1-3 of one device, arriving 3, 1, 2 with moments derived from late replies that would
    put them in the wrong order: the sequence decides; each keeps its own moment."""
    with app.app_context():
        record = db.session.get(Observation, observation)
        recording.add_log(record, "学生练习", key(ME, 3), age_ms=0)
        recording.add_log(record, "教师讲授", key(ME, 1), age_ms=1000)
        recording.add_log(record, "学生讨论", key(ME, 2), age_ms=0)   # a derived moment after tap 3
        recording.add_log(record, "教师讲授", key(ME, 1), age_ms=0)   # resent: nothing added
        recording.add_log(record, "提问互动", key(OTHER, 1), age_ms=500)  # another device: its own moment
        db.session.commit()
        lines = db.session.scalars(select(ObservationLog).where(ObservationLog.observation_id == observation)
                                   .order_by(ObservationLog.at)).all()
        mine = [line for line in lines if line.client_key.startswith(ME)]
        assert [line.kind for line in mine] == ["教师讲授", "学生讨论", "学生练习"]
        assert len({line.at for line in lines}) == len(lines) == 4


def test_quick_log_over_http_takes_the_queue_key(app, client, auth, observation):
    token = auth.token()
    for seq, kind in ((2, "学生讨论"), (1, "教师讲授")):
        response = client.post(f"/observations/{observation}/log", data={"kind": kind, "key": key(ME, seq), "age": "0"},
                               headers={**HX, "X-CSRFToken": token})
        assert response.status_code == 200
    with app.app_context():
        kinds = [line.kind for line in db.session.get(Observation, observation).log]
        assert kinds == ["教师讲授", "学生讨论"]
        assert db.session.scalar(select(func.count()).select_from(ObservationLog)) == 2


def test_fragment_request_after_the_session_ended_is_kept_not_redirected(client, setup):
    client.post("/logout", data={"csrf_token": setup["token"]})
    response = save(client, setup, "rating", value="达标", key=key(ME, 1))
    assert response.status_code == 401 and "HX-Redirect" not in response.headers
    assert "session-ended" in json.loads(response.headers["HX-Trigger"])
