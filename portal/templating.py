"""Template globals and filters: local times, permission checks for navigation."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user

from .models import Role
from .security import Action, allowed


def local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """UTC in the database, Beijing time on the page."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def can(action: Action, obj=None) -> bool:
    from .security import scope_of

    return allowed(current_user, action, scope_of(obj))


def init_app(app) -> None:
    app.jinja_env.filters["local"] = local
    app.jinja_env.globals.update(can=can, Action=Action, Role=Role)
