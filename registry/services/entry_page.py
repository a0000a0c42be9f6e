"""An entry's page: everything it shows, read in one call (the API's entry route shares get_entry)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, bindparam
from sqlmodel import Session, col, select

from ..languages import choose_language
from ..models import Entry, EntryDetails, HarvestRun, RenderedText, Source
from ..rendering import RENDERER_VERSION
from ..schemas import EntryPage, HarvestNotes
from . import Actor
from .collections import collections_with_entry, curatable_collections
from .entries import entry_not_found, to_public
from .openformats import CITATION_FORMATS, entry_jsonld, format_citation
from .permissions import can_edit
from .rendered import html_of, translations_rendered
from .runs import run_public

#: How many of the latest harvest runs the page lists.
PAGE_RUNS = 10

# The page's statements are built once: building one costs about as much as running it.
_PAGE_ROW = (
    select(Entry, Source, EntryDetails, RenderedText.html)
    .where(col(Entry.slug) == bindparam("slug"))
    .outerjoin(Source, col(Source.entry_id) == Entry.id)
    .outerjoin(EntryDetails, col(EntryDetails.entry_id) == Entry.id)
    .outerjoin(
        RenderedText,
        and_(
            col(RenderedText.entry_id) == Entry.id,
            col(RenderedText.lang) == "",
            col(RenderedText.renderer) == RENDERER_VERSION,
        ),
    )
)
_RUNS = (
    select(HarvestRun)
    .where(col(HarvestRun.source_id) == bindparam("source_id"))
    .order_by(col(HarvestRun.id).desc())
    .limit(PAGE_RUNS)
)


def entry_page(session: Session, *, slug: str, actor: Actor | None, wanted: Sequence[str], url: str) -> EntryPage:
    """Return what an entry's page shows, in the first of the reader's ``wanted`` languages it has.

    ``url`` is the page's canonical address, which the JSON-LD and the citations name.
    """
    row = session.exec(_PAGE_ROW, params={"slug": slug.lower()}).first()
    if row is None or row[0].hidden or row[0].deleted_at is not None:
        raise entry_not_found(slug)
    entry, source, details, original_html = row
    stored: str | None = original_html  # (None: not stored, or by an older renderer)
    assert entry.id is not None  # read from the database just above
    translations, rendered = translations_rendered(session, entry_id=entry.id)
    available = ([entry.language] if entry.language else []) + [t for t in translations if t != entry.language]
    shown = choose_language(wanted, available, default=entry.language)
    public = to_public(session, entry, actor=actor, lang=shown, source=source, translations=translations)
    if public.description != entry.description:  # a translation's description is shown
        shown_tag = next((t for t, tr in translations.items() if tr.description == public.description), None)
        stored = rendered.get(shown_tag) if shown_tag else None
    return EntryPage(
        entry=public,
        body=html_of(public.description, stored),
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
    runs = session.exec(_RUNS, params={"source_id": source.id}).all()
    return [run_public(run, source.url, actor) for run in runs]


def _notes(
    session: Session, entry: Entry, source: Source | None, row: EntryDetails | None, actor: Actor | None
) -> HarvestNotes:
    details = {key: item.get("value") for key, item in (row.data if row else {}).items() if isinstance(item, dict)}
    warnings = list(entry.warnings) if actor is not None and can_edit(session, actor, entry) else None
    return HarvestNotes(
        details=details,
        warnings=warnings,
        source_id=source.id if source else None,
        gone_at=source.gone_at if source else None,
    )
