"""API routes that register, hide and restore entries, and read their translations."""
from __future__ import annotations

from flask import current_app, jsonify, request

from ..db import read_session, write_session
from ..models import TranslationList
from ..services.editing import set_hidden
from ..services.entries import get_entry, to_public
from ..services.submissions import confirm_submission
from ..views.common import current_actor
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
    result = confirm_submission(current_app._get_current_object(), session, url=url, actor=actor)
    # End the read transaction that began before the harvest wrote, so the new entry is seen.
    session.rollback()
    public = get_entry(session, slug=result.slug, actor=actor)
    return jsonify(public.model_dump(mode="json")), 201


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
