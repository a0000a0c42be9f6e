"""API writes: bearer tokens, scopes, optimistic locking, history, revert and proposals."""
from __future__ import annotations

import pytest
from sqlmodel import select

from registry.db import write_session
from registry.models import Entry, Maintainer, User
from registry.services.tokens import create_token
from registry.services.users import create_user, login_user_for
from tests.helpers import add_entry

PATH = "/api/v1/entries/lab/tagger"


@pytest.fixture
def tokens(app):
    """Write tokens for a member, a maintainer and a moderator, and a read token for the moderator."""
    add_entry(app, "lab/tagger", name="Tagger", summary="Tags words.", language="en")
    out = {}
    with write_session(app) as s:
        for name, role in (("member", "user"), ("maint", "user"), ("mod", "moderator")):
            create_user(s, name=name, email=f"{name}@example.org", password="long enough pw", role=role)
            out[name] = {"Authorization": f"Bearer {create_token(s, user_name=name, scope='write')[0]}"}
        out["mod-read"] = {"Authorization": f"Bearer {create_token(s, user_name='mod', scope='read')[0]}"}
        entry = s.exec(select(Entry)).one()
        maint = s.exec(select(User).where(User.name == "maint")).one()
        s.add(Maintainer(user_id=maint.id, entry_id=entry.id, via="admin"))
    return out


def test_patch_status_codes(client, tokens):
    assert client.patch(PATH, json={"summary": "x", "base_revision": 1}).status_code == 401
    bad = client.patch(PATH, json={"summary": "x", "base_revision": 1}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "unauthorized"
    assert client.patch(PATH, json={"summary": "x", "base_revision": 1}, headers=tokens["mod-read"]).status_code == 403
    assert client.patch(PATH, json={"summary": "x", "base_revision": 1}, headers=tokens["member"]).status_code == 403
    missing = client.patch(PATH, json={"summary": "x"}, headers=tokens["mod"])
    assert missing.status_code == 428 and missing.get_json()["error"]["code"] == "precondition_required"
    ok = client.patch(PATH, json={"summary": "Edited.", "base_revision": 1}, headers=tokens["maint"])
    assert ok.status_code == 200 and ok.get_json()["revision"] == 2 and ok.get_json()["summary"] == "Edited."
    stale = client.patch(PATH, json={"summary": "Other.", "base_revision": 1}, headers=tokens["mod"])
    assert stale.status_code == 409
    assert stale.get_json()["error"]["details"]["current"]["summary"] == "Edited."


def test_patch_validation_and_bad_json(client, tokens):
    resp = client.patch(PATH, json={"kind": "robot", "base_revision": 1}, headers=tokens["mod"])
    assert resp.status_code == 422 and resp.get_json()["error"]["details"]["fields"] == {"kind": "one of model, dataset, project"}
    resp = client.patch(PATH, data="{not json", headers={**tokens["mod"], "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_json"


def test_browser_session_cookie_cannot_write_through_the_api(app, client, tokens):
    with app.app_context(), write_session(app) as s:
        signed_in = login_user_for(s.exec(select(User).where(User.name == "mod")).one()).get_id()
    with client.session_transaction() as sess:
        sess["_user_id"] = signed_in  # the moderator, signed in with a cookie
    assert client.get("/account").status_code == 200  # the cookie is a real session for pages
    assert client.patch(PATH, json={"summary": "x", "base_revision": 1}).status_code == 401


def test_revisions_and_revert(client, tokens):
    client.patch(PATH, json={"summary": "Wrong.", "base_revision": 1}, headers=tokens["mod"])
    revs = client.get(PATH + "/revisions").get_json()
    assert [r["revision"] for r in revs["items"]] == [2, 1]
    assert revs["items"][0]["author"] == "mod" and revs["items"][0]["changes"] == ["summary"]
    resp = client.post(PATH + "/revert", json={"revision": 1, "base_revision": 2}, headers=tokens["maint"])
    assert resp.status_code == 200 and resp.get_json()["summary"] == "Tags words." and resp.get_json()["revision"] == 3
    assert client.post(PATH + "/revert", json={"revision": 1, "base_revision": 3},
                       headers=tokens["member"]).status_code == 403


def test_proposal_flow(client, tokens):
    resp = client.post(PATH + "/proposals", json={"lang": "sw", "name": "Kiweka Lebo", "base_revision": 1},
                       headers=tokens["member"])
    assert resp.status_code == 201
    pid = resp.get_json()["id"]
    queue = client.get("/api/v1/proposals", headers=tokens["maint"]).get_json()
    assert [p["id"] for p in queue["items"]] == [pid] and queue["items"][0]["original"]["name"] == "Tagger"
    assert client.post(f"/api/v1/proposals/{pid}/accept", headers=tokens["member"]).status_code == 403
    done = client.post(f"/api/v1/proposals/{pid}/accept", json={"note": "asante"}, headers=tokens["maint"])
    assert done.status_code == 200 and done.get_json()["status"] == "accepted"
    entry = client.get(PATH + "?lang=sw").get_json()
    assert entry["name"] == "Kiweka Lebo" and entry["translations"]["sw"]["reviewed_by"] == "maint"
    mine = client.get("/api/v1/proposals?mine=1", headers=tokens["member"]).get_json()
    assert mine["items"][0]["note"] == "asante"


def test_tokens_for_me(client, tokens):
    me = client.get("/api/v1/me", headers=tokens["member"]).get_json()
    assert me["name"] == "member" and me["token_scope"] == "write"
    created = client.post("/api/v1/me/tokens", json={"scope": "read", "name": "laptop"}, headers=tokens["member"])
    assert created.status_code == 201 and created.get_json()["token"].startswith("acr_")
    listed = client.get("/api/v1/me/tokens", headers=tokens["member"]).get_json()
    assert sorted(t["name"] for t in listed["items"]) == ["", "laptop"]
    assert all("token" not in t for t in listed["items"])
    new_id = created.get_json()["id"]
    assert client.delete(f"/api/v1/me/tokens/{new_id}", headers=tokens["member"]).status_code == 204
    revoked = {"Authorization": f"Bearer {created.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=revoked).status_code == 401
    assert client.get("/api/v1/me").status_code == 401

