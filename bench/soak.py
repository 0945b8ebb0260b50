"""Soak: N inspectors sign in together and autosave for a while on a real gunicorn, which may be killed
(SIGKILL) at random moments and started again; then every acknowledged save is checked in the database.

    .venv/bin/python bench/soak.py [--inspectors 50] [--seconds 60] [--kills 10]
                                   [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

- The server: gunicorn with gunicorn.conf.py (as `make run` and the README start it), the production
  profile, `--workers`/`--threads`, its log in the temporary folder. A kill sends SIGKILL to the whole
  process group (master and workers, as a crash or the OOM killer would) and starts it again at
  once; recovery is the time from the kill to the first answer of /login.
- The database: a SQLite file in a temporary folder, or with --database-url a database of its own
  (dudao_soak_<pid>) created on that PostgreSQL server and dropped at the end: never the tests' own.
- Each inspector has their own school and a draft inspection of a 30-item checklist. All sign in
  within the same --spread seconds (default 2), open the filling page and start saving at once, while
  others are still signing in, until --seconds after the last has signed in; an item at a time, as
  the browser queue does: the revision last acknowledged, a fresh idempotency key, and on a dropped
  connection or an error the same save again until the server acknowledges it. Every --stale-every
  saves one is sent on an old revision from another tablet: the server must refuse it (409), or it
  overwrote newer work.
- Checked at the end against the database: each item holds the last acknowledged value at the last
  acknowledged revision, and each acknowledged save raised the revision by exactly one.
  lost: an acknowledged save that is not there (or was undone); duplicated: a save applied twice (the
  revision went up more than once); silent overwrites: a stale save accepted.
"""
import argparse
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, make_url, select, text

from autosave import template
from portal import create_app
from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.models import Answer, Inspection, Ownership, Role, School, SchoolKind, User

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "soak-password-1"
VALUES = ("达标", "基本达标", "未达标")


def new_key(device: str, seq: int) -> str:
    """The idempotency key of one save, made as the browser's outbox makes it (portal/idempotency.py:
    "<device>-<seq>"); the one place to change when the format does."""
    return f"{device}-{seq}"


# The database and its data

def own_database(url: str | None, folder: Path) -> tuple[str, callable]:
    """The soak's own database URL, and how to remove it afterwards."""
    if not url:
        return f"sqlite:///{folder / 'soak.sqlite3'}", lambda: None
    server = make_url(url)
    name = f"dudao_soak_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def seed(url: str, inspectors: int, folder: Path) -> list[tuple[str, int]]:
    """Schools, inspectors and their draft inspections: [(username, inspection id)]."""
    app = create_app({"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_FOLDER": str(folder / "uploads"), "BACKUP_FOLDER": str(folder / "backups")})
    with app.app_context():
        db.create_all()
        version = template(30, "巡查检查表（30 项）")
        password = hash_password(PASSWORD)  # production strength, hashed once for all
        people = []
        for n in range(1, inspectors + 1):
            school = School(code=f"S{n:03d}", name=f"压力测试学校{n}", kind=SchoolKind.PRIMARY, ownership=Ownership.PUBLIC)
            user = User(username=f"soak{n:03d}", display_name=f"督学{n}", role=Role.INSPECTOR, password_hash=password,
                        schools=[school])
            inspection = Inspection(school=school, version=version, visit_date=date.today(), inspector=user)
            db.session.add(inspection)
            people.append((user, inspection))
        db.session.commit()
        result = [(user.username, inspection.id) for user, inspection in people]
        db.session.remove()
        db.engine.dispose()
    return result


def stored_answers(url: str) -> dict[tuple[int, int], tuple[str, int]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(Answer.inspection_id, Answer.item_id, Answer.value, Answer.revision)).all()
    engine.dispose()
    return {(r.inspection_id, r.item_id): (r.value, r.revision) for r in rows}


# The server

class Server:
    def __init__(self, url: str, folder: Path, port: int, workers: int, threads: int):
        self.port, self.process = port, None
        self.command = [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--workers", str(workers),
                        "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "wsgi:app"]
        self.env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
                    "UPLOAD_FOLDER": str(folder / "uploads"), "BACKUP_FOLDER": str(folder / "backups")}
        self.log = open(folder / "gunicorn.log", "ab")

    def start(self) -> float:
        """Start gunicorn; seconds until /login answers."""
        began = time.monotonic()
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log,
                                        start_new_session=True)
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/login")
                if connection.getresponse().status == 200:
                    return time.monotonic() - began
            except OSError:
                time.sleep(0.02)
            if time.monotonic() - began > 120:
                sys.exit("the server did not answer within 120 s: see gunicorn.log")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


# The inspectors

@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    dropped: int = 0           # no answer: connection refused or reset (the server was killed)
    unexpected: list = field(default_factory=list)
    sign_ins: list = field(default_factory=list)  # seconds
    saves: list = field(default_factory=list)     # seconds, acknowledged requests once all have signed in
    rush_saves: list = field(default_factory=list)  # seconds, acknowledged requests while others still sign in
    acknowledged: int = 0
    duplicated: int = 0
    silent_overwrites: int = 0
    stale_refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts) -> None:
        with self.lock:
            for name, value in counts.items():
                if isinstance(getattr(self, name), list):
                    getattr(self, name).append(value)
                else:
                    setattr(self, name, getattr(self, name) + value)


class Inspector:
    def __init__(self, port: int, username: str, inspection_id: int, tally: Tally, rng: random.Random, clock: dict):
        self.port, self.username, self.inspection_id, self.tally, self.rng = port, username, inspection_id, tally, rng
        self.clock = clock  # "deadline" and "started" appear once everyone has signed in
        self.cookies: dict[str, str] = {}
        self.connection = None
        self.token = ""
        self.acknowledged: dict[int, tuple[str, int]] = {}  # item → (value, revision) last acknowledged
        self.device, self.seq = rng.getrandbits(64).to_bytes(8).hex(), 0  # this tablet's outbox
        self.other_device = rng.getrandbits(64).to_bytes(8).hex()  # the stale saves come from another tablet

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        """One request; None when the connection failed (server down). 5xx are counted."""
        headers = {**(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.tally.add(requests=1)
        for reused in (self.connection is not None, False):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read().decode()
                break
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if not reused:  # (a kept-alive connection the server closed is simply opened again)
                    self.tally.add(dropped=1)
                    time.sleep(0.1 + self.rng.random() * 0.2)  # the queue retries after a moment
                    return None
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["expires"] and "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.status >= 500:
            self.tally.add(server_errors=1)
        return response.status, content, response.getheader("Location")

    def until_answered(self, *args, **kwargs):
        while True:
            answer = self.request(*args, **kwargs)
            if answer is not None and answer[0] < 500:
                return answer

    def sign_in(self) -> None:
        began = time.monotonic()
        _, page, _ = self.until_answered("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
        status, _, _ = self.until_answered("POST", "/login", {"username": self.username, "password": PASSWORD,
                                                              "csrf_token": token})
        if status != 303:
            raise RuntimeError(f"{self.username}: sign-in answered {status}")
        self.tally.add(sign_ins=time.monotonic() - began)
        _, page, _ = self.until_answered("GET", f"/inspections/{self.inspection_id}/fill")
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', page)[1]
        self.items = [int(i) for i in re.findall(r'data-item="(\d+)"', page)]

    def save(self, item: int, value: str, base: int, device: str | None = None) -> tuple[int, str, int]:
        """One save, resent until the server answers it: (status, outcome, revision)."""
        path = f"/inspections/{self.inspection_id}/items/{item}"
        self.seq += 1
        form = {"value": value, "note": "", "revision": str(base), "key": new_key(device or self.device, self.seq)}
        headers = {"HX-Request": "true", "X-CSRFToken": self.token}
        while True:
            began = time.monotonic()
            answer = self.request("POST", path, form, headers)
            if answer is None or answer[0] >= 500:
                continue
            status, content, _ = answer
            if status == 200:
                self.tally.add(**{"saves" if "started" in self.clock else "rush_saves": time.monotonic() - began})
            outcome = re.search(r'class="item-state state-(\w+)"', content)
            revision = re.search(r'name="revision" value="(\d+)"', content)
            return status, outcome[1] if outcome else "", int(revision[1]) if revision else -1

    def work(self, stale_every: int) -> None:
        saves = 0
        while time.monotonic() < self.clock.get("deadline", float("inf")):
            item = self.rng.choice(self.items)
            value, revision = self.acknowledged.get(item, (None, 0))
            fresh = self.rng.choice([v for v in VALUES if v != value])
            saves += 1
            if stale_every and saves % stale_every == 0 and revision >= 1:
                self.stale(item, fresh, revision)
                continue
            status, outcome, new_revision = self.save(item, fresh, revision)
            if status != 200 or outcome not in {"saved", "unchanged"}:
                self.tally.add(unexpected=f"{self.username} item {item}: {status} {outcome}")
                continue
            if new_revision != revision + 1:  # each save raises the revision by exactly one
                self.tally.add(duplicated=1, unexpected=f"{self.username} item {item}: {revision} → {new_revision}")
            self.acknowledged[item] = (fresh, new_revision)
            self.tally.add(acknowledged=1)

    def stale(self, item: int, value: str, revision: int) -> None:
        """A save made on an older revision by another tablet: must be refused."""
        status, outcome, new_revision = self.save(item, value, revision - 1, self.other_device)
        if status == 409:
            self.tally.add(stale_refused=1)
        elif status == 200 and outcome == "saved":
            self.tally.add(silent_overwrites=1)
            self.acknowledged[item] = (value, new_revision)
        else:
            self.tally.add(unexpected=f"{self.username} item {item}: stale save answered {status} {outcome}")


def percentiles(seconds: list[float]) -> str:
    if len(seconds) < 2:
        return "n/a"
    cuts = statistics.quantiles([s * 1000 for s in seconds], n=100, method="inclusive")
    return f"p50 {cuts[49]:.0f} ms, p95 {cuts[94]:.0f} ms, p99 {cuts[98]:.0f} ms, max {max(seconds) * 1000:.0f} ms"


def kill_moments(seconds: float, kills: int, rng: random.Random) -> list[float]:
    """One moment in each of `kills` equal slots of the save period (so restarts do not pile up)."""
    slot = seconds / (kills + 1)
    return [slot * (i + 0.5) + rng.uniform(0, slot) for i in range(kills)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inspectors", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="how long they save (default 60)")
    parser.add_argument("--kills", type=int, default=0, help="kill -9 the server this many times (default 0)")
    parser.add_argument("--spread", type=float, default=2, help="everyone signs in within this many seconds")
    parser.add_argument("--stale-every", type=int, default=20, help="every n-th save is sent on an old revision")
    parser.add_argument("--database-url", help="a PostgreSQL server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=5811)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="dudao-soak-"))
    url, drop = own_database(args.database_url, folder)
    try:
        people = seed(url, args.inspectors, folder)
        server = Server(url, folder, args.port, args.workers, args.threads)
        first_start = server.start()
        tally = Tally()
        clock, signed_in, everyone_in = {}, [], threading.Event()
        inspectors = [Inspector(args.port, name, inspection, tally, random.Random(rng.random()), clock)
                      for name, inspection in people]
        ready = threading.Barrier(len(inspectors) + 1)
        load_before = os.getloadavg()

        def run(inspector: Inspector) -> None:
            """Sign in within the spread, then save at once (while others are still signing in)."""
            ready.wait()
            time.sleep(inspector.rng.uniform(0, args.spread))
            inspector.sign_in()
            with tally.lock:
                signed_in.append(inspector)
                if len(signed_in) == len(inspectors):
                    clock["deadline"] = time.monotonic() + args.seconds
                    clock["started"] = time.monotonic()
                    everyone_in.set()
            inspector.work(args.stale_every)

        threads = [threading.Thread(target=run, args=(i,)) for i in inspectors]
        for thread in threads:
            thread.start()
        ready.wait()  # all set: go
        signing_in = time.monotonic()
        everyone_in.wait()
        started = clock["started"]
        sign_in_wall = started - signing_in
        recoveries = []
        for moment in kill_moments(args.seconds, args.kills, rng):
            time.sleep(max(0.0, started + moment - time.monotonic()))
            server.kill()
            recoveries.append(server.start())
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()
        server.stop()

        stored = stored_answers(url)
        lost = 0
        for inspector in inspectors:
            for item, (value, revision) in inspector.acknowledged.items():
                held = stored.get((inspector.inspection_id, item))
                if held is None or held[0] != value or held[1] < revision:
                    lost += 1
                    tally.unexpected.append(f"{inspector.username} item {item}: acknowledged {value}@{revision}, "
                                            f"stored {held}")
                elif held[1] > revision:
                    tally.duplicated += 1
                    tally.unexpected.append(f"{inspector.username} item {item}: acknowledged revision {revision}, "
                                            f"stored {held[1]}")

        database = make_url(url).get_backend_name()
        print(f"soak: {args.inspectors} inspectors on gunicorn ({args.workers} workers × {args.threads} threads), "
              f"{database}, {args.seconds:.0f} s of saving, {args.kills} kill -9")
        print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} ({os.cpu_count()} cores)")
        print(f"  first start: {first_start:.2f} s")
        print(f"  sign-in: all {len(tally.sign_ins)} within {sign_in_wall:.1f} s; {percentiles(tally.sign_ins)}")
        print(f"  requests: {tally.requests}; 5xx: {tally.server_errors}; "
              f"no answer (server down, resent): {tally.dropped}")
        print(f"  saves acknowledged: {tally.acknowledged}; while others signed in: {percentiles(tally.rush_saves)}")
        print(f"    then ({len(tally.saves) / elapsed:.0f}/s): {percentiles(tally.saves)}")
        print(f"  stale saves refused: {tally.stale_refused}; silent overwrites: {tally.silent_overwrites}")
        print(f"  lost: {lost}; duplicated: {tally.duplicated}")
        if recoveries:
            print(f"  recovery after kill -9: median {statistics.median(recoveries):.2f} s, max {max(recoveries):.2f} s "
                  f"({', '.join(f'{r:.2f}' for r in recoveries)})")
        for line in tally.unexpected[:20]:
            print(f"  ! {line}")
        print(f"  server log: {folder / 'gunicorn.log'}")
    finally:
        drop()


if __name__ == "__main__":
    main()
