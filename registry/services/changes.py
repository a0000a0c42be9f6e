"""The one path every change to an entry takes: revision, snapshot, facet rows, search index."""

from __future__ import annotations

from sqlmodel import Session, col, delete

from ..models import Entry, FacetValue, Revision, utcnow
from ..search import index_entry, unindex_entry
from .entries import snapshot
from .facets import sync_facets


def record_change(session: Session, entry: Entry, *, author: str, reason: str, changes: list[str]) -> Revision:
    """Bump the entry's revision, store a full snapshot, and bring derived rows up to date.

    The revision counter goes up exactly when a Revision row is written, so the two are only
    ever changed here, in the caller's transaction.
    """
    entry.revision += 1
    entry.updated_at = utcnow()
    assert entry.id is not None  # a stored entry: revisions are written after it
    rev = Revision(
        entry_id=entry.id,
        number=entry.revision,
        author=author,
        # What a person wrote is refused over its limit before it gets here (schemas/limits.py);
        # only a composed reason ("hidden: " and theirs) can exceed the column, by its prefix.
        reason=reason[:500],
        changes=changes,
        snapshot=snapshot(entry),
    )
    session.add(entry)
    session.add(rev)
    session.flush()
    refresh_derived(session, entry)
    return rev


def refresh_derived(session: Session, entry: Entry) -> None:
    """Rewrite what is derived from an entry (facet rows, search index) in the current transaction."""
    sync_facets(session, entry)
    index_entry(session, entry)


def forget_entry(session: Session, entry: Entry) -> None:
    """Remove what is derived from an entry before the entry itself is purged."""
    session.exec(delete(FacetValue).where(col(FacetValue.entry_id) == entry.id))
    # Through the index writer, not only the foreign key's cascade: the facet counts follow.
    assert entry.id is not None  # a stored entry is purged
    unindex_entry(session, entry.id)
