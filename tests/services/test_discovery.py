"""Discovery runs: pending sources due at once, evidence with provenance, partial runs that resume,
conditional re-runs, gone after two complete passes, renames keeping history, a collection's inbox."""
from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from sqlmodel import select

from harvesters import Outcome
from harvesters.listers import reset_politeness
from registry.config import lister_settings
from registry.db import sessions
from registry.errors import Conflict, Forbidden, Invalid
from registry.models import Collection, CollectionItem, DiscoveredItem, Discovery, DiscoveryRun, HarvestRun, Source, utcnow
from registry.services import OPERATOR, Actor
from registry.services.communities import add_member, create_community
from registry.services.discoveries import add_discovery, find_or_add_discovery, list_found_items, review_found_item
from registry.services.discovery import run_discovery
from registry.services.users import create_user
from tests.harvesters import fake_apis as fa

TOKEN = "ghp_never_stored_0123456789"


@pytest.fixture
def github(app):
    reset_politeness()
    orgs = {"acme": [fa.forge_repo(i, "acme") for i in range(1, 8)]}
    fake = fa.github(orgs).start()
    app.config.update(GITHUB_API_URL=fake.base, HF_ENDPOINT=fake.base, HARVEST_ALLOW_PRIVATE=True,
                      DISCOVERY_HOST_INTERVAL=0, DISCOVERY_PAGE_SIZE=3, GITHUB_TOKEN=TOKEN)
    fake.orgs = orgs
    yield fake
    fake.stop()


def discover(app, target="org:acme", kind="github", **kw):
    settings = lister_settings(app.config)
    with app.app_context():
        with sessions(app).write() as s:
            discovery_id = find_or_add_discovery(s, kind=kind, target=target, set_spec=kw.pop("set_spec", None),
                                                 settings=settings)
        return run_discovery(sessions(app), discovery_id=discovery_id, settings=settings, **kw)


def rows(app, model, *where):
    with sessions(app).read() as s:
        return list(s.exec(select(model).where(*where)))


def test_found_items_become_pending_sources_due_at_once_with_the_listers_evidence(app, github):
    outcome = discover(app)
    assert outcome.summary() == "discovered 7 (new 7, known 0, gone 0)" and outcome.status == "complete"
    sources = rows(app, Source)
    assert len(sources) == 7 and all(s.entry_id is None and s.kind == "git" for s in sources)
    assert all(s.next_due_at is not None and s.next_due_at <= utcnow() for s in sources)
    assert {s.discovered_by_id for s in sources} == {outcome.discovery_id}
    item = rows(app, DiscoveredItem, DiscoveredItem.key == "1")[0]
    assert item.evidence["license"] == "MIT" and item.evidence["stars"] == 1
    assert item.provenance["lister"] == "github" and "/orgs/acme/repos" in item.provenance["page"]
    run = rows(app, DiscoveryRun)[0]
    assert (run.status, run.found, run.new, run.pages) == ("complete", 7, 7, 3)


def test_a_rerun_with_nothing_changed_costs_one_conditional_request_per_page(app, github):
    discover(app)
    github.calls.clear()
    again = discover(app)
    assert again.summary() == "discovered 7 (new 0, known 7, gone 0)"
    assert again.unchanged_pages == 3 and len(github.calls) == 3
    assert all(c.headers.get("if-none-match") for c in github.calls)
    assert len(rows(app, Source)) == 7


def test_a_500_half_way_ends_partial_and_the_next_run_resumes_without_duplicates(app, github):
    github.fail_pages = {2}
    first = discover(app)
    assert first.status == "partial" and first.found == 3 and "failed to answer (500)" in first.reason
    discovery = rows(app, Discovery)[0]
    assert discovery.cursor and "page=2" in discovery.cursor and discovery.last_status == "partial"
    github.fail_pages = set()
    github.calls.clear()
    second = discover(app)
    assert second.status == "complete" and second.found == 4 and second.new == 4
    assert "page=2" in github.calls[0].query.get("page", "") or github.calls[0].query["page"] == "2"
    assert len(rows(app, Source)) == 7 and len(rows(app, DiscoveredItem)) == 7
    assert second.gone == 0  # the first three were seen by this pass's first run


def test_the_token_is_never_stored_nor_logged(app, github, caplog):
    github.fail_pages = {2}
    with caplog.at_level(logging.DEBUG):
        outcome = discover(app)
    assert github.calls[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in caplog.text and TOKEN not in (outcome.reason or "")
    from registry.db import get_engine

    with get_engine(app).connect() as conn:
        for table in ("discoveries", "discovery_runs", "discovered_items", "sources"):
            for row in conn.execute(sa.text(f"SELECT * FROM {table}")):
                assert TOKEN not in repr(tuple(row))


def test_an_item_no_longer_listed_is_gone_after_two_complete_runs_and_kept(app, github):
    discover(app)
    dropped = github.orgs["acme"].pop(0)
    once = discover(app)
    assert once.gone == 0
    assert rows(app, DiscoveredItem, DiscoveredItem.key == str(dropped["id"]))[0].missed == 1
    twice = discover(app)
    assert twice.summary() == "discovered 6 (new 0, known 6, gone 1)"
    source = rows(app, Source, Source.url == dropped["html_url"])[0]
    assert source.gone_at is not None  # marked, never deleted
    github.orgs["acme"].insert(0, dropped)
    back = discover(app)
    assert back.found == 7 and rows(app, Source, Source.url == dropped["html_url"])[0].gone_at is None


def test_a_renamed_repository_keeps_its_source_and_history(app, github):
    discover(app)
    old = rows(app, Source, Source.url == "https://github.com/acme/repo3")[0]
    with sessions(app).write() as s:
        s.add(HarvestRun(source_id=old.id, outcome=Outcome.FAILED.value, error="earlier run"))
    github.orgs["acme"][2] = fa.forge_repo(3, "acme", name="renamed")
    outcome = discover(app)
    assert outcome.new == 0 and outcome.known == 7
    moved = rows(app, Source, Source.id == old.id)[0]
    assert moved.url == "https://github.com/acme/renamed"
    assert len(rows(app, HarvestRun, HarvestRun.source_id == old.id)) == 1
    assert rows(app, DiscoveredItem, DiscoveredItem.key == "3")[0].evidence["renamed_from"].endswith("/repo3")


def test_a_limit_stops_the_run_and_the_next_goes_on(app, github):
    first = discover(app, limit=4)
    assert first.status == "partial" and first.found == 4 and "limit of 4" in first.reason
    rest = discover(app)
    assert rest.status == "complete" and len(rows(app, Source)) == 7


def test_a_known_source_is_counted_known_and_keeps_its_registrar(app, github):
    with sessions(app).write() as s:
        s.add(Source(kind="git", url="https://github.com/acme/repo1"))
    outcome = discover(app)
    assert (outcome.new, outcome.known) == (6, 1)
    assert rows(app, Source, Source.url == "https://github.com/acme/repo1")[0].discovered_by_id is None


def test_deleted_catalogue_records_are_gone_at_once(app):
    reset_politeness()
    records = [fa.oai_record(1), fa.oai_record(2)]
    fake = fa.oai_pmh(records).start()
    app.config.update(HARVEST_ALLOW_PRIVATE=True, DISCOVERY_HOST_INTERVAL=0)
    try:
        assert discover(app, kind="oai-pmh", target=f"{fake.base}/oai").found == 2
        records[1] = fa.oai_record(2, deleted=True)
        outcome = discover(app, kind="oai-pmh", target=f"{fake.base}/oai")
    finally:
        fake.stop()
    assert outcome.gone == 1 and outcome.found == 1
    assert rows(app, Source, Source.url == "https://zenodo.org/records/2")[0].gone_at is not None
    assert rows(app, Source, Source.url == "https://zenodo.org/records/1")[0].kind == "page"
    assert rows(app, Discovery)[0].watermark == "2026-04-03T00:00:00Z"  # the newest datestamp listed


def test_who_may_add_a_discovery_and_what_it_refuses(app, github):
    settings = lister_settings(app.config)
    with sessions(app).write() as s:
        user = create_user(s, name="amina", email="amina@example.org", password="Long-enough-pass-2026")
        actor = Actor(name=user.name, user_id=user.id)
        with pytest.raises(Forbidden):
            add_discovery(s, kind="github", target="org:acme", actor=actor, settings=settings)
        with pytest.raises(Invalid, match="Unknown lister kind"):
            add_discovery(s, kind="sourceforge", target="org:acme", actor=OPERATOR, settings=settings)
        with pytest.raises(Invalid, match="github target"):
            add_discovery(s, kind="github", target="acme", actor=OPERATOR, settings=settings)
        add_discovery(s, kind="github", target="org:acme", actor=OPERATOR, settings=settings)
        with pytest.raises(Conflict):
            add_discovery(s, kind="github", target="org:acme", actor=OPERATOR, settings=settings)


def test_a_community_curator_points_a_discovery_at_a_collection_inbox(app, github):
    from registry.services.collections import create_collection

    settings = lister_settings(app.config)
    with sessions(app).write() as s:
        owner = create_user(s, name="kofi", email="kofi@example.org", password="Long-enough-pass-2026")
        curator = create_user(s, name="ngozi", email="ngozi@example.org", password="Long-enough-pass-2026")
        owner_actor = Actor(name=owner.name, user_id=owner.id)
        community = create_community(s, actor=owner_actor, name="Yoruba NLP", slug="yoruba-nlp")
        add_member(s, community=community, user_id=curator.id, role="curator")
        create_collection(s, actor=owner_actor, title="Yoruba models", slug="yoruba-models", community="yoruba-nlp")
        curator_actor = Actor(name=curator.name, user_id=curator.id)
        made = add_discovery(s, kind="github", target="org:acme", actor=curator_actor, settings=settings,
                             collection="yoruba-models")
    run_discovery(sessions(app), discovery_id=made.id, settings=settings)
    with sessions(app).write() as s:
        inbox, total = list_found_items(s, discovery_id=made.id, page=1, per_page=50, review="inbox")
        assert total == 7
        accepted = review_found_item(s, discovery_id=made.id, item_id=inbox[0].id, decision="accept", actor=curator_actor)
        review_found_item(s, discovery_id=made.id, item_id=inbox[1].id, decision="dismiss", actor=curator_actor)
        with pytest.raises(Conflict):
            review_found_item(s, discovery_id=made.id, item_id=inbox[0].id, decision="dismiss", actor=curator_actor)
    assert accepted.review == "accepted"
    coll = rows(app, Collection, Collection.slug == "yoruba-models")[0]
    items = rows(app, CollectionItem, CollectionItem.collection_id == coll.id)
    assert [i.url for i in items] == [accepted.url] and items[0].source_id is not None


def test_a_pass_resumed_after_a_failure_is_remembered_whole(app, github):
    github.fail_pages = {3}
    assert discover(app).status == "partial"
    github.fail_pages = set()
    assert discover(app).status == "complete"
    github.calls.clear()
    again = discover(app)
    assert again.unchanged_pages == 3 and len(github.calls) == 3 and again.found == 7
