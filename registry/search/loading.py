"""Reading entries for the index: the columns the indexer needs, and a batch of entries' documents."""

from __future__ import annotations

from typing import cast

from sqlmodel import Session, col, select

from ..models import Entry, Translation, attributes
from .documents import SearchDocument, build_document, is_searchable

#: The columns the indexer reads: naming them keeps the migration that backfills the index
#: working whatever columns later migrations add. They are read as rows, not model objects: a
#: rebuild reads every entry once, and making each an object cost more than tokenizing it.
ENTRY_COLUMNS = attributes(
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
TRANSLATION_COLUMNS = attributes(
    Translation.entry_id,
    Translation.lang,
    Translation.name,
    Translation.summary,
    Translation.description,
    Translation.origin,
    Translation.reviewed_by,
)


def translations_of(session: Session, entry_ids: list[int]) -> dict[int, list[Translation]]:
    """Return each entry's translations (as rows with a translation's attributes), by entry id."""
    found: dict[int, list[Translation]] = {i: [] for i in entry_ids}
    rows = session.execute(select(*TRANSLATION_COLUMNS).where(col(Translation.entry_id).in_(entry_ids)))
    for row in rows:
        found[row.entry_id].append(cast(Translation, row))  # (a row has the attributes the indexer reads)
    return found


def read_documents(session: Session, entry_ids: list[int]) -> tuple[list[SearchDocument], list[int]]:
    """Return the documents of these entries that belong in the index, and the ids of those that do not
    (hidden or deleted), in id order; ids with no entry are left out of both."""
    rows = session.execute(select(*ENTRY_COLUMNS).where(col(Entry.id).in_(entry_ids)).order_by(col(Entry.id)))
    # (a row has the attributes the indexer reads from an entry)
    entries = [cast(Entry, row) for row in rows]
    visible = [e for e in entries if is_searchable(e) and e.id is not None]
    translations = translations_of(session, [e.id for e in visible if e.id is not None])
    return (
        [build_document(e, translations[e.id]) for e in visible if e.id is not None],
        [e.id for e in entries if e.id is not None and not is_searchable(e)],
    )
