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
    ("post", "/api/v1/communities", ["name", "slug", "description", "region", "languages", "language"]),
    ("patch", "/api/v1/communities/nairobi-nlp", ["name", "description", "region", "languages", "language"]),
    ("post", "/api/v1/communities/nairobi-nlp/join", ["message"]),
    ("post", "/api/v1/communities/nairobi-nlp/members/root", ["accept", "role"]),
]
INTEGER_FIELDS = {"revision", "base_revision"}


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
