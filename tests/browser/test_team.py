"""A 督导组 of three fills one inspection at once, each on their own tablet: the 组长 sets the team up,
the two 组员 and the 组长 type into their own sections at the same time (one of them offline for a
while), a member marks their part done, and the 组长 submits. Every answer arrives, once."""
import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Answer, AuditLog, Inspection, InspectionMember, InspectionStatus

from .conftest import Console, settled, sign_in

TEMPLATE = "学校综合督导检查表"
# Who fills which sections (page order) of the 学校综合督导检查表: 吴 一、二; 郑 三、四; the 组长 the rest.
PARTS = {"duxue2": (0, 1), "duxue3": (2, 3), "duxue1": (4, 5, 6, 7)}


def tablet(browser, live_server, console=None):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.base = live_server
    console = console or Console()
    page.on("console", console.on_message)
    page.on("pageerror", lambda error: console.problems.append(f"uncaught: {error}"))
    return context, page, console


def set_up_team(page) -> int:
    """The 组长 starts the inspection with two 组员 and gives each two sections."""
    page.goto(page.base + "/inspections/new")
    page.get_by_label("学校").select_option(label="东岗镇九年一贯制学校")  # no other test reads its review queue
    version = page.locator("#version option", has_text=TEMPLATE).get_attribute("value")
    page.get_by_label("检查表").select_option(version)
    for name in ("吴慧敏", "郑国华"):
        page.locator("#start-form label.chip", has_text=name).tap()
    page.get_by_role("button", name="开始检查").tap()
    page.wait_for_url(re.compile(r"/inspections/\d+/fill$"))
    settled(page)
    inspection = int(re.search(r"/inspections/(\d+)/fill", page.url).group(1))
    page.get_by_role("link", name="督导组与分工").tap()
    page.wait_for_url(re.compile(r"/team$"))
    selects = page.locator("#sections-form select")
    for member, name in (("duxue2", "吴慧敏"), ("duxue3", "郑国华")):
        for index in PARTS[member]:
            selects.nth(index).select_option(label=name)
    page.get_by_role("button", name="保存分工").tap()
    expect(page.get_by_text("分工已保存。")).to_be_visible()
    expect(page.locator(".team-part", has_text="郑国华")).to_contain_text("三、安全管理")
    page.get_by_role("link", name="返回填写").tap()
    page.wait_for_url(re.compile(r"/fill$"))
    settled(page)
    return inspection


def cards_of(page, sections):
    """The item cards of these sections (page order), each with its maximum points."""
    found = []
    for index in sections:
        section = page.locator(".sheet-section").nth(index)
        for card in section.locator(".sheet-item").all():
            found.append((card, int(re.search(r"\d+", card.locator(".item-max").inner_text()).group())))
    return found


def synced(page):
    expect(page.locator("[data-sync-status]")).to_be_hidden(timeout=30_000)


def test_a_team_of_three_fills_one_inspection_at_once_and_the_leader_submits(page, browser, live_server, live_app,
                                                                               console):
    console.allow_network_failures()
    sign_in(page, "duxue1")
    inspection = set_up_team(page)
    tablets = {"duxue1": page}
    others = []
    for member in ("duxue2", "duxue3"):
        context, other, other_console = tablet(browser, live_server)
        other_console.allow_network_failures()
        others.append((context, other_console))
        sign_in(other, member)
        work = other.locator("#work li", has=other.locator(f'a[href="/inspections/{inspection}/fill"]'))
        expect(work).to_contain_text("督导组：周正清（组长）、吴慧敏、郑国华")
        work.get_by_role("link").tap()  # their field work at home
        other.wait_for_url(re.compile(rf"/inspections/{inspection}/fill$"))
        settled(other)
        tablets[member] = other

    wu, zheng = tablets["duxue2"], tablets["duxue3"]
    # Every section is shown to every member; another's is read-only, with who fills it.
    theirs = wu.locator(".sheet-section").nth(2)
    expect(theirs.locator(".section-filler")).to_have_text("郑国华填写（只读）")
    expect(theirs.locator("input[name=value]").first).to_be_disabled()
    expect(wu.get_by_role("button", name="提交检查")).to_have_count(0)

    # All three type at once, item by item in turn; 郑 loses the network for a while.
    queues = {member: cards_of(tablets[member], sections) for member, sections in PARTS.items()}
    typed: dict[str, list] = {member: [] for member in PARTS}
    step = 0
    while any(queues.values()):
        for member, queue in queues.items():
            if not queue:
                continue
            card, most = queue.pop(0)
            note = f"{member}第{step}步：资料齐全"
            card.get_by_label("得分").fill(str(most))
            card.get_by_label("说明").fill(note)
            card.get_by_label("说明").blur()
            typed[member].append((card.get_attribute("id"), str(most), note))
            if member == "duxue3" and step == 0:
                zheng.context.set_offline(True)
        step += 1
        if step == 3:
            expect(zheng.locator("[data-sync-status]")).to_contain_text("未同步")
            zheng.context.set_offline(False)
            zheng.evaluate("window.dispatchEvent(new Event('online'))")
    for tablet_page in tablets.values():
        synced(tablet_page)

    wu.get_by_role("button", name="我负责的部分已完成").tap()
    expect(wu.get_by_text("已标记您负责的部分已完成")).to_be_visible()
    page.reload()  # the 组长's progress, live on reload
    settled(page)
    expect(page.locator("#team .team-part", has_text="吴慧敏")).to_contain_text("已完成")
    expect(page.locator("#team .team-part", has_text="郑国华")).to_contain_text("已答 5/5")
    expect(page.locator("#sheet-summary")).to_contain_text("已答 17/17")
    page.get_by_role("button", name="提交检查").tap()
    page.wait_for_url(re.compile(rf"/inspections/{inspection}$"))
    expect(page.get_by_text("检查已提交")).to_be_visible()

    with live_app.app_context():
        stored = db.session.scalars(select(Answer).where(Answer.inspection_id == inspection)).all()
        assert db.session.get(Inspection, inspection).status is InspectionStatus.SUBMITTED
        by_card = {f"item-{a.item_id}": a for a in stored}
        assert len(stored) == 17 == sum(len(t) for t in typed.values())
        for member, rows in typed.items():
            for card_id, value, note in rows:
                answer = by_card[card_id]
                assert (answer.value, answer.note, answer.updated_by.username) == (value, note, member)
        assert not db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "inspection", AuditLog.entity_id == str(inspection), AuditLog.action == "conflict"))
        done = db.session.scalars(select(InspectionMember).where(InspectionMember.inspection_id == inspection)).all()
        assert {m.user.username: m.done_at is not None for m in done} == {"duxue2": True, "duxue3": False}
    for context, other_console in others:
        context.close()
        assert other_console.problems == [], other_console.problems
