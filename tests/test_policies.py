"""The records' policies (portal/security.py) beyond the access matrix: a drawn inspector's rights end
with their round and reach only the inspection they were given; nobody changes another inspector's
draft or closes an item named to someone else; results reach principals and leaders only once
approved; a round's draws stay the office's while it is under way; HTTPS is kept to."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal import clock
from portal.extensions import db
from portal.models import (Draw, Inspection, InspectionStatus, RectificationItem, RectificationStatus, Role, Round,
                           RoundKind)

from .conftest import HX, answer_of, items

ZONE, DRAWN = "城东小学", "西山小学"


@pytest.fixture
def county(app, make_school, make_user, make_template):
    """Two schools; 周督学 has the first as 责任区, 吴督学 the second; a random round sends 周督学 to
    the second school (an inspection given to them by a draw)."""
    zone, drawn = make_school(name=ZONE), make_school(name=DRAWN)
    mine = make_user("inspector", username="zhou", schools=[zone])
    local = make_user("inspector", username="wu", schools=[drawn])
    version = make_template()
    with app.app_context():
        today = clock.today()
        supervision_round = Round(name="随机督导", kind=RoundKind.RANDOM, version_id=version,
                                  starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=10))
        given = Inspection(school_id=drawn, version_id=version, visit_date=today, round=supervision_round,
                           inspector_id=mine)
        theirs = Inspection(school_id=drawn, version_id=version, visit_date=today, inspector_id=local)
        db.session.add_all([supervision_round, given, theirs])
        db.session.commit()
        ids = dict(zone=zone, drawn=drawn, mine=mine, local=local, version=version, round=supervision_round.id,
                   given=given.id, theirs=theirs.id)
    return ids


def sign_in(auth, username):
    assert auth.login(username).status_code == 303
    return auth.token()


def post(client, url, token, **data):
    return client.post(url, data=data, headers={**HX, "X-CSRFToken": token})


def end_round(app, round_id, status=None, inspection_id=None):
    with app.app_context():
        db.session.get(Round, round_id).ends_on = clock.today() - timedelta(days=1)
        if status:
            db.session.get(Inspection, inspection_id).status = status
        db.session.commit()


def first_item(app, inspection_id):
    return items(app, inspection_id)[2].id  # the yes/no item


def test_a_drawn_inspector_fills_the_given_inspection_while_the_round_is_open(app, client, auth, county):
    token = sign_in(auth, "zhou")
    item = first_item(app, county["given"])
    assert post(client, f"/inspections/{county['given']}/items/{item}", token, value="是", revision="0").status_code == 200
    assert client.get(f"/schools/{county['drawn']}").status_code == 200  # sees the school while there
    # …and nothing else there: another inspector's draft, a new item of their own, the school's checklists
    assert post(client, f"/inspections/{county['theirs']}/items/{item}", token, value="否", revision="0").status_code == 403
    assert client.get(f"/inspections/new?school={county['drawn']}").status_code == 200
    with app.app_context():
        day = clock.today().isoformat()
    made = client.post("/inspections/new", data={"school": county["drawn"], "version": county["version"],
                                                 "visit_date": day, "key": "k" * 20,
                                                 "csrf_token": token})
    assert made.status_code == 422  # not a school they may start an inspection at
    assert answer_of(app, county["theirs"], item) is None


def test_a_drawn_inspectors_rights_end_with_the_round(app, client, auth, county):
    end_round(app, county["round"])
    token = sign_in(auth, "zhou")
    item = first_item(app, county["given"])
    assert post(client, f"/inspections/{county['given']}/items/{item}", token, value="是", revision="0").status_code == 403
    assert client.get(f"/inspections/{county['given']}").status_code == 200  # their own work, still theirs to read
    assert client.get(f"/schools/{county['drawn']}").status_code == 403
    assert answer_of(app, county["given"], item) is None


def test_an_inspection_returned_after_the_round_ended_is_still_its_inspectors_to_correct(app, client, auth, county):
    end_round(app, county["round"], InspectionStatus.RETURNED, county["given"])
    token = sign_in(auth, "zhou")
    item = first_item(app, county["given"])
    assert post(client, f"/inspections/{county['given']}/items/{item}", token, value="是", revision="0").status_code == 200


def test_the_schools_own_inspector_reads_a_drawn_inspectors_draft_but_does_not_change_it(app, client, auth, county):
    token = sign_in(auth, "wu")
    item = first_item(app, county["given"])
    assert client.get(f"/inspections/{county['given']}").status_code == 200
    assert client.get(f"/inspections/{county['given']}/fill").status_code == 403
    assert post(client, f"/inspections/{county['given']}/items/{item}", token, value="否", revision="0").status_code == 403
    assert answer_of(app, county["given"], item) is None


@pytest.fixture
def submitted_item(app, county):
    """A report awaiting verification at the drawn school, named to 周督学 (who found the problem there)."""
    with app.app_context():
        item = RectificationItem(school_id=county["drawn"], problem="问题", requirement="要求", due_date=date(2026, 12, 31),
                                 status=RectificationStatus.SUBMITTED, inspector_id=county["mine"])
        db.session.add(item)
        db.session.commit()
        return item.id


def status_of(app, item_id):
    with app.app_context():
        return db.session.get(RectificationItem, item_id).status


def test_only_the_named_verifier_closes_an_item(app, client, auth, county, submitted_item):
    token = sign_in(auth, "wu")  # the school's own inspector, not the one named
    assert client.get(f"/rectification/{submitted_item}").status_code == 200
    assert post(client, f"/rectification/{submitted_item}/verify", token, decision="close", key="k" * 20).status_code == 403
    assert status_of(app, submitted_item) is RectificationStatus.SUBMITTED
    client.post("/logout", data={"csrf_token": token})
    end_round(app, county["round"])  # the named verifier keeps the item, whatever their round
    token = sign_in(auth, "zhou")
    assert client.get(f"/rectification/{submitted_item}").status_code == 200
    assert f"/rectification/{submitted_item}" in client.get("/rectification/").get_data(as_text=True)
    assert post(client, f"/rectification/{submitted_item}/verify", token, decision="close", key="k" * 20).status_code == 200
    assert status_of(app, submitted_item) is RectificationStatus.CLOSED


@pytest.fixture
def results(app, county, make_user):
    """At the zone school: one inspection approved (80 %), one handed in and not approved yet (40 %)."""
    with app.app_context():
        day = clock.today()
        for status, percent in ((InspectionStatus.APPROVED, "80"), (InspectionStatus.SUBMITTED, "40")):
            db.session.add(Inspection(school_id=county["zone"], version_id=county["version"], visit_date=day,
                                      status=status, inspector_id=county["mine"], percent=Decimal(percent), band="合格"))
        db.session.commit()
    return county


def school_row(html: str) -> list[str]:
    part = html.split('id="overview-schools"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    row = part.split(f"<td>{ZONE}</td>", 1)[1].split("</tr>", 1)[0]
    return [cell.rsplit(">", 1)[-1] for cell in row.split("</td>")[:-1]]


@pytest.mark.parametrize("role,expected", [
    (Role.PRINCIPAL, ["1", "80"]),   # the approved result only
    (Role.LEADER, ["1", "80"]),
    (Role.INSPECTOR, ["2", "60"]),   # the school's inspector sees the inspectors' work too
    (Role.ADMIN, ["2", "60"]),
])
def test_results_not_approved_yet_reach_neither_the_school_nor_the_leaders(client, auth, results, role, expected):
    auth.login_as(role, school_id=results["zone"], schools=[results["zone"]])
    assert school_row(client.get("/overview").get_data(as_text=True))[:2] == expected


@pytest.fixture
def draws(app, county):
    """The round's draw of schools, and of the inspector for the drawn school."""
    with app.app_context():
        schools = Draw(purpose="随机督导 学校", candidates=[[str(county["drawn"]), DRAWN]], count=1, seed="s",
                       picked=[str(county["drawn"])])
        inspector = Draw(purpose="随机督导 督学", candidates=[[str(county["mine"]), "周督学"]], count=1, seed="s",
                         picked=[str(county["mine"])])
        db.session.add_all([schools, inspector])
        db.session.get(Round, county["round"]).school_draw = schools
        db.session.get(Inspection, county["given"]).inspector_draw = inspector
        db.session.commit()
        return schools.id, inspector.id


def hand_in(app, inspection_id):
    with app.app_context():
        db.session.get(Inspection, inspection_id).status = InspectionStatus.SUBMITTED
        db.session.commit()


def test_a_rounds_draws_stay_the_offices_while_it_is_under_way(app, client, auth, county, draws, make_user):
    schools, inspector = draws
    make_user("principal", username="xz", school_id=county["drawn"])
    sign_in(auth, "xz")
    assert client.get(f"/draws/{schools}").status_code == 403    # where the inspectors go, while they go
    assert client.get(f"/draws/{inspector}").status_code == 403  # who comes to the school
    client.post("/logout", data={"csrf_token": auth.token()})
    sign_in(auth, "zhou")
    assert client.get(f"/draws/{inspector}").status_code == 200  # their own assignment
    assert client.get(f"/draws/{schools}").status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    hand_in(app, county["given"])
    sign_in(auth, "xz")
    assert client.get(f"/draws/{schools}").status_code == 200    # once every inspection is in: the open record
    assert client.get(f"/draws/{inspector}").status_code == 200


def test_served_over_https_browsers_are_told_to_keep_to_it(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"

