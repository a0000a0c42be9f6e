"""The account page: profile, API tokens shown once, the proposals dashboard, deleting the account."""
from __future__ import annotations

import re

from registry.db import write_session
from registry.services import Actor
from registry.services.proposals import decide_proposal, propose_edit
from tests.views.conftest import PASSWORD, login, post_form, text


def test_profile_changes_the_name_shown(client, people, auth):
    auth("member")
    resp = post_form(client, "/account", {"display_name": "Amina W.", "preferred_language": "SW"},
                     action="/account/profile")
    assert resp.status_code == 302
    html = text(client.get("/account"))
    assert "Your profile is saved." in html and "Amina W." in html and 'value="sw"' in html


def test_profile_refuses_a_bad_language_tag(client, people, auth):
    auth("member")
    resp = post_form(client, "/account", {"display_name": "", "preferred_language": "not a tag"},
                     action="/account/profile")
    assert resp.status_code == 422 and "invalid" in text(resp) and 'aria-invalid="true"' in text(resp)


def test_token_is_shown_once_works_and_can_be_revoked(client, people, auth):
    auth("member")
    resp = post_form(client, "/account", {"name": "orbit-box", "scope": "write", "days": "30"}, action="/account/tokens")
    assert resp.status_code == 201 and "shown only this once" in text(resp)
    token = re.search(r'id="new-token"[^>]*value="([^"]+)"', text(resp)).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    api = client.application.test_client()
    me = api.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.get_json()["token_scope"] == "write"
    again = text(client.get("/account"))
    assert token not in again and token[:12] in again and "orbit-box" in again
    token_id = re.search(r'action="/account/tokens/(\d+)/revoke"', again).group(1)
    assert post_form(client, "/account", {}, action=f"/account/tokens/{token_id}/revoke").status_code == 302
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    assert "orbit-box" not in text(client.get("/account"))


def test_token_revocation_needs_a_csrf_token(client, people, auth):
    auth("member")
    post_form(client, "/account", {"name": "t", "scope": "read", "days": "30"}, action="/account/tokens")
    assert client.post("/account/tokens/1/revoke").status_code == 400


def test_dashboard_shows_outcomes_and_reviewer_notes(app, client, people, auth):
    member = Actor(name="member", user_id=people["member"])
    maint = Actor(name="maint", user_id=people["maint"])
    with write_session(app) as s:
        first = propose_edit(s, slug="lab/tagger", actor=member, changes={"summary": "Clearer."}, base_revision=1).id
        propose_edit(s, slug="lab/tagger", actor=member, changes={"name": "Tagger 2"}, base_revision=1)
    with write_session(app) as s:
        decide_proposal(s, proposal_id=first, actor=maint, accept=False, note="Please cite a source.")
    auth("member")
    html = text(client.get("/account"))
    assert "Your proposals" in html and "rejected" in html and "by maint" in html
    assert "Please cite a source." in html and "waiting for review" in html and "Withdraw" in html


def test_withdrawing_an_open_proposal(app, client, people, auth):
    with write_session(app) as s:
        pid = propose_edit(s, slug="lab/tagger", actor=Actor(name="member", user_id=people["member"]),
                           changes={"summary": "Other."}, base_revision=1).id
    auth("member")
    resp = post_form(client, "/account", {}, action=f"/account/proposals/{pid}/withdraw")
    assert resp.status_code == 302
    assert "withdrawn" in text(client.get("/account"))


def test_delete_account_needs_the_password(client, people, auth):
    auth("member")
    wrong = post_form(client, "/account", {"password": "not it", "confirm": "y"}, action="/account/delete")
    assert wrong.status_code == 422 and "The password is not right." in text(wrong)
    unconfirmed = post_form(client, "/account", {"password": PASSWORD}, action="/account/delete")
    assert unconfirmed.status_code == 422
    assert client.get("/account").status_code == 200
    done = post_form(client, "/account", {"password": PASSWORD, "confirm": "y"}, action="/account/delete")
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert "Your account is deleted" in text(client.get("/"))
    assert client.get("/account").status_code == 302
    assert login(client, "member").status_code == 401
