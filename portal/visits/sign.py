"""The sign a school hangs at its gate (责任督学挂牌督导公示牌): an A4 plaque, not a 公文 — the school,
its 责任督学 with portrait and phone, the 督导事项 they look after, and the office's 监督电话.

Laid out by templates/pdf/sign.html in the office's faces (portal/pdf/fonts.py) and rendered by the
document engine (portal/pdf/engine.py); portraits reach it as bytes handed to the render."""
from dataclasses import dataclass, field

from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from ..models import Portrait, School, User
from ..pdf import engine
from ..storage import storage
from . import schedule
from .duties import DUTIES

PER_SIGN = 2  # 责任督学 shown on one sign; a school with more names the first two (by user name)


@dataclass
class Person:
    name: str
    phone: str
    photo: str | None   # dudao-file:<name> of the portrait, or None: the placeholder


@dataclass
class Sign:
    school: str
    people: list[Person]
    duties: list[str] = field(default_factory=lambda: list(DUTIES.values()))


@dataclass
class Prepared:
    """One or more signs' HTML and the portraits it shows."""
    html: str
    files: dict[str, tuple[bytes, str]]


def signs(schools: list[School]) -> tuple[list[Sign], dict[str, tuple[bytes, str]]]:
    """Each school's sign, and the portraits they show (each inspector's once)."""
    named = schedule.inspectors_of([school.id for school in schools])
    people = {user.id: user for users in named.values() for user in users}
    portraits = portraits_of(list(people))
    made = []
    for school in schools:
        made.append(Sign(school.name, [person(user, portraits) for user in named.get(school.id, [])[:PER_SIGN]]))
    return made, {name: (data, "image/jpeg") for name, data in portraits.items()}


def portraits_of(user_ids: list[int]) -> dict[str, bytes]:
    """The stored portraits of these inspectors, by the name the sign gives them."""
    rows = db.session.scalars(select(Portrait).where(Portrait.user_id.in_(user_ids))).all()
    return {f"portrait-{row.user_id}.jpg": storage().path(row.attachment.storage_key).read_bytes() for row in rows}


def person(user: User, portraits: dict[str, bytes]) -> Person:
    name = f"portrait-{user.id}.jpg"
    return Person(user.display_name, user.phone, f"dudao-file:{name}" if name in portraits else None)


def prepared(schools: list[School]) -> Prepared:
    made, files = signs(schools)
    return Prepared(html(made), files)


def html(made: list[Sign]) -> str:
    config = current_app.config
    faces = engine.faces()
    css = Markup(render_template("pdf/sign.css", faces=faces))
    return render_template("pdf/sign.html", signs=made, css=css, office=config["DOC_ISSUER"],
                           phone=config["SUPERVISION_PHONE"], visits=schedule.target())


def pdf(school: School) -> bytes:
    one = prepared([school])
    return engine.to_pdf(one.html, one.files).pdf


def filename(school: School) -> str:
    return f"责任督学挂牌督导公示牌 {school.name}.pdf"
