"""Registering a project: paste an address, see what the harvest found and where from, confirm.

Without a queue the preview and the registration run in the request. With one (Redis), each
is a job: the person is sent to the job's page, which refreshes itself until it is done.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import login_required

from ..auth import current_actor
from ..config import harvest_options
from ..db import read_session, sessions
from ..errors import Conflict, Invalid
from ..security import remember_paid_preview, submission_limit
from ..services.submissions import (
    confirm_submission,
    get_submission_job,
    preview_submission,
    queue_preview,
    queue_submission,
    submissions_queued,
)
from .forms import ConfirmSubmitForm, SubmitForm, show_errors

bp = Blueprint("submit", __name__)

#: Seconds between two reloads of a job's page while it is queued or running.
JOB_REFRESH_SECONDS = 2

# One allowance for the page's registrations and the API's (registry/security.py): a preview draws
# one, and the confirmation it paid for draws nothing.
_submit_limit = submission_limit()
_confirm_limit = submission_limit(confirmation=True)


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
    options = harvest_options(current_app.config, operator=False)
    try:
        if submissions_queued():
            job = queue_preview(read_session(), url=form.url.data, actor=current_actor(), options=options)
            remember_paid_preview(job.source or "")
            return redirect(url_for("submit.job", job_id=job.id), 303)
        preview = preview_submission(read_session(), url=form.url.data, actor=current_actor(), options=options)
    except (Conflict, Invalid) as err:
        return _refused(form, err)
    remember_paid_preview(preview.source_url)
    confirm = ConfirmSubmitForm(formdata=None, url=preview.source_url)
    return render_template("submit/preview.html", preview=preview, confirm=confirm)


@bp.post("/submit/confirm")
@login_required
@_confirm_limit
def confirm():
    form = ConfirmSubmitForm()
    if not form.validate_on_submit():
        return redirect(url_for("submit.submit"))
    options = harvest_options(current_app.config, operator=False)
    try:
        if submissions_queued():
            job = queue_submission(read_session(), url=form.url.data, actor=current_actor(), options=options)
            return redirect(url_for("submit.job", job_id=job.id), 303)
        result = confirm_submission(
            sessions(), read_session(), url=form.url.data, actor=current_actor(), options=options
        )
    except (Conflict, Invalid) as err:
        return _refused(SubmitForm(formdata=None, url=form.url.data), err)
    flash(_("%(slug)s is registered. Thank you!", slug=result.slug), "success")
    assert result.slug is not None  # a registered entry has its slug
    namespace, name = result.slug.split("/", 1)
    return redirect(url_for("pages.entry", namespace=namespace, name=name))


@bp.get("/submit/jobs/<job_id>")
@login_required
def job(job_id: str):
    """A submission's job: queued, running, done (the preview, or a link to the entry) or failed, with why."""
    state = get_submission_job(job_id=job_id, actor=current_actor())
    confirm = retry = None
    if state.preview is not None:
        confirm = ConfirmSubmitForm(formdata=None, url=state.preview.source_url)
    elif state.status == "failed":
        retry = SubmitForm(formdata=None, url=state.source_url)
    return render_template(
        "submit/job.html",
        job=state,
        preview=state.preview,
        confirm=confirm,
        form=retry,
        refresh=JOB_REFRESH_SECONDS if state.pending else None,
    )


@bp.app_template_global("job_state_label")
def job_state_label(status: str) -> str:
    """Name a job's state in the reader's language."""
    return {
        "queued": pgettext("job state", "queued"),
        "running": pgettext("job state", "running"),
        "done": pgettext("job state", "done"),
        "failed": pgettext("job state", "failed"),
    }.get(status, status)
