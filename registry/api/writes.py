"""API routes that change entries: edit, revert, history, proposals."""
from __future__ import annotations

from flask import jsonify

from ..db import read_session, write_session
from ..services.editing import edit_entry, list_revisions, revert_entry
from ..services.entries import to_public
from ..services.proposals import propose_edit, submit_translation
from . import bp
from .common import json_body, writer


def _slug(namespace: str, name: str) -> str:
    return f"{namespace}/{name}"


@bp.patch("/entries/<namespace>/<name>")
def patch_entry(namespace: str, name: str):
    actor = writer()
    body = json_body()
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
    items = [{"revision": r.number, "author": r.author, "reason": r.reason, "changes": r.changes,
              "created_at": r.created_at.isoformat(), "snapshot": r.snapshot} for r in rows]
    return jsonify({"items": items, "total": len(items), "page": 1, "per_page": len(items), "facets": {}})


@bp.post("/entries/<namespace>/<name>/revert")
def revert(namespace: str, name: str):
    actor = writer()
    body = json_body()
    with write_session() as session:
        entry = revert_entry(session, slug=_slug(namespace, name), actor=actor, revision=body.get("revision"),
                             base_revision=body.get("base_revision"), reason=str(body.get("reason") or ""))
        public = to_public(session, entry, actor=actor)
    return jsonify(public.model_dump(mode="json"))


@bp.post("/entries/<namespace>/<name>/proposals")
def propose(namespace: str, name: str):
    """Propose an edit (`{"changes": {…}}`) or a translation (`{"lang": "sw", "name": …}`)."""
    actor = writer()
    body = json_body()
    slug = _slug(namespace, name)
    with write_session() as session:
        if body.get("lang"):
            result = submit_translation(session, slug=slug, actor=actor, lang=str(body["lang"]),
                                        text={k: body.get(k) for k in ("name", "summary", "description")},
                                        base_revision=body.get("base_revision"))
            if not hasattr(result, "status"):  # published directly by a maintainer
                return jsonify({"published": True, "lang": result.lang}), 201
        else:
            changes = body.get("changes")
            if not isinstance(changes, dict):
                from ..errors import Invalid

                raise Invalid("Send the fields to change as `changes`: {…}.", details={"fields": {"changes": "required"}})
            result = propose_edit(session, slug=slug, actor=actor, changes=changes,
                                  base_revision=body.get("base_revision"), note=str(body.get("note") or ""))
        proposal_id = result.id
    return jsonify({"id": proposal_id, "status": "open"}), 201
