"""How the change log (models.AuditLog, 变更记录) reads: the Chinese names of the audited records, their
fields and the actions, a recorded value as people read it, and a burst of autosaves as one change."""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from .clock import local
from .extensions import db
from .models import School, User

AUDIT_ENTITIES = {"supervision_order": "督办", "escalation_run": "督办检查", "accountability": "问责", "supervision_round": "督导批次", "draw": "随机抽取", "school": "学校", "user": "用户", "attachment": "附件", "checklist_template": "检查表模板",
                  "template_version": "模板版本", "checklist_section": "一级指标", "checklist_item": "评估要点",
                  "resource_figures": "资源数据", "balance_rule": "优质均衡设置",
                  "plan": "发展规划", "plan_goal": "规划目标", "plan_milestone": "规划里程碑", "plan_milestone_update": "里程碑进度",
                  "plan_file": "里程碑佐证", "plan_revision": "规划调整", "plan_event": "规划审核", "plan_goal_comment": "目标审核意见",
                  "plan_self_assessment": "年度自评", "plan_evaluation": "规划评估", "plan_evaluation_rating": "维度评定",
                  "milestone_rectification": "里程碑关联整改",
                  "document": "公文", "document_recipient": "收文签收", "document_job": "批量生成",
                  "inspection": "督导检查", "inspection_answer": "检查项答复",
                  "inspection_member": "督导组成员", "inspection_section_assignment": "督导组分工", "evidence_photo": "检查照片",
                  "rectification_item": "整改事项", "rectification_event": "整改记录", "rectification_file": "整改佐证",
                  "observation": "听课记录", "observation_score": "听课评分", "observation_log": "课堂实录",
                  "observation_quota": "听课任务", "self_check": "学校自查", "self_check_file": "自查报告",
                  "school_class": "班级", "teacher": "教师", "timetable_slot": "课表",
                  "report_task": "报送任务", "report_answer": "学校报送",
                  "supervision_visit": "挂牌督导走访", "supervision_visit_photo": "走访照片", "visit_target": "走访频次",
                  "inspector_portrait": "督学照片", "sign_job": "公示牌批量生成"}
# Tables the change log never names: its own, counters, sign-in bookkeeping and pure link tables
# (their changes are logged on the record they link from).
AUDIT_UNNAMED = frozenset({"audit_log", "document_counter", "login_failure", "recovery_code", "inspector_school",
                           "accountability_rectification", "document_rectification", "rectification_evidence",
                           "self_check_member"})
# The change log's field names. A column not named here shows as it is.
AUDIT_FIELDS = {
    "name": "名称", "title": "标题", "text": "内容", "code": "代码", "kind": "类型", "status": "状态", "note": "备注",
    "notes": "备注", "comment": "意见", "reason": "理由", "description": "说明", "purpose": "目的", "position": "顺序",
    "username": "用户名", "display_name": "姓名", "role": "角色", "active": "启用", "phone": "电话",
    "password_hash": "密码", "session_version": "登录凭据", "totp_secret": "两步验证密钥",
    "totp_enrolled_at": "两步验证绑定时间", "totp_last_step": "两步验证", "school_id": "学校", "schools": "负责学校",
    "township": "乡镇（街道）", "education_group": "教育集团", "is_project_school": "项目学校", "ownership": "办学性质",
    "students": "学生数", "classes": "班级数", "teachers": "教师数", "qualified_teachers": "达标教师数",
    "backbone_teachers": "骨干教师数", "pe_arts_teachers": "体育艺术教师数", "teaching_area": "教学用房面积",
    "sports_area": "体育运动场馆面积", "equipment_value": "教学仪器设备值", "media_classrooms": "多媒体教室数",
    "goal_primary": "小学目标", "goal_junior": "初中目标", "rule": "规则", "year": "年度",
    "starts_on": "开始日期", "ends_on": "结束日期", "due_date": "期限", "due_on": "上报截止日期", "members": "参与人员", "deadline": "期限", "visit_date": "检查日期",
    "round_id": "督导批次", "version_id": "模板版本", "template_id": "检查表模板", "inspector_id": "督学",
    "percent": "得分率", "band": "等级", "critical_failed": "一票否决未达标", "points": "得分", "max_points": "满分",
    "value": "评定", "na": "不适用", "revision": "版本号", "review_comment": "审核意见", "reviewed_at": "审核时间",
    "reviewed_by_id": "审核人", "submitted_at": "提交时间", "submitted_by_id": "提交人", "approved_at": "批准时间",
    "published_at": "发布时间", "answer_type": "答复方式", "standard": "评分标准", "critical": "一票否决",
    "na_allowed": "可不适用", "evidence": "佐证要求", "bands": "等级划分", "sections": "一级指标", "items": "评估要点",
    "requirement": "整改要求", "problem": "问题", "priority": "优先级", "report": "整改报告", "closed_at": "销号时间",
    "files": "佐证", "photos": "照片", "answers": "答复",
    "observer_id": "听课人", "observed_on": "听课日期", "period": "节次", "subject": "学科", "class_label": "班级",
    "teacher_name": "授课教师", "topic": "课题", "strengths": "亮点", "problems": "问题", "suggestions": "建议",
    "grade": "评价等级", "feedback_way": "反馈方式", "feedback_on": "反馈日期", "feedback_note": "反馈说明",
    "per_semester": "每学期节数", "visits_per_semester": "每校每学期走访次数", "weekday": "星期",
    "start_year": "起始学年", "reviewer_id": "审核专家", "baseline": "批准时的目标与里程碑", "based_on_id": "上一期规划",
    "dimension": "维度", "owner": "责任人", "result": "可测成果", "done_on": "完成日期", "term": "学期",
    "milestones": "里程碑", "goals": "目标", "updates": "进度记录", "events": "审核记录", "revisions": "调整记录",
    "evaluations": "评估", "ratings": "评定", "rating": "评定", "conclusion": "结论", "assessments": "自评",
    "number": "文号", "prefix": "文号前缀", "addressee": "主送", "cc": "抄送", "opening": "开头", "basics": "基本情况",
    "achievements": "主要成效", "requirements": "整改要求", "audience": "发送范围", "table": "附表",
    "attachment_title": "附件标题", "create_items": "生成整改事项", "issued_at": "印发时间", "issued_by_id": "印发人",
    "signed_on": "成文日期", "acknowledged_at": "签收时间", "acknowledged_by_id": "签收人", "opened_at": "阅读时间",
    "reminded_at": "催办时间", "reminders": "催办次数", "total": "总数", "done": "已完成", "failures": "未生成",
    "measure": "问责措施", "taken_on": "日期", "recorded_by_id": "记录人", "found_on": "督办日期",
    "days_overdue": "逾期天数", "new_deadline": "督办期限", "document_id": "督办通知", "rectification_id": "整改事项",
    "notices": "督办通知数", "leaders": "报领导数",
    "filename": "文件名", "size": "大小", "content_type": "文件类型",
    "user_id": "成员", "member_id": "组员", "section_id": "一级指标", "done_at": "完成时间",
    "instructions": "说明", "questions": "表单问题", "headers": "表头", "values": "填写内容", "rows": "表格内容",
    "attachment_id": "报送文件", "returned_at": "退回时间", "return_comment": "退回意见", "reminded_on": "提醒日期",
    "school_kinds": "适用学校类型", "na_kinds": "不适用的学校类型", "mode": "督导方式", "visited_on": "走访日期",
    "checked": "查看内容", "findings": "发现的问题",
}
AUDIT_VALUE_CHARS = 60
# Columns <name>_id that hold a user: the log shows the person's name.
AUDIT_PEOPLE = frozenset({"acknowledged_by", "actor", "author", "created_by", "drawn_by", "evaluator", "inspector",
                          "issued_by", "observer", "opened_by", "reviewed_by", "reviewer", "submitted_by", "updated_by",
                          "uploaded_by", "user"})


# What the log records for the portal's own bookkeeping, not for people: left out of the change log.
AUDIT_INTERNAL = frozenset({"client_key", "last_key", "revision", "last_device", "last_seq", "updated_at"})
# Edits of one record by one person this close together read as one change (an autosave per keystroke burst).
AUDIT_BURST = timedelta(minutes=10)
DECIMAL = re.compile(r"^-?\d+\.\d+$")
MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def audit_field(name: str) -> str:
    return AUDIT_FIELDS.get(name, name)


def audit_value(value, field: str = "") -> str:
    """A value as the change log shows it: yes/no, empty, a long text or a structure cut short, a
    decimal or a moment as people write them. People and schools come named already (history())."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return f"（{len(value)} 项）"
    text = str(value)
    if DECIMAL.match(text):  # a Decimal as stored (81.000000000000000000000000000): as people write it
        try:
            return f"{Decimal(text).normalize():f}"
        except InvalidOperation:
            pass
    if MOMENT.match(text):  # a moment as stored (UTC, ISO, microseconds): the county's time
        try:
            return local(datetime.fromisoformat(text))
        except ValueError:
            pass
    return text if len(text) <= AUDIT_VALUE_CHARS else text[:AUDIT_VALUE_CHARS] + "…"


AUDIT_ACTIONS = {"create": "新增", "update": "修改", "delete": "删除", "login": "登录", "logout": "退出",
                 "password": "修改密码", "mfa_enrol": "绑定两步验证", "mfa_fail": "两步验证码错误",
                 "mfa_codes": "重新生成恢复码", "mfa_reset": "重置两步验证", "items": "关联整改事项"}


def audit_entity(entry) -> str:
    return f"{AUDIT_ENTITIES.get(entry.entity, entry.entity)} #{entry.entity_id}"


def audit_action(action: str) -> str:
    return AUDIT_ACTIONS.get(action, action)


def audit_items(values: list) -> str:
    """Records added to or removed from a list, as the log recorded them: their text, or how many
    when the log could only record what they were in Python (`<ObservationScore …>`)."""
    shown = [value for value in values if not str(value).startswith("<")]
    hidden = len(values) - len(shown)
    return "、".join([*map(str, shown), *([f"{hidden} 项"] if hidden else [])])


@dataclass
class Change:
    """One row of the change log: an entry, or a burst of one person's updates to one record (`at` its
    last moment, `since` its first)."""
    at: datetime
    actor: str
    entity: str
    entity_id: str
    action: str
    changes: dict
    since: datetime


def history(entries) -> list[Change]:
    """The log's entries (newest first) as a page shows them (its views hand this to the template):
    the portal's own bookkeeping left out, a burst of one person's updates to one record (autosaves
    within AUDIT_BURST of each other) made one row from the first value to the last, an update that
    changed nothing people see left out, and the people and schools named (one query for each)."""
    rows = _bursts(entries)
    _name(rows)
    return rows


def _named(field: str):
    """The model whose name a field's id stands for (a school, a person), or None."""
    if field == "school_id":
        return School
    return User if field.endswith("_id") and field[:-3] in AUDIT_PEOPLE else None


def _name(rows: list[Change]) -> None:
    ids = {School: set(), User: set()}
    for row in rows:
        for field, value in row.changes.items():
            if (model := _named(field)) is not None:
                ids[model].update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int))
    names = {model: dict(db.session.execute(select(model.id, model.name if model is School else model.display_name)
                                            .where(model.id.in_(found))).all()) if found else {}
             for model, found in ids.items()}

    def named(model, value):
        return names[model].get(value, f"#{value}") if isinstance(value, int) else value

    for row in rows:
        for field, value in row.changes.items():
            if (model := _named(field)) is not None:
                row.changes[field] = [named(model, v) for v in value] if isinstance(value, list) else named(model, value)


def _bursts(entries) -> list[Change]:
    rows: list[Change] = []
    for entry in entries:
        changes = {key: change for key, change in entry.changes.items() if key not in AUDIT_INTERNAL}
        last = rows[-1] if rows else None
        if (entry.action == "update" and last is not None and last.action == "update" and last.actor == entry.actor
                and (last.entity, last.entity_id) == (entry.entity, entry.entity_id) and last.since - entry.at <= AUDIT_BURST):
            for key, change in changes.items():  # an older entry: its "before" is the burst's
                if isinstance(change, list) and isinstance(last.changes.get(key), list):
                    last.changes[key] = [change[0], last.changes[key][1]]
                else:
                    last.changes.setdefault(key, change)
            last.since = entry.at
            continue
        rows.append(Change(entry.at, entry.actor, entry.entity, entry.entity_id, entry.action, changes, entry.at))
    for row in rows:
        if row.action == "update":
            row.changes = {key: change for key, change in row.changes.items()
                           if not (isinstance(change, list) and change[0] == change[1])}
    return [row for row in rows if row.action != "update" or row.changes]
