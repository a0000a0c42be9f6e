"""Communities and collections at the service level: roles, curation, translations, awesome-list sync."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from harvesters import Outcome
from registry.db import get_engine, sessions, write_session
from registry.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from registry.models import Collection, CollectionItem, HarvestRun, Source
from registry.services import OPERATOR, Actor
from registry.services.collection_items import add_item, move_item, remove_item, reorder_items
from registry.services.collection_translations import (
    collection_proposals,
    decide_collection_proposal,
    submit_collection_translation,
)
from registry.services.collections import create_collection, get_collection, list_collections, update_collection
from registry.services.communities import (
    create_community,
    decide_join,
    get_community,
    leave_community,
    list_communities,
    request_join,
    set_member_role,
)
from registry.services.sources import sync_list
from registry.services.users import create_user
from tests.helpers import add_entry, harvest_options


@pytest.fixture
def people(app):
    """Actors: founder (starts the community), kim (asks to join), ola (an outsider), mod (moderator)."""
    actors = {}
    with write_session(app) as s:
        for name, role in (("founder", "user"), ("kim", "user"), ("ola", "user"), ("mod", "moderator")):
            user = create_user(s, name=name, email=f"{name}@example.org", password="long enough pw", role=role)
            actors[name] = Actor(name=name, role=role, user_id=user.id)
    return actors


@pytest.fixture
def community(app, people):
    with write_session(app) as s:
        create_community(s, actor=people["founder"], name="Swahili NLP", description="Watu wa lugha.",
                         region="Kenya, Tanzania", languages=["sw", "en"])
    return "swahili-nlp"


def _session(app) -> Session:
    return Session(get_engine(app), expire_on_commit=False)


def test_a_community_grows_through_join_requests_curators_decide(app, people, community):
    with write_session(app) as s:
        request_join(s, slug=community, actor=people["kim"], message="Ninafanya kazi na Kiswahili.")
        with pytest.raises(Conflict):
            request_join(s, slug=community, actor=people["kim"])
    with _session(app) as s:
        seen_by_founder = get_community(s, slug=community, actor=people["founder"])
        seen_by_ola = get_community(s, slug=community, actor=people["ola"])
    assert [m.name for m in seen_by_founder.pending] == ["kim"] and seen_by_ola.pending == []
    assert seen_by_founder.member_count == 1 and seen_by_founder.members[0].role == "admin"
    with write_session(app) as s, pytest.raises(Forbidden):
        decide_join(s, slug=community, actor=people["ola"], user_name="kim", accept=True)
    with write_session(app) as s:
        decide_join(s, slug=community, actor=people["founder"], user_name="kim", accept=True)
        set_member_role(s, slug=community, actor=people["founder"], user_name="kim", role="curator")
    with _session(app) as s:
        view = get_community(s, slug=community, actor=people["kim"])
        page, total = list_communities(s, language="sw")
    assert view.my_role == "curator" and view.member_count == 2
    assert total == 1 and page[0].languages == ["sw", "en"]


def test_the_last_admin_cannot_leave_and_roles_are_checked(app, people, community):
    with write_session(app) as s, pytest.raises(Conflict):
        leave_community(s, slug=community, actor=people["founder"])
    with write_session(app) as s, pytest.raises(Invalid):
        set_member_role(s, slug=community, actor=people["founder"], user_name="founder", role="king")
    with write_session(app) as s, pytest.raises(Unauthorized):
        request_join(s, slug=community, actor=None)
    with _session(app) as s, pytest.raises(NotFound):
        get_community(s, slug="nowhere", actor=None)


def _entries(app, *slugs):
    for slug in slugs:
        add_entry(app, slug, summary=f"About {slug}.", language="en", source_url=f"https://github.com/{slug}")


def test_curators_build_ordered_collections_and_others_cannot(app, people, community):
    _entries(app, "a/one", "a/two", "a/three")
    with write_session(app) as s, pytest.raises(Forbidden):
        create_collection(s, actor=people["ola"], title="Not theirs", community=community)
    with write_session(app) as s:
        create_collection(s, actor=people["founder"], title="Swahili starter kit", community=community,
                          language="sw")
        ids = [add_item(s, slug="swahili-starter-kit", actor=people["founder"], entry=e, note=f"note {e}").id
               for e in ("a/one", "a/two", "a/three")]
        with pytest.raises(Conflict):
            add_item(s, slug="swahili-starter-kit", actor=people["founder"], entry="a/one")
        with pytest.raises(Invalid):
            add_item(s, slug="swahili-starter-kit", actor=people["founder"], entry="a/missing")
    with write_session(app) as s, pytest.raises(Forbidden):
        add_item(s, slug="swahili-starter-kit", actor=people["ola"], entry="a/one")
    with write_session(app) as s:
        reorder_items(s, slug="swahili-starter-kit", actor=people["founder"], order=[ids[2], ids[0], ids[1]])
        move_item(s, slug="swahili-starter-kit", actor=people["mod"], item_id=ids[1], offset=-1)
        with pytest.raises(Invalid):
            reorder_items(s, slug="swahili-starter-kit", actor=people["founder"], order=[ids[0]])
    with _session(app) as s:
        view = get_collection(s, slug="swahili-starter-kit", actor=None)
    assert [i.slug for i in view.items] == ["a/three", "a/two", "a/one"]
    assert view.items[0].note == "note a/three" and view.owner.type == "community" and not view.can_curate
    with write_session(app) as s:
        remove_item(s, slug="swahili-starter-kit", actor=people["founder"], item_id=ids[1])
    with _session(app) as s:
        assert get_collection(s, slug="swahili-starter-kit", actor=None).item_count == 2


def test_unlisted_collections_are_reachable_by_link_but_not_listed(app, people):
    with write_session(app) as s:
        create_collection(s, actor=people["ola"], title="My picks", slug="my-picks", visibility="unlisted")
        create_collection(s, actor=people["ola"], title="Public picks", language="fr")
        with pytest.raises(Invalid):
            update_collection(s, slug="my-picks", actor=people["ola"], changes={"visibility": "secret"})
    with _session(app) as s:
        listed, total, facets = list_collections(s)
        assert get_collection(s, slug="my-picks", actor=None).owner.name == "ola"
    assert [c.slug for c in listed] == ["public-picks"] and total == 1 and facets["language"] == {"fr": 1}


def test_translations_are_published_by_curators_and_proposed_by_others(app, people):
    with write_session(app) as s:
        create_collection(s, actor=people["founder"], title="语音资源", slug="speech", language="zh-Hans",
                          description="普通话语音识别。")
        submit_collection_translation(s, slug="speech", actor=people["founder"], lang="en",
                                      text={"title": "Speech resources", "description": "Mandarin speech."})
        proposal = submit_collection_translation(s, slug="speech", actor=people["kim"], lang="sw",
                                                 text={"title": "Rasilimali za sauti"})
        with pytest.raises(Invalid):
            submit_collection_translation(s, slug="speech", actor=people["kim"], lang="zh-Hans", text={"title": "x"})
    with _session(app) as s:
        assert [p.lang for p in collection_proposals(s, slug="speech", actor=people["founder"])] == ["sw"]
        assert collection_proposals(s, slug="speech", actor=people["ola"]) == []
    with write_session(app) as s, pytest.raises(Forbidden):
        decide_collection_proposal(s, slug="speech", proposal_id=proposal.id, actor=people["kim"], accept=True)
    with write_session(app) as s:
        create_collection(s, actor=people["kim"], title="Kim's list", slug="kims", language="en")
    # Through another collection's address the proposal is not found, even for that collection's curator.
    with write_session(app) as s, pytest.raises(NotFound):
        decide_collection_proposal(s, slug="kims", proposal_id=proposal.id, actor=people["kim"], accept=True)
    with write_session(app) as s:
        decide_collection_proposal(s, slug="speech", proposal_id=proposal.id, actor=people["founder"], accept=True)
    with _session(app) as s:
        english = get_collection(s, slug="speech", actor=None, lang="en-GB")
        swahili = get_collection(s, slug="speech", actor=None, lang="sw")
        chinese = get_collection(s, slug="speech", actor=None, lang="zh")
    assert (english.title, english.shown_language, english.original["title"]) == ("Speech resources", "en", "语音资源")
    assert swahili.translations["sw"].origin == "community" and swahili.translations["sw"].reviewed_by == "founder"
    assert (chinese.title, chinese.original) == ("语音资源", None)


LIST_V1 = """# Awesome Kiswahili [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)

> Rasilimali bora za teknolojia ya lugha ya Kiswahili.

## Contents
- [Models](#models)

## Models
- [One](https://github.com/A/One) - Modeli ya kwanza ya Kiswahili.
- [Two](https://github.com/a/two/tree/main) - Modeli ya pili.

## Datasets
- [Fresh corpus](https://github.com/new/corpus) - Mkusanyiko mpya wa maandishi.
- [A paper](https://example.org/paper.pdf) - Makala kuhusu data.

## License
- [CC0](https://creativecommons.org/publicdomain/zero/1.0/)
"""

LIST_V2 = """# Awesome Kiswahili

## Models
- [Two](https://github.com/a/two) - Modeli ya pili, bora zaidi.
- [Three](https://github.com/a/three) - Modeli ya tatu.

## Datasets
- [A paper](https://example.org/paper.pdf) - Makala kuhusu data.
"""


def _run_count(app, source_url: str) -> list[str]:
    with _session(app) as s:
        src = s.exec(select(Source).where(Source.kind == "list", Source.url == source_url)).one()
        return [r.outcome for r in s.exec(select(HarvestRun).where(HarvestRun.source_id == src.id)
                                          .order_by(HarvestRun.id))]


def test_an_awesome_list_becomes_a_collection_and_a_resync_follows_the_list(app, people, git_repo):
    _entries(app, "a/one", "a/two", "a/three", "b/mine")
    repo = git_repo({"README.md": LIST_V1}, name="lists/awesome-kiswahili")
    options = harvest_options(app, operator=True)
    first = sync_list(sessions(app), source=str(repo), actor=OPERATOR, options=options)
    assert (first.outcome, first.collection, first.added, first.pending) == (Outcome.CREATED, "awesome-kiswahili", 4, 1)
    with _session(app) as s:
        view = get_collection(s, slug="awesome-kiswahili", actor=None)
        pending = s.exec(select(Source).where(Source.kind == "git", Source.url == "https://github.com/new/corpus")).one()
    assert view.title == "Awesome Kiswahili" and view.language == "sw" and view.owner.model_dump(mode="json") == {"type": "site"}
    assert view.description == "Rasilimali bora za teknolojia ya lugha ya Kiswahili."
    assert [g.title for g in view.groups] == ["Models", "Datasets"]
    assert [(i.group, i.slug or i.url, i.pending) for i in view.items] == [
        ("Models", "a/one", False), ("Models", "a/two", False),
        ("Datasets", "https://github.com/new/corpus", True), ("Datasets", "https://example.org/paper.pdf", False)]
    assert view.items[0].note == "Modeli ya kwanza ya Kiswahili." and pending.entry_id is None

    # A curator's own item, placed after "two", must survive the re-sync where it was.
    with write_session(app) as s:
        mine = add_item(s, slug="awesome-kiswahili", actor=OPERATOR, entry="b/mine", note="Yangu", group="Models")
        reorder_items(s, slug="awesome-kiswahili", actor=OPERATOR,
                      order=[i.id for i in view.items[:2]] + [mine.id] + [i.id for i in view.items[2:]])
    assert sync_list(sessions(app), source=str(repo), actor=OPERATOR, options=options).outcome is Outcome.UNCHANGED

    git_repo({"README.md": LIST_V2}, name="lists/awesome-kiswahili", message="edit the list")
    second = sync_list(sessions(app), source=str(repo), actor=OPERATOR, options=options)
    assert (second.outcome, second.added, second.removed, second.updated) == (Outcome.UPDATED, 1, 2, 1)
    with _session(app) as s:
        view = get_collection(s, slug="awesome-kiswahili", actor=None)
        assert s.exec(select(Collection)).one().list_source_id is not None
    assert [(i.group, i.slug or i.url) for i in view.items] == [
        ("Models", "a/two"), ("Models", "b/mine"), ("Models", "a/three"), ("Datasets", "https://example.org/paper.pdf")]
    assert view.items[0].note == "Modeli ya pili, bora zaidi." and not view.items[1].from_list
    assert _run_count(app, str(repo)) == ["created", "unchanged", "updated"]


def test_a_list_fills_a_named_collection_and_only_its_curators_may_sync_it(app, people, git_repo):
    repo = git_repo({"README.md": LIST_V2}, name="lists/other")
    options = harvest_options(app, operator=True)
    with write_session(app) as s:
        create_collection(s, actor=people["founder"], title="Mine", slug="mine")
    with pytest.raises(Forbidden):
        sync_list(sessions(app), source=str(repo), actor=people["ola"], options=options, collection="mine")
    with _session(app) as s:
        assert s.exec(select(Source).where(Source.kind == "list")).first() is None  # refused: nothing written
    result = sync_list(sessions(app), source=str(repo), actor=people["founder"], options=options, collection="mine")
    assert (result.outcome, result.collection, result.added) == (Outcome.UPDATED, "mine", 3)
    with _session(app) as s:
        assert len(s.exec(select(CollectionItem)).all()) == 3


def test_a_list_that_cannot_be_read_is_a_plain_failure(app, people, tmp_path):
    options = harvest_options(app, operator=True)
    result = sync_list(sessions(app), source=str(tmp_path / "missing"), actor=OPERATOR, options=options)
    assert result.outcome is Outcome.FAILED and "does not exist" in result.error
    with _session(app) as s:
        assert s.exec(select(Collection)).first() is None


def test_the_cli_imports_a_list_into_the_named_collection(app, runner, git_repo):
    _entries(app, "a/two")
    repo = git_repo({"README.md": LIST_V2}, name="lists/cli-list")
    result = runner.invoke(args=["harvest", "--kind", "list", "--collection", "kiswahili", str(repo)])
    assert result.exit_code == 0, result.output
    assert "collection kiswahili" in result.output and "1 registered as sources" not in result.output
    with _session(app) as s:
        assert get_collection(s, slug="kiswahili", actor=None).item_count == 3


def test_the_cli_imports_a_local_markdown_file_and_resyncs_it(app, runner, tmp_path):
    # The file's version (a digest, where a git commit id goes) fits the commit columns on every database.
    _entries(app, "a/two")
    path = tmp_path / "swahili-list.md"
    path.write_text(LIST_V2, encoding="utf-8")
    first = runner.invoke(args=["harvest", "--kind", "list", "--collection", "orodha", str(path)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["harvest", "--kind", "list", "--collection", "orodha", str(path)])
    assert again.exit_code == 0 and "unchanged" in again.output, again.output
    with _session(app) as s:
        assert get_collection(s, slug="orodha", actor=None).item_count == 3
