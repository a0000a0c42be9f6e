"""Search: `search(session, SearchRequest)` (planner.py), the index kept in step with the entries, and the
backends (backends.py: SQLite FTS5 by default, PostgreSQL), chosen by the database."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import column, exists, table
from sqlmodel import Session, col, select

from ..models import Entry
from . import bulk, counts, memory, staging
from .backends import SearchBackend, backend_for
from .documents import SearchDocument, build_document, is_searchable
from .loading import read_documents, translations_of
from .planner import SearchRequest, SearchResult, search, visible
from .query import parse_query

__all__ = [
    "SearchBackend",
    "SearchRequest",
    "SearchResult",
    "backend_for",
    "index_entry",
    "add_built_documents",
    "index_entries",
    "index_staged",
    "parse_query",
    "reindex",
    "search",
    "unindex_entry",
    "unindexed_ids",
]


def index_entry(session: Session, entry: Entry) -> None:
    """Bring an entry's index row up to date in the caller's transaction (removing it when hidden)."""
    backend = backend_for(session)
    session.flush()  # pending translations must be visible to the query below
    assert entry.id is not None  # flushed just above, so the row has its id
    if not is_searchable(entry):
        backend.delete_documents(session, [entry.id])
        return
    backend.replace_documents(session, [build_document(entry, translations_of(session, [entry.id])[entry.id])])


def index_entries(session: Session, entry_ids: list[int], *, batch_size: int = 500) -> None:
    """Bring many entries' index rows up to date in the caller's transaction (a bulk load's last step)."""
    backend = backend_for(session)
    session.flush()
    for start in range(0, len(entry_ids), batch_size):
        docs, left_out = read_documents(session, entry_ids[start : start + batch_size])
        backend.replace_documents(session, docs)
        backend.delete_documents(session, left_out)


def add_built_documents(session: Session, docs: list[SearchDocument]) -> int:
    """Write documents built outside this transaction (bulk.py) for the entries that are still searchable
    and still have no index row; return how many were written.

    An entry edited, hidden, deleted or indexed in between was indexed or left out by that change,
    which is newer than the document: its document is dropped. Call under the write lock, so nothing
    changes between the check and the write.
    """
    if not docs:
        return 0
    fresh = set(
        session.execute(
            select(col(Entry.id)).where(col(Entry.id).in_([d.entry_id for d in docs]), _shown_and_unindexed())
        ).scalars()
    )
    kept = [d for d in docs if d.entry_id in fresh]
    backend_for(session).replace_documents(session, kept)
    return len(kept)


def index_staged(session: Session, *, progress: Callable[[int], None] | None = None) -> int:
    """Write the documents a bulk load staged (staging.py), in the caller's transaction: the full-text
    index is built once for all of them; return how many were written (see add_built_documents)."""
    backend = backend_for(session)
    written = 0
    with backend.adding(session, staging.count(session)):
        for docs in staging.take(session):
            written += add_built_documents(session, docs)
            if progress:
                progress(len(docs))
    return written


def unindexed_ids(session: Session) -> list[int]:
    """Return the searchable entries that have no index row (a bulk load's last batch, if it was cut short)."""
    return list(session.execute(select(col(Entry.id)).where(_shown_and_unindexed()).order_by(col(Entry.id))).scalars())


def _shown_and_unindexed():
    # (The index's rows live in search_documents on both databases.)
    indexed = table("search_documents")
    return visible() & ~exists().where(column("entry_id") == Entry.id).select_from(indexed).correlate(Entry)


def unindex_entry(session: Session, entry_id: int) -> None:
    """Take an entry out of the index in the caller's transaction (before it is purged)."""
    backend_for(session).delete_documents(session, [entry_id])


def reindex(
    session: Session,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    facet_counts: bool = True,
    processes: int = 1,
) -> int:
    """Rebuild the whole index from the entries; return how many entries were indexed.

    With ``processes`` above 1, worker processes build the documents from the committed entries
    while this one writes (bulk.py); the entries must then have no uncommitted change in this
    session. ``facet_counts=False`` leaves the counts and codes alone: the migration that makes the
    index runs before the ones that make their tables (and fill them from the index).
    """
    backend = backend_for(session)
    ids = session.exec(select(Entry.id).order_by(col(Entry.id))).all()
    batches = (
        [i for i in ids[start : start + batch_size] if i is not None] for start in range(0, len(ids), batch_size)
    )
    done = 0
    with backend.rebuilding(session, facet_counts=facet_counts):
        for seen, docs, _ in bulk.documents(session, batches, processes=processes):
            backend.replace_documents(session, docs, facet_counts=facet_counts)
            done += len(docs)
            if progress:
                progress(seen)
    return done


def warm(engine) -> bool:
    """Read the index into this process's in-memory copy now, not on the first search; False when it is off."""
    with Session(engine) as session:
        index = memory.index_for(session, backend_for(session).memory_rows, counts.CODE_DIGITS)
        if index is None:
            return False
        index.current(session)
        return True


def init_app(app) -> None:
    """Register `reindex` and `search-build`, bind the index's session listeners and the shared index's
    directory, and turn on the in-memory copy when configured."""
    from . import build, changes
    from .cli import reindex_command, search_build_command

    changes.bind()
    # The shared index's directory, known to the engine's index even where no app context is
    # pushed (gunicorn's warming hook, the scheduler).
    build.bind(app)
    app.cli.add_command(reindex_command)
    app.cli.add_command(search_build_command)
    if app.config.get("SEARCH_IN_MEMORY"):
        memory.enable(app.extensions["registry_engine"])
