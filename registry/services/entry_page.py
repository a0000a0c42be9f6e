"""An entry's page: everything it shows, read in one call (the API's entry route shares get_entry)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from ..languages import choose_language
from ..models import Entry, EntryDetails, HarvestRun, Source
from ..schemas import EntryPage, HarvestNotes
from . import Actor
from .collections import collections_with_entry, curatable_collections
from .entries import entry_not_found, entry_translations, to_public
from .openformats import CITATION_FORMATS, entry_jsonld, format_citation
from .permissions import can_edit
from .runs import run_public

#: How many of the latest harvest runs the page lists.
PAGE_RUNS = 10


def entry_page(session: Session, *, slug: str, actor: Actor | None, wanted: Sequence[str], url: str) -> EntryPage:
    """Return what an entry's page shows, in the first of the reader's ``wanted`` languages it has.

    ``url`` is the page's canonical address, which the JSON-LD and the citations name.
    """
    row = session.exec(
        select(Entry, Source, EntryDetails)
        .where(col(Entry.slug) == slug.lower())
        .outerjoin(Source, col(Source.entry_id) == Entry.id)
        .outerjoin(EntryDetails, col(EntryDetails.entry_id) == Entry.id)
    ).first()
    if row is None or row[0].hidden or row[0].deleted_at is not None:
        raise entry_not_found(slug)
    entry, source, details = row
    translations = entry_translations(session, entry)
    available = ([entry.language] if entry.language else []) + [t for t in translations if t != entry.language]
    shown = choose_language(wanted, available, default=entry.language)
    public = to_public(session, entry, actor=actor, lang=shown, source=source, translations=translations)
    assert entry.id is not None  # read from the database just above
    return EntryPage(
        entry=public,
        shown_lang=shown,
        canonical=url,
        runs=_runs(session, source, actor),
        harvest=_notes(session, entry, source, details, actor),
        listed_in=collections_with_entry(session, entry_id=entry.id),
        curatable=curatable_collections(session, actor=actor),
        jsonld=entry_jsonld(public, url=url),
        citations={fmt: format_citation(public, fmt, url=url) for fmt in CITATION_FORMATS},
    )


def _runs(session: Session, source: Source | None, actor: Actor | None):
    if source is None:
        return []
    runs = session.exec(
        select(HarvestRun)
        .where(col(HarvestRun.source_id) == source.id)
        .order_by(col(HarvestRun.id).desc())
        .limit(PAGE_RUNS)
    ).all()
    return [run_public(run, source.url, actor) for run in runs]


def _notes(
    session: Session, entry: Entry, source: Source | None, row: EntryDetails | None, actor: Actor | None
) -> HarvestNotes:
    details = {key: item.get("value") for key, item in (row.data if row else {}).items() if isinstance(item, dict)}
    warnings = list(entry.warnings) if actor is not None and can_edit(session, actor, entry) else None
    return HarvestNotes(details=details, warnings=warnings, source_id=source.id if source else None)
