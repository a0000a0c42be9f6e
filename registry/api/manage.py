"""API routes that register, hide and restore entries, read their translations, and follow queued jobs."""
from __future__ import annotations

from flask import current_app, jsonify, request

from ..auth import current_actor
from ..config import harvest_options
from ..db import read_session, sessions, write_session
from ..errors import NotFound
from ..jobs.queue import get_job
from ..schemas import TranslationList
from ..services.editing import set_hidden
from ..services.entries import get_entry, to_public
from ..services.submissions import confirm_submission, queue_submission, submissions_queued
from . import bp
from .common import json_body, writer


@bp.post("/entries")
def register_entry():
    actor = writer()
    url = json_body().get("source_url")
    if not isinstance(url, str):
        from ..errors import Invalid

        raise Invalid("Send the repository's address as `source_url`.", details={"fields": {"source_url": "required"}})
    session = read_session()
    options = harvest_options(current_app.config, operator=False)
    if submissions_queued():
        # A worker harvests it: 202 with the job, which says where to follow it.
        job = queue_submission(session, url=url, actor=actor, options=options).public()
        return jsonify(job.model_dump(mode="json")), 202, {"Location": job.url}
    result = confirm_submission(sessions(), session, url=url, actor=actor, options=options)
    # End the read transaction that began before the harvest wrote, so the new entry is seen.
    session.rollback()
    public = get_entry(session, slug=result.slug, actor=actor)
    return jsonify(public.model_dump(mode="json")), 201


@bp.get("/jobs/<job_id>")
def job(job_id: str):
    """A queued job's state; a submission's job only for the person who sent it."""
    state = get_job(job_id)
    actor = current_actor()
    if state is None or (state.owner_id is not None and (actor is None or actor.user_id != state.owner_id)):
        raise NotFound("There is no such job (finished jobs are kept for a week, failed ones for 30 days).",
                       details={"job_id": job_id})
    response = jsonify(state.public().model_dump(mode="json"))
    # Its state changes from one second to the next: never from a cache.
    response.cache_control.no_store = True
    return response


def _set_hidden(namespace: str, name: str, hidden: bool):
    actor = writer()
    body = request.get_json(silent=True)
    reason = body.get("reason") if isinstance(body, dict) else None
    with write_session() as session:
        entry = set_hidden(session, slug=f"{namespace}/{name}", actor=actor, hidden=hidden,
                           reason=reason if isinstance(reason, str) else "")
        public = to_public(session, entry, actor=actor)
    return jsonify(public.model_dump(mode="json"))


@bp.post("/entries/<namespace>/<name>/hide")
def hide_entry(namespace: str, name: str):
    return _set_hidden(namespace, name, True)


@bp.post("/entries/<namespace>/<name>/restore")
def restore_entry(namespace: str, name: str):
    return _set_hidden(namespace, name, False)


@bp.get("/entries/<namespace>/<name>/translations")
def translations(namespace: str, name: str):
    public = get_entry(read_session(), slug=f"{namespace}/{name}", actor=current_actor())
    return jsonify(TranslationList(slug=public.slug, language=public.language,
                                   translations=public.translations).model_dump(mode="json"))
