"""Discoveries for admins, moderators and curators: add one, see its runs and what it found, review an inbox."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..auth import current_actor
from ..config import lister_settings
from ..db import read_session, write_session
from ..errors import RegistryError
from ..services.discoveries import (
    add_discovery,
    can_manage_discoveries,
    discovery_page,
    list_discoveries,
    review_found_item,
)
from .forms import DiscoveryForm, show_errors

bp = Blueprint("discoveries", __name__)
_PER_PAGE = 50


def _list(form: DiscoveryForm, status: int = 200):
    session = read_session()
    if not can_manage_discoveries(session, current_actor()):
        abort(403)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    items, total = list_discoveries(session, page=page, per_page=_PER_PAGE)
    return render_template(
        "discoveries/list.html", form=form, discoveries=items, total=total, page=page, per_page=_PER_PAGE
    ), status


@bp.get("/discoveries")
@login_required
def discoveries():
    return _list(DiscoveryForm(formdata=None))


@bp.post("/discoveries")
@login_required
def add():
    form = DiscoveryForm()
    if not form.validate():
        return _list(form, 400)
    try:
        with write_session() as s:
            made = add_discovery(
                s,
                kind=form.kind.data or "",
                target=form.target.data or "",
                set_spec=form.set_spec.data or None,
                collection=form.collection.data or None,
                actor=current_actor(),
                settings=lister_settings(current_app.config),
            )
    except RegistryError as err:
        show_errors(form, err)
        return _list(form, err.status)
    flash(_("Discovery added; it runs on its schedule, first as soon as the scheduler's next tick."), "success")
    return redirect(url_for("discoveries.discovery", discovery_id=made.id))


@bp.get("/discoveries/<int:discovery_id>")
@login_required
def discovery(discovery_id: int):
    review = request.args.get("review") or None
    if review not in (None, "inbox", "accepted", "dismissed"):
        review = None
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    shown = discovery_page(
        read_session(), discovery_id=discovery_id, actor=current_actor(), review=review, page=page, per_page=_PER_PAGE
    )
    return render_template("discoveries/discovery.html", review=review, page=page, per_page=_PER_PAGE, **shown)


@bp.post("/discoveries/<int:discovery_id>/items/<int:item_id>/review")
@login_required
def review(discovery_id: int, item_id: int):
    decision = request.form.get("decision", "")
    try:
        with write_session() as s:
            review_found_item(s, discovery_id=discovery_id, item_id=item_id, decision=decision, actor=current_actor())
    except RegistryError as err:
        flash(err.message, "error")
    else:
        flash(_("Added to the collection.") if decision == "accept" else _("Dismissed."), "success")
    return redirect(url_for("discoveries.discovery", discovery_id=discovery_id, review="inbox"))
