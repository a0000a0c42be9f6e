"""The OpenAPI 3.1 document of /api/v1, built from the same pydantic shapes the routes return.

Schemas are never written by hand: every request and response body names a model from
registry/schemas/ and pydantic writes its JSON Schema. Each route declares which shapes it
takes and answers next to itself (``@documented`` in spec.py); the document walks the app's
url_map and takes every API route's path and method from there, so a route without a
declaration is an error, not a gap in the document.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template, url_for
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .. import schemas as m  # m: the API's message shapes
from ..models import ENTRY_KINDS
from . import bp
from .spec import DECLARED, JSON, Op, documented

PREFIX = "/api/v1"


_RATE_HEADERS = {
    name: {"schema": {"type": "integer"}, "description": text}
    for name, text in (
        ("RateLimit-Limit", "Writes allowed in the window."),
        ("RateLimit-Remaining", "Writes left in the window."),
        ("RateLimit-Reset", "Seconds until the window resets."),
    )
}


def _ref(model: type) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _responses(op: Op, method: str) -> dict:
    ok: dict[str, Any] = {"description": op.summary}
    if isinstance(op.response, type):
        ok["content"] = {JSON: {"schema": _ref(op.response)}}
    elif isinstance(op.response, dict):
        ok["content"] = {media: {"schema": schema} for media, schema in op.response.items()}
    if (
        method == "get"
        and isinstance(op.response, type)
        and issubclass(op.response, BaseModel)
        and "items" in op.response.model_fields
    ):
        ok["headers"] = {"Link": {"schema": {"type": "string"}, "description": "first, prev, next and last pages"}}
    if method != "get":
        ok["headers"] = dict(_RATE_HEADERS)
    error = {
        "description": 'An error: `{"error": {"code", "message", "details"}}`',
        "content": {JSON: {"schema": _ref(m.ErrorEnvelope)}},
    }
    if op.links:
        ok["links"] = {
            target[0].upper() + target[1:]: {"operationId": target, "parameters": dict(parameters)}
            for target, parameters in op.links.items()
        }
    answers = {str(op.ok): ok}
    if op.queued:
        queued = {**ok, "description": "Queued for a harvest worker (when Redis is configured)"}
        if isinstance(op.queued, type):
            queued["content"] = {JSON: {"schema": _ref(op.queued)}}
        queued["headers"] = {
            **ok.get("headers", {}),
            "Location": {"schema": {"type": "string"}, "description": "The job's URL (`GET /jobs/{job_id}`)"},
        }
        answers["202"] = queued
    if method == "get":
        answers["304"] = {"description": "Not modified: the `ETag` sent in `If-None-Match` still holds"}
    # A bearer token that is sent but not valid is refused on every route, reads included.
    statuses = {*op.errors, 401}
    if op.params or op.body is not None:
        # The request boundary (registry/inputs.py) refuses NUL or a lone surrogate in any
        # parameter, and malformed JSON in any body, before the route runs.
        statuses.add(400)
    if op.body is not None:
        statuses.add(413)  # a body over MAX_CONTENT_LENGTH
    for status in sorted(statuses):
        answers[str(status)] = error
    # Any operation may meet a database that cannot be used (full or read-only disk, a server
    # that is down, a writer lock that stayed busy): nothing is changed and the code is "unavailable".
    answers["503"] = {**error, "description": "The database cannot be used now (`unavailable`); nothing was changed"}
    answers["default"] = error
    return answers


def _operation(op: Op, method: str) -> dict:
    data: dict[str, Any] = {
        "operationId": op.id,
        "summary": op.summary,
        "tags": [op.tag],
        "responses": _responses(op, method),
    }
    if op.description:
        data["description"] = op.description
    if op.params:
        data["parameters"] = op.params
    if op.body is not None:
        schema = _ref(op.body) if isinstance(op.body, type) else op.body
        data["requestBody"] = {"required": not op.body_optional, "content": {JSON: {"schema": schema}}}
    data["security"] = [{"bearerAuth": []}] if op.auth else [{}, {"bearerAuth": []}]
    return data


def api_operations(app: Flask) -> tuple[tuple[str, str, str], ...]:
    """Return (OpenAPI path, method, endpoint) of every route of the API blueprint, in the url_map's order."""
    routes: list[tuple[str, str, str]] = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.unknown":
            if rule.endpoint not in DECLARED:
                raise LookupError(
                    f"The API route {rule.rule} ({rule.endpoint}) declares no operation: "
                    "add @documented(…) below its route decorator."
                )
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix(PREFIX))
            verbs = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            routes.extend((path, verb.lower(), rule.endpoint) for verb in verbs)
    return tuple(routes)


def _models(ops: list[Op]) -> list[type]:
    return sorted(
        {o.response for o in ops if isinstance(o.response, type)}
        | {o.queued for o in ops if isinstance(o.queued, type)}
        | {o.body for o in ops if isinstance(o.body, type)}
        | {m.ErrorEnvelope},
        key=lambda cls: cls.__name__,
    )


@lru_cache(maxsize=8)
def _document(server: str, routes: tuple[tuple[str, str, str], ...]) -> dict:
    ops = [DECLARED[endpoint] for _, _, endpoint in routes]
    _, top = models_json_schema(
        [(model, "serialization") for model in _models(ops)], ref_template="#/components/schemas/{model}"
    )
    schemas = top.get("$defs", {})
    # Request bodies are validated, not serialized: use the validation form for those.
    for model in {o.body for o in ops if isinstance(o.body, type) and issubclass(o.body, BaseModel)}:
        schemas[model.__name__] = model.model_json_schema(
            ref_template="#/components/schemas/{model}", mode="validation"
        )
        schemas.update(schemas[model.__name__].pop("$defs", {}))
    paths: dict[str, dict] = {}
    for path, method, endpoint in routes:
        paths.setdefault(path, {})[method] = _operation(DECLARED[endpoint], method)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "AI Commons Registry API",
            "version": "1",
            "description": "An open registry of AI models, datasets and projects in every language. "
            "Reads are open; writes need `Authorization: Bearer <token>` "
            f"(make one on your account page). Entry kinds: {', '.join(ENTRY_KINDS)}.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }


def openapi_document(app: Flask, server: str = PREFIX) -> dict:
    """Return the OpenAPI 3.1 document of ``app``'s API, with ``server`` as the base of every path."""
    return _document(server, api_operations(app))


@bp.get("/openapi.json")
@documented("openapi", "This document", "formats", response={JSON: {"type": "object"}})
def openapi_json():
    return jsonify(openapi_document(current_app, url_for("api.openapi_json").removesuffix("/openapi.json")))


#: The human-readable page of the document lives outside /api/v1, so it has a blueprint of its own.
docs_bp = Blueprint("api_docs", __name__)


@docs_bp.get("/api/docs")
def show():
    doc = openapi_document(current_app, url_for("api.openapi_json", _external=True).removesuffix("/openapi.json"))
    groups: dict[str, list] = {}
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            groups.setdefault(op["tags"][0], []).append((method.upper(), path, op))
    return render_template(
        "api_docs.html",
        doc=doc,
        groups=groups,
        openapi_url=url_for("api.openapi_json", _external=True),
        base=doc["servers"][0]["url"],
    )
