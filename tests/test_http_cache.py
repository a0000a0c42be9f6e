"""Caching: anonymous reads get validators and 304s; personal pages are private; static files are fingerprinted."""
from __future__ import annotations

import re

from tests.helpers import add_entry


def test_anonymous_entry_page_and_api_read_answer_304_when_unchanged(app, client):
    add_entry(app, "lab/tagger", name="Tagger")
    for path in ("/entries/lab/tagger", "/api/v1/entries/lab/tagger", "/api/v1/entries"):
        first = client.get(path)
        assert first.status_code == 200 and first.headers["ETag"]
        assert "public" in first.headers["Cache-Control"] and "Cookie" in first.headers["Vary"]
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""


def test_a_change_gives_a_new_etag(app, client):
    add_entry(app, "lab/tagger", name="Tagger")
    etag = client.get("/api/v1/entries/lab/tagger").headers["ETag"]
    add_entry(app, "lab/other", name="Other")
    assert client.get("/api/v1/entries", headers={"If-None-Match": etag}).status_code == 200


def test_pages_vary_on_language_and_token_reads_are_private(app, client):
    add_entry(app, "lab/tagger", name="Tagger")
    page = client.get("/")
    assert "Accept-Language" in page.headers["Vary"]
    api = client.get("/api/v1/entries", headers={"Authorization": "Bearer nope"})
    assert api.status_code == 401
    with client.session_transaction() as sess:
        sess["ui"] = "sw"
    personal = client.get("/")
    assert "private" in personal.headers["Cache-Control"] and "public" not in personal.headers["Cache-Control"]


def test_static_files_are_fingerprinted_and_cached_long(client):
    html = client.get("/").get_data(as_text=True)
    href = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{12})"', html).group(1)
    resp = client.get(href)
    assert resp.status_code == 200 and "immutable" in resp.headers["Cache-Control"]
    assert "max-age=31536000" in resp.headers["Cache-Control"]
    resp.close()
