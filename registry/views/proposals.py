"""One review queue for maintainers and moderators: the original beside the proposal, accept or reject."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..auth import current_actor
from ..db import read_session, write_session
from ..errors import Conflict
from ..services.proposals import decide_proposal, review_queue
from .forms import ReviewForm

bp = Blueprint("review", __name__)


@bp.get("/review")
@login_required
def queue():
    proposals = review_queue(read_session(), actor=current_actor())
    return render_template("review.html", proposals=proposals, form=ReviewForm(formdata=None))


@bp.post("/review/<int:proposal_id>")
@login_required
def decide(proposal_id: int):
    form = ReviewForm()
    accept = bool(form.accept.data)
    try:
        with write_session() as s:
            decide_proposal(s, proposal_id=proposal_id, actor=current_actor(), accept=accept, note=form.note.data or "")
    except Conflict as err:
        # Already decided by someone else, or the fields moved on: say so on the queue.
        flash(err.message, "error")
    else:
        flash(
            _("Proposal %(id)d accepted.", id=proposal_id)
            if accept
            else _("Proposal %(id)d rejected.", id=proposal_id),
            "success",
        )
    return redirect(url_for("review.queue"))
