from flask import Blueprint, current_app, request
from sqlalchemy import select

from ..extensions import db
from ..htmx import render
from ..models import User
from ..security import Action, authorize

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
def index():
    authorize(Action.MANAGE)
    stmt = select(User).order_by(User.role, User.username)
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render("users/index.html", "results", page=page, args=request.args)
