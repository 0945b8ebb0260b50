"""The open random draw: one documented rule, reproducible by anyone from the record."""
import hashlib

from portal.draws import lots
from portal.extensions import db
from portal.models import Draw


def test_pick_is_the_smallest_sha256_ranks():
    keys = [str(k) for k in range(1, 31)]
    by_hand = sorted(keys, key=lambda k: hashlib.sha256(f"abc|{k}".encode()).hexdigest())[:5]
    assert lots.pick("abc", keys, 5) == by_hand


def test_pick_does_not_depend_on_listing_order_and_changes_with_the_seed():
    keys = list(range(1, 51))
    assert lots.pick("seed-1", keys, 6) == lots.pick("seed-1", reversed(keys), 6)
    assert lots.pick("seed-1", keys, 6) != lots.pick("seed-2", keys, 6)
    assert len(set(lots.pick("seed-1", keys, 6))) == 6


def test_pick_never_more_than_there_are():
    assert lots.pick("s", [1, 2], 5) == lots.pick("s", [2, 1], 2)
    assert lots.pick("s", [1, 2], 0) == []


def test_recorded_draw_checks_out_and_a_tampered_one_does_not(app, make_school):
    with app.test_request_context():
        record = lots.draw("2026 秋季随机督导 学校", [(i, f"学校{i}") for i in range(1, 21)], 4, rule="公办学校")
        db.session.commit()
        assert len(record.picked) == 4 and len(record.seed) == 32
        assert lots.check(db.session.get(Draw, record.id))
        record.picked = list(reversed(record.picked))
        assert not lots.check(record)


def test_draw_page_shows_every_rank_and_the_check(app, auth, client, make_school):
    with app.test_request_context():
        record = lots.draw("随机抽取督学", [(7, "王督学"), (9, "李督学"), (11, "赵督学")], 1)
        db.session.commit()
        draw_id, seed, picked = record.id, record.seed, record.picked[0]
    auth.login_as("principal", school_id=make_school())  # the office's draws are open to every signed-in user
    page = client.get(f"/draws/{draw_id}").get_data(as_text=True)
    assert "结果一致" in page and seed in page
    for key in ("7", "9", "11"):
        assert hashlib.sha256(f"{seed}|{key}".encode()).hexdigest() in page
    assert page.index("抽中") > page.index(hashlib.sha256(f"{seed}|{picked}".encode()).hexdigest())
