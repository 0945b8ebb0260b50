"""Checklist autosave and the filling page.

1. One answer's autosave (POST, htmx): server time median and p95 over --n saves, each a real
   change (the value flips, with the revision the previous save returned and a fresh key): 达标 and
   未达标 in turn, so that every save also sends the item's 生成整改事项 slot, and then 达标 and 基本达标,
   met both ways (the usual save). Beside them, measured in the same run against the same row:
   - the floor: a bare Flask app whose route does the one equivalent UPDATE and commits, its
     connections set up as the portal's are (on SQLite: WAL, synchronous=NORMAL, BEGIN IMMEDIATE);
     also shown with the driver's defaults (on SQLite synchronous=FULL: an fsync per commit, which
     the portal does not pay);
   - a bare route inside the portal (same session cookie, same before/after-request hooks) doing
     the same UPDATE: what any signed-in POST costs before it does anything of its own;
   - the save written by hand in SQLAlchemy Core inside the portal (CSRF, scope check, read, UPDATE,
     audit row, every section scored, three bare fragments rendered) with none of the ORM's work and
     none of the revision or idempotency checks: a lower bound for any rewrite of the save itself.
2. The filling page of a 120-item template and of a 30-item one, both fully answered with one item
   not met: server time and SQL statements (the count must be the same for both).

    .venv/bin/python bench/autosave.py [--n 500] [--database-url postgresql+psycopg://...]
"""
import argparse
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from flask import Flask, render_template_string, request
from flask_login import current_user
from sqlalchemy import bindparam, create_engine, event, insert, inspect, select, update

from page_time import WARM_UP, row, timed
from portal import create_app
from portal.demo import DEMO_PASSWORD, seed
from portal.extensions import configure_sqlite, csrf, db
from portal.models import (Answer, AnswerType, AuditLog, ChecklistTemplate, Inspection, Item, Section, TemplateVersion,
                           User, VersionStatus, utcnow)
from portal.security import Action, authorize
from portal.supervision import sheet


def template(items: int, name: str) -> TemplateVersion:
    version = TemplateVersion(number=1, status=VersionStatus.PUBLISHED, published_at=utcnow())
    for s in range(items // 10):
        section = Section(position=s, title=f"第{s + 1}部分")
        section.items = [Item(position=i, text=f"评估要点 {s + 1}.{i + 1}", standard="对照标准逐项评定",
                              answer_type=AnswerType.RATING, max_points=Decimal(5), na_allowed=True)
                         for i in range(10)]
        version.sections.append(section)
    db.session.add(ChecklistTemplate(name=name, versions=[version]))
    return version


def save_times(client, url: str, n: int, token: str, statements: list,
               values: tuple[str, str] = ("达标", "未达标")) -> tuple[list[float], float]:
    """Saves alternating between `values`. 达标 and 未达标 turn the item not met and back on every save,
    so every response also carries the item's 生成整改事项 slot (the costlier case)."""
    revision, times = 0, []
    for i in range(WARM_UP + n):
        if i == WARM_UP:
            statements.clear()
        # A tablet's queue key (portal/idempotency.py): this device, its i-th change.
        data = {"value": values[i % 2], "note": "", "revision": str(revision), "key": f"0123456789abcdef-{i + 1}"}
        start = time.perf_counter()
        response = client.post(url, data=data, headers={"HX-Request": "true", "X-CSRFToken": token})
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            sys.exit(f"autosave answered {response.status_code}: {response.get_data(as_text=True)[:200]}")
        revision = int(re.search(r'name="revision" value="(\d+)"', response.get_data(as_text=True))[1])
        if i >= WARM_UP:
            times.append(elapsed)
    return times, len(statements) / n


def post_times(client, url: str, n: int, headers: dict | None = None, keyed: bool = False,
               statements: list | None = None) -> tuple[list[float], float]:
    times, statements = [], statements if statements is not None else []
    for i in range(WARM_UP + n):
        if i == WARM_UP:
            statements.clear()
        data = {"value": ["达标", "未达标"][i % 2], **({"key": f"core-{i:08d}"} if keyed else {})}
        start = time.perf_counter()
        response = client.post(url, data=data, headers=headers)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
        if i >= WARM_UP:
            times.append((time.perf_counter() - start) * 1000)
    return times, len(statements) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500, help="saves and page loads to time (default 500)")
    parser.add_argument("--database-url", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="dudao-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_FOLDER": str(folder / "uploads"), "BACKUP_FOLDER": str(folder / "backups")})

    @app.post("/bench-floor/<int:answer_id>")
    @csrf.exempt
    def floor_in_portal(answer_id: int):
        db.session.execute(update(Answer).where(Answer.id == answer_id)
                           .values(value=request.form["value"], revision=Answer.revision + 1))
        db.session.commit()
        return "ok"

    scope = select(Inspection.school_id, Inspection.version_id).where(Inspection.id == bindparam("id"))
    stored = select(Answer.id, Answer.value, Answer.revision).where(
        Answer.inspection_id == bindparam("inspection"), Answer.item_id == bindparam("item"))
    change = update(Answer).where(Answer.id == bindparam("answer")).values(
        value=bindparam("value"), revision=Answer.revision + 1, last_key=bindparam("key"),
        updated_by_id=bindparam("user"), updated_at=bindparam("at"))
    fragments = ('<p id="state">已保存 {{ revision }}</p><span id="section" hx-swap-oob="true">{{ part.percent }}</span>'
                 '<div id="summary" hx-swap-oob="true">{{ total.percent }} {{ total.band }}</div>')

    @app.post("/bench-core/<int:inspection_id>/<int:item_id>")
    def core_save(inspection_id: int, item_id: int):
        connection, value = db.session.connection(), request.form["value"]
        inspection = connection.execute(scope, {"id": inspection_id}).one()
        authorize(Action.INSPECT, inspection)
        answer = connection.execute(stored, {"inspection": inspection_id, "item": item_id}).one()
        connection.execute(change, {"answer": answer.id, "value": value, "key": request.form["key"],
                                    "user": current_user.id, "at": utcnow()})
        connection.execute(insert(AuditLog), {
            "at": utcnow(), "user_id": current_user.id, "actor": current_user.display_name, "action": "update",
            "entity": Answer.__tablename__, "entity_id": str(answer.id), "school_id": inspection.school_id,
            "changes": {"value": [answer.value, value]}})
        version = db.session.get(TemplateVersion, inspection.version_id)
        built = sheet.saved(SimpleNamespace(id=inspection_id, version=version), item_id, None)  # scores as stored
        html = render_template_string(fragments, revision=answer.revision + 1, part=built.part_of(item_id).score,
                                      total=built.total)
        db.session.commit()
        return html

    with app.app_context():
        if set(inspect(db.engine).get_table_names()) & set(db.metadata.tables):
            sys.exit(f"{url} already holds the app's tables; give the bench an empty database")
        db.create_all()
        seed()
        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        big, small = template(120, "基准检查表（120 项）"), template(30, "基准检查表（30 项）")
        school_id = db.session.scalar(db.select(Inspection.school_id).limit(1))
        inspections = {}
        for name, version in (("big", big), ("small", small)):
            inspection = Inspection(school_id=school_id, version=version, visit_date=date.today(), inspector=admin)
            db.session.add(inspection)
            db.session.flush()
            inspections[name] = inspection.id
        first_item, second_item = (item.id for item in big.sections[0].items[:2])
        floor_answer = Answer(inspection_id=inspections["big"], item=big.sections[-1].items[-1], value="达标")
        db.session.add(floor_answer)
        db.session.commit()
        floor_answer_id, floor_item, dialect = floor_answer.id, floor_answer.item_id, db.engine.dialect.name
        statements: list = []
        event.listen(db.engine, "before_cursor_execute", lambda *_: statements.append(1))

    bare = Flask("floor")
    engine, default_engine = create_engine(url), create_engine(url)
    configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])  # the portal's connections, not the driver's defaults

    @bare.post("/<int:portal_settings>")
    def bare_update(portal_settings: int):
        with (engine if portal_settings else default_engine).begin() as connection:
            connection.execute(update(Answer).where(Answer.id == floor_answer_id)
                               .values(value=request.form["value"], revision=Answer.revision + 1))
        return "ok"

    try:
        client = app.test_client()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login)[1]
        if client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": token}).status_code != 303:
            sys.exit("signing in as admin failed")
        token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/").get_data(as_text=True))[1]  # the session's new token

        bare_times, _ = post_times(bare.test_client(), "/1", args.n)
        floor = statistics.median(bare_times)
        default_times, _ = post_times(bare.test_client(), "/0", args.n)
        in_portal, in_portal_queries = post_times(client, f"/bench-floor/{floor_answer_id}", args.n,
                                                  {"X-CSRFToken": token}, statements=statements)
        core = f"/bench-core/{inspections['big']}/{floor_item}"
        core_times, core_queries = post_times(client, core, args.n, {"HX-Request": "true", "X-CSRFToken": token},
                                              keyed=True, statements=statements)
        saves, save_queries = save_times(client, f"/inspections/{inspections['big']}/items/{first_item}", args.n,
                                         token, statements)
        met_saves, met_queries = save_times(client, f"/inspections/{inspections['big']}/items/{second_item}", args.n,
                                            token, statements, ("达标", "基本达标"))

        print(f"{'request':<28}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'× floor':>10}")
        print(row("bare Flask UPDATE (floor)", bare_times, 1, floor))
        print(row("  same, driver defaults", default_times, 1, floor))
        print(row("bare UPDATE in the portal", in_portal, in_portal_queries, floor))
        print(row("save in bare Core (bound)", core_times, core_queries, floor))
        print(row("autosave one answer", saves, save_queries, floor))
        print(f"  autosave ÷ bare UPDATE in the portal: {statistics.median(saves) / statistics.median(in_portal):.1f}×")
        print(row("  met both ways (no slot)", met_saves, met_queries, floor))
        with app.app_context():  # both sheets answered alike, one item not met: the pages differ only in size
            for key in ("big", "small"):
                version_id = db.session.get(Inspection, inspections[key]).version_id
                answered = select(Answer.item_id).where(Answer.inspection_id == inspections[key])
                db.session.add_all(Answer(inspection_id=inspections[key], item_id=item_id, value="达标")
                                   for item_id in db.session.scalars(select(Item.id).join(Section).where(
                                       Section.version_id == version_id, Item.id.not_in(answered))))
                db.session.flush()
                db.session.execute(update(Answer).where(Answer.inspection_id == inspections[key]).values(value="达标"))
                first = db.session.scalar(select(Item.id).join(Section).where(Section.version_id == version_id)
                                          .order_by(Section.position, Item.position).limit(1))
                db.session.execute(update(Answer).where(Answer.inspection_id == inspections[key], Answer.item_id == first)
                                   .values(value="未达标"))
            db.session.commit()
        for name, key in (("filling page, 120 items", "big"), ("filling page, 30 items", "small")):
            times, queries = timed(client, f"/inspections/{inspections[key]}/fill", args.n // 2, None, statements)
            print(row(name, times, queries, floor))
        print(f"\n{args.n} saves ({args.n // 2} page loads) after {WARM_UP} warm-up requests; database: {dialect}")
    finally:
        engine.dispose()
        default_engine.dispose()
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()
