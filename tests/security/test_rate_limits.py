"""Rate limits count per account (a token's owner or the signed-in person) or per address, never per token.

An account may make any number of tokens, so a limit counted per token was no limit; and a
registration costs the same fetch and harvest whether it comes from `/submit` or `POST
/api/v1/entries`, so both draw on one allowance.
"""
from __future__ import annotations

import pytest

from registry.db import write_session
from registry.extensions import limiter
from registry.services.tokens import create_token
from registry.services.users import create_user
from tests.helpers import add_entry
from tests.views.conftest import login, post_form, text

README = "# Word Splitter\n\nA sample tool that splits Amharic and Tigrinya text into words, written for tests.\n"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    yield
    limiter.reset()


def _tokens(app, name: str, count: int) -> list[dict[str, str]]:
    """Make the account ``name`` and ``count`` write tokens for it."""
    with write_session(app) as s:
        create_user(s, name=name, email=f"{name}@example.org", password="long enough pw")
        tokens = [create_token(s, user_name=name, scope="write", name=f"t{i}")[0] for i in range(count)]
    return [{"Authorization": f"Bearer {t}"} for t in tokens]


def test_new_tokens_of_one_account_share_its_write_allowance(app, client):
    app.config["API_WRITE_RATE_LIMIT"] = "3 per minute"
    add_entry(app, "lab/x", name="X")
    three, spare = _tokens(app, "amina", 3), _tokens(app, "bola", 1)[0]
    # A plain account may not edit directly (403) — but the write is counted first.
    statuses = [client.patch("/api/v1/entries/lab/x", json={"summary": "y"}, headers=h).status_code for h in three]
    assert statuses == [403, 403, 403]
    with write_session(app) as s:
        fourth = {"Authorization": f"Bearer {create_token(s, user_name='amina', scope='write')[0]}"}
    refused = client.patch("/api/v1/entries/lab/x", json={"summary": "y"}, headers=fourth)
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    # Another account has its own allowance.
    assert client.patch("/api/v1/entries/lab/x", json={"summary": "y"}, headers=spare).status_code == 403


def test_a_token_that_is_not_valid_counts_against_the_address(app, client):
    app.config["API_WRITE_RATE_LIMIT"] = "2 per minute"
    add_entry(app, "lab/x", name="X")
    answers = [client.patch("/api/v1/entries/lab/x", json={"summary": "y"},
                            headers={"Authorization": f"Bearer acr_made-up-{i}"}).status_code for i in range(3)]
    assert answers == [401, 401, 429]


@pytest.fixture
def local_app(app):
    app.config["HARVEST_ALLOW_LOCAL"] = True
    app.config["SUBMIT_RATE_LIMIT"] = "2 per hour"
    return app


def test_the_api_and_the_submit_page_draw_on_one_allowance(local_app, client, git_repo):
    repo = git_repo({"README.md": README, "LICENSE": "MIT License\n"}, name="horn-nlp/word-splitter")
    other = git_repo({"README.md": README.replace("Word Splitter", "Word Joiner")}, name="horn-nlp/word-joiner")
    token = _tokens(local_app, "amina", 1)[0]
    assert login(client, "amina").status_code == 302
    assert post_form(client, "/submit", {"url": str(repo)}).status_code == 200  # the preview: one
    assert client.post("/api/v1/entries", json={"source_url": str(other)}, headers=token).status_code == 201  # two
    page = post_form(client, "/submit", {"url": str(repo)})
    assert page.status_code == 429 and "many projects" in text(page)
    api = client.post("/api/v1/entries", json={"source_url": str(repo)}, headers=token)
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "rate_limited"
    # A second token of the same account is no way around it.
    with write_session(local_app) as s:
        again = {"Authorization": f"Bearer {create_token(s, user_name='amina', scope='write')[0]}"}
    assert client.post("/api/v1/entries", json={"source_url": str(repo)}, headers=again).status_code == 429


def test_two_accounts_do_not_share_the_submission_allowance(local_app, client, git_repo):
    repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
    first, second = _tokens(local_app, "amina", 1)[0], _tokens(local_app, "bola", 1)[0]
    bad = {"source_url": "ftp://example.org/x"}  # refused (422) after it is counted
    assert [client.post("/api/v1/entries", json=bad, headers=first).status_code for _ in range(3)] == [422, 422, 429]
    assert client.post("/api/v1/entries", json={"source_url": str(repo)}, headers=second).status_code == 201


def test_a_registration_on_the_page_draws_one_from_the_allowance(local_app, client, git_repo):
    """A preview and its confirmation are one registration: two fit in an allowance of two."""
    repos = [git_repo({"README.md": README.replace("Splitter", name)}, name=f"horn-nlp/word-{name.lower()}")
             for name in ("Splitter", "Joiner", "Counter")]
    _tokens(local_app, "amina", 0)
    assert login(client, "amina").status_code == 302
    for repo in repos[:2]:
        assert post_form(client, "/submit", {"url": str(repo)}).status_code == 200
        confirmed = post_form(client, "/submit", {"url": str(repo)}, action="/submit/confirm")
        assert confirmed.status_code == 302, text(confirmed)
    page = post_form(client, "/submit", {"url": str(repos[2])})
    assert page.status_code == 429 and "many projects" in text(page)


def test_a_preview_pays_for_one_confirmation_only(local_app, client, git_repo):
    """Confirming again, or confirming an address no preview paid for, draws like any registration."""
    repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
    other = git_repo({"README.md": README.replace("Splitter", "Joiner")}, name="horn-nlp/word-joiner")
    _tokens(local_app, "amina", 0)
    assert login(client, "amina").status_code == 302
    assert post_form(client, "/submit", {"url": str(repo)}).status_code == 200  # one
    assert post_form(client, "/submit", {"url": str(repo)}, action="/submit/confirm").status_code == 302  # paid
    again = post_form(client, "/submit", {"url": str(repo)}, action="/submit/confirm")
    assert again.status_code == 409  # a duplicate, and it drew the second
    unpaid = post_form(client, "/submit", {"url": str(other)}, action="/submit/confirm")
    assert unpaid.status_code == 429
