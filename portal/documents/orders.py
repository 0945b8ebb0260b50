"""督办通知: the 公文 the escalation run sends a school about one overdue rectification item. It names
the item (the problem and what was required), where it came from (the inspection), the deadline
missed, the days overdue and a new deadline; numbered with the office's 督办 prefix; issued at once
(the rule decided, nobody drafts it) into the school's inbox, to be signed for (签收) as any 公文."""
from datetime import date, datetime

from flask import current_app

from ..clock import local_date
from ..models import Document, DocumentKind, DocumentRecipient, DocumentStatus, RectificationItem
from ..pdf.text import chinese_date
from .notices import occasion
from .numbering import assign


def text(item: RectificationItem, *, days: int, new_deadline: date, today: date) -> dict:
    """The notice's title and paragraphs (one a line), as Document fields."""
    school = item.school.name
    inspection = item.inspection
    source = (f"{chinese_date(inspection.visit_date)}，{occasion(inspection)}发现你校存在问题，"
              if inspection else f"{chinese_date(local_date(item.created_at))}，督导室向你校交办了整改事项，")
    opening = (f"{source}要求于{chinese_date(item.due_date)}前完成整改。截至{chinese_date(today)}，"
               f"该整改事项已逾期{days}天，你校仍未提交整改报告（或整改报告退回后未重新提交）。现予督办。")
    problems = "\n".join(filter(None, [
        f"（一）存在问题。{item.problem.strip()}",
        f"（二）整改要求。{item.requirement.strip()}",
        f"（三）原整改期限。{chinese_date(item.due_date)}，已逾期{days}天。",
    ]))
    requirements = (f"请你校高度重视，明确责任人，于{chinese_date(new_deadline)}前完成整改，并通过督导工作平台提交"
                    f"整改报告和佐证材料。逾期仍未完成的，将报县教育局领导，并依规启动问责。")
    return dict(title=f"关于督促{school}限期完成整改的督办通知", addressee=school, opening=opening, problems=problems,
                requirements=requirements, deadline=new_deadline)


def issued(item: RectificationItem, *, days: int, new_deadline: date, today: date, now: datetime) -> Document:
    """The 督办通知, numbered and in the school's inbox (not committed: the number is the caller's
    transaction's, given back with it when that rolls back)."""
    config = current_app.config
    document = Document(kind=DocumentKind.ORDER, create_items=False, cc=config["DOC_CC"], issuer=config["DOC_ISSUER"],
                        signed_on=today, issued_at=now, items=[item],
                        recipients=[DocumentRecipient(school_id=item.school_id, delivered_at=now)],
                        **text(item, days=days, new_deadline=new_deadline, today=today))
    assign(document, config["DUBAN_NUMBER_PREFIX"], today.year)
    document.status = DocumentStatus.ISSUED
    return document
