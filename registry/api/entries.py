"""API routes about entries: list and read, register, edit, revert, propose, hide and restore."""
from __future__ import annotations

from flask import current_app, jsonify, request

from ..auth import current_actor
from ..config import harvest_options
from ..db import read_session, sessions, write_session
from ..errors import Invalid
from ..schemas import (
    TEXT_FIELDS,
    EntryPatch,
    EntryRegister,
    HideRequest,
    ProposalCreate,
    RevertRequest,
    RevisionList,
    TranslationList,
)
from ..services.catalog import localize_summaries
from ..services.editing import edit_entry, list_revisions, revert_entry, set_hidden
from ..services.entries import get_entry, list_entries, parse_entry_query, to_public
from ..services.proposals import propose_edit, submit_translation
from ..services.submissions import confirm_submission, queue_submission, submissions_queued
from . import bp
from .common import body_as, changes_as, writer
from .support import paginated


@bp.get("/entries")
def entries():
    query = parse_entry_query(request.args, default_per_page=current_app.config["PER_PAGE"])
    session = read_session()
    page = list_entries(session, query=query)
    items = localize_summaries(session, page.items, request.args.get("lang") or None)
    return paginated(items, total=page.total, page=page.page, per_page=page.per_page, facets=page.facets)


@bp.get("/entries/<namespace>/<name>")
def entry(namespace: str, name: str):
    public = get_entry(read_session(), slug=f"{namespace}/{name}", actor=current_actor(),
                       lang=request.args.get("lang") or None)
    return jsonify(public.model_dump(mode="json"))


@bp.post("/entries")
def register_entry():
    actor = writer()
    url = body_as(EntryRegister).source_url
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


def _slug(namespace: str, name: str) -> str:
    return f"{namespace}/{name}"


@bp.patch("/entries/<namespace>/<name>")
def patch_entry(namespace: str, name: str):
    actor = writer()
    body = changes_as(EntryPatch)
    base = body.pop("base_revision", None)
    reason = body.pop("reason", "") or ""
    with write_session() as session:
        entry = edit_entry(session, slug=_slug(namespace, name), actor=actor, changes=body, base_revision=base,
                           reason=str(reason))
        public = to_public(session, entry, actor=actor)
    return jsonify(public.model_dump(mode="json"))


@bp.get("/entries/<namespace>/<name>/revisions")
def revisions(namespace: str, name: str):
    rows = list_revisions(read_session(), slug=_slug(namespace, name))
    return jsonify(RevisionList(items=rows, total=len(rows), page=1, per_page=len(rows), facets={})
                   .model_dump(mode="json"))


@bp.post("/entries/<namespace>/<name>/revert")
def revert(namespace: str, name: str):
    actor = writer()
    body = body_as(RevertRequest)
    with write_session() as session:
        entry = revert_entry(session, slug=_slug(namespace, name), actor=actor, revision=body.revision,
                             base_revision=body.base_revision, reason=body.reason or "")
        public = to_public(session, entry, actor=actor)
    return jsonify(public.model_dump(mode="json"))


@bp.post("/entries/<namespace>/<name>/proposals")
def propose(namespace: str, name: str):
    """Propose an edit (`{"changes": {…}}`) or a translation (`{"lang": "sw", "name": …}`)."""
    actor = writer()
    body = body_as(ProposalCreate)
    slug = _slug(namespace, name)
    with write_session() as session:
        if body.lang:
            result = submit_translation(session, slug=slug, actor=actor, lang=body.lang,
                                        text={k: getattr(body, k) for k in TEXT_FIELDS},
                                        base_revision=body.base_revision)
            if not hasattr(result, "status"):  # published directly by a maintainer
                return jsonify({"published": True, "lang": result.lang}), 201
        else:
            if body.changes is None:
                raise Invalid("Send the fields to change as `changes`: {…}.", details={"fields": {"changes": "required"}})
            result = propose_edit(session, slug=slug, actor=actor, changes=body.changes,
                                  base_revision=body.base_revision, note=body.note or "")
        proposal_id = result.id
    return jsonify({"id": proposal_id, "status": "open"}), 201


def _set_hidden(namespace: str, name: str, hidden: bool):
    actor = writer()
    body = body_as(HideRequest, optional=True)
    with write_session() as session:
        entry = set_hidden(session, slug=f"{namespace}/{name}", actor=actor, hidden=hidden, reason=body.reason)
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
