"""What the API's routes share: the JSON body, the writing actor, the session for writes."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import jsonify, request
from pydantic import BaseModel, ValidationError

from ..auth import current_actor
from ..errors import BadRequest, Forbidden, Invalid, Unauthorized
from ..inputs import load_json
from ..services import Actor
from .support import link_header


def json_body(*, optional: bool = False) -> dict[str, Any]:
    """Return the request's JSON object, or a 400 that says what is wrong with it.

    The body is read by the one loader, ``registry.inputs.load_json``: malformed, not UTF-8 or
    nested too deep is a 400 on every route. With ``optional`` a request without a body reads as
    ``{}`` (routes such as a join request or a decision take an optional message, and clients
    send them bare); a body that is there must still be a JSON object.
    """
    raw = request.get_data(cache=True)
    if not raw.strip() and optional:
        return {}
    if not raw.strip() or not request.is_json:
        raise BadRequest("Send a JSON object with Content-Type: application/json.", code="invalid_json")
    data = load_json(raw)
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.", code="invalid_json")
    return data


Shape = TypeVar("Shape", bound=BaseModel)


def _validated(shape: type[Shape], data: dict[str, Any]) -> Shape:
    try:
        return shape.model_validate(data, strict=True)
    except ValidationError as err:
        fields = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in err.errors()}
        raise Invalid("; ".join(f"{name}: {msg}" for name, msg in fields.items()), details={"fields": fields}) from None


def body_as(shape: type[Shape], *, optional: bool = False) -> Shape:
    """Return the JSON body validated by ``shape``; a field missing or of the wrong type is a 422 naming it."""
    return _validated(shape, json_body(optional=optional))


def changes_as(shape: type[BaseModel]) -> dict[str, Any]:
    """Return a patch body as sent, after ``shape`` has checked the type of every field it knows.

    The body is returned as a dict, not a model, because a patch is about which names were sent:
    an unknown name is left in for the service, which refuses it by name.
    """
    data = json_body()
    _validated(shape, {name: value for name, value in data.items() if name in shape.model_fields})
    return data


def writer() -> Actor:
    """Return the token's actor for a write: no token is a 401, a read-only token a 403.

    Writes through the API take a bearer token, never the browser's session cookie: the API
    has no CSRF tokens, so a cookie must not be enough to change anything.
    """
    actor = current_actor()
    if actor is None or actor.scope is None:
        raise Unauthorized("Writes need `Authorization: Bearer <token>` with a write-scoped token.")
    if actor.scope != "write":
        raise Forbidden("This token can only read; create a token with the write scope.")
    return actor


def reader() -> Actor:
    """Return the token's actor (any scope) for personal reads; anonymous is a 401."""
    actor = current_actor()
    if actor is None:
        raise Unauthorized("Send `Authorization: Bearer <token>`.")
    return actor


def list_page(items: list[dict], *, total: int, page: int, per_page: int, facets: dict | None = None):
    """Return the list envelope of the contract for items already in their JSON form."""
    resp = jsonify({"items": items, "total": total, "page": page, "per_page": per_page, "facets": facets or {}})
    resp.headers["Link"] = link_header(page=page, per_page=per_page, total=total)
    return resp


def query_lang() -> str | None:
    """Return the `?lang=` the reader asked for, or None."""
    return request.args.get("lang") or None
