"""Template globals and filters: local times, the change log's words, permission checks for navigation."""
from flask_login import current_user

from .audit import audit_action, audit_entity, audit_field, audit_items, audit_value
from .clock import local
from .idempotency import new_key
from .models import Role
from .security import Action, Reach, allowed, can_act_on_findings, can_fill_inspection, can_read_inspection
from .security import reach as reach_of
from .supervision.ranking import change_text, rank_text


def can(action: Action, obj=None) -> bool:
    from .security import scope_of

    return allowed(current_user, action, scope_of(obj))


def reach(action: Action) -> Reach | None:
    """How far the current user may do `action` (security.reach): what a page offers their role."""
    return reach_of(current_user, action)


def init_app(app) -> None:
    app.jinja_env.filters.update(local=local, audit_entity=audit_entity, audit_action=audit_action,
                                 audit_field=audit_field, audit_value=audit_value,
                                 audit_items=audit_items, rank_text=rank_text, rank_change=change_text)
    # The records' policies (security.py), for what a page offers: one rule for the page and the view.
    app.jinja_env.globals.update(can=can, reach=reach, Action=Action, Reach=Reach, Role=Role, new_key=new_key,
                                 can_fill_inspection=can_fill_inspection, can_read_inspection=can_read_inspection,
                                 can_act_on_findings=can_act_on_findings)
