"""A source's page: what is harvested from where, when next, and every run with what it changed."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..auth import current_actor
from ..db import read_session
from ..errors import RegistryError
from ..services.sources import get_source, list_source_runs, request_reharvest

bp = Blueprint("sources", __name__)
_RUNS_PER_PAGE = 50


@bp.get("/sources/<int:source_id>")
def source(source_id: int):
    session = read_session()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    public = get_source(session, source_id=source_id, actor=current_actor())
    runs, total = list_source_runs(
        session, source_id=source_id, page=page, per_page=_RUNS_PER_PAGE, actor=current_actor()
    )
    return render_template(
        "sources/source.html", source=public, runs=runs, total=total, page=page, per_page=_RUNS_PER_PAGE
    )


@bp.post("/sources/<int:source_id>/reharvest")
@login_required
def reharvest(source_id: int):
    try:
        result = request_reharvest(read_session(), source_id=source_id, actor=current_actor())
    except RegistryError as err:
        flash(err.message, "error")
    else:
        if result.job_id:
            flash(_("A harvest worker will harvest it shortly; its state is shown below."), "success")
        elif result.error:
            flash(_("The harvest failed: %(reason)s", reason=result.error), "error")
        else:
            flash(_("Harvested: %(outcome)s.", outcome=result.outcome), "success")
    return redirect(url_for("sources.source", source_id=source_id))
