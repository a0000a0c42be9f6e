"""Registering a project: paste an address, see what the harvest found and where from, confirm."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..db import read_session
from ..errors import Conflict, Invalid
from ..extensions import limiter
from ..security import per_person
from ..services.submissions import confirm_submission, preview_submission
from .common import current_actor
from .forms import ConfirmSubmitForm, SubmitForm, show_errors

bp = Blueprint("submit", __name__)


_submit_limit = limiter.limit(lambda: current_app.config["SUBMIT_RATE_LIMIT"], methods=["POST"],
                              key_func=per_person, scope="submissions",
                              error_message=lambda: _("You registered many projects in a short time; "
                                                      "wait a while and try again."))


def _refused(form: SubmitForm, err: Conflict | Invalid):
    duplicate = err.details.get("slug") if err.code == "duplicate" else None
    if duplicate is None:
        show_errors(form, err)
    status = 409 if isinstance(err, Conflict) else 422
    return render_template("submit/submit.html", form=form, duplicate=duplicate, message=err.message), status


@bp.route("/submit", methods=["GET", "POST"])
@login_required
@_submit_limit
def submit():
    form = SubmitForm()
    if not form.validate_on_submit():
        return render_template("submit/submit.html", form=form), 422 if form.errors else 200
    try:
        preview = preview_submission(current_app._get_current_object(), read_session(), url=form.url.data,
                                     actor=current_actor())
    except (Conflict, Invalid) as err:
        return _refused(form, err)
    confirm = ConfirmSubmitForm(formdata=None, url=preview.source_url)
    return render_template("submit/preview.html", preview=preview, confirm=confirm)


@bp.post("/submit/confirm")
@login_required
@_submit_limit
def confirm():
    form = ConfirmSubmitForm()
    if not form.validate_on_submit():
        return redirect(url_for("submit.submit"))
    try:
        result = confirm_submission(current_app._get_current_object(), read_session(), url=form.url.data,
                                    actor=current_actor())
    except (Conflict, Invalid) as err:
        return _refused(SubmitForm(formdata=None, url=form.url.data), err)
    flash(_("%(slug)s is registered. Thank you!", slug=result.slug), "success")
    namespace, name = result.slug.split("/", 1)
    return redirect(url_for("pages.entry", namespace=namespace, name=name))
