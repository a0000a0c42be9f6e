"""The JSON API's entry routes: shapes, errors and filters of DESIGN.md's contract."""
from __future__ import annotations

from tests.helpers import add_entry

ENTRY_FIELDS = {"slug", "kind", "name", "summary", "description", "language", "languages", "license", "tasks", "tags",
                "frameworks", "region", "homepage", "source_url", "version", "authors", "citation", "translations",
                "relations", "provenance", "stale", "revision", "updated_at"}


def test_list_shape_and_facets(app, client):
    add_entry(app, "lab/a", kind="model", license="MIT", languages=["yo"])
    add_entry(app, "lab/b", kind="dataset", license="CC0-1.0", languages=["yo", "ha"])
    resp = client.get("/api/v1/entries?language=yo&per_page=1")
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"items", "total", "page", "per_page", "facets"}
    assert body["total"] == 2 and body["per_page"] == 1 and len(body["items"]) == 1
    assert body["facets"]["kind"] == {"model": 1, "dataset": 1}
    assert body["facets"]["language"] == {"yo": 2, "ha": 1}


def test_entry_shape(app, client):
    add_entry(app, "Lab/Tagger", kind="model", license="MIT", languages=["yo"], language="en",
              summary="A tagger.")
    resp = client.get("/api/v1/entries/lab/tagger")
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == ENTRY_FIELDS
    assert body["slug"] == "lab/tagger" and isinstance(body["revision"], int) and body["revision"] == 1
    assert body["provenance"]["license"]["origin"] == "README.md"
    assert body["translations"] == {} and body["relations"] == [] and body["stale"] is False


def test_unknown_entry_and_route_use_the_error_envelope(client):
    resp = client.get("/api/v1/entries/no-such/entry")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"
    assert "no-such/entry" in resp.get_json()["error"]["message"]
    assert client.get("/api/v1/nothing-here").get_json()["error"]["code"] == "not_found"


def test_bad_parameter_is_a_400_with_the_parameter_named(client):
    resp = client.get("/api/v1/entries?per_page=500")
    assert resp.status_code == 400
    err = resp.get_json()["error"]
    assert err["code"] == "invalid_parameter" and err["details"] == {"parameter": "per_page"}


def test_lang_parameter(app, client):
    add_entry(app, "lab/zh", name="模型", summary="中文简介", language="zh-Hans", translations={
        "en": {"name": "Model", "summary": "English summary", "description": "", "origin": "README_EN.md"}})
    body = client.get("/api/v1/entries/lab/zh?lang=en").get_json()
    assert (body["name"], body["summary"], body["language"]) == ("Model", "English summary", "zh-Hans")
    assert body["translations"]["en"]["origin"] == "harvested"
