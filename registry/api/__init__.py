"""The JSON API under /api/v1: parse the request, call the same services as the pages, return JSON."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ..auth import authenticate_bearer, current_actor
from ..db import read_session
from ..services.catalog import localize_summaries
from ..services.entries import get_entry, list_entries, parse_entry_query
from .support import apply_conventions, paginated

bp = Blueprint("api", __name__)


bp.before_request(authenticate_bearer)


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


from . import collections, formats, hooks, manage, openapi, people, sources, writes  # noqa: E402,F401  (register their routes on bp)  # noqa: E402,F401  (issue 7)

apply_conventions(bp)


@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_rest: str):
    from ..errors import NotFound

    raise NotFound(f"There is no API route {request.path!r}.")


def init_app(app) -> None:
    """Register the JSON API under /api/v1 (token-authenticated: no CSRF)."""
    from ..extensions import csrf
    from .openapi import docs_bp

    app.register_blueprint(bp, url_prefix="/api/v1")
    app.register_blueprint(docs_bp)  # /api/docs: the document, read by people
    csrf.exempt(bp)
