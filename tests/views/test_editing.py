"""Entry pages for contributors: edit or propose, 409 on a stale edit, translate, history, revert, hide, claim."""
from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from registry.db import get_engine, write_session
from registry.models import Entry, Proposal
from registry.services import Actor
from registry.services.editing import edit_entry
from tests.views.conftest import csrf_token, post_form, text

EDIT = "/entries/lab/tagger/edit"
FIELDS = {"kind": "project", "name": "Tagger", "summary": "Tags words.",
          "description": "# Tagger\n\nTags words in sentences.\n", "language": "en", "languages": "",
          "license": "MIT", "tasks": "", "tags": "", "frameworks": "", "region": "", "homepage": "", "version": "",
          "note": ""}


def _entry(app) -> Entry:
    with Session(get_engine(app)) as s:
        return s.exec(select(Entry).where(Entry.slug == "lab/tagger")).one()


def _edit(client, base_revision=1, **changes):
    return post_form(client, EDIT, {**FIELDS, "base_revision": str(base_revision), **changes})


def test_entry_page_links_to_contributing(client, people):
    html = text(client.get("/entries/lab/tagger"))
    for path in ("edit", "translate", "history", "claim"):
        assert f'href="/entries/lab/tagger/{path}"' in html


def test_editing_needs_an_account(client, people):
    resp = client.get(EDIT)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=")


def test_maintainer_edits_directly(app, client, people, auth):
    auth("maint")
    page = client.get(EDIT)
    html = text(page)
    assert page.status_code == 200 and 'name="base_revision" type="hidden" value="1"' in html
    assert '<label for="summary">Summary</label>' in html and "Tags words." in html
    resp = _edit(client, summary="Tags words in Yoruba and Hausa.", languages="yo, HA", note="more precise")
    assert resp.status_code == 302 and resp.headers["Location"] == "/entries/lab/tagger"
    entry = _entry(app)
    assert entry.summary == "Tags words in Yoruba and Hausa." and entry.languages == ["yo", "ha"]
    assert entry.revision == 2 and entry.provenance["summary"] == {"edited_by": "maint"}
    page = text(client.get("/entries/lab/tagger"))
    assert "Saved as revision 2." in page and "edited by maint" in page


def test_member_edit_becomes_a_proposal(app, client, people, auth):
    auth("member")
    html = text(client.get(EDIT))
    assert "Propose a change to Tagger" in html and "Send the proposal" in html
    resp = _edit(client, summary="A better summary.")
    assert resp.status_code == 302
    assert "waiting for review" in text(client.get("/entries/lab/tagger"))
    assert _entry(app).summary == "Tags words." and _entry(app).revision == 1
    with Session(get_engine(app)) as s:
        [proposal] = s.exec(select(Proposal)).all()
    assert proposal.changes == {"summary": "A better summary."}  # only what changed travels


def test_stale_edit_shows_both_versions_with_409(app, client, people, auth):
    with write_session(app) as s:
        edit_entry(s, slug="lab/tagger", actor=Actor(name="mod", role="moderator", user_id=people["mod"]),
                   changes={"summary": "The moderator's summary."}, base_revision=1)
    auth("maint")
    resp = _edit(client, base_revision=1, summary="The maintainer's summary.")
    html = text(resp)
    assert resp.status_code == 409
    assert "Someone changed this entry while you were working" in html
    assert "Your version" in html and "Current version (revision 2)" in html
    assert "The maintainer&#39;s summary." in html and "The moderator&#39;s summary." in html
    assert _entry(app).summary == "The moderator's summary."


def test_member_proposal_on_a_stale_base_is_409_too(app, client, people, auth):
    with write_session(app) as s:
        edit_entry(s, slug="lab/tagger", actor=Actor(name="maint", user_id=people["maint"]),
                   changes={"name": "Tagger Pro"}, base_revision=1)
    auth("member")
    assert _edit(client, base_revision=1, summary="Mine.").status_code == 409


def test_missing_base_revision_is_428(client, people, auth):
    auth("maint")
    resp = post_form(client, EDIT, {**FIELDS, "summary": "x"})
    assert resp.status_code == 428 and "base_revision" in text(resp)


def test_invalid_values_are_shown_on_their_fields(app, client, people, auth):
    auth("maint")
    resp = _edit(client, license="Not A Licence", region="Atlantis")
    html = text(resp)
    assert resp.status_code == 422 and 'id="license-error"' in html and 'id="region-error"' in html
    assert 'aria-describedby="license-hint license-error"' in html
    assert _entry(app).revision == 1


@pytest.mark.parametrize("licence", ["€", "MIT AND", "Apache-2.0 WITH €"])
def test_a_licence_the_spdx_library_cannot_read_is_shown_on_its_field(app, client, people, auth, licence):
    # license_expression fails inside its own error reporting on these (issue 29, finding 5).
    auth("maint")
    resp = _edit(client, license=licence)
    html = text(resp)
    assert resp.status_code == 422 and 'id="license-error"' in html
    assert "not a valid SPDX expression" in html
    assert _entry(app).revision == 1


def test_saving_nothing_says_so(client, people, auth):
    auth("maint")
    resp = _edit(client)
    assert resp.status_code == 422 and "nothing to change" in text(resp)


def test_edit_needs_a_csrf_token(app, client, people, auth):
    auth("maint")
    resp = client.post(EDIT, data={**FIELDS, "base_revision": "1", "summary": "No token."})
    assert resp.status_code == 400
    stranger = app.test_client()
    resp = client.post(EDIT, data={**FIELDS, "base_revision": "1", "summary": "Foreign token.",
                                   "csrf_token": csrf_token(stranger, "/login")})
    assert resp.status_code == 400
    assert _entry(app).revision == 1


def test_locked_fields_can_be_unlocked(app, client, people, auth):
    auth("maint")
    _edit(client, summary="Hand-written.")
    html = text(client.get(EDIT))
    assert "Locked fields" in html and "Unlock summary" in html
    resp = post_form(client, EDIT, {"field": "summary", "base_revision": "2"}, action="/entries/lab/tagger/unlock")
    assert resp.status_code == 302
    assert "summary" not in _entry(app).provenance
    assert "Locked fields" not in text(client.get(EDIT))


def test_members_see_no_unlock_buttons(client, people, auth):
    auth("member")
    assert "Unlock" not in text(client.get(EDIT))
    resp = post_form(client, EDIT, {"field": "summary", "base_revision": "1"}, action="/entries/lab/tagger/unlock")
    assert resp.status_code == 403


def test_translation_form_shows_the_original_beside(client, people, auth):
    auth("member")
    html = text(client.get("/entries/lab/tagger/translate"))
    assert "Original" in html and "Your translation" in html and "Tags words in sentences." in html
    assert '<label for="lang">Language</label>' in html


def test_member_translation_waits_for_review(app, client, people, auth):
    auth("member")
    resp = post_form(client, "/entries/lab/tagger/translate", {
        "base_revision": "1", "lang": "sw", "name": "Kiweka lebo", "summary": "Huweka lebo maneno.", "description": ""})
    assert resp.status_code == 302
    assert "Kiweka lebo" not in text(client.get("/entries/lab/tagger?lang=sw"))
    with Session(get_engine(app)) as s:
        [proposal] = s.exec(select(Proposal)).all()
    assert proposal.kind == "translation" and proposal.lang == "sw"


def test_maintainer_translation_is_published_with_its_origin(client, people, auth):
    auth("maint")
    resp = post_form(client, "/entries/lab/tagger/translate", {
        "base_revision": "1", "lang": "ar", "name": "المُوسِم", "summary": "يوسم الكلمات.", "description": ""})
    assert resp.status_code == 302 and resp.headers["Location"] == "/entries/lab/tagger?lang=ar"
    html = text(client.get("/entries/lab/tagger?lang=ar"))
    assert "المُوسِم" in html and "by the maintainers" in html and 'dir="rtl"' in html


def test_translation_into_the_entry_language_is_refused(client, people, auth):
    auth("member")
    resp = post_form(client, "/entries/lab/tagger/translate", {"base_revision": "1", "lang": "en", "name": "X"})
    assert resp.status_code == 422 and "the entry&#39;s own language" in text(resp)


def test_history_shows_escaped_diffs_and_reverts(app, client, people, auth):
    auth("maint")
    _edit(client, description="# Tagger\n\n<script>alert(1)</script>\n")
    html = text(client.get("/entries/lab/tagger/history"))
    assert "Revision 2" in html and "Revision 1" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert '<span class="diff-del"><del>' in html and '<span class="diff-ins"><ins>' in html
    assert "Revert to revision 1" in html
    resp = post_form(client, "/entries/lab/tagger/history", {"revision": "1", "base_revision": "2"},
                     action="/entries/lab/tagger/revert")
    assert resp.status_code == 302
    entry = _entry(app)
    assert entry.revision == 3 and "<script>" not in entry.description
    assert "revert to revision 1" in text(client.get("/entries/lab/tagger/history"))


def test_history_is_public_but_revert_is_not(client, people, auth):
    assert client.get("/entries/lab/tagger/history").status_code == 200
    auth("member")
    html = text(client.get("/entries/lab/tagger/history"))
    assert "Revert to" not in html and "Hide this entry" not in html
    resp = post_form(client, "/entries/lab/tagger/history", {"revision": "1", "base_revision": "1"},
                     action="/entries/lab/tagger/revert")
    assert resp.status_code == 403


def test_moderator_hides_and_shows_again(client, people, auth):
    auth("mod")
    html = text(client.get("/entries/lab/tagger/history"))
    assert "Hide this entry" in html
    resp = post_form(client, "/entries/lab/tagger/history", {"reason": "spam", "hide": "1"},
                     action="/entries/lab/tagger/hide")
    assert resp.status_code == 302
    assert client.application.test_client().get("/entries/lab/tagger").status_code == 404
    html = text(client.get("/entries/lab/tagger/history"))
    assert "This entry is hidden: spam" in html and "Show it again" in html
    post_form(client, "/entries/lab/tagger/history", {"show": "1"}, action="/entries/lab/tagger/hide")
    assert client.application.test_client().get("/entries/lab/tagger").status_code == 200


def test_hidden_entry_history_is_not_found_for_others(app, client, people, auth):
    auth("mod")
    post_form(client, "/entries/lab/tagger/history", {"reason": "spam", "hide": "1"}, action="/entries/lab/tagger/hide")
    assert app.test_client().get("/entries/lab/tagger/history").status_code == 404


@pytest.mark.parametrize("who", ["member", "maint"])
def test_hiding_is_for_moderators(client, people, auth, who):
    auth(who)
    resp = post_form(client, "/entries/lab/tagger/history", {"reason": "spam", "hide": "1"},
                     action="/entries/lab/tagger/hide")
    assert resp.status_code == 403


def test_claim_gives_a_token_and_instructions(client, people, auth):
    auth("member")
    html = text(client.get("/entries/lab/tagger/claim"))
    assert ".ai-commons-claim" in html and "Get a claim token" in html
    resp = post_form(client, "/entries/lab/tagger/claim", {})
    html = text(resp)
    assert resp.status_code == 201 and "shown only this once" in html
    token = re.search(r'id="claim-token"[^>]*value="([^"]+)"', html).group(1)
    assert token.startswith("acc-") and f'echo "{token}" &gt; .ai-commons-claim' in html


def test_maintainers_are_told_they_already_maintain(client, people, auth):
    auth("maint")
    assert "You already maintain this entry." in text(client.get("/entries/lab/tagger/claim"))
    assert post_form(client, "/entries/lab/tagger/claim", {}).status_code == 409


def test_proposals_are_rate_limited_per_person(app, client, people, auth):
    app.config["PROPOSAL_RATE_LIMIT"] = "1 per hour"
    auth("member")
    assert _edit(client, summary="First idea.").status_code == 302
    resp = _edit(client, summary="Second idea.")
    assert resp.status_code == 429 and "many changes in a short time" in text(resp)
