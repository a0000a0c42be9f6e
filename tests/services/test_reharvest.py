"""Scheduled re-harvests, failures that turn an entry stale, page sources, kind guessing, details."""
from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from harvesters import HarvestOptions, Outcome
from registry.db import get_engine, write_session
from registry.jobs.batch import _HarvesterPool
from registry.models import Entry, EntryDetails, HarvestRun, Relation, Source, utcnow
from registry.services.entries import get_entry
from registry.services.sources import due_sources
from tests.helpers import harvest_source, reharvest

README = "# Tiny Tagger\n\nA sample part-of-speech tagger for Yoruba text, written for the registry's own tests.\n"
CARD = ("---\nlicense: mit\npipeline_tag: token-classification\nlanguage: [yo]\ndatasets: [sample-lab/proverbs]\n"
        "size_categories: [n<1K]\n---\n" + README)
OPTIONS = HarvestOptions(allow_local=True, allow_private=True, host_interval=0, timeout=30)
PAGE = """<html lang="en"><head><title>Proverbs</title>
<meta name="description" content="A sample page about a corpus of Yoruba proverbs, written for the registry's tests.">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Dataset", "name": "Yoruba Proverbs",
 "description": "Five hundred Yoruba proverbs with English glosses, a sample written for the registry's tests.",
 "license": "https://creativecommons.org/publicdomain/zero/1.0/"}</script></head></html>"""


def _session(app):
    return Session(get_engine(app))


def _source(app, url=None):
    with _session(app) as s:
        query = select(Source) if url is None else select(Source).where(Source.url == url)
        return s.exec(query).first()


def _make_due(app):
    with write_session(app) as s:
        for src in s.exec(select(Source)):
            src.next_due_at = utcnow() - timedelta(minutes=1)
            s.add(src)


def test_reharvest_due_skips_unchanged_remotes_and_all_takes_everything(app, git_repo):
    repo = git_repo({"README.md": README})
    assert harvest_source(app, source=str(repo), kind="git", options=OPTIONS).outcome is Outcome.CREATED
    src = _source(app)
    assert src.next_due_at - utcnow() > timedelta(hours=23)
    assert reharvest(app, options=OPTIONS) == []  # nothing is due yet
    _make_due(app)
    [result] = reharvest(app, options=OPTIONS)
    assert result.outcome is Outcome.UNCHANGED and result.slug == "acme/tool"
    git_repo({"README.md": README.replace("Tiny Tagger", "Tiny Tagger 2")}, message="rename")
    [result] = reharvest(app, include_all=True, options=OPTIONS)
    assert result.outcome is Outcome.UPDATED and "name" in result.changes


def test_failures_count_back_off_and_turn_the_entry_stale(app, git_repo):
    repo = git_repo({"README.md": README})
    harvest_source(app, source=str(repo), kind="git", options=OPTIONS)
    shutil.rmtree(repo / ".git")
    waits = []
    for n in range(1, 4):
        _make_due(app)
        [result] = reharvest(app, options=OPTIONS)
        assert result.outcome is Outcome.FAILED and "not a git repository" in result.error
        src = _source(app)
        assert src.consecutive_failures == n
        waits.append(src.next_due_at - utcnow())
    assert waits[0] > timedelta(hours=47) and waits[1] > timedelta(hours=95) and waits[2] > timedelta(hours=167)
    with _session(app) as s:
        entry = get_entry(s, slug="acme/tool", actor=None)
    assert entry.stale and entry.name == "Tiny Tagger"  # the last good data stays
    git_repo({"README.md": README}, name="acme/tool", message="back")  # the repository is back
    _make_due(app)
    [result] = reharvest(app, options=OPTIONS)
    assert result.outcome in (Outcome.UNCHANGED, Outcome.UPDATED)
    assert _source(app).consecutive_failures == 0


def test_a_source_queued_without_an_entry_is_harvested_when_due(app, git_repo):
    repo = git_repo({"README.md": README}, name="lab/queued")
    with write_session(app) as s:
        s.add(Source(kind="git", url=str(repo), next_due_at=utcnow()))
    with _session(app) as s:
        assert [src.url for src in due_sources(s)] == [str(repo)]
    [result] = reharvest(app, options=OPTIONS)
    assert result.outcome is Outcome.CREATED and result.slug == "lab/queued"


def test_card_details_relations_and_later_resolution(app, git_repo):
    model = git_repo({"README.md": CARD}, name="sample-lab/tagger")
    harvest_source(app, source=str(model), kind="git", options=OPTIONS)
    with _session(app) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "sample-lab/tagger")).one()
        details = s.get(EntryDetails, entry.id).data
        [relation] = s.exec(select(Relation)).all()
    assert details == {"size_categories": {"value": ["n<1K"], "origin": "README.md"}}
    assert (relation.type, relation.target, relation.target_id) == ("trained-on", "sample-lab/proverbs", None)
    data = git_repo({"README.md": "# Proverbs\n\nA sample corpus of Yoruba proverbs for tests.\n",
                     "data/p.tsv": "id\tp\n"}, name="sample-lab/proverbs")
    harvest_source(app, source=str(data), kind="git", options=OPTIONS)
    with _session(app) as s:
        public = get_entry(s, slug="sample-lab/tagger", actor=None)
    assert [(r.type, r.resolved_slug) for r in public.relations] == [("trained-on", "sample-lab/proverbs")]


def test_a_field_the_source_stops_stating_is_cleared(app, git_repo):
    repo = git_repo({"README.md": CARD})
    harvest_source(app, source=str(repo), kind="git", options=OPTIONS)
    git_repo({"README.md": README}, message="no card")
    result = harvest_source(app, source=str(repo), kind="git", options=OPTIONS)
    assert "license" in result.changes and "tasks" in result.changes
    with _session(app) as s:
        entry = s.exec(select(Entry)).one()
        assert entry.license is None and entry.tasks == [] and "license" not in entry.provenance
        assert s.exec(select(EntryDetails)).one().data == {}


def test_page_source_unchanged_by_etag_without_fetching_the_page(app, site):
    site.page("/proverbs", PAGE, headers={"ETag": '"p1"'})
    url = site.url("/proverbs")
    created = harvest_source(app, source=url, kind="page", options=OPTIONS)
    assert created.outcome is Outcome.CREATED and created.slug == "127.0.0.1/proverbs"
    with _session(app) as s:
        entry = s.exec(select(Entry)).one()
        assert (entry.name, entry.kind, entry.license) == ("Yoruba Proverbs", "dataset", "CC0-1.0")
    assert _source(app).etag == '"p1"'
    before = len(site.requests)
    again = harvest_source(app, source=url, kind="page", options=OPTIONS)
    assert again.outcome is Outcome.UNCHANGED
    assert [r["method"] for r in site.requests[before:]] == ["HEAD"]
    assert site.requests[-1]["headers"]["If-None-Match"] == '"p1"'
    site.page("/proverbs", PAGE.replace("Yoruba Proverbs", "Yoruba Proverbs 2"), headers={"ETag": '"p2"'})
    assert harvest_source(app, source=url, kind="page", options=OPTIONS).outcome is Outcome.UPDATED


def test_kind_is_guessed_and_known_sources_keep_theirs(app, git_repo, site):
    repo = git_repo({"README.md": README})
    assert harvest_source(app, source=str(repo), kind=None, options=OPTIONS).outcome is Outcome.CREATED
    assert _source(app, str(repo)).kind == "git"
    url = site.page("/p", PAGE)
    assert harvest_source(app, source=url, kind=None, options=OPTIONS).outcome is Outcome.CREATED
    assert _source(app, url).kind == "page"
    assert harvest_source(app, source=url, kind=None, options=OPTIONS).outcome is Outcome.UNCHANGED


def test_https_source_that_is_not_git_is_a_page(app, monkeypatch):
    import harvesters.guess as guess

    monkeypatch.setattr(guess, "remote_head", lambda target, options: None)
    assert guess.guess_kind("https://127.0.0.1:1/x", options=OPTIONS) == "page"
    monkeypatch.setattr(guess, "remote_head", lambda target, options: "a" * 40)
    assert guess.guess_kind("https://127.0.0.1:1/x.git", options=OPTIONS) == "git"
    assert guess.guess_kind("/srv/repos/a/b", options=OPTIONS) == "git"
    assert guess.guess_kind("http://example.org/page", options=OPTIONS) == "page"


def test_private_page_refused_by_default_writes_nothing(app, site):
    url = site.page("/p", PAGE)
    result = harvest_source(app, source=url, kind="page", options=HarvestOptions(host_interval=0))
    assert result.outcome is Outcome.FAILED and "private or local address" in result.error
    with _session(app) as s:
        assert s.exec(select(Source)).first() is None and s.exec(select(HarvestRun)).first() is None


@pytest.mark.slow
def test_several_at_once_in_worker_processes(app, git_repo, tmp_path):
    from registry.jobs.batch import harvest_many

    repos = [git_repo({"README.md": README.replace("Tiny Tagger", f"Tagger {n}")}, name=f"lab/t{n}") for n in range(3)]
    missing = tmp_path / "missing"
    results = harvest_many(app, sources=[(str(r), "git") for r in repos] + [(str(missing), "git")], options=OPTIONS,
                           jobs=2)
    assert [r.outcome for r in results] == [Outcome.CREATED] * 3 + [Outcome.FAILED]
    assert [r.slug for r in results[:3]] == ["lab/t0", "lab/t1", "lab/t2"]
    assert results[3].error.endswith("does not exist")
    with _session(app) as s:
        assert sorted(e.name for e in s.exec(select(Entry))) == ["Tagger 0", "Tagger 1", "Tagger 2"]


def _language_model_loaded() -> bool:
    from harvesters.language import _identifier
    return _identifier.cache_info().currsize == 1


def test_harvest_workers_start_with_the_language_model_already_loaded():
    # The pool's server process loads it once (harvesters.warmup); a worker forked from it has
    # it before its first job instead of spending a second of CPU on it.
    workers = _HarvesterPool(2)
    try:
        assert workers.pool().submit(_language_model_loaded).result(timeout=60) is True
    finally:
        workers.close()
