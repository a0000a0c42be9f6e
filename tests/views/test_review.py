"""The review queue: who sees what, the original beside the proposal, accept and reject with a note."""
from __future__ import annotations

import pytest

from registry.db import write_session
from registry.services import Actor
from registry.services.editing import set_hidden
from registry.services.proposals import propose_edit, submit_translation
from tests.helpers import add_entry
from tests.views.conftest import login, post_form, text


@pytest.fixture
def proposals(app, people):
    """A translation and an edit of lab/tagger by the member, and an edit of another entry."""
    add_entry(app, "other/thing", name="Other Thing", summary="Something else.", language="en")
    member = Actor(name="member", user_id=people["member"])
    with write_session(app) as s:
        tr = submit_translation(s, slug="lab/tagger", actor=member, lang="sw", base_revision=1,
                                text={"name": "Kiweka lebo", "summary": "Huweka lebo maneno.", "description": ""})
        ed = propose_edit(s, slug="lab/tagger", actor=member, changes={"summary": "Tags <b>words</b>."},
                          base_revision=1, note="clearer")
        other = propose_edit(s, slug="other/thing", actor=member, changes={"summary": "Changed."}, base_revision=1)
        return {"translation": tr.id, "edit": ed.id, "other": other.id}


def test_queue_needs_an_account(client):
    resp = client.get("/review")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login?next=%2Freview"


def test_members_have_nothing_to_review(client, proposals, auth):
    auth("member")
    html = text(client.get("/review"))
    assert "Nothing is waiting for review." in html


def test_maintainer_sees_their_entries_side_by_side(client, proposals, auth):
    auth("maint")
    html = text(client.get("/review"))
    assert "Translation of Tagger into Swahili" in html and "Edit of Tagger" in html
    assert "Other Thing" not in html
    assert "Kiweka lebo" in html and 'lang="sw"' in html
    assert "Tags words." in html and "Tags &lt;b&gt;words&lt;/b&gt;." in html  # original beside proposed, escaped
    assert "Author's note: clearer" in html and 'for="note-%d"' % proposals["edit"] in html


def test_moderator_sees_every_proposal(client, proposals, auth):
    auth("mod")
    html = text(client.get("/review"))
    assert "Other Thing" in html and "Edit of Tagger" in html


def test_accepting_a_translation_publishes_it_with_the_reviewer(client, proposals, auth):
    auth("maint")
    resp = post_form(client, "/review", {"note": "Asante!", "accept": "1"}, action=f"/review/{proposals['translation']}")
    assert resp.status_code == 302 and resp.headers["Location"] == "/review"
    html = text(client.get("/review"))
    assert "accepted" in html and "Kiweka lebo" not in html
    entry = text(client.get("/entries/lab/tagger?lang=sw"))
    assert "Kiweka lebo" in entry and "Community translation into Swahili" in entry and "reviewed by maint" in entry


def test_rejecting_with_a_note_reaches_the_author(app, client, proposals, auth):
    auth("maint")
    post_form(client, "/review", {"note": "Not accurate.", "reject": "1"}, action=f"/review/{proposals['edit']}")
    post_form(client, "/review", {}, action="/logout")
    auth("member")
    html = text(client.get("/account"))
    assert "rejected" in html and "Not accurate." in html
    assert "Tags words." in text(client.get("/entries/lab/tagger"))


def test_deciding_twice_is_explained(client, proposals, auth):
    auth("maint")
    url = f"/review/{proposals['edit']}"
    post_form(client, "/review", {"accept": "1"}, action=url)
    resp = post_form(client, "/review", {"reject": "1"}, action=url)
    assert resp.status_code == 302
    assert "already accepted" in text(client.get("/review"))


def test_members_cannot_decide(client, proposals, auth):
    auth("member")
    resp = post_form(client, "/review", {"accept": "1"}, action=f"/review/{proposals['edit']}")
    assert resp.status_code == 403


def test_deciding_needs_a_csrf_token(client, proposals, auth):
    auth("maint")
    assert client.post(f"/review/{proposals['edit']}", data={"accept": "1"}).status_code == 400
    assert "Edit of Tagger" in text(client.get("/review"))


def test_a_hidden_entrys_proposals_wait_for_moderators(app, client, proposals, auth):
    with write_session(app) as s:
        set_hidden(s, slug="lab/tagger", actor=Actor("mod", role="moderator"), hidden=True, reason="spam check")
    auth("maint")
    assert "Kiweka lebo" not in text(client.get("/review"))
    resp = post_form(client, "/review", {"note": "", "accept": "1"}, action=f"/review/{proposals['translation']}")
    assert resp.status_code in (302, 404)
    moderator = app.test_client()
    assert login(moderator, "mod").status_code == 302
    html = text(moderator.get("/review"))
    assert "Kiweka lebo" in html  # still open: the maintainer's accept did nothing
