"""API routes about discoveries: list them, their runs and what they found; add one; review an inbox item."""

from __future__ import annotations

from flask import current_app, jsonify, request

from .. import schemas as m
from ..config import lister_settings
from ..db import read_session, write_session
from ..errors import BadRequest
from ..schemas import DiscoveryCreate, FoundItemReview
from ..services.discoveries import (
    add_discovery,
    get_discovery,
    list_discoveries,
    list_discovery_runs,
    list_found_items,
    review_found_item,
)
from . import bp
from .common import body_as, writer
from .spec import ID, MADE_ID, PAGE, WRITE, documented, links, path, query
from .support import page_args, paginated

DISCOVERY = [path("discovery_id", ID)]
ITEM = [path("item_id", ID)]
REVIEW = query(
    "review", {"type": "string", "enum": ["inbox", "accepted", "dismissed"]}, "Only the items in this state."
)


@bp.get("/discoveries")
@documented(
    "listDiscoveries",
    "Discoveries: listers pointed at forges, hubs and catalogues",
    "discoveries",
    response=m.DiscoveryList,
    params=PAGE,
    errors=(400,),
)
def discoveries():
    page, per_page = page_args()
    items, total = list_discoveries(read_session(), page=page, per_page=per_page)
    return paginated(items, total=total, page=page, per_page=per_page)


@bp.post("/discoveries")
@documented(
    "addDiscovery",
    "Add a discovery (admins and moderators; a collection's curators for its inbox)",
    "discoveries",
    ok=201,
    response=m.DiscoveryPublic,
    body=m.DiscoveryCreate,
    auth=True,
    errors=(*WRITE, 409),
    links=links("getDiscovery", "listDiscoveryRuns", "listDiscoveryItems", discovery_id=MADE_ID),
)
def new_discovery():
    actor, body = writer(), body_as(DiscoveryCreate)
    with write_session() as s:
        made = add_discovery(
            s,
            kind=body.kind,
            target=body.target,
            set_spec=body.set,
            collection=body.collection,
            schedule_hours=body.schedule_hours,
            actor=actor,
            settings=lister_settings(current_app.config),
        )
    return jsonify(made.model_dump(mode="json")), 201


@bp.get("/discoveries/<int:discovery_id>")
@documented(
    "getDiscovery",
    "One discovery with its latest run",
    "discoveries",
    response=m.DiscoveryPublic,
    params=DISCOVERY,
    errors=(404,),
)
def discovery(discovery_id: int):
    return jsonify(get_discovery(read_session(), discovery_id=discovery_id).model_dump(mode="json"))


@bp.get("/discoveries/<int:discovery_id>/runs")
@documented(
    "listDiscoveryRuns",
    "A discovery's runs, newest first",
    "discoveries",
    response=m.DiscoveryRunList,
    params=[*DISCOVERY, *PAGE],
    errors=(400, 404),
)
def discovery_runs(discovery_id: int):
    page, per_page = page_args()
    items, total = list_discovery_runs(read_session(), discovery_id=discovery_id, page=page, per_page=per_page)
    return paginated(items, total=total, page=page, per_page=per_page)


@bp.get("/discoveries/<int:discovery_id>/items")
@documented(
    "listDiscoveryItems",
    "What a discovery found, with the lister's evidence",
    "discoveries",
    response=m.FoundItemList,
    params=[*DISCOVERY, *PAGE, REVIEW],
    errors=(400, 404),
)
def discovery_items(discovery_id: int):
    page, per_page = page_args()
    review = request.args.get("review") or None
    if review not in (None, "inbox", "accepted", "dismissed"):
        raise BadRequest("`review` is inbox, accepted or dismissed.", code="invalid_parameter")
    items, total = list_found_items(
        read_session(), discovery_id=discovery_id, page=page, per_page=per_page, review=review
    )
    return paginated(items, total=total, page=page, per_page=per_page)


@bp.post("/discoveries/<int:discovery_id>/items/<int:item_id>/review")
@documented(
    "reviewDiscoveryItem",
    "Accept an inbox item into the discovery's collection, or dismiss it (its curators)",
    "discoveries",
    response=m.FoundItemPublic,
    body=m.FoundItemReview,
    params=[*DISCOVERY, *ITEM],
    auth=True,
    errors=(*WRITE, 409),
)
def review_discovery_item(discovery_id: int, item_id: int):
    actor, body = writer(), body_as(FoundItemReview)
    with write_session() as s:
        item = review_found_item(s, discovery_id=discovery_id, item_id=item_id, decision=body.decision, actor=actor)
    return jsonify(item.model_dump(mode="json"))
