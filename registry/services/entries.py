"""Reading entries: one entry in its public shape, its list shape, and what a reader may see of it."""

from __future__ import annotations

import re
from typing import Any, overload

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from ..errors import NotFound
from ..languages import closest_version
from ..models import Entry, Relation, Source, Translation
from ..schemas import ENTRY_FIELDS, EntryPublic, EntrySummary, RelationPublic, TranslationPublic
from . import Actor

#: A source whose harvest failed this many times in a row is shown as stale.
STALE_AFTER_FAILURES = 3


def summarize(entry: Entry) -> EntrySummary:
    """Return the list shape of an entry."""
    return EntrySummary(
        slug=entry.slug,
        kind=entry.kind,
        name=entry.name,
        summary=entry.summary,
        language=entry.language,
        languages=list(entry.languages),
        license=entry.license,
        tasks=list(entry.tasks),
        region=entry.region,
        updated_at=entry.updated_at,
    )


def find_entry(session: Session, slug: str) -> Entry:
    """Return the visible entry with this slug or raise NotFound."""
    entry = session.exec(select(Entry).where(Entry.slug == slug.lower())).first()
    if entry is None or entry.hidden or entry.deleted_at is not None:
        raise entry_not_found(slug)
    return entry


def entry_not_found(slug: str) -> NotFound:
    """Return the error that says no visible entry has this slug."""
    return NotFound(f"No entry {slug!r} is registered.", details={"slug": slug})


def get_entry(session: Session, *, slug: str, actor: Actor | None, lang: str | None = None) -> EntryPublic:
    """Return an entry's public shape; with ``lang``, its text in that language when translated."""
    entry = find_entry(session, slug)
    return to_public(session, entry, actor=actor, lang=lang)


_TRANSLATIONS = select(Translation).where(col(Translation.entry_id) == bindparam("entry_id"))
_RELATIONS = select(Relation).where(col(Relation.entry_id) == bindparam("entry_id")).order_by(col(Relation.id))
_SOURCE = select(Source).where(col(Source.entry_id) == bindparam("entry_id"))


def entry_translations(session: Session, entry: Entry) -> dict[str, Translation]:
    """Return an entry's translations by language tag."""
    return {t.lang: t for t in session.exec(_TRANSLATIONS, params={"entry_id": entry.id})}


def to_public(
    session: Session,
    entry: Entry,
    *,
    actor: Actor | None,
    lang: str | None = None,
    source: Source | None = None,
    translations: dict[str, Translation] | None = None,
) -> EntryPublic:
    """Build the public shape of an entry as ``actor`` may see it.

    ``source`` and ``translations`` (by tag) are the entry's rows when the caller has read them already.
    """
    if translations is None:
        translations = entry_translations(session, entry)
    relations = session.exec(_RELATIONS, params={"entry_id": entry.id}).all()
    resolved = {}
    target_ids = [r.target_id for r in relations if r.target_id]
    if target_ids:
        resolved = dict(session.exec(select(Entry.id, Entry.slug).where(col(Entry.id).in_(target_ids))).all())
    if source is None:
        source = session.exec(_SOURCE, params={"entry_id": entry.id}).first()
    name, summary, description = entry.name, entry.summary, entry.description
    chosen = closest_version(translations, lang) if lang and lang != entry.language else None
    if chosen is not None:
        name = chosen.name or name
        summary = chosen.summary or summary
        description = chosen.description or description
    return EntryPublic(
        slug=entry.slug,
        kind=entry.kind,
        name=name,
        summary=summary,
        description=description,
        language=entry.language,
        languages=list(entry.languages),
        license=entry.license,
        tasks=list(entry.tasks),
        tags=list(entry.tags),
        frameworks=list(entry.frameworks),
        region=entry.region,
        homepage=entry.homepage,
        source_url=visible_source_url(entry.source_url, actor),
        version=entry.version,
        authors=list(entry.authors),
        citation=dict(entry.citation),
        translations={
            tag: TranslationPublic(
                name=t.name, summary=t.summary, description=t.description, origin=t.origin, reviewed_by=t.reviewed_by
            )
            for tag, t in sorted(translations.items())
        },
        relations=[
            RelationPublic(type=r.type, target=r.target, resolved_slug=resolved.get(r.target_id)) for r in relations
        ],
        provenance=dict(entry.provenance),
        stale=bool(source and source.consecutive_failures >= STALE_AFTER_FAILURES),
        revision=entry.revision,
        updated_at=entry.updated_at,
    )


def is_local_source(url: str | None) -> bool:
    """Tell whether a source is a path on this server rather than a public URL."""
    return url is not None and (url.startswith("/") or url.startswith("file:"))


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/[^\s'\"`,;)]+")


@overload
def visible_message(text: str, source_url: str | None, actor: Actor | None) -> str: ...
@overload
def visible_message(text: None, source_url: str | None, actor: Actor | None) -> None: ...
def visible_message(text: str | None, source_url: str | None, actor: Actor | None) -> str | None:
    """Hide server paths in a local source's harvest error or warning from everyone but admins."""
    if not text or not is_local_source(source_url) or (actor and actor.is_admin):
        return text
    return _ABSOLUTE_PATH.sub("[server path]", text)


def visible_source_url(url: str | None, actor: Actor | None) -> str | None:
    """Hide server paths from everyone but admins: they reveal the server's layout."""
    if is_local_source(url) and not (actor and actor.is_admin):
        return None
    return url


def snapshot(entry: Entry) -> dict[str, Any]:
    """Return the content of an entry as stored in a revision."""
    data: dict[str, Any] = {}
    for name in ENTRY_FIELDS:
        value = getattr(entry, name)
        # Copies, so the snapshot does not change with the entry's mutable JSON columns.
        data[name] = list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value
    return data
