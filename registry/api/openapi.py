"""The OpenAPI 3.1 document of /api/v1, built from the same pydantic shapes the routes return.

Schemas are never written by hand: every request and response body names a model from
registry/schemas/ and pydantic writes its JSON Schema. What is listed here by hand is only
which route takes and answers which shape; a test checks that every API route of the
blueprint is described and that every response of the test suite matches its description.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template, url_for
from pydantic.json_schema import models_json_schema

from .. import schemas as m  # m: the API's message shapes
from ..models import ENTRY_KINDS, FACETS
from ..services.entries import MAX_PER_PAGE, SORTS
from ..services.openformats import CITATION_FORMATS
from . import bp

PREFIX = "/api/v1"
JSON = "application/json"
LD = "application/ld+json"
NDJSON = "application/x-ndjson"


@dataclass
class Op:
    method: str
    path: str
    id: str
    summary: str
    tag: str
    ok: int = 200
    response: Any = None  # a model, or a {media type: schema} mapping for non-JSON answers
    body: Any = None
    params: list[dict] = field(default_factory=list)
    auth: bool = False  # a bearer token is required
    errors: tuple[int, ...] = ()
    description: str = ""
    # Answers 202 when a worker will do the job (Redis configured): True with the same shape,
    # or the model it answers with then; a Location header gives the job's URL.
    queued: Any = False


def _q(name: str, schema: dict, description: str = "", *, array: bool = False) -> dict:
    if array:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description,
            **({"style": "form", "explode": True} if array else {})}


def _p(name: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema or {"type": "string"}}


PAGE = [_q("page", {"type": "integer", "minimum": 1, "maximum": 100_000}, "Page number, from 1."),
        _q("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}, "Items per page (at most 100).")]
LANG = _q("lang", {"type": "string"}, "Show name, summary and description in this language (BCP-47) when translated.")
ENTRY = [_p("namespace"), _p("name")]
ID = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
SOURCE = [_p("source_id", ID)]
WRITE = (400, 401, 403, 404, 422, 429)
TEXT = {"type": "string"}

OPERATIONS = [
    Op("get", "/entries", "listEntries", "Search and browse entries", "entries", response=m.EntryList,
       params=[_q("q", {"type": "string"}, "Words to search for, in any script."),
               *[_q(f, {"type": "string"}, "Repeat to match any of several values.", array=True) for f in FACETS],
               _q("sort", {"type": "string", "enum": list(SORTS)}), LANG, *PAGE], errors=(400,),
       description="Facet filters are OR within a facet and AND across facets; facet counts cover the whole match."),
    Op("post", "/entries", "registerEntry", "Register a repository by its URL (harvested now, or queued)", "entries",
       ok=201, response=m.EntryPublic, body=m.EntryRegister, auth=True, errors=(*WRITE, 409), queued=m.JobPublic,
       description="Without a queue the source is harvested at once and the new entry is the answer (201). "
                   "When harvests are queued (Redis) the answer is 202 with the job; follow it at "
                   "`GET /jobs/{job_id}` (also in the Location header) until it is `done`, then read the entry "
                   "at its `entry_url`."),
    Op("get", "/entries/{namespace}/{name}", "getEntry", "One entry", "entries", response=m.EntryPublic,
       params=[*ENTRY, LANG], errors=(404,)),
    Op("patch", "/entries/{namespace}/{name}", "editEntry", "Edit an entry (maintainers and moderators)", "entries",
       response=m.EntryPublic, body=m.EntryPatch, params=ENTRY, auth=True, errors=(*WRITE, 409, 428),
       description="Send `base_revision`: missing is a 428, stale a 409 with the current entry in error.details.current."),
    Op("get", "/entries/{namespace}/{name}/revisions", "listRevisions", "An entry's history, newest first",
       "history", response=m.RevisionList, params=ENTRY, errors=(404,)),
    Op("post", "/entries/{namespace}/{name}/revert", "revertEntry", "Bring back an earlier revision", "history",
       response=m.EntryPublic, body=m.RevertRequest, params=ENTRY, auth=True, errors=(*WRITE, 409, 428)),
    Op("post", "/entries/{namespace}/{name}/hide", "hideEntry", "Hide an entry, with a reason (moderators)",
       "history", response=m.EntryPublic, body=m.HideRequest, params=ENTRY, auth=True, errors=WRITE),
    Op("post", "/entries/{namespace}/{name}/restore", "restoreEntry", "Show a hidden entry again (moderators)",
       "history", response=m.EntryPublic, body=m.HideRequest, params=ENTRY, auth=True, errors=WRITE),
    Op("get", "/entries/{namespace}/{name}/translations", "listTranslations", "An entry's translations",
       "translations", response=m.TranslationList, params=ENTRY, errors=(404,)),
    Op("post", "/entries/{namespace}/{name}/proposals", "proposeChange",
       "Propose an edit or a translation (maintainers' translations are published at once)", "translations",
       ok=201, response=m.ProposalCreated, body=m.ProposalCreate, params=ENTRY, auth=True,
       errors=(*WRITE, 409, 428)),
    Op("get", "/entries/{namespace}/{name}/citation", "getCitation", "How to cite an entry", "formats",
       response={"application/x-bibtex": TEXT, "text/plain": TEXT, "application/yaml": TEXT},
       params=[*ENTRY, _q("format", {"type": "string", "enum": list(CITATION_FORMATS)}, "bibtex (default), apa or cff."),
               LANG], errors=(400, 404),
       description="From the repository's CITATION.cff when it has one, else from the entry's fields."),
    Op("get", "/entries/{namespace}/{name}/croissant", "getCroissant", "Croissant JSON-LD of a dataset",
       "formats", response={LD: {"type": "object"}}, params=[*ENTRY, LANG], errors=(404,)),
    Op("get", "/entries/{namespace}/{name}/jsonld", "getJsonLd", "schema.org JSON-LD of an entry", "formats",
       response={LD: {"type": "object"}}, params=[*ENTRY, LANG], errors=(404,)),
    Op("get", "/dump", "dump", "Every public entry, one JSON object per line (the getEntry shape)", "formats",
       response={NDJSON: TEXT}),
    Op("get", "/openapi.json", "openapi", "This document", "formats", response={JSON: {"type": "object"}}),
    Op("get", "/sources", "listSources", "Harvested sources", "sources", response=m.SourceList, params=PAGE,
       errors=(400,)),
    Op("get", "/sources/{source_id}", "getSource", "One source", "sources", response=m.SourcePublic,
       params=SOURCE, errors=(404,)),
    Op("get", "/sources/{source_id}/runs", "listRuns", "A source's harvest runs, newest first", "sources",
       response=m.RunList, params=[*SOURCE, *PAGE], errors=(400, 404)),
    Op("post", "/sources/{source_id}/reharvest", "reharvest", "Harvest a source again (now, or on the queue)",
       "sources", response=m.HarvestOutcome, params=SOURCE, auth=True, errors=WRITE, queued=True),
    Op("post", "/sources/{source_id}/hook-secret", "newHookSecret",
       "Make a new webhook secret for a source (shown once)", "sources", ok=201, response=m.HookSecret,
       params=SOURCE, auth=True, errors=WRITE),
    Op("get", "/jobs/{job_id}", "getJob", "A queued job: queued, running, done or failed (with the reason)", "jobs",
       response=m.JobPublic, params=[_p("job_id")], errors=(404,),
       description="Jobs exist when harvests are queued (Redis). A submission's job is shown only to the person "
                   "who sent it (404 for anyone else); finished jobs are kept for a week, failed ones for 30 days. "
                   "Never cached: poll it."),
    Op("post", "/hooks/push", "pushHook", "A GitHub, GitLab or Gitea push event", "sources",
       response=m.HookResult, body={"type": "object"}, errors=(400, 401, 403, 404, 413, 429), queued=True,
       description="Signed with the source's secret: `X-Hub-Signature-256` (GitHub), `X-Gitea-Signature` "
                   "(Gitea) or `X-Gitlab-Token` (GitLab). No signature is a 401, a wrong one a 403; a delivery "
                   "id seen before is answered with status `ignored`. The re-harvest runs at once, or is "
                   "queued (202) when Redis is configured."),
    Op("get", "/me", "me", "The token's account", "people", response=m.MePublic, auth=True, errors=(401,)),
    Op("get", "/me/tokens", "listTokens", "Your API tokens (never the secrets)", "people", response=m.TokenList,
       auth=True, errors=(401,)),
    Op("post", "/me/tokens", "createToken", "Make an API token (shown once)", "people", ok=201,
       response=m.TokenCreated, body=m.TokenCreate, auth=True, errors=WRITE),
    Op("delete", "/me/tokens/{token_id}", "revokeToken", "Revoke a token", "people", ok=204,
       params=[_p("token_id", ID)], auth=True, errors=WRITE),
    Op("get", "/proposals", "listProposals", "The review queue, or your own proposals with `mine=1`", "proposals",
       response=m.ProposalList, params=[_q("mine", {"type": "string"}, "Any value lists your own proposals.")],
       auth=True, errors=(401,)),
    Op("get", "/proposals/{proposal_id}", "getProposal", "One proposal", "proposals", response=m.ProposalPublic,
       params=[_p("proposal_id", ID)], auth=True, errors=(401, 403, 404)),
    Op("post", "/proposals/{proposal_id}/{action}", "decideProposal", "Accept, reject or withdraw a proposal",
       "proposals", response=m.ProposalPublic, body=m.ProposalDecision,
       params=[_p("proposal_id", ID), _p("action", {"type": "string",
                                                                    "enum": ["accept", "reject", "withdraw"]})],
       auth=True, errors=(*WRITE, 409)),
]

COLLECTION = [_p("slug")]
COMMUNITY = [_p("slug")]
ITEM = [*COLLECTION, _p("item_id", {"type": "integer"})]
OPERATIONS += [
    Op("get", "/collections", "listCollections", "Curated collections", "collections", response=m.CollectionList,
       params=[_q("language", {"type": "string"}), _q("community", {"type": "string"}), _q("owner", {"type": "string"}),
               LANG, *PAGE], errors=(400,)),
    Op("post", "/collections", "createCollection", "Make a collection", "collections", ok=201,
       response=m.CollectionDetail, body=m.CollectionCreate, auth=True, errors=(*WRITE, 409)),
    Op("get", "/collections/{slug}", "getCollection", "One collection with its items", "collections",
       response=m.CollectionDetail, params=[*COLLECTION, LANG], errors=(404,)),
    Op("patch", "/collections/{slug}", "editCollection", "Edit a collection (curators)", "collections",
       response=m.CollectionDetail, body=m.CollectionPatch, params=COLLECTION, auth=True, errors=WRITE),
    Op("post", "/collections/{slug}/items", "addCollectionItem", "Add an entry to a collection", "collections",
       ok=201, response=m.CollectionDetail, body=m.CollectionItemCreate, params=COLLECTION, auth=True, errors=(*WRITE, 409)),
    Op("patch", "/collections/{slug}/items/{item_id}", "editCollectionItem", "Edit an item's note or group",
       "collections", response=m.CollectionDetail, body=m.CollectionItemPatch, params=ITEM, auth=True, errors=WRITE),
    Op("delete", "/collections/{slug}/items/{item_id}", "removeCollectionItem", "Remove an item", "collections",
       ok=204, params=ITEM, auth=True, errors=WRITE),
    Op("put", "/collections/{slug}/order", "orderCollection", "Reorder items: `{\"items\": [id, …]}`",
       "collections", response=m.CollectionDetail, body=m.CollectionOrder, params=COLLECTION, auth=True, errors=WRITE),
    Op("post", "/collections/{slug}/sync", "syncCollection", "Import or re-sync from an awesome-list",
       "collections", response=m.CollectionSyncResult, body=m.CollectionSyncRequest, params=COLLECTION, auth=True, errors=WRITE),
    Op("post", "/collections/{slug}/translations", "translateCollection", "Translate a collection",
       "collections", ok=201, response=m.CollectionTranslationCreated, body=m.CollectionTranslationCreate, params=COLLECTION, auth=True,
       errors=(*WRITE, 409)),
    Op("get", "/collections/{slug}/proposals", "listCollectionProposals", "A collection's translation proposals",
       "collections", response=m.CollectionProposalList, params=[*COLLECTION, _q("status", {"type": "string"})],
       errors=(401, 403, 404)),
    Op("post", "/collections/{slug}/proposals/{proposal_id}/{action}", "decideCollectionProposal",
       "Accept or reject a collection translation", "collections", response=m.CollectionDetail,
       body=m.ProposalDecision, params=[*COLLECTION, _p("proposal_id", ID),
                                        _p("action", {"type": "string", "enum": ["accept", "reject"]})],
       auth=True, errors=(*WRITE, 409)),
    Op("get", "/communities", "listCommunities", "Communities", "communities", response=m.CommunityList,
       params=[_q("language", {"type": "string"}), *PAGE], errors=(400,)),
    Op("post", "/communities", "createCommunity", "Start a community", "communities", ok=201,
       response=m.CommunityDetail, body=m.CommunityCreate, auth=True, errors=(*WRITE, 409)),
    Op("get", "/communities/{slug}", "getCommunity", "One community with its members", "communities",
       response=m.CommunityDetail, params=COMMUNITY, errors=(404,)),
    Op("patch", "/communities/{slug}", "editCommunity", "Edit a community (its admins)", "communities",
       response=m.CommunityDetail, body=m.CommunityPatch, params=COMMUNITY, auth=True, errors=WRITE),
    Op("post", "/communities/{slug}/join", "joinCommunity", "Ask to join", "communities", ok=202,
       response=m.JoinRequested, body=m.JoinRequest, params=COMMUNITY, auth=True, errors=(*WRITE, 409)),
    Op("delete", "/communities/{slug}/members/me", "leaveCommunity", "Leave a community", "communities", ok=204,
       params=COMMUNITY, auth=True, errors=WRITE),
    Op("post", "/communities/{slug}/members/{name}", "decideMember",
       "Approve or decline a join request, or set a member's role", "communities", response=m.CommunityDetail,
       body=m.MemberDecision, params=[*COMMUNITY, _p("name")], auth=True, errors=(*WRITE, 409)),
]

_MODELS = sorted({o.response for o in OPERATIONS if isinstance(o.response, type)} |
                 {o.queued for o in OPERATIONS if isinstance(o.queued, type)} |
                 {o.body for o in OPERATIONS if isinstance(o.body, type)} | {m.ErrorEnvelope},
                 key=lambda cls: cls.__name__)
_RATE_HEADERS = {name: {"schema": {"type": "integer"}, "description": text} for name, text in (
    ("RateLimit-Limit", "Writes allowed in the window."), ("RateLimit-Remaining", "Writes left in the window."),
    ("RateLimit-Reset", "Seconds until the window resets."))}


def _ref(model: type) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _responses(op: Op) -> dict:
    ok: dict[str, Any] = {"description": op.summary}
    if isinstance(op.response, type):
        ok["content"] = {JSON: {"schema": _ref(op.response)}}
    elif isinstance(op.response, dict):
        ok["content"] = {media: {"schema": schema} for media, schema in op.response.items()}
    if op.method == "get" and isinstance(op.response, type) and "items" in op.response.model_fields:
        ok["headers"] = {"Link": {"schema": {"type": "string"}, "description": "first, prev, next and last pages"}}
    if op.method != "get":
        ok["headers"] = dict(_RATE_HEADERS)
    error = {"description": "An error: `{\"error\": {\"code\", \"message\", \"details\"}}`",
             "content": {JSON: {"schema": _ref(m.ErrorEnvelope)}}}
    answers = {str(op.ok): ok}
    if op.queued:
        queued = {**ok, "description": "Queued for a harvest worker (when Redis is configured)"}
        if isinstance(op.queued, type):
            queued["content"] = {JSON: {"schema": _ref(op.queued)}}
        queued["headers"] = {**ok.get("headers", {}), "Location": {
            "schema": {"type": "string"}, "description": "The job's URL (`GET /jobs/{job_id}`)"}}
        answers["202"] = queued
    if op.method == "get":
        answers["304"] = {"description": "Not modified: the `ETag` sent in `If-None-Match` still holds"}
    # A bearer token that is sent but not valid is refused on every route, reads included.
    for status in sorted({*op.errors, 401}):
        answers[str(status)] = error
    # Any operation may meet a database that cannot be used (full or read-only disk, a server
    # that is down, a writer lock that stayed busy): nothing is changed and the code is "unavailable".
    answers["503"] = {**error, "description": "The database cannot be used now (`unavailable`); nothing was changed"}
    answers["default"] = error
    return answers


def _operation(op: Op) -> dict:
    data: dict[str, Any] = {"operationId": op.id, "summary": op.summary, "tags": [op.tag],
                            "responses": _responses(op)}
    if op.description:
        data["description"] = op.description
    if op.params:
        data["parameters"] = op.params
    if op.body is not None:
        schema = _ref(op.body) if isinstance(op.body, type) else op.body
        data["requestBody"] = {"required": op.body not in (m.ProposalDecision, m.JoinRequest),
                               "content": {JSON: {"schema": schema}}}
    data["security"] = [{"bearerAuth": []}] if op.auth else [{}, {"bearerAuth": []}]
    return data


def api_routes(app: Flask) -> frozenset[tuple[str, str]]:
    """Return (OpenAPI path, method) of every route of the API blueprint."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.unknown":
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix(PREFIX))
            routes.update((path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"})
    return frozenset(routes)


@lru_cache(maxsize=8)
def _document(server: str, routes: frozenset[tuple[str, str]]) -> dict:
    _, top = models_json_schema([(model, "serialization") for model in _MODELS],
                                ref_template="#/components/schemas/{model}")
    schemas = top.get("$defs", {})
    # Request bodies are validated, not serialized: use the validation form for those.
    for model in {o.body for o in OPERATIONS if isinstance(o.body, type)}:
        schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}",
                                                          mode="validation")
        schemas.update(schemas[model.__name__].pop("$defs", {}))
    paths: dict[str, dict] = {}
    # Only what this app routes: a module that is not there (yet) is not promised.
    for op in OPERATIONS:
        if (op.path, op.method) in routes:
            paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "AI Commons Registry API", "version": "1",
                 "description": "An open registry of AI models, datasets and projects in every language. "
                                "Reads are open; writes need `Authorization: Bearer <token>` "
                                f"(make one on your account page). Entry kinds: {', '.join(ENTRY_KINDS)}.",
                 "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }


def openapi_document(app: Flask, server: str = PREFIX) -> dict:
    """Return the OpenAPI 3.1 document of ``app``'s API, with ``server`` as the base of every path."""
    return _document(server, api_routes(app))


@bp.get("/openapi.json")
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
    return render_template("api_docs.html", doc=doc, groups=groups,
                           openapi_url=url_for("api.openapi_json", _external=True),
                           base=doc["servers"][0]["url"])
