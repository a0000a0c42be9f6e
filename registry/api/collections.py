"""API routes for communities and collections: open reads, curator writes with a bearer token."""
from __future__ import annotations

from flask import current_app, jsonify, request

from ..auth import current_actor
from ..config import harvest_options
from ..db import read_session, sessions, write_session
from ..errors import Invalid
from ..services.collection_sync import sync_list
from ..services.collection_translations import (
    collection_proposals,
    decide_collection_proposal,
    submit_collection_translation,
)
from ..services.collections import (
    add_item,
    create_collection,
    get_collection,
    list_collections,
    remove_item,
    reorder_items,
    update_collection,
    update_item,
)
from ..services.communities import (
    create_community,
    decide_join,
    get_community,
    leave_community,
    list_communities,
    request_join,
    set_member_role,
    update_community,
)
from . import bp
from .common import json_body, writer
from .support import link_header, page_args


def _page(items: list[dict], *, total: int, page: int, per_page: int, facets: dict | None = None):
    resp = jsonify({"items": items, "total": total, "page": page, "per_page": per_page, "facets": facets or {}})
    resp.headers["Link"] = link_header(page=page, per_page=per_page, total=total)
    return resp


def _lang() -> str | None:
    return request.args.get("lang") or None


def _collection(slug: str, status: int = 200, *, session=None):
    # After a write, answer from the writing session: the request's read session began before the
    # write and (on SQLite) still sees the database as it was then.
    view = get_collection(session or read_session(), slug=slug, actor=current_actor(), lang=_lang())
    return jsonify(view.as_json(with_items=True)), status


def _community(session, slug: str, status: int = 200):
    return jsonify(get_community(session, slug=slug, actor=current_actor()).as_json(detail=True)), status


# --- reads ---------------------------------------------------------------------------

@bp.get("/collections")
def collections():
    page, per_page = page_args()
    rows, total, facets = list_collections(read_session(), language=request.args.get("language") or None,
                                           community=request.args.get("community") or None,
                                           owner=request.args.get("owner") or None, lang=_lang(),
                                           page=page, per_page=per_page)
    return _page([c.as_json() for c in rows], total=total, page=page, per_page=per_page, facets=facets)


@bp.get("/collections/<slug>")
def collection(slug: str):
    return _collection(slug)


@bp.get("/communities")
def communities():
    page, per_page = page_args()
    rows, total = list_communities(read_session(), language=request.args.get("language") or None, page=page,
                                   per_page=per_page)
    return _page([c.as_json() for c in rows], total=total, page=page, per_page=per_page)


@bp.get("/communities/<slug>")
def community(slug: str):
    view = get_community(read_session(), slug=slug, actor=current_actor())
    return jsonify(view.as_json(detail=True))


# --- curators' writes ----------------------------------------------------------------

def _text(body: dict, name: str, default: str = "") -> str:
    value = body.get(name, default)
    if value is not None and not isinstance(value, str):
        raise Invalid(f"{name}: text expected", details={"fields": {name: "text expected"}})
    return value or default


@bp.post("/collections")
def new_collection():
    actor, body = writer(), json_body()
    with write_session() as s:
        made = create_collection(s, actor=actor, title=_text(body, "title"), slug=body.get("slug") or None,
                                 description=_text(body, "description"), language=body.get("language"),
                                 community=body.get("community") or None,
                                 visibility=body.get("visibility") or "public", region=body.get("region"))
        s.flush()
        return _collection(made.slug, 201, session=s)


@bp.patch("/collections/<slug>")
def patch_collection(slug: str):
    actor, body = writer(), json_body()
    with write_session() as s:
        update_collection(s, slug=slug, actor=actor, changes=body)
        s.flush()
        return _collection(slug, session=s)


@bp.post("/collections/<slug>/items")
def new_item(slug: str):
    actor, body = writer(), json_body()
    with write_session() as s:
        add_item(s, slug=slug, actor=actor, entry=_text(body, "entry"), note=_text(body, "note"),
                 group=body.get("group"))
        s.flush()
        return _collection(slug, 201, session=s)


@bp.patch("/collections/<slug>/items/<int:item_id>")
def patch_item(slug: str, item_id: int):
    actor, body = writer(), json_body()
    with write_session() as s:
        update_item(s, slug=slug, actor=actor, item_id=item_id, changes=body)
        s.flush()
        return _collection(slug, session=s)


@bp.delete("/collections/<slug>/items/<int:item_id>")
def delete_item(slug: str, item_id: int):
    actor = writer()
    with write_session() as s:
        remove_item(s, slug=slug, actor=actor, item_id=item_id)
    return "", 204


@bp.put("/collections/<slug>/order")
def order_items(slug: str):
    """Reorder: `{"items": [id, …]}` naming every item once."""
    actor, body = writer(), json_body()
    with write_session() as s:
        reorder_items(s, slug=slug, actor=actor, order=body.get("items"))
        s.flush()
        return _collection(slug, session=s)


@bp.post("/collections/<slug>/sync")
def sync_collection(slug: str):
    """Import or re-sync the collection from an awesome-list: `{"source": "https://github.com/…"}`."""
    actor, body = writer(), json_body()
    result = sync_list(sessions(), source=_text(body, "source"), actor=actor, collection=slug,
                       options=harvest_options(current_app.config, operator=False))
    answer = {"outcome": result.outcome.value, "collection": result.collection, "added": result.added,
              "removed": result.removed, "updated": result.updated, "pending": result.pending,
              "warnings": result.warnings, "error": result.error}
    return jsonify(answer), 422 if result.error else 200


@bp.post("/collections/<slug>/translations")
def translate_collection(slug: str):
    """Curators publish a translation at once; everyone else's waits for a curator as a proposal."""
    actor, body = writer(), json_body()
    with write_session() as s:
        result = submit_collection_translation(s, slug=slug, actor=actor, lang=_text(body, "lang"),
                                               text={"title": body.get("title"), "description": body.get("description")})
        if getattr(result, "status", None):
            return jsonify({"status": "open", "id": result.id, "lang": result.lang}), 201
        return jsonify({"status": "published", "lang": result.lang}), 201


@bp.get("/collections/<slug>/proposals")
def list_collection_proposals(slug: str):
    rows = collection_proposals(read_session(), slug=slug, actor=current_actor(),
                                status=request.args.get("status") or "open")
    return _page([p.as_json() for p in rows], total=len(rows), page=1, per_page=max(1, len(rows)))


@bp.post("/collections/<slug>/proposals/<int:proposal_id>/<any(accept, reject):action>")
def decide_collection(slug: str, proposal_id: int, action: str):
    actor = writer()
    body = request.get_json(silent=True) or {}
    with write_session() as s:
        decide_collection_proposal(s, slug=slug, proposal_id=proposal_id, actor=actor, accept=action == "accept",
                                   note=str(body.get("note") or "") if isinstance(body, dict) else "")
        s.flush()
        return _collection(slug, session=s)


@bp.post("/communities")
def new_community():
    actor, body = writer(), json_body()
    with write_session() as s:
        made = create_community(s, actor=actor, name=_text(body, "name"), slug=body.get("slug") or None,
                                description=_text(body, "description"), region=_text(body, "region"),
                                languages=body.get("languages") or [], language=body.get("language"))
        s.flush()
        return _community(s, made.slug, 201)


@bp.patch("/communities/<slug>")
def patch_community(slug: str):
    actor, body = writer(), json_body()
    with write_session() as s:
        update_community(s, slug=slug, actor=actor, changes=body)
        s.flush()
        return _community(s, slug)


@bp.post("/communities/<slug>/join")
def join_community(slug: str):
    actor = writer()
    body = request.get_json(silent=True) or {}
    with write_session() as s:
        request_join(s, slug=slug, actor=actor, message=str(body.get("message") or "") if isinstance(body, dict) else "")
    return jsonify({"status": "pending"}), 202


@bp.delete("/communities/<slug>/members/me")
def leave(slug: str):
    actor = writer()
    with write_session() as s:
        leave_community(s, slug=slug, actor=actor)
    return "", 204


@bp.post("/communities/<slug>/members/<name>")
def decide_member(slug: str, name: str):
    """Approve or decline a join request (`{"accept": true}`), or set a role (`{"role": "curator"}`)."""
    actor, body = writer(), json_body()
    with write_session() as s:
        if "role" in body:
            set_member_role(s, slug=slug, actor=actor, user_name=name, role=str(body["role"]))
        elif isinstance(body.get("accept"), bool):
            decide_join(s, slug=slug, actor=actor, user_name=name, accept=body["accept"])
        else:
            raise Invalid("Send {\"accept\": true|false} or {\"role\": \"member|curator|admin\"}.",
                          details={"fields": {"accept": "a boolean", "role": "member, curator or admin"}})
        s.flush()
        return _community(s, slug)
