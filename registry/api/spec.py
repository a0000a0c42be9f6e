"""Each API route declares its OpenAPI operation next to itself, with ``@documented(…)``.

The declaration names the shapes the route takes and answers (models from registry/schemas/)
and its parameters; registry/api/openapi.py builds the document from these declarations and
the app's url_map, so a route without a declaration cannot be served in a document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..services.listing import MAX_PER_PAGE

JSON = "application/json"
LD = "application/ld+json"
NDJSON = "application/x-ndjson"
TEXT = {"type": "string"}
ID = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
WRITE = (400, 401, 403, 404, 422, 429)


@dataclass
class Op:
    """One operation of the document; its path and method come from the route it is declared on."""

    id: str
    summary: str
    tag: str
    ok: int = 200
    response: Any = None  # a model, or a {media type: schema} mapping for non-JSON answers
    body: Any = None
    #: A body the client may leave out (an optional note or message).
    body_optional: bool = False
    params: list[dict] = field(default_factory=list)
    auth: bool = False  # a bearer token is required
    errors: tuple[int, ...] = ()
    description: str = ""
    # Answers 202 when a worker will do the job (Redis configured): True with the same shape,
    # or the model it answers with then; a Location header gives the job's URL.
    queued: Any = False
    #: OpenAPI links from the successful answer: the operations that act on what it made, by
    #: operationId, with where each of their parameters comes from (a runtime expression such as
    #: ``$response.body#/slug``). Only links that hold: the target finds what the answer names.
    links: dict[str, dict[str, str]] = field(default_factory=dict)


#: Every declared operation, by the endpoint of its route ("api.entries").
DECLARED: dict[str, Op] = {}

View = TypeVar("View", bound=Callable[..., Any])


def documented(id: str, summary: str, tag: str, **details: Any) -> Callable[[View], View]:
    """Declare the decorated API route's operation (put it below the route decorator)."""

    def declare(view: View) -> View:
        DECLARED[f"api.{view.__name__}"] = Op(id, summary, tag, **details)
        return view

    return declare


def query(name: str, schema: dict, description: str = "", *, array: bool = False) -> dict:
    """Return an optional query parameter; ``array`` for one that may be repeated."""
    if array:
        schema = {"type": "array", "items": schema}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **({"style": "form", "explode": True} if array else {}),
    }


def path(name: str, schema: dict | None = None) -> dict:
    """Return a path parameter (text unless ``schema`` says otherwise)."""
    return {"name": name, "in": "path", "required": True, "schema": schema or {"type": "string"}}


PAGE = [
    query("page", {"type": "integer", "minimum": 1, "maximum": 100_000}, "Page number, from 1."),
    query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}, "Items per page (at most 100)."),
]
LANG = query(
    "lang", {"type": "string"}, "Show name, summary and description in this language (BCP-47) when translated."
)
ENTRY = [path("namespace"), path("name")]


def links(*targets: str, **parameters: str) -> dict[str, dict[str, str]]:
    """Return ``Op.links`` to each of ``targets`` (operationIds), all taking the same ``parameters``."""
    return {target: dict(parameters) for target in targets}


#: Where the slug of what an answer made, or of the address it was sent to, is found.
MADE_SLUG = "$response.body#/slug"
PATH_SLUG = "$request.path.slug"
MADE_ID = "$response.body#/id"
SOURCE = [path("source_id", ID)]
SLUG = [path("slug")]
