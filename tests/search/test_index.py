"""The index follows every change in the same transaction, and `reindex` rebuilds it."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from registry.db import write_session
from registry.models import Entry, Translation
from registry.services import Actor
from registry.services.changes import record_change
from registry.services.editing import purge_entry, set_hidden
from tests.helpers import add_entry, index_snapshot
from tests.search.conftest import search, slugs

MODERATOR = Actor(name="mod", role="moderator")
ADMIN = Actor(name="root", role="admin")


def _index_rows(app) -> dict[int, str]:
    with write_session(app) as s:
        if s.get_bind().dialect.name == "postgresql":
            rows = s.execute(text("SELECT entry_id, CAST(document AS TEXT) FROM search_documents"))
        else:
            rows = s.execute(text("SELECT entry_id, name || ' ' || summary FROM search_documents"))
        return dict(rows.all())


def test_a_change_is_searchable_at_once(app):
    add_entry(app, "lab/tool", name="Tool", summary="Old words.")
    with write_session(app) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "lab/tool")).one()
        entry.summary = "Brand new vocabulary."
        record_change(s, entry, author="amina", reason="edit", changes=["summary"])
    assert slugs(app, "vocabulary") == ["lab/tool"]
    assert slugs(app, "old") == []


def test_a_rolled_back_change_leaves_the_index_untouched(app):
    add_entry(app, "lab/tool", name="Tool", summary="Old words.")
    before = _index_rows(app)
    with pytest.raises(RuntimeError):
        with write_session(app) as s:
            entry = s.exec(select(Entry).where(Entry.slug == "lab/tool")).one()
            entry.summary = "Words that never happened."
            record_change(s, entry, author="amina", reason="edit", changes=["summary"])
            assert s.execute(text("SELECT count(*) FROM search_documents")).scalar_one() == 1
            raise RuntimeError("the unit of work fails after the change was indexed")
    assert _index_rows(app) == before
    assert slugs(app, "happened") == [] and slugs(app, "old") == ["lab/tool"]


def test_translations_are_indexed_and_follow_changes(app):
    add_entry(app, "lab/reader", name="Reader", translations={
        "ar": {"name": "القارئ", "summary": "قراءة النصوص", "description": "", "origin": "README.ar.md"}})
    assert slugs(app, "القارئ") == ["lab/reader"]
    add_entry(app, "lab/reader", name="Reader", translations={})  # the README.ar.md went away
    assert slugs(app, "القارئ") == []


def test_unreviewed_community_translations_are_not_indexed(app):
    add_entry(app, "lab/reader", name="Reader")
    with write_session(app) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "lab/reader")).one()
        s.add(Translation(entry_id=entry.id, lang="sw", name="Msomaji", origin="community"))
        record_change(s, entry, author="amina", reason="translation", changes=["translation:sw"])
    assert slugs(app, "msomaji") == []


def test_hidden_deleted_and_purged_entries_leave_results_and_counts(app):
    for name in ("one", "two", "three", "four"):
        add_entry(app, f"lab/{name}", name=name.title(), summary="shared words", kind="model")
    with write_session(app) as s:
        set_hidden(s, slug="lab/one", actor=MODERATOR, hidden=True, reason="spam")
    with write_session(app) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "lab/two")).one()
        entry.hidden = True  # even a change that skips the index must not leak the entry
    with write_session(app) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "lab/three")).one()
        entry.deleted_at = entry.updated_at
        record_change(s, entry, author="mod", reason="deleted", changes=["deleted"])
    with write_session(app) as s:
        purge_entry(s, slug="lab/four", actor=ADMIN, reason="leaked personal data")
    page = search(app, "shared")
    assert page.total == 0 and page.facets["kind"] == {}
    assert search(app, "").total == 0
    assert len(_index_rows(app)) == 1  # lab/two: the change skipped record_change, the query still hides it
    with write_session(app) as s:
        set_hidden(s, slug="lab/one", actor=MODERATOR, hidden=False, reason="not spam")
    assert slugs(app, "shared") == ["lab/one"]


def test_reindex_command_rebuilds_the_index(app, runner):
    add_entry(app, "lab/tool", name="Tool", summary="Searchable words.")
    add_entry(app, "lab/gone", name="Gone")
    with write_session(app) as s:
        s.execute(text("DELETE FROM search_documents"))
        if s.get_bind().dialect.name == "sqlite":
            s.execute(text("DELETE FROM search_meta"))
        s.exec(select(Entry).where(Entry.slug == "lab/gone")).one().hidden = True
    assert slugs(app, "searchable") == []
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 entries" in result.output
    assert slugs(app, "searchable") == ["lab/tool"]
    assert runner.invoke(args=["reindex"]).exit_code == 0  # again: same result
    assert slugs(app, "searchable") == ["lab/tool"]


def test_a_rebuild_in_worker_processes_writes_the_same_index(multilingual, app):
    from registry.search import reindex

    with write_session(app) as s:
        s.exec(select(Entry).where(Entry.slug == "acme/transformer-tiny")).one().hidden = True
    with write_session(app) as s:
        reindex(s)
    one_process = index_snapshot(app)
    assert one_process["search_documents"] and one_process["counts"]
    with write_session(app) as s:
        s.execute(text("DELETE FROM search_documents"))  # (nothing left to find from here on)
        assert reindex(s, batch_size=3, processes=2) == len(one_process["search_documents"])
    assert index_snapshot(app) == one_process
    assert slugs(app, "speech") and "acme/transformer-tiny" not in slugs(app, "transformer")


def test_after_a_rebuild_every_change_is_indexed_again(multilingual, app):
    from registry.search import reindex

    with write_session(app) as s:
        reindex(s, batch_size=4)
    add_entry(app, "lab/newcomer", name="Newcomer", summary="Unmistakable zebrafish words.")
    assert slugs(app, "zebrafish") == ["lab/newcomer"]
    add_entry(app, "lab/newcomer", name="Newcomer", summary="Now about axolotls.")
    assert slugs(app, "zebrafish") == [] and slugs(app, "axolotls") == ["lab/newcomer"]
    index_snapshot(app)  # (on SQLite: FTS5's own integrity check passes)


def test_a_rebuild_that_fails_halfway_leaves_the_index_as_it_was(multilingual, app):
    from registry.search import reindex

    before = index_snapshot(app)

    def fail_on_second_batch(seen, calls=[]):  # noqa: B006 (counts the calls)
        calls.append(seen)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError), write_session(app) as s:
        reindex(s, batch_size=2, progress=fail_on_second_batch)
    assert index_snapshot(app) == before
    add_entry(app, "lab/after", name="After", summary="Quokka words.")
    assert slugs(app, "quokka") == ["lab/after"]


def test_documents_built_before_a_change_never_overwrite_it(multilingual, app):
    from registry.search import add_built_documents, bulk

    with write_session(app) as s:
        ids = sorted(s.exec(select(Entry.id)).all())
        s.execute(text("DELETE FROM search_documents"))  # as if these entries were just loaded
        if s.get_bind().dialect.name == "sqlite":
            s.execute(text("DELETE FROM search_meta"))
    with write_session(app) as s:
        [(_, built, _)] = bulk.documents(s, [ids])
    # While the documents wait: a moderator hides one entry, a harvest rewrites another.
    with write_session(app) as s:
        s.exec(select(Entry).where(Entry.slug == "nairobi/sw-sentiment")).one().hidden = True
    add_entry(app, "acme/speech-corpus", name="Speech Corpus", summary="Now about axolotl recordings.")
    with write_session(app) as s:
        assert add_built_documents(s, built) == len(ids) - 2
    assert slugs(app, "axolotl") == ["acme/speech-corpus"]
    assert "acme/speech-corpus" not in slugs(app, "transcripts")  # the old words stayed out
    assert "nairobi/sw-sentiment" not in slugs(app, "hisia")
    with write_session(app) as s:
        assert add_built_documents(s, built) == 0  # (all indexed now: nothing is written twice)
