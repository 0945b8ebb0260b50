"""A circular (通报) composed from a finished round, and any circular as the engine's Letter.

From the round's approved inspections the engine pre-fills (the office edits every part after):
- 基本情况: schools, dates, inspectors, checklist, counts per result band;
- 主要成效: the average and the schools rated 优秀;
- 存在问题: the items not met, grouped by checklist item, the most frequent first, with the schools;
- 整改要求: the usual requirements; the deadline sentence is added from the deadline field;
- the attached table: the round's ranking (supervision/ranking.py) by school category: rank (ties
  shared, 1, 2, 2, 4; schools failed by a critical item after the ranked ones), school, score, band
  and the rank change since the previous comparable round.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Document, DocumentKind, Inspection, InspectionStatus, Round, TemplateVersion
from ..pdf import engine
from ..pdf.text import Paragraph, chinese_date, chinese_numeral, paragraphs, quoted
from ..supervision import ranking, scoring, sheet, standings
from . import dictionary

UNFINISHED = "未完成"
COLUMNS = ["类别", "名次", "学校", "得分率（%）", "等级", "名次升降"]
WIDTHS = [12, 14, 34, 14, 12, 14]
# Circulars composed before rankings were split by category keep their four columns.
OLD_COLUMNS, OLD_WIDTHS = ["名次", "学校", "得分率（%）", "等级"], [14, 46, 20, 20]
NOTES_PER_FINDING = 2


@dataclass
class SchoolResult:
    school: str
    code: str
    score: scoring.Score | None      # None: the inspection is not approved yet
    place: ranking.Place | None = None


@dataclass
class Finding:
    text: str
    schools: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RoundFacts:
    round: Round
    results: list[SchoolResult]
    findings: list[Finding]
    inspectors: list[str]
    items: int


def ranked(round_: Round, inspections: list[Inspection], scores: dict[int, scoring.Score]) -> list[SchoolResult]:
    """The round's schools in the order of its ranking, each with its place; `scores`: the approved
    inspections' scores by inspection id."""
    def result(inspection: Inspection) -> ranking.Result:
        score, school = scores.get(inspection.id), inspection.school
        return ranking.Result(school.id, school.name, school.code, school.kind, score.percent if score else None,
                              score.band if score else None, bool(score and score.critical_failures), inspection.id)
    by_id = {i.id: i for i in inspections}
    return [SchoolResult(p.result.school, p.result.code, scores.get(p.result.inspection_id), p)
            for s in standings.of_round(round_, [result(i) for i in inspections]) for p in s.places
            if p.result.inspection_id in by_id]


def facts(round_: Round) -> RoundFacts:
    """Everything the circular says about a round, in a fixed number of queries."""
    inspections = db.session.scalars(
        select(Inspection).where(Inspection.round_id == round_.id)
        .options(joinedload(Inspection.school), joinedload(Inspection.inspector),
                 joinedload(Inspection.version).joinedload(TemplateVersion.template))).all()
    approved = [i for i in inspections if i.status is InspectionStatus.APPROVED]
    by_version, answers = sheet.answers_of(approved)
    grouped: dict[str, Finding] = {}
    scores: dict[int, scoring.Score] = {}
    for inspection in approved:
        items, mine = by_version.get(inspection.version_id, []), answers.get(inspection.id, {})
        score = sheet.total(inspection, items, mine)
        scores[inspection.id] = score
        for item in items:
            if item.id in score.not_met:
                finding = grouped.setdefault(item.text, Finding(item.text))
                finding.schools.append(inspection.school.name)
                note = (mine[item.id].note or "").strip()
                if note and len(finding.notes) < NOTES_PER_FINDING:
                    finding.notes.append((inspection.school.name, note))
    findings = sorted(grouped.values(), key=lambda f: -len(f.schools))  # stable: checklist order among equals
    inspectors = sorted({i.inspector.display_name for i in inspections if i.inspector})
    items = sum(len(s.items) for s in round_.version.sections)
    return RoundFacts(round_, ranked(round_, inspections, scores), findings, inspectors, items)


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def table(results: list[SchoolResult]) -> list[list]:
    return [[r.place.category, ranking.rank_text(r.place), r.school, percent(r.score.percent) if r.score else "—",
             (r.score.band or "—") if r.score else UNFINISHED, ranking.change_text(r.place)] for r in results]


def band_counts(results: list[SchoolResult]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        if r.score and r.score.band:
            counts[r.score.band] += 1
    return counts


def drafted(round_: Round, issuer: str, addressee: str, cc: str, deadline: date) -> Document:
    """The circular the engine would write for `round_` (unsaved)."""
    f = facts(round_)
    done = [r for r in f.results if r.score]
    period = f"{chinese_date(round_.starts_on)}至{chinese_date(round_.ends_on)}"
    opening = (f"根据县人民政府教育督导室工作安排，{period}，{issuer}组织开展了{round_.name}。"
               f"现将有关情况通报如下。")
    version = round_.version
    basics = [f"本次{round_.kind.value}（{round_.mode.value}）共涉及{len(f.results)}所学校，由{len(f.inspectors)}名督学"
              + (f"（{'、'.join(f.inspectors)}）" if f.inspectors else "")
              + f"实地督导，采用《{version.template.name}》（第{version.number}版），共{f.items}项评估要点，"
              "采取查阅资料、实地查看、座谈访谈、推门听课等方式进行。"]
    counts = band_counts(f.results)
    bands = [name for _, name in sorted(version.bands, key=lambda b: -b[0])] + [version.below_band]
    if done:
        basics.append(f"已完成督导并审核{len(done)}所学校。督导结果："
                      + "、".join(f"{name}{counts.get(name, 0)}所" for name in bands) + "。"
                      + (f"另有{len(f.results) - len(done)}所学校督导尚未完成，结果另行通报。" if len(done) < len(f.results) else ""))
    scored = [r.score.percent for r in done if r.score.percent is not None]
    best = [r.school for r in done if r.score.band == bands[0]]
    achievements = ["从督导情况看，各学校能够按照要求规范办学行为，落实立德树人根本任务，学校管理和教育教学工作总体有序。"]
    if scored:
        average = (sum(scored) / len(scored)).quantize(Decimal("0.1"))
        achievements.append(f"参加督导学校平均得分率为{average}%。" + (
            f"{'、'.join(best)}等{len(best)}所学校督导结果为{bands[0]}，工作扎实，特色鲜明。" if best else ""))
    problems = []
    for n, finding in enumerate(f.findings, start=1):
        line = (f"（{chinese_numeral(n)}）{quoted(finding.text.rstrip('。'))}未达到要求。共{len(finding.schools)}所学校："
                f"{'、'.join(finding.schools)}。")
        if finding.notes:
            # Quoted inside the sentence: the note's own closing stop goes (…被占用”。, not …被占用。”。).
            line += "督学记录：" + "；".join(school + quoted(note.rstrip("。；;.")) for school, note in finding.notes) + "。"
        problems.append(line)
    requirements = [
        "（一）认真对照整改。各学校要对照本通报指出的问题和督学反馈意见，逐项制定整改方案，明确责任人、整改措施和完成时限。",
        "（二）建立长效机制。各学校要举一反三，查找同类问题，完善相关制度，防止问题反弹。",
        "（三）加强跟踪督导。各责任督学要跟踪所联系学校的整改进展，及时验收销号；整改不到位的学校将在全县范围内通报。",
    ]
    return Document(
        round=round_, title=f"关于{round_.name}情况的通报", addressee=addressee, opening=opening,
        basics="\n".join(basics), achievements="\n".join(achievements),
        problems="\n".join(problems) or "本次督导的各项评估要点均已达到要求。", requirements="\n".join(requirements),
        deadline=deadline, cc=cc, attachment_title=f"{round_.name}结果", table=table(f.results))


# A 督办通知's parts (documents/orders.py): the opening, then 督办事项 and 督办要求.
ORDER_SECTIONS = (("problems", "督办事项"), ("requirements", "督办要求"))
SECTIONS = (("basics", "基本情况"), ("achievements", "主要成效"), ("problems", "存在问题"), ("requirements", "整改要求"))


def deadline_sentence(deadline: date | None) -> str:
    if deadline is None:
        return ""
    return f"请各学校于{chinese_date(deadline)}前完成整改，并通过督导工作平台提交整改报告和佐证材料。"


def body(document: Document) -> list[Paragraph]:
    """The circular's paragraphs: the opening, then each section that has text under its heading
    (一、基本情况 …), numbered as they come; the deadline closes 整改要求."""
    found = paragraphs(document.opening)
    n = 0
    order = document.kind is DocumentKind.ORDER
    for name, heading in ORDER_SECTIONS if order else SECTIONS:
        text = getattr(document, name) or ""
        if name == "requirements" and not order:
            text = "\n".join(filter(None, [text, deadline_sentence(document.deadline)]))
        if not text.strip():
            continue
        n += 1
        found.append(Paragraph(1, f"{chinese_numeral(n)}、{heading}"))
        found += paragraphs(text)
    return found


def letter(document: Document, today: date) -> engine.Letter:
    """The circular as the engine lays it out. A draft shows today's date and a blank number."""
    config = current_app.config
    year = document.year or today.year
    attachments = []
    if document.table:
        old = len(document.table[0]) == len(OLD_COLUMNS)
        attachments.append(engine.Attachment(
            document.attachment_title or "督导结果", columns=OLD_COLUMNS if old else COLUMNS, rows=document.table,
            text_columns=frozenset({1} if old else {0, 2}), widths=OLD_WIDTHS if old else WIDTHS))
    annotations = []
    if document.corrects is not None:
        annotations.append(f"此件更正{document.corrects.number}，原件同时废止")
    return engine.Letter(
        title=document.title, paragraphs=body(document), issuer=document.issuer or config["DOC_ISSUER"],
        mark=config["DOC_MARK"], number=document.number or f"{document.prefix or config['DOC_NUMBER_PREFIX']}〔{year}〕　号",
        addressee=document.addressee, attachments=attachments, signed_on=document.signed_on or today,
        annotations=annotations, cc=document.cc, words=dictionary.words())
