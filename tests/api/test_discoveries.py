"""Discoveries through the API: list and read them (anyone), add one (admins, moderators, a collection's
curators), runs and found items, and discovered sources in GET /sources with ``discovered_by``."""
from __future__ import annotations

from harvesters.listers import reset_politeness
from registry.config import lister_settings
from registry.db import sessions
from registry.services.discovery import run_discovery
from tests.harvesters import fake_apis as fa


def test_add_list_run_and_read_a_discovery(app, client, api_tokens):
    reset_politeness()
    fake = fa.github({"acme": [fa.forge_repo(i, "acme") for i in range(1, 5)]}).start()
    app.config.update(GITHUB_API_URL=fake.base, HARVEST_ALLOW_PRIVATE=True, DISCOVERY_HOST_INTERVAL=0,
                      GITHUB_TOKEN="ghp_api_test_token")
    try:
        body = {"kind": "github", "target": "org:acme"}
        assert client.post("/api/v1/discoveries", json=body).status_code == 401
        assert client.post("/api/v1/discoveries", json=body, headers=api_tokens["member"]).status_code == 403
        bad = client.post("/api/v1/discoveries", json={"kind": "github", "target": "acme"}, headers=api_tokens["root"])
        assert bad.status_code == 422 and bad.get_json()["error"]["details"]["fields"]["target"]
        assert client.post("/api/v1/discoveries", json={"kind": 3}, headers=api_tokens["root"]).status_code == 422
        made = client.post("/api/v1/discoveries", json=body, headers=api_tokens["mod"])
        assert made.status_code == 201
        discovery = made.get_json()
        assert discovery["kind"] == "github" and discovery["last_run"] is None and discovery["found"] == 0
        assert client.post("/api/v1/discoveries", json=body, headers=api_tokens["root"]).status_code == 409

        run_discovery(sessions(app), discovery_id=discovery["id"], settings=lister_settings(app.config))
    finally:
        fake.stop()
    listing = client.get("/api/v1/discoveries").get_json()
    assert listing["total"] == 1 and listing["items"][0]["found"] == 4
    assert listing["items"][0]["last_run"]["status"] == "complete"
    runs = client.get(f"/api/v1/discoveries/{discovery['id']}/runs").get_json()
    assert runs["items"][0]["new"] == 4 and runs["items"][0]["pages"] == 1
    items = client.get(f"/api/v1/discoveries/{discovery['id']}/items").get_json()
    assert items["total"] == 4 and items["items"][0]["evidence"]["license"] == "MIT"
    assert items["items"][0]["provenance"]["lister"] == "github"
    sources = client.get("/api/v1/sources").get_json()["items"]
    assert {s["discovered_by"]["target"] for s in sources} == {"org:acme"}
    assert all(s["gone_at"] is None and s["entry"] is None for s in sources)
    everything = client.get("/api/v1/discoveries").get_data(as_text=True) + str(sources)
    assert "ghp_api_test_token" not in everything
    assert client.get("/api/v1/discoveries/999").status_code == 404
    assert client.get("/api/v1/discoveries/999/runs").status_code == 404
    assert client.get(f"/api/v1/discoveries/{discovery['id']}/items?review=maybe").status_code == 400


def test_the_documented_lister_kinds_are_the_registered_ones(app):
    from harvesters.listers import LISTER_KINDS, lister_kinds
    from registry.api.openapi import openapi_document

    schema = openapi_document(app)["components"]["schemas"]["DiscoveryCreate"]["properties"]["kind"]
    assert sorted(schema["enum"]) == sorted(LISTER_KINDS) == lister_kinds()
