"""Field use on a tablet, the messy cases: a session that ends mid-form, replies lost on weak Wi-Fi,
a busy server answering 5xx, a slow link, a reload without network, a camera photo on a slow
uplink. Each ends with the database holding exactly what was typed, once."""
import random
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (Answer, AuditLog, Inspection, InspectionStatus, Observation, ObservationStatus, Photo,
                           RectificationEvent, RectificationItem, RectificationStatus, Step, User)

from .conftest import network, settled, sign_in, signed_out, tablet
from .photos import camera_photo
from .test_foundation import sign_in_again
from .test_inspection import ITEM, NO, YES, answers, start, tap
from .test_observation import start_at

ITEM_URL = r"/inspections/\d+/items/\d+$"


def item(page, index: int):
    """The `index`-th item the school answers (not one its kind is N/A for)."""
    return page.locator(ITEM).nth(index)


def answer(live_app, inspection_id: int, index: int) -> Answer | None:
    """The stored answer to the inspection's `index`-th item (page order), or None."""
    with live_app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        items = [i.id for s in inspection.version.sections for i in s.items  # those the school answers
                 if inspection.school.kind.name not in i.na_kinds]
        return db.session.scalar(select(Answer).where(Answer.inspection_id == inspection_id,
                                                      Answer.item_id == items[index]))


def synced(page, timeout: int = 20_000):
    expect(page.locator("[data-sync-status]")).to_be_hidden(timeout=timeout)


def test_a_tap_and_a_note_after_the_session_ended_arrive_once_after_signing_in_again(page, context, live_app, console):
    console.allow(401)
    sign_in(page, "duxue1")
    inspection = start(page, 1)
    tap(page, 0)
    expect(item(page, 0).locator(".saved")).to_be_visible()
    context.clear_cookies()  # the session ends (expiry, sign-out elsewhere)
    tap(page, 1, NO)
    # The tap's save finds the session gone and the sign-in dialog opens over the page, which cannot
    # be typed into meanwhile (Playwright's fill() would pass without typing anything): the inspector
    # closes it to write the note first, then taps the waiting count to sign in.
    dialog = page.get_by_role("dialog", name="登录已过期，请重新登录")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    item(page, 1).get_by_label("说明").fill("课后服务名单未公示")
    expect(item(page, 1).locator(".item-state")).to_contain_text("重新登录后发送")
    expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步（请重新登录）")
    page.locator("[data-sync-status]").tap()
    sign_in_again(page)
    synced(page)
    expect(page).to_have_url(re.compile(rf"/inspections/{inspection}/fill$"))  # never left the page
    saved = answer(live_app, inspection, 1)
    assert (saved.value, saved.note, saved.revision) == ("否", "课后服务名单未公示", 1)


IN_OUTBOX = """(note) => new Promise((resolve) => {
  indexedDB.open("dudao").onsuccess = (event) => {
    event.target.result.transaction("outbox").objectStore("outbox").getAll().onsuccess = (read) => {
      resolve(read.target.result.some((e) => e.fields.note === note));
    };
  };
})"""


def hold_first_save(page):
    """The next save is held on its way (sent, not yet answered), to be let go by the test; the saves
    after it are listed as they go on to the server."""
    held, after = [], []

    def handler(route):
        if route.request.method == "POST" and not held:
            held.append(route)
            return
        if route.request.method == "POST":
            after.append(route.request.post_data)
        route.continue_()

    page.route(re.compile(ITEM_URL), handler)
    return held, after


@pytest.mark.parametrize("outcome", ["session ended", "503", "dropped"])
def test_a_note_typed_while_the_taps_save_is_on_its_way_arrives_once_when_that_save_fails(
        page, context, live_app, console, outcome):
    console.allow(401)
    console.allow(503)
    console.allow_network_failures()
    sign_in(page, "duxue1")
    inspection = start(page, 2)
    held, after = hold_first_save(page)
    if outcome == "session ended":
        context.clear_cookies()
    tap(page, 1, NO)
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the tap's save was not sent"
    note = item(page, 1).get_by_label("说明")
    note.fill("课后服务名单未公示")  # the tap's save is still on its way: the note is a newer change
    note.blur()
    for _ in range(100):  # kept in the outbox beside the tap's entry still on its way
        if page.evaluate(IN_OUTBOX, "课后服务名单未公示"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(IN_OUTBOX, "课后服务名单未公示"), "the note was not kept"
    if outcome == "session ended":
        held[0].continue_()  # reaches the server without a session: 401
        expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步（请重新登录）")
        sign_in_again(page)
    elif outcome == "503":
        held[0].fulfill(status=503, body="")
    else:
        held[0].abort()
    synced(page)
    expect(item(page, 1).locator(".saved")).to_be_visible()
    expect(note).to_have_value("课后服务名单未公示")
    saved = answer(live_app, inspection, 1)
    assert (saved.value, saved.note, saved.revision) == ("否", "课后服务名单未公示", 1)
    assert len(after) == 1 and "note=%E8%AF%BE" in after[0]  # the tap's entry went: one save, both fields


def test_a_note_typed_after_a_password_reset_elsewhere_arrives_after_signing_in_again(page, live_app, console):
    console.allow(401)
    sign_in(page, "duxue1")
    inspection = start(page, 2)
    with live_app.app_context():  # the office resets the password: every session of the user ends
        user = db.session.scalar(select(User).where(User.username == "duxue1"))
        user.session_version += 1
        db.session.commit()
    item(page, 0).get_by_label("说明").fill("作业公示栏在一楼")
    sign_in_again(page)
    synced(page)
    assert answer(live_app, inspection, 0).note == "作业公示栏在一楼"


def lose_replies(page, count: int):
    """The next `count` saves reach the server, and their replies are lost on the way back."""
    lost = []

    def handler(route):
        if len(lost) < count and route.request.method == "POST":
            route.fetch()
            lost.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route(re.compile(ITEM_URL), handler)
    return lost


def test_a_lost_reply_is_not_a_conflict_and_typing_goes_on(page, live_app, console):
    console.allow_network_failures()
    sign_in(page, "duxue1")
    inspection = start(page, 3)
    lost = lose_replies(page, 1)
    note = item(page, 0).get_by_label("说明")
    note.fill("一楼作业公示栏")
    note.blur()
    for _ in range(100):  # the save goes out; its reply is lost
        if lost:
            break
        page.wait_for_timeout(100)
    assert lost, "the first save was not sent"
    assert answer(live_app, inspection, 0).note == "一楼作业公示栏"  # it arrived; the tablet does not know
    note.press("End")
    note.press_sequentially("已更新，二楼也有", delay=30)  # the inspector keeps typing in the same note
    note.blur()
    synced(page)
    expect(item(page, 0).locator(".saved")).to_be_visible()
    expect(item(page, 0).locator("[data-conflict]")).to_have_count(0)
    saved = answer(live_app, inspection, 0)
    assert saved.note == "一楼作业公示栏已更新，二楼也有" and saved.revision == 2


def test_saves_answered_500_and_503_are_kept_and_sent_again(page, live_app, console):
    console.allow(500)
    console.allow(503)
    sign_in(page, "duxue1")
    inspection = start(page, 4)
    failures = [500, 503]

    def busy(route):
        if failures and route.request.method == "POST":
            route.fulfill(status=failures.pop(0), body="")
        else:
            route.continue_()

    page.route(re.compile(ITEM_URL), busy)
    tap(page, 0, NO)
    expect(item(page, 0).locator(".item-state")).to_contain_text("稍后自动重试")
    expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步")
    expect(item(page, 0).locator(".saved")).to_be_visible(timeout=15_000)
    assert not failures
    assert (answer(live_app, inspection, 0).value, answer(live_app, inspection, 0).revision) == ("否", 1)


def test_quick_log_keeps_every_tap_in_order_on_a_slow_link(page, live_app):
    sign_in(page, "fenguan")
    observation = start_at(page, "城东第二小学")
    network(page, latency=600)
    log = page.locator("#quick-log")
    for kind in ("教师讲授", "学生讨论", "学生练习"):
        log.get_by_role("button", name=kind).tap()
        page.wait_for_timeout(300)
    expect(log.locator(".log-lines li")).to_have_count(3)
    synced(page)
    expect(log.locator(".log-lines li")).to_have_text([re.compile("教师讲授"), re.compile("学生讨论"), re.compile("学生练习")])
    with live_app.app_context():
        lines = db.session.get(Observation, observation).log
        assert [line.kind for line in lines] == ["教师讲授", "学生讨论", "学生练习"]
        assert lines[0].at < lines[1].at < lines[2].at


def test_a_quick_log_tap_whose_reply_was_lost_shows_once_and_is_stored_once(page, live_app, console):
    """The tap reaches the server and its reply is lost; the page is opened again while the link is still
    down. The server's list shows the tap, and the tablet, which has not heard it arrive, keeps it to
    resend: one line, not the stored one and a waiting copy of it. Resent, it is stored once."""
    console.allow_network_failures()
    sign_in(page, "fenguan")
    observation = start_at(page, "城东第二小学")
    log = page.locator("#quick-log")
    reached = []

    def handler(route):  # the first tap arrives but its reply is lost; then nothing gets through
        if not reached and route.request.method == "POST":
            route.fetch()
            reached.append(route.request.url)
        route.abort()

    page.route(re.compile(r"/observations/\d+/log$"), handler)
    log.get_by_role("button", name="教师讲授").tap()
    for _ in range(100):
        if reached:
            break
        page.wait_for_timeout(100)
    assert reached, "the tap was not sent"
    page.reload()
    expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步")
    expect(log.locator(".log-lines li")).to_have_count(1)
    expect(log.locator(".log-lines li")).to_have_text([re.compile("教师讲授")])
    page.unroute(re.compile(r"/observations/\d+/log$"))
    page.evaluate("window.dispatchEvent(new Event('online'))")
    synced(page)
    expect(log.locator(".log-lines li")).to_have_text([re.compile("教师讲授")])
    with live_app.app_context():
        assert [line.kind for line in db.session.get(Observation, observation).log] == ["教师讲授"]


def test_a_real_conflict_shows_theirs_and_mine_and_keeps_what_is_chosen(page, context, browser, live_server, live_app,
                                                                        csp_violations):
    sign_in(page, "duxue1")
    inspection = start(page, 5)
    office = tablet(browser, csp_violations)
    other = office.new_page()
    other.base = live_server
    sign_in(other, "admin")
    other.goto(f"{live_server}/inspections/{inspection}/fill")
    settled(other)
    item(page, 0).get_by_label("说明").fill("督学：作业公示栏在一楼")
    item(page, 0).get_by_label("说明").blur()
    expect(item(page, 0).locator(".saved")).to_be_visible()

    item(other, 0).get_by_label("说明").fill("督导室：公示栏内容过期")  # still on revision 0
    item(other, 0).get_by_label("说明").blur()
    panel = item(other, 0).locator("[data-conflict]")
    expect(panel).to_contain_text("督学：作业公示栏在一楼")
    expect(panel).to_contain_text("督导室：公示栏内容过期")
    assert answer(live_app, inspection, 0).note == "督学：作业公示栏在一楼"  # nothing overwritten silently
    panel.get_by_role("button", name="保留我的").tap()
    expect(item(other, 0).locator(".saved")).to_be_visible()
    expect(panel).to_have_count(0)
    office.close()
    saved = answer(live_app, inspection, 0)
    assert (saved.note, saved.revision) == ("督导室：公示栏内容过期", 2)
    with live_app.app_context():
        refused = db.session.scalars(select(AuditLog).where(
            AuditLog.entity == "inspection", AuditLog.entity_id == str(inspection), AuditLog.action == "conflict")).all()
    assert [entry.changes["mine"]["note"] for entry in refused] == ["督导室：公示栏内容过期"]
    assert refused[0].changes["theirs"]["note"] == "督学：作业公示栏在一楼"


WAITING_UPLOAD = """() => new Promise((resolve) => {
  indexedDB.open("dudao").onsuccess = (event) => {
    event.target.result.transaction("outbox").objectStore("outbox").getAll().onsuccess = async (read) => {
      const photo = read.target.result.find((e) => e.mode === "upload");
      const head = new Uint8Array(await photo.file.slice(0, 64 * 1024).arrayBuffer());
      const bitmap = await createImageBitmap(photo.file);
      resolve({ size: photo.file.size, width: bitmap.width, height: bitmap.height,
                exif: new TextDecoder("latin1").decode(head).includes("Exif") });
    };
  };
})"""


# The worker for this address is active (activating or activated: it answers the next load, a reload
# without network too) and holds a copy of the page. Not `controller`: a page whose load was under way while the worker activated
# stays without one until it is loaded again (clients.claim() passes over a document not yet running),
# which on a slow link is the reload a test makes right after the install.
KEPT = """async () => {
    const registration = navigator.serviceWorker && await navigator.serviceWorker.getRegistration(location.pathname);
    return Boolean(registration && registration.active)
        && (await caches.open("dudao-pages").then(cache => cache.matchAll(location.pathname, {ignoreSearch: true}))).length > 0;
}"""


def wait_until_kept(page, seconds: float = 10):
    """The page's service worker is active and has kept it (as it has a moment after opening).
    Asked in a loop: wait_for_function takes the async check's promise itself for a yes."""
    for _ in range(int(seconds * 4)):
        if page.evaluate(KEPT):
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{page.url} was not kept for use without network: {kept_state(page)}")


def kept_state(page) -> dict:
    """What this browser keeps for use without network, and the state of each of its workers."""
    return page.evaluate("""async () => ({
        kept: (await caches.open("dudao-pages").then(cache => cache.keys())).map(request => request.url),
        controlled: Boolean(navigator.serviceWorker.controller),
        workers: (await navigator.serviceWorker.getRegistrations()).map(registration => [registration.scope,
            ["installing", "waiting", "active"].map(slot => registration[slot] && registration[slot].state)])})""")


def test_a_reload_without_network_reopens_the_page_with_what_waits(page, context, live_app, console):
    console.allow_network_failures()
    sign_in(page, "duxue1")
    inspection = start(page, 5)
    page.reload()  # the worker, installed on the way here, now keeps this page
    wait_until_kept(page)
    settled(page)
    context.set_offline(True)
    tap(page, 0)
    tap(page, 1, NO)
    item(page, 1).get_by_label("说明").fill("午休时间不足")
    item(page, 1).get_by_label("说明").blur()
    expect(page.locator("[data-sync-status]")).to_have_text("2 条未同步")
    page.reload()  # offline: the worker serves the kept page, the outbox fills it in again
    expect(item(page, 1).get_by_label("说明")).to_have_value("午休时间不足")
    expect(item(page, 1).get_by_role("radio", name="否")).to_be_checked()
    expect(page.locator("[data-sync-status]")).to_have_text("2 条未同步")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    synced(page)
    saved = answers(live_app, inspection)
    assert sorted((a.value, a.note, a.revision) for a in saved) == [("否", "午休时间不足", 1), ("是", "", 1)]


def test_offline_preparation_keeps_todays_open_work_for_a_tablet_without_network(page, context, live_app, console):
    console.allow_network_failures()
    with live_app.app_context():  # a draft the inspector has not opened on this tablet yet
        never_opened = db.session.scalars(select(Inspection).join(User, Inspection.inspector).where(
            User.username == "duxue1", Inspection.status == InspectionStatus.DRAFT).order_by(Inspection.id)).first().id
    sign_in(page, "duxue1")
    work = page.locator("#work")
    work.get_by_role("button", name=re.compile("离线准备")).tap()
    expect(work.locator("[data-offline-result]")).to_contain_text("可离线打开和填写", timeout=20_000)
    context.set_offline(True)
    page.goto(page.base + f"/inspections/{never_opened}/fill")
    expect(page.locator(".sheet-item").first).to_be_visible()
    before = answer(live_app, never_opened, 0)
    note = item(page, 0).get_by_label("说明")
    note.fill(note.input_value() + "（离线补充）")
    note.blur()
    expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    synced(page)
    after = answer(live_app, never_opened, 0)
    assert after.note.endswith("（离线补充）") and after.revision == (before.revision + 1 if before else 1)
    context.set_offline(True)  # duxue1 is a 责任督学: 记录走访 was kept too
    page.goto(page.base + "/visits/new")
    expect(page.get_by_label("走访日期")).to_be_visible()


def test_a_camera_photo_is_shrunk_on_the_tablet_and_shows_its_progress(page, live_app, console):
    sign_in(page, "duxue1")
    inspection = start(page, 3)
    tap(page, 0, NO)
    expect(item(page, 0).locator(".saved")).to_be_visible()
    network(page, uploadThroughput=125_000)  # 1 Mbit/s
    photo = camera_photo()
    assert len(photo) > 4_000_000
    item(page, 0).locator("input[type=file]").set_input_files(
        files=[{"name": "IMG_0412.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    expect(item(page, 0).locator(".photos .pending")).to_contain_text("上传中")
    waiting = page.evaluate(WAITING_UPLOAD)  # what crosses the Wi-Fi, read from the outbox while it goes
    assert waiting["size"] <= 600 * 1024 and max(waiting["width"], waiting["height"]) == 2000
    assert not waiting["exif"]  # the camera's EXIF, its location included, stays on the tablet
    expect(item(page, 0).get_by_alt_text("佐证照片 1")).to_be_visible(timeout=30_000)
    with live_app.app_context():
        photos = db.session.scalars(select(Photo).join(Photo.answer).where(Answer.inspection_id == inspection)).all()
        assert len(photos) == 1 and photos[0].attachment.filename == "IMG_0412.jpg"


def test_counts_match_what_waits_and_progress_includes_it(page, context, live_app, console):
    console.allow_network_failures()
    sign_in(page, "duxue1")
    start(page, 2)
    context.set_offline(True)
    for index in range(5):
        tap(page, index, NO if index == 0 else YES)
    item(page, 0).locator("input[type=file]").set_input_files(
        files=[{"name": "公示栏.jpg", "mimeType": "image/jpeg", "buffer": camera_photo(1200, 900)}])
    expect(item(page, 0).locator(".photos .pending")).to_have_count(1)
    expect(page.locator("[data-sync-status]")).to_have_text("6 条未同步")
    expect(page.locator("#sheet-summary")).to_contain_text(re.compile(r"已答 5/\d+（含 5 项未同步）"))
    first = min(5, page.locator(".sheet-section").first.locator(ITEM).count())  # of the five, those in its first part
    expect(page.locator(".section-stats").first).to_contain_text(f"（含 {first} 项未同步）")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    synced(page)
    expect(page.locator("#sheet-summary")).to_contain_text(re.compile(r"已答 5/\d+"))
    expect(page.locator("#sheet-summary")).not_to_contain_text("未同步")


def test_a_rectification_report_sent_after_the_session_ended_is_submitted_once(page, context, live_app, console):
    console.allow(401)
    with live_app.app_context():
        item_id = db.session.scalar(select(RectificationItem.id).join(RectificationItem.school).where(
            RectificationItem.status == RectificationStatus.OPEN).order_by(RectificationItem.id))
        code = db.session.get(RectificationItem, item_id).school.code
    sign_in(page, f"xz{code}")
    page.goto(page.base + f"/rectification/{item_id}")
    settled(page)
    page.get_by_label("整改情况").fill("已更换全部灭火器并张贴检查记录。")
    context.clear_cookies()
    page.get_by_role("button", name="提交整改报告").tap()
    sign_in_again(page)
    expect(page.get_by_text("整改报告已提交，等待督学验收。")).to_be_visible()
    with live_app.app_context():
        submitted = db.session.get(RectificationItem, item_id)
        assert submitted.status is RectificationStatus.SUBMITTED
        assert submitted.report == "已更换全部灭火器并张贴检查记录。"
        assert db.session.scalar(select(func.count()).select_from(RectificationEvent).where(
            RectificationEvent.rectification_id == item_id, RectificationEvent.step == Step.SUBMIT)) == 1


def test_home_puts_open_field_work_and_reviews_one_tap_away(page, live_app):
    with live_app.app_context():
        draft = db.session.scalars(select(Inspection).join(User, Inspection.inspector).where(
            User.username == "duxue1", Inspection.status == InspectionStatus.DRAFT).order_by(Inspection.id)).first()
        returned = db.session.scalars(select(Inspection).join(User, Inspection.inspector).where(
            User.username == "duxue1", Inspection.status == InspectionStatus.SUBMITTED).order_by(Inspection.id)).first()
        returned.status, returned.review_comment = InspectionStatus.RETURNED, "第3项请补充照片"
        db.session.commit()
        names = draft.school.name, returned.school.name
        returned_id = returned.id
    try:
        sign_in(page, "duxue1")
        work = page.locator("#work")
        expect(work.locator("li.work-returned", has_text=names[1])).to_contain_text("第3项请补充照片")
        expect(work.locator("li", has_text=names[0]).first).to_contain_text("已答")
        expect(work.locator("li", has_text="推门听课")).to_have_count(1)
        work.locator("li.work-returned", has_text=names[1]).get_by_role("link").tap()
        expect(page).to_have_url(re.compile(rf"/inspections/{returned_id}/fill$"))
    finally:
        with live_app.app_context():
            db.session.get(Inspection, returned_id).status = InspectionStatus.SUBMITTED
            db.session.commit()
    signed_out(page)
    sign_in(page, "admin")
    reviews = page.locator("#reviews")
    expect(reviews.locator("li", has_text=names[1])).to_be_visible()


def test_soak_200_answers_and_notes_through_drops_500s_a_session_end_and_an_offline_reload(
        page, context, live_app, console):
    """200 scores and notes typed on the 学校综合督导检查表 while replies are lost, the server answers
    500/503, the session ends once and the tablet reloads once without network: the database ends
    holding exactly the last thing typed into each item, each saved once per send that arrived."""
    console.allow(401)
    # A save sent with the ended session's token after signing in again is answered 400 csrf-expired,
    # and the page fetches the new token and sends it again (seen once in CI; what arrives is checked below).
    console.allow(400)
    console.allow(500)
    console.allow(503)
    console.allow_network_failures()
    rng = random.Random(20261206)
    sign_in(page, "duxue2")
    inspection = start(page, 3, "学校综合督导检查表")  # 南湖小学 (the first of duxue2's is a 幼儿园)
    cards = page.locator(ITEM)
    maxima = [int(re.search(r"\d+", text).group()) for text in page.locator(f"{ITEM} .item-max").all_inner_texts()]
    trouble = {"lost": 0, "failed": 0}

    def weak_wifi(route):
        roll = rng.random()
        if route.request.method == "POST" and roll < 0.06:
            route.fetch()  # reaches the server; the reply is lost
            trouble["lost"] += 1
            route.abort()
        elif route.request.method == "POST" and roll < 0.12:
            trouble["failed"] += 1
            route.fulfill(status=rng.choice([500, 503]), body="")
        else:
            route.continue_()

    page.route(re.compile(ITEM_URL), weak_wifi)
    expected: dict[int, dict] = {}
    for step in range(200):
        # The session ends as step 70 is typed; its save brings up the sign-in dialog, over a page that
        # cannot be typed into until the inspector has signed in again (before step 71).
        if step == 70:
            context.clear_cookies()
        if step == 71:
            sign_in_again(page)
        index = rng.randrange(len(maxima))
        card = cards.nth(index)
        if rng.random() < 0.5:
            points = str(rng.randint(0, maxima[index]))
            card.get_by_label("得分").fill(points)
            card.get_by_label("得分").press("Tab")
            expected.setdefault(index, {"note": ""})["value"] = points
        else:
            note = f"第{step}步：{rng.choice(['门卫登记', '消防通道', '作业公示', '课后服务', '食堂留样'])}"
            card.get_by_label("说明").fill(note)
            if rng.random() < 0.5:
                card.get_by_label("说明").blur()
            expected.setdefault(index, {"value": None})["note"] = note
        if step == 140:
            # The page's copy was last asked for while the session had ended (refused): the first save
            # acknowledged after signing in again keeps it anew, before the link goes.
            wait_until_kept(page, 30)
            context.set_offline(True)
        if step == 150:
            card.get_by_label("说明").blur()
            page.wait_for_timeout(400)  # the last keystrokes are staged; the tablet reloads without network
            expect(page).to_have_url(re.compile(rf"/inspections/{inspection}/fill$"))  # still on the filling page
            kept = kept_state(page)
            assert any(f"/inspections/{inspection}/fill?" in url for url in kept["kept"]), f"the page is not kept: {kept}"
            page.reload()
            expect(cards.first).to_be_visible()
        if step == 160:
            context.set_offline(False)
            page.evaluate("window.dispatchEvent(new Event('online'))")
    cards.first.get_by_label("说明").focus()  # whatever was typed last is left
    synced(page, timeout=120_000)
    assert trouble["lost"] and trouble["failed"]
    for index, wanted in expected.items():
        stored = answer(live_app, inspection, index)
        assert stored is not None, f"item {index + 1} lost"
        assert (stored.value, stored.note) == (wanted["value"], wanted["note"]), f"item {index + 1}"
    with live_app.app_context():
        assert not db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "inspection", AuditLog.entity_id == str(inspection), AuditLog.action == "conflict"))


def test_a_tap_refused_because_the_record_was_finished_meanwhile_stays_visible_until_let_go(
        page, context, live_app, console):
    console.allow(409)
    console.allow_network_failures()
    sign_in(page, "juzhang")
    observation = start_at(page, "河口镇初级中学")
    log = page.locator("#quick-log")
    context.set_offline(True)
    log.get_by_role("button", name="学生展示").tap()
    with live_app.app_context():  # finished from another device meanwhile
        record = db.session.get(Observation, observation)
        record.status = ObservationStatus.FINAL
        db.session.commit()
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    refused = log.locator(".log-lines li.error")
    expect(refused).to_contain_text("“学生展示”未能保存：这条听课记录已完成")
    expect(page.locator("[data-sync-status]")).to_have_text("1 条未同步")  # kept, and counted
    page.reload()
    expect(page).to_have_url(re.compile(rf"/observations/{observation}$"))  # the record is closed now
    held = page.locator(".held-list li")
    expect(held).to_contain_text("学生展示")
    page.once("dialog", lambda dialog: dialog.accept())
    held.get_by_role("button", name="放弃此条").tap()
    expect(held).to_have_count(0)
