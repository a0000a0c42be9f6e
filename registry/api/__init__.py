"""The JSON API under /api/v1: parse the request, call the same services as the pages, return JSON.

One module per resource registers its routes on the one blueprint: entries, jobs, sources,
collections, communities, people, proposals, feeds (citation, JSON-LD, Croissant, the dump),
hooks, and the OpenAPI document.
"""

from __future__ import annotations

from flask import Blueprint, request

from ..auth import authenticate_bearer
from ..errors import NotFound
from .support import apply_conventions

bp = Blueprint("api", __name__)
bp.before_request(authenticate_bearer)

# The modules register their routes on bp, so they are imported after it exists; their order is
# the order of the OpenAPI document and of /api/docs.
from . import entries, feeds, openapi, sources, discoveries, jobs, hooks, people, proposals, collections, communities  # noqa: E402,F401,I001

apply_conventions(bp)


@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_rest: str):
    raise NotFound(f"There is no API route {request.path!r}.")


unknown.answers_not_found = True  # type: ignore[attr-defined]  # (left out of a 405's Allow: registry/errors.py)


def init_app(app) -> None:
    """Register the JSON API under /api/v1 (token-authenticated: no CSRF) and its page, /api/docs."""
    from ..extensions import csrf
    from .openapi import docs_bp

    app.register_blueprint(bp, url_prefix="/api/v1")
    app.register_blueprint(docs_bp)
    csrf.exempt(bp)
