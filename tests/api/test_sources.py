"""Sources, harvest runs and re-harvests; registering, hiding and restoring entries; translations."""
from __future__ import annotations

from tests.helpers import add_entry, harvest_options, harvest_source


def test_sources_and_runs(app, client, git_repo, api_tokens):
    path = git_repo({"README.md": "# Tool\n\nA tool.\n"})
    harvest_source(app, source=str(path), options=harvest_options(app, operator=True))
    add_entry(app, "lab/remote", name="Remote")
    listing = client.get("/api/v1/sources?per_page=1")
    body = listing.get_json()
    assert body["total"] == 2 and body["page"] == 1 and len(body["items"]) == 1
    assert 'rel="next"' in listing.headers["Link"] and "page=2" in listing.headers["Link"]
    local = body["items"][0]
    assert local["entry"] == "acme/tool" and local["url"] is None  # a server path is for admins only
    admin_view = client.get(f"/api/v1/sources/{local['id']}", headers=api_tokens["root"]).get_json()
    assert admin_view["url"] == str(path)
    assert client.post(f"/api/v1/sources/{local['id']}/reharvest", headers=api_tokens["member"]).status_code == 403
    again = client.post(f"/api/v1/sources/{local['id']}/reharvest", headers=api_tokens["mod"])
    assert again.status_code == 200 and again.get_json()["outcome"] == "unchanged"
    assert again.headers["RateLimit-Limit"] and again.headers["RateLimit-Remaining"]
    runs = client.get(f"/api/v1/sources/{local['id']}/runs").get_json()
    assert [r["outcome"] for r in runs["items"]] == ["unchanged", "created"] and runs["total"] == 2
    assert client.get("/api/v1/sources/999").status_code == 404
    assert client.get("/api/v1/sources/999/runs").status_code == 404
    assert client.get("/api/v1/sources?per_page=101").status_code == 400


def test_register_an_entry_by_url(app, client, git_repo, api_tokens):
    app.config["HARVEST_ALLOW_LOCAL"] = True  # this test's repository is a local path
    path = git_repo({"README.md": "# Wolof Keyboard\n\nA keyboard layout for Wolof.\n"}, name="dakar/clavier")
    assert client.post("/api/v1/entries", json={"source_url": str(path)}).status_code == 401
    resp = client.post("/api/v1/entries", json={"source_url": str(path)}, headers=api_tokens["member"])
    assert resp.status_code == 201 and resp.get_json()["slug"] == "dakar/clavier"
    assert resp.get_json()["name"] == "Wolof Keyboard"
    dup = client.post("/api/v1/entries", json={"source_url": str(path)}, headers=api_tokens["member"])
    assert dup.status_code == 409 and dup.get_json()["error"]["details"]["slug"] == "dakar/clavier"
    assert client.post("/api/v1/entries", json={}, headers=api_tokens["member"]).status_code == 422


def test_hide_and_restore(app, client, api_tokens):
    add_entry(app, "lab/spam", name="Spam")
    path = "/api/v1/entries/lab/spam"
    assert client.post(path + "/hide", json={"reason": "spam"}, headers=api_tokens["member"]).status_code == 403
    assert client.post(path + "/hide", json={}, headers=api_tokens["mod"]).status_code == 422
    hidden = client.post(path + "/hide", json={"reason": "spam"}, headers=api_tokens["mod"])
    assert hidden.status_code == 200 and hidden.get_json()["revision"] == 2
    assert client.get(path).status_code == 404
    assert client.get("/api/v1/entries").get_json()["total"] == 0
    shown = client.post(path + "/restore", headers=api_tokens["mod"])
    assert shown.status_code == 200 and client.get(path).status_code == 200


def test_translations_and_lang(app, client):
    add_entry(app, "lab/asr", name="Mandarin ASR", summary="Speech recognition.", language="en",
              translations={"zh-Hans": {"name": "普通话识别", "summary": "语音识别。", "description": "",
                                        "origin": "README_zh.md"}})
    data = client.get("/api/v1/entries/lab/asr/translations").get_json()
    assert data["language"] == "en" and data["translations"]["zh-Hans"]["name"] == "普通话识别"
    assert data["translations"]["zh-Hans"]["origin"] == "harvested"
    assert client.get("/api/v1/entries/lab/asr?lang=zh-Hans").get_json()["name"] == "普通话识别"
    assert "普通话识别" in client.get("/api/v1/entries/lab/asr/jsonld?lang=zh-Hans").get_data(as_text=True)


def test_write_rate_limit_answers_429_with_headers(app, client, api_tokens):
    app.config["API_WRITE_RATE_LIMIT"] = "3 per minute"
    add_entry(app, "lab/x", name="X")
    statuses = []
    for _ in range(4):
        resp = client.patch("/api/v1/entries/lab/x", json={"summary": "y"}, headers=api_tokens["mod"])
        statuses.append(resp.status_code)
    assert statuses == [428, 428, 428, 429]
    assert resp.get_json()["error"]["code"] == "rate_limited"
    assert resp.headers["RateLimit-Limit"] == "3" and resp.headers["RateLimit-Remaining"] == "0"
    assert 0 < int(resp.headers["RateLimit-Reset"]) <= 60 and resp.headers["RateLimit-Policy"] == "3;w=60"
    # Reads are not limited.
    assert client.get("/api/v1/entries/lab/x").status_code == 200
    assert "RateLimit-Limit" not in client.get("/api/v1/entries/lab/x").headers


def test_lists_show_text_in_the_asked_language(app, client):
    add_entry(app, "lab/asr", name="Mandarin ASR", summary="Speech recognition.", language="en",
              translations={"zh-Hans": {"name": "普通话识别", "summary": "语音识别。", "description": "",
                                        "origin": "README_zh.md"}})
    add_entry(app, "lab/other", name="Other", summary="No translation.", language="en")
    rows = {i["slug"]: i for i in client.get("/api/v1/entries?lang=zh").get_json()["items"]}
    assert rows["lab/asr"]["name"] == "普通话识别" and rows["lab/asr"]["summary"] == "语音识别。"
    assert rows["lab/other"]["name"] == "Other"
    plain = {i["slug"]: i for i in client.get("/api/v1/entries").get_json()["items"]}
    assert plain["lab/asr"]["name"] == "Mandarin ASR"
