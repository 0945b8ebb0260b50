from flask import Blueprint, render_template

from . import check, rank
from ..models import Draw
from ..security import Action, load

bp = Blueprint("draws", __name__, url_prefix="/draws")


@bp.get("/<int:draw_id>")
def detail(draw_id: int):
    """The draw's whole record, each candidate's rank, and the draw run again from the record."""
    record = load(Draw, draw_id, Action.VIEW)
    ranks = sorted(((rank(record.seed, key), key, label) for key, label in record.candidates))
    return render_template("draws/detail.html", draw=record, ranks=ranks, picked=set(record.picked),
                           confirmed=check(record))
