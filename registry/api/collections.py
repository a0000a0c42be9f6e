"""API routes for collections: open reads, curators' writes with a bearer token."""

from __future__ import annotations

from flask import current_app, jsonify, request

from .. import schemas as m
from ..auth import current_actor
from ..config import harvest_options
from ..db import read_session, sessions, write_session
from ..errors import Invalid
from ..schemas import (
    CollectionCreate,
    CollectionItemCreate,
    CollectionItemPatch,
    CollectionOrder,
    CollectionPatch,
    CollectionSyncRequest,
    CollectionTranslationCreate,
    ProposalDecision,
)
from ..services.collection_items import add_item, remove_item, reorder_items, update_item
from ..services.collection_translations import (
    collection_proposals,
    decide_collection_proposal,
    submit_collection_translation,
)
from ..services.collections import create_collection, get_collection, list_collections, update_collection
from ..services.sources import sync_list
from . import bp
from .common import body_as, changes_as, list_page, query_lang, writer
from .spec import ID, LANG, MADE_ID, MADE_SLUG, PAGE, PATH_SLUG, SLUG, WRITE, documented, links, path, query
from .support import page_args

ITEM = [*SLUG, path("item_id", {"type": "integer"})]


def _collection(slug: str, status: int = 200, *, session=None):
    # After a write, answer from the writing session: the request's read session began before the
    # write and (on SQLite) still sees the database as it was then.
    view = get_collection(session or read_session(), slug=slug, actor=current_actor(), lang=query_lang())
    return jsonify(view.model_dump(mode="json")), status


@bp.get("/collections")
@documented(
    "listCollections",
    "Curated collections",
    "collections",
    response=m.CollectionList,
    params=[
        query("language", {"type": "string"}),
        query("community", {"type": "string"}),
        query("owner", {"type": "string"}),
        LANG,
        *PAGE,
    ],
    errors=(400,),
)
def collections():
    page, per_page = page_args()
    rows, total, facets = list_collections(
        read_session(),
        language=request.args.get("language") or None,
        community=request.args.get("community") or None,
        owner=request.args.get("owner") or None,
        lang=query_lang(),
        page=page,
        per_page=per_page,
    )
    return list_page(
        [c.model_dump(mode="json") for c in rows], total=total, page=page, per_page=per_page, facets=facets
    )


@bp.get("/collections/<slug>")
@documented(
    "getCollection",
    "One collection with its items",
    "collections",
    response=m.CollectionDetail,
    params=[*SLUG, LANG],
    errors=(404,),
)
def collection(slug: str):
    return _collection(slug)


@bp.post("/collections")
@documented(
    "createCollection",
    "Make a collection",
    "collections",
    ok=201,
    response=m.CollectionDetail,
    body=m.CollectionCreate,
    auth=True,
    errors=(*WRITE, 409),
    links=links(
        "getCollection",
        "editCollection",
        "addCollectionItem",
        "orderCollection",
        "translateCollection",
        "listCollectionProposals",
        slug=MADE_SLUG,
    ),
)
def new_collection():
    actor, body = writer(), body_as(CollectionCreate)
    with write_session() as s:
        made = create_collection(
            s,
            actor=actor,
            title=body.title,
            slug=body.slug or None,
            description=body.description or "",
            language=body.language,
            community=body.community or None,
            visibility=body.visibility or "public",
            region=body.region,
        )
        s.flush()
        return _collection(made.slug, 201, session=s)


@bp.patch("/collections/<slug>")
@documented(
    "editCollection",
    "Edit a collection (curators)",
    "collections",
    response=m.CollectionDetail,
    body=m.CollectionPatch,
    params=SLUG,
    auth=True,
    errors=WRITE,
)
def patch_collection(slug: str):
    actor, body = writer(), changes_as(CollectionPatch)
    with write_session() as s:
        update_collection(s, slug=slug, actor=actor, changes=body)
        s.flush()
        return _collection(slug, session=s)


@bp.post("/collections/<slug>/items")
@documented(
    "addCollectionItem",
    "Add an entry to a collection",
    "collections",
    ok=201,
    response=m.CollectionDetail,
    body=m.CollectionItemCreate,
    params=SLUG,
    auth=True,
    errors=(*WRITE, 409),
    links=links("getCollection", "orderCollection", slug=PATH_SLUG),
)
def new_item(slug: str):
    actor, body = writer(), body_as(CollectionItemCreate)
    with write_session() as s:
        add_item(s, slug=slug, actor=actor, entry=body.entry, note=body.note or "", group=body.group)
        s.flush()
        return _collection(slug, 201, session=s)


@bp.patch("/collections/<slug>/items/<int:item_id>")
@documented(
    "editCollectionItem",
    "Edit an item's note or group",
    "collections",
    response=m.CollectionDetail,
    body=m.CollectionItemPatch,
    params=ITEM,
    auth=True,
    errors=WRITE,
)
def patch_item(slug: str, item_id: int):
    actor, body = writer(), changes_as(CollectionItemPatch)
    with write_session() as s:
        update_item(s, slug=slug, actor=actor, item_id=item_id, changes=body)
        s.flush()
        return _collection(slug, session=s)


@bp.delete("/collections/<slug>/items/<int:item_id>")
@documented("removeCollectionItem", "Remove an item", "collections", ok=204, params=ITEM, auth=True, errors=WRITE)
def delete_item(slug: str, item_id: int):
    actor = writer()
    with write_session() as s:
        remove_item(s, slug=slug, actor=actor, item_id=item_id)
    return "", 204


@bp.put("/collections/<slug>/order")
@documented(
    "orderCollection",
    'Reorder items: `{"items": [id, …]}`',
    "collections",
    response=m.CollectionDetail,
    body=m.CollectionOrder,
    params=SLUG,
    auth=True,
    errors=WRITE,
)
def order_items(slug: str):
    """Reorder: `{"items": [id, …]}` naming every item once."""
    actor, body = writer(), body_as(CollectionOrder)
    with write_session() as s:
        reorder_items(s, slug=slug, actor=actor, order=body.items)
        s.flush()
        return _collection(slug, session=s)


@bp.post("/collections/<slug>/sync")
@documented(
    "syncCollection",
    "Import or re-sync from an awesome-list",
    "collections",
    response=m.CollectionSyncResult,
    body=m.CollectionSyncRequest,
    params=SLUG,
    auth=True,
    errors=WRITE,
)
def sync_collection(slug: str):
    """Import or re-sync the collection from an awesome-list: `{"source": "https://github.com/…"}`."""
    actor, body = writer(), body_as(CollectionSyncRequest)
    result = sync_list(
        sessions(),
        source=body.source,
        actor=actor,
        collection=slug,
        options=harvest_options(current_app.config, operator=False),
    )
    if result.error:
        # A failed sync is an error like any other: the envelope, naming the field.
        raise Invalid(result.error, code="harvest_failed", details={"fields": {"source": result.error}})
    answer = {
        "outcome": result.outcome.value,
        "collection": result.collection,
        "added": result.added,
        "removed": result.removed,
        "updated": result.updated,
        "pending": result.pending,
        "warnings": result.warnings,
        "error": result.error,
    }
    return jsonify(answer)


@bp.post("/collections/<slug>/translations")
@documented(
    "translateCollection",
    "Translate a collection",
    "collections",
    ok=201,
    response=m.CollectionTranslationCreated,
    body=m.CollectionTranslationCreate,
    params=SLUG,
    auth=True,
    errors=(*WRITE, 409),
    # A translation that waits for a curator (status "open") is a proposal with an id.
    links={
        **links("getCollection", "listCollectionProposals", slug=PATH_SLUG),
        **links("decideCollectionProposal", slug=PATH_SLUG, proposal_id=MADE_ID),
    },
)
def translate_collection(slug: str):
    """Curators publish a translation at once; everyone else's waits for a curator as a proposal."""
    actor, body = writer(), body_as(CollectionTranslationCreate)
    with write_session() as s:
        result = submit_collection_translation(
            s, slug=slug, actor=actor, lang=body.lang, text={"title": body.title, "description": body.description}
        )
        if getattr(result, "status", None):
            return jsonify({"status": "open", "id": result.id, "lang": result.lang}), 201
        return jsonify({"status": "published", "lang": result.lang}), 201


@bp.get("/collections/<slug>/proposals")
@documented(
    "listCollectionProposals",
    "A collection's translation proposals",
    "collections",
    response=m.CollectionProposalList,
    params=[*SLUG, query("status", {"type": "string"})],
    errors=(401, 403, 404),
)
def list_collection_proposals(slug: str):
    rows = collection_proposals(
        read_session(), slug=slug, actor=current_actor(), status=request.args.get("status") or "open"
    )
    return list_page([p.model_dump(mode="json") for p in rows], total=len(rows), page=1, per_page=max(1, len(rows)))


@bp.post("/collections/<slug>/proposals/<int:proposal_id>/<any(accept, reject):action>")
@documented(
    "decideCollectionProposal",
    "Accept or reject a collection translation",
    "collections",
    response=m.CollectionDetail,
    body=m.ProposalDecision,
    body_optional=True,
    params=[*SLUG, path("proposal_id", ID), path("action", {"type": "string", "enum": ["accept", "reject"]})],
    auth=True,
    errors=(*WRITE, 409),
)
def decide_collection(slug: str, proposal_id: int, action: str):
    actor, body = writer(), body_as(ProposalDecision, optional=True)
    with write_session() as s:
        decide_collection_proposal(
            s, slug=slug, proposal_id=proposal_id, actor=actor, accept=action == "accept", note=body.note or ""
        )
        s.flush()
        return _collection(slug, session=s)
