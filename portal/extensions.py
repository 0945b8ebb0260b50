"""Extension objects, created once and bound in create_app()."""
from contextlib import contextmanager

from flask import current_app, g, has_request_context, request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

# Without a naming convention, autogenerate on SQLite silently misses dropped constraints.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def render_item(type_, obj, _autogen_context):
    """Migrations spell our UTC column type as the plain DateTime it stores."""
    from .models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True, render_item=render_item)
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()

READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys and a busy timeout on every connection; writes begin IMMEDIATE.

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another writer got in between, whatever the busy timeout. Starting
    write requests with BEGIN IMMEDIATE makes them queue for the lock instead.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        reading = has_request_context() and request.method in READ_ONLY_METHODS and not g.get("side_write")
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


@contextmanager
def side_write(what: str):
    """A small write that a page makes while it is read (a circular's first opening): in a transaction
    of its own that waits for the write lock, and never fails the page.

    A GET reads in a deferred transaction; on SQLite, writing in it fails at once with "database is
    locked" when another connection has written since it began, whatever the busy timeout. So the
    read transaction ends here (objects reload as needed) and the write begins IMMEDIATE."""
    db.session.commit()
    g.side_write = True
    try:
        yield
        db.session.commit()
    except SQLAlchemyError:  # a record beside the page, not the page: logged, the page is served
        db.session.rollback()
        current_app.logger.warning("%s not recorded", what, exc_info=True)
    finally:
        g.side_write = False
