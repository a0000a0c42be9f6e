"""The OpenAPI document: generated from the models, covering every route, readable at /api/docs."""
from __future__ import annotations

import re

import pytest
from werkzeug.wrappers import Response

from registry import create_app
from registry.api import bp
from registry.api.openapi import openapi_document
from registry.api.spec import DECLARED
from registry.schemas import EntryPublic, ErrorEnvelope
from tests.helpers import add_entry


def _flask_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix("/api/v1"))


def test_document_is_openapi_3_1_built_from_the_models(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": "/api/v1"}]
    schemas = doc["components"]["schemas"]
    assert set(schemas["EntryPublic"]["properties"]) == set(EntryPublic.model_fields)
    assert schemas["EntryPublic"]["required"] == EntryPublic.model_json_schema(mode="serialization")["required"]
    assert set(schemas["ErrorEnvelope"]["properties"]) == set(ErrorEnvelope.model_fields)
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}


def test_every_api_route_is_documented(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.unknown":
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routed.add((_flask_path(rule.rule), method))
    assert routed == documented


def test_every_api_v1_rule_of_the_url_map_is_in_the_document(app):
    doc = openapi_document(app)
    rules = [rule for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.unknown"]
    assert len(rules) > 40
    for rule in rules:
        ops = doc["paths"][_flask_path(rule.rule)]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert ops[method.lower()]["operationId"] == DECLARED[rule.endpoint].id, rule
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) == len(rules)


def test_a_route_without_a_declaration_is_refused(tmp_path, monkeypatch):
    # A route added with no @documented(...) must not be served in a document that leaves it out.
    monkeypatch.setattr(bp, "deferred_functions", list(bp.deferred_functions))
    monkeypatch.setattr(bp, "_got_registered_once", False)
    bp.add_url_rule("/undeclared", "undeclared", lambda: "")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    with pytest.raises(LookupError, match="undeclared"):
        openapi_document(app)


def test_every_operation_documents_its_errors(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["responses"]["default"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorEnvelope"}, (method, path)
            if method != "get":
                assert "429" in op["responses"], (method, path)


def test_the_request_boundarys_answers_are_documented(app, client):
    # Issue 29: NUL in any parameter or malformed JSON is a 400, a body over the limit a 413.
    doc = client.get("/api/v1/openapi.json").get_json()
    for route, ops in doc["paths"].items():
        for method, op in ops.items():
            if op.get("parameters") or "requestBody" in op:
                assert "400" in op["responses"], (method, route)
            if "requestBody" in op:
                assert "413" in op["responses"], (method, route)
    resp = client.get("/api/v1/collections?language=%00")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_parameter"


def test_docs_page_needs_no_cdn(client):
    resp = client.get("/api/docs")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "AI Commons Registry API" in html
    for op_id in ("listEntries", "getCitation", "pushHook", "dump", "decideProposal"):
        assert f'id="{op_id}"' in html
    assert 'id="schema-EntryPublic"' in html
    external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?:)?//(?!localhost)', html)
    assert external == []


def test_list_pages_have_link_headers(app, client):
    for n in range(5):
        add_entry(app, f"lab/e{n}", name=f"E{n}", kind="model", languages=["sw"])
    resp = client.get("/api/v1/entries?kind=model&language=sw&per_page=2&page=2")
    links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', resp.headers["Link"]))
    assert set(links) == {"first", "prev", "next", "last"}
    assert "page=3" in links["last"] and "page=1" in links["prev"] and "page=3" in links["next"]
    assert "kind=model" in links["next"] and "language=sw" in links["next"] and "per_page=2" in links["next"]
    last = client.get(links["last"].removeprefix("http://localhost"))
    assert len(last.get_json()["items"]) == 1 and 'rel="next"' not in last.headers["Link"]


def test_errors_keep_the_envelope(client):
    for resp in (client.get("/api/v1/nowhere"), client.put("/api/v1/entries"),
                 client.get("/api/v1/entries?per_page=500"), client.get("/api/v1/entries/a/b")):
        body = resp.get_json()
        assert resp.status_code in (400, 404, 405) and set(body["error"]) == {"code", "message", "details"}


def test_the_checker_catches_a_response_that_breaks_the_document(openapi_checker):
    good = Response('{"error": {"code": "not_found", "message": "x", "details": {}}}', status=404,
                    mimetype="application/json")
    openapi_checker.check("GET", "/entries/a/b", good)
    broken = Response('{"slug": "a/b"}', status=200, mimetype="application/json")
    with pytest.raises(AssertionError):
        openapi_checker.check("GET", "/entries/a/b", broken)
    wrong_type = Response("hello", status=200, mimetype="text/html")
    with pytest.raises(AssertionError):
        openapi_checker.check("GET", "/entries/a/b/citation", wrong_type)


def test_every_list_has_a_link_header(app, client, api_tokens):
    add_entry(app, "lab/e", name="E")
    for path in ("/api/v1/entries", "/api/v1/sources", "/api/v1/entries/lab/e/revisions", "/api/v1/me/tokens",
                 "/api/v1/proposals"):
        resp = client.get(path, headers=api_tokens["mod"])
        assert resp.status_code == 200 and 'rel="first"' in resp.headers["Link"], path


def test_the_suite_client_checks_api_responses(client):
    from tests.openapi_check import OpenAPIClient

    assert isinstance(client, OpenAPIClient)
    assert isinstance(client.application.test_client(), OpenAPIClient)


def test_a_proposals_changes_have_the_shape_of_the_editable_fields(app, client, api_tokens):
    """`ProposalCreate.changes` names each field a proposal may change, with its type and limit, and no other
    (a client or a generated request learns it from the document); the server keeps to the same shape."""
    from registry.schemas.entries import EDITABLE_FIELDS, LIST_FIELDS

    schemas = openapi_document(app)["components"]["schemas"]
    changes = schemas["ProposalCreate"]["properties"]["changes"]
    ref = next(s["$ref"] for s in changes.get("anyOf", [changes]) if "$ref" in s)
    shape = schemas[ref.rsplit("/", 1)[-1]]
    assert set(shape["properties"]) == set(EDITABLE_FIELDS)
    assert shape["additionalProperties"] is False and shape["minProperties"] == 1
    for name in LIST_FIELDS:
        listed = next(s for s in shape["properties"][name]["anyOf"] if s.get("type") == "array")
        assert listed["items"]["type"] == "string"
    summary = next(s for s in shape["properties"]["summary"]["anyOf"] if s.get("type") == "string")
    assert summary["maxLength"] == 1000
    add_entry(app, "lab/tagger", name="Tagger", license="MIT")
    url, member = "/api/v1/entries/lab/tagger/proposals", api_tokens["member"]
    for wrong in ({"colour": "red"}, {"tags": "nlp"}, {}):
        resp = client.post(url, json={"changes": wrong, "base_revision": 1}, headers=member)
        assert resp.status_code == 422, (wrong, resp.get_data(as_text=True)[:300])
    unknown = client.post(url, json={"changes": {"colour": "red"}, "base_revision": 1}, headers=member)
    assert "changes.colour" in unknown.get_json()["error"]["details"]["fields"]
    made = client.post(url, json={"changes": {"tags": [" nlp "], "summary": "Tags."}, "base_revision": 1},
                       headers=member)
    assert made.status_code == 201
    proposal = client.get(f"/api/v1/proposals/{made.get_json()['id']}", headers=member).get_json()
    assert proposal["changes"] == {"tags": ["nlp"], "summary": "Tags."}


def test_links_lead_from_what_an_answer_made_to_the_operations_on_it(app):
    """Each link names an operation of the document, sets only its path parameters, and takes each from a
    field the answer's shape has (or from the request's own path), so a client — or schemathesis' stateful
    mode — can follow it."""
    doc = openapi_document(app)
    ops = {op["operationId"]: (path, op) for path, methods in doc["paths"].items() for op in methods.values()}
    schemas = doc["components"]["schemas"]
    found = 0
    for path, methods in doc["paths"].items():
        for op in methods.values():
            for status, answer in op["responses"].items():
                for link in answer.get("links", {}).values():
                    found += 1
                    target_path, target = ops[link["operationId"]]
                    names = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
                    assert set(link["parameters"]) <= names, (op["operationId"], link)
                    for expression in link["parameters"].values():
                        if expression.startswith("$request.path."):
                            assert "{" + expression.removeprefix("$request.path.") + "}" in path
                            continue
                        assert expression.startswith("$response.body#/"), expression
                        shape = schemas[answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
                        assert expression.removeprefix("$response.body#/") in shape["properties"], (shape, link)
    assert found >= 15
    made = {o["operationId"] for m in doc["paths"].values() for o in m.values()
            if any(a.get("links") for a in o["responses"].values())}
    assert {"createCollection", "createCommunity", "proposeChange", "createToken"} <= made
