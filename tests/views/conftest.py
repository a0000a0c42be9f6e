"""Helpers for page tests with CSRF on: read the token from a page, post forms, sign in."""
from __future__ import annotations

import re

import pytest
from sqlmodel import select

from registry.db import write_session
from registry.extensions import limiter
from registry.models import Entry, Maintainer
from registry.services.users import create_user
from tests.helpers import add_entry

PASSWORD = "long enough pw"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Counters are per app already (each app gets new in-memory storage); reset them anyway."""
    yield
    limiter.reset()


def csrf_token(client, path: str) -> str:
    """GET a page and return the CSRF token of its first form."""
    resp = client.get(path)
    match = _TOKEN.search(resp.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({resp.status_code})"
    return match.group(1)


def post_form(client, page: str, data: dict, action: str | None = None, **kw):
    """Post ``data`` to ``action`` (default: the page) with the CSRF token the page carries."""
    return client.post(action or page, data={"csrf_token": csrf_token(client, page), **data}, **kw)


def login(client, name: str, password: str = PASSWORD):
    """Sign in through the form; return the response (a redirect when it worked)."""
    return post_form(client, "/login", {"name": name, "password": password})


def text(resp) -> str:
    return resp.get_data(as_text=True)


@pytest.fixture
def auth(client):
    """Sign in as someone: ``auth("maint")``."""

    def sign_in(name: str, password: str = PASSWORD):
        resp = login(client, name, password)
        assert resp.status_code == 302, text(resp)[:500]
        return resp

    return sign_in


@pytest.fixture
def people(app):
    """The entry lab/tagger with a member, a maintainer of it, a moderator and an admin."""
    add_entry(app, "lab/tagger", name="Tagger", summary="Tags words.", license="MIT", language="en",
              description="# Tagger\n\nTags words in sentences.\n")
    with write_session(app) as s:
        ids = {}
        for name, role in (("member", "user"), ("maint", "user"), ("mod", "moderator"), ("root", "admin")):
            ids[name] = create_user(s, name=name, email=f"{name}@example.org", password=PASSWORD, role=role).id
        entry = s.exec(select(Entry).where(Entry.slug == "lab/tagger")).one()
        s.add(Maintainer(user_id=ids["maint"], entry_id=entry.id, via="admin"))
    return ids
