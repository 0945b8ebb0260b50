"""Tablet layout, at 1024 (landscape) and 768 (portrait) wide: nothing scrolls sideways and
every tap target is at least 44×44 px. SHOTS_DIR=/tmp/shots also saves a screenshot of each
page at each width, for a person to look at.
"""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import sign_in, signed_out

pytestmark = pytest.mark.browser

WIDTHS = (1024, 768)

# Links, buttons and fields a finger has to hit; a checkbox is hit through its label.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .map(el => el.matches('input[type=checkbox], input[type=radio]') && el.closest('label') || el)
  .filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > 0 && box.bottom > 0 && getComputedStyle(el).visibility !== 'hidden'
      && (box.width < 43.5 || box.height < 43.5);
  })
  .map(el => {
    const box = el.getBoundingClientRect();
    return `${(el.innerText || el.name || el.tagName).trim().slice(0, 12)} ${Math.round(box.width)}×${Math.round(box.height)}`;
  })"""

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

# The main navigation's entries by the line they sit on: one line at 1024 px for every role.
NAV_LINES = """() => new Set([...document.querySelectorAll('.mainnav > a, .mainnav > details > summary')]
  .map(el => Math.round(el.getBoundingClientRect().top))).size"""

def open_page(page, user, path):
    if user:
        sign_in(page, user)
    page.goto(page.base + path)
    expect(page.locator("main h1")).to_be_visible()


PAGES = [
    pytest.param("login", None, "/login", id="login"),
    pytest.param("admin_home", "admin", "/", id="admin-home"),
    pytest.param("schools", "admin", "/schools/", id="schools"),
    pytest.param("school_detail", "admin", "/schools/1", id="school-detail"),
    pytest.param("checklists", "admin", "/checklists/", id="checklists"),
    pytest.param("checklist_version", "admin", "/checklists/versions/1", id="checklist-version"),
    pytest.param("inspector_home", "duxue1", "/", id="inspector-home"),
    pytest.param("principal_home", "xz360001", "/", id="principal-home"),
    pytest.param("leader_home", "juzhang", "/", id="leader-home"),
    pytest.param("staff_home", "jd360001", "/", id="staff-home"),
    pytest.param("staff_accounts", "xz360001", "/users/", id="staff-accounts"),
    pytest.param("inspections", "duxue1", "/inspections/", id="inspections"),
    pytest.param("inspection_start", "duxue1", "/inspections/new", id="inspection-start"),
    pytest.param("inspection_fill", "duxue1", "/inspections/1/fill", id="inspection-fill"),
    pytest.param("inspection_detail", "admin", "/inspections/2", id="inspection-detail"),
    pytest.param("overview", "juzhang", "/overview", id="overview"),
    pytest.param("overview_principal", "xz360001", "/overview", id="overview-principal"),
    pytest.param("rounds", "admin", "/rounds/", id="rounds"),
    pytest.param("round_new", "admin", "/rounds/new", id="round-new"),
    pytest.param("round_detail", "admin", "/rounds/1", id="round-detail"),
    pytest.param("draw", "admin", "/draws/1", id="draw"),
    pytest.param("rectification_list", "admin", "/rectification/", id="rectification-list"),
    pytest.param("rectification_answer", "xz360001", "/rectification/1", id="rectification-answer"),
    pytest.param("rectification_verify", "duxue1", "/rectification/3", id="rectification-verify"),
    pytest.param("rectification_new", "duxue1", "/rectification/new", id="rectification-new"),
    pytest.param("observations", "juzhang", "/observations/", id="observations"),
    pytest.param("observation_counts", "admin", "/observations/counts", id="observation-counts"),
    pytest.param("observation_start", "juzhang", "/observations/new?school=1", id="observation-start"),
    pytest.param("observation_fill", "duxue1", "/observations/1/record", id="observation-fill"),
    pytest.param("observation_detail", "admin", "/observations/2", id="observation-detail"),
    pytest.param("school_classes", "xz360001", "/schools/1/classes/", id="school-classes"),
    pytest.param("plans_board", "admin", "/plans/", id="plans-board"),
    pytest.param("plan_detail", "xz360001", "/plans/1", id="plan-detail"),
    pytest.param("plan_review", "duxue1", "/plans/2", id="plan-review"),
    pytest.param("plan_milestone", "xz360001", "/plans/milestones/2", id="plan-milestone"),
    pytest.param("plan_milestone_form", "xz360001", "/plans/milestones/2/edit", id="plan-milestone-form"),
    pytest.param("plan_assessment", "xz360001", "/plans/1/self-assessment/1", id="plan-assessment"),
    pytest.param("plan_evaluation", "admin", "/plans/1/evaluations/midterm", id="plan-evaluation"),
    pytest.param("documents", "admin", "/documents/", id="documents"),
    pytest.param("document_inbox", "xz360001", "/documents/inbox", id="document-inbox"),
]


@pytest.mark.parametrize(("name", "user", "path"), PAGES)
def test_fits_a_tablet(page, name, user, path):
    open_page(page, user, path)
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 768})
        if os.environ.get("SHOTS_DIR"):
            Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(os.environ["SHOTS_DIR"]) / f"{name}-{width}.png"))
        sideways = page.evaluate(SIDEWAYS)
        small = page.evaluate(SMALL_TARGETS)
        if sideways > 0:
            problems[f"{width}px scrolls sideways by"] = sideways
        if small:
            problems[f"{width}px targets under 44 px"] = small
        if width == 1024 and page.evaluate(NAV_LINES) > 1:
            problems["1024px navigation wraps"] = page.locator(".mainnav").inner_text()
    assert problems == {}


def test_links_in_running_text_are_tap_sized(page, live_app):
    """随机抽班记录 (an open lesson's page), 随机抽取 (a finished one's) and 查看本批次整改 (a round's circular)
    sit in a line of text: each is still a 44 px target at 1024×768."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import (Document, DocumentStatus, Draw, Observation, ObservationStatus, RectificationItem,
                               User)

    with live_app.app_context():
        leader = db.session.scalar(select(User).where(User.username == "juzhang"))
        lesson = db.session.scalar(select(Observation).where(Observation.status == ObservationStatus.FINAL))
        ids = {}
        for status in ObservationStatus:
            draw = Draw(purpose="随机抽班", school_id=lesson.school_id, candidates=[["1", "一年级1班"]], count=1, seed="s",
                        picked=["1"])
            record = Observation(school_id=lesson.school_id, observer=leader, version_id=lesson.version_id,
                                 observed_on=lesson.observed_on, status=status, draw=draw, class_label="一年级1班")
            db.session.add(record)
            db.session.commit()
            ids[status] = record.id
        # the demo's circular made no items: one issued with one, as its 整改要求 would have made
        round_id = db.session.scalar(select(Document.round_id).where(Document.round_id.is_not(None)))
        circular = Document(title="布局测试通报", status=DocumentStatus.ISSUED, number="X教督〔2026〕98号", prefix="X教督",
                            year=2026, sequence=98, opening="正文。", signed_on=lesson.observed_on, issuer="督导室",
                            round_id=round_id, items=[db.session.scalar(select(RectificationItem))])
        db.session.add(circular)
        db.session.commit()
        circular = circular.id
    for user, path, name in (("juzhang", f"/observations/{ids[ObservationStatus.DRAFT]}/record", "随机抽班记录"),
                             ("juzhang", f"/observations/{ids[ObservationStatus.FINAL]}", "随机抽取"),
                             ("admin", f"/documents/{circular}", "查看本批次整改")):
        signed_out(page)  # whoever was signed in, signed out
        sign_in(page, user)
        page.goto(page.base + path)
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["height"] >= 43.5 and box["width"] >= 43.5, (name, box)
