"""Registering a project from the web: preview with origins, confirm, duplicates and mirrors, refusals."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from registry.db import get_engine
from registry.models import Entry, Source
from tests.helpers import add_entry
from tests.views.conftest import post_form, text

README = "# Word Splitter\n\nA sample tool that splits Amharic and Tigrinya text into words, written for tests.\n"


@pytest.fixture
def local_app(app):
    app.config["HARVEST_ALLOW_LOCAL"] = True
    return app


def _count(app, model) -> int:
    with Session(get_engine(app)) as s:
        return s.exec(sa.select(sa.func.count()).select_from(model)).one()[0]


def test_submit_needs_an_account(client):
    resp = client.get("/submit")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login?next=%2Fsubmit"


def test_preview_then_confirm(local_app, client, people, auth, git_repo):
    repo = git_repo({"README.md": README, "LICENSE": "MIT License\n"}, name="horn-nlp/word-splitter")
    auth("member")
    page = client.get("/submit")
    assert page.status_code == 200 and '<label for="url">' in text(page)
    preview = post_form(client, "/submit", {"url": str(repo)})
    html = text(preview)
    assert preview.status_code == 200 and "What we found" in html
    assert "Word Splitter" in html and "<code>README.md</code>" in html
    assert _count(local_app, Entry) == 1 and _count(local_app, Source) == 1  # only lab/tagger: nothing written
    resp = post_form(client, "/submit", {"url": str(repo)}, action="/submit/confirm")
    assert resp.status_code == 302 and resp.headers["Location"] == "/entries/horn-nlp/word-splitter"
    assert "horn-nlp/word-splitter is registered" in text(client.get(resp.headers["Location"]))
    with Session(get_engine(local_app)) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "horn-nlp/word-splitter")).one()
    assert entry.submitted_by_id == people["member"]


def test_a_registered_source_links_to_the_existing_entry(local_app, client, people, auth, git_repo):
    repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
    auth("member")
    post_form(client, "/submit", {"url": str(repo)}, action="/submit/confirm")
    resp = post_form(client, "/submit", {"url": str(repo)})
    html = text(resp)
    assert resp.status_code == 409 and "already registered" in html
    assert 'href="/entries/horn-nlp/word-splitter"' in html


def test_a_possible_mirror_is_flagged(local_app, client, people, auth, git_repo):
    add_entry(local_app, "horn-nlp/word-splitter", source_url="https://gitee.com/horn-nlp/word-splitter")
    repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
    auth("member")
    html = text(post_form(client, "/submit", {"url": str(repo)}))
    assert "may be the same project" in html and 'href="/entries/horn-nlp/word-splitter"' in html


def test_local_paths_are_refused_unless_the_operator_allows_them(app, client, people, auth, git_repo):
    repo = git_repo({"README.md": README})
    auth("member")
    resp = post_form(client, "/submit", {"url": str(repo)})
    html = text(resp)
    assert resp.status_code == 422 and 'id="url-error"' in html and "local" in html.lower()
    assert _count(app, Source) == 1


def test_an_empty_address_is_explained(client, people, auth):
    auth("member")
    resp = post_form(client, "/submit", {"url": ""})
    assert resp.status_code == 422 and 'aria-invalid="true"' in text(resp)


def test_submit_needs_a_csrf_token(local_app, client, people, auth, git_repo):
    repo = git_repo({"README.md": README})
    auth("member")
    assert client.post("/submit", data={"url": str(repo)}).status_code == 400
    assert client.post("/submit/confirm", data={"url": str(repo)}).status_code == 400
    assert _count(local_app, Entry) == 1


def test_submissions_are_rate_limited(local_app, client, people, auth, git_repo):
    local_app.config["SUBMIT_RATE_LIMIT"] = "2 per hour"
    repo = git_repo({"README.md": README})
    auth("member")
    assert post_form(client, "/submit", {"url": str(repo)}).status_code == 200
    assert post_form(client, "/submit", {"url": str(repo)}).status_code == 200
    resp = post_form(client, "/submit", {"url": str(repo)})
    assert resp.status_code == 429 and "many projects" in text(resp)
