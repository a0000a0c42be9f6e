"""The JSON API under /api/v1: parse the request, call the same services as the pages, return JSON."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ..db import read_session
from ..services.entries import get_entry, list_entries, parse_entry_query
from ..views.common import current_actor

bp = Blueprint("api", __name__)


@bp.get("/entries")
def entries():
    query = parse_entry_query(request.args, default_per_page=current_app.config["PER_PAGE"])
    page = list_entries(read_session(), query=query)
    return jsonify({"items": [item.model_dump(mode="json") for item in page.items], "total": page.total,
                    "page": page.page, "per_page": page.per_page, "facets": page.facets})


@bp.get("/entries/<namespace>/<name>")
def entry(namespace: str, name: str):
    public = get_entry(read_session(), slug=f"{namespace}/{name}", actor=current_actor(),
                       lang=request.args.get("lang") or None)
    return jsonify(public.model_dump(mode="json"))


@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_rest: str):
    from ..errors import NotFound

    raise NotFound(f"There is no API route {request.path!r}.")
