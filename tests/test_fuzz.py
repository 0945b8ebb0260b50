"""Malformed input never gives a 500 and a refused change changes nothing (property-based, Hypothesis).

Every route of `app.url_map` (the access matrix's ROUTES, which must list them all) is sent what
a broken client, a tampered form or a confused user could send, signed in as the office (which
reaches every route) and as a principal (the school's own forms), with a valid CSRF token: missing fields, empty, huge, negative and
wrong-type values, impossible dates, ids no column holds, non-UTF-8 bytes, with and without
htmx. The fields each form really has are read from the pages that show it. Each example runs in
a transaction rolled back afterwards, on the access matrix's world.
"""
import hashlib
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditLog

from . import test_access
from .conftest import rolled_back
from .test_access import ROUTES, States

# The access matrix's world and signed-in sessions, built once for this module too.
matrix_app, matrix_make_user, world, sessions = (test_access.matrix_app, test_access.matrix_make_user,
                                                 test_access.world, test_access.sessions)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
ROLES = ("admin", "principal")

# What a broken client sends for one field.
VALUES = st.one_of(
    st.sampled_from(["", " ", "0", "-1", "1", "9" * 30, str(2**31), str(-2**63), "1e309", "NaN", "inf", "1.5",
                     "2026-02-30", "0000-00-00", "9999-99-99", "26-1-1", "否", "是", "true", "null", "[]", "{}",
                     "=1+1", "<script>x</script>", "' OR 1=1 --", "a" * 5000, "\x00", "\ud800".encode("utf-8", "surrogatepass")
                     .decode("utf-8", "replace")]),
    st.text(max_size=40),
    st.integers(min_value=-2**70, max_value=2**70).map(str),
    st.binary(min_size=1, max_size=12),  # not UTF-8, as a misconfigured client sends it
)
# Query parameters the lists and forms read (plus whatever the pages' GET forms name).
QUERY_NAMES = ["school", "school_id", "status", "semester", "term", "q", "page", "round", "round_id", "template",
               "version", "preview", "year", "kind", "group", "inspector", "due", "sort", "next", "from", "to"]


class Forms(HTMLParser):
    """The fields of each form on a page, by where it is sent: {(method, path): {field names}}."""

    def __init__(self):
        super().__init__()
        self.found: dict[tuple[str, str], set[str]] = {}
        self.current: set[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        target = attrs.get("hx-post") or (attrs.get("action") if tag == "form" else None)
        if tag == "form":
            method = "POST" if attrs.get("hx-post") or (attrs.get("method") or "get").lower() == "post" else "GET"
            self.current = self.found.setdefault((method, urlsplit(target or "").path), set())
        elif attrs.get("hx-post"):
            self.found.setdefault(("POST", urlsplit(attrs["hx-post"]).path), set()).add(attrs.get("name") or "")
        if tag in ("input", "select", "textarea", "button") and attrs.get("name") and self.current is not None:
            self.current.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def urls_of(world_ids, app):
    """Each route's URLs on the world's own school, one per state of its record: [(endpoint, method, url)]."""
    found = []
    with app.test_request_context():
        for endpoint, route in ROUTES.items():
            states = route.rule.keys() if isinstance(route.rule, States) else [None]
            for state in states:
                url = route.url(world_ids, "own", state) if state else route.url(world_ids, "own")
                found.extend((endpoint, method, url) for method in route.methods)
    return found


@pytest.fixture(scope="module")
def fields(matrix_app, sessions, world):
    """Every form's fields, read from the pages each role sees (each GET route of the world)."""
    return {role: forms_seen(matrix_app, sessions, world, role) for role in ROLES}


def forms_seen(matrix_app, sessions, world, role):
    client = signed_in(matrix_app, sessions, role)
    forms: dict[tuple[str, str], set[str]] = {}
    for _, method, url in urls_of(world, matrix_app):
        if method != "GET":
            continue
        response = client.get(url)
        if response.mimetype == "text/html":
            parser = Forms()
            parser.feed(response.get_data(as_text=True))
            for (form_method, path), names in parser.found.items():
                forms.setdefault((form_method, path or urlsplit(url).path), set()).update(names - {""})
        response.close()
    return forms


def signed_in(app, sessions, role):
    client = app.test_client()
    cookie, _ = sessions[role]
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return client


def fingerprint() -> str:
    """The database's content (what a refused change must leave as it was). The audit log's record of
    a refused conflict is the one write a 4xx makes on purpose."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        query = select(table)
        if table.name == AuditLog.__tablename__:
            query = query.where(AuditLog.action != "conflict")
        for row in db.session.execute(query.order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def files_kept(matrix_app):
    """Stored files as they were before the module (a deleting route may remove one on disk)."""
    folder = Path(matrix_app.config["UPLOAD_FOLDER"])
    stored = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    yield
    for path, data in stored.items():
        if not path.exists():
            path.write_bytes(data)


@pytest.fixture(scope="module")
def rendered_once():
    """Each distinct document laid out once for the module: the PDF routes ignore what the fuzz sends
    beside their ids, so every example asked WeasyPrint for the same PDF again (5-13 s each under load,
    a fifth of the module). The same HTML, files and faces give the same PDF; the views still run in full."""
    from portal.pdf import engine

    made = {}

    def pdf_of(html, files, static_folder, font_files):
        key = (html, tuple(sorted((files or {}).items())), static_folder, repr(font_files))
        if key not in made:
            made[key] = laid_out(html, files, static_folder, font_files)
        return made[key]

    laid_out = engine.pdf_of
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "pdf_of", pdf_of)
        yield made


def cases():
    with_state = []
    for endpoint, route in ROUTES.items():
        states = list(route.rule.keys()) if isinstance(route.rule, States) else [None]
        for state in states:
            for method in route.methods:
                for role in ROLES if method == "POST" else ROLES[:1]:
                    with_state.append(pytest.param(endpoint, state, method, role,
                                                   id=f"{endpoint}{f'[{state}]' if state else ''}-{method}-{role}"))
    return with_state


def body(pairs) -> bytes:
    return urlencode([(name, value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass"))
                      for name, value in pairs]).encode()


@pytest.mark.parametrize("endpoint,state,method,role", cases())
def test_malformed_input_never_gives_a_500_and_a_refusal_changes_nothing(
        rendered_once, matrix_app, sessions, world, fields, files_kept, endpoint, state, method, role):
    route = ROUTES[endpoint]
    with matrix_app.test_request_context():
        url = route.url(world, "own", state) if state else route.url(world, "own")
    path = urlsplit(url).path
    known = sorted(fields[role].get((method, path), set()) | ({"csrf_token"} if method == "POST" else set()))
    names = known + [name for name in QUERY_NAMES if name not in known] if method == "GET" else known
    _, token = sessions[role]

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(sent=st.lists(st.tuples(st.sampled_from(names or ["x"]), VALUES), max_size=8),
           dropped=st.sets(st.sampled_from(known or ["x"])), htmx=st.booleans())
    def example(sent, dropped, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        client = signed_in(matrix_app, sessions, role)
        with rolled_back(matrix_app):
            with matrix_app.app_context():
                before = fingerprint()
            if method == "GET":
                response = client.get(f"{path}?{body(sent).decode()}", headers=headers)
            else:
                # The form's own fields, each with a value drawn or left out, and the token valid.
                pairs = [(name, "") for name in known if name not in dropped and name != "csrf_token"] + sent
                pairs = [pair for pair in pairs if pair[0] != "csrf_token"] + [("csrf_token", token)]
                response = client.post(path, data=body(pairs), headers=headers,
                                       content_type="application/x-www-form-urlencoded")
            code = response.status_code
            response.close()
            assert code < 500, f"{method} {path} answered {code}"
            if 400 <= code < 500 and method == "POST":
                with matrix_app.app_context():
                    assert fingerprint() == before, f"{method} {path} answered {code} but changed the database"

    example()


def test_the_fuzz_reads_real_forms(fields):
    """The harvest finds the forms (else the fuzz would only send noise no view reads)."""
    office, school = fields["admin"], fields["principal"]
    posts = {path for method, path in office if method == "POST"}
    assert any(re.fullmatch(r"/inspections/\d+/items/\d+", path) for path in posts)
    assert any(office[("POST", path)] >= {"title"} for path in posts if path.startswith("/documents"))
    assert any(re.fullmatch(r"/rectification/\d+/report", path) and names >= {"report"}
               for (method, path), names in school.items())
