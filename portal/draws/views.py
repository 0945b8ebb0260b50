from flask import Blueprint, render_template

from ..models import Draw
from ..security import can_read_draw, load_by
from .lots import check, rank

bp = Blueprint("draws", __name__, url_prefix="/draws")


@bp.get("/<int:draw_id>")
def detail(draw_id: int):
    """The draw's whole record, each candidate's rank, and the draw run again from the record."""
    record = load_by(can_read_draw, Draw, draw_id)
    ranks = sorted(((rank(record.seed, key), key, label) for key, label in record.candidates))
    return render_template("draws/detail.html", draw=record, ranks=ranks, picked=set(record.picked),
                           confirmed=check(record))
