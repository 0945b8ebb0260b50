"""The audit log, written for every audited model by one flush hook (see record_changes)."""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, String, event, inspect
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class AuditLog(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(20))
    # No foreign key: the log outlives what it describes (a deleted school keeps its history).
    school_id: Mapped[int | None] = mapped_column(index=True)
    # create: {field: value}; update: {field: [before, after]}; delete: {field: value}
    changes: Mapped[dict] = mapped_column(JSON, default=dict)


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, db.Model):
        return inspect(value).identity[0] if inspect(value).identity else None
    return value


def _snapshot(obj, hidden) -> dict:
    state = inspect(obj)
    return {
        attr.key: "***" if attr.key in hidden else _plain(getattr(obj, attr.key))
        for attr in state.mapper.column_attrs
    }


def _diff(obj, hidden) -> dict:
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if not hist.has_changes() or attr.key in {"updated_at"}:
            continue
        before = hist.deleted[0] if hist.deleted else None
        after = hist.added[0] if hist.added else None
        if before == after:
            continue
        changes[attr.key] = ["***", "***"] if attr.key in hidden else [_plain(before), _plain(after)]
    for rel in state.mapper.relationships:
        if not rel.uselist:
            continue
        hist = state.attrs[rel.key].history
        if hist.added or hist.deleted:
            changes[rel.key] = {
                "added": [str(x) for x in hist.added],
                "removed": [str(x) for x in hist.deleted],
            }
    return changes


def current_actor() -> tuple[int | None, str]:
    """Who is changing things: the signed-in user, else the command line."""
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user.is_authenticated:
        return current_user.id, current_user.display_name
    return None, "系统"


def audit_rows(session: Session) -> list[dict]:
    user_id, actor = current_actor()
    rows = []
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if not getattr(obj, "__audit__", False):
                continue
            hidden = getattr(obj, "__audit_hidden__", set())
            if action == "update":
                changes = _diff(obj, hidden)
                if not changes:
                    continue
            else:
                changes = _snapshot(obj, hidden)
            ident = inspect(obj).identity or (getattr(obj, "id", None),)
            rows.append(
                dict(
                    at=utcnow(), user_id=user_id, actor=actor, action=action,
                    entity=obj.__tablename__, entity_id=":".join(str(i) for i in ident),
                    school_id=getattr(obj, "school_id", None), changes=changes,
                )
            )
    return rows


@event.listens_for(Mapper, "before_mapper_configured")
def load_old_values(mapper, cls):
    """Audited columns keep their old value when set, even when it was not loaded yet."""
    if getattr(cls, "__audit__", False):
        for prop in mapper.column_attrs:
            prop.active_history = True


@event.listens_for(Session, "after_flush")
def record_changes(session, _flush_context):
    """After each flush (ids known, history still there) write one row per changed object."""
    rows = audit_rows(session)
    if rows:
        session.connection().execute(AuditLog.__table__.insert(), rows)


def log_event(entity: str, entity_id, action: str, school_id=None, **details) -> None:
    """An audit line for something that is not a row change (sign-in, export, draw)."""
    user_id, actor = current_actor()
    db.session.add(
        AuditLog(user_id=user_id, actor=actor, entity=entity, entity_id=str(entity_id),
                 action=action, school_id=school_id, changes=details)
    )
