"""Template globals and filters: local times, permission checks for navigation."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user

from .models import Role, utcnow
from .security import Action, allowed


def local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """UTC in the database, Beijing time on the page."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def local_date(value: datetime) -> date:
    """The calendar day it is in the county at the moment `value` (a date of the county's, not UTC's)."""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def today() -> date:
    """Today in the county, whatever the server's own zone."""
    return local_date(utcnow())


AUDIT_ENTITIES = {"supervision_round": "督导批次", "draw": "随机抽取", "school": "学校", "user": "用户", "attachment": "附件", "checklist_template": "检查表模板",
                  "template_version": "模板版本", "checklist_section": "一级指标", "checklist_item": "评估要点",
                  "resource_figures": "资源数据", "balance_rule": "优质均衡设置",
                  "plan": "发展规划", "plan_goal": "规划目标", "plan_milestone": "规划里程碑", "plan_milestone_update": "里程碑进度",
                  "plan_file": "里程碑佐证", "plan_revision": "规划调整", "plan_event": "规划审核", "plan_goal_comment": "目标审核意见",
                  "plan_self_assessment": "年度自评", "plan_evaluation": "规划评估", "plan_evaluation_rating": "维度评定",
                  "milestone_rectification": "里程碑关联整改",
                  "document": "公文", "document_recipient": "收文签收", "document_job": "批量生成"}
AUDIT_ACTIONS = {"create": "新增", "update": "修改", "delete": "删除", "login": "登录", "logout": "退出",
                 "password": "修改密码"}


def audit_entity(entry) -> str:
    return f"{AUDIT_ENTITIES.get(entry.entity, entry.entity)} #{entry.entity_id}"


def audit_action(action: str) -> str:
    return AUDIT_ACTIONS.get(action, action)


def can(action: Action, obj=None) -> bool:
    from .security import scope_of

    return allowed(current_user, action, scope_of(obj))


def init_app(app) -> None:
    app.jinja_env.filters.update(local=local, audit_entity=audit_entity, audit_action=audit_action)
    app.jinja_env.globals.update(can=can, Action=Action, Role=Role)
