"""People: editing, proposals, review, history and revert, for every role, allowed and refused."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from registry.db import get_engine, write_session
from registry.errors import Conflict, Forbidden, Invalid, NotFound, PreconditionRequired, Unauthorized
from registry.models import Entry, Maintainer, PurgeRecord, Revision, Translation
from registry.services import Actor
from registry.services.editing import edit_entry, list_revisions, purge_entry, revert_entry, set_hidden, unlock_field
from registry.services.entries import get_entry
from registry.services.proposals import (
    decide_proposal,
    my_proposals,
    propose_edit,
    review_queue,
    submit_translation,
    withdraw_proposal,
)
from registry.services.users import create_user
from tests.helpers import add_entry

SLUG = "lab/tagger"


@pytest.fixture
def people(app):
    """An entry and one actor per role: member, maintainer of the entry, moderator, admin."""
    add_entry(app, SLUG, name="Tagger", summary="Tags words.", license="MIT", language="en")
    actors = {}
    with write_session(app) as s:
        for name, role in (("member", "user"), ("maint", "user"), ("mod", "moderator"), ("root", "admin")):
            user = create_user(s, name=name, email=f"{name}@example.org", password="long enough pw", role=role)
            actors[name] = Actor(name=name, role=role, user_id=user.id)
        entry = s.exec(select(Entry).where(Entry.slug == SLUG)).one()
        s.add(Maintainer(user_id=actors["maint"].user_id, entry_id=entry.id, via="admin"))
    return actors


def _entry(app) -> Entry:
    with Session(get_engine(app)) as s:
        return s.exec(select(Entry).where(Entry.slug == SLUG)).one()


def _do(app, fn, **kw):
    with write_session(app) as s:
        return fn(s, **kw)


@pytest.mark.parametrize("who, allowed", [("member", False), ("maint", True), ("mod", True), ("root", True)])
def test_direct_edit_by_role(app, people, who, allowed):
    call = dict(slug=SLUG, actor=people[who], changes={"summary": "Better."}, base_revision=1)
    if allowed:
        _do(app, edit_entry, **call)
        entry = _entry(app)
        assert entry.summary == "Better." and entry.revision == 2
        assert entry.provenance["summary"] == {"edited_by": who}
    else:
        with pytest.raises(Forbidden):
            _do(app, edit_entry, **call)
        assert _entry(app).revision == 1


def test_anonymous_edit_is_401(app, people):
    with pytest.raises(Unauthorized):
        _do(app, edit_entry, slug=SLUG, actor=None, changes={"summary": "x"}, base_revision=1)


def test_missing_and_stale_base_revision(app, people):
    with pytest.raises(PreconditionRequired):
        _do(app, edit_entry, slug=SLUG, actor=people["mod"], changes={"summary": "x"}, base_revision=None)
    _do(app, edit_entry, slug=SLUG, actor=people["mod"], changes={"summary": "First."}, base_revision=1)
    with pytest.raises(Conflict) as err:
        _do(app, edit_entry, slug=SLUG, actor=people["maint"], changes={"summary": "Second."}, base_revision=1)
    assert err.value.details["current"]["summary"] == "First."
    assert err.value.details["current"]["revision"] == 2
    assert _entry(app).summary == "First."


def test_invalid_fields_are_named(app, people):
    with pytest.raises(Invalid) as err:
        _do(app, edit_entry, slug=SLUG, actor=people["mod"], base_revision=1,
            changes={"license": "MIT OR Bogus", "kind": "robot", "languages": ["sw", "not a tag"], "owner": "x"})
    assert set(err.value.details["fields"]) == {"license", "kind", "languages", "owner"}
    assert _entry(app).revision == 1


def test_edit_normalizes_values(app, people):
    _do(app, edit_entry, slug=SLUG, actor=people["mod"], base_revision=1,
        changes={"license": "mit or apache-2.0", "languages": ["SW", "zh-cn"], "region": "ke"})
    entry = _entry(app)
    assert (entry.license, entry.languages, entry.region) == ("MIT OR Apache-2.0", ["sw", "zh-Hans"], "KE")


def test_revert_restores_earlier_values_as_a_new_revision(app, people):
    _do(app, edit_entry, slug=SLUG, actor=people["mod"], changes={"summary": "Wrong."}, base_revision=1)
    _do(app, revert_entry, slug=SLUG, actor=people["maint"], revision=1, base_revision=2)
    entry = _entry(app)
    assert entry.summary == "Tags words." and entry.revision == 3
    with Session(get_engine(app)) as s:
        revs = list_revisions(s, slug=SLUG)
    assert [r.revision for r in revs] == [3, 2, 1] and revs[0].reason == "revert to revision 1"
    with pytest.raises(Forbidden):
        _do(app, revert_entry, slug=SLUG, actor=people["member"], revision=1, base_revision=3)
    with pytest.raises(NotFound):
        _do(app, revert_entry, slug=SLUG, actor=people["mod"], revision=99, base_revision=3)


def test_unlock_brings_the_harvested_value_back(app, people, git_repo):
    from tests.helpers import harvest_options, harvest_source

    repo = git_repo({"README.md": "# Tagger\n\nThe harvested summary of this sample tagger, long enough.\n"},
                    name="lab2/tagger")
    harvest_source(app, source=str(repo), options=harvest_options(app, operator=True))
    slug = "lab2/tagger"
    _do(app, edit_entry, slug=slug, actor=people["mod"], changes={"summary": "Hand-written."}, base_revision=1)
    git_repo({"README.md": "# Tagger\n\nA newer harvested summary of this sample tagger.\n"}, name="lab2/tagger")
    harvest_source(app, source=str(repo), options=harvest_options(app, operator=True))
    with Session(get_engine(app)) as s:
        assert get_entry(s, slug=slug, actor=None).summary == "Hand-written."
    # The second harvest changed the description (revision 3) but left the locked summary alone.
    _do(app, unlock_field, slug=slug, actor=people["mod"], field="summary", base_revision=3)
    with Session(get_engine(app)) as s:
        public = get_entry(s, slug=slug, actor=None)
    assert public.summary.startswith("A newer harvested summary")
    assert public.provenance["summary"]["origin"] == "README.md"


def test_member_proposes_and_maintainer_accepts(app, people):
    proposal = _do(app, propose_edit, slug=SLUG, actor=people["member"], changes={"summary": "Clearer."},
                   base_revision=1, note="typo")
    with Session(get_engine(app)) as s:
        assert [p.id for p in review_queue(s, actor=people["maint"])] == [proposal.id]
        assert review_queue(s, actor=people["member"]) == []
    with pytest.raises(Forbidden):
        _do(app, decide_proposal, proposal_id=proposal.id, actor=people["member"], accept=True)
    _do(app, decide_proposal, proposal_id=proposal.id, actor=people["maint"], accept=True, note="thanks")
    entry = _entry(app)
    assert entry.summary == "Clearer." and entry.revision == 2
    with Session(get_engine(app)) as s:
        mine = my_proposals(s, actor=people["member"])
        rev = s.exec(select(Revision).where(Revision.number == 2)).one()
    assert mine[0].status == "accepted" and mine[0].reviewer == "maint" and mine[0].note == "thanks"
    assert rev.author == "member" and "accepted by maint" in rev.reason
    with pytest.raises(Conflict):
        _do(app, decide_proposal, proposal_id=proposal.id, actor=people["mod"], accept=False)


def test_rejected_proposal_changes_nothing(app, people):
    proposal = _do(app, propose_edit, slug=SLUG, actor=people["member"], changes={"name": "Spam"}, base_revision=1)
    _do(app, decide_proposal, proposal_id=proposal.id, actor=people["mod"], accept=False, note="no")
    assert _entry(app).name == "Tagger" and _entry(app).revision == 1


def test_accepting_a_proposal_whose_field_moved_is_a_conflict(app, people):
    proposal = _do(app, propose_edit, slug=SLUG, actor=people["member"], changes={"summary": "A."}, base_revision=1)
    _do(app, edit_entry, slug=SLUG, actor=people["mod"], changes={"summary": "B."}, base_revision=1)
    with pytest.raises(Conflict):
        _do(app, decide_proposal, proposal_id=proposal.id, actor=people["maint"], accept=True)
    assert _entry(app).summary == "B."


def test_translation_proposal_reviewed_then_shown_with_origin(app, people):
    proposal = _do(app, submit_translation, slug=SLUG, actor=people["member"], lang="sw",
                   text={"name": "Kiweka Lebo", "summary": "Huweka lebo maneno."}, base_revision=1)
    assert proposal.status == "open"
    _do(app, decide_proposal, proposal_id=proposal.id, actor=people["mod"], accept=True)
    with Session(get_engine(app)) as s:
        public = get_entry(s, slug=SLUG, actor=None, lang="sw")
    assert public.name == "Kiweka Lebo"
    assert public.translations["sw"].origin == "community" and public.translations["sw"].reviewed_by == "mod"


def test_maintainer_translation_is_published_directly(app, people):
    result = _do(app, submit_translation, slug=SLUG, actor=people["maint"], lang="zh-cn",
                 text={"name": "词性标注器"}, base_revision=1)
    assert isinstance(result, Translation) and result.lang == "zh-Hans" and result.origin == "maintainer"
    assert _entry(app).revision == 2


def test_translation_into_the_entry_language_or_a_bad_tag_is_refused(app, people):
    for lang in ("en", "xx-nonsense-tag"):
        with pytest.raises(Invalid):
            _do(app, submit_translation, slug=SLUG, actor=people["member"], lang=lang, text={"name": "x"},
                base_revision=1)


def test_only_the_author_withdraws(app, people):
    proposal = _do(app, propose_edit, slug=SLUG, actor=people["member"], changes={"summary": "A."}, base_revision=1)
    with pytest.raises(Forbidden):
        _do(app, withdraw_proposal, proposal_id=proposal.id, actor=people["mod"])
    assert _do(app, withdraw_proposal, proposal_id=proposal.id, actor=people["member"]).status == "withdrawn"


@pytest.mark.parametrize("who, allowed", [("member", False), ("maint", False), ("mod", True), ("root", True)])
def test_hide_and_show_by_role(app, people, who, allowed):
    if not allowed:
        with pytest.raises(Forbidden):
            _do(app, set_hidden, slug=SLUG, actor=people[who], hidden=True, reason="spam")
        return
    _do(app, set_hidden, slug=SLUG, actor=people[who], hidden=True, reason="spam")
    with Session(get_engine(app)) as s, pytest.raises(NotFound):
        get_entry(s, slug=SLUG, actor=None)
    _do(app, set_hidden, slug=SLUG, actor=people[who], hidden=False, reason="not spam after all")
    entry = _entry(app)
    assert not entry.hidden and entry.revision == 3


@pytest.mark.parametrize("who", ["member", "maint", "mod"])
def test_only_admins_purge(app, people, who):
    with pytest.raises(Forbidden):
        _do(app, purge_entry, slug=SLUG, actor=people[who], reason="contains a leaked secret")


def test_purge_removes_for_good_and_leaves_a_record(app, people):
    with pytest.raises(Invalid):
        _do(app, purge_entry, slug=SLUG, actor=people["root"], reason="")
    _do(app, purge_entry, slug=SLUG, actor=people["root"], reason="README contained a leaked API key")
    with Session(get_engine(app)) as s:
        assert s.exec(select(Entry)).all() == [] and s.exec(select(Revision)).all() == []
        [record] = s.exec(select(PurgeRecord)).all()
    assert (record.slug, record.actor) == (SLUG, "root") and "leaked" in record.reason
