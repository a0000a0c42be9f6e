"""Where existence is private, "not there" and "not yours" are one answer (issue 29, finding 6).

A hidden entry's text is not shown to someone who once proposed a change to it; a submission of a
hidden entry's address does not name it; proposal ids cannot be probed; the push hook's refusals
are alike (tests/api/test_hooks.py).
"""
from __future__ import annotations

import pytest
from sqlmodel import select

from registry.db import write_session
from registry.extensions import limiter
from registry.models import Entry
from registry.services.tokens import create_token
from registry.services.users import create_user
from tests.helpers import add_entry
from tests.views.conftest import login, post_form, text

PATH = "/api/v1/entries/lab/tagger"
SECRET_SUMMARY = "Summary only moderators may read now."


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    yield
    limiter.reset()


@pytest.fixture
def tokens(app):
    add_entry(app, "lab/tagger", name="Tagger Secret Name", summary=SECRET_SUMMARY, license="MIT", language="en")
    out = {}
    with write_session(app) as s:
        for name, role in (("member", "user"), ("other", "user"), ("mod", "moderator")):
            create_user(s, name=name, email=f"{name}@example.org", password="long enough pw", role=role)
            out[name] = {"Authorization": f"Bearer {create_token(s, user_name=name, scope='write')[0]}"}
    return out


def _propose(client, tokens, **body) -> int:
    resp = client.post(PATH + "/proposals", json={"base_revision": 1, **body}, headers=tokens["member"])
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def _hide(client, tokens) -> None:
    assert client.post(PATH + "/hide", json={"reason": "spam"}, headers=tokens["mod"]).status_code == 200


def test_a_proposer_does_not_read_a_hidden_entry_through_the_proposal(app, client, tokens):
    edit = _propose(client, tokens, changes={"summary": "A better summary."})
    translation = _propose(client, tokens, lang="sw", name="Kiweka")
    assert client.get(f"/api/v1/proposals/{edit}", headers=tokens["member"]).get_json()["original"] == {
        "summary": SECRET_SUMMARY}
    _hide(client, tokens)
    for pid in (edit, translation):
        resp = client.get(f"/api/v1/proposals/{pid}", headers=tokens["member"])
        body = resp.get_data(as_text=True)
        assert resp.status_code == 200 and SECRET_SUMMARY not in body and "Tagger Secret Name" not in body
        view = resp.get_json()
        assert view["original"] == {} and view["entry_name"] == "lab/tagger"
    # Their own text and the outcome stay theirs to read.
    assert client.get(f"/api/v1/proposals/{edit}", headers=tokens["member"]).get_json()["changes"] == {
        "summary": "A better summary."}
    mine = client.get("/api/v1/proposals?mine=1", headers=tokens["member"]).get_data(as_text=True)
    assert SECRET_SUMMARY not in mine and "Tagger Secret Name" not in mine
    assert login(client, "member").status_code == 302
    account = client.get("/account")
    assert account.status_code == 200 and "Tagger Secret Name" not in text(account)
    # Moderators still see what they are deciding about.
    seen = client.get(f"/api/v1/proposals/{edit}", headers=tokens["mod"]).get_json()
    assert seen["original"] == {"summary": SECRET_SUMMARY} and seen["entry_name"] == "Tagger Secret Name"


def test_a_proposal_the_caller_may_not_see_is_not_found_like_one_that_does_not_exist(app, client, tokens):
    pid = _propose(client, tokens, changes={"summary": "A better summary."})
    missing = pid + 1000
    for method, path in ((client.get, "/api/v1/proposals/{}"), (client.post, "/api/v1/proposals/{}/accept"),
                         (client.post, "/api/v1/proposals/{}/reject"), (client.post, "/api/v1/proposals/{}/withdraw")):
        theirs = method(path.format(pid), headers=tokens["other"])
        nothing = method(path.format(missing), headers=tokens["other"])
        assert theirs.status_code == nothing.status_code == 404, path
        assert theirs.get_json()["error"]["code"] == nothing.get_json()["error"]["code"] == "not_found"
    # On the page too.
    assert login(client, "other").status_code == 302
    assert post_form(client, "/review", {"accept": "y"}, action=f"/review/{pid}").status_code == 404
    # The author may see it, so refusing them an accept is still a 403 that says why.
    assert client.post(f"/api/v1/proposals/{pid}/accept", headers=tokens["member"]).status_code == 403


def _hidden_entry_at(app, url: str, slug: str = "lab/hidden-tool") -> None:
    add_entry(app, slug, source_url=url, name="Hidden Tool")
    with write_session(app) as s:
        entry = s.exec(select(Entry).where(Entry.slug == slug)).one()
        entry.hidden = True
        s.add(entry)


def test_submitting_a_hidden_entrys_address_does_not_name_it(app, client, tokens, git_repo):
    app.config["HARVEST_ALLOW_LOCAL"] = True
    path = str(git_repo({"README.md": "# Tool\n\nA sample tool.\n"}, name="lab/hidden-tool"))
    _hidden_entry_at(app, path)
    resp = client.post("/api/v1/entries", json={"source_url": path}, headers=tokens["member"])
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "duplicate"
    error = resp.get_json()["error"]
    assert "slug" not in error.get("details", {}) and "as lab/hidden-tool" not in error["message"]
    # The page says the same, with no link to the entry.
    assert login(client, "member").status_code == 302
    page = post_form(client, "/submit", {"url": path})
    assert page.status_code == 409 and "/entries/lab/hidden-tool" not in text(page)
    assert "as lab/hidden-tool" not in text(page)
    # A moderator may see the entry, so they are told which it is.
    staff = client.post("/api/v1/entries", json={"source_url": path}, headers=tokens["mod"])
    assert staff.status_code == 409 and staff.get_json()["error"]["details"]["slug"] == "lab/hidden-tool"


def test_a_server_path_is_refused_alike_whether_or_not_it_is_registered(app, client, tokens, tmp_path):
    registered, unknown = tmp_path / "srv" / "acme" / "tool", tmp_path / "srv" / "acme" / "other"
    _hidden_entry_at(app, str(registered), slug="acme/tool")
    answers = []
    for path in (registered, unknown):
        resp = client.post("/api/v1/entries", json={"source_url": str(path)}, headers=tokens["member"])
        answers.append((resp.status_code, resp.get_json()["error"]["code"]))
        assert "acme/tool" not in str(resp.get_json()["error"]["details"])
    assert answers[0] == answers[1] and answers[0][0] == 422


def test_the_preview_lists_no_hidden_entry_as_a_possible_duplicate(app, client, tokens, git_repo):
    app.config["HARVEST_ALLOW_LOCAL"] = True
    repo = git_repo({"README.md": "# Tool\n\nA sample tool for testing previews of submissions.\n"})
    _hidden_entry_at(app, "https://gitee.com/acme/tool", slug="acme/tool-gitee")
    add_entry(app, "acme/tool-2", source_url="https://codeberg.org/acme/tool", name="Visible Tool")
    assert login(client, "member").status_code == 302
    page = post_form(client, "/submit", {"url": str(repo)})
    assert page.status_code == 200 and "acme/tool-2" in text(page)
    assert "acme/tool-gitee" not in text(page)
