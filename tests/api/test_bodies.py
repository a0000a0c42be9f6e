"""Request bodies: a value of the wrong type is a 422 in the error envelope, never a server error."""
from __future__ import annotations

import json

import pytest

from tests.helpers import add_entry

WRONG = [5, 1.5, True, None, [], {}, ["a", 1], {"a": [1]}]


@pytest.fixture
def world(app, client, api_tokens):
    add_entry(app, "nairobi/tweets", kind="dataset", name="Tweets", language="sw", languages=["sw"])
    root = api_tokens["root"]
    assert client.post("/api/v1/collections", json={"title": "Swahili", "slug": "swahili"},
                       headers=root).status_code == 201
    made = client.post("/api/v1/collections/swahili/items", json={"entry": "nairobi/tweets"}, headers=root)
    assert made.status_code == 201 and made.get_json()["items"][0]["id"] == 1
    assert client.post("/api/v1/communities", json={"name": "Nairobi NLP", "slug": "nairobi-nlp"},
                       headers=root).status_code == 201
    return root


ENTRY = "/api/v1/entries/nairobi/tweets"
# Every API route that takes a JSON body, with the fields of its shape.
ROUTES = [
    ("post", "/api/v1/entries", ["source_url"]),
    ("patch", ENTRY, ["name", "summary", "languages", "base_revision", "reason", "kind"]),
    ("post", f"{ENTRY}/revert", ["revision", "base_revision", "reason"]),
    ("post", f"{ENTRY}/proposals", ["changes", "lang", "name", "note", "base_revision"]),
    ("post", f"{ENTRY}/hide", ["reason"]),
    ("post", f"{ENTRY}/restore", ["reason"]),
    ("post", "/api/v1/proposals/1/accept", ["note"]),
    ("post", "/api/v1/proposals/1/reject", ["note"]),
    ("post", "/api/v1/me/tokens", ["name", "scope"]),
    ("post", "/api/v1/collections", ["title", "slug", "description", "language", "visibility", "community"]),
    ("patch", "/api/v1/collections/swahili", ["title", "description", "language", "visibility", "region"]),
    ("post", "/api/v1/collections/swahili/items", ["entry", "note", "group"]),
    ("patch", "/api/v1/collections/swahili/items/1", ["note", "group"]),
    ("put", "/api/v1/collections/swahili/order", ["items"]),
    ("post", "/api/v1/collections/swahili/sync", ["source"]),
    ("post", "/api/v1/collections/swahili/translations", ["lang", "title", "description"]),
    ("post", "/api/v1/collections/swahili/proposals/1/accept", ["note"]),
    ("post", "/api/v1/collections/swahili/proposals/1/reject", ["note"]),
    ("post", "/api/v1/communities", ["name", "slug", "description", "region", "languages", "language"]),
    ("patch", "/api/v1/communities/nairobi-nlp", ["name", "description", "region", "languages", "language"]),
    ("post", "/api/v1/communities/nairobi-nlp/join", ["message"]),
    ("post", "/api/v1/communities/nairobi-nlp/members/root", ["accept", "role"]),
    ("post", "/api/v1/discoveries", ["kind", "target", "set", "collection", "schedule_hours"]),
    ("post", "/api/v1/discoveries/1/items/1/review", ["decision"]),
]
INTEGER_FIELDS = {"revision", "base_revision", "schedule_hours"}


@pytest.mark.parametrize("method,path,fields", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_a_wrong_type_is_a_422_in_the_envelope(client, world, method, path, fields):
    for name in fields:
        for value in WRONG:
            resp = getattr(client, method)(path, json={name: value}, headers=world)
            assert resp.status_code < 500, (name, value, resp.get_data(as_text=True)[:300])
            if resp.status_code >= 400:
                body = resp.get_json()
                assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"]), body


@pytest.mark.parametrize("method,path,fields", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_the_422_names_the_field_of_the_wrong_type(client, world, method, path, fields):
    for name in fields:
        # Text where a number is wanted; a number where text, a list, an object or a boolean is.
        value = "5" if name in INTEGER_FIELDS else 5
        resp = getattr(client, method)(path, json={name: value}, headers=world)
        assert resp.status_code == 422, (name, resp.get_data(as_text=True)[:300])
        error = resp.get_json()["error"]
        assert error["code"] == "invalid" and name in error["details"]["fields"], (name, error)


@pytest.mark.parametrize("body", [[1, 2], "text", 5, None])
def test_a_body_that_is_not_an_object_is_refused(client, world, body):
    resp = client.post("/api/v1/collections", json=body, headers=world)
    assert resp.status_code in (400, 422)
    assert set(resp.get_json()["error"]) >= {"code", "message", "details"}


# Issue 29, finding 3: size, depth and malformed JSON, on every route that takes a body.
def _envelope(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    return body["error"]


@pytest.mark.parametrize("method,path,fields", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_malformed_json_is_a_400_on_every_route(client, world, method, path, fields):
    for raw in (b'{"note": ', b"{'note': 'x'}", b"\xff\xfe{}", b'{"note": "a\xed\xb2\x80b"}', b"[1,]"):
        resp = getattr(client, method)(path, data=raw, headers={**world, "Content-Type": "application/json"})
        _envelope(resp, 400, "invalid_json")


@pytest.mark.parametrize("method,path,fields", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_deeply_nested_json_is_a_400_on_every_route(client, world, method, path, fields):
    for raw in ("[" * 100_000, '{"a":' * 50_000, "[" * 40 + "]" * 40, '{"note": ' + "[" * 500 + "]" * 500 + "}"):
        resp = getattr(client, method)(path, data=raw, headers={**world, "Content-Type": "application/json"})
        error = _envelope(resp, 400, "invalid_json")
        assert "nested" in error["message"] or "JSON" in error["message"]


def test_a_body_over_the_limit_is_a_413_in_the_envelope(app, client, world):
    big = json.dumps({"title": "Swahili", "slug": "big", "description": "x" * (2 * 1024 * 1024)})
    resp = client.post("/api/v1/collections", data=big, headers={**world, "Content-Type": "application/json"})
    error = _envelope(resp, 413, "too_large")
    assert "2 MiB" in error["message"]
    # The limit is configuration: a small one refuses a small body.
    app.config["MAX_CONTENT_LENGTH"] = 1000
    body = {"title": "Swahili", "slug": "small", "description": "x" * 2000}
    _envelope(client.post("/api/v1/collections", json=body, headers=world), 413, "too_large")
    body["description"] = "x" * 100
    assert client.post("/api/v1/collections", json=body, headers=world).status_code == 201


def test_a_form_over_the_limit_is_a_clear_page(client):
    resp = client.post("/login", data={"name": "amina", "password": "x" * (3 * 1024 * 1024)})
    assert resp.status_code == 413 and resp.mimetype == "text/html"
    assert "too large" in resp.get_data(as_text=True)


# Issue 29, finding 5: every write route, every field of its body, every JSON type the field does not
# take, is a 4xx in the envelope naming the field; never a 500. The routes come from the OpenAPI
# document, so a new write route is swept as soon as it is declared.
_CONCRETE = {
    "{namespace}/{name}": "nairobi/tweets", "{source_id}": "1", "{token_id}": "1", "{proposal_id}": "1",
    "/communities/{slug}": "/communities/nairobi-nlp", "/collections/{slug}": "/collections/swahili",
    "{item_id}": "1", "members/{name}": "members/root", "{discovery_id}": "1",
}
_SAMPLES = {"string": "text", "integer": 7, "number": 1.5, "boolean": True, "array": ["a", 1], "object": {"a": 1},
            "null": None}
_STRINGS = ["€", "", " ", "x" * 5000, "\u202eevil", "<script>alert(1)</script>", "a\u200bb", "../../etc", "%00",
            "MIT AND", "@@@/!!!"]


def _body_routes(app) -> list[tuple[str, str, dict]]:
    from registry.api.openapi import openapi_document

    doc = openapi_document(app)
    schemas = doc["components"]["schemas"]
    routes = []
    for template, ops in doc["paths"].items():
        for method, op in ops.items():
            if method not in ("post", "put", "patch") or "requestBody" not in op or template == "/hooks/push":
                continue
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            schema = schemas[schema["$ref"].split("/")[-1]] if "$ref" in schema else schema
            path = template
            for key, value in _CONCRETE.items():
                path = path.replace(key, value)
            for action in (("accept", "reject") if "{action}" in path else (None,)):
                concrete = "/api/v1" + (path.replace("{action}", action) if action else path)
                routes.append((method, concrete, schema.get("properties", {})))
    return routes


def _types(prop: dict) -> set[str]:
    options = prop.get("anyOf", [prop])
    return {o.get("type", "object") for o in options}


def test_the_sweep_covers_every_write_route_with_a_body(app):
    swept = {(m, p) for m, p, _ in _body_routes(app)}
    assert swept == {(m, p) for m, p, _ in ROUTES}, swept ^ {(m, p) for m, p, _ in ROUTES}


def test_every_field_of_every_write_route_refuses_every_wrong_type_by_name(app, client, world):
    app.config["API_WRITE_RATE_LIMIT"] = "100000 per minute"
    failures = []
    for method, path, props in _body_routes(app):
        for name, prop in props.items():
            for json_type, value in _SAMPLES.items():
                if json_type in _types(prop) or (json_type == "integer" and "number" in _types(prop)):
                    continue
                resp = getattr(client, method)(path, json={name: value}, headers=world)
                body = resp.get_json(silent=True) or {}
                fields = body.get("error", {}).get("details", {}).get("fields", {})
                if resp.status_code != 422 or name not in fields:
                    failures.append((method, path, name, value, resp.status_code, resp.get_data(as_text=True)[:200]))
    assert not failures, failures[:10]


def test_hostile_text_in_every_string_field_is_never_a_500(app, client, world):
    app.config["API_WRITE_RATE_LIMIT"] = "100000 per minute"
    failures = []
    for method, path, props in _body_routes(app):
        for name, prop in props.items():
            if "string" not in _types(prop):
                continue
            for value in _STRINGS:
                resp = getattr(client, method)(path, json={name: value}, headers=world)
                if resp.status_code >= 500:
                    failures.append((method, path, name, value, resp.get_data(as_text=True)[:200]))
                elif resp.status_code >= 400:
                    assert set(resp.get_json()) == {"error"}
    assert not failures, failures[:10]


@pytest.mark.parametrize("licence", ["€", "MIT AND", "Apache-2.0 WITH €", "MIT OR €"])
def test_a_licence_that_is_not_spdx_is_a_422_naming_the_field(app, client, world, licence):
    revision = client.get(ENTRY).get_json()["revision"]
    resp = client.patch(ENTRY, json={"license": licence, "base_revision": revision}, headers=world)
    assert resp.status_code == 422, resp.get_data(as_text=True)[:300]
    assert resp.get_json()["error"]["details"]["fields"] == {"license": "not a valid SPDX expression"}
    proposal = client.post(f"{ENTRY}/proposals", json={"changes": {"license": licence}, "base_revision": revision},
                           headers=world)
    assert proposal.status_code == 422 and "license" in proposal.get_data(as_text=True)
    # LicenseRef-… stays accepted as it was.
    ok = client.patch(ENTRY, json={"license": "MIT OR LicenseRef-lab", "base_revision": revision}, headers=world)
    assert ok.status_code == 200 and ok.get_json()["license"] == "MIT OR LicenseRef-lab"
