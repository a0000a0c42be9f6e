"""Search: `search(session, SearchRequest)` (planner.py), the index kept in step with the entries, and the
backends (backends.py: SQLite FTS5 by default, PostgreSQL), chosen by the database."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from ..models import Entry, Translation, attributes
from . import counts, memory
from .backends import SearchBackend, backend_for
from .documents import build_document, is_searchable
from .planner import SearchRequest, SearchResult, search
from .query import parse_query

__all__ = [
    "SearchBackend",
    "SearchRequest",
    "SearchResult",
    "backend_for",
    "index_entry",
    "index_entries",
    "parse_query",
    "reindex",
    "search",
    "unindex_entry",
]


#: The columns the indexer reads: naming them keeps the migration that backfills the index
#: working whatever columns later migrations add.
_ENTRY_COLUMNS = load_only(
    *attributes(
        Entry.id,
        Entry.slug,
        Entry.kind,
        Entry.region,
        Entry.name,
        Entry.summary,
        Entry.description,
        Entry.language,
        Entry.license,
        Entry.languages,
        Entry.tasks,
        Entry.tags,
        Entry.frameworks,
        Entry.authors,
        Entry.hidden,
        Entry.deleted_at,
        Entry.updated_at,
    )
)
_TRANSLATION_COLUMNS = load_only(
    *attributes(
        Translation.id,
        Translation.entry_id,
        Translation.lang,
        Translation.name,
        Translation.summary,
        Translation.description,
        Translation.origin,
        Translation.reviewed_by,
    )
)


def _translations(session: Session, entry_ids: list[int]) -> dict[int, list[Translation]]:
    found: dict[int, list[Translation]] = {i: [] for i in entry_ids}
    stmt = select(Translation).options(_TRANSLATION_COLUMNS).where(col(Translation.entry_id).in_(entry_ids))
    for tr in session.exec(stmt):
        found[tr.entry_id].append(tr)
    return found


def index_entry(session: Session, entry: Entry) -> None:
    """Bring an entry's index row up to date in the caller's transaction (removing it when hidden)."""
    backend = backend_for(session)
    session.flush()  # pending translations must be visible to the query below
    assert entry.id is not None  # flushed just above, so the row has its id
    if not is_searchable(entry):
        backend.delete_documents(session, [entry.id])
        return
    backend.replace_documents(session, [build_document(entry, _translations(session, [entry.id])[entry.id])])


def index_entries(session: Session, entry_ids: list[int], *, batch_size: int = 500) -> None:
    """Bring many entries' index rows up to date in the caller's transaction (a bulk load's last step)."""
    backend = backend_for(session)
    session.flush()
    for start in range(0, len(entry_ids), batch_size):
        ids = entry_ids[start : start + batch_size]
        entries = session.exec(select(Entry).options(_ENTRY_COLUMNS).where(col(Entry.id).in_(ids))).all()
        visible = [e for e in entries if is_searchable(e) and e.id is not None]
        translations = _translations(session, [e.id for e in visible if e.id is not None])
        backend.replace_documents(session, [build_document(e, translations[e.id]) for e in visible if e.id])
        backend.delete_documents(session, [e.id for e in entries if e.id is not None and not is_searchable(e)])


def unindex_entry(session: Session, entry_id: int) -> None:
    """Take an entry out of the index in the caller's transaction (before it is purged)."""
    backend_for(session).delete_documents(session, [entry_id])


def reindex(
    session: Session, *, batch_size: int = 500, progress: Callable[[int], None] | None = None, facet_counts: bool = True
) -> int:
    """Rebuild the whole index from the entries; return how many entries were indexed.

    ``facet_counts=False`` leaves the counts and codes alone: the migration that makes the index
    runs before the ones that make their tables (and fill them from the index).
    """
    backend = backend_for(session)
    backend.clear(session, facet_counts=facet_counts)
    done, last_id = 0, 0
    while True:
        entries = session.exec(
            select(Entry)
            .options(_ENTRY_COLUMNS)
            .where(col(Entry.id) > last_id)
            .order_by(col(Entry.id))
            .limit(batch_size)
        ).all()
        if not entries:
            return done
        # Rows read from the database always have their id.
        last_id = entries[-1].id or last_id
        visible = [(e.id, e) for e in entries if is_searchable(e) and e.id is not None]
        translations = _translations(session, [id_ for id_, _ in visible])
        backend.replace_documents(
            session, [build_document(e, translations[id_]) for id_, e in visible], facet_counts=facet_counts
        )
        done += len(visible)
        if progress:
            progress(len(entries))
        session.expunge_all()  # a million entries must not pile up in the identity map


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
