"""The contract is as strict as the server (issue 29, finding 7).

An over-long tag, note or reason is refused with a 422 naming the field and the limit (it used to
be cut short without a word); the OpenAPI document states those limits; an id beyond what a
column holds is a 404 for every method; a method no route takes is a 405 with an `Allow` header.
"""
from __future__ import annotations

import pytest

from registry.api.openapi import openapi_document
from tests.helpers import add_entry

PATH = "/api/v1/entries/lab/tagger"


@pytest.fixture
def entry(app):
    return add_entry(app, "lab/tagger", name="Tagger", summary="Tags words.", license="MIT", language="en")


def _refused(resp, field: str, limit: int) -> None:
    assert resp.status_code == 422, resp.get_data(as_text=True)[:300]
    error = resp.get_json()["error"]
    assert error["code"] == "invalid"
    named = {k: v for k, v in error["details"]["fields"].items() if k == field or k.startswith(field + ".")}
    assert named, error
    assert any(str(limit) in v for v in named.values()), error


def test_a_note_over_its_limit_is_refused_and_one_at_it_is_kept_whole(app, client, entry, api_tokens):
    member = api_tokens["member"]
    over = client.post(PATH + "/proposals", json={"changes": {"summary": "Better."}, "note": "n" * 2001,
                                                  "base_revision": 1}, headers=member)
    _refused(over, "note", 2000)
    kept = client.post(PATH + "/proposals", json={"changes": {"summary": "Better."}, "note": "n" * 2000,
                                                  "base_revision": 1}, headers=member)
    assert kept.status_code == 201
    pid = kept.get_json()["id"]
    assert client.get(f"/api/v1/proposals/{pid}", headers=member).get_json()["note"] == "n" * 2000
    # The reviewer's note for the author too.
    _refused(client.post(f"/api/v1/proposals/{pid}/reject", json={"note": "r" * 2001},
                         headers=api_tokens["mod"]), "note", 2000)
    assert client.get(f"/api/v1/proposals/{pid}", headers=member).get_json()["status"] == "open"


def test_tags_over_their_limits_are_refused_in_edits_and_proposals(app, client, entry, api_tokens):
    mod = api_tokens["mod"]
    _refused(client.patch(PATH, json={"tags": ["t" * 101], "base_revision": 1}, headers=mod), "tags", 100)
    _refused(client.patch(PATH, json={"tags": [f"t{i}" for i in range(51)], "base_revision": 1}, headers=mod),
             "tags", 50)
    # In a proposal's `changes` (the editable fields' shape) the field is named with its place.
    _refused(client.post(PATH + "/proposals", json={"changes": {"tasks": ["x" * 101]}, "base_revision": 1},
                         headers=api_tokens["member"]), "changes.tasks", 100)
    ok = client.patch(PATH, json={"tags": ["t" * 100] + [f"t{i}" for i in range(49)], "base_revision": 1},
                      headers=mod)
    assert ok.status_code == 200 and ok.get_json()["tags"][0] == "t" * 100 and len(ok.get_json()["tags"]) == 50


def test_reasons_over_their_limit_are_refused(app, client, entry, api_tokens):
    mod = api_tokens["mod"]
    _refused(client.patch(PATH, json={"summary": "x", "reason": "r" * 501, "base_revision": 1}, headers=mod),
             "reason", 500)
    _refused(client.post(PATH + "/hide", json={"reason": "r" * 501}, headers=mod), "reason", 500)
    _refused(client.post(PATH + "/revert", json={"revision": 1, "base_revision": 1, "reason": "r" * 501},
                         headers=mod), "reason", 500)
    assert client.get(PATH).status_code == 200  # not hidden
    hidden = client.post(PATH + "/hide", json={"reason": "r" * 500}, headers=mod)
    assert hidden.status_code == 200


def test_a_token_name_over_its_limit_is_refused(client, api_tokens):
    _refused(client.post("/api/v1/me/tokens", json={"scope": "read", "name": "n" * 101},
                         headers=api_tokens["member"]), "name", 100)
    made = client.post("/api/v1/me/tokens", json={"scope": "read", "name": "n" * 100}, headers=api_tokens["member"])
    assert made.status_code == 201 and made.get_json()["name"] == "n" * 100


def test_a_query_over_its_limit_is_a_400_naming_q(client):
    resp = client.get("/api/v1/entries", query_string={"q": "a" * 501})
    assert resp.status_code == 400
    assert resp.get_json()["error"]["details"] == {"parameter": "q"} and "500" in resp.get_json()["error"]["message"]
    assert client.get("/api/v1/entries", query_string={"q": "a" * 500}).status_code == 200


def test_the_openapi_document_states_the_limits(app):
    doc = openapi_document(app)
    schemas = doc["components"]["schemas"]

    def prop(model: str, name: str) -> dict:
        schema = schemas[model]["properties"][name]
        return next((s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"), schema)

    assert prop("EntryPatch", "tags")["maxItems"] == 50 and prop("EntryPatch", "tags")["items"]["maxLength"] == 100
    assert prop("EntryPatch", "summary")["maxLength"] == 1000 and prop("EntryPatch", "reason")["maxLength"] == 500
    assert prop("ProposalCreate", "note")["maxLength"] == 2000
    assert prop("ProposalDecision", "note")["maxLength"] == 2000
    assert prop("HideRequest", "reason")["maxLength"] == 500
    assert prop("RevertRequest", "reason")["maxLength"] == 500
    assert prop("TokenCreate", "name")["maxLength"] == 100
    q = next(p for p in doc["paths"]["/entries"]["get"]["parameters"] if p["name"] == "q")
    assert q["schema"]["maxLength"] == 500


# (method, path, shape in the document, body without the field, field, who sends it)
COMMUNAL = [
    ("POST", "/api/v1/collections", "CollectionCreate", {"title": "Kit two", "slug": "kit-two"}, "title", "root"),
    ("POST", "/api/v1/collections", "CollectionCreate", {"title": "Kit two", "slug": "kit-two"}, "description", "root"),
    ("POST", "/api/v1/collections", "CollectionCreate", {"title": "Kit two"}, "slug", "root"),
    ("PATCH", "/api/v1/collections/kit", "CollectionPatch", {}, "title", "root"),
    ("PATCH", "/api/v1/collections/kit", "CollectionPatch", {}, "description", "root"),
    ("POST", "/api/v1/collections/kit/items", "CollectionItemCreate", {"entry": "lab/other"}, "note", "root"),
    ("POST", "/api/v1/collections/kit/items", "CollectionItemCreate", {"entry": "lab/other"}, "group", "root"),
    ("PATCH", "/api/v1/collections/kit/items/{item}", "CollectionItemPatch", {}, "note", "root"),
    ("PATCH", "/api/v1/collections/kit/items/{item}", "CollectionItemPatch", {}, "group", "root"),
    ("POST", "/api/v1/collections/kit/translations", "CollectionTranslationCreate", {"lang": "sw", "title": "Kiti"},
     "title", "member"),
    ("POST", "/api/v1/collections/kit/translations", "CollectionTranslationCreate", {"lang": "sw", "title": "Kiti"},
     "description", "member"),
    ("POST", "/api/v1/communities", "CommunityCreate", {"name": "Kit people two", "slug": "kit-people-two"}, "name",
     "root"),
    ("POST", "/api/v1/communities", "CommunityCreate", {"name": "Kit people two", "slug": "kit-people-two"},
     "description", "root"),
    ("POST", "/api/v1/communities", "CommunityCreate", {"name": "Kit people two", "slug": "kit-people-two"}, "region",
     "root"),
    ("POST", "/api/v1/communities", "CommunityCreate", {"name": "Kit people two"}, "slug", "root"),
    ("PATCH", "/api/v1/communities/kit-people", "CommunityPatch", {}, "name", "root"),
    ("PATCH", "/api/v1/communities/kit-people", "CommunityPatch", {}, "description", "root"),
    ("PATCH", "/api/v1/communities/kit-people", "CommunityPatch", {}, "region", "root"),
    ("POST", "/api/v1/communities/kit-people/join", "JoinRequest", {}, "message", "member"),
]


@pytest.mark.parametrize(("method", "path", "shape", "body", "field", "who"), COMMUNAL,
                         ids=[f"{c[2]}.{c[4]}" for c in COMMUNAL])
def test_collections_and_communities_state_their_limits_and_the_server_keeps_them(
    app, client, entry, api_tokens, method, path, shape, body, field, who
):
    """The OpenAPI document states each text limit of a collection or community body, and the server
    takes a value at the limit and refuses one over it naming the field and the limit."""
    schema = openapi_document(app)["components"]["schemas"][shape]["properties"][field]
    limit = next((s.get("maxLength") for s in schema.get("anyOf", [schema]) if s.get("type") == "string"), None)
    assert limit, f"{shape}.{field} states no maxLength: {schema}"
    root = api_tokens["root"]
    add_entry(app, "lab/other", name="Other")
    assert client.post("/api/v1/collections", json={"title": "Kit", "slug": "kit"}, headers=root).status_code == 201
    item = client.post("/api/v1/collections/kit/items", json={"entry": "lab/tagger"}, headers=root).get_json()["items"][0]
    assert client.post("/api/v1/communities", json={"name": "Kit people", "slug": "kit-people"},
                       headers=root).status_code == 201
    url = path.format(item=item["id"])
    _refused(client.open(url, method=method, json={**body, field: "a" * (limit + 1)}, headers=api_tokens[who]),
             field, limit)
    kept = client.open(url, method=method, json={**body, field: "a" * limit}, headers=api_tokens[who])
    assert kept.status_code in (200, 201, 202), kept.get_data(as_text=True)[:300]


TOO_BIG = 2**31


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_an_id_beyond_any_column_is_a_404_for_every_method(app, client, method):
    for path in (f"/api/v1/collections/kit/items/{TOO_BIG}", f"/api/v1/proposals/{TOO_BIG}",
                 f"/api/v1/sources/{TOO_BIG}/runs", f"/api/v1/proposals/{TOO_BIG}/accept"):
        resp = client.open(path, method=method)
        assert resp.status_code == 404, (method, path, resp.status_code)
        assert resp.get_json()["error"]["code"] == "not_found"
    for path in (f"/review/{TOO_BIG}", f"/collections/kit/items/{TOO_BIG}", f"/sources/{TOO_BIG}"):
        assert client.open(path, method=method).status_code == 404, (method, path)


def test_the_largest_id_still_reaches_its_route(client):
    resp = client.open(f"/api/v1/sources/{TOO_BIG - 1}/runs", method="GET")
    assert resp.status_code == 404 and "no route" not in resp.get_json()["error"]["message"].lower()


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND"])
def test_a_method_no_route_takes_is_a_405_with_allow(client, method):
    page = client.open("/", method=method)
    assert page.status_code == 405 and set(page.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    api = client.open("/api/v1/entries", method=method)
    assert api.status_code == 405 and api.get_json()["error"]["code"] == "method_not_allowed"
    # Only what the route takes: not the methods of the API's catch-all, which answers 404.
    assert set(api.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    # An address no route has is not found, whatever the method.
    missing = client.open("/api/v1/no/such/route", method=method)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
